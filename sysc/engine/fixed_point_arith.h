// The chip's fixed-point arithmetic as the sweep engine's Arith (see
// sweep.h): fields from the incremental int8/int16 SIMD kernels where no
// partial sum can overflow, else the contract's exact per-group accumulator
// (fx::neuron_field), or a plugged-in Datapath (the Verilated RTL unit);
// noise and the decision from fixed_point.h. Faults (fault_plan.h): stuck
// neurons in decide(); stuck accumulator bits and pending upsets take the
// exact group-by-group path on the live array (FaultPlan::field).
#pragma once
#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

#include "sysc/chip_params.h"
#include "sysc/fault_plan.h"
#include "sysc/engine/datapath.h"
#include "sysc/engine/incremental_fields.h"
#include "sysc/engine/narrow_weights.h"
#include "sysc/engine/sweep.h"
#include "sysc/fixed_point.h"

namespace mind1024::engine {

class FixedPointArith {
public:
    using Field = int32_t;
    enum class Path { Incremental, ExactGroups, Datapath, Faulty };

    explicit FixedPointArith(const ChipParams& p) : p_(p), narrow_(p), inc_(p) {}

    // nullptr: the built-in arithmetic.
    void set_datapath(Datapath* d) { dp_ = d; }
    Datapath* datapath() const { return dp_; }
    // The synapse memory's int16 array (N_MAX x N_MAX, row-major) and its
    // version (changes with every write), the thresholds and the overflow mode.
    void set_network(const int16_t* w, uint64_t version, const int32_t* theta, bool wrap) {
        w_ = w, version_ = version, theta_ = theta, wrap_ = wrap;
    }

    // Faults from now on (nullptr or an empty plan: none); `upset` flips one
    // upset's bit in the synapse memory. Restarts the update count.
    void set_faults(const FaultPlan* f, std::function<void(const Upset&)> upset) {
        faults_ = f && !f->empty() ? f : nullptr;
        upset_ = std::move(upset);
        updates_ = 0;
        next_upset_ = 0;
        applied_.clear();
    }
    uint64_t updates_since_faults() const { return updates_; }
    // An ABORT kept only the updates before `first_undone`: the upsets the
    // sweep applied at or after it are flipped back and the count rewound.
    void rollback_to(uint64_t first_undone) {
        while (!applied_.empty() && applied_.back().first >= first_undone) {
            upset_(*faults_->upset_at(applied_.back().second));
            next_upset_ = applied_.back().second;
            applied_.pop_back();
        }
        if (faults_) updates_ = first_undone;
    }
    uint64_t sweep_first_update() const { return sweep_first_; }
    // The no-fault test inline, the upsets out of line: a call per neuron would
    // make the sweep loop reload every member after it.
    void before_update() {
        if (faults_) apply_due_upsets();
    }
    __attribute__((noinline)) void apply_due_upsets() {
        for (const Upset* u; (u = faults_->upset_at(next_upset_)) && u->at <= updates_; ++next_upset_) {
            upset_(*u);
            applied_.emplace_back(updates_, next_upset_);
        }
        ++updates_;
    }

    void begin_sweep(const int8_t* src, uint32_t n) {
        src_ = src;
        n_ = n;
        sweep_first_ = updates_;
        applied_.clear();
        // Upsets due within this sweep (at most n updates) change weights mid-sweep: the exact path.
        const Upset* next = faults_ ? faults_->upset_at(next_upset_) : nullptr;
        const bool faulty_fields = faults_ && (faults_->accumulator_faulty() || (next && next->at < updates_ + n));
        path_ = faulty_fields ? Path::Faulty
                : dp_         ? Path::Datapath
                : fx::overflow_possible(n, p_.wbits, p_.abits) ? Path::ExactGroups
                                                               : Path::Incremental;
        if (path_ != Path::Incremental) return;
        narrow_.refresh(w_, version_);
        inc_.sync(narrow_, version_, src, n);
    }
    FieldOf<int32_t> field(uint32_t i) {
        if (path_ == Path::Incremental) return {inc_.field(i), 0};
        const int16_t* row = w_ + static_cast<size_t>(i) * p_.n_max;
        if (path_ == Path::Faulty) {
            const FaultPlan::Field f = faults_->field(row, src_, n_, wrap_);
            return {f.h, f.overflows};
        }
        if (path_ == Path::ExactGroups)
            return from(fx::neuron_field(row, src_, n_, p_.lanes, p_.wbits, p_.abits, wrap_));
        return from(dp_->field(row, src_, n_, wrap_));
    }
    int64_t eta(int16_t draw, uint32_t temp) const { return fx::noise_eta(draw, temp); }
    int8_t decide(uint32_t i, int32_t h, int64_t eta, int8_t current) const {
        const int8_t d = fx::decide(h, theta_[i], eta, current);
        return faults_ ? faults_->state(i, d) : d;
    }
    void flipped(uint32_t i, int8_t now) {
        if (path_ == Path::Incremental) inc_.flip(narrow_, i, now);
    }

    Path path() const { return path_; }
    const IncrementalFields& incremental() const { return inc_; }

private:
    static FieldOf<int32_t> from(const fx::Field& f) { return {f.h, f.overflows}; }

    ChipParams p_;
    NarrowWeights narrow_;
    IncrementalFields inc_;
    Datapath* dp_ = nullptr;
    const int16_t* w_ = nullptr;
    uint64_t version_ = 0;
    const int32_t* theta_ = nullptr;
    bool wrap_ = false;
    const int8_t* src_ = nullptr;
    uint32_t n_ = 0;
    Path path_ = Path::ExactGroups;
    const FaultPlan* faults_ = nullptr;
    std::function<void(const Upset&)> upset_;
    uint64_t updates_ = 0, sweep_first_ = 0;
    size_t next_upset_ = 0;
    std::vector<std::pair<uint64_t, size_t>> applied_;  // (update index, upset) of this sweep
};

}  // namespace mind1024::engine
