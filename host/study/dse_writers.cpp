#include "host/study/dse_writers.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "host/report/output_file.h"
#include "host/report/plot.h"

namespace mind1024::host {

using json = nlohmann::json;

namespace {

bool fault_free(const json& r) { return r.value("fault_kind", "none") == "none" || r.value("fault_rate", 0.0) == 0; }

bool is_default_chip(const json& r) {
    const ChipParams d;
    for (const auto& k : chip_param_table())
        if (!r.contains(k.member) || r[k.member].get<double>() != k.get(d)) return false;
    return r.value("overflow", "") == "saturate";
}

double num(const json& r, const std::string& c) { return r.contains(c) && r[c].is_number() ? r[c].get<double>() : 0.0; }

std::string describe(const json& r) {
    return fmt::format("W{} A{} L{} {} {} lat {} N {}{}", r["wbits"].get<double>(), r["abits"].get<double>(),
                       r["lanes"].get<double>(), r.value("overflow", ""), r.value("order", ""),
                       r["latency"].get<double>(), r["n_max"].get<double>(),
                       fault_free(r) ? "" : fmt::format(" {} {:g}", r.value("fault_kind", ""), num(r, "fault_rate")));
}

// Accuracy against one cost: a series per WBITS, the front drawn through its points.
void front_plot(const std::string& path, const DseResult& r, const std::string& xcol, const std::string& xlabel,
                const std::string& title) {
    PlotSpec ps;
    ps.title = title;
    ps.xlabel = xlabel;
    ps.ylabel = "accuracy on the chip (%)";
    std::map<double, Series> by_w;
    for (size_t i = 0; i < r.rows.size(); ++i) {
        const json& row = r.rows[i];
        if (row.contains("error")) continue;
        Series& s = by_w[num(row, "wbits")];
        s.title = fmt::format("WBITS {:g}", num(row, "wbits"));
        s.x.push_back(num(row, xcol));
        s.y.push_back(100 * num(row, "accuracy"));
    }
    int colour = 1;
    for (auto& kv : by_w) {
        kv.second.color = colour++;
        kv.second.with = "points pt 7 ps 1.3";
        ps.series.push_back(kv.second);
    }
    // This plot's own front (accuracy up, this cost down) as a staircase ...
    std::vector<std::pair<double, double>> f2;
    for (size_t i : pareto_front({{"accuracy", true}, {xcol, false}}, r.rows))
        f2.emplace_back(num(r.rows[i], xcol), 100 * num(r.rows[i], "accuracy"));
    std::sort(f2.begin(), f2.end());
    Series stairs{"front of accuracy and this cost", {}, {}, false};
    for (const auto& p : f2) stairs.x.push_back(p.first), stairs.y.push_back(p.second);
    stairs.with = "steps";
    stairs.color = 8;
    ps.series.push_back(stairs);
    // ... and the points on the front of every objective circled.
    Series all{"on the front of all objectives", {}, {}, false};
    for (size_t i : r.front) all.x.push_back(num(r.rows[i], xcol)), all.y.push_back(100 * num(r.rows[i], "accuracy"));
    all.with = "points pt 6 ps 2.6";
    all.color = 8;
    ps.series.push_back(all);
    ps.key = "below";
    plot_png(path, ps);
}

}  // namespace

DseAnswer cheapest_within(const DseResult& r, double tolerance) {
    DseAnswer a;
    for (size_t i = 0; i < r.rows.size(); ++i) {
        const json& row = r.rows[i];
        if (row.contains("error") || !fault_free(row)) continue;
        if (is_default_chip(row) && (a.reference == std::string::npos ||
                                     num(row, "accuracy") > num(r.rows[a.reference], "accuracy")))
            a.reference = i;
    }
    if (a.reference == std::string::npos)
        for (size_t i = 0; i < r.rows.size(); ++i)
            if (!r.rows[i].contains("error") && fault_free(r.rows[i]) &&
                (a.reference == std::string::npos || num(r.rows[i], "accuracy") > num(r.rows[a.reference], "accuracy")))
                a.reference = i;
    if (a.reference == std::string::npos) return a;
    const double floor = num(r.rows[a.reference], "accuracy") - tolerance;
    for (size_t i = 0; i < r.rows.size(); ++i) {
        const json& row = r.rows[i];
        if (row.contains("error") || !fault_free(row) || num(row, "accuracy") < floor - 1e-12) continue;
        if (a.cheapest == std::string::npos) {
            a.cheapest = i;
            continue;
        }
        const json& c = r.rows[a.cheapest];
        const auto key = [](const json& x) {
            return std::make_tuple(num(x, "area_transistors"), num(x, "area_cells"), num(x, "energy_pj_per_image"));
        };
        if (key(row) < key(c)) a.cheapest = i;
    }
    return a;
}

std::string dse_summary_md(const DseSpace& s, const DseResult& r) {
    std::string md = fmt::format("# Design-space exploration: {}\n\n", s.file);
    size_t errors = 0, infeasible = 0;
    for (const auto& row : r.rows) {
        const bool inf = row.value("infeasible", false);
        infeasible += inf;
        errors += row.contains("error") && !inf;
    }
    md += fmt::format("{} points ({} measured in this run, {} taken from points.jsonl, {} where the workload does not "
                      "fit the chip, {} failed), workload `{}`, {:.1f} s.\n\n",
                      r.rows.size(), r.computed, r.resumed, infeasible, errors, s.net, r.seconds);
    std::string objectives;
    for (const auto& o : s.objectives) objectives += fmt::format("{}{} {}", objectives.empty() ? "" : ", ", o.column, o.maximize ? "max" : "min");
    md += "Objectives: " + objectives + ".";
    if (!s.constraints.empty()) {
        md += " Constraints:";
        for (const auto& c : s.constraints) md += " `" + c + "`";
        md += ".";
    }
    md += "\n\n";
    const DseAnswer a = cheapest_within(r, 0.005);
    if (a.reference != std::string::npos) {
        const json& ref = r.rows[a.reference];
        md += fmt::format("Reference: {} at {:.2f}% (95% interval ± {:.2f} points over {:g} images; float {:.2f}%).\n",
                          describe(ref), 100 * num(ref, "accuracy"), 100 * num(ref, "accuracy_ci95"), num(ref, "images"),
                          100 * num(ref, "accuracy_float"));
        if (a.cheapest != std::string::npos) {
            const json& c = r.rows[a.cheapest];
            md += fmt::format("Cheapest within 0.5 point of it (fewest transistors, then cells, then energy): **{}** at "
                              "{:.2f}%: {:.0f} logic cells ({:+.1f}%), {:.0f} LUT4, {:.3g} transistors with the memories "
                              "({:+.1f}%), {:.0f} memory bits, {:.4g} pJ per image ({:+.1f}%), {:.0f} cycles per image "
                              "({:+.1f}%).\n",
                              describe(c), 100 * num(c, "accuracy"), num(c, "area_cells"),
                              100 * (num(c, "area_cells") / num(ref, "area_cells") - 1), num(c, "area_lut4"),
                              num(c, "area_transistors"), 100 * (num(c, "area_transistors") / num(ref, "area_transistors") - 1),
                              num(c, "memory_bits"), num(c, "energy_pj_per_image"),
                              100 * (num(c, "energy_pj_per_image") / num(ref, "energy_pj_per_image") - 1),
                              num(c, "cycles_per_image"), 100 * (num(c, "cycles_per_image") / num(ref, "cycles_per_image") - 1));
        }
    }
    md += "\n## The Pareto front\n\n| point | accuracy % | float % | cells | LUT4 | transistors | cycles/image | pJ/image | overflow/image |\n|---|---|---|---|---|---|---|---|---|\n";
    std::vector<size_t> f = r.front;
    std::sort(f.begin(), f.end(), [&](size_t x, size_t y) { return num(r.rows[x], "accuracy") > num(r.rows[y], "accuracy"); });
    for (size_t i : f) {
        const json& row = r.rows[i];
        const std::string ovf = row.contains("overflow_per_image") && row["overflow_per_image"].is_number()
                                    ? fmt::format("{:.3g}", num(row, "overflow_per_image"))
                                    : "-";  // not measured by this workload
        md += fmt::format("| {} | {:.2f}{} | {:.2f} | {:.0f} | {:.0f} | {:.3g} | {:.0f} | {:.4g} | {} |\n", describe(row),
                          100 * num(row, "accuracy"),
                          num(row, "repeats") > 1 ? fmt::format(" ± {:.2f}", 100 * num(row, "accuracy_std")) : "",
                          100 * num(row, "accuracy_float"), num(row, "area_cells"), num(row, "area_lut4"),
                          num(row, "area_transistors"), num(row, "cycles_per_image"), num(row, "energy_pj_per_image"), ovf);
    }
    size_t disagree = 0;
    size_t rtl = 0, rtl_disagree = 0;
    for (const auto& row : r.rows) {
        disagree += row.contains("reference_agrees") && !row["reference_agrees"].get<bool>();
        rtl += row.contains("rtl_agrees");
        rtl_disagree += row.contains("rtl_agrees") && !row["rtl_agrees"].get<bool>();
    }
    if (disagree) md += fmt::format("\n**{} points disagree with the reference model** (reference_agrees = 0 in points.csv).\n", disagree);
    if (rtl) md += fmt::format("\nThe Verilated neuron unit ran the first images of the {} points whose parameters this build has: "
                               "{} disagree.\n", rtl, rtl_disagree);
    return md;
}

std::vector<std::string> write_dse_outputs(const DseSpace& s, const DseWorkload& w, const DseResult& r,
                                           const std::string& out, const json& provenance) {
    std::vector<size_t> all(r.rows.size());
    for (size_t i = 0; i < all.size(); ++i) all[i] = i;
    write_text_atomic(out + "/points.csv", dse_csv(r.rows, all));
    write_text_atomic(out + "/pareto.csv", dse_csv(r.rows, r.front));
    json objectives = json::object(), energy = json::object();
    for (const auto& o : s.objectives) objectives[o.column] = o.maximize ? "max" : "min";
    for (const auto& e : s.energy) energy[e.first] = e.second;
    json j = {{"format", kDseFormat},
              {"space_file", s.file},
              {"space", s.source},
              {"workload", w.description},
              {"objectives", objectives},
              {"energy_pj", energy},
              {"transistors_per_memory_bit", kTransistorsPerMemoryBit},
              {"points", r.rows.size()},
              {"computed", r.computed},
              {"resumed", r.resumed},
              {"front", r.front},
              {"wall_seconds", r.seconds},
              {"provenance", provenance}};
    write_text_atomic(out + "/dse.json", j.dump(1) + "\n");
    const std::string what = fmt::format("{} workload, {} points", s.net, r.rows.size());
    front_plot(out + "/front_area.png", r, "area_cells", "logic area (Yosys generic cells, neuron unit + LFSR)",
               "Accuracy against logic area (" + what + ")");
    front_plot(out + "/front_cycles.png", r, "cycles_per_image", "chip cycles per image",
               "Accuracy against cycles (" + what + ")");
    write_text_atomic(out + "/summary.md", dse_summary_md(s, r));
    return {"points.jsonl", "points.csv", "pareto.csv", "dse.json", "front_area.png", "front_cycles.png", "summary.md"};
}

}  // namespace mind1024::host
