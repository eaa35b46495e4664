#include "host/study/fault_study.h"

#include <cmath>
#include <random>

#include <fmt/format.h>

#include "host/board/errors.h"
#include "host/learning/learning_rules.h"
#include "host/study/memory.h"
#include "host/study/patterns.h"
#include "host/twin/float_twin.h"

namespace mind1024::host {

const std::vector<std::string>& fault_kinds() {
    static const std::vector<std::string> k{"syn", "seu", "upset", "neuron", "acc", "thr", "clamp", "lfsr"};
    return k;
}

const char* fault_kind_title(const std::string& k) {
    if (k == "syn") return "stuck synapse bits";
    if (k == "seu") return "synapse bits flipped once";
    if (k == "upset") return "synapse upsets in time";
    if (k == "thr") return "stuck threshold bits";
    if (k == "clamp") return "stuck clamp bits";
    if (k == "lfsr") return "stuck LFSR bits";
    if (k == "neuron") return "stuck neurons";
    return "stuck accumulator bits";
}

FaultSpec fault_spec_for(const std::string& kind, double rate, const FaultCampaign& c, const ChipParams& p) {
    FaultSpec s;
    s.seed = c.fault_seed;
    if (kind == "syn") {
        s.syn_stuck0 = s.syn_stuck1 = rate / 2;
    } else if (kind == "seu") {
        s.seu_count = static_cast<uint32_t>(std::llround(rate * double(p.n_max) * p.n_max * p.wbits));
        s.seu_at = c.seu_at;
    } else if (kind == "upset") {
        s.upset_rate = rate;
    } else if (kind == "thr") {
        s.thr_stuck0 = s.thr_stuck1 = rate / 2;
    } else if (kind == "clamp") {
        s.clamp_stuck0 = s.clamp_stuck1 = rate / 2;
    } else if (kind == "lfsr") {
        s.lfsr_stuck0 = s.lfsr_stuck1 = rate / 2;
    } else if (kind == "neuron") {
        s.neuron_plus = s.neuron_minus = rate / 2;
    } else {  // each accumulator bit stuck with probability rate, half at 0, half at 1
        s.acc_p0 = s.acc_p1 = rate / 2;
    }
    return s;
}

namespace {
// The float network with the weight changes a plan's synapse faults cause on
// the chip (upsets taken from the start: float has no update clock), in float
// units (integer change / scale). Rows and columns below n only.
FloatNetwork faulty_float(const FloatNetwork& net, const WeightMatrix& q, double scale, const FaultPlan& f, uint32_t n_max) {
    FloatNetwork out = net;
    std::vector<int16_t> syn(size_t{n_max} * n_max, 0);
    for (uint32_t i = 0; i < q.n; ++i)
        for (uint32_t j = 0; j < q.n; ++j) syn[size_t{i} * n_max + j] = q.w[size_t{i} * q.n + j];
    f.store_all(syn.data());
    for (const Upset& u : f.upsets()) f.upset(syn.data(), u);
    auto touch = [&](uint32_t word) {
        const uint32_t i = word / n_max, j = word % n_max;
        if (i >= net.n || j >= net.n || i >= q.n || j >= q.n) return;
        const int delta = syn[word] - q.w[size_t{i} * q.n + j];
        out.w[size_t{i} * net.n + j] = net.w[size_t{i} * net.n + j] + static_cast<float>(delta / scale);
    };
    for (const StuckWord& s : f.stuck_words()) touch(s.word);
    for (const Upset& u : f.upsets()) touch(u.word);
    return out;
}


// The classifier on the faulty chip and on the twin with the same faults.
void mnist_point(ChipDriver& chip, const TrainedClassifier& net, const ChipNetwork& q, const LabelledImages& data,
                 const FaultPlan& plan, const FaultCampaign& c, FaultPoint& pt) {
    const ChipParams& P = chip.params();
    // Faults first, then the network (stuck bits hold what is written).
    chip.soft_reset();
    chip.set_faults(plan);
    load_classifier_on_chip(chip, net, q);
    ChipRunOptions co;
    co.wrap = c.wrap;
    pt.mnist_chip = double(classify_all_on_chip(chip, net, data, co).correct) / double(data.count());
    std::vector<uint8_t> twin_clamp = net.clamp;
    twin_clamp.resize(net.net.n, 0);
    for (const auto& [i, v] : plan.stuck_neurons())
        if (i < net.net.n) twin_clamp[i] = 1;
    FloatTwin twin(faulty_float(net.net, q.weights, q.weight_report.scale, plan, P.n_max));
    twin.set_clamp(twin_clamp);
    pt.mnist_float = double(classify_all_on_twin(twin, net, data, &plan.stuck_neurons()).correct) / double(data.count());
}

// A Hebb memory of random patterns on every neuron, recalled from corrupted probes.
void recall_point(ChipDriver& chip, const Patterns& pats, const FloatMatrix& J, const FaultPlan& plan,
                  const FaultCampaign& c, FaultPoint& pt) {
    const ChipParams& P = chip.params();
    chip.soft_reset();
    chip.set_faults(plan);
    QuantReport qr;
    const WeightMatrix w = load_float_weights(chip, J, &qr);
    FloatNetwork fnet{P.n_max, J.data, {}};
    FloatTwin rt(faulty_float(fnet, w, qr.scale, plan, P.n_max));
    rt.set_scale(qr.scale);
    std::vector<uint8_t> rc(P.n_max, 0);
    for (const auto& [i, v] : plan.stuck_neurons()) rc[i] = 1;
    rt.set_clamp(rc);
    double sum_chip = 0, sum_float = 0;
    RunParams rp;
    rp.order = Order::AsyncSeq;
    rp.max_sweeps = 20;
    rp.wrap = c.wrap;
    for (uint32_t k = 0; k < c.probes; ++k) {
        const size_t mu = k % pats.count;
        std::vector<int8_t> s = corrupt(pats.pattern(mu), P.n_max, c.flip, c.fault_seed * 1000 + k);
        chip.set_state(s);
        chip.run(rp);
        const auto cs = chip.state();
        sum_chip += overlap(cs.data(), pats.pattern(mu), P.n_max);
        for (const auto& [i, v] : plan.stuck_neurons()) s[i] = v;
        rt.set_state(s);
        rt.run(rp);
        sum_float += overlap(rt.state().data(), pats.pattern(mu), P.n_max);
    }
    pt.recall_chip = sum_chip / c.probes;
    pt.recall_float = sum_float / c.probes;
}
}  // namespace

const std::vector<double>& campaign_rates(const FaultCampaign& c, const std::string& kind) {
    return kind == "upset" ? c.upset_rates : c.rates;
}

uint64_t fault_seed_for(uint64_t base, uint32_t k) {
    if (k == 0) return base;
    uint64_t z = base + 0x9E3779B97F4A7C15ull * k;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

Interval t_interval(const std::vector<double>& v) {
    Interval r;
    if (v.empty()) return r;
    double sum = 0;
    for (double x : v) sum += x;
    r.mean = r.lo = r.hi = sum / double(v.size());
    if (v.size() < 2) return r;
    double ss = 0;
    for (double x : v) ss += (x - r.mean) * (x - r.mean);
    // t(0.975, df) for df = 1..30, then the normal's 1.96 approached as 1.96 + 2.4 / df.
    static const double t[] = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
                               2.201,  2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
                               2.080,  2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042};
    const size_t df = v.size() - 1;
    const double q = df <= 30 ? t[df - 1] : 1.96 + 2.4 / double(df);
    const double half = q * std::sqrt(ss / double(df) / double(v.size()));
    r.lo = r.mean - half, r.hi = r.mean + half;
    return r;
}

size_t faulty_sites(const FaultPlan& f) {
    size_t bits = 0;
    for (const StuckWord& s : f.stuck_words()) bits += size_t(__builtin_popcount(s.stuck0) + __builtin_popcount(s.stuck1));
    for (const auto& t : f.stuck_thresholds()) bits += size_t(__builtin_popcount(t.stuck0) + __builtin_popcount(t.stuck1));
    bits += f.stuck_clamps().size() + size_t(__builtin_popcount(f.lfsr_stuck0()) + __builtin_popcount(f.lfsr_stuck1()));
    return bits + f.upsets().size() + f.stuck_neurons().size() +
           size_t(__builtin_popcount(f.acc_stuck0()) + __builtin_popcount(f.acc_stuck1()));
}

std::vector<FaultPoint> run_fault_campaign(ChipDriver& chip, const TrainedClassifier& net, const ChipNetwork& q,
                                           const LabelledImages& data, const FaultCampaign& c,
                                           const std::function<void(size_t done)>& progress) {
    if (!chip.takes_faults()) chip.set_faults(FaultPlan{});  // the driver's own refusal, naming the board
    const ChipParams& P = chip.params();
    // The recall memory: random patterns on every neuron, Hebb, quantized as `recall` does.
    Patterns pats(P.n_max);
    if (c.recall) {
        std::mt19937_64 r(c.fault_seed + 17);
        for (uint32_t mu = 0; mu < c.patterns; ++mu) {
            std::vector<int8_t> p(P.n_max);
            for (auto& v : p) v = (r() & 1) ? 1 : -1;
            pats.add(p);
        }
    }
    const FloatMatrix J = c.recall ? learn(LearningRule::Hebb, pats) : FloatMatrix{};
    if (c.repeats < 1) throw BadArgument("a fault campaign needs at least one repeat");
    std::vector<FaultPoint> points;
    size_t done = 0;
    for (const std::string& kind : c.kinds)
        for (double rate : campaign_rates(c, kind)) {
            FaultPoint pt;
            pt.kind = kind, pt.rate = rate;
            for (uint32_t k = 0; k < c.repeats; ++k) {
                FaultCampaign ck = c;
                ck.fault_seed = fault_seed_for(c.fault_seed, k);
                const FaultSpec spec = fault_spec_for(kind, rate, ck, P);
                const FaultPlan plan = FaultPlan::expand(spec, P);
                if (k == 0) pt.spec = spec.to_string();
                FaultPoint run;
                mnist_point(chip, net, q, data, plan, c, run);
                if (c.recall) recall_point(chip, pats, J, plan, c, run);
                pt.seeds.push_back(ck.fault_seed);
                pt.sites_runs.push_back(double(faulty_sites(plan)));
                pt.mnist_chip_runs.push_back(run.mnist_chip), pt.mnist_float_runs.push_back(run.mnist_float);
                pt.recall_chip_runs.push_back(run.recall_chip), pt.recall_float_runs.push_back(run.recall_float);
                if (progress) progress(++done);
            }
            pt.sites_ci = t_interval(pt.sites_runs);
            pt.sites = static_cast<size_t>(std::llround(pt.sites_ci.mean));
            pt.mnist_chip_ci = t_interval(pt.mnist_chip_runs), pt.mnist_float_ci = t_interval(pt.mnist_float_runs);
            pt.recall_chip_ci = t_interval(pt.recall_chip_runs), pt.recall_float_ci = t_interval(pt.recall_float_runs);
            pt.mnist_chip = pt.mnist_chip_ci.mean, pt.mnist_float = pt.mnist_float_ci.mean;
            pt.recall_chip = pt.recall_chip_ci.mean, pt.recall_float = pt.recall_float_ci.mean;
            points.push_back(pt);
        }
    chip.soft_reset();
    chip.set_faults(FaultPlan{});
    return points;
}

}  // namespace mind1024::host
