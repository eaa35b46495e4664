#include "host/learning/quantizer.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace mind1024::host {
namespace {

uint64_t splitmix64(uint64_t x) {
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

// Uniform in [0, 1) from (seed, key), 53 bits.
double uniform(uint64_t seed, uint64_t key) {
    const uint64_t r = splitmix64(splitmix64(seed) ^ (key * 0xD1B54A32D192ED03ull + 0x8CB92BA72F3D8DD7ull));
    return static_cast<double>(r >> 11) * 0x1.0p-53;
}

struct Accumulator {
    QuantReport rep;
    double sq = 0.0;
    bool pm1 = false;  // codes ±1

    Accumulator(double scale, unsigned bits, bool plus_minus_one = false) {
        rep.scale = scale;
        rep.bits = bits;
        pm1 = plus_minus_one && bits == 1;
        rep.qmin = -(int64_t{1} << (bits - 1));
        rep.qmax = pm1 ? 1 : (int64_t{1} << (bits - 1)) - 1;
    }
    // One value at scale s; key identifies its stochastic draw.
    int64_t quantize(double w, Rounding rounding, uint64_t seed, uint64_t key) { return quantize(w, rep.scale, rounding, seed, key); }
    int64_t quantize(double w, double s, Rounding rounding, uint64_t seed, uint64_t key) {
        const double x = w * s;
        int64_t q;
        if (pm1) {
            const bool up = rounding == Rounding::Nearest ? x >= 0 : uniform(seed, key) < (1.0 + std::clamp(x, -1.0, 1.0)) / 2;
            q = up ? 1 : -1;
            rep.clipped += std::fabs(x) > 1.0;
        } else {
            double r;
            if (rounding == Rounding::Nearest) {
                r = std::round(x);
            } else {
                const double f = std::floor(x);
                r = f + (uniform(seed, key) < x - f ? 1.0 : 0.0);
            }
            if (r < static_cast<double>(rep.qmin)) {
                q = rep.qmin;
                ++rep.clipped;
            } else if (r > static_cast<double>(rep.qmax)) {
                q = rep.qmax;
                ++rep.clipped;
            } else {
                q = static_cast<int64_t>(r);
            }
        }
        const double err = std::fabs(static_cast<double>(q) / s - w);
        rep.max_abs_error = std::max(rep.max_abs_error, err);
        sq += err * err;
        ++rep.count;
        return q;
    }
    QuantReport finish() {
        if (rep.count) {
            rep.clipped_fraction = static_cast<double>(rep.clipped) / static_cast<double>(rep.count);
            rep.rms_error = std::sqrt(sq / static_cast<double>(rep.count));
        }
        return rep;
    }
};

// Sum of squared errors of nearest rounding at scale s (codes in [lo, hi], or ±1).
double squared_error(const float* v, size_t n, double s, double lo, double hi, bool pm1) {
    double e = 0;
    for (size_t i = 0; i < n; ++i) {
        const double x = v[i] * s;
        const double q = pm1 ? (x >= 0 ? 1.0 : -1.0) : std::clamp(std::round(x), lo, hi);
        const double d = q / s - v[i];
        e += d * d;
    }
    return e;
}

void check_finite(const std::vector<float>& v, const char* what) {
    for (size_t i = 0; i < v.size(); ++i)
        if (!std::isfinite(v[i]))
            throw QuantizerError(fmt::format("quantizer: {} element {} is {} (not finite)", what, i, v[i]));
}

}  // namespace

const char* to_string(ScaleMode m) {
    switch (m) {
        case ScaleMode::MaxAbs: return "max";
        case ScaleMode::Percentile: return "percentile";
        case ScaleMode::Mse: return "mse";
        case ScaleMode::Given: return "given";
    }
    return "?";
}
const char* to_string(Granularity g) { return g == Granularity::Layer ? "layer" : "row"; }
const char* to_string(Rounding r) { return r == Rounding::Nearest ? "nearest" : "stochastic"; }

ScaleMode parse_scale_mode(const std::string& s) {
    if (s == "maxabs" || s == "max-abs" || s == "max") return ScaleMode::MaxAbs;
    if (s == "percentile" || s == "clip") return ScaleMode::Percentile;
    if (s == "mse") return ScaleMode::Mse;
    if (s == "given" || s == "fixed") return ScaleMode::Given;
    throw QuantizerError(fmt::format("unknown scale mode '{}' (max, percentile, mse, given)", s));
}
Granularity parse_granularity(const std::string& s) {
    if (s == "layer") return Granularity::Layer;
    if (s == "row") return Granularity::Row;
    throw QuantizerError(fmt::format("unknown scale granularity '{}' (layer, row)", s));
}
Rounding parse_rounding(const std::string& s) {
    if (s == "nearest") return Rounding::Nearest;
    if (s == "stochastic") return Rounding::Stochastic;
    throw QuantizerError(fmt::format("unknown rounding '{}' (nearest, stochastic)", s));
}

std::string QuantReport::describe() const {
    return fmt::format("{} bits [{}, {}], scale {:.6g} per float unit (reference {:.6g}), clipped {} of {} "
                       "({:.4f}%), worst error {:.6g}, RMS error {:.6g}",
                       bits, qmin, qmax, scale, reference, clipped, count, 100.0 * clipped_fraction,
                       max_abs_error, rms_error);
}

double choose_scale(const std::vector<float>& values, const QuantizerOptions& opt, double* reference) {
    if (opt.wbits < 1 || opt.wbits > 16)
        throw QuantizerError(fmt::format("quantizer: wbits {} out of range 1..16", opt.wbits));
    const double top = std::max<double>(1.0, static_cast<double>((int64_t{1} << (opt.wbits - 1)) - 1));
    double ref = 0.0;
    switch (opt.scale_mode) {
        case ScaleMode::Given:
            if (!(opt.scale > 0.0) || !std::isfinite(opt.scale))
                throw QuantizerError(fmt::format("quantizer: given scale {} must be finite and > 0", opt.scale));
            if (reference) *reference = 0.0;
            return opt.scale;
        case ScaleMode::MaxAbs:
            for (float v : values) ref = std::max(ref, std::fabs(double{v}));
            break;
        case ScaleMode::Mse: {
            double m = 0;
            for (float v : values) m = std::max(m, std::fabs(double{v}));
            if (m == 0) break;
            const bool pm1 = opt.plus_minus_one && opt.wbits == 1;
            const double lo = -static_cast<double>(int64_t{1} << (opt.wbits - 1)), hi = pm1 ? 1.0 : top;
            double best = -1;
            for (int k = 200; k >= 1; --k) {  // ties keep the larger range (fewer clipped)
                const double r = m * k / 200;
                const double e = squared_error(values.data(), values.size(), top / r, lo, hi, pm1);
                if (best < 0 || e < best) best = e, ref = r;
            }
            break;
        }
        case ScaleMode::Percentile: {
            if (!(opt.percentile > 0.0 && opt.percentile <= 100.0))
                throw QuantizerError(
                    fmt::format("quantizer: percentile {} out of range (0, 100]", opt.percentile));
            if (values.empty()) break;
            std::vector<float> a(values.size());
            for (size_t i = 0; i < a.size(); ++i) a[i] = std::fabs(values[i]);
            const double m = static_cast<double>(a.size());
            auto k = static_cast<size_t>(std::ceil(opt.percentile / 100.0 * m - 1e-9));
            k = std::clamp<size_t>(k, 1, a.size());
            std::nth_element(a.begin(), a.begin() + static_cast<std::ptrdiff_t>(k - 1), a.end());
            ref = a[k - 1];
            break;
        }
    }
    if (reference) *reference = ref;
    return ref > 0.0 ? top / ref : 1.0;
}

QuantizedMatrix quantize_weights(const FloatMatrix& w, const QuantizerOptions& opt) {
    if (w.data.size() != w.rows * w.cols)
        throw QuantizerError(fmt::format("quantizer: {} values for a {}x{} matrix", w.data.size(), w.rows, w.cols));
    check_finite(w.data, "weight");
    QuantizedMatrix q;
    q.rows = w.rows;
    q.cols = w.cols;
    q.data.resize(w.data.size());
    double ref = 0.0;
    if (opt.granularity == Granularity::Layer) {
        const double s = choose_scale(w.data, opt, &ref);
        q.row_scales.assign(w.rows, s);
    } else {
        q.row_scales.resize(w.rows);
        for (size_t r = 0; r < w.rows; ++r) {
            const std::vector<float> row(w.data.begin() + static_cast<std::ptrdiff_t>(r * w.cols),
                                         w.data.begin() + static_cast<std::ptrdiff_t>((r + 1) * w.cols));
            double rr = 0.0;
            q.row_scales[r] = choose_scale(row, opt, &rr);
            ref = std::max(ref, rr);
        }
    }
    Accumulator acc(q.row_scales.empty() ? 1.0 : *std::min_element(q.row_scales.begin(), q.row_scales.end()), opt.wbits,
                    opt.plus_minus_one);
    if (w.rows == 0) choose_scale(w.data, opt);  // validates the options
    acc.rep.reference = ref;
    const bool square = w.rows == w.cols;
    for (size_t r = 0; r < w.rows; ++r)
        for (size_t c = 0; c < w.cols; ++c) {
            const uint64_t key = square ? std::min(r, c) * w.cols + std::max(r, c) : r * w.cols + c;
            q.data[r * w.cols + c] = static_cast<int16_t>(acc.quantize(w(r, c), q.row_scales[r], opt.rounding, opt.seed, key));
        }
    q.report = acc.finish();
    return q;
}

QuantizedVector quantize_thresholds(const std::vector<float>& theta, double scale, unsigned abits,
                                    Rounding rounding, uint64_t seed) {
    if (abits < 2 || abits > 32)
        throw QuantizerError(fmt::format("quantizer: abits {} out of range 2..32", abits));
    if (!(scale > 0.0) || !std::isfinite(scale))
        throw QuantizerError(fmt::format("quantizer: threshold scale {} must be finite and > 0", scale));
    check_finite(theta, "threshold");
    Accumulator acc(scale, abits);
    QuantizedVector q;
    q.data.resize(theta.size());
    // Keys offset so that threshold draws differ from weight draws with the same seed.
    for (size_t i = 0; i < theta.size(); ++i)
        q.data[i] = static_cast<int32_t>(acc.quantize(theta[i], rounding, seed, ~uint64_t{0} - i));
    q.report = acc.finish();
    return q;
}

QuantizedVector quantize_thresholds(const std::vector<float>& theta, const std::vector<double>& scales, unsigned abits,
                                    Rounding rounding, uint64_t seed) {
    if (scales.size() != theta.size())
        throw QuantizerError(fmt::format("quantizer: {} thresholds, {} row scales", theta.size(), scales.size()));
    if (abits < 2 || abits > 32)
        throw QuantizerError(fmt::format("quantizer: abits {} out of range 2..32", abits));
    for (double s : scales)
        if (!(s > 0.0) || !std::isfinite(s))
            throw QuantizerError(fmt::format("quantizer: threshold scale {} must be finite and > 0", s));
    check_finite(theta, "threshold");
    Accumulator acc(scales.empty() ? 1.0 : *std::min_element(scales.begin(), scales.end()), abits);
    QuantizedVector q;
    q.data.resize(theta.size());
    for (size_t i = 0; i < theta.size(); ++i)
        q.data[i] = static_cast<int32_t>(acc.quantize(theta[i], scales[i], rounding, seed, ~uint64_t{0} - i));
    q.report = acc.finish();
    return q;
}

FloatMatrix dequantize(const QuantizedMatrix& q) {
    FloatMatrix f(q.rows, q.cols);
    for (size_t k = 0; k < q.data.size(); ++k) {
        const double s = q.row_scales.empty() ? q.report.scale : q.row_scales[k / q.cols];
        f.data[k] = static_cast<float>(static_cast<double>(q.data[k]) / s);
    }
    return f;
}

}  // namespace mind1024::host
