// mind1024 faults: how many defects the chip tolerates. For each fault kind
// (stuck synapse bits, single-event upsets, stuck neurons, stuck accumulator
// bits) and each rate: MNIST accuracy of the attractor classifier and recall
// quality of a Hebb memory, on the chip with the faults and on the float twin
// with the same faults where they mean something in float (stuck neurons;
// synapse bits as the weight change they cause). Seeded; CSV, JSON, PNG.
#include <cmath>
#include <random>

#include <fmt/format.h>

#include "host/cli/commands.h"
#include "host/cli/common.h"
#include "host/board/errors.h"
#include "sysc/fault_plan.h"
#include "host/twin/float_twin.h"
#include "host/cli/mnist_job.h"
#include "host/report/output_file.h"
#include "host/cli/patterns.h"
#include "host/report/plot.h"
#include "host/report/progress.h"

namespace mind1024::host {

namespace {

const std::vector<std::string> kKinds{"syn", "seu", "neuron", "acc"};
const char* kind_title(const std::string& k) {
    if (k == "syn") return "stuck synapse bits";
    if (k == "seu") return "synapse upsets";
    if (k == "neuron") return "stuck neurons";
    return "stuck accumulator bits";
}

struct FaultsOptions {
    MnistJobOptions job;
    ChipOptions chip;
    std::vector<std::string> kinds = kKinds;
    std::vector<double> rates{0, 1e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1};
    uint64_t fault_seed = 1, seu_at = 2000;
    uint32_t patterns = 40, probes = 20;
    double flip = 0.1;
    std::string scale = "fit", rounding = "nearest", out = "results/faults";
    bool no_recall = false, no_progress = false;
};

// The SPEC of one kind at one rate (the fraction of its sites that are faulty).
FaultSpec spec_for(const std::string& kind, double rate, const FaultsOptions& o) {
    FaultSpec s;
    s.seed = o.fault_seed;
    const ChipParams& p = o.chip.params;
    if (kind == "syn") {
        s.syn_stuck0 = s.syn_stuck1 = rate / 2;
    } else if (kind == "seu") {
        s.seu_count = static_cast<uint32_t>(std::llround(rate * double(p.n_max) * p.n_max * p.wbits));
        s.seu_at = o.seu_at;
    } else if (kind == "neuron") {
        s.neuron_plus = s.neuron_minus = rate / 2;
    } else {  // round(rate x ABITS) accumulator bits, each stuck at 0 or 1
        const uint32_t k = static_cast<uint32_t>(std::llround(rate * p.abits));
        std::mt19937_64 r(o.fault_seed ^ 0x414343ull);
        std::vector<uint32_t> bits(p.abits);
        for (uint32_t b = 0; b < p.abits; ++b) bits[b] = b;
        for (uint32_t b = 0; b < k; ++b) {
            std::swap(bits[b], bits[b + r() % (p.abits - b)]);
            (r() & 1 ? s.acc_stuck1 : s.acc_stuck0) |= 1u << bits[b];
        }
    }
    return s;
}

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

struct Point {
    std::string kind, spec;
    double rate = 0;
    size_t sites = 0;
    double mnist_chip = 0, mnist_float = 0, recall_chip = 0, recall_float = 0;
};

size_t faulty_sites(const FaultPlan& f) {
    size_t bits = 0;
    for (const StuckWord& s : f.stuck_words()) bits += size_t(__builtin_popcount(s.stuck0) + __builtin_popcount(s.stuck1));
    return bits + f.upsets().size() + f.stuck_neurons().size() +
           size_t(__builtin_popcount(f.spec().acc_stuck0) + __builtin_popcount(f.spec().acc_stuck1));
}

int run_faults(const FaultsOptions& o) {
    check_output_dir(o.out, {"faults.csv", "faults.json", "faults_mnist.png", "faults_recall.png"});
    check_chip_outputs(o.chip);
    for (double r : o.rates)
        if (!(r >= 0 && r <= 1)) throw BadArgument(fmt::format("--rates: {} is not a fraction between 0 and 1", r));
    auto chip = open_chip(o.chip);
    check_faults_supported(*chip);  // before the training: a board process cannot take faults
    const ChipParams& P = o.chip.params;
    const MnistJob job = prepare_mnist_job(o.job, P.n_max, "faults");
    ensure_directory(o.out);
    OutputSet out(o.out);
    const TrainedClassifier& net = job.net;
    const ChipNetwork q = quantize_classifier(net, P.wbits, P.abits, parse_scale_policy(o.scale),
                                              parse_rounding(o.rounding), o.job.seed);

    // The recall memory: random patterns on every neuron, Hebb, quantized as `recall` does.
    Patterns pats(P.n_max);
    if (!o.no_recall) {
        std::mt19937_64 r(o.fault_seed + 17);
        for (uint32_t mu = 0; mu < o.patterns; ++mu) {
            std::vector<int8_t> p(P.n_max);
            for (auto& v : p) v = (r() & 1) ? 1 : -1;
            pats.add(p);
        }
    }
    const FloatMatrix J = o.no_recall ? FloatMatrix{} : learn(LearningRule::Hebb, pats);

    std::vector<Point> points;
    Progress bar("[faults] kinds x rates", o.kinds.size() * o.rates.size(), !o.no_progress);
    for (const std::string& kind : o.kinds)
        for (double rate : o.rates) {
            Point pt;
            pt.kind = kind, pt.rate = rate;
            const FaultSpec spec = spec_for(kind, rate, o);
            const FaultPlan plan = FaultPlan::expand(spec, P);
            pt.spec = spec.to_string();
            pt.sites = faulty_sites(plan);
            std::vector<uint8_t> twin_clamp = net.clamp;
            twin_clamp.resize(net.net.n, 0);
            for (const auto& [i, v] : plan.stuck_neurons())
                if (i < net.net.n) twin_clamp[i] = 1;

            // MNIST on the chip: faults first, then the network (stuck bits hold what is written).
            chip->soft_reset();
            apply_faults(*chip, plan);
            chip->load_weights(q.weights);
            chip->load_thresholds(q.thresholds);
            chip->set_clamp(net.clamp);
            size_t correct = 0;
            for (size_t i = 0; i < job.images; i += 256) {
                const size_t n = std::min<size_t>(256, job.images - i);
                const std::vector<std::vector<int8_t>> slice(job.pixels.begin() + long(i), job.pixels.begin() + long(i + n));
                const auto done = classify_batch_on_chip(*chip, net, slice, static_cast<uint32_t>(i + 1), o.chip.wrap);
                for (size_t k = 0; k < n; ++k) correct += done[k].label == job.test.labels[i + k];
            }
            pt.mnist_chip = double(correct) / job.images;
            // The float twin with the same faults.
            FloatTwin twin(faulty_float(net.net, q.weights, q.weight_report.scale, plan, P.n_max));
            twin.set_clamp(twin_clamp);
            correct = 0;
            for (size_t i = 0; i < job.images; ++i)
                correct += classify_on_twin(twin, net, job.pixels[i], static_cast<uint32_t>(i + 1), &plan.stuck_neurons()).label ==
                           job.test.labels[i];
            pt.mnist_float = double(correct) / job.images;

            if (!o.no_recall) {
                chip->soft_reset();
                apply_faults(*chip, plan);
                QuantReport qr;
                const WeightMatrix w = load_float_weights(*chip, J, &qr);
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
                rp.wrap = o.chip.wrap;
                for (uint32_t k = 0; k < o.probes; ++k) {
                    const size_t mu = k % pats.count;
                    std::vector<int8_t> s = corrupt(pats.pattern(mu), P.n_max, o.flip, o.fault_seed * 1000 + k);
                    chip->set_state(s);
                    chip->run(rp);
                    const auto cs = chip->state();
                    sum_chip += overlap(cs.data(), pats.pattern(mu), P.n_max);
                    for (const auto& [i, v] : plan.stuck_neurons()) s[i] = v;
                    rt.set_state(s);
                    rt.run(rp);
                    sum_float += overlap(rt.state().data(), pats.pattern(mu), P.n_max);
                }
                pt.recall_chip = sum_chip / o.probes;
                pt.recall_float = sum_float / o.probes;
            }
            points.push_back(pt);
            bar.update(points.size());
        }
    bar.finish();
    chip->soft_reset();
    apply_faults(*chip, FaultPlan{});

    // Table, CSV, JSON, plots (log rate axis: the fault-free value is a level line).
    std::string csv = "kind,rate,spec,faulty_sites,mnist_chip,mnist_float,recall_overlap_chip,recall_overlap_float\n";
    nlohmann::json rows = nlohmann::json::array();
    fmt::print("\n{:<24} {:>8} {:>10} {:>11} {:>12} {:>12} {:>13}\n", "fault kind", "rate", "sites", "MNIST chip",
               "MNIST float", "recall chip", "recall float");
    PlotSpec pm{fmt::format("MNIST against faults: {} test images, chip WBITS={} (solid), float twin (dashed)", job.images, P.wbits),
                "fault rate (fraction of the kind's synapse bits, neurons or accumulator bits)",
                "test accuracy (fraction)", true, {}, {}, 0, 1, 10, "bottom left"};
    PlotSpec pr{fmt::format("Hebb recall against faults: {} patterns on {} neurons, {} probes, {:.0f}% flipped", o.patterns,
                            P.n_max, o.probes, 100 * o.flip),
                pm.xlabel, "mean final overlap with the stored pattern", true, {}, {}, -0.05, 1.05, 10, "bottom left"};
    int color = 0;
    for (const std::string& kind : o.kinds) {
        ++color;
        Series mc{std::string(kind_title(kind)) + ", chip", {}, {}, true, color, false};
        Series mf{std::string(kind_title(kind)) + ", float", {}, {}, false, color, true};
        Series rc = mc, rf = mf;
        for (const Point& p : points) {
            if (p.kind != kind) continue;
            csv += fmt::format("{},{:g},{},{},{:.6f},{:.6f},{:.6f},{:.6f}\n", p.kind, p.rate, p.spec, p.sites, p.mnist_chip,
                               p.mnist_float, p.recall_chip, p.recall_float);
            nlohmann::json row = {{"kind", p.kind}, {"rate", p.rate}, {"spec", p.spec}, {"faulty_sites", p.sites},
                                  {"mnist_chip", p.mnist_chip}, {"mnist_float", p.mnist_float}};
            if (!o.no_recall) row["recall_overlap_chip"] = p.recall_chip, row["recall_overlap_float"] = p.recall_float;
            rows.push_back(row);
            fmt::print("{:<24} {:>8g} {:>10} {:>10.2f}% {:>11.2f}% {:>12.3f} {:>13.3f}\n", kind_title(kind), p.rate, p.sites,
                       100 * p.mnist_chip, 100 * p.mnist_float, p.recall_chip, p.recall_float);
            if (p.rate <= 0) continue;  // no place on a log axis
            mc.x.push_back(p.rate), mc.y.push_back(p.mnist_chip), mf.x.push_back(p.rate), mf.y.push_back(p.mnist_float);
            rc.x.push_back(p.rate), rc.y.push_back(p.recall_chip), rf.x.push_back(p.rate), rf.y.push_back(p.recall_float);
        }
        pm.series.push_back(mc), pm.series.push_back(mf), pr.series.push_back(rc), pr.series.push_back(rf);
    }
    write_text_atomic(out.path("faults.csv"), csv);
    write_json(out.path("faults.json"),
               {{"images", job.images}, {"kinds", o.kinds}, {"rates", o.rates}, {"fault_seed", o.fault_seed},
                {"seu_at_update", o.seu_at}, {"classifier_seed", o.job.seed}, {"scale_policy", o.scale},
                {"recall", o.no_recall ? nlohmann::json("not run")
                                       : nlohmann::json{{"patterns", o.patterns}, {"probes", o.probes}, {"flip", o.flip},
                                                        {"rule", "hebb"}, {"order", "async"}}},
                {"float_twin_faults", "stuck neurons, and the weight change of stuck bits and upsets (upsets from the "
                                      "start); accumulator faults have no float counterpart"},
                {"points", rows}});
    plot_png(out.path("faults_mnist.png"), pm);
    if (!o.no_recall) plot_png(out.path("faults_recall.png"), pr);
    publish_outputs(out);
    fmt::print("wrote {}/faults.csv, faults.json, faults_mnist.png{}\n", o.out, o.no_recall ? "" : ", faults_recall.png");
    return 0;
}

}  // namespace

Command add_faults_command(CLI::App& app) {
    auto o = std::make_shared<FaultsOptions>();
    CLI::App* c = app.add_subcommand(
        "faults", "MNIST accuracy and recall quality against fault rate, per fault kind, chip beside float (seeded)");
    add_mnist_job_options(c, o->job);
    o->job.limit = 1000;
    c->get_option("--limit")->default_val(1000)->description("test images per point (0 = all 10,000)");
    c->add_option("--kinds", o->kinds, "fault kinds: syn (stuck synapse bits, half at 0), seu (synapse upsets at "
                                       "--seu-at), neuron (stuck neurons, half at +1), acc (stuck accumulator bits)")
        ->capture_default_str()->delimiter(',')->check(CLI::IsMember(kKinds));
    c->add_option("--rates", o->rates, "fault rates: the fraction of the kind's sites made faulty")
        ->capture_default_str()->delimiter(',')->check(finite_in(0, 1));
    c->add_option("--fault-seed", o->fault_seed, "seed of the faulty sites and the recall patterns")
        ->capture_default_str()->check(whole_number(0, UINT64_MAX));
    c->add_option("--seu-at", o->seu_at, "neuron update index at which the upsets happen (counted from the first image)")
        ->capture_default_str()->check(whole_number(0, UINT64_MAX));
    c->add_option("--patterns", o->patterns, "random patterns stored for the recall test")->capture_default_str()->check(CLI::Range(1, 1000));
    c->add_option("--probes", o->probes, "recall probes per point")->capture_default_str()->check(CLI::Range(1, 10000));
    c->add_option("--flip", o->flip, "fraction of a probe's neurons flipped")->capture_default_str()->check(finite_in(0, 1));
    c->add_flag("--no-recall", o->no_recall, "MNIST only");
    add_scale_option(c, o->scale);
    add_rounding_option(c, o->rounding);
    c->add_option("--out", o->out, "output directory")->capture_default_str();
    c->add_flag("--no-progress", o->no_progress, "no progress bar");
    add_chip_options(*c, o->chip, kOfferWbits | kOfferAbits | kOfferWrap);
    return [o] { return run_faults(*o); };
}

}  // namespace mind1024::host
