// The design-space exploration below the command: the space file's checks,
// the product, constraints, the Pareto filter, the area cache, and a run on a
// recall workload (no data set needed) that is killed, resumed and compared.
#include <chrono>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "host/board/errors.h"
#include "host/data/data_error.h"
#include "host/report/output_file.h"
#include "host/study/dse.h"
#include "host/study/patterns.h"
#include "host/study/trainer_cache.h"

namespace mind1024::host {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

json minimal() {
    return json::parse(R"({"format": "mind1024-dse/1", "workload": {"net": "recall"}, "space": {"wbits": [4, 8]}})");
}

// Yosys's areas shared by the tests that do not test the cache itself (the LFSR is synthesised once).
std::string shared_cache(const fs::path& fallback) {
    const char* c = std::getenv("MIND1024_TEST_CACHE");
    return c ? std::string(c) : fallback.string();
}

fs::path temp_dir(const std::string& name) {
    const fs::path d = fs::temp_directory_path() / ("mind1024_dse_" + name + "_" + std::to_string(::getpid()));
    fs::remove_all(d);
    fs::create_directories(d);
    return d;
}

// The space with one change must be refused, naming the file and `words`.
void refused(const std::function<void(json&)>& change, const std::string& words) {
    json j = minimal();
    change(j);
    try {
        parse_dse_space(j, "space.yaml");
        ADD_FAILURE() << "accepted " << j.dump() << "; expected a refusal naming " << words;
    } catch (const BadArgument& e) {
        const std::string m = e.what();
        EXPECT_NE(m.find("space.yaml"), std::string::npos) << m;
        EXPECT_NE(m.find(words), std::string::npos) << m;
    }
}

// Issue 23: the report's quick profile (20 epochs) showed the figures of another
// training as "(cached)". The key was the trainer's arguments and the data: an
// entry made by another build of mind1024-train (other code, other defaults)
// matched it. Two trainer programs that differ must not share an entry; the
// same program, arguments and data must.
TEST(TrainerCache, AnEntryIsServedOnlyToTheSameTrainerArgumentsAndData) {
    const fs::path d = temp_dir("trainer_cache");
    const ResultCache cache((d / "cache").string());
    const auto program = [&](const std::string& name, const std::string& code) {
        std::ofstream(d / name) << "#!/bin/sh\n# " << code << "\n";
        return (d / name).string();
    };
    const std::string old_trainer = program("old", "trainer of one commit"), new_trainer = program("new", "trainer of another");
    const std::vector<std::string> args{"--model", "layered", "--epochs", "20", "--seed", "1", "--threads", "1"};
    const Training made = plan_training(cache, "layered", old_trainer, args, "00", false);
    ASSERT_FALSE(made.cached);
    const std::string st = cache.stage(made.dir);
    std::ofstream(fs::path(st) / "network.json") << "{}";
    cache.commit(st, made.dir, made.key);
    EXPECT_TRUE(plan_training(cache, "layered", old_trainer, args, "00", false).cached);
    EXPECT_FALSE(plan_training(cache, "layered", new_trainer, args, "00", false).cached);  // the bug: true before
    EXPECT_FALSE(plan_training(cache, "layered", old_trainer, args, "01", false).cached);  // other data
    std::vector<std::string> longer = args;
    longer[3] = "60";
    EXPECT_FALSE(plan_training(cache, "layered", old_trainer, longer, "00", false).cached);
    EXPECT_FALSE(plan_training(cache, "layered", old_trainer, args, "00", true).cached);  // --retrain
    EXPECT_EQ(training_argv(made, "DATA", "OUT").front(), old_trainer);
    EXPECT_THROW(plan_training(cache, "layered", (d / "missing").string(), args, "00", false), ReportError);
    fs::remove_all(d);
}

TEST(DseSpace, EveryBadSpaceIsRefusedNamingTheKey) {
    EXPECT_NO_THROW(parse_dse_space(minimal(), "space.yaml"));
    refused([](json& j) { j["colour"] = 1; }, "colour");
    refused([](json& j) { j["format"] = "mind1024-dse/2"; }, "format");
    refused([](json& j) { j.erase("workload"); }, "workload");
    refused([](json& j) { j["workload"]["net"] = "transformer"; }, "workload.net");
    refused([](json& j) { j["workload"]["seed"] = json::array({1}); }, "workload.seed");
    refused([](json& j) { j.erase("space"); }, "space");
    refused([](json& j) { j["space"]["voltage"] = {1}; }, "space.voltage");
    refused([](json& j) { j["space"]["wbits"] = json::array(); }, "space.wbits");
    refused([](json& j) { j["space"]["wbits"] = {4, 17}; }, "space.wbits");
    refused([](json& j) { j["space"]["abits"] = {12.5}; }, "space.abits");
    refused([](json& j) { j["space"]["lanes"] = {"many"}; }, "space.lanes");
    refused([](json& j) { j["space"]["order"] = {"random"}; }, "space.order");
    refused([](json& j) { j["space"]["overflow"] = {"clip"}; }, "space.overflow");
    refused([](json& j) { j["faults"] = {{"kind", "cosmic"}, {"rates", {0.1}}}; }, "faults.kind");
    refused([](json& j) { j["faults"] = {{"kind", "syn0"}, {"rates", {1.5}}}; }, "faults.rates");
    refused([](json& j) { j["faults"] = {{"kind", "syn0"}, {"rates", {0.1}}, {"repeats", 0}}; }, "faults.repeats");
    refused([](json& j) { j["faults"] = {{"kind", "syn0"}, {"rates", {0.1}}, {"seed", 3}}; }, "faults.seed");
    refused([](json& j) { j["constraints"] = {"abits >= wbits +"}; }, "constraints[0]");
    refused([](json& j) { j["constraints"] = {"price < 3"}; }, "constraints[0]");
    refused([](json& j) { j["constraints"] = {"wbits > 100"}; }, "no design point");
    refused([](json& j) { j["objectives"] = {{"beauty", "max"}}; }, "objectives.beauty");
    refused([](json& j) { j["objectives"] = {{"accuracy", "more"}}; }, "objectives.accuracy");
    refused([](json& j) { j["energy"] = {{"coffee", 1.0}}; }, "energy.coffee");
    refused([](json& j) { j["energy"] = {{"bus_word", -1.0}}; }, "energy.bus_word");
}

TEST(DseSpace, YamlIsReadAndItsSyntaxErrorsCarryTheLine) {
    const fs::path d = temp_dir("yaml");
    std::ofstream(d / "ok.yaml") << "format: mind1024-dse/1\nworkload:\n  net: recall\nspace:\n  wbits: [2, 4]\n"
                                    "  clock_hz: [2.0e7]\n  overflow: [saturate, wrap]\nconstraints: [\"wbits < 4 || wrap\"]\n";
    const DseSpace s = read_dse_space((d / "ok.yaml").string());
    ASSERT_EQ(s.axes.size(), 3u);
    EXPECT_EQ(s.axes[0].first, "wbits");
    EXPECT_EQ(s.axes[1].first, "clock_hz");
    EXPECT_EQ(s.axes[2].first, "overflow");
    EXPECT_EQ(expand_dse_space(s).size(), 3u);  // W4 saturate is excluded
    std::ofstream(d / "bad.yaml") << "format: mind1024-dse/1\nspace:\n  wbits: [2, 4\n";
    try {
        read_dse_space((d / "bad.yaml").string());
        FAIL() << "a YAML syntax error was accepted";
    } catch (const BadArgument& e) {
        EXPECT_NE(std::string(e.what()).find("bad.yaml: line"), std::string::npos) << e.what();
    }
    EXPECT_THROW(read_dse_space((d / "missing.yaml").string()), BadArgument);
    fs::remove_all(d);
}

// Issue 21, reader audit: a space file's YAML is bounded in size and in what it expands
// to (aliases of aliases, "a billion laughs", would grow 10^9 nodes), named by file.
TEST(DseSpace, ASpaceFileIsBoundedInSizeAndExpansion) {
    const fs::path d = temp_dir("yaml_bounds");
    std::ofstream laughs(d / "laughs.yaml");
    laughs << "format: mind1024-dse/1\na: &a [x, x, x, x, x, x, x, x, x, x]\n";
    for (int k = 1; k < 9; ++k) {
        laughs << "l" << k << ": &l" << k << " [";
        for (int i = 0; i < 10; ++i) laughs << (i ? ", " : "") << (k == 1 ? "*a" : "*l" + std::to_string(k - 1));
        laughs << "]\n";
    }
    laughs.close();
    const auto t0 = std::chrono::steady_clock::now();
    try {
        read_dse_space((d / "laughs.yaml").string());
        FAIL() << "a billion laughs was accepted";
    } catch (const BadArgument& e) {
        EXPECT_NE(std::string(e.what()).find("laughs.yaml"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("more than 100000 nodes"), std::string::npos) << e.what();
    }
    EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 5.0);
    std::ofstream(d / "big.yaml") << std::string(2u << 20, '#');
    try {
        read_dse_space((d / "big.yaml").string());
        FAIL() << "a 2 MiB space file was read";
    } catch (const BadArgument& e) {
        EXPECT_NE(std::string(e.what()).find("big.yaml: 2097152 bytes, more than the 1048576"), std::string::npos)
            << e.what();
    }
    fs::remove_all(d);
}

TEST(DseSpace, TheProductHasEveryCombinationOnceAndFaultDrawsPerRate) {
    json j = minimal();
    j["space"] = {{"wbits", {2, 4, 8}}, {"lanes", {4, 16}}, {"order", {"sync", "perm"}}};
    j["faults"] = {{"kind", "plus"}, {"rates", {0, 0.01}}, {"repeats", 3}};
    const auto points = expand_dse_space(parse_dse_space(j, "s"));
    ASSERT_EQ(points.size(), 3u * 2 * 2 * (1 + 3));
    std::set<std::string> keys;
    for (size_t i = 0; i < points.size(); ++i) {
        EXPECT_EQ(points[i].index, i);
        keys.insert(points[i].key());
    }
    EXPECT_EQ(keys.size(), points.size());
    EXPECT_EQ(points[0].chip.params.wbits, 2u);
    EXPECT_EQ(points[0].order, Order::Sync);
    EXPECT_EQ(points[0].fault_rate, 0.0);
    EXPECT_EQ(points[1].fault_rate, 0.01);
    EXPECT_EQ(points[3].repeat, 2u);
    EXPECT_EQ(points.back().chip.params.wbits, 8u);
    EXPECT_EQ(points.back().chip.params.lanes, 16u);
}

TEST(DseSpace, ConstraintsOnMeasuresWaitForTheMeasures) {
    json j = minimal();
    j["constraints"] = {"abits >= wbits + 6", "accuracy >= 0.9"};
    j["space"]["abits"] = {8, 16};
    const DseSpace s = parse_dse_space(j, "s");
    EXPECT_TRUE(dse_constraint_on_settings("abits >= wbits + 6"));
    EXPECT_FALSE(dse_constraint_on_settings("accuracy >= 0.9"));
    EXPECT_EQ(expand_dse_space(s).size(), 2u);  // W4 A8 and W8 A8 excluded before any run
    EXPECT_TRUE(dse_constraints_hold(s, {{"wbits", 4}, {"abits", 16}, {"accuracy", 0.95}}));
    EXPECT_FALSE(dse_constraints_hold(s, {{"wbits", 4}, {"abits", 16}, {"accuracy", 0.85}}));
}

TEST(Pareto, ExactlyTheNonDominatedRows) {
    const std::vector<DseObjective> obj{{"accuracy", true}, {"area_cells", false}};
    const std::vector<json> rows{
        {{"accuracy", 0.90}, {"area_cells", 100}},  // front
        {{"accuracy", 0.95}, {"area_cells", 200}},  // front
        {{"accuracy", 0.90}, {"area_cells", 150}},  // dominated by 0
        {{"accuracy", 0.80}, {"area_cells", 90}},   // front
        {{"accuracy", 0.95}, {"area_cells", 200}},  // equal to 1: both stay
        {{"accuracy", 0.99}, {"error", "failed"}},  // an error is no point
        {{"accuracy", 0.94}, {"area_cells", 250}},  // dominated by 1
    };
    EXPECT_EQ(pareto_front(obj, rows), (std::vector<size_t>{0, 1, 3, 4}));
    json j = minimal();
    j["constraints"] = {"area_cells <= 150"};
    const DseSpace s = parse_dse_space(j, "s");
    EXPECT_EQ(pareto_front(obj, rows, &s), (std::vector<size_t>{0, 3}));
}

TEST(DseArea, YosysFiguresAreCachedByTheSourcesAndParameters) {
    const fs::path d = temp_dir("area");
    AreaModel m = default_area_model((d / "cache").string());
    const LogicArea a = synth_area(m, "neuron_unit", "-chparam WBITS 2 -chparam ABITS 6 -chparam LANES 2");
    EXPECT_FALSE(a.cached);
    EXPECT_GT(a.cells, 10);
    EXPECT_GT(a.lut4, 5);
    EXPECT_GT(a.transistors, a.cells);
    const LogicArea b = synth_area(m, "neuron_unit", "-chparam WBITS 2 -chparam ABITS 6 -chparam LANES 2");
    EXPECT_TRUE(b.cached);
    EXPECT_EQ(b.cells, a.cells);
    EXPECT_EQ(b.lut4, a.lut4);
    const LogicArea wider = synth_area(m, "neuron_unit", "-chparam WBITS 4 -chparam ABITS 6 -chparam LANES 2");
    EXPECT_FALSE(wider.cached);
    EXPECT_GT(wider.cells, a.cells);
    // Other sources (a copy with a comment added) are another key.
    fs::create_directories(d / "rtl");
    for (const char* f : {"neuron_unit.v", "lfsr32.v"}) fs::copy_file(fs::path(m.rtl_dir) / f, d / "rtl" / f);
    std::ofstream(d / "rtl" / "neuron_unit.v", std::ios::app) << "// changed\n";
    m.rtl_dir = (d / "rtl").string();
    EXPECT_FALSE(synth_area(m, "neuron_unit", "-chparam WBITS 2 -chparam ABITS 6 -chparam LANES 2").cached);
    // A design Yosys refuses is an error naming it.
    EXPECT_THROW(synth_area(m, "neuron_unit", "-chparam WBITS 40"), ReportError);
    EXPECT_EQ(chip_memory_bits([] {
                  ChipParams p;
                  p.n_max = 64, p.wbits = 4, p.abits = 12;
                  return p;
              }()),
              64u * 64 * 4 + 64 * 12 + 2 * 64);
    fs::remove_all(d);
}

// A recall space on the plain model: 2 x 2 points of two designs (Yosys is the slow part).
DseSpace recall_space() {
    json j = minimal();
    j["space"] = {{"wbits", {2}}, {"lanes", {2, 8}}, {"abits", {12}}, {"n_max", {64}}, {"order", {"sync", "async"}}};  // small designs: Yosys is quick
    j["objectives"] = {{"accuracy", "max"}, {"cycles_per_image", "min"}};
    return parse_dse_space(j, "recall.yaml");
}

DseWorkload recall_workload() {
    DseWorkload w;
    w.net = "recall";
    w.patterns = make_patterns("random", 5, 7, 3);
    w.flip = 0.1;
    return w;
}

std::vector<json> without_times(std::vector<json> rows) {
    for (auto& r : rows) r.erase("point_seconds");
    return rows;
}

TEST(Dse, AKilledRunResumedGivesTheSameRowsWithoutRecomputing) {
    const fs::path d = temp_dir("resume");
    const DseSpace s = recall_space();
    const DseWorkload w = recall_workload();
    DseRunOptions o;
    o.model = "reference";
    o.area = default_area_model(shared_cache(d / "cache"));
    o.out = (d / "whole").string();
    fs::create_directories(o.out);
    const DseResult whole = run_dse(s, w, o);
    ASSERT_EQ(whole.rows.size(), 4u);
    EXPECT_EQ(whole.computed, 4u);
    for (const auto& r : whole.rows) {
        ASSERT_FALSE(r.contains("error")) << r.dump();
        EXPECT_GT(r["cycles_per_image"].get<double>(), 0);
        EXPECT_GT(r["energy_pj_per_image"].get<double>(), 0);
        EXPECT_GE(r["accuracy"].get<double>(), 0.0);
    }
    // Rows: L2 sync, L2 async, L8 sync, L8 async. More lanes, fewer cycles; the same
    // accuracy (lanes change time, not answers).
    EXPECT_LT(whole.rows[2]["cycles_per_image"].get<double>(), whole.rows[0]["cycles_per_image"].get<double>());
    EXPECT_EQ(whole.rows[2]["accuracy"], whole.rows[0]["accuracy"]);
    EXPECT_EQ(whole.rows[3]["accuracy"], whole.rows[1]["accuracy"]);

    // Killed after two points, the third cut mid-line.
    o.out = (d / "killed").string();
    fs::create_directories(o.out);
    {
        std::ifstream in(d / "whole" / "points.jsonl");
        std::ofstream cut(d / "killed" / "points.jsonl");
        std::string line;
        for (int k = 0; k < 2 && std::getline(in, line); ++k) cut << line << '\n';
        std::getline(in, line);
        cut << line.substr(0, line.size() / 2);
    }
    o.resume = true;
    const DseResult resumed = run_dse(s, w, o);
    EXPECT_EQ(resumed.resumed, 2u);
    EXPECT_EQ(resumed.computed, 2u);
    EXPECT_EQ(without_times(resumed.rows), without_times(whole.rows));
    EXPECT_EQ(resumed.front, whole.front);
    EXPECT_EQ(read_points_jsonl(o.out + "/points.jsonl").size(), 4u);
    fs::remove_all(d);
}

TEST(Dse, APointThatCannotRunIsAnErrorOfItsOwn) {
    const fs::path d = temp_dir("error");
    json j = minimal();
    j["space"] = {{"n_max", {16, 64}}, {"wbits", {2}}, {"abits", {8}}, {"lanes", {2}}};  // 49 neurons do not fit 16
    const DseSpace s = parse_dse_space(j, "s");
    DseRunOptions o;
    o.model = "reference";
    o.area = default_area_model(shared_cache(d / "cache"));
    o.out = d.string();
    const DseResult r = run_dse(s, recall_workload(), o);
    ASSERT_EQ(r.rows.size(), 2u);
    ASSERT_TRUE(r.rows[0].contains("error"));
    EXPECT_NE(r.rows[0]["error"].get<std::string>().find("N_MAX"), std::string::npos);
    EXPECT_EQ(r.rows[0].value("infeasible", false), true);  // the workload does not fit: a finding, not a failure
    EXPECT_FALSE(r.rows[1].contains("error"));
    EXPECT_EQ(r.front, (std::vector<size_t>{1}));
    fs::remove_all(d);
}

TEST(DseJsonl, ARowThatIsNotARowIsNamedByLine) {
    const fs::path d = temp_dir("jsonl");
    std::ofstream(d / "p.jsonl") << "{\"key\": \"a\"}\nnot json\n";
    try {
        read_points_jsonl((d / "p.jsonl").string());
        FAIL() << "accepted";
    } catch (const DataError& e) {
        EXPECT_NE(std::string(e.what()).find("p.jsonl:2"), std::string::npos) << e.what();
    }
    fs::remove_all(d);
}

}  // namespace
}  // namespace mind1024::host
