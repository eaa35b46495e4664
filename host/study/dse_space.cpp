#include "host/study/dse_space.h"

#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <muParser.h>
#include <yaml-cpp/yaml.h>

#include "host/data/atomic_file.h"
#include "host/data/data_error.h"

#include "host/board/errors.h"

namespace mind1024::host {

namespace {

using json = nlohmann::json;

// The axes besides the parameter table's: how the chip runs.
const char* const kOverflow = "overflow";
const char* const kOrder = "order";

[[noreturn]] void bad(const std::string& file, const std::string& key, const std::string& what) {
    throw BadArgument(fmt::format("{}: {}: {}", file, key, what));
}

std::string kinds_list(const std::vector<std::string>& v) {
    std::string s;
    for (const auto& k : v) s += (s.empty() ? "" : ", ") + k;
    return s;
}

// Bounds on a space file: its size, and the nodes its YAML expands to (aliases
// of aliases would otherwise grow exponentially: "a billion laughs") and their depth.
constexpr uint64_t kMaxSpaceFileBytes = 1u << 20;
constexpr size_t kMaxSpaceNodes = 100000, kMaxSpaceDepth = 64;

struct YamlBudget {
    size_t nodes = 0;
};

// YAML node -> JSON: scalars become numbers or booleans where YAML reads them so.
json yaml_to_json(const YAML::Node& n, YamlBudget& budget, size_t depth = 0) {
    if (++budget.nodes > kMaxSpaceNodes || depth > kMaxSpaceDepth)
        throw YAML::Exception(n.Mark(), fmt::format("the document expands to more than {} nodes or {} levels "
                                                    "(aliases of aliases?); a space file is small",
                                                    kMaxSpaceNodes, kMaxSpaceDepth));
    switch (n.Type()) {
    case YAML::NodeType::Null: return nullptr;
    case YAML::NodeType::Sequence: {
        json a = json::array();
        for (const auto& e : n) a.push_back(yaml_to_json(e, budget, depth + 1));
        return a;
    }
    case YAML::NodeType::Map: {
        json o = json::object();
        for (const auto& kv : n) o[kv.first.as<std::string>()] = yaml_to_json(kv.second, budget, depth + 1);
        return o;
    }
    default: break;
    }
    const std::string s = n.Scalar();
    if (n.Tag() == "!") return s;  // quoted: a string
    if (s == "true" || s == "false") return s == "true";
    try {
        size_t used = 0;
        const long long i = std::stoll(s, &used, 10);
        if (used == s.size()) return i;
    } catch (const std::exception&) {
    }
    try {
        size_t used = 0;
        const double d = std::stod(s, &used);
        if (used == s.size() && std::isfinite(d)) return d;
    } catch (const std::exception&) {
    }
    return s;
}

Order order_from(const std::string& s) {
    if (s == "sync") return Order::Sync;
    if (s == "async") return Order::AsyncSeq;
    return Order::AsyncPerm;
}

// The variables a constraint may name, bound to one row of values.
struct ConstraintContext {
    std::map<std::string, double> values;
    mu::Parser parser;
    explicit ConstraintContext(const std::string& expr) {
        for (const auto& c : dse_numeric_columns()) values[c] = 0;
        values["wrap"] = 0;
        for (auto& kv : values) parser.DefineVar(kv.first, &kv.second);
        parser.SetExpr(expr);
    }
};

void check_constraint(const std::string& file, size_t k, const std::string& expr) {
    try {
        ConstraintContext c(expr);
        c.parser.Eval();
    } catch (const mu::Parser::exception_type& e) {
        bad(file, fmt::format("constraints[{}]", k),
            fmt::format("'{}': {} (a constraint compares the columns, e.g. \"abits >= wbits + 6\")", expr, e.GetMsg()));
    }
}

std::vector<json> axis_values(const std::string& file, const std::string& key, const json& v) {
    std::vector<json> out;
    if (v.is_array()) {
        for (const auto& e : v) out.push_back(e);
    } else {
        out.push_back(v);
    }
    if (out.empty()) bad(file, "space." + key, "an empty list (the product would be empty)");
    if (key == kOverflow || key == kOrder) {
        const std::vector<std::string> ok = key == kOverflow ? std::vector<std::string>{"saturate", "wrap"}
                                                             : std::vector<std::string>{"sync", "async", "perm"};
        for (const auto& e : out)
            if (!e.is_string() || std::find(ok.begin(), ok.end(), e.get<std::string>()) == ok.end())
                bad(file, "space." + key, fmt::format("{} is not one of {}", e.dump(), kinds_list(ok)));
        return out;
    }
    const ChipParamInfo* p = find_chip_param(key);
    for (const auto& e : out) {
        if (!e.is_number()) bad(file, "space." + key, fmt::format("{} is not a number", e.dump()));
        const double d = e.get<double>();
        if (p->integer && d != std::floor(d)) bad(file, "space." + key, fmt::format("{} is not a whole number", d));
        if (!(d >= p->lo && d <= p->hi))
            bad(file, "space." + key, fmt::format("{:g} is outside {:g}..{:g} ({})", d, p->lo, p->hi, p->help));
    }
    return out;
}

void parse_faults(const json& f, const std::string& file, DseSpace& s) {
    if (!f.is_object()) bad(file, "faults", "not a mapping (kind, rates, repeats)");
    for (const auto& kv : f.items())
        if (kv.key() != "kind" && kv.key() != "rates" && kv.key() != "repeats")
            bad(file, "faults." + kv.key(), "unknown key (faults take kind, rates, repeats)");
    const std::vector<std::string> kinds{"syn0", "syn1", "plus", "minus", "accp0", "accp1", "thr0", "thr1",
                                         "clamp0", "clamp1", "lfsr0", "lfsr1", "upset"};
    if (!f.contains("kind") || !f["kind"].is_string() ||
        std::find(kinds.begin(), kinds.end(), f["kind"].get<std::string>()) == kinds.end())
        bad(file, "faults.kind", fmt::format("must be one of {} (the --faults keys whose value is a rate)", kinds_list(kinds)));
    s.faults.kind = f["kind"];
    if (!f.contains("rates") || !f["rates"].is_array() || f["rates"].empty())
        bad(file, "faults.rates", "a non-empty list of fractions 0..1");
    for (const auto& r : f["rates"]) {
        if (!r.is_number() || !(r.get<double>() >= 0 && r.get<double>() <= 1))
            bad(file, "faults.rates", fmt::format("{} is not a fraction 0..1", r.dump()));
        s.faults.rates.push_back(r);
    }
    if (f.contains("repeats")) {
        const json& r = f["repeats"];
        if (!r.is_number_integer() || r.get<int64_t>() < 1 || r.get<int64_t>() > 1000)
            bad(file, "faults.repeats", fmt::format("{} is not a whole number 1..1000", r.dump()));
        s.faults.repeats = r.get<uint32_t>();
    }
}

}  // namespace

const std::vector<std::string>& dse_nets() {
    static const std::vector<std::string> v{"hopfield", "layered", "recall"};
    return v;
}

const std::map<std::string, double>& default_energy_pj() {
    // Order-of-magnitude figures for a 45 nm process (Horowitz, ISSCC 2014): an
    // SRAM read about 0.16 pJ per bit (10 pJ per 64 bits of an 8 KB array), a
    // 32-bit add 0.1 pJ (0.003 pJ per bit), a register write like an SRAM bit,
    // a 32-bit word over an on-board bus about 10 pJ. docs/dse.md.
    static const std::map<std::string, double> m{{"synapse_bit_read", 0.16},
                                                 {"add_bit", 0.003},
                                                 {"state_write", 0.16},
                                                 {"bus_word", 10.0}};
    return m;
}

const std::vector<std::string>& dse_columns() {
    static const std::vector<std::string> v{
        "wbits", "abits", "lanes", "overflow", "order", "latency", "clock_hz", "n_max", "fault_kind", "fault_rate",
        "accuracy", "accuracy_float", "cycles_per_image", "latency_us_per_image", "area_cells", "area_lut4",
        "area_transistors", "memory_bits", "energy_pj_per_image", "overflow_per_image", "unanswered",
        // beyond the required ones
        "accuracy_ci95", "accuracy_std", "repeats", "mean_sweeps", "logic_transistors", "reference_agrees", "rtl_agrees", "point_seconds"};
    return v;
}

const std::vector<std::string>& dse_numeric_columns() {
    static const std::vector<std::string> v = [] {
        std::vector<std::string> r;
        for (const auto& c : dse_columns())
            if (c != "overflow" && c != "order" && c != "fault_kind") r.push_back(c);
        return r;
    }();
    return v;
}

namespace {

void parse_workload(const json& j, const std::string& file, DseSpace& s) {
    if (!j.contains("workload") || !j["workload"].is_object()) bad(file, "workload", "missing or not a mapping");
    s.workload = json::object();
    for (const auto& kv : j["workload"].items()) {
        if (kv.key() == "net") {
            if (!kv.value().is_string() ||
                std::find(dse_nets().begin(), dse_nets().end(), kv.value().get<std::string>()) == dse_nets().end())
                bad(file, "workload.net", fmt::format("{} is not one of {}", kv.value().dump(), kinds_list(dse_nets())));
            s.net = kv.value();
        } else if (kv.value().is_object() || kv.value().is_array() || kv.value().is_null()) {
            bad(file, "workload." + kv.key(), "must be a single value (a number or a word)");
        } else {
            s.workload[kv.key()] = kv.value();
        }
    }
}

void parse_axes(const json& j, const std::string& file, DseSpace& s) {
    if (!j.contains("space") || !j["space"].is_object() || j["space"].empty())
        bad(file, "space", "missing or empty (give at least one axis, e.g. wbits: [4, 8])");
    const json& sp = j["space"];
    for (const auto& kv : sp.items()) {
        if (!find_chip_param(kv.key()) && kv.key() != kOverflow && kv.key() != kOrder) {
            std::string names;
            for (const auto& k : chip_param_table()) names += std::string(k.member) + ", ";
            bad(file, "space." + kv.key(), "unknown axis (the axes are " + names + "overflow, order)");
        }
    }
    // Canonical order: the parameter table's, then overflow, then order.
    for (const auto& k : chip_param_table()) {
        const auto it = sp.contains(k.member) ? sp.find(k.member) : sp.find(k.option);
        if (it != sp.end()) s.axes.emplace_back(k.member, axis_values(file, k.member, *it));
    }
    for (const char* k : {kOverflow, kOrder})
        if (sp.contains(k)) s.axes.emplace_back(k, axis_values(file, k, sp[k]));
}

void parse_constraints(const json& c, const std::string& file, DseSpace& s) {
    if (!c.is_array()) bad(file, "constraints", "not a list of expressions");
    for (size_t k = 0; k < c.size(); ++k) {
        if (!c[k].is_string()) bad(file, fmt::format("constraints[{}]", k), "not a string");
        check_constraint(file, k, c[k]);
        s.constraints.push_back(c[k]);
    }
}

void parse_objectives(const json& o, const std::string& file, DseSpace& s) {
    if (!o.is_object() || o.empty()) bad(file, "objectives", "not a mapping of column: max|min");
    const auto& cols = dse_numeric_columns();
    for (const auto& kv : o.items()) {
        if (std::find(cols.begin(), cols.end(), kv.key()) == cols.end())
            bad(file, "objectives." + kv.key(), "names no numeric column of points.csv (e.g. accuracy, area_cells, "
                                                "cycles_per_image, energy_pj_per_image)");
        if (kv.value() != "max" && kv.value() != "min") bad(file, "objectives." + kv.key(), "must be max or min");
        s.objectives.push_back({kv.key(), kv.value() == "max"});
    }
}

void parse_energy(const json& e, const std::string& file, DseSpace& s) {
    if (!e.is_object()) bad(file, "energy", "not a mapping of action: pJ");
    for (const auto& kv : e.items()) {
        if (!default_energy_pj().count(kv.key())) {
            std::string names;
            for (const auto& d : default_energy_pj()) names += (names.empty() ? "" : ", ") + d.first;
            bad(file, "energy." + kv.key(), "unknown action (the actions are " + names + ")");
        }
        if (!kv.value().is_number() || !(kv.value().get<double>() >= 0))
            bad(file, "energy." + kv.key(), "must be a number of pJ, 0 or more");
        s.energy[kv.key()] = kv.value();
    }
}

}  // namespace

DseSpace parse_dse_space(const json& j, const std::string& file) {
    DseSpace s;
    s.file = file;
    s.source = j;
    s.energy = default_energy_pj();
    if (!j.is_object()) bad(file, "(top)", "not a mapping of format, workload, space, ...");
    const std::set<std::string> top{"format", "workload", "space", "faults", "constraints", "objectives", "energy"};
    for (const auto& kv : j.items())
        if (!top.count(kv.key()))
            bad(file, kv.key(), "unknown key (a space has format, workload, space, faults, constraints, objectives, energy)");
    if (!j.contains("format") || j["format"] != kDseFormat) bad(file, "format", fmt::format("must be {}", kDseFormat));
    parse_workload(j, file, s);
    parse_axes(j, file, s);
    if (j.contains("faults")) parse_faults(j["faults"], file, s);
    if (j.contains("constraints")) parse_constraints(j["constraints"], file, s);
    if (j.contains("objectives")) parse_objectives(j["objectives"], file, s);
    else s.objectives = {{"accuracy", true}, {"area_cells", false}, {"cycles_per_image", false}};
    if (j.contains("energy")) parse_energy(j["energy"], file, s);
    if (expand_dse_space(s).empty()) bad(file, "constraints", "no design point satisfies them");
    return s;
}

DseSpace read_dse_space(const std::string& path) {
    std::string text;
    try {
        text = read_file_limited(path, kMaxSpaceFileBytes, "space file");
    } catch (const DataError& e) {
        throw BadArgument(e.what());
    }
    json j;
    try {
        YamlBudget budget;
        j = yaml_to_json(YAML::Load(text), budget);  // YAML is a superset of JSON
    } catch (const YAML::Exception& e) {
        throw BadArgument(fmt::format("{}: line {}, column {}: {}", path, e.mark.line + 1, e.mark.column + 1, e.msg));
    }
    return parse_dse_space(j, path);
}

std::string DsePoint::key() const {
    std::string k;
    for (const auto& c : chip_param_table()) k += fmt::format("{}={:g},", c.member, c.get(chip.params));
    k += fmt::format("overflow={},order={}", chip.wrap ? "wrap" : "saturate", order_name(order));
    if (!fault_kind.empty()) k += fmt::format(",fault={}:{:g}:{}", fault_kind, fault_rate, repeat + 1);
    return k;
}

json DsePoint::settings_json() const {
    json j = params_json(chip.params);
    j["overflow"] = chip.wrap ? "wrap" : "saturate";
    j["order"] = order_name(order);
    j["fault_kind"] = fault_kind.empty() ? "none" : fault_kind;
    j["fault_rate"] = fault_rate;
    return j;
}

bool dse_constraint_on_settings(const std::string& expr) {
    ConstraintContext c(expr);
    static const std::set<std::string> settings = [] {
        std::set<std::string> s{"wrap", "fault_rate"};
        for (const auto& k : chip_param_table()) s.insert(k.member);
        return s;
    }();
    for (const auto& v : c.parser.GetUsedVar())
        if (!settings.count(v.first)) return false;
    return true;
}

bool dse_constraints_hold(const DseSpace& s, const json& row) {
    for (const auto& expr : s.constraints) {
        ConstraintContext c(expr);
        for (auto& kv : c.values) {
            if (kv.first == "wrap") kv.second = row.value("overflow", "saturate") == "wrap";
            else if (row.contains(kv.first) && row[kv.first].is_number()) kv.second = row[kv.first].get<double>();
            else if (row.contains(kv.first) && row[kv.first].is_boolean()) kv.second = row[kv.first].get<bool>();
        }
        if (c.parser.Eval() == 0) return false;
    }
    return true;
}

std::vector<DsePoint> expand_dse_space(const DseSpace& s) {
    std::vector<DsePoint> points;
    std::vector<size_t> at(s.axes.size(), 0);
    std::vector<std::string> on_settings;
    for (const auto& c : s.constraints)
        if (dse_constraint_on_settings(c)) on_settings.push_back(c);
    DseSpace only_settings;
    only_settings.constraints = on_settings;
    for (;;) {
        DsePoint p;
        for (size_t a = 0; a < s.axes.size(); ++a) {
            const std::string& name = s.axes[a].first;
            const json& v = s.axes[a].second[at[a]];
            if (name == kOverflow) p.chip.wrap = v == "wrap";
            else if (name == kOrder) p.order = order_from(v);
            else find_chip_param(name)->set(p.chip.params, v.get<double>());
        }
        std::vector<std::pair<double, uint32_t>> draws{{0.0, 0}};
        if (!s.faults.kind.empty()) {
            draws.clear();
            for (double r : s.faults.rates)
                for (uint32_t k = 0; k < (r > 0 ? s.faults.repeats : 1); ++k) draws.emplace_back(r, k);
        }
        for (const auto& d : draws) {
            DsePoint q = p;
            if (!s.faults.kind.empty()) q.fault_kind = s.faults.kind, q.fault_rate = d.first, q.repeat = d.second;
            if (!dse_constraints_hold(only_settings, q.settings_json())) continue;
            q.index = points.size();
            points.push_back(q);
        }
        size_t a = s.axes.size();
        while (a > 0 && ++at[a - 1] == s.axes[a - 1].second.size()) at[--a] = 0;
        if (a == 0) break;
    }
    return points;
}

std::vector<size_t> pareto_front(const std::vector<DseObjective>& objectives, const std::vector<json>& rows,
                                 const DseSpace* constraints) {
    std::vector<size_t> ok;
    for (size_t i = 0; i < rows.size(); ++i) {
        if (rows[i].contains("error")) continue;
        if (constraints && !dse_constraints_hold(*constraints, rows[i])) continue;
        bool numbers = true;
        for (const auto& o : objectives) numbers = numbers && rows[i].contains(o.column) && rows[i][o.column].is_number();
        if (numbers) ok.push_back(i);
    }
    // value in "larger is better" form
    auto v = [&](size_t i, const DseObjective& o) {
        const double x = rows[i][o.column].get<double>();
        return o.maximize ? x : -x;
    };
    std::vector<size_t> front;
    for (size_t i : ok) {
        bool dominated = false;
        for (size_t j : ok) {
            if (i == j) continue;
            bool no_worse = true, better = false;
            for (const auto& o : objectives) {
                if (v(j, o) < v(i, o)) no_worse = false;
                if (v(j, o) > v(i, o)) better = true;
            }
            if (no_worse && better) {
                dominated = true;
                break;
            }
        }
        if (!dominated) front.push_back(i);
    }
    return front;
}

}  // namespace mind1024::host
