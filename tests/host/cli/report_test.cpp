// mind1024 report on a small slice of MNIST (smoke profile): the table and its
// files, learning above chance for every model, the chip equal to the host's
// integer model, the cache reused on a second run, and a corrupt or stale
// cache entry or a missing trainer refused, by name, before any work.

#include <filesystem>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/host/cli/cli_run.h"

namespace fs = std::filesystem;

namespace {

const std::string kSlice = " --profile smoke --train-limit 3000 --test-limit 300 --no-progress";

struct ReportRun : ::testing::Test {
    fs::path dir = fresh_cli_dir("report");
    std::string out = (dir / "out").string(), cache = (dir / "cache").string();
    std::string args(const std::string& models) const {
        return "report" + data_flag() + kSlice + " --models " + models + " --out " + out + " --cache " + cache;
    }
    void TearDown() override { fs::remove_all(dir); }
};

#if MIND1024_HAVE_TRAINER
TEST_F(ReportRun, WritesTheTableLearnsAndReusesTheCache) {
    if (!have_mnist()) GTEST_SKIP() << "no MNIST (scripts/setup.sh fetches it)";
    const Result r = cli(args("softmax,hopfield,layered,bits") + " --bits 3,8");
    ASSERT_EQ(r.code, 0) << r.out;
    for (const char* f : {"report.md", "report.csv", "report.json", "bits.png", "bits.csv", "confusion_softmax.png",
                          "confusion_hopfield-chip.png", "confusion_layered-chip.csv", "manifest.json"})
        EXPECT_TRUE(fs::is_regular_file(fs::path(out) / f)) << f;
    const nlohmann::json j = read_json(fs::path(out) / "report.json");
    ASSERT_EQ(j["rows"].size(), 5u);
    for (const auto& row : j["rows"]) {
        EXPECT_GT(row["test_accuracy_percent"].get<double>(), 50.0) << row.dump();  // chance is 10%
        EXPECT_FALSE(row["train_cached"].get<bool>());
    }
    const auto& chip = j["rows"][4];
    ASSERT_EQ(chip["id"], "layered-chip");
    EXPECT_EQ(chip["neurons_of_1024"], 1024);
    EXPECT_GT(chip["chip_cycles_per_image"].get<double>(), 0);
    const nlohmann::json l = read_json(fs::path(out) / "runs" / "layered.json");
    EXPECT_EQ(l["agree_with_host"], 300);
    ASSERT_EQ(j["accuracy_against_weight_bits"].size(), 2u);
    EXPECT_EQ(j["accuracy_against_weight_bits"][1]["wbits"], 8);
    EXPECT_NE(slurp(fs::path(out) / "report.md").find("| softmax (one layer) | host float (libtorch) | 7850 |"), std::string::npos);
    // A text field with a comma in it is quoted, so every CSV row keeps its 11 columns.
    const std::string csv = slurp(fs::path(out) / "report.csv");
    EXPECT_NE(csv.find("layered-chip,\"layered 784-230-10, ±1 hidden, QAT\",\"chip, 8-bit\",182860,1024,"), std::string::npos) << csv;

    // Again: every training from the cache, the same figures.
    const Result again = cli(args("softmax,hopfield,layered,bits") + " --bits 3,8");
    ASSERT_EQ(again.code, 0) << again.out;
    const nlohmann::json k = read_json(fs::path(out) / "report.json");
    EXPECT_TRUE(k["rows"][0]["train_cached"].get<bool>());
    EXPECT_TRUE(k["rows"][3]["train_cached"].get<bool>());
    for (size_t i = 0; i < 5; ++i) EXPECT_EQ(k["rows"][i]["test_accuracy_percent"], j["rows"][i]["test_accuracy_percent"]);
    for (size_t b = 0; b < 2; ++b)
        for (const char* how : {"qat", "ptq"}) {
            EXPECT_TRUE(k["accuracy_against_weight_bits"][b][how]["cached"].get<bool>());
            EXPECT_EQ(k["accuracy_against_weight_bits"][b][how]["chip_percent"], j["accuracy_against_weight_bits"][b][how]["chip_percent"]);
        }
    EXPECT_NE(again.out.find("cached in"), std::string::npos);
}

TEST_F(ReportRun, CorruptOrStaleCacheIsRefusedBeforeAnyWork) {
    if (!have_mnist()) GTEST_SKIP() << "no MNIST (scripts/setup.sh fetches it)";
    ASSERT_EQ(cli(args("softmax")).code, 0);
    fs::path entry;
    for (const auto& e : fs::directory_iterator(cache)) entry = e.path();
    ASSERT_FALSE(entry.empty());
    const std::string report = slurp(fs::path(out) / "report.md");

    // A weight file changed after it was cached.
    { std::ofstream(entry / "predictions.csv", std::ios::app) << "0,0,0\n"; }
    Result r = cli(args("softmax"));
    EXPECT_NE(r.code, 0);
    EXPECT_NE(r.out.find((entry / "predictions.csv").string() + ": corrupt"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("[report] 1/"), std::string::npos) << "no step may start: " << r.out;
    EXPECT_EQ(slurp(fs::path(out) / "report.md"), report);

    // --retrain replaces it.
    ASSERT_EQ(cli(args("softmax") + " --retrain").code, 0);

    // An entry whose key is not the one its name stands for.
    nlohmann::json e = read_json(entry / "entry.json");
    e["key"]["args"][3] = "99";
    { std::ofstream(entry / "entry.json") << e.dump(); }
    r = cli(args("softmax"));
    EXPECT_NE(r.code, 0);
    EXPECT_NE(r.out.find((entry / "entry.json").string() + ": stale"), std::string::npos) << r.out;

    // An entry left incomplete.
    fs::remove(entry / "entry.json");
    r = cli(args("softmax"));
    EXPECT_NE(r.code, 0);
    EXPECT_NE(r.out.find("entry.json: missing"), std::string::npos) << r.out;
}
#endif

TEST_F(ReportRun, MissingTrainerIsNamedBeforeAnyWork) {
    const Result r = cli(args("softmax") + " --trainer " + (dir / "no-such-trainer").string());
    EXPECT_NE(r.code, 0);
    EXPECT_NE(r.out.find("no-such-trainer: no trainer there"), std::string::npos) << r.out;
    EXPECT_FALSE(fs::exists(out));
}

TEST_F(ReportRun, BadOptionsAreRefused) {
    for (const char* bad : {" --bits 9", " --bits 0", " --models tree", " --profile long"}) {
        const Result r = cli("report --out " + out + bad);
        EXPECT_NE(r.code, 0) << bad;
        EXPECT_FALSE(fs::exists(out)) << bad;
    }
    const Result r = cli("report --out /dev/null/x --models hopfield");
    EXPECT_NE(r.code, 0);
    EXPECT_NE(r.out.find("/dev/null"), std::string::npos) << r.out;
}

}  // namespace
