// mind1024 mnist: train the attractor classifier on MNIST (or load a saved
// one), quantize it, run the test set through the chip and its float twin,
// write the results. The work is the study layer's (host/study).
#include <chrono>
#include <cmath>

#include <fmt/format.h>

#include "host/cli/commands.h"
#include "host/cli/common.h"
#include "host/cli/mnist_job.h"
#include "host/report/output_file.h"
#include "host/report/progress.h"
#include "host/study/classify_study.h"
#include "host/study/classify_writers.h"

namespace mind1024::host {

namespace {

struct MnistOptions {
    MnistJobOptions job;
    std::string out = "results/mnist", json, scale = "fit", rounding = "nearest";
    uint32_t examples = 8;
    bool no_progress = false, skip_float = false;
    ChipSpec chip;
};

// mnist.json: the chip's figures (the study's schema), the float twin's, the settings.
nlohmann::json summary(const MnistOptions& o, const MnistJob& job, const ChipNetwork& q, const ClassifierEval& e,
                       const std::string& model, double wall) {
    nlohmann::json j = chip_figures_json(e.chip);
    j.update({{"wall_seconds", wall},
              {"chip_wall_seconds", e.chip.wall_seconds},
              {"images_per_second", double(e.chip.images()) / e.chip.wall_seconds},
              {"train_seconds", job.net.train_seconds},
              {"model", model},
              {"datapath", o.chip.datapath},
              {"chip", chip_json(o.chip)},
              {"classifier", classifier_json(job.net)},
              {"evaluated_on", o.job.holdout ? "holdout (last training images)" : "test"},
              {"quantization", quantization_json(q, o.scale, o.rounding)},
              {"data", job.dir}});
    // The float twin's fields only when it ran (--no-float leaves them out).
    j["float_twin"] = e.twin_run ? "run" : "not run";
    if (e.twin_run) {
        j["accuracy_float"] = e.twin.accuracy();
        j["mean_sweeps_float"] = e.twin.mean_sweeps();
        j["not_converged_float"] = e.twin.not_converged;
        j["float_wall_seconds"] = e.twin.wall_seconds;
    }
    return j;
}

void print_table(const MnistOptions& o, const MnistJob& job, const ClassifierEval& e, const std::string& model) {
    const ClassifierConfig& cfg = job.net.cfg;
    const ClassifierRun& fx = e.chip;
    const double images = double(fx.images());
    fmt::print("\nMNIST on the MIND 1024 ({}, {} datapath; {} {} images; {})\n", model, o.chip.datapath, fx.images(),
               o.job.holdout ? "held-out training" : "test", o.chip.params.describe());
    fmt::print("{:<34} {:>9} {:>9} {:>7} {:>8} {:>11} {:>12} {:>11} {:>8} {:>8}\n", "method", "float %", "fixed %", "sweeps",
               "no-conv", "ties", "cycles/img", "sim ms/img", "wall s", "img/s");
    fmt::print("{:<34} {:>9} {:>9.2f} {:>7.2f} {:>8} {:>11} {:>12.0f} {:>11.3f} {:>8.1f} {:>8.1f}\n",
               fmt::format("k-WTA attractor, {}x10 {}", cfg.protos_per_class,
                           cfg.tune_epochs || cfg.attractor_epochs ? "tuned" : "k-means"),
               e.twin_run ? fmt::format("{:.2f}", e.twin.accuracy()) : std::string("not run"), fx.accuracy(),
               fx.mean_sweeps(), fx.not_converged, fx.unanswered, fx.cycles_per_image(), 1e3 * fx.sim_seconds / images,
               fx.wall_seconds, images / fx.wall_seconds);
    if (e.twin_run)
        fmt::print("float twin: mean sweeps {:.2f}, {} not converged, {} ties, {:.1f} s wall; gap fixed - float = {:+.2f} points\n",
                   e.twin.mean_sweeps(), e.twin.not_converged, e.twin.unanswered, e.twin.wall_seconds, fx.accuracy() - e.twin.accuracy());
    if (fx.unanswered)
        fmt::print("ties: {} of {} images had no single label neuron with the largest sum ({})\n", fx.unanswered,
                   fx.images(), cfg.prototype_ties ? "labelled by the largest prototype field among the tied classes"
                                                   : "labelled the lowest tied class");
}

void write_outputs(const MnistOptions& o, const MnistJob& job, const ClassifierEval& e, const std::string& model,
                   const nlohmann::json& j, const nlohmann::json& prov) {
    OutputSet out(o.out);  // every file of this run, or none
    write_confusion_png(out.path("confusion.png"), e.confusion, e.classes,
                        fmt::format("MNIST confusion on the {} chip, WBITS {} ABITS {}: {:.2f}% of {} {} images correct", model,
                                    o.chip.params.wbits, o.chip.params.abits, e.chip.accuracy(), e.chip.images(),
                                    o.job.holdout ? "held-out training" : "test"));
    write_confusion_csv(out.path("confusion.csv"), e.confusion, e.classes);
    write_predictions_csv(out.path("predictions.csv"), job.test.labels, e, e.chip.images(), true);
    if (!e.example_states.empty()) {
        write_examples_png(out.path("examples.png"), job.test, job.net, e, model);
        write_predictions_csv(out.path("examples.csv"), job.test.labels, e, e.example_states.size(), false);
    }
    write_json(out.path("mnist.json"), j, prov);
    publish_outputs(out, prov);
    if (!o.json.empty()) write_json(o.json, j, prov);
    const size_t n = e.example_states.size();
    fmt::print("wrote {}/mnist.json, predictions.csv, confusion.png/.csv{}\n", o.out,
               n ? fmt::format(", examples.png/.csv ({} example{})", n, n == 1 ? "" : "s")
                 : std::string(" (no examples: --examples 0)"));
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
    const ChipNetwork q = quantize_for_chip(job.net, o.chip.params, o.scale, o.rounding, o.job.seed, "mnist");

    Progress bar(fmt::format("[mnist] {} chip", chip->name()), job.images, !o.no_progress);
    ClassifierEvalOptions eo;
    eo.run_twin = !o.skip_float;
    eo.chip.wrap = o.chip.wrap;
    eo.chip.examples = o.examples;
    eo.chip.progress = [&bar](size_t done) { bar.update(done); };
    const ClassifierEval e = evaluate_classifier(*chip, job.net, q, {&job.pixels, &job.test.labels}, eo);
    bar.finish();
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();

    print_table(o, job, e, chip->name());
    const nlohmann::json j = summary(o, job, q, e, chip->name(), wall);
    write_outputs(o, job, e, chip->name(), j, provenance(chip.get(), {{"simulated_seconds", e.chip.sim_seconds}}));
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
