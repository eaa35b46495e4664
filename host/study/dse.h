// The design-space exploration: every point of a space (dse_space.h) measured
// — accuracy on the chip and on its float twin, cycles, area, memory, energy,
// overflow, unanswered images — each point in a child process of its own (one
// SystemC board per process), appended to points.jsonl as it ends so that a
// killed run resumes where it stopped. Results are rows of JSON; the writers
// (points.csv, pareto.csv, plots, summary) are apart.
#pragma once
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "host/baselines/layered_net.h"
#include "host/classify/prototype_classifier.h"
#include "host/learning/learning_rules.h"
#include "host/study/classify_study.h"
#include "host/study/dse_area.h"
#include "host/study/dse_space.h"

namespace mind1024::host {

// What every point runs, prepared once by the caller (the classifier trained
// or taken from the cache, the images encoded; or the patterns).
struct DseWorkload {
    std::string net = "hopfield";
    // hopfield: the classifier trained for each update order of the space (the
    // attractor tuning runs the network's own dynamics, so the order is a training setting)
    std::map<Order, const TrainedClassifier*> classifiers;
    LabelledImages images;
    QuantizeOptions quantize;
    Patterns patterns;                              // recall: stored patterns, each probed once
    // layered: the network for each WBITS of the space, the float network's
    // accuracy where network.json gives it, and the test images
    std::map<uint32_t, baselines::LayeredIntNet> layered;
    std::map<uint32_t, double> layered_float;
    std::map<uint32_t, std::string> layered_dirs;  // where each came from (for messages)
    const MnistSet* test = nullptr;
    size_t test_images = 0;
    std::string rule = "hebb";
    double flip = 0.1;
    uint32_t max_sweeps = 30;
    size_t check_images = 16;  // also run on the plain reference model at each point (0: none)
    nlohmann::json description;  // what dse.json says of it
};

struct DseRunOptions {
    std::string out;            // points.jsonl goes here
    unsigned jobs = 2;          // points at once
    bool resume = false;        // take finished points from OUT/points.jsonl
    AreaModel area;
    std::string model = "systemc";  // the chip of every point (reference: the plain model, for tests)
    std::function<void(size_t done, size_t total, const nlohmann::json& row)> progress;
    std::function<void(size_t done, size_t total)> area_progress;  // Yosys, per distinct design
    // Only the points whose index % shards == shard (--shard I/N): shards of a
    // space run apart (job arrays) and are merged by --resume over their rows.
    size_t shard = 0, shards = 1;
    // Runs the given points elsewhere (the MPI ranks) instead of in forked
    // children, calling done(point index, row) as each ends.
    std::function<void(const std::vector<size_t>& points,
                       const std::function<void(size_t, const nlohmann::json&)>& done)>
        executor;
};

struct DseResult {
    std::vector<DsePoint> points;
    std::vector<nlohmann::json> rows;  // per point, in order: settings and measures (or "error")
    std::vector<size_t> front;         // pareto_front of the rows
    size_t resumed = 0, computed = 0;
    double seconds = 0;
};

// One point in this process: its chip opened, the workload run; the row.
nlohmann::json run_dse_point(const DsePoint& p, const DseWorkload& w, const DseSpace& s, const LogicArea& area,
                             const std::string& model);
// The per-image energy from counted actions (docs/dse.md) with the space's energies.
double energy_pj(const std::map<std::string, double>& pj, const nlohmann::json& actions);

// Every point (area first, once per distinct WBITS, ABITS, LANES), appended to
// OUT/points.jsonl as each ends. With resume, rows already there for the same
// space are taken and the file is cut after its last whole line.
DseResult run_dse(const DseSpace& s, const DseWorkload& w, const DseRunOptions& o);

// Rows of points.jsonl by key (a last, cut line is left out). A DataError naming
// the file and line for a line that is not a row.
std::vector<nlohmann::json> read_points_jsonl(const std::string& path);

// points.csv / pareto.csv: the columns of dse_columns(), one row per point.
std::string dse_csv(const std::vector<nlohmann::json>& rows, const std::vector<size_t>& which);

}  // namespace mind1024::host
