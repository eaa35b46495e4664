#include "host/study/capacity_study.h"

#include <algorithm>
#include <cmath>
#include <random>

#include <fmt/format.h>

#include "host/board/errors.h"
#include "host/learning/learning_rules.h"
#include "host/study/memory.h"
#include "host/study/patterns.h"
#include "host/study/runner.h"
#include "host/twin/float_twin.h"

namespace mind1024::host {

std::string AlphaC::text(int width) const {
    return fmt::format("{:>{}}", fmt::format("{}{:.3f}", lower_bound ? ">" : upper_bound ? "<" : "", value), width);
}

nlohmann::json AlphaC::json() const { return lower_bound || upper_bound ? nlohmann::json(nullptr) : nlohmann::json(value); }

AlphaC alpha_c(const std::vector<double>& alpha, const std::vector<double>& m, double threshold) {
    for (size_t k = 0; k < m.size(); ++k) {
        if (m[k] >= threshold) continue;
        if (k == 0) return {alpha[0], false, true};
        return {alpha[k - 1] + (alpha[k] - alpha[k - 1]) * (m[k - 1] - threshold) / (m[k - 1] - m[k]), false, false};
    }
    return {alpha.back(), true, false};
}

namespace {

Patterns first(const Patterns& all, uint32_t p) {
    Patterns s(all.n);
    s.count = p;
    s.values.assign(all.values.begin(), all.values.begin() + size_t{p} * all.n);
    return s;
}

// Probes `probes` stored patterns, each started at (a corrupted copy of) itself.
template <class RunOne>
void add_point(RecallCurve& c, const Patterns& pats, uint32_t p_count, const CapacitySpec& s, RunOne run_one) {
    const uint32_t probes = std::min(p_count, s.probes);
    double overlap_sum = 0, exact = 0;
    for (uint32_t k = 0; k < probes; ++k) {
        const uint32_t mu = static_cast<uint32_t>((uint64_t{k} * p_count) / probes);  // spread over the set
        const std::vector<int8_t> start = corrupt(pats.pattern(mu), pats.n, s.flip, s.seed * 7919 + mu);
        const std::vector<int8_t> end = run_one(start);
        const double m = overlap(end.data(), pats.pattern(mu), pats.n);
        overlap_sum += m / probes;
        exact += (m == 1.0) / double(probes);
    }
    c.overlap.push_back(overlap_sum);
    c.exact.push_back(exact);
}

void check(CapacitySpec& s) {
    const uint32_t N = s.neurons;
    if (N < 2 || N > s.chip.params.n_max)
        throw BadArgument(fmt::format("--neurons {} must be in 2..N_MAX={}", N, s.chip.params.n_max));
    std::sort(s.loads.begin(), s.loads.end());
    if (s.loads.empty() || s.loads.back() > 8 * N)  // 1..8N: the option's check knows no N
        throw BadArgument(fmt::format("--loads: every load must be in 1..8N = 1..{} patterns", 8 * N));
    for (const auto& r : s.rules) parse_learning_rule(r);
    if (s.quant.granularity != Granularity::Layer || s.quant.plus_minus_one)
        throw BadArgument("capacity: the quantizer must keep J symmetric and two's complement: one scale for the "
                          "matrix, no ±1 codes");
}

Patterns random_patterns(uint32_t n, uint32_t count, uint64_t seed) {
    Patterns pats(n);
    std::mt19937_64 rng(seed);
    for (uint32_t mu = 0; mu < count; ++mu) {
        std::vector<int8_t> v(n);
        for (auto& x : v) x = (rng() >> 63) ? 1 : -1;
        pats.add(v);
    }
    return pats;
}

// Every (rule, load) learned once, in float.
std::vector<std::vector<FloatMatrix>> learn_all(const CapacitySpec& s, const Patterns& pats) {
    std::vector<std::vector<FloatMatrix>> J(s.rules.size());
    size_t step = 0;
    for (size_t r = 0; r < s.rules.size(); ++r)
        for (uint32_t p : s.loads) {
            if (s.on_step)
                s.on_step(fmt::format("learning {} at load {} ({}/{})", s.rules[r], p, ++step,
                                      s.rules.size() * s.loads.size()));
            J[r].push_back(learn(parse_learning_rule(s.rules[r]), first(pats, p)));
            // Storkey's increments grow with the load; in float they can overflow.
            for (float v : J[r].back().data)
                if (!std::isfinite(v))
                    throw BadArgument(fmt::format("--rules {} at --loads {}: the learned weights overflow float (inf or "
                                                  "NaN) at N = {}; use smaller loads for this rule",
                                                  s.rules[r], p, s.neurons));
        }
    return J;
}

nlohmann::json curve_json(const RecallCurve& c) {
    return {{"overlap", c.overlap}, {"exact", c.exact}, {"max_clipped_fraction", c.max_clipped_fraction}};
}
RecallCurve curve_from_json(const nlohmann::json& j) {
    return {j.at("overlap").get<std::vector<double>>(), j.at("exact").get<std::vector<double>>(),
            j.at("max_clipped_fraction").get<double>()};
}

}  // namespace

CapacityResult run_capacity_study(CapacitySpec s, const std::function<void(size_t)>& done) {
    check(s);
    const uint32_t N = s.neurons;
    const Patterns pats = random_patterns(N, s.loads.back(), s.seed);
    RunParams rp;
    rp.order = s.order;
    rp.max_sweeps = s.max_sweeps;
    rp.n_active = N;
    rp.wrap = s.chip.wrap;
    const auto J = learn_all(s, pats);
    CapacityResult res;
    res.loads = s.loads;
    for (uint32_t p : s.loads) res.alpha.push_back(double(p) / N);
    res.floats.resize(s.rules.size());
    for (size_t r = 0; r < s.rules.size(); ++r)
        for (size_t l = 0; l < s.loads.size(); ++l) {
            if (s.on_step)
                s.on_step(fmt::format("float recall, {} at load {} ({}/{})", s.rules[r], s.loads[l],
                                      r * s.loads.size() + l + 1, s.rules.size() * s.loads.size()));
            FloatTwin twin(FloatNetwork{N, J[r][l].data, {}});
            add_point(res.floats[r], pats, s.loads[l], s, [&](const std::vector<int8_t>& st) {
                twin.set_state(st);
                twin.run(rp);
                return twin.state();
            });
        }
    // The chip curves: one child process per WBITS.
    const auto results = run_in_children(
        s.wbits.size(), s.jobs,
        [&](size_t k) {
            ChipSpec co = s.chip;
            co.params.wbits = s.wbits[k];
            auto chip = open_chip(co);
            nlohmann::json out = nlohmann::json::array();
            for (size_t r = 0; r < s.rules.size(); ++r) {
                RecallCurve c;
                for (size_t l = 0; l < s.loads.size(); ++l) {
                    chip->soft_reset();
                    QuantReport qr;
                    QuantizerOptions q = s.quant;
                    q.seed = s.quant.seed + l;
                    load_float_weights(*chip, J[r][l], &qr, q);
                    c.max_clipped_fraction = std::max(c.max_clipped_fraction, qr.clipped_fraction);
                    add_point(c, pats, s.loads[l], s, [&](const std::vector<int8_t>& st) {
                        chip->set_state(st);
                        chip->run(rp);
                        auto out_state = chip->state();
                        out_state.resize(N);
                        return out_state;
                    });
                }
                out.push_back(curve_json(c));
            }
            return out;
        },
        [&](size_t k, const nlohmann::json&) {
            if (done) done(k);
        });
    for (size_t k = 0; k < results.size(); ++k) {
        if (results[k].is_object() && results[k].contains("error"))
            throw BoardError(fmt::format("capacity run at WBITS={} failed: {}", s.wbits[k],
                                         results[k]["error"].get<std::string>()));
        std::vector<RecallCurve> per_rule;
        for (const auto& c : results[k]) per_rule.push_back(curve_from_json(c));
        res.chips.push_back(per_rule);
    }
    return res;
}

}  // namespace mind1024::host
