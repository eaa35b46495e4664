// mind1024 capacity: recall quality against load alpha = P/N for random
// unbiased patterns, Hebb / Storkey / pseudo-inverse, in float and on the chip
// for each WBITS, with the theory marks: the capacity study
// (host/study/capacity_study.h), written as tables, CSV, JSON and plots.
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "host/cli/commands.h"
#include "host/cli/common.h"
#include "host/cli/mnist_job.h"
#include "host/report/output_file.h"
#include "host/report/plot.h"
#include "host/study/capacity_study.h"

namespace mind1024::host {

namespace {

struct CapacityOptions {
    CapacitySpec spec;
    QuantizeFlags quant;
    double threshold = 0.9;
    std::string order = "async", out = "results/capacity";
    bool no_progress = false;
};

std::vector<std::string> output_names(const CapacityOptions& o) {
    std::vector<std::string> names{"capacity.csv", "capacity.json", "alpha_c.png"};
    for (const auto& r : o.spec.rules) names.push_back(fmt::format("capacity_{}.png", r));
    return names;
}

// The quantizer's settings; the bits are each curve's WBITS.
nlohmann::json capacity_quantizer_json(const QuantizerOptions& q) {
    nlohmann::json j = quantizer_json(q);
    j.erase("bits"), j.erase("codes");
    return j;
}

nlohmann::json summary_head(const CapacityOptions& o, const CapacityResult& res) {
    const CapacitySpec& s = o.spec;
    const double N = s.neurons;
    return {{"neurons", s.neurons}, {"probes", s.probes}, {"flip", s.flip}, {"order", order_name(s.order)},
            {"threshold", o.threshold}, {"model", s.chip.model}, {"quantizer", capacity_quantizer_json(s.quant)},
            {"seed", s.seed}, {"loads", res.loads}, {"alpha", res.alpha},
            {"wbits", s.wbits},
            {"theory", {{"hebb", 0.138}, {"clipped_hebb_1bit", 0.10}, {"storkey", 1.0 / std::sqrt(2.0 * std::log(N))}}},
            {"rules", nlohmann::json::object()}};
}

// One rule: its plot, its CSV rows, its JSON, its table rows; the alpha_c plot's series.
void write_rule(const CapacityOptions& o, const CapacityResult& res, size_t r, OutputSet& out, std::string& csv,
                nlohmann::json& summary, PlotSpec& ac, std::string& exact_line) {
    const CapacitySpec& s = o.spec;
    const std::string& rule = s.rules[r];
    const std::vector<double>& alpha = res.alpha;
    const std::vector<uint32_t> shown{1, 2, 3, 4, 6, 8, 16};
    PlotSpec ps{fmt::format("{}: recall quality against load (N = {}, {} probes, {:.0f}% flipped)", rule, s.neurons,
                            s.probes, 100 * s.flip),
                "alpha = P / N", "mean final overlap", false, {}, {}, -0.05, 1.05};
    ps.vertical_marks = {{0.138, "Hebb 0.138"}, {0.10, "clipped Hebb 0.10"},
                         {1.0 / std::sqrt(2.0 * std::log(double(s.neurons))), "Storkey N/sqrt(2 ln N)"}};
    const RecallCurve& f = res.floats[r];
    ps.series.push_back({"float", alpha, f.overlap, true});
    const AlphaC fa = alpha_c(alpha, f.overlap, o.threshold), fe = alpha_c(alpha, f.exact, 0.5);
    nlohmann::json rj = {{"float", {{"overlap", f.overlap}, {"exact", f.exact}, {"alpha_c", fa.json()}, {"alpha_exact", fe.json()}}}};
    fmt::print("{:<9}{}", rule, fa.text(8));
    exact_line += fmt::format("{:<9}{}", rule, fe.text(8));
    Series acs{rule, {}, {}, true};
    for (size_t l = 0; l < res.loads.size(); ++l)
        csv += fmt::format("{},float,{},{:.6f},{:.6f},{:.6f}\n", rule, res.loads[l], alpha[l], f.overlap[l], f.exact[l]);
    for (size_t k = 0; k < s.wbits.size(); ++k) {
        const RecallCurve& c = res.chips[k][r];
        const AlphaC a = alpha_c(alpha, c.overlap, o.threshold), ae = alpha_c(alpha, c.exact, 0.5);
        fmt::print("{}", a.text(7));
        exact_line += ae.text(7);
        rj[fmt::format("wbits{}", s.wbits[k])] = {{"overlap", c.overlap}, {"exact", c.exact}, {"alpha_c", a.json()},
                                                  {"alpha_exact", ae.json()}, {"max_clipped_fraction", c.max_clipped_fraction}};
        acs.x.push_back(s.wbits[k]);
        acs.y.push_back(a.value);
        for (size_t l = 0; l < res.loads.size(); ++l)
            csv += fmt::format("{},wbits{},{},{:.6f},{:.6f},{:.6f}\n", rule, s.wbits[k], res.loads[l], alpha[l],
                               c.overlap[l], c.exact[l]);
        if (std::find(shown.begin(), shown.end(), s.wbits[k]) != shown.end())
            ps.series.push_back({fmt::format("WBITS={}", s.wbits[k]), alpha, c.overlap, true});
    }
    fmt::print("\n");
    exact_line += "\n";
    summary["rules"][rule] = rj;
    ac.series.push_back(acs);
    Series fl{rule + " float", {double(s.wbits.front()), double(s.wbits.back())}, {}, false};
    fl.y = {fa.value, fa.value};
    ac.series.push_back(fl);
    plot_png(out.path(fmt::format("capacity_{}.png", rule)), ps);
}

void write_outputs(const CapacityOptions& o, const CapacityResult& res) {
    const CapacitySpec& s = o.spec;
    OutputSet out(o.out);  // this run's files, published together with a manifest
    std::string csv = "rule,precision,patterns,alpha,mean_overlap,exact_fraction\n";
    nlohmann::json summary = summary_head(o, res);
    PlotSpec ac{fmt::format("Measured alpha_c against weight bits (N = {}, overlap < {}; top edge = no failure up to alpha {:.2f})",
                            s.neurons, o.threshold, res.alpha.back()),
                "WBITS", "alpha_c", false, {}, {}, 0, 0};
    fmt::print("\nalpha_c (first load with mean final overlap < {}), N = {}\n{:<9}{:>8}", o.threshold, s.neurons, "rule", "float");
    std::string header;
    for (uint32_t b : s.wbits) header += fmt::format("{:>7}", fmt::format("W{}", b));
    fmt::print("{}\n", header);
    std::string exact_line =
        fmt::format("\nalpha where fewer than half of the probes end exactly on their pattern\n{:<9}{:>8}{}\n", "rule", "float", header);
    for (size_t r = 0; r < s.rules.size(); ++r) write_rule(o, res, r, out, csv, summary, ac, exact_line);
    write_text_atomic(out.path("capacity.csv"), csv);
    write_json(out.path("capacity.json"), summary, provenance());
    plot_png(out.path("alpha_c.png"), ac);
    publish_outputs(out, provenance());
    fmt::print("{}", exact_line);
}

int run_capacity(CapacityOptions o) {
    check_output_dir(o.out, output_names(o));  // every output location first, before any work
    refuse_vcd_in_children(o.spec.chip, "capacity");
    o.spec.order = parse_order(o.order);
    o.spec.quant = quantizer_range_options(o.quant);
    fmt::print(stderr, "[capacity] {} rules x {} loads at N = {}, WBITS {} in child processes\n", o.spec.rules.size(),
               o.spec.loads.size(), o.spec.neurons, o.spec.wbits.size());
    size_t finished = 0;
    if (!o.no_progress) o.spec.on_step = [](const std::string& what) { fmt::print(stderr, "[capacity] {}\n", what); };
    const CapacityResult res = run_capacity_study(o.spec, [&](size_t k) {
        if (!o.no_progress)
            fmt::print(stderr, "[capacity] WBITS={} done ({}/{})\n", o.spec.wbits[k], ++finished, o.spec.wbits.size());
    });
    write_outputs(o, res);
    fmt::print("(>: the criterion held up to the largest load tested; <: it failed already at the smallest; both are null in "
               "the JSON)\nwrote {}/capacity.csv, capacity.json, capacity_*.png, alpha_c.png\n",
               o.out);
    return 0;
}

}  // namespace

Command add_capacity_command(CLI::App& app) {
    auto o = std::make_shared<CapacityOptions>();
    CLI::App* c = app.add_subcommand("capacity", "recall quality against load alpha for Hebb, Storkey, pseudo-inverse; float and WBITS 1..16");
    c->add_option("--neurons", o->spec.neurons, "N: neurons taking part (N_ACTIVE)")->capture_default_str()->check(whole_number(2, kMaxNeurons));
    c->add_option("--loads", o->spec.loads, "numbers of stored patterns P (1..8N)")->capture_default_str()->delimiter(',')->check(whole_number(1, 8 * kMaxNeurons));
    c->add_option("--rules", o->spec.rules, "hebb, storkey, pinv")->capture_default_str()->delimiter(',');
    c->add_option("--bits", o->spec.wbits, "WBITS values to test")->capture_default_str()->delimiter(',')->check(CLI::Range(1, 16));
    c->add_option("--probes", o->spec.probes, "stored patterns probed per load")->capture_default_str()->check(CLI::Range(1, 100000));
    c->add_option("--flip", o->spec.flip, "fraction flipped in each probe")->capture_default_str()->check(CLI::Range(0.0, 1.0));
    // The shared quantizer flags, less --quant-bits (--bits sweeps WBITS) and per-row scales (J stays symmetric).
    add_quantizer_options(*c, o->quant, false, false, false);
    c->add_option("--threshold", o->threshold, "overlap below which recall has failed (defines alpha_c), 0..1")->capture_default_str()->check(finite_in(0.0, 1.0));
    c->add_option("--order", o->order, std::string("update order: ") + kOrderHelp)->capture_default_str()->check(order_check());
    c->add_option("--max-sweeps", o->spec.max_sweeps, "sweeps at most (1..100000)")->capture_default_str()->check(whole_number(1, 100000));
    c->add_option("--seed", o->spec.seed, "pattern and probe seed")->capture_default_str()->check(whole_number(0, UINT64_MAX));
    c->add_option("--jobs", o->spec.jobs, "child processes at once")->capture_default_str()->check(CLI::Range(1, 64));
    c->add_option("--out", o->out, "output directory")->capture_default_str();
    c->add_flag("--no-progress", o->no_progress, "no progress lines");
    // WBITS is what --bits sweeps; the chips run in child processes (no one trace): no --wbits, no --vcd.
    add_chip_options(*c, o->spec.chip, kOfferAll & ~(kOfferWbits | kOfferVcd));
    return [o] { return run_capacity(*o); };
}

}  // namespace mind1024::host
