// mind1024 recall: associative memory as the early Hopfield projects showed
// it. Store patterns, corrupt them, let the chip recall them sweep by sweep;
// energy per sweep (CSV + plot) and the recall frames (PNG).
#include <fmt/format.h>

#include "host/cli/commands.h"
#include "host/cli/common.h"
#include "host/study/memory.h"
#include "host/board/errors.h"
#include "host/report/output_file.h"
#include "host/study/patterns.h"
#include "host/report/plot.h"
#include "host/report/png.h"
#include "host/report/progress.h"

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

int run_recall(const RecallOptions& o) {
    const uint32_t side = static_cast<uint32_t>(std::lround(std::sqrt(double(o.chip.params.n_max))));
    if (side * side != o.chip.params.n_max)
        throw BadArgument(fmt::format("recall draws N_MAX = {} neurons as a square picture; use a square N_MAX", o.chip.params.n_max));
    {  // every output location first, before any work
        std::vector<std::string> names{"energy.csv", "energy.png", "recall.json"};
        for (const auto& r : o.rules)
            for (const auto& d : o.orders) names.push_back(fmt::format("frames_{}_{}.png", r, order_name(parse_order(d))));
        check_output_dir(o.out, names);
        check_chip_outputs(o.chip);
    }
    const Patterns pats = make_patterns(o.patterns, o.count, side, o.seed, o.data);
    const size_t n = pats.n;
    auto chip = open_chip(o.chip);
    ensure_directory(o.out);
    OutputSet out(o.out);  // this run's files, published together with a manifest

    std::string csv = "rule,order,pattern,sweep,energy,energy_float,overlap\n";
    nlohmann::json summary = nlohmann::json::array();
    double sim_seconds = 0;  // simulated time of every sweep of the chip
    PlotSpec plot{fmt::format("Energy during recall ({} {} patterns, {:.0f}% flipped, WBITS={})", o.count, o.patterns,
                              100 * o.flip, o.chip.params.wbits),
                  "sweep", "mean energy per neuron (float units: E / (scale N))", false, {}, {}, 0, 0};
    const size_t drawn = std::min(pats.count, kMaxFrameRows);
    fmt::print("{:<8} {:<6} {:>8} {:>13} {:>12} {:>8} {:>10}\n", "rule", "order", "recalled", "mean overlap",
               "mean sweeps", "2-cycles", "clipped %");
    for (const std::string& rule_name : o.rules) {
        const LearningRule rule = parse_learning_rule(rule_name);
        const FloatMatrix J = learn(rule, pats);
        chip->soft_reset();
        QuantReport qr;
        const WeightMatrix w = load_float_weights(*chip, J, &qr);
        for (const std::string& order_name_s : o.orders) {
            const Order order = parse_order(order_name_s);
            std::vector<GreyImage> tiles;
            std::vector<double> mean_energy(o.max_sweeps + 1, 0.0);
            size_t recalled = 0, cycle2 = 0;
            // One bar per rule and order, finished before its table row.
            Progress bar(fmt::format("[recall] {} {}", rule_name, order_name(order)), pats.count, !o.no_progress);
            double sum_overlap = 0, sum_sweeps = 0;
            for (size_t mu = 0; mu < pats.count; ++mu) {
                const std::vector<int8_t> target(pats.pattern(mu), pats.pattern(mu) + n);
                std::vector<int8_t> s = corrupt(target.data(), n, o.flip, o.seed * 1000 + mu);
                chip->set_state(s);
                std::vector<std::vector<int8_t>> frames{target, s};
                std::vector<int8_t> two_back, one_back = s;
                std::vector<int64_t> e{energy(w, s)};
                uint32_t sweeps = 0;
                bool c2 = false;
                for (uint32_t k = 1; k <= o.max_sweeps; ++k) {
                    RunParams rp;
                    rp.order = order;
                    rp.seed = static_cast<uint32_t>(o.seed + k);
                    rp.max_sweeps = 1;
                    rp.wrap = o.chip.wrap;
                    const RunResult r = chip->step(rp);
                    sim_seconds += r.sim_seconds;
                    two_back = one_back;
                    one_back = s;
                    const std::vector<int8_t> all = chip->state();
                    s.assign(all.begin(), all.begin() + n);
                    sweeps = k;
                    frames.push_back(s);
                    e.push_back(energy(w, s));
                    if (r.converged) break;
                    if (order == Order::Sync && k >= 2 && s == two_back) { c2 = true; break; }
                }
                for (size_t k = 0; k < e.size(); ++k)
                    csv += fmt::format("{},{},{},{},{},{:.6g},{:.6f}\n", rule_name, order_name(order), mu, k, e[k], e[k] / qr.scale,
                                       overlap(frames[k + 1].data(), target.data(), n));
                for (size_t k = 0; k <= o.max_sweeps; ++k) mean_energy[k] += double(e[std::min(k, e.size() - 1)]) / qr.scale / n / pats.count;
                const double m = overlap(s.data(), target.data(), n);
                sum_overlap += m;
                sum_sweeps += sweeps;
                recalled += s == target;
                cycle2 += c2;
                // Frame row: target, corrupted, sweeps 1..max (the last one repeated); the first patterns only.
                if (mu < drawn)
                    for (size_t k = 0; k < o.max_sweeps + 2 && k < 12; ++k)
                        tiles.push_back(state_image(frames[std::min(k, frames.size() - 1)], 0, side, side));
                bar.update(mu + 1);
            }
            bar.finish();
            const size_t columns = std::min<size_t>(o.max_sweeps + 2, 12);
            write_png(out.path(fmt::format("frames_{}_{}.png", rule_name, order_name(order))),
                      tile_images(tiles, static_cast<int>(columns), 3));
            Series sr{fmt::format("{} {}", rule_name, order_name(order)), {}, {}, true};
            for (size_t k = 0; k <= o.max_sweeps; ++k) sr.x.push_back(double(k)), sr.y.push_back(mean_energy[k]);
            plot.series.push_back(sr);
            summary.push_back({{"rule", rule_name}, {"order", order_name(order)}, {"patterns", pats.count},
                               {"recalled_exactly", recalled}, {"mean_final_overlap", sum_overlap / pats.count},
                               {"mean_sweeps", sum_sweeps / pats.count}, {"cycle2", cycle2},
                               {"weights_clipped_fraction", qr.clipped_fraction}, {"scale", qr.scale}});
            fmt::print("{:<8} {:<6} {:>4}/{:<3} {:>13.3f} {:>12.2f} {:>8} {:>10.3f}\n", rule_name, order_name(order),
                       recalled, pats.count, sum_overlap / pats.count, sum_sweeps / pats.count, cycle2,
                       100 * qr.clipped_fraction);
        }
    }
    write_text_atomic(out.path("energy.csv"), csv);
    plot_png(out.path("energy.png"), plot);
    write_json(out.path("recall.json"),
               {{"patterns", o.patterns}, {"count", o.count}, {"flip", o.flip}, {"wbits", o.chip.params.wbits},
                {"model", chip->name()}, {"frames_patterns_drawn", drawn}, {"seed", o.seed}, {"results", summary}},
               provenance(chip.get(), {{"simulated_seconds", sim_seconds}}));
    publish_outputs(out, provenance(chip.get()));
    fmt::print("wrote {}/energy.csv, energy.png, frames_*.png ({}), recall.json\n", o.out,
               drawn < pats.count ? fmt::format("the first {} of {} patterns", drawn, pats.count)
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
