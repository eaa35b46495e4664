// mind1024 run: any network, no C++ needed. Weights, thresholds, state and
// clamp mask from .npy files; the chip runs; state, fields and counters out.
#include <fmt/format.h>

#include "host/cli/commands.h"
#include "host/cli/common.h"
#include "host/board/errors.h"
#include "host/data/npy.h"
#include "host/report/output_file.h"
#include "host/study/network_study.h"

namespace mind1024::host {

namespace {

struct RunOptions {
    NetworkFiles files;
    std::string out, order = "async";
    uint32_t max_sweeps = 100, seed = 1;
    int64_t noise = -1;  // TEMP; < 0: noise off
    QuantizeFlags quant;
    ChipSpec chip;
};

int run_command(const RunOptions& o) {
    o.chip.params.validate();
    // Every output location first, before reading the inputs or touching the chip.
    check_output_dir(o.out, {"state.npy", "fields.npy", "counters.json"});
    check_chip_outputs(o.chip);
    NetworkFiles files = o.files;
    if (files.quantize) files.options = quantizer_options(o.quant, o.chip.params);
    if (!o.quant.save_dir.empty()) {
        if (!files.quantize) throw BadArgument("--save-quantized: only with --quantize");
        check_output_dir(o.quant.save_dir, {"weights.npy", "thresholds.npy", "scales.npy"});
    }
    const NetworkInputs in = read_network_inputs(files, o.chip.params);
    if (!o.quant.save_dir.empty()) {
        OutputSet saved(o.quant.save_dir);
        write_npy<int16_t>(saved.path("weights.npy"), {in.neurons(), in.neurons()}, in.weights.w);
        write_npy<int32_t>(saved.path("thresholds.npy"), {in.neurons()}, in.thresholds);
        write_npy<double>(saved.path("scales.npy"), {in.neurons()}, in.row_scales);
        saved.publish(provenance(nullptr, {{"quantization", in.quantization},
                                           {"codes", "code = round(w * s) with s = scales[row]; thresholds the same"}}));
        fmt::print(stderr, "[run] wrote the codes and scales to {}\n", o.quant.save_dir);
    }
    const size_t n = in.neurons();
    auto chip = open_chip(o.chip);
    RunParams rp;
    rp.order = parse_order(o.order);
    rp.max_sweeps = o.max_sweeps;
    rp.seed = o.seed;
    rp.noise = o.noise >= 0;
    rp.temp = rp.noise ? static_cast<uint32_t>(o.noise) : 0;
    rp.wrap = o.chip.wrap;
    const NetworkRun run = run_network(*chip, in, rp);
    const RunResult& r = run.result;

    OutputSet out(o.out);  // all three files or none
    write_npy<int8_t>(out.path("state.npy"), {n}, run.state);
    write_npy<int32_t>(out.path("fields.npy"), {n}, run.fields);
    const nlohmann::json j = {{"sweeps", r.sweeps},       {"flips", r.flips},        {"cycles", r.cycles},
                              {"overflow_events", r.ovf_count}, {"converged", r.converged}, {"cycle2", r.cycle2},
                              {"neurons", n},             {"order", order_name(rp.order)}, {"seed", rp.seed},
                              {"noise_temp", o.noise >= 0 ? nlohmann::json(o.noise) : nlohmann::json(nullptr)},
                              {"wrap", rp.wrap},          {"max_sweeps", rp.max_sweeps},
                              {"quantization", in.quantization}};
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
    c->add_option("--weights", o->files.weights, "N x N integer weights (.npy; any integer dtype or whole-number floats; float weights with --quantize)")->required()->check(CLI::ExistingFile);
    c->add_flag("--quantize", o->files.quantize,
                "quantize float weights to --quant-bits (default --wbits) with the options below, and the thresholds "
                "with their rows' scales to --abits");
    add_quantizer_options(*c, o->quant);
    c->add_flag("--allow-clipping", o->files.allow_clipping,
                "with --quantize: run even when thresholds saturate to ABITS (an error otherwise)");
    c->add_option("--thresholds", o->files.thresholds, "N integer thresholds (.npy); default 0")->check(CLI::ExistingFile);
    c->add_option("--state", o->files.state, "N initial states, -1 or +1 (.npy)")->required()->check(CLI::ExistingFile);
    c->add_option("--clamp", o->files.clamp, "N clamp flags, 0 or 1 (.npy); default none")->check(CLI::ExistingFile);
    c->add_option("--order", o->order, std::string("update order: ") + kOrderHelp)->capture_default_str()->check(order_check());
    c->add_option("--max-sweeps", o->max_sweeps, "sweep limit (1..4294967295)")->capture_default_str()->check(whole_number(1, UINT32_MAX));
    c->add_option("--noise", o->noise, "enable noise with this TEMP (0..4294967295)")->check(CLI::Range(int64_t{0}, int64_t{0xFFFFFFFF}));
    c->add_option("--seed", o->seed, "LFSR seed")->capture_default_str()->check(whole_number(0, UINT32_MAX));
    c->add_option("--out", o->out, "output directory: state.npy, fields.npy, counters.json")->required();
    add_chip_options(*c, o->chip);
    return [o] { return run_command(*o); };
}

}  // namespace mind1024::host
