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
    static const std::vector<std::string> k{"syn", "seu", "neuron", "acc"};
    return k;
}

const char* fault_kind_title(const std::string& k) {
    if (k == "syn") return "stuck synapse bits";
    if (k == "seu") return "synapse upsets";
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
    } else if (kind == "neuron") {
        s.neuron_plus = s.neuron_minus = rate / 2;
    } else {  // round(rate x ABITS) accumulator bits, each stuck at 0 or 1
        const uint32_t k = static_cast<uint32_t>(std::llround(rate * p.abits));
        std::mt19937_64 r(c.fault_seed ^ 0x414343ull);
        std::vector<uint32_t> bits(p.abits);
        for (uint32_t b = 0; b < p.abits; ++b) bits[b] = b;
        for (uint32_t b = 0; b < k; ++b) {
            std::swap(bits[b], bits[b + r() % (p.abits - b)]);
            (r() & 1 ? s.acc_stuck1 : s.acc_stuck0) |= 1u << bits[b];
        }
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

size_t faulty_sites(const FaultPlan& f) {
    size_t bits = 0;
    for (const StuckWord& s : f.stuck_words()) bits += size_t(__builtin_popcount(s.stuck0) + __builtin_popcount(s.stuck1));
    return bits + f.upsets().size() + f.stuck_neurons().size() +
           size_t(__builtin_popcount(f.spec().acc_stuck0) + __builtin_popcount(f.spec().acc_stuck1));
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
    std::vector<FaultPoint> points;
    for (const std::string& kind : c.kinds)
        for (double rate : c.rates) {
            FaultPoint pt;
            pt.kind = kind, pt.rate = rate;
            const FaultSpec spec = fault_spec_for(kind, rate, c, P);
            const FaultPlan plan = FaultPlan::expand(spec, P);
            pt.spec = spec.to_string();
            pt.sites = faulty_sites(plan);
            mnist_point(chip, net, q, data, plan, c, pt);
            if (c.recall) recall_point(chip, pats, J, plan, c, pt);
            points.push_back(pt);
            if (progress) progress(points.size());
        }
    chip.soft_reset();
    chip.set_faults(FaultPlan{});
    return points;
}

}  // namespace mind1024::host
