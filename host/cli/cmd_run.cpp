// mind1024 run: any network, no C++ needed. Weights, thresholds, state and
// clamp mask from .npy files; the chip runs; state, fields and counters out.
#include <fmt/format.h>

#include "host/cli/commands.h"
#include "host/cli/common.h"
#include "host/board/errors.h"
#include "sysc/fixed_point.h"
#include "host/data/npy.h"
#include "host/report/output_file.h"
#include "host/learning/quantizer.h"

namespace mind1024::host {

namespace {

struct RunOptions {
    std::string weights, thresholds, state, clamp, out, order = "async";
    uint32_t max_sweeps = 100, seed = 1;
    int64_t noise = -1;  // TEMP; < 0: noise off
    bool quantize = false;
    ChipSpec chip;
};

int run_network(const RunOptions& o) {
    const ChipParams& p = o.chip.params;
    p.validate();
    // Every output location first, before reading the inputs or touching the chip.
    check_output_dir(o.out, {"state.npy", "fields.npy", "counters.json"});
    check_chip_outputs(o.chip);
    // Check every input's shape from its header (nothing allocated yet), then read
    // and check the values, all before touching the chip or the output.
    const NpyHeader WH = read_npy_header(o.weights);
    WH.expect_rank(2);
    const size_t n = WH.shape[0];
    if (WH.shape[1] != n) throw BadArgument(fmt::format("{}: weights must be square, got {}", o.weights, WH.shape_string()));
    if (n == 0 || n > p.n_max)
        throw BadArgument(fmt::format("{}: {} neurons, the chip has N_MAX = {}", o.weights, n, p.n_max));
    for (const std::string* f : {&o.thresholds, &o.state, &o.clamp})
        if (!f->empty()) read_npy_header(*f).expect_shape({n});
    const NpyArray W = read_npy(o.weights);
    WeightMatrix wm{static_cast<uint32_t>(n), {}};
    std::vector<int32_t> theta(n, 0);
    nlohmann::json quant = "none (integer weights)";
    if (o.quantize) {
        // As the MNIST job: one max-abs scale, nearest rounding; thresholds with the same scale.
        QuantizerOptions q;
        q.wbits = p.wbits;
        FloatMatrix f(n, n);
        f.data = W.to_float();
        const QuantizedMatrix qw = quantize_weights(f, q);
        wm.w = qw.data;
        fmt::print(stderr, "[run] weights quantized to WBITS={}: {}\n", p.wbits, qw.report.describe());
        quant = {{"scale", qw.report.scale}, {"rounding", "nearest"}, {"weights_clipped", qw.report.clipped},
                 {"max_abs_error", qw.report.max_abs_error}, {"rms_error", qw.report.rms_error}};
        if (!o.thresholds.empty()) {
            const NpyArray T = read_npy(o.thresholds);
            T.expect_shape({n});
            const QuantizedVector qt = quantize_thresholds(T.to_float(), qw.report.scale, p.abits);
            theta = qt.data;
            quant["thresholds_clipped"] = qt.report.clipped;
            if (qt.report.clipped)
                fmt::print(stderr, "[run] {} thresholds clipped to ABITS={}\n", qt.report.clipped, p.abits);
        }
    } else {
        const auto wv = W.to_int64_in_range(fx::range_min(p.wbits), fx::range_max(p.wbits), fmt::format("WBITS={}", p.wbits));
        wm.w.assign(wv.begin(), wv.end());
        if (!o.thresholds.empty()) {
            const NpyArray T = read_npy(o.thresholds);
            T.expect_shape({n});
            const auto tv = T.to_int64_in_range(fx::range_min(p.abits), fx::range_max(p.abits), fmt::format("ABITS={}", p.abits));
            theta.assign(tv.begin(), tv.end());
        }
    }
    const NpyArray S = read_npy(o.state);
    S.expect_shape({n});
    S.expect_plus_minus_one();
    std::vector<int8_t> state(n);
    for (size_t i = 0; i < n; ++i) state[i] = S.as_int64(i) > 0 ? 1 : -1;
    std::vector<uint8_t> clamp(n, 0);
    if (!o.clamp.empty()) {
        const NpyArray C = read_npy(o.clamp);
        C.expect_shape({n});
        C.expect_zero_one();
        for (size_t i = 0; i < n; ++i) clamp[i] = C.as_int64(i) != 0;
    }

    auto chip = open_chip(o.chip);
    chip->soft_reset();
    chip->load_weights(wm);
    chip->load_thresholds(theta);
    chip->set_state(state);
    chip->set_clamp(clamp);
    RunParams rp;
    rp.order = parse_order(o.order);
    rp.max_sweeps = o.max_sweeps;
    rp.seed = o.seed;
    rp.noise = o.noise >= 0;
    rp.temp = rp.noise ? static_cast<uint32_t>(o.noise) : 0;
    rp.wrap = o.chip.wrap;
    rp.n_active = static_cast<uint32_t>(n);
    const RunResult r = chip->run(rp);
    const auto final_state = chip->state();
    const auto h = chip->fields(0, static_cast<uint32_t>(n));

    OutputSet out(o.out);  // all three files or none
    write_npy<int8_t>(out.path("state.npy"), {n}, std::vector<int8_t>(final_state.begin(), final_state.begin() + n));
    write_npy<int32_t>(out.path("fields.npy"), {n}, h);
    const nlohmann::json j = {{"sweeps", r.sweeps},       {"flips", r.flips},        {"cycles", r.cycles},
                              {"overflow_events", r.ovf_count}, {"converged", r.converged}, {"cycle2", r.cycle2},
                              {"neurons", n},             {"order", order_name(rp.order)}, {"seed", rp.seed},
                              {"noise_temp", o.noise >= 0 ? nlohmann::json(o.noise) : nlohmann::json(nullptr)},    {"wrap", rp.wrap},         {"max_sweeps", rp.max_sweeps},
                              {"quantization", quant}};
    write_json(out.path("counters.json"), j, provenance(chip.get(), {{"simulated_seconds", r.sim_seconds}}));
    publish_outputs(out, provenance(chip.get()));
    fmt::print("{}: {} neurons, {} sweeps, {} flips in the last, {} cycles, {} overflow events, {}{}\n", chip->name(), n,
               r.sweeps, r.flips, r.cycles, r.ovf_count, r.converged ? "converged" : "not converged",
               r.cycle2 ? " (2-cycle)" : "");
    return 0;
}

}  // namespace

Command add_run_command(CLI::App& app) {
    auto o = std::make_shared<RunOptions>();
    CLI::App* c = app.add_subcommand("run", "run any network given as .npy files on the chip; write state, fields and counters");
    c->add_option("--weights", o->weights, "N x N integer weights (.npy; any integer dtype or whole-number floats; float weights with --quantize)")->required()->check(CLI::ExistingFile);
    c->add_flag("--quantize", o->quantize,
                "quantize float weights to --wbits (max-abs scale, nearest rounding) and the thresholds with the same "
                "scale to --abits");
    c->add_option("--thresholds", o->thresholds, "N integer thresholds (.npy); default 0")->check(CLI::ExistingFile);
    c->add_option("--state", o->state, "N initial states, -1 or +1 (.npy)")->required()->check(CLI::ExistingFile);
    c->add_option("--clamp", o->clamp, "N clamp flags, 0 or 1 (.npy); default none")->check(CLI::ExistingFile);
    c->add_option("--order", o->order, std::string("update order: ") + kOrderHelp)->capture_default_str()->check(order_check());
    c->add_option("--max-sweeps", o->max_sweeps, "sweep limit (1..4294967295)")->capture_default_str()->check(whole_number(1, UINT32_MAX));
    c->add_option("--noise", o->noise, "enable noise with this TEMP (0..4294967295)")->check(CLI::Range(int64_t{0}, int64_t{0xFFFFFFFF}));
    c->add_option("--seed", o->seed, "LFSR seed")->capture_default_str()->check(whole_number(0, UINT32_MAX));
    c->add_option("--out", o->out, "output directory: state.npy, fields.npy, counters.json")->required();
    add_chip_options(*c, o->chip);
    return [o] { return run_network(*o); };
}

}  // namespace mind1024::host
