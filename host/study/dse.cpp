#include "host/study/dse.h"

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "host/board/errors.h"
#include "host/board/reference_driver.h"
#include "host/data/data_error.h"
#include "host/report/output_file.h"
#include "host/study/patterns.h"
#include "host/classify/layered_chip.h"
#include "host/study/layered_study.h"
#include "host/study/recall_study.h"
#include "host/study/runner.h"
#include "host/twin/float_twin.h"
#include "rtl/datapath_factory.h"

namespace mind1024::host {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

ChipSpec point_chip(const DsePoint& p, const std::string& model) {
    ChipSpec spec = p.chip;
    spec.model = model;
    if (!p.fault_kind.empty() && p.fault_rate > 0)
        spec.faults = FaultSpec::parse(fmt::format("{}={},seed={}", p.fault_kind, p.fault_rate, p.repeat + 1));
    return spec;
}

// Counted actions per image of a run whose neurons u of n are free (contract:
// a sweep updates the u unclamped neurons, each summing n synapses of WBITS
// into an ABITS accumulator) plus the host's bus words of one classification.
json actions_json(double sweeps_per_image, double u, double n, const ChipParams& p, double bus_words) {
    const double updates = sweeps_per_image * u;
    return {{"synapse_bit_read", updates * n * p.stored_word_bits()},  // check bits are read too
            {"add_bit", updates * n * p.abits},
            {"state_write", updates},
            {"bus_word", bus_words}};
}

// The 95% Wilson interval of a fraction correct out of n: its half-width (what
// a difference between two points must exceed to mean something).
double wilson_half_width(double p, double n) {
    if (n <= 0) return 0;
    const double z = 1.959964, z2 = z * z;
    return z / (1 + z2 / n) * std::sqrt(p * (1 - p) / n + z2 / (4 * n * n));
}

void add_costs(json& row, const DsePoint& p, const LogicArea& area, const DseSpace& s, double cycles_per_image,
               const json& actions) {
    const ChipParams& c = p.chip.params;
    const uint64_t mem = chip_memory_bits(c);
    row["cycles_per_image"] = cycles_per_image;
    row["latency_us_per_image"] = cycles_per_image / c.clock_hz * 1e6;
    row["area_cells"] = area.cells;
    row["area_lut4"] = area.lut4;
    row["logic_transistors"] = area.transistors;
    row["memory_bits"] = mem;
    row["area_transistors"] = area.transistors + kTransistorsPerMemoryBit * double(mem);
    row["actions_per_image"] = actions;
    row["energy_pj_per_image"] = energy_pj(s.energy, actions);
}

// Whether this build has the Verilated neuron unit at these parameters.
bool rtl_built_for(const ChipParams& p) {
    try {
        return rtl::make_datapath("rtl", p) != nullptr;
    } catch (const std::invalid_argument&) {
        return false;
    }
}

// The first images' labels and cycles on a chip with the Verilated unit, in a
// child process (this one has not started SystemC yet, and will build its own chip).
json sample_on_rtl(const ChipSpec& spec, const std::function<json(ChipDriver&)>& sample) {
    return run_in_children(1, 1, [&](size_t) {
        ChipSpec r = spec;
        r.datapath = "rtl";
        auto chip = open_chip(r);
        return sample(*chip);
    })[0];
}

// The second check: the Verilated unit's sample against the point's own.
void compare_rtl(json& row, const json& rtl, const std::vector<int>& labels, const std::vector<uint64_t>& cycles) {
    if (rtl.is_null()) return;
    if (rtl.contains("error")) {
        row["rtl_error"] = rtl["error"];
        row["rtl_agrees"] = false;
        return;
    }
    const auto& l = rtl["labels"];
    const auto& c = rtl["cycles"];
    bool same = l.size() <= labels.size();
    for (size_t i = 0; same && i < l.size(); ++i) same = l[i].get<int>() == labels[i] && c[i].get<uint64_t>() == cycles[i];
    row["rtl_agrees"] = same;
    row["rtl_checked"] = l.size();
}

json hopfield_point(const DsePoint& p, const DseWorkload& w, const DseSpace& s, const LogicArea& area,
                    const std::string& model) {
    const ChipSpec spec = point_chip(p, model);
    const auto it = w.classifiers.find(p.order);
    if (it == w.classifiers.end() || !it->second)
        throw BadArgument(fmt::format("no classifier was trained for the order {}", order_name(p.order)));
    const TrainedClassifier& net = *it->second;
    const ChipNetwork q = quantize_for(net, spec.params, w.quantize);
    const size_t k = std::min(w.check_images, w.images.count());
    json rtl;
    if (k > 0 && model == "systemc" && rtl_built_for(spec.params))
        rtl = sample_on_rtl(spec, [&](ChipDriver& c) {
            load_classifier_on_chip(c, net, q);
            const std::vector<std::vector<int8_t>> sample(w.images.pixels->begin(), w.images.pixels->begin() + long(k));
            ChipRunOptions ro;
            ro.wrap = spec.wrap;
            const ClassifierRun r = classify_all_on_chip(c, net, {&sample, w.images.labels}, ro);
            return json{{"labels", r.predicted}, {"cycles", r.cycles}};
        });
    auto chip = open_chip(spec);
    ClassifierEvalOptions eo;
    eo.chip.wrap = spec.wrap;
    const ClassifierEval e = evaluate_classifier(*chip, net, q, w.images, eo);
    const double images = double(e.chip.images());
    json row = p.settings_json();
    row["accuracy"] = e.chip.accuracy() / 100.0;
    row["accuracy_float"] = e.twin.accuracy() / 100.0;
    row["mean_sweeps"] = e.chip.mean_sweeps();
    row["overflow_per_image"] = double(e.chip.overflow_events) / images;
    row["unanswered"] = e.chip.unanswered;
    row["images"] = e.chip.images();
    row["accuracy_ci95"] = wilson_half_width(e.chip.accuracy() / 100.0, images);
    row["weights_clipped_fraction"] = q.weight_report.clipped_fraction;
    const ClassifierLayout& L = net.layout;
    const double words = std::ceil(L.n / 32.0) + L.labels + 2;  // state, label fields, START, STATUS
    add_costs(row, p, area, s, e.chip.cycles_per_image(),
              actions_json(e.chip.mean_sweeps(), L.protos + L.labels, L.n, spec.params, words));
    compare_rtl(row, rtl, e.chip.predicted, e.chip.cycles);
    // The oracle: the plain C++ model on the first images must give the same labels and cycles.
    if (k > 0 && model != "reference") {
        ReferenceDriver ref(spec.params);
        if (spec.faults.any()) ref.set_faults(FaultPlan::expand(spec.faults, spec.params));
        load_classifier_on_chip(ref, net, q);
        const std::vector<std::vector<int8_t>> sample(w.images.pixels->begin(), w.images.pixels->begin() + long(k));
        ChipRunOptions ro;
        ro.wrap = spec.wrap;
        const ClassifierRun r = classify_all_on_chip(ref, net, {&sample, w.images.labels}, ro);
        bool same = true;
        for (size_t i = 0; i < k; ++i)
            same = same && r.predicted[i] == e.chip.predicted[i] && r.cycles[i] == e.chip.cycles[i];
        row["reference_agrees"] = same;
        row["reference_checked"] = k;
    }
    return row;
}

json layered_point(const DsePoint& p, const DseWorkload& w, const DseSpace& s, const LogicArea& area,
                   const std::string& model) {
    const ChipSpec spec = point_chip(p, model);
    if (p.order != Order::AsyncSeq)
        throw BadArgument("the layered network runs one ASYNC sweep (layer by layer): its order axis must be async");
    const auto it = w.layered.find(spec.params.wbits);
    if (it == w.layered.end()) throw BadArgument(fmt::format("no layered network for WBITS {}", spec.params.wbits));
    const baselines::LayeredIntNet& net = it->second;
    try {
        check_layered_fits(net, spec.params, w.layered_dirs.count(spec.params.wbits) ? w.layered_dirs.at(spec.params.wbits) : "");
    } catch (const DataError& e) {
        throw BadArgument(e.what());  // a network this chip cannot hold: the point is infeasible
    }
    const MnistSet test = layered_inputs(net, *w.test, w.layered_dirs.count(spec.params.wbits)
                                                           ? w.layered_dirs.at(spec.params.wbits) : "the layered network");
    const size_t k = std::min<size_t>(w.check_images, w.test_images);
    json rtl;
    if (k > 0 && model == "systemc" && rtl_built_for(spec.params))
        rtl = sample_on_rtl(spec, [&](ChipDriver& c) {
            const LayeredEval r = evaluate_layered(c, net, test, k, spec.wrap);
            return json{{"labels", r.chip_label}, {"cycles", r.cycles}};
        });
    auto chip = open_chip(spec);
    const LayeredEval e = evaluate_layered(*chip, net, test, w.test_images, spec.wrap);
    const double images = double(e.images());
    json row = p.settings_json();
    compare_rtl(row, rtl, e.chip_label, e.cycles);
    row["accuracy"] = double(e.correct) / images;
    row["accuracy_ci95"] = wilson_half_width(double(e.correct) / images, images);
    const auto f = w.layered_float.find(spec.params.wbits);
    row["accuracy_float"] = f == w.layered_float.end() ? json() : json(f->second);
    row["accuracy_host"] = double(e.host_correct) / images;
    row["mean_sweeps"] = 1.0;
    row["overflow_per_image"] = double(e.overflow_events) / images;
    row["unanswered"] = nullptr;  // the layered study does not count tied outputs: not measured
    row["images"] = e.images();
    const double n = double(e.layout.neurons()), u = double(net.hidden + net.outputs);
    const double words = std::ceil(n / 32.0) + double(net.outputs) + 2;  // inputs, output fields, START, STATUS
    add_costs(row, p, area, s, e.cycles_per_image(), actions_json(1.0, u, n, spec.params, words));
    // The oracle here is the host's integer model of the same files: every image must agree.
    row["reference_agrees"] = e.agree == e.images();
    row["reference_checked"] = e.images();
    return row;
}

json recall_point(const DsePoint& p, const DseWorkload& w, const DseSpace& s, const LogicArea& area,
                  const std::string& model) {
    const ChipSpec spec = point_chip(p, model);
    const size_t n = w.patterns.n;
    if (n > spec.params.n_max)
        throw BadArgument(fmt::format("the recall workload has {} neurons, N_MAX is {}", n, spec.params.n_max));
    auto chip = open_chip(spec);
    RecallSpec rs;
    rs.rules = {w.rule};
    rs.orders = {p.order};
    rs.flip = w.flip;
    rs.max_sweeps = w.max_sweeps;
    rs.wrap = spec.wrap;
    rs.keep_frames = 0;
    const RecallRun run = run_recall_study(*chip, w.patterns, rs).at(0);
    const double probes = double(w.patterns.count);
    const double cycles = double(chip->cycles());  // since the study's soft reset
    // The float network with the same corrupted starts (ASYNC and SYNC draw nothing; PERM's draws differ).
    FloatNetwork fn;
    fn.n = static_cast<uint32_t>(n);
    const FloatMatrix J = learn(parse_learning_rule(w.rule), w.patterns);
    fn.w.assign(J.data.begin(), J.data.end());
    FloatTwin twin(fn);
    size_t float_exact = 0;
    for (size_t mu = 0; mu < w.patterns.count; ++mu) {
        twin.set_state(corrupt(w.patterns.pattern(mu), n, w.flip, rs.seed * 1000 + mu));
        RunParams rp;
        rp.order = p.order, rp.max_sweeps = w.max_sweeps, rp.seed = static_cast<uint32_t>(rs.seed + 1);
        twin.run(rp);
        float_exact += std::equal(twin.state().begin(), twin.state().begin() + long(n), w.patterns.pattern(mu));
    }
    json row = p.settings_json();
    row["accuracy"] = double(run.recalled()) / probes;
    row["accuracy_ci95"] = wilson_half_width(double(run.recalled()) / probes, probes);
    row["accuracy_float"] = double(float_exact) / probes;
    row["mean_sweeps"] = run.mean_sweeps();
    row["mean_final_overlap"] = run.mean_final_overlap();
    // The recall study keeps no overflow count and has no labels: not measured, not zero.
    row["overflow_per_image"] = nullptr;
    row["unanswered"] = nullptr;
    row["images"] = w.patterns.count;
    row["weights_clipped_fraction"] = run.clipped_fraction;
    const double words = 2 * std::ceil(double(n) / 32.0) + 2;  // state in and out, STEP, STATUS
    add_costs(row, p, area, s, cycles / probes, actions_json(run.mean_sweeps(), double(n), double(n), spec.params, words));
    return row;
}

std::string area_key(const ChipParams& c) { return fmt::format("{}/{}/{}", c.wbits, c.abits, c.lanes); }

// A point's key without its fault seed: the rows of one (settings, rate).
std::string group_key(const json& row) {
    const std::string k = row["key"];
    return row.value("fault_kind", "none") == "none" ? k : k.substr(0, k.rfind(':'));
}

// The rows of one (settings, rate) over the fault seeds: means, accuracy's spread.
json aggregate(const std::vector<const json*>& draws) {
    json row = *draws.front();
    if (draws.size() == 1) {
        row["accuracy_std"] = 0.0;
        row["repeats"] = 1;
        return row;
    }
    for (const auto& c : dse_numeric_columns()) {
        if (!row.contains(c) || !row[c].is_number()) continue;
        double sum = 0;
        for (const json* d : draws) sum += (*d)[c].get<double>();
        row[c] = sum / double(draws.size());
    }
    double m = row["accuracy"], ss = 0;
    for (const json* d : draws) ss += std::pow((*d)["accuracy"].get<double>() - m, 2);
    row["accuracy_std"] = std::sqrt(ss / double(draws.size() - 1));
    row["repeats"] = draws.size();
    bool agree = true;
    for (const json* d : draws) agree = agree && d->value("reference_agrees", true);
    if (row.contains("reference_agrees")) row["reference_agrees"] = agree;
    row["key"] = group_key(row);
    return row;
}

// Cuts a last line without its newline (a killed run's) off the file.
void cut_partial_line(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const size_t end = text.rfind('\n');
    const size_t keep = end == std::string::npos ? 0 : end + 1;
    if (keep != text.size()) fs::resize_file(path, keep);
}

}  // namespace

