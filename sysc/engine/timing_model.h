// The chip's cycle model (contract section 1, "Timing"), in one place: what
// CYCLES counts and what the SystemC chip waits for.
#pragma once
#include <cstdint>

#include "sysc/chip_params.h"

namespace mind1024::engine {

class TimingModel {
public:
    explicit TimingModel(const ChipParams& p) : p_(p) {}

    // One neuron update over n columns, pipelined: ceil(n / LANES).
    uint64_t update_cycles(uint32_t n) const { return p_.groups(n); }
    // LATENCY, plus the SECDED decoder's stage (PROTECT 2).
    uint32_t latency() const { return p_.pipeline_latency(); }
    // The cycles a SYNC sweep spends committing every state at once.
    static constexpr uint64_t kSyncCommitCycles = 2;
    // `sweeps` full sweeps that updated `updates` unclamped neurons in all.
    uint64_t sweeps_cycles(uint64_t updates, uint64_t sweeps, uint32_t n, bool sync) const {
        return updates * update_cycles(n) + sweeps * (p_.pipeline_latency() + (sync ? kSyncCommitCycles : 0));
    }
    uint64_t sweep_cycles(uint64_t updates, uint32_t n, bool sync) const { return sweeps_cycles(updates, 1, n, sync); }
    // A sweep cut short by ABORT after `updates` neurons: the pipeline drains, nothing commits.
    uint64_t aborted_sweep_cycles(uint64_t updates, uint32_t n) const {
        return updates ? updates * update_cycles(n) + p_.pipeline_latency() : 0;
    }
    uint64_t hebb_cycles(uint32_t n) const { return uint64_t{n} * p_.groups(n); }
    uint64_t clear_syn_cycles() const { return uint64_t{p_.n_max} * p_.groups(p_.n_max); }

private:
    ChipParams p_;
};

}  // namespace mind1024::engine
