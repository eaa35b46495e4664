// Architectural state of the SystemC chip, shared by the register file, the
// synapse memory and the run engine (one copy, owned by Mind1024Chip).
#pragma once
#include <cstdint>
#include <vector>

#include "sysc/chip_params.h"
#include "sysc/reference_model.h"

namespace mind1024::sysc {

struct ChipState {
    explicit ChipState(const ChipParams& p) : params(p) {}
    ChipParams params;

    // Configuration registers.
    uint32_t mode = 0, n_active = 0, max_sweeps = 1, temp = 0, seed = 1;
    uint32_t irq_en = 0, irq_status = 0;
    uint32_t syn_addr = 0, thr_addr = 0, field_addr = 0;
    uint32_t cycles_hi_latch = 0;

    // Status and counters.
    bool busy = false, done = false, converged = false, cycle2 = false, ovf = false, err = false;
    uint32_t err_code = 0;
    uint32_t sweeps = 0, flips = 0, ovf_count = 0;
    uint64_t cycles = 0;

    // Neuron arrays.
    std::vector<int8_t> sigma;
    std::vector<uint8_t> clamp;
    std::vector<int32_t> theta;
    std::vector<int32_t> field;

    // Fault injection (fault_plan.h), owned by the chip; nullptr: none.
    const FaultPlan* faults = nullptr;
    int8_t written_state(uint32_t i, int8_t s) const { return faults ? faults->state(i, s) : s; }
    int32_t written_threshold(uint32_t i, int32_t t) const { return faults ? faults->threshold(i, t) : t; }
    uint8_t written_clamp(uint32_t i, uint8_t c) const { return faults ? faults->clamp(i, c) : c; }

    // Registers, counters, state and clamp to reset values; thresholds kept.
    void soft_reset() {
        const size_t n = params.n_max;
        mode = temp = 0;
        n_active = params.n_max;
        max_sweeps = seed = 1;
        irq_en = irq_status = syn_addr = thr_addr = field_addr = cycles_hi_latch = 0;
        busy = done = converged = cycle2 = ovf = err = false;
        err_code = sweeps = flips = ovf_count = 0;
        cycles = 0;
        sigma.assign(n, -1);
        if (faults) faults->force_states(sigma.data());
        clamp.assign(n, 0);
        if (faults) faults->force_clamps(clamp.data());
        field.assign(n, 0);
        if (theta.size() != n) theta.assign(n, 0);
    }
};

}  // namespace mind1024::sysc
