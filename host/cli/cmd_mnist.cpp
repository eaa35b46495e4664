// mind1024 mnist: train the attractor classifier on MNIST, quantize it, run
// the whole test set through the chip and through its float twin, report.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <exception>
#include <thread>

#include <numeric>

#include <fmt/format.h>

#include "host/cli/commands.h"
#include "host/cli/common.h"
#include "host/cli/mnist_job.h"
#include "host/report/output_file.h"
#include "host/report/plot.h"
#include "host/report/png.h"
#include "host/report/progress.h"
#include "host/classify/prototype_classifier.h"

namespace mind1024::host {

namespace {

struct MnistOptions {
    MnistJobOptions job;
    std::string out = "results/mnist", json, scale = "fit", rounding = "nearest";
    uint32_t examples = 8;
    bool no_progress = false, skip_float = false;
    ChipOptions chip;
};

struct Tally {
    std::vector<int> predicted;
    std::vector<uint32_t> sweeps;
    std::vector<uint64_t> image_cycles;
    size_t correct = 0, not_converged = 0, images_with_overflow = 0;
    uint64_t overflow_events = 0, max_overflow_events = 0;  // accumulator overflows (chip only)
    uint64_t cycles = 0;
    double sim_seconds = 0;
};

void draw_confusion(const std::string& path, const std::vector<size_t>& m, uint32_t classes, const std::string& model,
                    double accuracy) {
    MatrixSpec spec{fmt::format("MNIST confusion on the {} chip: {:.2f}% of {} test images correct", model, accuracy,
                                std::accumulate(m.begin(), m.end(), size_t{0})),
                    "predicted label", "true label", "test images", {}, {}, {}};
    for (uint32_t k = 0; k < classes; ++k) spec.row_labels.push_back(std::to_string(k));
    spec.col_labels = spec.row_labels;
    spec.values.assign(m.begin(), m.end());
    matrix_png(path, spec);
}

// One example: the input, its binarized crop, the attractor it settled in
// (the mean of the prototypes left on), the prototype neurons' final state,
// and the label neurons (one column per class, the answer underlined).
std::vector<GreyImage> example_tiles(const MnistSet& test, size_t i, const TrainedClassifier& t,
                                     const std::vector<int8_t>& final_state, int label) {
    const ClassifierLayout& L = t.layout;
    const PixelCoding& c = t.cfg.coding;
    GreyImage input(static_cast<int>(test.cols), static_cast<int>(test.rows));
    std::copy(test.image(i), test.image(i) + test.image_size(), input.pixels.begin());
    GreyImage crop = state_image(final_state, 0, static_cast<int>(c.width), static_cast<int>(c.height));
    const int pw = static_cast<int>(L.classes) * 3, ph = static_cast<int>((L.protos + pw - 1) / pw);
    GreyImage protos = state_image(final_state, L.first_proto, pw, ph);
    GreyImage recalled(static_cast<int>(c.width), static_cast<int>(c.height));
    std::vector<double> mean(c.size(), 0.0);
    int on = 0;
    for (uint32_t m = 0; m < L.protos; ++m) {
        if (final_state[L.first_proto + m] <= 0) continue;
        ++on;
        for (uint32_t p = 0; p < c.size(); ++p) mean[p] += t.centroids[size_t{m} * c.size() + p];
    }
    for (uint32_t p = 0; p < c.size(); ++p)
        recalled.pixels[p] = static_cast<uint8_t>(std::lround(127.5 * (1.0 + (on ? mean[p] / on : -1.0))));
    GreyImage labels(static_cast<int>(L.classes) * 3, static_cast<int>(t.cfg.label_reps) * 3 + 2, 128);
    for (uint32_t k = 0; k < L.labels; ++k) {
        const int x = static_cast<int>(k / t.cfg.label_reps) * 3 + 1, y = static_cast<int>(k % t.cfg.label_reps) * 3 + 1;
        const uint8_t v = final_state[L.first_label + k] > 0 ? 255 : 0;
        labels.at(x, y) = v;
    }
    for (int x = 0; x < 3; ++x) labels.at(label * 3 + x, labels.height - 1) = 255;  // marks the answer
    // Pad everything to one tile size so they line up.
    const int side = std::max({input.width, input.height, crop.width, protos.width, protos.height, labels.width});
    auto pad = [side](const GreyImage& g) {
        GreyImage o(side, side, 64);
        for (int y = 0; y < g.height; ++y)
            for (int x = 0; x < g.width; ++x) o.at(x + (side - g.width) / 2, y + (side - g.height) / 2) = g.pixels[size_t(y) * g.width + x];
        return o;
    };
    return {pad(input), pad(crop), pad(recalled), pad(protos), pad(labels)};
}

int run_mnist(const MnistOptions& o) {
    const auto wall0 = std::chrono::steady_clock::now();
    // Every output location first: a bad --out or --json is reported before any work.
    std::vector<std::string> names{"mnist.json", "predictions.csv", "confusion.png", "confusion.csv"};
    if (o.examples) names.insert(names.end(), {"examples.png", "examples.csv"});
    check_output_dir(o.out, names);
    if (!o.json.empty()) check_output_file(o.json);
    check_chip_outputs(o.chip);
    // The board first: an unreachable or mismatched board is reported before the training.
    auto chip = open_chip(o.chip);
    const MnistJob job = prepare_mnist_job(o.job, o.chip.params.n_max, "mnist");
    ensure_directory(o.out);  // after the data checks: a bad data set leaves no empty directory
    const MnistSet& test = job.test;
    const TrainedClassifier& net = job.net;
    const ClassifierConfig& cfg = net.cfg;
    const size_t images = job.images;
    const auto& pixels = job.pixels;
    const std::string& dir = job.dir;
    const ChipNetwork q = quantize_classifier(net, o.chip.params.wbits, o.chip.params.abits, parse_scale_policy(o.scale),
                                              parse_rounding(o.rounding), o.job.seed);
    fmt::print(stderr, "[mnist] weights: {} (scale limited by {})\n", q.weight_report.describe(), q.scale_limited_by);
    fmt::print(stderr, "[mnist] thresholds: max |theta| = {}, {} clipped to ABITS={}\n", q.max_abs_threshold,
               q.thresholds_clipped, o.chip.params.abits);

    chip->soft_reset();
    chip->load_weights(q.weights);
    chip->load_thresholds(q.thresholds);
    chip->set_clamp(net.clamp);

    // The float twin runs on the second core while the chip runs here.
    Tally fl;
    double float_seconds = 0;
    std::exception_ptr twin_error;
    std::atomic<bool> stop_twin{false};
    std::thread twin_thread([&] {
        if (o.skip_float) return;
        try {
            const auto t0 = std::chrono::steady_clock::now();
            FloatTwin twin(net.net);
            twin.set_clamp(net.clamp);
            for (size_t i = 0; i < images && !stop_twin; ++i) {
                const Classification c = classify_on_twin(twin, net, pixels[i], static_cast<uint32_t>(i + 1));
                fl.predicted.push_back(c.label);
                fl.sweeps.push_back(c.run.sweeps);
                fl.correct += c.label == test.labels[i];
                fl.not_converged += !c.run.converged;
            }
            float_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        } catch (...) {
            twin_error = std::current_exception();
        }
    });
    // Joined on every way out, so an error on the chip side is reported, not std::terminate.
    struct Joiner {
        std::thread& t;
        std::atomic<bool>& stop;
        ~Joiner() {
            if (!t.joinable()) return;
            stop = true;
            t.join();
        }
    } joiner{twin_thread, stop_twin};

    Tally fx;
    std::vector<std::vector<int8_t>> example_states;
    const auto chip0 = std::chrono::steady_clock::now();
    Progress bar(fmt::format("[mnist] {} chip", chip->name()), images, !o.no_progress);
    // The example images one by one (their final states are pictured), the rest in batches
    // (which the firmware runs itself in --mode firmware); seed i + 1 for image i either way.
    constexpr size_t kBatch = 256;
    for (size_t i = 0; i < images;) {
        std::vector<Classification> done;
        if (i < o.examples) {
            done.push_back(classify_on_chip(*chip, net, pixels[i], static_cast<uint32_t>(i + 1), o.chip.wrap));
            example_states.push_back(chip->state());
        } else {
            const size_t k = std::min(kBatch, images - i);
            const std::vector<std::vector<int8_t>> slice(pixels.begin() + static_cast<long>(i),
                                                         pixels.begin() + static_cast<long>(i + k));
            done = classify_batch_on_chip(*chip, net, slice, static_cast<uint32_t>(i + 1), o.chip.wrap);
        }
        for (const Classification& c : done) {
            fx.predicted.push_back(c.label);
            fx.sweeps.push_back(c.run.sweeps);
            fx.correct += c.label == test.labels[i];
            fx.not_converged += !c.run.converged;
            fx.cycles += c.run.cycles;
            fx.image_cycles.push_back(c.run.cycles);
            fx.sim_seconds += c.run.sim_seconds;
            fx.overflow_events += c.run.ovf_count;
            fx.images_with_overflow += c.run.ovf_count != 0;
            fx.max_overflow_events = std::max<uint64_t>(fx.max_overflow_events, c.run.ovf_count);
            ++i;
        }
        bar.update(i);
    }
    bar.finish();
    const double chip_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - chip0).count();
    twin_thread.join();
    if (twin_error) std::rethrow_exception(twin_error);
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();

