// mind1024 dse as a user runs it: a point equals `mind1024 mnist` with the same
// options, a bad space file is refused before any output, a run into a
// directory holding one needs --resume.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "tests/host/cli/cli_run.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// Trained classifiers and Yosys's areas shared by these tests (the LFSR is synthesised once).
std::string cache_of(const fs::path& d) {
    const char* c = std::getenv("MIND1024_TEST_CACHE");
    return c ? std::string(c) : (d / "cache").string();
}

const char* kSpace = R"(format: mind1024-dse/1
workload:
  net: hopfield
  train_images: 1500
  test_images: 120
  seed: 2
  protos: 8
  tune_epochs: 1
  attractor_epochs: 1
space:
  wbits: [4]
  abits: [16]
  lanes: [8]
  order: [perm]
)";

TEST(DseCli, APointEqualsTheMnistCommandWithTheSameOptions) {
    if (!have_mnist()) GTEST_SKIP() << "MNIST not found (scripts/setup.sh data fetches it, or set MIND1024_DATA)";
    const fs::path d = fresh_cli_dir("dse_mnist");
    std::ofstream(d / "space.yaml") << kSpace;
    const std::string data = " --data " + mnist_dir() + " --cache " + cache_of(d);
    const Result r = cli("dse " + (d / "space.yaml").string() + " --out " + (d / "dse").string() + data);
    ASSERT_EQ(r.code, 0) << r.out;
    const Result m = cli("mnist --train-limit 1500 --limit 120 --seed 2 --protos 8 --tune-epochs 1 --attractor-epochs 1 "
                         "--wbits 4 --abits 16 --lanes 8 --order perm --examples 0 --no-progress --out " +
                         (d / "mnist").string() + data);
    ASSERT_EQ(m.code, 0) << m.out;
    const json mj = read_json(d / "mnist" / "mnist.json");
    std::ifstream in(d / "dse" / "points.jsonl");
    std::string line;
    ASSERT_TRUE(std::getline(in, line));
    const json p = json::parse(line);
    EXPECT_DOUBLE_EQ(100 * p["accuracy"].get<double>(), mj["accuracy_fixed"].get<double>());
    EXPECT_DOUBLE_EQ(100 * p["accuracy_float"].get<double>(), mj["accuracy_float"].get<double>());
    EXPECT_DOUBLE_EQ(p["cycles_per_image"].get<double>(), mj["cycles_per_image"].get<double>());
    EXPECT_DOUBLE_EQ(p["mean_sweeps"].get<double>(), mj["mean_sweeps"].get<double>());
    EXPECT_EQ(p["reference_agrees"], true);
    for (const char* f : {"points.csv", "pareto.csv", "dse.json", "front_area.png", "front_cycles.png", "summary.md"})
        EXPECT_TRUE(fs::exists(d / "dse" / f)) << f;
    // The same --out again needs --resume; with it nothing runs again.
    const Result again = cli("dse " + (d / "space.yaml").string() + " --out " + (d / "dse").string() + data);
    EXPECT_NE(again.code, 0);
    EXPECT_NE(again.out.find("--resume"), std::string::npos) << again.out;
    const Result resumed = cli("dse " + (d / "space.yaml").string() + " --resume --out " + (d / "dse").string() + data);
    ASSERT_EQ(resumed.code, 0) << resumed.out;
    EXPECT_NE(resumed.out.find("0 measured in this run, 1 taken from points.jsonl"), std::string::npos) << resumed.out;
    fs::remove_all(d);
}

