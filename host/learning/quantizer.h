// Quantizer: float couplings and thresholds to the chip's signed integers.
// One API for every command (mnist's classifier has its own scale policy on top
// of it; layered, run and capacity take the shared --quant-* options of
// host/cli/common.h). A typical use, per-row scales for a layer of sign units:
//
//   QuantizerOptions o;  o.wbits = 4;  o.granularity = Granularity::Row;
//   o.scale_mode = ScaleMode::Mse;
//   QuantizedMatrix q = quantize_weights(w, o);             // codes + a scale per row
//   QuantizedVector t = quantize_thresholds(theta, q.row_scales, abits);  // row i with row i's scale
//
// A scale s (chip integer units per float unit) maps a float w to w * s, which is
// rounded and then saturated to the signed range of `bits`:
// [-2^(bits-1), 2^(bits-1) - 1]. Weights use WBITS (1..16, int16 out),
// thresholds ABITS (2..32, int32 out) with the same s, so that fields and
// thresholds keep their ratio (a sign unit's row scale scales its threshold too:
// sign(sum w x - t) = sign(s (sum w x - t)) for s > 0).
//
// Granularity: Layer (one s for the matrix) or Row (one s per row, chosen from
// that row's values alone; row_scales holds them, report.scale their minimum).
// Scale (ScaleMode), over the values of the matrix or of the row:
//   MaxAbs      s = top / max|w|
//   Percentile  s = top / r, r = the `percentile`-th percentile of |w|
//               (nearest rank: sorted ascending a[0..M-1], r = a[ceil(p/100 M) - 1]);
//               entries above r saturate (clipped)
//   Mse         s = top / r with r the one of 200 candidates r = max|w| k/200,
//               k = 1..200, that gives the least sum (q/s - w)^2 with nearest
//               rounding and saturation (it trades clipped outliers for resolution)
//   Given       s = the `scale` given (> 0)
//   with top = 2^(WBITS-1) - 1, the largest positive code (1 for WBITS 1). If the
//   reference r is 0 (all weights zero), s = 1.
// WBITS 1: two's complement gives {-1, 0} (what a 1-bit synapse word of the chip
// holds: MIND1024.md, "the array stores the low WBITS bits"), so positive weights
// saturate to 0. With plus_minus_one the codes are ±1 instead (sign(w s), 0 goes
// to +1; stochastic: +1 with probability (1 + clamp(w s, -1, 1)) / 2): true
// binary weights, which need a chip of WBITS >= 2 to store them.
// Rounding:
//   Nearest     round half away from zero
//   Stochastic  floor(x) + 1 with probability x - floor(x), else floor(x):
//               unbiased (E[q] = x before saturation). The uniform draw comes
//               from a counter-based hash of (seed, entry), so the result
//               depends only on the seed, not on the order of computation; for
//               a square matrix entries (i,j) and (j,i) share one draw, so a
//               symmetric matrix stays symmetric (with Layer granularity).
// Saturation: always, counted (clipped = entries whose rounded value was out of
// range). Errors are reported in float units: |q/s - w|.
#pragma once
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "host/learning/float_matrix.h"

namespace mind1024::host {

struct QuantizerError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

enum class ScaleMode { MaxAbs, Percentile, Mse, Given };
enum class Granularity { Layer, Row };
enum class Rounding { Nearest, Stochastic };
const char* to_string(ScaleMode m);  // "max", "percentile", "mse", "given"
const char* to_string(Granularity g);  // "layer", "row"
const char* to_string(Rounding r);   // "nearest", "stochastic"
ScaleMode parse_scale_mode(const std::string& s);  // max (maxabs), percentile, mse, given
Granularity parse_granularity(const std::string& s);  // layer, row
Rounding parse_rounding(const std::string& s);

struct QuantizerOptions {
    unsigned wbits = 8;                     // 1..16
    ScaleMode scale_mode = ScaleMode::MaxAbs;
    double percentile = 99.9;               // Percentile: in (0, 100]
    double scale = 0.0;                     // Given: integer units per float unit, > 0
    Rounding rounding = Rounding::Nearest;
    uint64_t seed = 1;                      // Stochastic
    Granularity granularity = Granularity::Layer;
    bool plus_minus_one = false;            // WBITS 1: codes ±1, not {-1, 0}
};

struct QuantReport {
    double scale = 1.0;          // s: q ~ w * s (Row granularity: the smallest row scale)
    double reference = 0.0;      // the |w| mapped to the top code (0 for Given)
    unsigned bits = 0;
    int64_t qmin = 0, qmax = 0;  // the saturation range
    size_t count = 0;            // entries quantized
    size_t clipped = 0;          // entries saturated
    double clipped_fraction = 0.0;
    double max_abs_error = 0.0;  // worst |q/s - w|, float units
    double rms_error = 0.0;      // sqrt(mean (q/s - w)^2), float units
    std::string describe() const;  // one line for logs
};

struct QuantizedMatrix {
    size_t rows = 0, cols = 0;
    std::vector<int16_t> data;  // row-major
    QuantReport report;
    std::vector<double> row_scales;  // the scale of each row (all report.scale with Layer granularity)
    int16_t operator()(size_t r, size_t c) const { return data[r * cols + c]; }
};

struct QuantizedVector {
    std::vector<int32_t> data;
    QuantReport report;
};

// The scale the options give for these values (shared by quantize_weights).
double choose_scale(const std::vector<float>& values, const QuantizerOptions& opt, double* reference = nullptr);

QuantizedMatrix quantize_weights(const FloatMatrix& w, const QuantizerOptions& opt);

// Thresholds with the weights' scale (report.scale of quantize_weights), to
// ABITS (2..32). Stochastic rounding keys its draws by neuron index.
QuantizedVector quantize_thresholds(const std::vector<float>& theta, double scale, unsigned abits,
                                    Rounding rounding = Rounding::Nearest, uint64_t seed = 1);
// Threshold i with scales[i] (a row scale of quantize_weights: row_scales).
QuantizedVector quantize_thresholds(const std::vector<float>& theta, const std::vector<double>& scales, unsigned abits,
                                    Rounding rounding = Rounding::Nearest, uint64_t seed = 1);

// Back to float units: q / (its row's scale) (what the chip's weights mean in the float network).
FloatMatrix dequantize(const QuantizedMatrix& q);

}  // namespace mind1024::host