    auto mean_sweeps = [](const Tally& t) {
        double s = 0;
        for (uint32_t v : t.sweeps) s += v;
        return t.sweeps.empty() ? 0.0 : s / t.sweeps.size();
    };
    const double acc_fixed = 100.0 * fx.correct / images;
    const double acc_float = o.skip_float ? NAN : 100.0 * fl.correct / images;
    const double cycles_per_image = static_cast<double>(fx.cycles) / images;
    const double sim_per_image = fx.sim_seconds / images;

    fmt::print("\nMNIST on the MIND 1024 ({}, {} datapath; {} {} images; {})\n", chip->name(), o.chip.datapath, images,
               o.job.holdout ? "held-out training" : "test", o.chip.params.describe());
    fmt::print("{:<34} {:>9} {:>9} {:>7} {:>8} {:>12} {:>11} {:>8} {:>8}\n", "method", "float %", "fixed %", "sweeps",
               "no-conv", "cycles/img", "sim ms/img", "wall s", "img/s");
    fmt::print("{:<34} {:>9} {:>9.2f} {:>7.2f} {:>8} {:>12.0f} {:>11.3f} {:>8.1f} {:>8.1f}\n",
               fmt::format("k-WTA attractor, {}x10 {}", cfg.protos_per_class, cfg.tune_epochs || cfg.attractor_epochs ? "tuned" : "k-means"),
               o.skip_float ? std::string("not run") : fmt::format("{:.2f}", acc_float), acc_fixed,
               mean_sweeps(fx), fx.not_converged, cycles_per_image, 1e3 * sim_per_image, chip_seconds,
               images / chip_seconds);
    if (!o.skip_float)
        fmt::print("float twin: mean sweeps {:.2f}, {} not converged, {:.1f} s wall; gap fixed - float = {:+.2f} points\n",
                   mean_sweeps(fl), fl.not_converged, float_seconds, acc_fixed - acc_float);