double energy_pj(const std::map<std::string, double>& pj, const json& actions) {
    double e = 0;
    for (const auto& kv : actions.items()) e += kv.value().get<double>() * pj.at(kv.key());
    return e;
}

json run_dse_point(const DsePoint& p, const DseWorkload& w, const DseSpace& s, const LogicArea& area,
                   const std::string& model) {
    const auto t0 = std::chrono::steady_clock::now();
    json row;
    try {
        row = w.net == "recall"    ? recall_point(p, w, s, area, model)
              : w.net == "layered" ? layered_point(p, w, s, area, model)
                                   : hopfield_point(p, w, s, area, model);
    } catch (const BadArgument& e) {
        // The workload does not fit this chip (a network larger than N_MAX, sums beyond ABITS):
        // a finding about the design point, not a failure of the run.
        return {{"error", e.what()}, {"infeasible", true}};
    }
    row["point_seconds"] = seconds_since(t0);
    return row;
}

std::vector<json> read_points_jsonl(const std::string& path) {
    std::vector<json> rows;
    std::ifstream in(path, std::ios::binary);
    if (!in) return rows;
    std::string line;
    size_t no = 0;
    while (std::getline(in, line)) {
        ++no;
        if (in.eof()) break;  // no newline: a line cut by a kill, not a row
        json j = json::parse(line, nullptr, false);
        if (j.is_discarded() || !j.is_object() || !j.contains("key") || !j["key"].is_string())
            throw DataError(fmt::format("{}:{}: not a design point's row (a JSON object with a key)", path, no));
        rows.push_back(std::move(j));
    }
    return rows;
}

