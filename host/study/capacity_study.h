// The capacity study: recall quality against load alpha = P/N for random
// unbiased patterns, per learning rule, in float and on the chip at each WBITS
// (one child process per WBITS: one chip per process). Results are values.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "host/learning/quantizer.h"
#include "host/study/chip_spec.h"

namespace mind1024::host {

struct CapacitySpec {
    uint32_t neurons = 1024;  // N: neurons taking part (N_ACTIVE), 2..N_MAX
    std::vector<uint32_t> loads{20, 60, 100, 120, 130, 140, 150, 160, 180, 200, 240, 280, 320, 400, 500, 600, 700, 800};
    std::vector<std::string> rules{"hebb", "storkey", "pinv"};
    std::vector<uint32_t> wbits{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    uint32_t probes = 16, max_sweeps = 30;
    double flip = 0.0;        // fraction flipped in each probe
    // The quantizer (scale, percentile, rounding; WBITS is each chip's; the seed of
    // load l is quant.seed + l). Layer granularity: a scale per row would make J asymmetric.
    QuantizerOptions quant;
    Order order = Order::AsyncSeq;
    uint64_t seed = 1;
    unsigned jobs = 2;        // child processes at once
    ChipSpec chip;            // WBITS is the study's; the rest (model, datapath, wrap, ...) the chip's
    // Told what the study starts next in the parent (learning, the float curves), which can
    // take minutes at large loads: e.g. "learning pinv at load 8192 (5/6)". Empty: silent.
    std::function<void(const std::string&)> on_step;
};

// One curve: at each load, the mean final overlap with the stored pattern and
// the fraction of probes that end exactly on it.
struct RecallCurve {
    std::vector<double> overlap, exact;
    double max_clipped_fraction = 0;  // the quantizer's worst clipping over the loads (chip curves)
};

struct CapacityResult {
    std::vector<uint32_t> loads;             // sorted
    std::vector<double> alpha;               // loads / N
    std::vector<RecallCurve> floats;         // per rule
    std::vector<std::vector<RecallCurve>> chips;  // [wbits][rule]
};

// Checks the spec (BadArgument naming the option), then runs it. `done(k)` is
// called as the chip of spec.wbits[k] finishes.
CapacityResult run_capacity_study(CapacitySpec spec, const std::function<void(size_t k)>& done = {});

// alpha where a curve first drops below the threshold (linear interpolation).
// If it never does, the largest load tested, flagged as a lower bound; if it is
// already below at the smallest load, that load, flagged as an upper bound.
struct AlphaC {
    double value = 0;
    bool lower_bound = false, upper_bound = false;
    std::string text(int width) const;  // ">0.150", "<0.020", "0.138"
    nlohmann::json json() const;        // null for a bound
};
AlphaC alpha_c(const std::vector<double>& alpha, const std::vector<double>& m, double threshold);

}  // namespace mind1024::host
