#include "host/study/recall_study.h"

#include <algorithm>

#include "host/study/memory.h"
#include "host/study/patterns.h"

namespace mind1024::host {

size_t RecallRun::recalled() const {
    return size_t(std::count_if(patterns.begin(), patterns.end(), [](const PatternRecall& p) { return p.exact; }));
}
size_t RecallRun::cycle2() const {
    return size_t(std::count_if(patterns.begin(), patterns.end(), [](const PatternRecall& p) { return p.cycle2; }));
}
double RecallRun::mean_final_overlap() const {
    double s = 0;
    for (const auto& p : patterns) s += p.overlaps.back();
    return s / double(patterns.size());
}
double RecallRun::mean_sweeps() const {
    double s = 0;
    for (const auto& p : patterns) s += p.sweeps;
    return s / double(patterns.size());
}
std::vector<double> RecallRun::mean_energy(uint32_t max_sweeps, size_t n) const {
    std::vector<double> m(size_t{max_sweeps} + 1, 0.0);
    for (const auto& p : patterns)
        for (size_t k = 0; k <= max_sweeps; ++k)
            m[k] += double(p.energy[std::min(k, p.energy.size() - 1)]) / scale / double(n) / double(patterns.size());
    return m;
}

namespace {
// One pattern from its corrupted copy, sweep by sweep (STEP), until it converges,
// falls into a 2-cycle (SYNC) or max_sweeps.
PatternRecall recall_one(ChipDriver& chip, const WeightMatrix& w, const std::vector<int8_t>& target, Order order,
                         const RecallSpec& spec, size_t mu, bool keep, double& sim_seconds) {
    const size_t n = target.size();
    PatternRecall p;
    std::vector<int8_t> s = corrupt(target.data(), n, spec.flip, spec.seed * 1000 + mu);
    chip.set_state(s);
    if (keep) p.frames = {target, s};
    std::vector<int8_t> two_back, one_back = s;
    p.energy.push_back(energy(w, s));
    p.overlaps.push_back(overlap(s.data(), target.data(), n));
    for (uint32_t k = 1; k <= spec.max_sweeps; ++k) {
        RunParams rp;
        rp.order = order;
        rp.seed = static_cast<uint32_t>(spec.seed + k);
        rp.max_sweeps = 1;
        rp.wrap = spec.wrap;
        const RunResult r = chip.step(rp);
        sim_seconds += r.sim_seconds;
        two_back = one_back;
        one_back = s;
        const std::vector<int8_t> all = chip.state();
        s.assign(all.begin(), all.begin() + static_cast<long>(n));
        p.sweeps = k;
        if (keep) p.frames.push_back(s);
        p.energy.push_back(energy(w, s));
        p.overlaps.push_back(overlap(s.data(), target.data(), n));
        if (r.converged) break;
        if (order == Order::Sync && k >= 2 && s == two_back) {
            p.cycle2 = true;
            break;
        }
    }
    p.exact = s == target;
    return p;
}
}  // namespace

std::vector<RecallRun> run_recall_study(ChipDriver& chip, const Patterns& pats, const RecallSpec& spec,
                                        const std::function<void(size_t, size_t)>& progress) {
    std::vector<RecallRun> runs;
    for (const std::string& rule_name : spec.rules) {
        const FloatMatrix J = learn(parse_learning_rule(rule_name), pats);
        chip.soft_reset();
        QuantReport qr;
        const WeightMatrix w = load_float_weights(chip, J, &qr);
        for (const Order order : spec.orders) {
            RecallRun run;
            run.rule = rule_name;
            run.order = order;
            run.scale = qr.scale;
            run.clipped_fraction = qr.clipped_fraction;
            for (size_t mu = 0; mu < pats.count; ++mu) {
                const std::vector<int8_t> target(pats.pattern(mu), pats.pattern(mu) + pats.n);
                run.patterns.push_back(recall_one(chip, w, target, order, spec, mu, mu < spec.keep_frames, run.sim_seconds));
                if (progress) progress(runs.size(), mu + 1);
            }
            runs.push_back(std::move(run));
        }
    }
    return runs;
}

}  // namespace mind1024::host
