// Memory: ROM, SRAM or a shared buffer as a TLM target. The CPU maps ROM and
// SRAM into its emulator through DMI (direct memory interface), so only
// other masters (the host port, debuggers) and devices-as-memory (the host
// buffer) pay a b_transport per access. ROM refuses bus writes; debug writes
// (the ELF loader, GDB) go through transport_dbg.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

namespace mind1024::board {

class Memory : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<Memory> socket;

    Memory(sc_core::sc_module_name name, uint32_t size, bool read_only);

    uint32_t size() const { return static_cast<uint32_t>(bytes_.size()); }
    bool read_only() const { return read_only_; }
    uint8_t* data() { return bytes_.data(); }
    const uint8_t* data() const { return bytes_.data(); }
    void clear();

private:
    void b_transport(tlm::tlm_generic_payload& tx, sc_core::sc_time& delay);
    unsigned int transport_dbg(tlm::tlm_generic_payload& tx);
    bool get_direct_mem_ptr(tlm::tlm_generic_payload& tx, tlm::tlm_dmi& dmi);
    // The accessed range, or nullptr if it does not fit.
    uint8_t* range(const tlm::tlm_generic_payload& tx);

    std::vector<uint8_t> bytes_;
    bool read_only_;
};

}  // namespace mind1024::board
