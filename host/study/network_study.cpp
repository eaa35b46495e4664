#include "host/study/network_study.h"

#include <cmath>

#include <fmt/format.h>

#include "host/board/errors.h"
#include "host/data/data_error.h"
#include "host/data/npy.h"
#include "host/learning/quantizer.h"
#include "sysc/fixed_point.h"

namespace mind1024::host {

NetworkInputs read_network_inputs(const NetworkFiles& files, const ChipParams& p) {
    const NpyHeader WH = read_npy_header(files.weights);
    WH.expect_rank(2);
    const size_t n = WH.shape[0];
    if (WH.shape[1] != n) throw BadArgument(fmt::format("{}: weights must be square, got {}", files.weights, WH.shape_string()));
    if (n == 0 || n > p.n_max)
        throw BadArgument(fmt::format("{}: {} neurons, the chip has N_MAX = {}", files.weights, n, p.n_max));
    for (const std::string* f : {&files.thresholds, &files.state, &files.clamp})
        if (!f->empty()) read_npy_header(*f).expect_shape({n});
    const NpyArray W = read_npy(files.weights);
    NetworkInputs in;
    WeightMatrix& wm = in.weights;
    wm.n = static_cast<uint32_t>(n);
    std::vector<int32_t>& theta = in.thresholds;
    theta.assign(n, 0);
    nlohmann::json& quant = in.quantization;
    quant = "none (integer weights)";
    // Every value finite, and whole unless quantized: a bad one named by file and (row, col).
    const auto check_values = [&](const NpyArray& a) {
        if (a.dtype != NpyDtype::Float32 && a.dtype != NpyDtype::Float64) return;
        for (size_t i = 0; i < a.size(); ++i) {
            const double v = a.as_double(i);
            if (!std::isfinite(v))
                throw DataError(fmt::format("{}: element {} is {}, not a finite number", a.source, a.index_string(i), v));
            if (!files.quantize && v != std::floor(v))
                throw DataError(fmt::format("{}: element {} is {}, not an integer: float weights and thresholds need "
                                            "--quantize (quantized to --wbits, thresholds on the weights' scale)",
                                            a.source, a.index_string(i), v));
        }
    };
    check_values(W);
    if (files.quantize) {
        const QuantizerOptions& q = files.options;
        FloatMatrix f(n, n);
        f.data = W.to_float();
        const QuantizedMatrix qw = quantize_weights(f, q);
        wm.w = qw.data;
        in.row_scales = qw.row_scales;
        fmt::print(stderr, "[run] weights quantized to {} bits: {}\n", q.wbits, qw.report.describe());
        quant = {{"scale", qw.report.scale}, {"granularity", to_string(q.granularity)}, {"scale_range", to_string(q.scale_mode)},
                 {"rounding", to_string(q.rounding)}, {"bits", q.wbits}, {"weights_clipped", qw.report.clipped},
                 {"max_abs_error", qw.report.max_abs_error}, {"rms_error", qw.report.rms_error}};
        if (!files.thresholds.empty()) {
            const NpyArray T = read_npy(files.thresholds);
            T.expect_shape({n});
            check_values(T);
            const QuantizedVector qt = quantize_thresholds(T.to_float(), qw.row_scales, p.abits, q.rounding, q.seed);
            theta = qt.data;
            quant["thresholds_clipped"] = qt.report.clipped;
            if (qt.report.clipped && !files.allow_clipping)
                throw BadArgument(fmt::format("{}: {} of {} thresholds clipped to the ABITS={} range [{}, {}] at the "
                                              "weights' scale, which changes the network; give a wider --abits, another "
                                              "--scale, or --allow-clipping to run it anyway",
                                              files.thresholds, qt.report.clipped, n, p.abits, qt.report.qmin, qt.report.qmax));
            if (qt.report.clipped)
                fmt::print(stderr, "[run] {} of {} thresholds clipped to ABITS={} (--allow-clipping)\n", qt.report.clipped, n, p.abits);
        }
    } else {
        const auto wv = W.to_int64_in_range(fx::range_min(p.wbits), fx::range_max(p.wbits), fmt::format("WBITS={}", p.wbits));
        wm.w.assign(wv.begin(), wv.end());
        if (!files.thresholds.empty()) {
            const NpyArray T = read_npy(files.thresholds);
            T.expect_shape({n});
            check_values(T);
            const auto tv = T.to_int64_in_range(fx::range_min(p.abits), fx::range_max(p.abits), fmt::format("ABITS={}", p.abits));
            theta.assign(tv.begin(), tv.end());
        }
    }
    const NpyArray S = read_npy(files.state);
    S.expect_shape({n});
    S.expect_plus_minus_one();
    std::vector<int8_t>& state = in.state;
    state.resize(n);
    for (size_t i = 0; i < n; ++i) state[i] = S.as_int64(i) > 0 ? 1 : -1;
    std::vector<uint8_t>& clamp = in.clamp;
    clamp.assign(n, 0);
    if (!files.clamp.empty()) {
        const NpyArray C = read_npy(files.clamp);
        C.expect_shape({n});
        C.expect_zero_one();
        for (size_t i = 0; i < n; ++i) clamp[i] = C.as_int64(i) != 0;
    }

    return in;
}

NetworkRun run_network(ChipDriver& chip, const NetworkInputs& in, RunParams rp) {
    const uint32_t n = in.weights.n;
    chip.soft_reset();
    chip.load_weights(in.weights);
    chip.load_thresholds(in.thresholds);
    chip.set_state(in.state);
    chip.set_clamp(in.clamp);
    rp.n_active = n;
    NetworkRun r;
    r.result = chip.run(rp);
    const auto all = chip.state();
    r.state.assign(all.begin(), all.begin() + n);
    r.fields = chip.fields(0, n);
    return r;
}

}  // namespace mind1024::host
