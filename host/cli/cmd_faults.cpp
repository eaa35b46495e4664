// mind1024 faults: how many defects the chip tolerates — the fault campaign
// of the study layer (host/study/fault_study.h) on the chosen chip, written as
// CSV, JSON and two plots.
#include <cmath>

#include <fmt/format.h>

#include "host/board/errors.h"
#include "host/cli/commands.h"
#include "host/cli/common.h"
#include "host/cli/mnist_job.h"
#include "host/report/output_file.h"
#include "host/report/plot.h"
#include "host/report/progress.h"
#include "host/study/fault_study.h"

namespace mind1024::host {

namespace {

struct FaultsOptions {
    MnistJobOptions job;
    ChipSpec chip;
    FaultCampaign campaign;
    std::string scale = "fit", rounding = "nearest", out = "results/faults";
    bool no_recall = false, no_progress = false;
};

void print_point(const FaultPoint& p) {
    fmt::print("{:<30} {:>8g} {:>10} {:>8.2f}% [{:6.2f}, {:6.2f}] {:>11.2f}% {:>12.3f} {:>13.3f}\n",
               fault_kind_title(p.kind), p.rate, p.sites, 100 * p.mnist_chip, 100 * p.mnist_chip_ci.lo,
               100 * p.mnist_chip_ci.hi, 100 * p.mnist_float, p.recall_chip, p.recall_float);
}

nlohmann::json interval_json(const Interval& i) { return {{"mean", i.mean}, {"lo", i.lo}, {"hi", i.hi}}; }

// Error bars without a plot.cpp change: each bar a two-point vertical line, untitled, in its series' colour.
void add_error_bars(PlotSpec& s, double x, const Interval& i, int color) {
    if (i.hi <= i.lo) return;
    Series bar;
    bar.x = {x, x}, bar.y = {i.lo, i.hi}, bar.points = false, bar.color = color;
    s.series.push_back(bar);
}

// Table, CSV, JSON, plots (log rate axis: the fault-free value is a level line).
void write_outputs(const FaultsOptions& o, const std::vector<FaultPoint>& points, size_t images,
                   const nlohmann::json& prov) {
    const FaultCampaign& c = o.campaign;
    const ChipParams& P = o.chip.params;
    OutputSet out(o.out);
    std::string csv =
        "kind,rate,repeats,spec,faulty_sites,mnist_chip,mnist_chip_lo95,mnist_chip_hi95,mnist_float,mnist_float_lo95,"
        "mnist_float_hi95,recall_overlap_chip,recall_chip_lo95,recall_chip_hi95,recall_overlap_float\n";
    nlohmann::json rows = nlohmann::json::array();
    fmt::print("\n{:<30} {:>8} {:>10} {:>9} {:>16} {:>12} {:>12} {:>13}\n", "fault kind", "rate", "sites", "MNIST chip",
               "95% t interval", "MNIST float", "recall chip", "recall float");
    const std::string reps = c.repeats > 1 ? fmt::format("\nmean of {} fault maps, bars: 95% t intervals", c.repeats) : "";
    const std::string prot = P.protect == 1 ? ", parity on the synapse words" : P.protect == 2 ? ", SECDED on the synapse words" : "";
    PlotSpec pm{fmt::format("MNIST against faults: {} test images, chip WBITS={}{} (solid), float twin (dashed){}", images,
                            P.wbits, prot, reps),
                "fault rate: probability per site (a bit, a neuron); upsets: per stored bit per neuron update",
                "test accuracy (fraction)", true, {}, {}, 0, 1, 10, "bottom left", false, {}, ""};
    PlotSpec pr{fmt::format("Hebb recall against faults: {} patterns on {} neurons, {} probes, {:.0f}% flipped{}{}",
                            c.patterns, P.n_max, c.probes, 100 * c.flip, prot, reps),
                pm.xlabel, "mean final overlap with the stored pattern", true, {}, {}, -0.05, 1.05, 10, "bottom left",
                false, {}, ""};
    int color = 0;
    for (const std::string& kind : c.kinds) {
        ++color;
        Series mc, mf;
        mc.title = std::string(fault_kind_title(kind)) + ", chip", mc.points = true, mc.color = color;
        mf.title = std::string(fault_kind_title(kind)) + ", float", mf.points = false, mf.color = color, mf.dashed = true;
        Series rc = mc, rf = mf;
        std::vector<std::pair<double, Interval>> bars_m, bars_r;
        for (const FaultPoint& p : points) {
            if (p.kind != kind) continue;
            csv += fmt::format("{},{:g},{},{},{},{:.6f},{:.6f},{:.6f},{:.6f},{:.6f},{:.6f},{:.6f},{:.6f},{:.6f},{:.6f}\n",
                               p.kind, p.rate, p.seeds.size(), p.spec, p.sites, p.mnist_chip, p.mnist_chip_ci.lo,
                               p.mnist_chip_ci.hi, p.mnist_float, p.mnist_float_ci.lo, p.mnist_float_ci.hi, p.recall_chip,
                               p.recall_chip_ci.lo, p.recall_chip_ci.hi, p.recall_float);
            nlohmann::json row = {{"kind", p.kind}, {"rate", p.rate}, {"spec", p.spec}, {"faulty_sites", p.sites},
                                  {"mnist_chip", p.mnist_chip}, {"mnist_float", p.mnist_float},
                                  {"repeats", {{"fault_seeds", p.seeds}, {"faulty_sites", p.sites_runs},
                                               {"mnist_chip", p.mnist_chip_runs}, {"mnist_float", p.mnist_float_runs}}},
                                  {"mnist_chip_ci95", interval_json(p.mnist_chip_ci)},
                                  {"mnist_float_ci95", interval_json(p.mnist_float_ci)}};
            if (c.recall) {
                row["recall_overlap_chip"] = p.recall_chip, row["recall_overlap_float"] = p.recall_float;
                row["recall_chip_ci95"] = interval_json(p.recall_chip_ci);
                row["repeats"]["recall_chip"] = p.recall_chip_runs, row["repeats"]["recall_float"] = p.recall_float_runs;
            }
            rows.push_back(row);
            print_point(p);
            if (p.rate <= 0) continue;  // no place on a log axis
            mc.x.push_back(p.rate), mc.y.push_back(p.mnist_chip), mf.x.push_back(p.rate), mf.y.push_back(p.mnist_float);
            rc.x.push_back(p.rate), rc.y.push_back(p.recall_chip), rf.x.push_back(p.rate), rf.y.push_back(p.recall_float);
            bars_m.push_back({p.rate, p.mnist_chip_ci}), bars_r.push_back({p.rate, p.recall_chip_ci});
        }
        // The twin only where the fault has a float meaning (else it is the clean line).
        const bool twin = kind == "syn" || kind == "seu" || kind == "neuron";
        pm.series.push_back(mc), pr.series.push_back(rc);
        if (twin) pm.series.push_back(mf), pr.series.push_back(rf);
        // Each kind's bars a little to the side (log axis: a factor), so that they do not hide each other.
        const double side = std::pow(1.06, color - 1 - 0.5 * double(c.kinds.size() - 1));
        for (const auto& [x, i] : bars_m) add_error_bars(pm, x * side, i, color);
        for (const auto& [x, i] : bars_r) add_error_bars(pr, x * side, i, color);
    }
    write_text_atomic(out.path("faults.csv"), csv);
    write_json(out.path("faults.json"),
               {{"images", images}, {"kinds", c.kinds}, {"rates", c.rates}, {"upset_rates", c.upset_rates},
                {"fault_seed", c.fault_seed}, {"repeats", c.repeats},
                {"interval", "95% Student t interval of the mean over the repeats' fault maps (seeds in each point)"},
                {"seu_at_update", c.seu_at}, {"classifier_seed", o.job.seed}, {"scale_policy", o.scale},
                {"recall", !c.recall ? nlohmann::json("not run")
                                     : nlohmann::json{{"patterns", c.patterns}, {"probes", c.probes}, {"flip", c.flip},
                                                      {"rule", "hebb"}, {"order", "async"}}},
                {"float_twin_faults", "stuck neurons, and the weight change of stuck bits and upsets (upsets from the "
                                      "start); accumulator faults have no float counterpart"},
                {"points", rows}},
               prov);
    plot_png(out.path("faults_mnist.png"), pm);
    if (c.recall) plot_png(out.path("faults_recall.png"), pr);
    publish_outputs(out, prov);
}

int run_faults(FaultsOptions o) {
    check_output_dir(o.out, {"faults.csv", "faults.json", "faults_mnist.png", "faults_recall.png"});
    check_chip_outputs(o.chip);
    for (double r : o.campaign.rates)
        if (!(r >= 0 && r <= 1)) throw BadArgument(fmt::format("--rates: {} is not a fraction between 0 and 1", r));
    o.campaign.recall = !o.no_recall;
    o.campaign.wrap = o.chip.wrap;
    auto chip = open_chip(o.chip);
    if (!chip->takes_faults()) chip->set_faults(FaultPlan{});  // before the training: the driver says why not
    const MnistJob job = prepare_mnist_job(o.job, o.chip.params.n_max, "faults");
    ensure_directory(o.out);
    const ChipNetwork q = quantize_for(job.net, o.chip.params, {o.scale, o.rounding, o.job.seed});
    size_t total = 0;
    for (const std::string& k : o.campaign.kinds) total += campaign_rates(o.campaign, k).size() * o.campaign.repeats;
    Progress bar("[faults] kinds x rates x repeats", total, !o.no_progress);
    const auto points = run_fault_campaign(*chip, job.net, q, {&job.pixels, &job.test.labels}, o.campaign,
                                           [&bar](size_t done) { bar.update(done); });
    bar.finish();
    write_outputs(o, points, job.images, provenance(chip.get()));
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
    c->add_option("--kinds", o->campaign.kinds, "fault kinds: syn (stuck synapse bits, half at 0), seu (synapse bits flipped "
                                       "once at --seu-at), upset (synapse upsets in time, --upset-rates), neuron (stuck "
                                       "neurons, half at +1), acc (stuck accumulator bits, half at 0), thr / clamp / lfsr (stuck "
                                       "threshold, clamp, LFSR bits, half at 0)")
        ->capture_default_str()->delimiter(',')->check(CLI::IsMember(fault_kinds()));
    c->add_option("--rates", o->campaign.rates, "fault rates: the probability that one of the kind's sites (bit, neuron) is faulty")
        ->capture_default_str()->delimiter(',')->check(finite_in(0, 1));
    c->add_option("--upset-rates", o->campaign.upset_rates,
                  "rates of the upset kind: flips per stored synapse bit per neuron update (counted over the whole "
                  "test set: the memory is loaded once, flips accumulate)")
        ->capture_default_str()->delimiter(',')->check(finite_in(0, 1));
    c->add_option("--repeats", o->campaign.repeats,
                  "fault maps per point (seeds derived from --fault-seed); the mean and a 95% Student t interval")
        ->capture_default_str()->check(CLI::Range(1, 1000));
    c->add_option("--fault-seed", o->campaign.fault_seed, "seed of the faulty sites (the first repeat's) and the recall patterns")
        ->capture_default_str()->check(whole_number(0, UINT64_MAX));
    c->add_option("--seu-at", o->campaign.seu_at, "neuron update index at which the upsets happen (counted from the first image)")
        ->capture_default_str()->check(whole_number(0, UINT64_MAX));
    c->add_option("--patterns", o->campaign.patterns, "random patterns stored for the recall test")->capture_default_str()->check(CLI::Range(1, 1000));
    c->add_option("--probes", o->campaign.probes, "recall probes per point")->capture_default_str()->check(CLI::Range(1, 10000));
    c->add_option("--flip", o->campaign.flip, "fraction of a probe's neurons flipped")->capture_default_str()->check(finite_in(0, 1));
    c->add_flag("--no-recall", o->no_recall, "MNIST only");
    add_scale_option(c, o->scale);
    add_rounding_option(c, o->rounding);
    c->add_option("--out", o->out, "output directory")->capture_default_str();
    c->add_flag("--no-progress", o->no_progress, "no progress bar");
    add_chip_options(*c, o->chip, kOfferWbits | kOfferAbits | kOfferWrap | kOfferNeurons);
    return [o] { return run_faults(*o); };
}

}  // namespace mind1024::host
