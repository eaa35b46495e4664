// mind1024 recall: associative memory as the early Hopfield projects showed
// it. Store patterns, corrupt them, let the chip recall them sweep by sweep
// (the recall study, host/study/recall_study.h); energy per sweep (CSV + plot)
// and the recall frames (PNG).
#include <cmath>
#include <memory>

#include <fmt/format.h>

#include "host/board/errors.h"
#include "host/cli/commands.h"
#include "host/cli/common.h"
#include "host/report/output_file.h"
#include "host/report/plot.h"
#include "host/report/png.h"
#include "host/report/progress.h"
#include "host/study/patterns.h"
#include "host/study/recall_study.h"

namespace mind1024::host {

namespace {

// frames_*.png draws one row per pattern; beyond this many patterns only the first are drawn.
constexpr size_t kMaxFrameRows = 32;

struct RecallOptions {
    std::string patterns = "shapes", data, out = "results/recall";
    std::vector<std::string> rules{"hebb", "storkey"}, orders{"sync", "async"};
    size_t count = 5;
    double flip = 0.2;
    uint32_t max_sweeps = 20;
    uint64_t seed = 1;
    bool no_progress = false;
    ChipSpec chip;
};

uint32_t picture_side(const ChipParams& p) {
    const uint32_t side = static_cast<uint32_t>(std::lround(std::sqrt(double(p.n_max))));
    if (side * side != p.n_max)
        throw BadArgument(fmt::format("recall draws N_MAX = {} neurons as a square picture; use a square N_MAX", p.n_max));
    return side;
}

std::vector<std::string> output_names(const RecallOptions& o) {
    std::vector<std::string> names{"energy.csv", "energy.png", "recall.json"};
    for (const auto& r : o.rules)
        for (const auto& d : o.orders) names.push_back(fmt::format("frames_{}_{}.png", r, order_name(parse_order(d))));
    return names;
}

// One row per pattern: target, corrupted, sweeps 1..max (the last one repeated).
GreyImage frames_picture(const RecallRun& run, uint32_t max_sweeps, uint32_t side) {
    std::vector<GreyImage> tiles;
    for (const PatternRecall& p : run.patterns) {
        if (p.frames.empty()) break;
        for (size_t k = 0; k < max_sweeps + 2 && k < 12; ++k)
            tiles.push_back(state_image(p.frames[std::min(k, p.frames.size() - 1)], 0, side, side));
    }
    return tile_images(tiles, static_cast<int>(std::min<size_t>(max_sweeps + 2, 12)), 3);
}

std::string energy_rows(const RecallRun& run) {
    std::string csv;
    for (size_t mu = 0; mu < run.patterns.size(); ++mu) {
        const PatternRecall& p = run.patterns[mu];
        for (size_t k = 0; k < p.energy.size(); ++k)
            csv += fmt::format("{},{},{},{},{},{:.6g},{:.6f}\n", run.rule, order_name(run.order), mu, k, p.energy[k],
                               p.energy[k] / run.scale, p.overlaps[k]);
    }
    return csv;
}

void write_outputs(const RecallOptions& o, const std::vector<RecallRun>& runs, size_t n, size_t drawn,
                   const ChipDriver& chip) {
    OutputSet out(o.out);  // this run's files, published together with a manifest
    std::string csv = "rule,order,pattern,sweep,energy,energy_float,overlap\n";
    nlohmann::json summary = nlohmann::json::array();
    PlotSpec plot{fmt::format("Energy during recall ({} {} patterns, {:.0f}% flipped, WBITS={})", o.count, o.patterns,
                              100 * o.flip, o.chip.params.wbits),
                  "sweep", "mean energy per neuron (float units: E / (scale N))", false, {}, {}, 0, 0};
    double sim_seconds = 0;
    fmt::print("{:<8} {:<6} {:>8} {:>13} {:>12} {:>8} {:>10}\n", "rule", "order", "recalled", "mean overlap",
               "mean sweeps", "2-cycles", "clipped %");
    for (const RecallRun& run : runs) {
        const std::string name = fmt::format("{} {}", run.rule, order_name(run.order));
        csv += energy_rows(run);
        write_png(out.path(fmt::format("frames_{}_{}.png", run.rule, order_name(run.order))),
                  frames_picture(run, o.max_sweeps, static_cast<uint32_t>(std::lround(std::sqrt(double(n))))));
        Series sr{name, {}, {}, true};
        const std::vector<double> e = run.mean_energy(o.max_sweeps, n);
        for (size_t k = 0; k <= o.max_sweeps; ++k) sr.x.push_back(double(k)), sr.y.push_back(e[k]);
        plot.series.push_back(sr);
        const size_t count = run.patterns.size();
        summary.push_back({{"rule", run.rule}, {"order", order_name(run.order)}, {"patterns", count},
                           {"recalled_exactly", run.recalled()}, {"mean_final_overlap", run.mean_final_overlap()},
                           {"mean_sweeps", run.mean_sweeps()}, {"cycle2", run.cycle2()},
                           {"weights_clipped_fraction", run.clipped_fraction}, {"scale", run.scale}});
        fmt::print("{:<8} {:<6} {:>4}/{:<3} {:>13.3f} {:>12.2f} {:>8} {:>10.3f}\n", run.rule, order_name(run.order),
                   run.recalled(), count, run.mean_final_overlap(), run.mean_sweeps(), run.cycle2(),
                   100 * run.clipped_fraction);
        sim_seconds += run.sim_seconds;
    }
    write_text_atomic(out.path("energy.csv"), csv);
    plot_png(out.path("energy.png"), plot);
    write_json(out.path("recall.json"),
               {{"patterns", o.patterns}, {"count", o.count}, {"flip", o.flip}, {"wbits", o.chip.params.wbits},
                {"model", chip.name()}, {"frames_patterns_drawn", drawn}, {"seed", o.seed}, {"results", summary}},
               provenance(&chip, {{"simulated_seconds", sim_seconds}}));
    publish_outputs(out, provenance(&chip));
}

int run_recall(const RecallOptions& o) {
    const uint32_t side = picture_side(o.chip.params);
    check_output_dir(o.out, output_names(o));  // every output location first, before any work
    check_chip_outputs(o.chip);
    const Patterns pats = make_patterns(o.patterns, o.count, side, o.seed, o.data);
    auto chip = open_chip(o.chip);
    ensure_directory(o.out);
    RecallSpec spec;
    spec.rules = o.rules;
    spec.orders.clear();
    for (const auto& d : o.orders) spec.orders.push_back(parse_order(d));
    spec.flip = o.flip, spec.max_sweeps = o.max_sweeps, spec.seed = o.seed, spec.wrap = o.chip.wrap;
    spec.keep_frames = std::min(pats.count, kMaxFrameRows);
    std::unique_ptr<Progress> bar;  // one bar per rule and order
    const auto runs = run_recall_study(*chip, pats, spec, [&](size_t run, size_t done) {
        if (done == 1) {
            if (bar) bar->finish();
            bar = std::make_unique<Progress>(fmt::format("[recall] {} {}", spec.rules[run / spec.orders.size()],
                                                         order_name(spec.orders[run % spec.orders.size()])),
                                             pats.count, !o.no_progress);
        }
        bar->update(done);
    });
    if (bar) bar->finish();
    write_outputs(o, runs, pats.n, spec.keep_frames, *chip);
    fmt::print("wrote {}/energy.csv, energy.png, frames_*.png ({}), recall.json\n", o.out,
               spec.keep_frames < pats.count ? fmt::format("the first {} of {} patterns", spec.keep_frames, pats.count)
                                             : fmt::format("all {} patterns", pats.count));
    return 0;
}

}  // namespace

Command add_recall_command(CLI::App& app) {
    auto o = std::make_shared<RecallOptions>();
    CLI::App* c = app.add_subcommand("recall", "store patterns, corrupt them, recall them on the chip (energy per sweep, frames)");
    c->add_option("--patterns", o->patterns, "mnist (one digit per class), shapes (checkerboard, stripes...) or random")
        ->capture_default_str()->check(CLI::IsMember({"mnist", "shapes", "random"}));
    c->add_option("--count", o->count, "patterns to store")->capture_default_str()->check(CLI::Range(1, 10000));
    c->add_option("--flip", o->flip, "fraction of neurons flipped in the probe")->capture_default_str()->check(CLI::Range(0.0, 1.0));
    c->add_option("--rules", o->rules, "learning rules: hebb, storkey, pinv")->capture_default_str()->delimiter(',');
    c->add_option("--orders", o->orders, std::string("update orders, comma-separated: ") + kOrderHelp)->capture_default_str()->delimiter(',')->check(order_check());
    c->add_option("--max-sweeps", o->max_sweeps, "sweeps at most")->capture_default_str()->check(CLI::Range(1, 1000));
    c->add_option("--seed", o->seed, "seed of the corruption, random patterns and ASYNC_PERM")->capture_default_str()->check(whole_number(0, UINT64_MAX));
    c->add_option("--data", o->data, "MNIST directory (for --patterns mnist)");
    c->add_option("--out", o->out,
                  fmt::format("output directory (frames_*.png draw the first {} patterns at most)", kMaxFrameRows))
        ->capture_default_str();
    c->add_flag("--no-progress", o->no_progress, "no progress bar");
    add_chip_options(*c, o->chip);
    return [o] {
        for (const auto& r : o->rules) parse_learning_rule(r);  // refuse bad names before any work
        for (const auto& r : o->orders) parse_order(r);
        return run_recall(*o);
    };
}

}  // namespace mind1024::host