TEST(DseCli, ALayeredPointEqualsTheLayeredCommand) {
    if (!have_mnist()) GTEST_SKIP() << "MNIST not found (scripts/setup.sh data fetches it, or set MIND1024_DATA)";
    const fs::path d = fresh_cli_dir("dse_layered");
    const std::string net = std::string(MIND1024_SOURCE_DIR) + "/tests/host/cli/golden/inputs/layered";
    std::ofstream(d / "space.yaml") << "format: mind1024-dse/1\nworkload: {net: layered, dir: " << net
                                    << ", test_images: 150}\nspace: {wbits: [4], abits: [20], lanes: [8]}\n";
    const std::string data = " --data " + mnist_dir() + " --cache " + cache_of(d);
    const Result r = cli("dse " + (d / "space.yaml").string() + " --out " + (d / "dse").string() + data);
    ASSERT_EQ(r.code, 0) << r.out;
    const Result l = cli("layered --net " + net + " --quantize --wbits 4 --abits 20 --lanes 8 --limit 150 --no-progress --out " +
                         (d / "layered").string() + " --data " + mnist_dir());
    ASSERT_EQ(l.code, 0) << l.out;
    const json lj = read_json(d / "layered" / "layered.json");
    std::ifstream in(d / "dse" / "points.jsonl");
    std::string line;
    ASSERT_TRUE(std::getline(in, line));
    const json p = json::parse(line);
    EXPECT_DOUBLE_EQ(100 * p["accuracy"].get<double>(), lj["accuracy_chip"].get<double>());
    EXPECT_DOUBLE_EQ(100 * p["accuracy_host"].get<double>(), lj["accuracy_host_integer"].get<double>());
    EXPECT_DOUBLE_EQ(p["cycles_per_image"].get<double>(), lj["cycles_per_image"].get<double>());
    EXPECT_EQ(p["reference_agrees"], true);
    fs::remove_all(d);
}

TEST(DseCli, TheVerilatedUnitChecksThePointsItIsBuiltFor) {
    if (!MIND1024_HAVE_RTL) GTEST_SKIP() << "built without the Verilated datapath";
    if (!have_mnist()) GTEST_SKIP() << "MNIST not found (scripts/setup.sh data fetches it, or set MIND1024_DATA)";
    const fs::path d = fresh_cli_dir("dse_rtl");
    const std::string net = std::string(MIND1024_SOURCE_DIR) + "/tests/host/cli/golden/inputs/layered";
    std::ofstream(d / "space.yaml") << "format: mind1024-dse/1\nworkload: {net: layered, dir: " << net
                                    << ", test_images: 40}\nspace: {wbits: [8, 6], abits: [24], lanes: [16]}\n";
    const Result r = cli("dse " + (d / "space.yaml").string() + " --out " + (d / "dse").string() + " --data " +
                         mnist_dir() + " --cache " + cache_of(d));
    ASSERT_EQ(r.code, 0) << r.out;
    std::ifstream in(d / "dse" / "points.jsonl");
    std::string line;
    size_t checked = 0;
    while (std::getline(in, line)) {
        const json p = json::parse(line);
        if (p["wbits"] == 8) {  // the parameters of the built unit (8, 24, 16)
            EXPECT_EQ(p["rtl_agrees"], true) << line;
            EXPECT_EQ(p["rtl_checked"], 16);
            ++checked;
        } else {
            EXPECT_FALSE(p.contains("rtl_agrees")) << line;
        }
    }
    EXPECT_EQ(checked, 1u);
    EXPECT_NE(r.out.find("0 disagree"), std::string::npos) << r.out;
    fs::remove_all(d);
}

TEST(DseCli, ABadSpaceIsRefusedByFileAndKeyBeforeAnyOutput) {
    const fs::path d = fresh_cli_dir("dse_bad");
    std::ofstream(d / "space.yaml") << "format: mind1024-dse/1\nworkload: {net: hopfield, crop: 99}\nspace: {wbits: [4]}\n";
    Result r = cli("dse " + (d / "space.yaml").string() + " --out " + (d / "out").string());
    EXPECT_NE(r.code, 0);
    EXPECT_NE(r.out.find("space.yaml: workload"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("crop"), std::string::npos) << r.out;
    std::ofstream(d / "space.yaml") << "format: mind1024-dse/1\nworkload: {net: hopfield}\nspace: {wbits: [4, 99]}\n";
    r = cli("dse " + (d / "space.yaml").string() + " --out " + (d / "out").string());
    EXPECT_NE(r.code, 0);
    EXPECT_NE(r.out.find("space.wbits"), std::string::npos) << r.out;
    EXPECT_FALSE(fs::exists(d / "out"));
    const Result help = cli("dse --help");
    EXPECT_EQ(help.code, 0);
    EXPECT_NE(help.out.find("--resume"), std::string::npos);
    fs::remove_all(d);
}

}  // namespace