namespace {

// The finished rows of OUT/points.jsonl by key (with resume), else a fresh file.
std::map<std::string, json> resumed_rows(const std::string& jsonl, bool resume) {
    std::map<std::string, json> done;
    if (!resume || !fs::exists(jsonl)) {
        write_text_atomic(jsonl, "");
        return done;
    }
    cut_partial_line(jsonl);
    for (auto& row : read_points_jsonl(jsonl))
        if (!row.contains("error")) {
            const std::string key = row["key"];
            done[key] = std::move(row);
        }
    return done;
}

// The area of each distinct (WBITS, ABITS, LANES) of the points, one Yosys run each (in children).
std::map<std::string, json> areas_of(const std::vector<DsePoint>& points, const std::vector<size_t>& todo,
                                     const DseRunOptions& o) {
    std::vector<ChipParams> designs;
    std::set<std::string> seen;
    for (size_t i : todo)
        if (seen.insert(area_key(points[i].chip.params)).second) designs.push_back(points[i].chip.params);
    size_t synthesised = 0;
    const auto areas = run_in_children(
        designs.size(), o.jobs,
        [&](size_t k) { return datapath_area(o.area, designs[k].wbits, designs[k].abits, designs[k].lanes).json(); },
        [&](size_t, const json&) {
            if (o.area_progress) o.area_progress(++synthesised, designs.size());
        });
    std::map<std::string, json> area;
    for (size_t k = 0; k < designs.size(); ++k) area[area_key(designs[k])] = areas[k];
    return area;
}

// One row per (settings, rate): the fault seeds' mean and spread.
std::vector<json> aggregate_rows(const std::vector<json>& raw) {
    std::map<std::string, std::vector<const json*>> groups;
    std::vector<std::string> order;
    for (const json& row : raw) {
        if (row.is_null()) continue;  // another shard's
        const std::string k = group_key(row);
        if (!groups.count(k)) order.push_back(k);
        groups[k].push_back(&row);
    }
    std::vector<json> rows;
    for (const auto& k : order) {
        std::vector<const json*> ok;
        for (const json* d : groups[k])
            if (!d->contains("error")) ok.push_back(d);
        rows.push_back(ok.empty() ? *groups[k].front() : aggregate(ok));
    }
    return rows;
}

}  // namespace

