// Synapse memory: N_MAX x N_MAX weights of WBITS, and the TLM target for the
// synapse window (J[i][j] as int16 at byte (i*N_MAX+j)*2, 16/32-bit accesses,
// and longer aligned bursts for bulk loading).
#pragma once
#include <cstdint>
#include <functional>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include "sysc/chip_params.h"
#include "sysc/fault_plan.h"

namespace mind1024::sysc {

class SynapseMemory : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<SynapseMemory> socket;

    SynapseMemory(sc_core::sc_module_name name, const ChipParams& p);

    // Called on a write while the chip is BUSY: the write is ignored and reported.
    std::function<bool()> is_busy;
    std::function<void()> on_busy_write;

    uint64_t window_bytes() const { return uint64_t{params_.n_max} * params_.n_max * 2; }
    const int16_t* row(uint32_t i) const { return &w_[static_cast<size_t>(i) * params_.n_max]; }
    const int16_t* data() const { return w_.data(); }
    int16_t at(size_t flat) const { return w_[flat]; }
    void store(size_t flat, int64_t v);  // keeps the low WBITS bits (and the stuck ones)
    void clear();
    // f(int16_t* array) changes the weights in place and returns a count (HEBB:
    // the saturated weights); stuck bits hold.
    template <class F>
    auto modify(F&& f) {
        ++version_;
        const auto r = f(w_.data());
        if (faults_) faults_->store_all(w_.data());
        return r;
    }
    // Stuck bits from now on (applied at once); nullptr: none.
    void set_faults(const FaultPlan* f);
    // Flips an upset's bit (its word's stuck bits still win).
    void upset(const Upset& u) {
        if (faults_) faults_->upset(w_.data(), u);
        ++version_;
    }
    // Changes with every write: the engine's narrow copy follows it.
    uint64_t version() const { return version_; }

private:
    void b_transport(tlm::tlm_generic_payload& tx, sc_core::sc_time& delay);
    unsigned int transport_dbg(tlm::tlm_generic_payload& tx);
    tlm::tlm_response_status access(tlm::tlm_generic_payload& tx, bool debug);

    ChipParams params_;
    std::vector<int16_t> w_;
    uint64_t version_ = 0;
    const FaultPlan* faults_ = nullptr;
};

}  // namespace mind1024::sysc
