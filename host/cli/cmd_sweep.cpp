// mind1024 sweep: the MNIST classifier against the chip's word widths —
// WBITS 1..16, a few ABITS, saturate against wrap — with the float twin's
// accuracy on the same plot. Training happens once; every chip configuration
// runs in its own child process (one chip per process).
#include <fmt/format.h>

#include "host/cli/commands.h"
#include "host/cli/common.h"
#include "host/board/errors.h"
#include "host/cli/mnist_job.h"
#include "host/report/output_file.h"
#include "host/report/plot.h"
#include "host/classify/prototype_classifier.h"
#include "host/study/classify_study.h"

namespace mind1024::host {

namespace {

struct SweepOptions {
    MnistJobOptions job;
    std::string out = "results/sweep";
    std::vector<uint32_t> wbits{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    std::vector<uint32_t> abits{16, 20, 24};
    std::vector<std::string> modes{"saturate", "wrap"};
    std::string scale = "fit";
    std::string rounding = "nearest";
    unsigned jobs = 2;
    bool no_progress = false;
    ChipSpec chip;
};

// The configurations in the order of the table: modes, then ABITS, then WBITS.
std::vector<ChipSpec> sweep_specs(const SweepOptions& o) {
    std::vector<ChipSpec> specs;
    for (const auto& m : o.modes)
        for (uint32_t a : o.abits)
            for (uint32_t w : o.wbits) {
                ChipSpec s = o.chip;
                s.params.wbits = w;
                s.params.abits = a;
                s.wrap = m == "wrap";
                specs.push_back(s);
            }
    return specs;
}

std::string describe(const ChipSpec& s) {
    return fmt::format("WBITS={} ABITS={} {}", s.params.wbits, s.params.abits, s.wrap ? "wrap" : "saturate");
}

// The keys of a sweep.json row, as the sweep has always written them.
const char* const kRowKeys[] = {"accuracy", "mean_sweeps", "not_converged", "overflow_events_per_image",
                                "thresholds_clipped", "weights_clipped_fraction", "weight_rms_error", "scale",
                                "scale_limited_by"};

void write_outputs(const SweepOptions& o, const std::vector<ChipSpec>& specs, const std::vector<nlohmann::json>& results,
                   size_t images) {
    OutputSet out(o.out);  // this run's files, published together with a manifest
    const double float_acc = results.back()["accuracy"];
    std::string csv = "wbits,abits,mode,accuracy,mean_sweeps,not_converged,overflow_events_per_image,thresholds_clipped,weights_clipped_fraction\n";
    nlohmann::json rows = nlohmann::json::array();
    PlotSpec ps{fmt::format("MNIST accuracy against weight bits ({} test images, scale {}; float twin {:.2f}%)", images, o.scale, float_acc),
                "WBITS", "accuracy (%)", false, {}, {}, 0, 100};
    for (const auto& m : o.modes)
        for (uint32_t a : o.abits) {
            Series s{fmt::format("ABITS={} {}", a, m), {}, {}, true};
            // Curves that coincide stay told apart by their point and dash types (and the note below the plot).
            s.point_type = int(ps.series.size() % 6) * 2 + 4;
            s.dash_type = int(ps.series.size() % 5) + 1;
            for (size_t k = 0; k < specs.size(); ++k) {
                const ChipParams& c = specs[k].params;
                if (c.abits != a || specs[k].wrap != (m == "wrap")) continue;
                const auto& r = results[k];
                s.x.push_back(c.wbits);
                s.y.push_back(r["accuracy"]);
                csv += fmt::format("{},{},{},{:.2f},{:.3f},{},{:.3f},{},{:.6f}\n", c.wbits, a, m, r["accuracy"].get<double>(),
                                   r["mean_sweeps"].get<double>(), r["not_converged"].get<size_t>(),
                                   r["overflow_events_per_image"].get<double>(), r["thresholds_clipped"].get<size_t>(),
                                   r["weights_clipped_fraction"].get<double>());
                nlohmann::json row;
                for (const char* key : kRowKeys) row[key] = r.at(key);
                row["wbits"] = c.wbits;
                row["abits"] = a;
                row["mode"] = m;
                rows.push_back(row);
            }
            ps.series.push_back(s);
        }
    Series twin{fmt::format("float twin ({:.2f}%)", float_acc), {double(o.wbits.front()), double(o.wbits.back())}, {float_acc, float_acc}, false};
    twin.rgb = "black";
    twin.line_width = 3;
    ps.series.push_back(twin);
    ps.horizontal_marks.push_back({10.0, "chance (10%)"});
    ps.integer_x = true;
    const std::string same = coinciding_series_note(ps.series);
    if (!same.empty()) ps.note = "Drawn over each other: " + same + ".";
    const nlohmann::json prov = provenance();
    write_text_atomic(out.path("sweep.csv"), csv);
    write_json(out.path("sweep.json"), {{"images", images}, {"scale_policy", o.scale}, {"rounding", o.rounding}, {"float", results.back()}, {"configs", rows}}, prov);
    plot_png(out.path("accuracy_vs_bits.png"), ps);
    publish_outputs(out, prov);
}

void print_table(const SweepOptions& o, const std::vector<ChipSpec>& specs, const std::vector<nlohmann::json>& results) {
    fmt::print("\nMNIST accuracy (%) by WBITS; float twin {:.2f}%\n{:<16}", results.back()["accuracy"].get<double>(),
               "ABITS / mode");
    for (uint32_t w : o.wbits) fmt::print("{:>6}", w);
    fmt::print("\n");
    for (const auto& m : o.modes)
        for (uint32_t a : o.abits) {
            fmt::print("{:<16}", fmt::format("{} {}", a, m));
            for (size_t k = 0; k < specs.size(); ++k)
                if (specs[k].params.abits == a && specs[k].wrap == (m == "wrap"))
                    fmt::print("{:>6.1f}", results[k]["accuracy"].get<double>());
            fmt::print("\n");
        }
}

int run_sweep(const SweepOptions& o) {
    refuse_vcd_in_children(o.chip, "sweep");
    check_output_dir(o.out, {"sweep.csv", "sweep.json", "accuracy_vs_bits.png"});  // before any work
    const MnistJob job = prepare_mnist_job(o.job, o.chip.params.n_max, "sweep");
    ensure_directory(o.out);  // after the data checks: a bad data set leaves no empty directory
    const std::vector<ChipSpec> specs = sweep_specs(o);
    fmt::print(stderr, "[sweep] {} chip configurations x {} test images, {} at a time\n", specs.size(), job.images, o.jobs);
    size_t finished = 0;
    const auto results = classify_over_chips(
        job.net, {&job.pixels, &job.test.labels}, specs, {o.scale, o.rounding, o.job.seed}, o.jobs,
        [&](size_t k, const nlohmann::json& r) {
            ++finished;
            if (o.no_progress) return;
            const std::string what = k == specs.size() ? std::string("float twin") : describe(specs[k]);
            if (r.contains("error")) fmt::print(stderr, "[sweep] {}/{} {}: failed: {}\n", finished, specs.size() + 1, what, r["error"].get<std::string>());
            else fmt::print(stderr, "[sweep] {}/{} {}: {:.2f}%\n", finished, specs.size() + 1, what, r["accuracy"].get<double>());
        });
    for (const auto& r : results)
        if (r.contains("error")) throw BoardError("sweep configuration failed: " + r["error"].get<std::string>());
    write_outputs(o, specs, results, job.images);
    print_table(o, specs, results);
    fmt::print("wrote {}/sweep.csv, sweep.json, accuracy_vs_bits.png\n", o.out);
    return 0;
}

}  // namespace

Command add_sweep_command(CLI::App& app) {
    auto o = std::make_shared<SweepOptions>();
    CLI::App* c = app.add_subcommand("sweep", "MNIST accuracy against WBITS, ABITS and overflow mode, with the float line");
    c->add_option("--out", o->out, "output directory")->capture_default_str();
    c->add_option("--bits", o->wbits, "WBITS values")->capture_default_str()->delimiter(',')->check(CLI::Range(1, 16));
    c->add_option("--acc-bits", o->abits, "ABITS values (accumulator widths) to sweep")->capture_default_str()->delimiter(',')->check(CLI::Range(2, 32));
    c->add_option("--modes", o->modes, "saturate, wrap")->capture_default_str()->delimiter(',')->check(CLI::IsMember({"saturate", "wrap"}));
    add_scale_option(c, o->scale);
    add_rounding_option(c, o->rounding);
    add_mnist_job_options(c, o->job);
    c->add_option("--jobs", o->jobs, "child processes at once")->capture_default_str()->check(CLI::Range(1, 64));
    c->add_flag("--no-progress", o->no_progress, "no progress lines");
    // WBITS, ABITS and the overflow mode are what --bits, --acc-bits and --modes sweep; the chips run
    // in child processes, so there is no one trace: none of --wbits, --abits, --wrap, --vcd is offered.
    add_chip_options(*c, o->chip, kOfferAll & ~(kOfferWbits | kOfferAbits | kOfferWrap | kOfferVcd));
    return [o] { return run_sweep(*o); };
}

}  // namespace mind1024::host
