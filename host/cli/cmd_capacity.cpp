// mind1024 capacity: recall quality against load alpha = P/N for random
// unbiased patterns, Hebb / Storkey / pseudo-inverse, in float and on the chip
// for each WBITS, with the theory marks. Each WBITS runs in its own process
// (one chip per process).
#include <cmath>

#include <fmt/format.h>

#include "host/cli/child_jobs.h"
#include "host/cli/commands.h"
#include "host/cli/common.h"
#include "host/board/errors.h"
#include "host/twin/float_twin.h"
#include "host/cli/mnist_job.h"
#include "host/report/output_file.h"
#include "host/cli/patterns.h"
#include "host/report/plot.h"

namespace mind1024::host {

namespace {

struct CapacityOptions {
    uint32_t neurons = 1024;
    std::vector<uint32_t> loads{20, 60, 100, 120, 130, 140, 150, 160, 180, 200, 240, 280, 320, 400, 500, 600, 700, 800};
    std::vector<std::string> rules{"hebb", "storkey", "pinv"};
    std::vector<uint32_t> wbits{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    uint32_t probes = 16, max_sweeps = 30;
    double flip = 0.0, threshold = 0.9, percentile = 0;
    std::string rounding = "nearest";
    std::string order = "async", out = "results/capacity";
    uint64_t seed = 1;
    unsigned jobs = 2;
    bool no_progress = false;
    ChipOptions chip;
};

struct Quality {
    double overlap = 0;  // mean final overlap with the stored pattern
    double exact = 0;    // fraction of probes that end exactly on it
};

// Probes `probes` stored patterns, each started at (a corrupted copy of) itself.
template <class RunOne>
Quality recall_quality(const Patterns& pats, uint32_t p_count, const CapacityOptions& o, RunOne run_one) {
    const uint32_t probes = std::min(p_count, o.probes);
    Quality q;
    for (uint32_t k = 0; k < probes; ++k) {
        const uint32_t mu = static_cast<uint32_t>((uint64_t{k} * p_count) / probes);  // spread over the set
        const std::vector<int8_t> start = corrupt(pats.pattern(mu), pats.n, o.flip, o.seed * 7919 + mu);
        const std::vector<int8_t> end = run_one(start);
        const double m = overlap(end.data(), pats.pattern(mu), pats.n);
        q.overlap += m / probes;
        q.exact += (m == 1.0) / double(probes);
    }
    return q;
}

// alpha where the curve first drops below the threshold (linear interpolation).
// If it never does, the largest load tested, flagged as a lower bound; if it is
// already below at the smallest load, that load, flagged as an upper bound.
struct AlphaC {
    double value = 0;
    bool lower_bound = false, upper_bound = false;
    std::string text(int width) const {
        return fmt::format("{:>{}}", fmt::format("{}{:.3f}", lower_bound ? ">" : upper_bound ? "<" : "", value), width);
    }
    nlohmann::json json() const { return lower_bound || upper_bound ? nlohmann::json(nullptr) : nlohmann::json(value); }
};

AlphaC alpha_c(const std::vector<double>& alpha, const std::vector<double>& m, double threshold) {
    for (size_t k = 0; k < m.size(); ++k) {
        if (m[k] >= threshold) continue;
        if (k == 0) return {alpha[0], false, true};
        return {alpha[k - 1] + (alpha[k] - alpha[k - 1]) * (m[k - 1] - threshold) / (m[k - 1] - m[k]), false, false};
    }
    return {alpha.back(), true, false};
}

Patterns first(const Patterns& all, uint32_t p) {
    Patterns s(all.n);
    s.count = p;
    s.values.assign(all.values.begin(), all.values.begin() + size_t{p} * all.n);
    return s;
}

int run_capacity(CapacityOptions o) {
    {  // every output location first, before any work
        std::vector<std::string> names{"capacity.csv", "capacity.json", "alpha_c.png"};
        for (const auto& r : o.rules) names.push_back(fmt::format("capacity_{}.png", r));
        check_output_dir(o.out, names);
    }
    const uint32_t N = o.neurons;
    if (N < 2 || N > o.chip.params.n_max)
        throw BadArgument(fmt::format("--neurons {} must be in 2..N_MAX={}", N, o.chip.params.n_max));
    std::sort(o.loads.begin(), o.loads.end());
    if (o.loads.empty() || o.loads.back() > 8 * N)  // 1..8N: the option's check knows no N
        throw BadArgument(fmt::format("--loads: every load must be in 1..8N = 1..{} patterns", 8 * N));
    refuse_vcd_in_children(o.chip, "capacity");
    for (const auto& r : o.rules) parse_learning_rule(r);
    const Order order = parse_order(o.order);
    ensure_directory(o.out);
    OutputSet out(o.out);  // this run's files, published together with a manifest
    const uint32_t pmax = o.loads.back();
    Patterns pats(N);
    {
        std::mt19937_64 rng(o.seed);
        for (uint32_t mu = 0; mu < pmax; ++mu) {
            std::vector<int8_t> v(N);
            for (auto& x : v) x = (rng() >> 63) ? 1 : -1;
            pats.add(v);
        }
    }
    RunParams rp;
    rp.order = order;
    rp.max_sweeps = o.max_sweeps;
    rp.n_active = N;
    rp.wrap = o.chip.wrap;

    // Learn every (rule, load) once, in float, in the parent.
    std::vector<std::vector<FloatMatrix>> J(o.rules.size());
    fmt::print(stderr, "[capacity] learning {} rules x {} loads at N = {}\n", o.rules.size(), o.loads.size(), N);
    for (size_t r = 0; r < o.rules.size(); ++r)
        for (uint32_t p : o.loads) {
            J[r].push_back(learn(parse_learning_rule(o.rules[r]), first(pats, p)));
            // Storkey's increments grow with the load; in float they can overflow.
            for (float v : J[r].back().data)
                if (!std::isfinite(v))
                    throw BadArgument(fmt::format("--rules {} at --loads {}: the learned weights overflow float (inf or "
                                                  "NaN) at N = {}; use smaller loads for this rule",
                                                  o.rules[r], p, N));
        }

    // Float curves.
    std::vector<std::vector<double>> mf(o.rules.size()), ef(o.rules.size());
    for (size_t r = 0; r < o.rules.size(); ++r)
        for (size_t l = 0; l < o.loads.size(); ++l) {
            FloatTwin twin(FloatNetwork{N, J[r][l].data, {}});
            const Quality q = recall_quality(pats, o.loads[l], o, [&](const std::vector<int8_t>& s) {
                twin.set_state(s);
                twin.run(rp);
                return twin.state();
            });
            mf[r].push_back(q.overlap);
            ef[r].push_back(q.exact);
        }

    // Chip curves: one child process per WBITS.
    size_t finished = 0;
    const auto results = run_in_children(
        o.wbits.size(), o.jobs,
        [&](size_t k) {
            ChipOptions co = o.chip;
            co.params.wbits = o.wbits[k];
            auto chip = open_chip(co);
            nlohmann::json out = nlohmann::json::array();
            for (size_t r = 0; r < o.rules.size(); ++r) {
                std::vector<double> m, e;
                double clipped = 0;
                for (size_t l = 0; l < o.loads.size(); ++l) {
                    chip->soft_reset();
                    QuantReport qr;
                    load_float_weights(*chip, J[r][l], &qr, o.percentile, parse_rounding(o.rounding), o.seed + l);
                    clipped = std::max(clipped, qr.clipped_fraction);
                    const Quality q = recall_quality(pats, o.loads[l], o, [&](const std::vector<int8_t>& s) {
                        chip->set_state(s);
                        chip->run(rp);
                        auto st = chip->state();
                        st.resize(N);
                        return st;
                    });
                    m.push_back(q.overlap);
                    e.push_back(q.exact);
                }
                out.push_back({{"rule", o.rules[r]}, {"overlap", m}, {"exact", e}, {"max_clipped_fraction", clipped}});
            }
            return out;
        },
        [&](size_t k, const nlohmann::json& r) {
            ++finished;
            if (!o.no_progress)
                fmt::print(stderr, "[capacity] WBITS={} done ({}/{}){}\n", o.wbits[k], finished, o.wbits.size(),
                           r.is_object() && r.contains("error") ? " — failed: " + r["error"].get<std::string>() : "");
        });
    for (size_t k = 0; k < results.size(); ++k)
        if (results[k].is_object() && results[k].contains("error"))
            throw BoardError(fmt::format("capacity run at WBITS={} failed: {}", o.wbits[k], results[k]["error"].get<std::string>()));

    // Tables, CSV, JSON, plots.
    std::vector<double> alpha;
    for (uint32_t p : o.loads) alpha.push_back(double(p) / N);
    std::string csv = "rule,precision,patterns,alpha,mean_overlap,exact_fraction\n";
    nlohmann::json summary = {{"neurons", N}, {"probes", o.probes}, {"flip", o.flip}, {"order", order_name(order)},
                              {"threshold", o.threshold}, {"model", o.chip.model}, {"scale_percentile", o.percentile}, {"rounding", o.rounding},
                              {"seed", o.seed}, {"loads", o.loads}, {"alpha", alpha}, {"wbits", o.wbits},
                              {"loads", o.loads}, {"alpha", alpha}, {"wbits", o.wbits},
                              {"theory", {{"hebb", 0.138}, {"clipped_hebb_1bit", 0.10},
                                          {"storkey", 1.0 / std::sqrt(2.0 * std::log(double(N)))}}},
                              {"rules", nlohmann::json::object()}};
    const std::vector<uint32_t> shown{1, 2, 3, 4, 6, 8, 16};
    PlotSpec ac{fmt::format("Measured alpha_c against weight bits (N = {}, overlap < {}; top edge = no failure up to alpha {:.2f})",
                            N, o.threshold, alpha.back()), "WBITS",
                "alpha_c", false, {}, {}, 0, 0};
    fmt::print("\nalpha_c (first load with mean final overlap < {}), N = {}\n{:<9}{:>8}", o.threshold, N, "rule", "float");
    std::string header;
    for (uint32_t b : o.wbits) header += fmt::format("{:>7}", fmt::format("W{}", b));
    fmt::print("{}\n", header);
    std::string exact_line = fmt::format("\nalpha where fewer than half of the probes end exactly on their pattern\n{:<9}{:>8}{}\n", "rule", "float", header);
    for (size_t r = 0; r < o.rules.size(); ++r) {
        const std::string& rule = o.rules[r];
        PlotSpec ps{fmt::format("{}: recall quality against load (N = {}, {} probes, {:.0f}% flipped)", rule, N, o.probes, 100 * o.flip),
                    "alpha = P / N", "mean final overlap", false, {}, {}, -0.05, 1.05};
        ps.vertical_marks = {{0.138, "Hebb 0.138"}, {0.10, "clipped Hebb 0.10"},
                             {1.0 / std::sqrt(2.0 * std::log(double(N))), "Storkey N/sqrt(2 ln N)"}};
        ps.series.push_back({"float", alpha, mf[r], true});
        const AlphaC fa = alpha_c(alpha, mf[r], o.threshold), fe = alpha_c(alpha, ef[r], 0.5);
        nlohmann::json rj = {{"float", {{"overlap", mf[r]}, {"exact", ef[r]}, {"alpha_c", fa.json()},
                                        {"alpha_exact", fe.json()}}}};
        fmt::print("{:<9}{}", rule, fa.text(8));
        exact_line += fmt::format("{:<9}{}", rule, fe.text(8));
        Series acs{rule, {}, {}, true};
        for (size_t l = 0; l < o.loads.size(); ++l)
            csv += fmt::format("{},float,{},{:.6f},{:.6f},{:.6f}\n", rule, o.loads[l], alpha[l], mf[r][l], ef[r][l]);
        for (size_t k = 0; k < o.wbits.size(); ++k) {
            const auto m = results[k][r]["overlap"].get<std::vector<double>>();
            const auto e = results[k][r]["exact"].get<std::vector<double>>();
            const AlphaC a = alpha_c(alpha, m, o.threshold), ae = alpha_c(alpha, e, 0.5);
            fmt::print("{}", a.text(7));
            exact_line += ae.text(7);
            rj[fmt::format("wbits{}", o.wbits[k])] = {{"overlap", m}, {"exact", e}, {"alpha_c", a.json()}, {"alpha_exact", ae.json()},
                                                      {"max_clipped_fraction", results[k][r]["max_clipped_fraction"]}};
            acs.x.push_back(o.wbits[k]);
            acs.y.push_back(a.value);
            for (size_t l = 0; l < o.loads.size(); ++l)
                csv += fmt::format("{},wbits{},{},{:.6f},{:.6f},{:.6f}\n", rule, o.wbits[k], o.loads[l], alpha[l], m[l], e[l]);
            if (std::find(shown.begin(), shown.end(), o.wbits[k]) != shown.end())
                ps.series.push_back({fmt::format("WBITS={}", o.wbits[k]), alpha, m, true});
        }
        fmt::print("\n");
        exact_line += "\n";
        summary["rules"][rule] = rj;
        ac.series.push_back(acs);
        Series fl{rule + " float", {double(o.wbits.front()), double(o.wbits.back())}, {}, false};
        fl.y = {fa.value, fa.value};
        ac.series.push_back(fl);
        plot_png(out.path(fmt::format("capacity_{}.png", rule)), ps);
    }
    write_text_atomic(out.path("capacity.csv"), csv);
    write_json(out.path("capacity.json"), summary);
    plot_png(out.path("alpha_c.png"), ac);
    publish_outputs(out);
    fmt::print("{}", exact_line);
    fmt::print("(>: the criterion held up to the largest load tested; <: it failed already at the smallest; both are null in "
               "the JSON)\nwrote {}/capacity.csv, capacity.json, capacity_*.png, alpha_c.png\n",
               o.out);
    return 0;
}

}  // namespace

Command add_capacity_command(CLI::App& app) {
    auto o = std::make_shared<CapacityOptions>();
    CLI::App* c = app.add_subcommand("capacity", "recall quality against load alpha for Hebb, Storkey, pseudo-inverse; float and WBITS 1..16");
    c->add_option("--neurons", o->neurons, "N: neurons taking part (N_ACTIVE)")->capture_default_str()->check(whole_number(2, kMaxNeurons));
    c->add_option("--loads", o->loads, "numbers of stored patterns P (1..8N)")->capture_default_str()->delimiter(',')->check(whole_number(1, 8 * kMaxNeurons));
    c->add_option("--rules", o->rules, "hebb, storkey, pinv")->capture_default_str()->delimiter(',');
    c->add_option("--bits", o->wbits, "WBITS values to test")->capture_default_str()->delimiter(',')->check(CLI::Range(1, 16));
    c->add_option("--probes", o->probes, "stored patterns probed per load")->capture_default_str()->check(CLI::Range(1, 100000));
    c->add_option("--flip", o->flip, "fraction flipped in each probe")->capture_default_str()->check(CLI::Range(0.0, 1.0));
    c->add_option("--scale-percentile", o->percentile,
                  "quantizer scale: this percentile of |J| maps to the top code, larger weights clip (0 = max-abs)")
        ->capture_default_str()->check(finite_in(0.0, 100.0));
    add_rounding_option(c, o->rounding);
    c->add_option("--threshold", o->threshold, "overlap below which recall has failed (defines alpha_c), 0..1")->capture_default_str()->check(finite_in(0.0, 1.0));
    c->add_option("--order", o->order, std::string("update order: ") + kOrderHelp)->capture_default_str()->check(order_check());
    c->add_option("--max-sweeps", o->max_sweeps, "sweeps at most (1..100000)")->capture_default_str()->check(whole_number(1, 100000));
    c->add_option("--seed", o->seed, "pattern and probe seed")->capture_default_str()->check(whole_number(0, UINT64_MAX));
    c->add_option("--jobs", o->jobs, "child processes at once")->capture_default_str()->check(CLI::Range(1, 64));
    c->add_option("--out", o->out, "output directory")->capture_default_str();
    c->add_flag("--no-progress", o->no_progress, "no progress lines");
    // WBITS is what --bits sweeps; the chips run in child processes (no one trace): no --wbits, no --vcd.
    add_chip_options(*c, o->chip, kOfferAll & ~(kOfferWbits | kOfferVcd));
    return [o] { return run_capacity(*o); };
}

}  // namespace mind1024::host
