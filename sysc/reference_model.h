// Plain C++ functional model of the MIND 1024 chip: the golden reference.
// No SystemC, no timing beyond the cycle formula. Everything the chip computes
// (states, fields, counters, flags, cycles) it computes bit for bit.
#pragma once
#include <cstdint>
#include <limits>
#include <vector>

#include "sysc/chip_mode.h"
#include "sysc/chip_params.h"
#include "sysc/fault_plan.h"
#include "sysc/lfsr.h"

namespace mind1024 {

// Outcome flags and counters of the last operation, as STATUS and the counters show them.
struct RunStatus {
    bool done = false;
    bool converged = false;
    bool cycle2 = false;
    bool ovf = false;         // sticky since reset
    uint32_t sweeps = 0;      // sweeps done by the last START/STEP
    uint32_t flips = 0;       // flips in the last sweep
    uint32_t ovf_count = 0;   // overflow events since the last START/STEP/HEBB
    uint64_t cycles = 0;      // compute cycles since reset
};

class ReferenceModel {
public:
    explicit ReferenceModel(const ChipParams& p = {});

    const ChipParams& params() const { return p_; }

    // ---- configuration (register values, range-checked only when a run starts)
    void set_mode(const Mode& m) { mode_ = m; }
    const Mode& mode() const { return mode_; }
    void set_n_active(uint32_t n) { n_active_ = n; }
    uint32_t n_active() const { return n_active_; }
    void set_max_sweeps(uint32_t k) { max_sweeps_ = k; }
    uint32_t max_sweeps() const { return max_sweeps_; }
    void set_temp(uint32_t t) { temp_ = t; }
    uint32_t temp() const { return temp_; }
    void set_seed(uint32_t s) { seed_ = s; }
    uint32_t seed() const { return seed_; }

    // ---- memories (indices checked: std::out_of_range)
    void set_weight(uint32_t i, uint32_t j, int64_t v);  // stores the low WBITS bits
    int16_t weight(uint32_t i, uint32_t j) const;
    const int16_t* row(uint32_t i) const { return &syn_[static_cast<size_t>(i) * p_.n_max]; }
    void set_threshold(uint32_t i, int64_t v);  // stores the low ABITS bits
    int32_t threshold(uint32_t i) const;
    void set_state(uint32_t i, int s);  // s > 0 means +1, else -1
    int8_t state(uint32_t i) const;
    const std::vector<int8_t>& states() const { return sigma_; }
    void set_clamp(uint32_t i, bool c);
    bool clamp(uint32_t i) const;
    int32_t field(uint32_t i) const;
    const std::vector<int32_t>& fields() const { return field_; }

    // ---- operations (CTRL bits). START/STEP throw std::invalid_argument on
    // N_ACTIVE or MAX_SWEEPS out of range (the chip's BAD_ARG) and change nothing.
    // `update_budget` models ABORT: the run stops after that many neuron updates.
    void start(uint64_t update_budget = kNoLimit);
    void step(uint64_t update_budget = kNoLimit);
    void hebb();
    void clear_syn();
    void soft_reset();

    // ---- fault injection (fault_plan.h): physical, so SOFT_RESET keeps it.
    // Applies the plan's stuck bits and stuck neurons at once and restarts the
    // update count its upsets are timed by; an empty plan removes every fault
    // from now on (bits already stuck or flipped keep their present values).
    void set_faults(const FaultPlan& f);
    const FaultPlan& faults() const { return faults_; }
    uint64_t updates_since_faults() const { return updates_; }

    const RunStatus& status() const { return st_; }
    uint32_t lfsr_state() const { return lfsr_.state(); }

    static constexpr uint64_t kNoLimit = std::numeric_limits<uint64_t>::max();

private:
    void check_run_args() const;
    void run(uint32_t max_sweeps, uint64_t update_budget);
    // One sweep; returns false if the budget ran out inside it (aborted).
    bool sweep(uint64_t& budget, uint32_t& flips);
    void check_neuron(uint32_t i, const char* what) const;

    ChipParams p_;
    Mode mode_;
    uint32_t n_active_, max_sweeps_ = 1, temp_ = 0, seed_ = 1;
    std::vector<int16_t> syn_;
    std::vector<int32_t> theta_;
    std::vector<int8_t> sigma_;
    std::vector<uint8_t> clamp_;
    std::vector<int32_t> field_;
    std::vector<uint32_t> order_;
    Lfsr lfsr_;
    RunStatus st_;
    FaultPlan faults_;
    uint64_t updates_ = 0;     // neuron updates since set_faults
    size_t next_upset_ = 0;    // faults_.upsets()[next_upset_] is the next to happen
};

}  // namespace mind1024
