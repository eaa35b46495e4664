// The chip's fixed-point arithmetic as the sweep engine's Arith (see
// sweep.h): fields from the incremental int8/int16 SIMD kernels where no
// partial sum can overflow, else the contract's exact per-group accumulator
// (fx::neuron_field), or a plugged-in Datapath (the Verilated RTL unit);
// noise and the decision from fixed_point.h. Stuck accumulator bits or
// stuck neurons (faults) would go into field() and decide().
#pragma once
#include <cstdint>

#include "chip_params.h"
#include "engine/datapath.h"
#include "engine/incremental_fields.h"
#include "engine/narrow_weights.h"
#include "engine/sweep.h"
#include "fixed_point.h"

namespace mind1024::engine {

class FixedPointArith {
public:
    using Field = int32_t;
    enum class Path { Incremental, ExactGroups, Datapath };

    explicit FixedPointArith(const ChipParams& p) : p_(p), narrow_(p), inc_(p) {}

    // nullptr: the built-in arithmetic.
    void set_datapath(Datapath* d) { dp_ = d; }
    Datapath* datapath() const { return dp_; }
    // The synapse memory's int16 array (N_MAX x N_MAX, row-major) and its
    // version (changes with every write), the thresholds and the overflow mode.
    void set_network(const int16_t* w, uint64_t version, const int32_t* theta, bool wrap) {
        w_ = w, version_ = version, theta_ = theta, wrap_ = wrap;
    }

    void begin_sweep(const int8_t* src, uint32_t n) {
        src_ = src;
        n_ = n;
        path_ = dp_ ? Path::Datapath
                    : fx::overflow_possible(n, p_.wbits, p_.abits) ? Path::ExactGroups : Path::Incremental;
        if (path_ != Path::Incremental) return;
        narrow_.refresh(w_, version_);
        inc_.sync(narrow_, version_, src, n);
    }
    FieldOf<int32_t> field(uint32_t i) {
        if (path_ == Path::Incremental) return {inc_.field(i), 0};
        const int16_t* row = w_ + static_cast<size_t>(i) * p_.n_max;
        if (path_ == Path::ExactGroups)
            return from(fx::neuron_field(row, src_, n_, p_.lanes, p_.wbits, p_.abits, wrap_));
        return from(dp_->field(row, src_, n_, wrap_));
    }
    int64_t eta(int16_t draw, uint32_t temp) const { return fx::noise_eta(draw, temp); }
    int8_t decide(uint32_t i, int32_t h, int64_t eta, int8_t current) const {
        return fx::decide(h, theta_[i], eta, current);
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
};

}  // namespace mind1024::engine
