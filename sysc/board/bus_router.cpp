#include "sysc/board/bus_router.h"

namespace mind1024::board {

BusRouter::BusRouter(sc_core::sc_module_name name, std::vector<Region> regions, sc_core::sc_time bus_period)
    : sc_module(name), targets_in("targets_in"), to_region("to_region"), regions_(std::move(regions)) {
    for (const Region& r : regions_) latency_.push_back(static_cast<double>(r.latency_cycles) * bus_period);
    targets_in.register_b_transport(this, &BusRouter::b_transport);
    targets_in.register_transport_dbg(this, &BusRouter::transport_dbg);
    targets_in.register_get_direct_mem_ptr(this, &BusRouter::get_direct_mem_ptr);
    to_region.register_invalidate_direct_mem_ptr(this, &BusRouter::invalidate_direct_mem_ptr);
}

int BusRouter::decode(const tlm::tlm_generic_payload& tx) const {
    const uint64_t a = tx.get_address(), n = tx.get_data_length() ? tx.get_data_length() : 1;
    for (size_t k = 0; k < regions_.size(); ++k)
        if (regions_[k].contains(a, n)) return static_cast<int>(k);
    return -1;
}

void BusRouter::b_transport(int, tlm::tlm_generic_payload& tx, sc_core::sc_time& delay) {
    ++accesses_;
    const int k = decode(tx);
    if (k < 0) return tx.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    const uint64_t a = tx.get_address();
    tx.set_address(a - regions_[k].base);
    delay += latency_[k];
    to_region[k]->b_transport(tx, delay);
    tx.set_address(a);
}

unsigned int BusRouter::transport_dbg(int, tlm::tlm_generic_payload& tx) {
    const int k = decode(tx);
    if (k < 0) return 0;
    const uint64_t a = tx.get_address();
    tx.set_address(a - regions_[k].base);
    const unsigned int n = to_region[k]->transport_dbg(tx);
    tx.set_address(a);
    return n;
}

bool BusRouter::get_direct_mem_ptr(int, tlm::tlm_generic_payload& tx, tlm::tlm_dmi& dmi) {
    const int k = decode(tx);
    if (k < 0) return false;
    const uint64_t a = tx.get_address(), base = regions_[k].base;
    tx.set_address(a - base);
    const bool ok = to_region[k]->get_direct_mem_ptr(tx, dmi);
    tx.set_address(a);
    // Back to bus addresses, clipped to the region.
    dmi.set_start_address(dmi.get_start_address() + base);
    dmi.set_end_address(std::min<uint64_t>(dmi.get_end_address() + base, regions_[k].end() - 1));
    return ok;
}

void BusRouter::invalidate_direct_mem_ptr(int region, sc_dt::uint64 start, sc_dt::uint64 end) {
    const uint64_t base = regions_.at(region).base;
    for (unsigned k = 0; k < targets_in.size(); ++k) targets_in[k]->invalidate_direct_mem_ptr(start + base, end + base);
}

}  // namespace mind1024::board