    // Confusion matrix (chip), examples.
    const uint32_t K = net.layout.classes;
    std::vector<size_t> confusion(size_t{K} * K, 0);
    for (size_t i = 0; i < images; ++i) ++confusion[size_t{test.labels[i]} * K + fx.predicted[i]];
    OutputSet out(o.out);  // every file of this run, or none
    draw_confusion(out.path("confusion.png"), confusion, K, chip->name(), acc_fixed);
    write_stream_atomic(out.path("confusion.csv"), [&](std::ostream& s) {
        s << "true\\predicted";
        for (uint32_t p = 0; p < K; ++p) s << ',' << p;
        s << '\n';
        for (uint32_t t = 0; t < K; ++t) {
            s << t;
            for (uint32_t p = 0; p < K; ++p) s << ',' << confusion[t * K + p];
            s << '\n';
        }
    });
    write_stream_atomic(out.path("predictions.csv"), [&](std::ostream& s) {
        // Without the float twin (--no-float) there is no float_label column.
        s << "image,true_label,chip_label" << (o.skip_float ? "" : ",float_label") << ",chip_sweeps,chip_cycles\n";
        for (size_t i = 0; i < images; ++i) {
            s << i << ',' << int(test.labels[i]) << ',' << fx.predicted[i];
            if (!o.skip_float) s << ',' << fl.predicted[i];
            s << ',' << fx.sweeps[i] << ',' << fx.image_cycles[i] << '\n';
        }
    });
    if (!example_states.empty()) {
        std::vector<GreyImage> tiles;
        for (size_t i = 0; i < example_states.size(); ++i) {
            auto row = example_tiles(test, i, net, example_states[i], fx.predicted[i]);
            tiles.insert(tiles.end(), row.begin(), row.end());
        }
        const GreyImage grid = tile_images(tiles, 5, 5);
        ImageGridSpec spec{fmt::format("The first {} test images on the {} chip", example_states.size(), chip->name()),
                           {"input\n28 x 28", "pixel neurons\n(clamped crop)", "recalled: mean\nof prototypes on",
                            fmt::format("{} prototype\nneurons (white: on)", net.layout.protos),
                            "label neurons:\nclass 0..9 left to right,\nthe answer underlined"},
                           {}};
        for (size_t i = 0; i < example_states.size(); ++i)
            spec.row_labels.push_back(fmt::format("true {}, chip {}\n{} sweep{}{}", int(test.labels[i]), fx.predicted[i],
                                                  fx.sweeps[i], fx.sweeps[i] == 1 ? "" : "s",
                                                  fx.predicted[i] == test.labels[i] ? "" : "\n(wrong)"));
        // Without gnuplot the tiles still go out, unlabelled.
        if (!image_grid_png(out.path("examples.png"), grid, spec)) write_png(out.path("examples.png"), grid);
        write_stream_atomic(out.path("examples.csv"), [&](std::ostream& s) {
            s << "image,true_label,chip_label" << (o.skip_float ? "" : ",float_label") << ",chip_sweeps\n";
            for (size_t i = 0; i < example_states.size(); ++i) {
                s << i << ',' << int(test.labels[i]) << ',' << fx.predicted[i];
                if (!o.skip_float) s << ',' << fl.predicted[i];
                s << ',' << fx.sweeps[i] << '\n';
            }
        });
    }

