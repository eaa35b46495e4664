// BusRouter: the board's interconnect. Initiators (the CPU, the host port)
// bind to `targets_in`; every region of the memory map binds, in the map's
// order, to `to_region`. Addresses are made region-relative on the way in and
// restored on the way out (as TLM requires); an unmapped address or an access
// that crosses a region's end gets TLM_ADDRESS_ERROR_RESPONSE. Each access
// costs the region's latency in bus cycles, annotated on the delay.
#pragma once
#include <cstdint>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/multi_passthrough_initiator_socket.h>
#include <tlm_utils/multi_passthrough_target_socket.h>

#include "sysc/board/memory_map.h"

namespace mind1024::board {

class BusRouter : public sc_core::sc_module {
public:
    tlm_utils::multi_passthrough_target_socket<BusRouter> targets_in;
    tlm_utils::multi_passthrough_initiator_socket<BusRouter> to_region;

    BusRouter(sc_core::sc_module_name name, std::vector<Region> regions, sc_core::sc_time bus_period);
    const std::vector<Region>& regions() const { return regions_; }

    uint64_t accesses() const { return accesses_; }

private:
    void b_transport(int from, tlm::tlm_generic_payload& tx, sc_core::sc_time& delay);
    unsigned int transport_dbg(int from, tlm::tlm_generic_payload& tx);
    bool get_direct_mem_ptr(int from, tlm::tlm_generic_payload& tx, tlm::tlm_dmi& dmi);
    void invalidate_direct_mem_ptr(int region, sc_dt::uint64 start, sc_dt::uint64 end);
    int decode(const tlm::tlm_generic_payload& tx) const;

    std::vector<Region> regions_;
    std::vector<sc_core::sc_time> latency_;
    uint64_t accesses_ = 0;
};

}  // namespace mind1024::board
