// A design space (format mind1024-dse/1, YAML or JSON): a workload, axes over
// the chip's parameters and its run, optional faults, constraints, objectives
// and energies. Read and checked whole before any work: every error names the
// file and the key. See docs/dse.md for the format.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "host/study/chip_spec.h"
#include "sysc/chip_mode.h"

namespace mind1024::host {

constexpr const char* kDseFormat = "mind1024-dse/1";

struct DseFaults {
    std::string kind;           // a --faults key: syn0, syn1, plus, minus
    std::vector<double> rates;  // fractions 0..1
    uint32_t repeats = 1;       // fault seeds 1..repeats at each rate above 0
};

struct DseObjective {
    std::string column;
    bool maximize = false;
};

struct DseSpace {
    std::string file;                         // where it was read from (for messages)
    nlohmann::json source;                    // the file as read (kept in dse.json)
    std::string net = "hopfield";             // the workload's network
    nlohmann::json workload;                  // its other keys (the command maps them onto its options)
    std::vector<std::pair<std::string, std::vector<nlohmann::json>>> axes;  // canonical order
    DseFaults faults;                         // kind empty: none
    std::vector<std::string> constraints;
    std::vector<DseObjective> objectives;
    std::map<std::string, double> energy;     // pJ per action: the defaults, overridden by the file
};

// The workload networks: hopfield (the mnist command's classifier), recall (a
// Hebb memory at a load).
const std::vector<std::string>& dse_nets();
// The energy actions and their default pJ (docs/dse.md says where they come from).
const std::map<std::string, double>& default_energy_pj();
// The numeric columns of points.csv (what constraints and objectives may name).
const std::vector<std::string>& dse_numeric_columns();
// Every column of points.csv, in order.
const std::vector<std::string>& dse_columns();

// Parses a space from JSON (YAML is read into JSON first); BadArgument naming
// `file` and the key on any error, before any work.
DseSpace parse_dse_space(const nlohmann::json& j, const std::string& file);
// Reads FILE (YAML or JSON, by content) and parses it.
DseSpace read_dse_space(const std::string& path);

// One design point: a chip configuration, the update order and a fault draw.
struct DsePoint {
    size_t index = 0;        // in the product's order
    ChipSpec chip;           // params and wrap (the model etc. are the runner's)
    Order order = Order::AsyncSeq;
    std::string fault_kind;  // empty: none
    double fault_rate = 0;
    uint32_t repeat = 0;     // fault seed - 1
    // A stable name of the point's settings: points.jsonl's key for --resume.
    std::string key() const;
    // The settings as points.csv's columns name them.
    nlohmann::json settings_json() const;
};

// The product of the axes (and the fault rates x repeats), without the points
// that the constraints on settings alone already exclude.
std::vector<DsePoint> expand_dse_space(const DseSpace& s);

// The constraints against a row of columns (a JSON object with the numeric
// columns); true if every one holds.
bool dse_constraints_hold(const DseSpace& s, const nlohmann::json& row);
// Whether a constraint names only settings (then expand_dse_space applies it).
bool dse_constraint_on_settings(const std::string& expr);

// The non-dominated rows under the objectives (rows failing a constraint or
// with an "error" are left out first): indices into rows, in their order.
std::vector<size_t> pareto_front(const std::vector<DseObjective>& objectives, const std::vector<nlohmann::json>& rows,
                                 const DseSpace* constraints = nullptr);

}  // namespace mind1024::host