    nlohmann::json j = {
        {"images", images},
        {"accuracy_fixed", acc_fixed},
        {"mean_sweeps", mean_sweeps(fx)},
        {"not_converged", fx.not_converged},
        {"cycles_per_image", cycles_per_image},
        {"sim_seconds_per_image", sim_per_image},
        {"overflow", {{"events", fx.overflow_events}, {"images_with_overflow", fx.images_with_overflow},
                      {"max_events_per_image", fx.max_overflow_events}}},
        {"wall_seconds", wall},
        {"chip_wall_seconds", chip_seconds},
        {"images_per_second", images / chip_seconds},
        {"train_seconds", net.train_seconds},
        {"model", chip->name()},
        {"datapath", o.chip.datapath},
        {"chip", {{"n_max", o.chip.params.n_max}, {"wbits", o.chip.params.wbits}, {"abits", o.chip.params.abits},
                  {"lanes", o.chip.params.lanes}, {"latency", o.chip.params.latency}, {"clock_hz", o.chip.params.clock_hz},
                  {"wrap", o.chip.wrap}}},
        {"classifier", {{"method", "k-WTA prototype attractor"}, {"protos_per_class", cfg.protos_per_class},
                        {"label_neurons_per_class", cfg.label_reps}, {"order", order_name(cfg.order)},
                        {"max_sweeps", cfg.max_sweeps}, {"pixel_threshold", cfg.coding.threshold},
                        {"crop", {cfg.coding.top, cfg.coding.left, cfg.coding.height, cfg.coding.width}},
                        {"inhibition", cfg.inhibition}, {"offset", cfg.offset}, {"label_gain", cfg.label_gain},
                        {"ridge", cfg.ridge}, {"seed", cfg.seed},
                        {"neurons", net.layout.first_label + net.layout.labels},
                        {"tune", {{"epochs", cfg.tune_epochs}, {"rate", cfg.tune_rate}, {"margin", cfg.tune_margin},
                                  {"violations_per_epoch", net.tune_violations}}},
                        {"attractor_tune", {{"epochs", cfg.attractor_epochs}, {"rate", cfg.attractor_rate},
                                            {"errors_per_epoch", net.attractor_errors}}}}},
        {"evaluated_on", o.job.holdout ? "holdout (last training images)" : "test"},
        {"quantization", {{"scale", q.weight_report.scale}, {"scale_policy", o.scale}, {"rounding", o.rounding}, {"scale_limited_by", q.scale_limited_by}, {"clipped_fraction", q.weight_report.clipped_fraction},
                          {"max_abs_error", q.weight_report.max_abs_error}, {"rms_error", q.weight_report.rms_error},
                          {"max_abs_threshold", q.max_abs_threshold}, {"thresholds_clipped", q.thresholds_clipped},
                          {"nonzero_weights", std::count_if(q.weights.w.begin(), q.weights.w.end(), [](int16_t v) { return v != 0; })}}},
        {"data", dir},
    };
    // The float twin's fields only when it ran (--no-float leaves them out).
    j["float_twin"] = o.skip_float ? "not run" : "run";
    if (!o.skip_float) {
        j["accuracy_float"] = acc_float;
        j["mean_sweeps_float"] = mean_sweeps(fl);
        j["not_converged_float"] = fl.not_converged;
        j["float_wall_seconds"] = float_seconds;
    }
    write_json(out.path("mnist.json"), j, {{"simulated_seconds", fx.sim_seconds}});
    publish_outputs(out);
    if (!o.json.empty()) write_json(o.json, j, {{"simulated_seconds", fx.sim_seconds}});
    fmt::print("wrote {}/mnist.json, predictions.csv, confusion.png/.csv{}\n", o.out,
               example_states.empty() ? std::string(" (no examples: --examples 0)")
                                      : fmt::format(", examples.png/.csv ({} example{})", example_states.size(),
                                                    example_states.size() == 1 ? "" : "s"));
    return 0;
}

}  // namespace

Command add_mnist_command(CLI::App& app) {
    auto o = std::make_shared<MnistOptions>();
    CLI::App* c = app.add_subcommand("mnist", "train the attractor classifier, run the MNIST test set on the chip and its float twin");
    c->add_option("--out", o->out, "output directory (JSON, confusion matrix, example PNGs)")->capture_default_str();
    c->add_option("--json", o->json, "also write the JSON summary to this file");
    add_mnist_job_options(c, o->job);
    c->add_option("--examples", o->examples,
                  "example recalls to draw in examples.png/.csv, 0..100 (0: neither file is written; at most the test "
                  "images used)")
        ->capture_default_str()
        ->check(whole_number(0, 100));
    add_scale_option(c, o->scale);
    add_rounding_option(c, o->rounding);
    c->add_flag("--no-float", o->skip_float,
                "skip the float twin: the table says 'not run', mnist.json has float_twin: \"not run\" and no "
                "*_float fields, and predictions.csv/examples.csv have no float_label column");
    c->add_flag("--no-progress", o->no_progress, "no progress bar");
    add_chip_options(*c, o->chip);
    return [o] { return run_mnist(*o); };
}

}  // namespace mind1024::host
