#include "host/classify/layered_chip.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "host/data/data_error.h"
#include "host/report/output_file.h"
#include "host/baselines/dataset.h"
#include "sysc/fixed_point.h"

namespace mind1024::host {

using baselines::LayeredArrays;
using baselines::LayeredIntNet;

namespace {

std::string file_in(const std::string& dir, const char* name) {
    return dir.empty() || dir.back() == '/' ? dir + name : dir + "/" + name;
}

// Element k of a rows x cols array as "[r, c]" (or "[k]" for a vector).
std::string at(size_t k, size_t cols) {
    return cols ? fmt::format("[{}, {}]", k / cols, k % cols) : fmt::format("[{}]", k);
}

template <class T>
void check_range(const std::vector<T>& v, size_t cols, int64_t lo, int64_t hi, const std::string& file,
                 const std::string& what, const std::string& range) {
    for (size_t k = 0; k < v.size(); ++k)
        if (int64_t{v[k]} < lo || int64_t{v[k]} > hi)
            throw DataError(fmt::format("{}: element {} {} is {}: {} outside the chip's {} range [{}, {}]", file, k,
                                        at(k, cols), int64_t{v[k]}, what, range, lo, hi));
}

}  // namespace

void check_layered_fits(const LayeredIntNet& net, const ChipParams& p, const std::string& dir) {
    const uint64_t n = uint64_t{net.inputs} + net.hidden + net.outputs;
    if (n > p.n_max)
        throw DataError(fmt::format("{}: layers [{}, {}, {}] need {} neurons, the chip has N_MAX = {}",
                                    file_in(dir, "network.json"), net.inputs, net.hidden, net.outputs, n, p.n_max));
    if (net.w1.size() != net.hidden * net.inputs || net.t1.size() != net.hidden ||
        net.w2.size() != net.outputs * net.hidden || net.b2.size() != net.outputs)
        throw DataError(fmt::format("{}: the arrays do not match the layer sizes", dir));
    const std::string wr = fmt::format("WBITS={}", p.wbits), ar = fmt::format("ABITS={}", p.abits);
    const int64_t wlo = fx::range_min(p.wbits), whi = fx::range_max(p.wbits);
    const int64_t alo = fx::range_min(p.abits), ahi = fx::range_max(p.abits);
    check_range(net.w1, net.inputs, wlo, whi, file_in(dir, "w1.npy"), "a weight", wr);
    check_range(net.w2, net.hidden, wlo, whi, file_in(dir, "w2.npy"), "a weight", wr);
    check_range(net.t1, 0, alo, ahi, file_in(dir, "t1.npy"), "a threshold", ar);
    // The output's threshold is -b2[k].
    check_range(net.b2, 0, -ahi, -alo, file_in(dir, "b2.npy"), "a bias (its negation is the output's threshold)", ar);
    // No partial sum of a row can leave ABITS when the sum of its |weights| fits.
    auto worst_row = [](const std::vector<int16_t>& w, size_t rows, size_t cols, size_t* which) {
        int64_t worst = 0;
        for (size_t r = 0; r < rows; ++r) {
            int64_t s = 0;
            for (size_t c = 0; c < cols; ++c) s += std::abs(int64_t{w[r * cols + c]});
            if (s > worst) worst = s, *which = r;
        }
        return worst;
    };
    size_t r1 = 0, r2 = 0;
    const int64_t s1 = worst_row(net.w1, net.hidden, net.inputs, &r1);
    const int64_t s2 = worst_row(net.w2, net.outputs, net.hidden, &r2);
    if (s1 > ahi)
        throw DataError(fmt::format("{}: row {} has sum |w| = {}, beyond the ABITS={} accumulator's {}: the chip "
                                    "would saturate (raise --abits)",
                                    file_in(dir, "w1.npy"), r1, s1, p.abits, ahi));
    if (s2 > ahi)
        throw DataError(fmt::format("{}: row {} has sum |w| = {}, beyond the ABITS={} accumulator's {}: the chip "
                                    "would saturate (raise --abits)",
                                    file_in(dir, "w2.npy"), r2, s2, p.abits, ahi));
}

LayeredChipNetwork map_layered(const LayeredIntNet& net) {
    LayeredChipNetwork m;
    m.layout = {static_cast<uint32_t>(net.inputs), static_cast<uint32_t>(net.hidden), static_cast<uint32_t>(net.outputs)};
    const LayeredLayout& L = m.layout;
    const size_t n = L.neurons();
    m.weights.n = static_cast<uint32_t>(n);
    m.weights.w.assign(n * n, 0);
    for (size_t i = 0; i < L.hidden; ++i)
        std::copy_n(net.w1.begin() + static_cast<long>(i * L.inputs), L.inputs,
                    m.weights.w.begin() + static_cast<long>((L.first_hidden() + i) * n));
    for (size_t k = 0; k < L.outputs; ++k)
        std::copy_n(net.w2.begin() + static_cast<long>(k * L.hidden), L.hidden,
                    m.weights.w.begin() + static_cast<long>((L.first_output() + k) * n + L.first_hidden()));
    m.thresholds.assign(n, 0);
    std::copy(net.t1.begin(), net.t1.end(), m.thresholds.begin() + L.first_hidden());
    for (size_t k = 0; k < L.outputs; ++k) m.thresholds[L.first_output() + k] = -net.b2[k];
    m.clamp.assign(n, 0);
    std::fill_n(m.clamp.begin(), L.inputs, uint8_t{1});
    m.b2 = net.b2;
    return m;
}

void load_layered(ChipDriver& chip, const LayeredChipNetwork& m) {
    chip.soft_reset();
    chip.load_weights(m.weights);
    chip.load_thresholds(m.thresholds);
    chip.set_clamp(m.clamp);
}

LayeredAnswer classify_layered(ChipDriver& chip, const LayeredChipNetwork& m, const uint8_t* pixels, bool wrap) {
    return classify_layered_many(chip, m, pixels, m.layout.inputs, 1, wrap)[0];
}

std::vector<LayeredAnswer> classify_layered_many(ChipDriver& chip, const LayeredChipNetwork& m, const uint8_t* pixels,
                                                 size_t stride, size_t count, bool wrap, std::vector<int8_t>* hidden) {
    const LayeredLayout& L = m.layout;
    RunMany b;
    b.n = L.neurons();
    b.run.order = Order::AsyncSeq;
    b.run.max_sweeps = 1;  // one sweep computes every layer in turn; a second would change nothing
    b.run.wrap = wrap;
    b.first_field = L.first_output();
    b.field_count = L.outputs;
    b.read_state = hidden != nullptr;
    b.states.assign(count, std::vector<int8_t>(L.neurons(), -1));
    for (size_t k = 0; k < count; ++k)
        for (uint32_t j = 0; j < L.inputs; ++j) b.states[k][j] = baselines::binarize_pixel(pixels[k * stride + j]);
    const std::vector<RunManyItem> runs = chip.run_many(b);
    std::vector<LayeredAnswer> out(count);
    if (hidden) hidden->resize(count * L.hidden);
    for (size_t k = 0; k < count; ++k) {
        LayeredAnswer& a = out[k];
        a.run = runs[k].run;
        a.scores.resize(L.outputs);
        for (uint32_t o = 0; o < L.outputs; ++o) a.scores[o] = int64_t{runs[k].fields[o]} + m.b2[o];
        a.label = static_cast<int>(std::max_element(a.scores.begin(), a.scores.end()) - a.scores.begin());
        if (hidden)
            std::copy_n(runs[k].state.begin() + L.first_hidden(), L.hidden, hidden->begin() + k * L.hidden);
    }
    return out;
}

namespace {

FloatMatrix as_matrix(const NpyArray& a) {
    FloatMatrix m(a.shape[0], a.shape[1]);
    m.data = a.to_float();
    return m;
}

// Without --quantize a float array must hold whole numbers; say so by name.
void expect_integers(const NpyArray& a) {
    if (a.dtype != NpyDtype::Float32 && a.dtype != NpyDtype::Float64) return;
    for (size_t i = 0; i < a.size(); ++i) {
        const double v = a.as_double(i);
        if (!std::isfinite(v) || v != std::floor(v))
            throw DataError(fmt::format("{}: element {} {} is {}, not an integer (float weights need --quantize)",
                                        a.source, i, a.index_string(i), v));
    }
}

}  // namespace

LayeredIntNet quantize_layered(const LayeredArrays& a, const QuantizerOptions& opt, LayeredQuantization* info) {
    for (const NpyArray* x : {&a.w1, &a.t1, &a.w2, &a.b2})
        for (size_t i = 0; i < x->size(); ++i)
            if (!std::isfinite(x->as_double(i)))
                throw DataError(fmt::format("{}: element {} {} is {}, not a finite number", x->source, i,
                                            x->index_string(i), x->as_double(i)));
    const QuantizedMatrix q1 = quantize_weights(as_matrix(a.w1), opt);
    QuantizerOptions out_opt = opt;
    out_opt.granularity = Granularity::Layer;  // the argmax compares the outputs: one scale
    const QuantizedMatrix q2 = quantize_weights(as_matrix(a.w2), out_opt);
    LayeredIntNet net;
    net.inputs = a.inputs;
    net.hidden = a.hidden;
    net.outputs = a.outputs;
    net.crop = a.crop;
    net.wbits = opt.plus_minus_one && opt.wbits == 1 ? 2 : opt.wbits;
    net.w1 = q1.data;
    net.w2 = q2.data;
    LayeredQuantization qi;
    qi.options = opt;
    qi.w1 = q1.report;
    qi.w2 = q2.report;
    qi.s1 = q1.row_scales;
    qi.s2 = q2.report.scale;
    // n_i > s1_i t1 iff n_i > floor(s1_i t1) for integer n_i; clamped to [-S_i - 1, S_i]
    // (beyond that no state changes), as the training's fold does.
    net.t1.resize(a.hidden);
    for (size_t i = 0; i < a.hidden; ++i) {
        int64_t s = 0;
        for (size_t j = 0; j < a.inputs; ++j) s += std::abs(int64_t{net.w1[i * a.inputs + j]});
        const double t = std::floor(q1.row_scales[i] * a.t1.as_double(i));
        const double c = std::clamp(t, static_cast<double>(-s - 1), static_cast<double>(s));
        qi.t1_clipped += c != t;
        net.t1[i] = static_cast<int32_t>(c);
    }
    const std::vector<float> b = a.b2.to_float();
    const QuantizedVector qb = quantize_thresholds(b, q2.report.scale, 32);
    net.b2 = qb.data;
    qi.b2_clipped = qb.report.clipped;
    if (info) *info = qi;
    return net;
}

LayeredIntNet load_layered_network(const std::string& dir, bool quantize, const QuantizerOptions& opt,
                                   LayeredQuantization* info) {
    LayeredArrays a = baselines::read_layered_arrays(dir);
    if (quantize) return quantize_layered(a, opt, info);
    for (const NpyArray* x : {&a.w1, &a.t1, &a.w2, &a.b2}) expect_integers(*x);
    if (a.wbits == 0) a.wbits = opt.wbits;  // integers from elsewhere: the chip's width is the limit
    return baselines::layered_from_arrays(a);
}

LayeredIntNet quantize_layered(const LayeredArrays& a, unsigned wbits, LayeredQuantization* info) {
    QuantizerOptions opt;
    opt.wbits = wbits;
    return quantize_layered(a, opt, info);
}

LayeredIntNet load_layered_network(const std::string& dir, bool quantize, unsigned wbits, LayeredQuantization* info) {
    QuantizerOptions opt;
    opt.wbits = wbits;  // max-abs scale per layer, nearest rounding: as the MNIST job
    return load_layered_network(dir, quantize, opt, info);
}

std::vector<uint8_t> predict_layered_arrays(const LayeredArrays& a, const std::vector<uint8_t>& pixels, size_t count) {
    const std::vector<double> w1 = a.w1.to_double(), t1 = a.t1.to_double(), w2 = a.w2.to_double(), b2 = a.b2.to_double();
    std::vector<uint8_t> out(count);
    std::vector<double> x(a.inputs), h(a.hidden);
    for (size_t k = 0; k < count; ++k) {
        for (size_t j = 0; j < a.inputs; ++j) x[j] = baselines::binarize_pixel(pixels[k * a.inputs + j]);
        for (size_t i = 0; i < a.hidden; ++i) {
            double n = 0;
            for (size_t j = 0; j < a.inputs; ++j) n += w1[i * a.inputs + j] * x[j];
            h[i] = n > t1[i] ? 1 : -1;
        }
        size_t best = 0;
        double best_f = 0;
        for (size_t o = 0; o < a.outputs; ++o) {
            double f = b2[o];
            for (size_t i = 0; i < a.hidden; ++i) f += w2[o * a.hidden + i] * h[i];
            if (o == 0 || f > best_f) best = o, best_f = f;
        }
        out[k] = static_cast<uint8_t>(best);
    }
    return out;
}

void save_quantized_layered(const std::string& dir, const LayeredIntNet& net, const LayeredQuantization& q,
                            const nlohmann::json& about) {
    nlohmann::json j = about;
    j["format"] = baselines::kLayeredFormat;
    j["layers"] = {net.inputs, net.hidden, net.outputs};
    j["wbits"] = net.wbits;
    j["quantizer"] = {{"bits", q.options.wbits}, {"granularity", to_string(q.options.granularity)},
                      {"scale", to_string(q.options.scale_mode)}, {"rounding", to_string(q.options.rounding)}};
    j["codes"] = "code = round(w * s) saturated; s1.npy: w1's scale per hidden unit (t1 = floor(s1 t1)), s2.npy: w2's "
                 "and b2's one scale";
    j["files"] = {{"w1", {{"file", "w1.npy"}, {"dtype", "int16"}, {"shape", {net.hidden, net.inputs}}}},
                  {"t1", {{"file", "t1.npy"}, {"dtype", "int32"}, {"shape", {net.hidden}}}},
                  {"w2", {{"file", "w2.npy"}, {"dtype", "int16"}, {"shape", {net.outputs, net.hidden}}}},
                  {"b2", {{"file", "b2.npy"}, {"dtype", "int32"}, {"shape", {net.outputs}}}},
                  {"s1", {{"file", "s1.npy"}, {"dtype", "float64"}, {"shape", {net.hidden}}}},
                  {"s2", {{"file", "s2.npy"}, {"dtype", "float64"}, {"shape", {1}}}}};
    OutputSet out(dir);
    write_text_atomic(out.path("network.json"), j.dump(2) + "\n");
    baselines::write_layered_arrays(out, net);
    write_npy<double>(out.path("s1.npy"), {net.hidden}, q.s1);
    write_npy<double>(out.path("s2.npy"), {1}, std::vector<double>{q.s2});
    out.publish();
}

}  // namespace mind1024::host
