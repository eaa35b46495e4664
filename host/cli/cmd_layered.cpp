// mind1024 layered: a trained layered binary network (mind1024-layered-v1,
// docs/layered-network.md) on the chip. The network is mapped to one block of
// neurons per layer (host/classify/layered_chip.h), every MNIST test image runs
// one sweep on the chip, and the chip's answers are compared image by image
// with the host's integer inference of the same files.
#include <chrono>
#include <fstream>
#include <set>

#include <fmt/format.h>

#include "host/cli/commands.h"
#include "host/cli/common.h"
#include "host/board/errors.h"
#include "host/data/data_error.h"
#include "host/data/idx_reader.h"
#include "host/classify/layered_chip.h"
#include "host/report/output_file.h"
#include "host/report/progress.h"
#include "host/study/layered_study.h"

namespace mind1024::host {

namespace {

struct LayeredOptions {
    std::string net, data, out = "results/layered";
    size_t limit = 0;
    bool quantize = false, no_progress = false;
    QuantizeFlags quant;
    ChipSpec chip;
    std::set<std::string> given;  // the options on the command line
};

// The model before quantization beside the chip: the files' values on the host in
// double precision (with --quantize), and the trainer's float accuracy when
// network.json gives one.
struct FloatFigures {
    double source_percent = -1;   // the files' values, host (with --quantize)
    double trained_percent = -1;  // network.json accuracy.float, as the trainer measured it (whole test set)
};

nlohmann::json report_json(const QuantReport& r) {
    return {{"scale", r.scale}, {"clipped", r.clipped}, {"max_abs_error", r.max_abs_error}, {"rms_error", r.rms_error}};
}

void print_table(const LayeredOptions& o, const baselines::LayeredIntNet& net, const LayeredEval& e,
                 const std::string& model, const FloatFigures& f) {
    const size_t images = e.images();
    fmt::print("\nlayered network {}-{}-{} ({} neurons, WBITS {}) on the MIND 1024 ({}; {} test images; {})\n",
               net.inputs, net.hidden, net.outputs, e.layout.neurons(), net.wbits, model, images, o.chip.params.describe());
    const auto pct = [](double v) { return v < 0 ? std::string("-") : fmt::format("{:.2f}", v); };
    fmt::print("{:<10} {:>9} {:>9} {:>10} {:>10} {:>14} {:>11} {:>12} {:>11} {:>8} {:>8}\n", "", "chip %", "host %",
               "unquant %", "trained %", "agree", "no-answer", "cycles/img", "sim ms/img", "wall s", "img/s");
    fmt::print("{:<10} {:>9.2f} {:>9.2f} {:>10} {:>10} {:>14} {:>11} {:>12.0f} {:>11.3f} {:>8.1f} {:>8.1f}\n", "layered",
               e.accuracy_chip(), e.accuracy_host(), pct(f.source_percent), pct(f.trained_percent),
               fmt::format("{}/{}", e.agree, images), e.chip_unanswered, e.cycles_per_image(), 1e3 * e.sim_seconds / images,
               e.chip_wall_seconds, images / e.chip_wall_seconds);
    fmt::print("(host: the integer model on the host; unquant: the files' values before --quantize, on the host; trained: "
               "network.json's float accuracy; no-answer: a tie at the top output, labelled the lowest)\n");
    if (e.overflow_events)
        fmt::print("{} accumulator overflow events in {} images\n", e.overflow_events, e.images_with_overflow);
}

void write_outputs(const LayeredOptions& o, const baselines::LayeredIntNet& net, const LayeredQuantization& qi,
                   const LayeredEval& e, const MnistSet& test, const std::string& dir, const ChipDriver& chip,
                   const FloatFigures& f, std::chrono::steady_clock::time_point wall0) {
    const size_t images = e.images();
    OutputSet out(o.out);
    write_stream_atomic(out.path("predictions.csv"), [&](std::ostream& s) {
        s << "image,true_label,chip_label,host_label,chip_cycles\n";
        for (size_t i = 0; i < images; ++i)
            s << i << ',' << int(test.labels[i]) << ',' << e.chip_label[i] << ',' << int(e.host_label[i]) << ',' << e.cycles[i] << '\n';
    });
    nlohmann::json j = {
        {"images", images},
        {"accuracy_chip", e.accuracy_chip()},
        {"accuracy_host_integer", e.accuracy_host()},
        {"accuracy_before_quantization", f.source_percent < 0 ? nlohmann::json(nullptr) : nlohmann::json(f.source_percent)},
        {"accuracy_float_trained", f.trained_percent < 0 ? nlohmann::json(nullptr) : nlohmann::json(f.trained_percent)},
        {"unanswered_chip", e.chip_unanswered},
        {"agree_with_host", e.agree},
        {"disagreeing_images", e.disagreeing},
        {"cycles_per_image", e.cycles_per_image()},
        {"sim_seconds_per_image", e.sim_seconds / images},
        {"overflow", {{"events", e.overflow_events}, {"images_with_overflow", e.images_with_overflow}}},
        {"model", chip.name()},
        {"chip", chip_json(o.chip)},
        {"network", {{"dir", o.net}, {"layers", {net.inputs, net.hidden, net.outputs}}, {"wbits", net.wbits},
                     {"neurons", e.layout.neurons()}, {"max_abs_threshold", net.max_abs_threshold()},
                     {"accumulator_bits", net.accumulator_bits()}}},
        {"mapping", {{"inputs", {0, e.layout.first_hidden() - 1}}, {"hidden", {e.layout.first_hidden(), e.layout.first_output() - 1}},
                     {"outputs", {e.layout.first_output(), e.layout.neurons() - 1}}, {"order", "async"}, {"sweeps", 1}}},
        {"data", dir},
    };
    j["quantization"] = o.quantize ? nlohmann::json{{"w1", report_json(qi.w1)}, {"w2", report_json(qi.w2)},
                                                    {"thresholds_clamped", qi.t1_clipped}, {"biases_clipped", qi.b2_clipped},
                                                    {"options", quantizer_json(qi.options)},
                                                    {"saved_to", o.quant.save_dir.empty() ? nlohmann::json(nullptr) : nlohmann::json(o.quant.save_dir)}}
                                 : nlohmann::json("none (integer files)");
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
    write_json(out.path("layered.json"), j,
               provenance(&chip, {{"simulated_seconds", e.sim_seconds}, {"chip_wall_seconds", e.chip_wall_seconds},
                {"images_per_second", images / e.chip_wall_seconds}, {"host_wall_seconds", e.host_wall_seconds}, {"wall_seconds", wall}}));
    publish_outputs(out, provenance(&chip));
}


int run_layered(const LayeredOptions& o) {
    const auto wall0 = std::chrono::steady_clock::now();
    const ChipParams& p = o.chip.params;
    p.validate();
    // Outputs first, then the network's files and whether they fit, then the board and the data.
    check_output_dir(o.out, {"layered.json", "predictions.csv"});
    check_chip_outputs(o.chip);
    if (!o.quantize)
        for (const char* opt : {"--quant-bits", "--scale-granularity", "--scale", "--scale-percentile", "--rounding",
                                "--rounding-seed", "--save-quantized"})
            if (o.given.count(opt)) throw BadArgument(fmt::format("{}: only with --quantize", opt));
    LayeredQuantization qi;
    const QuantizerOptions qo = o.quantize ? quantizer_options(o.quant, p) : QuantizerOptions{};
    if (!o.quant.save_dir.empty()) check_output_dir(o.quant.save_dir, {"network.json", "w1.npy", "t1.npy", "w2.npy", "b2.npy", "s1.npy", "s2.npy"});
    const baselines::LayeredArrays arrays = baselines::read_layered_arrays(o.net);
    const baselines::LayeredIntNet net = o.quantize ? quantize_layered(arrays, qo, &qi) : load_layered_network(o.net, false, p.wbits);
    check_layered_fits(net, p, o.net);
    if (o.quantize) {
        fmt::print(stderr, "[layered] quantized to {} bits ({}): w1 {}; w2 {}; {} thresholds clamped, {} biases clipped\n",
                   qo.wbits, quantizer_json(qo).dump(), qi.w1.describe(), qi.w2.describe(), qi.t1_clipped, qi.b2_clipped);
        if (!o.quant.save_dir.empty()) {
            save_quantized_layered(o.quant.save_dir, net, qi, {{"from", o.net}, {"provenance", provenance()}});
            fmt::print(stderr, "[layered] wrote the codes and scales to {}\n", o.quant.save_dir);
        }
    }
    FloatFigures ff;
    {
        const nlohmann::json nj = nlohmann::json::parse(std::ifstream(join_path(o.net, "network.json")), nullptr, false);
        const nlohmann::json::json_pointer ptr("/accuracy/float");
        if (!nj.is_discarded() && nj.contains(ptr) && nj.at(ptr).is_number()) ff.trained_percent = 100 * nj.at(ptr).get<double>();
    }
    auto chip = open_chip(o.chip);
    const std::string dir = resolve_data_dir(o.data);
    fmt::print(stderr, "[layered] data: {}\n", dir);
    const MnistSet test = layered_inputs(net, load_mnist_split(dir, Split::Test), join_path(o.net, "network.json"));
    const size_t images = o.limit ? std::min<size_t>(o.limit, test.count) : test.count;
    if (o.quantize) {
        const std::vector<uint8_t> before = predict_layered_arrays(arrays, test.images, images);
        size_t right = 0;
        for (size_t i = 0; i < images; ++i) right += before[i] == test.labels[i];
        ff.source_percent = 100.0 * double(right) / double(images);
    }

    Progress bar(fmt::format("[layered] {} chip", chip->name()), images, !o.no_progress);
    const LayeredEval e = evaluate_layered(*chip, net, test, images, o.chip.wrap, [&bar](size_t done) { bar.update(done); });
    bar.finish();
    print_table(o, net, e, chip->name(), ff);
    write_outputs(o, net, qi, e, test, dir, *chip, ff, wall0);
    fmt::print("wrote {}/layered.json, predictions.csv\n", o.out);
    return 0;
}

}  // namespace

Command add_layered_command(CLI::App& app) {
    auto o = std::make_shared<LayeredOptions>();
    CLI::App* c = app.add_subcommand(
        "layered", "run a layered binary network (mind1024-layered-v1 .npy files) on the chip over the MNIST test set");
    c->add_option("--net", o->net, "network directory: network.json, w1.npy, t1.npy, w2.npy, b2.npy (docs/layered-network.md)")
        ->required()
        ->check(CLI::ExistingDirectory);
    c->add_option("--data", o->data, "directory with the MNIST IDX files (raw or .gz); default $MIND1024_DATA, then the set-up's copy");
    c->add_option("--limit", o->limit, "use only the first N test images (0 = all)")->capture_default_str()->check(whole_number(0, UINT32_MAX));
    c->add_flag("--quantize", o->quantize,
                "quantize the files' weights (float, or integers of a wider width) to --quant-bits (default --wbits) with "
                "the options below (the output layer always has one scale: its outputs are compared); without it every "
                "value must be an integer within WBITS");
    add_quantizer_options(*c, o->quant);
    c->add_option("--out", o->out, "output directory: layered.json, predictions.csv")->capture_default_str();
    c->add_flag("--no-progress", o->no_progress, "no progress bar");
    add_chip_options(*c, o->chip);
    return [o, c] {
        for (const auto* opt : c->get_options())
            if (opt->count()) o->given.insert(opt->get_name());
        return run_layered(*o);
    };
}

}  // namespace mind1024::host