DseResult run_dse(const DseSpace& s, const DseWorkload& w, const DseRunOptions& o) {
    const auto t0 = std::chrono::steady_clock::now();
    DseResult r;
    r.points = expand_dse_space(s);
    const std::string jsonl = o.out + "/points.jsonl";
    const std::map<std::string, json> done = resumed_rows(jsonl, o.resume);
    std::vector<size_t> todo;
    std::vector<json> raw(r.points.size());
    for (const auto& p : r.points) {
        if (p.index % o.shards != o.shard) continue;
        const auto it = done.find(p.key());
        if (it != done.end()) raw[p.index] = it->second, ++r.resumed;
        else todo.push_back(p.index);
    }
    const std::map<std::string, json> area = areas_of(r.points, todo, o);

    std::ofstream out(jsonl, std::ios::app | std::ios::binary);
    if (!out) throw ReportError(fmt::format("{}: cannot append", jsonl));
    size_t finished = r.resumed;
    const auto record = [&](size_t index, const json& result) {
        const DsePoint& p = r.points[index];
        json row = result;
        if (row.contains("error")) {
            row = p.settings_json();
            row["error"] = result["error"];
            if (result.value("infeasible", false)) row["infeasible"] = true;
        }
        row["key"] = p.key();
        row["index"] = p.index;
        out << row.dump() << '\n' << std::flush;
        if (!out) throw ReportError(fmt::format("{}: write failed (disk full?)", jsonl));
        raw[p.index] = row;
        ++r.computed;
        if (o.progress) o.progress(++finished, r.resumed + todo.size(), row);
    };
    if (o.executor) {
        o.executor(todo, record);
    } else {
        run_in_children(
            todo.size(), o.jobs,
            [&](size_t k) {
                const DsePoint& p = r.points[todo[k]];
                const json& a = area.at(area_key(p.chip.params));
                if (a.contains("error")) throw ReportError(a["error"].get<std::string>());
                return run_dse_point(p, w, s, LogicArea::from_json(a), o.model);
            },
            [&](size_t k, const json& result) { record(todo[k], result); });
    }
    r.rows = aggregate_rows(raw);
    r.front = pareto_front(s.objectives, r.rows, &s);
    r.seconds = seconds_since(t0);
    return r;
}

std::string dse_csv(const std::vector<json>& rows, const std::vector<size_t>& which) {
    std::string csv;
    for (const auto& c : dse_columns()) csv += (csv.empty() ? "" : ",") + c;
    csv += ",error\n";
    for (size_t i : which) {
        const json& r = rows[i];
        std::string line;
        for (const auto& c : dse_columns()) {
            if (!line.empty() || &c != &dse_columns().front()) line += ",";
            if (!r.contains(c) || r[c].is_null()) continue;
            const json& v = r[c];
            if (v.is_string()) line += v.get<std::string>();
            else if (v.is_boolean()) line += v.get<bool>() ? "1" : "0";
            else if (v.is_number_integer() || v.is_number_unsigned()) line += v.dump();
            else line += fmt::format("{:.6g}", v.get<double>());
        }
        std::string err = r.value("infeasible", false) ? "infeasible: " + r.value("error", "") : r.value("error", "");
        for (char& ch : err)
            if (ch == ',' || ch == '\n' || ch == '"') ch = ' ';
        csv += line + "," + err + "\n";
    }
    return csv;
}

}  // namespace mind1024::host
