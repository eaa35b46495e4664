// FloatTwin: the chip's network and dynamics in floating point — the run
// engine of sysc/engine (same update orders, LFSR draws, stop rules) over a
// float arithmetic: float weights and no accumulator limits. Every chip result has its
// float counterpart from the same run parameters and seed.
//
// A field is the float32 sum of w[i][j] * s[j] in one fixed order (that of a
// 4-lane SIMD sum: lane j mod 4, then the lanes in order), computed by the
// engine's Highway kernels over the rows in interleaved groups of four. The
// order is the twin's definition: a SYNC sweep computes every field so; an
// ASYNC sweep decides from fields kept incrementally in double (a flip of k
// adds 2 w[.][k] s_k) whenever a rigorous bound on their distance to the
// ordered float sum leaves the sign of h - theta + eta certain, computes the
// ordered sum otherwise, and reports every update's ordered field, all of
// them in one pass after the sweep.
#pragma once
#include <cstdint>
#include <vector>

#include "host/board/chip_driver.h"

namespace mind1024::host {

struct FloatNetwork {
    uint32_t n = 0;
    std::vector<float> w;      // n x n, row-major
    std::vector<float> theta;  // n (may be empty: zero)
};

class FloatTwin {
public:
    explicit FloatTwin(FloatNetwork net);

    // Chip integers per float unit: the twin divides TEMP by it so the noise
    // has the same size relative to the fields as on the chip.
    void set_scale(double chip_units_per_float) { scale_ = chip_units_per_float; }

    void set_state(const std::vector<int8_t>& s);
    void set_clamp(const std::vector<uint8_t>& c);
    const std::vector<int8_t>& state() const { return sigma_; }
    const std::vector<double>& fields() const { return field_; }
    const FloatNetwork& network() const { return net_; }

    RunResult run(const RunParams& p) { return go(p, p.max_sweeps); }
    RunResult step(const RunParams& p) { return go(p, 1); }
    // E = -1/2 s'Js + theta's over the first n neurons.
    double energy() const;

private:
    friend class FloatArith;
    RunResult go(const RunParams& p, uint32_t max_sweeps);

    FloatNetwork net_;
    uint32_t groups_ = 0, chunks_ = 0;  // row groups of 4, column chunks of 4
    std::vector<float> blocks_;         // the rows interleaved (see engine/field_kernels.h)
    std::vector<float> cols_;           // the columns, when the weights are not symmetric
    bool symmetric_ = false;
    // Weights that are all integers in -128..127 are kept as int8 instead
    // (lossless, a quarter of the memory traffic): blocks8_, and cols8_ the columns.
    bool int8_ = false;
    std::vector<int8_t> blocks8_, cols8_;
    // The ASYNC decisions' fields: h_ for the state base_ over columns < h_n_, in double,
    // h_updates_ column updates since they were last computed; row_abs_: sum |w| over columns < abs_n_.
    std::vector<double> h_, row_abs_;
    std::vector<int8_t> base_;
    std::vector<uint8_t> h_clamp_;  // the clamps h_ was computed under (clamped rows are skipped)
    bool h_valid_ = false;
    uint32_t h_n_ = 0, abs_n_ = 0;
    uint64_t h_updates_ = 0;
    double scale_ = 1.0;
    std::vector<int8_t> sigma_;
    std::vector<uint8_t> clamp_;
    std::vector<double> field_;
};

}  // namespace mind1024::host
