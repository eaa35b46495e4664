// Fault injection from the command line: --faults on run (each kind's effect
// on a network whose answer is known), bad SPECs refused before any work, and
// `mind1024 faults` (its fault-free point is the plain mnist run's accuracy,
// faults cost accuracy, its outputs describe themselves).
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/host/cli/cli_run.h"
#include "host/data/npy.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// A ferromagnet of n neurons started all -1: a fault-free run stays all -1.
std::string ferromagnet(const fs::path& d, size_t n) {
    std::vector<int16_t> w(n * n);
    for (size_t i = 0; i < n; ++i)
        for (size_t j = 0; j < n; ++j) w[i * n + j] = i == j ? 0 : 3;
    mind1024::host::write_npy<int16_t>((d / "W.npy").string(), {n, n}, w);
    mind1024::host::write_npy<int8_t>((d / "S.npy").string(), {n}, std::vector<int8_t>(n, -1));
    return "run --weights " + (d / "W.npy").string() + " --state " + (d / "S.npy").string() + " --order async --max-sweeps 10 ";
}

std::vector<int8_t> final_state(const fs::path& out) {
    return mind1024::host::read_npy((out / "state.npy").string()).values<int8_t>();
}

class FaultsOnRun : public ::testing::TestWithParam<const char*> {};

TEST_P(FaultsOnRun, EachKindChangesTheAnswerAsItShould) {
    const fs::path d = fresh_cli_dir(std::string("faults_run_") + GetParam());
    const std::string net = ferromagnet(d, 64) + "--model " + GetParam();
    ASSERT_EQ(cli(net + " --out " + (d / "clean").string()).code, 0);
    for (int8_t s : final_state(d / "clean")) ASSERT_EQ(s, -1);
    // Every neuron stuck at +1: the state reads +1 whatever the dynamics say.
    const Result plus = cli(net + " --faults plus=1 --out " + (d / "plus").string());
    ASSERT_EQ(plus.code, 0) << plus.out;
    for (int8_t s : final_state(d / "plus")) EXPECT_EQ(s, 1);
    // Accumulator bit 0 stuck at 1: every field read back is odd.
    const Result acc = cli(net + " --faults acc1=0x1 --out " + (d / "acc").string());
    ASSERT_EQ(acc.code, 0) << acc.out;
    for (int32_t h : mind1024::host::read_npy((d / "acc" / "fields.npy").string()).values<int32_t>()) EXPECT_EQ(h & 1, 1) << h;
    // Every weight's sign bit stuck at 1 (WBITS 8: bit 7): couplings of -125, an
    // antiferromagnet: the all -1 start is no longer stable.
    const Result syn = cli(net + " --faults syn1=1 --out " + (d / "syn").string());
    ASSERT_EQ(syn.code, 0) << syn.out;
    const auto s = final_state(d / "syn");
    EXPECT_NE(s, std::vector<int8_t>(64, -1));
    // Same SPEC, same bits.
    ASSERT_EQ(cli(net + " --faults syn0=0.05,syn1=0.05,seed=4 --out " + (d / "r1").string()).code, 0);
    ASSERT_EQ(cli(net + " --faults syn0=0.05,syn1=0.05,seed=4 --out " + (d / "r2").string()).code, 0);
    EXPECT_EQ(slurp(d / "r1" / "state.npy"), slurp(d / "r2" / "state.npy"));
    EXPECT_EQ(slurp(d / "r1" / "fields.npy"), slurp(d / "r2" / "fields.npy"));
    fs::remove_all(d);
}

INSTANTIATE_TEST_SUITE_P(Models, FaultsOnRun, ::testing::Values("reference", "systemc"));

TEST(Faults, BadSpecsAreRefusedByNameBeforeAnyWork) {
    const fs::path d = fresh_cli_dir("faults_bad");
    const std::string net = ferromagnet(d, 16);
    for (const auto& [spec, says] : std::vector<std::pair<std::string, std::string>>{
             {"bogus=1", "unknown fault 'bogus'"},
             {"syn0=2", "syn0=2"},
             {"acc1=0x1000000", "above ABITS"},
             {"plus=0.7,minus=0.7", "plus + minus"}}) {
        const Result r = cli(net + "--faults " + spec + " --out " + (d / "o").string());
        EXPECT_NE(r.code, 0) << spec;
        EXPECT_NE(r.out.find(says), std::string::npos) << spec << ": " << r.out;
        EXPECT_FALSE(fs::exists(d / "o")) << spec;
    }
    fs::remove_all(d);
}

TEST(Faults, CommandCurvesStartAtThePlainRunAndFaultsCostAccuracy) {
    if (!have_mnist()) GTEST_SKIP() << "MNIST not found (scripts/setup.sh data fetches it, or set MIND1024_DATA)";
    const fs::path d = fresh_cli_dir("faults_cmd");
    const std::string job = " --limit 200 --train-limit 6000 --protos 20 --no-progress" + data_flag();
    // Rates are per site: 0.3 of 24 accumulator bits is ~7 bits (none on a chip with probability 2e-4).
    const Result r = cli("faults --kinds syn,neuron,acc --rates 0,0.3 --repeats 2 --probes 4 --patterns 10" + job +
                         " --out " + (d / "f").string());
    ASSERT_EQ(r.code, 0) << r.out;
    const json j = read_json(d / "f" / "faults.json");
    ASSERT_EQ(j.at("points").size(), 6u);
    const Result plain = cli("mnist --no-float" + job + " --out " + (d / "m").string());
    ASSERT_EQ(plain.code, 0) << plain.out;
    const double clean = read_json(d / "m" / "mnist.json").at("accuracy_fixed").get<double>() / 100;
    for (const json& p : j.at("points")) {
        if (p.at("rate") == 0) {
            EXPECT_DOUBLE_EQ(p.at("mnist_chip").get<double>(), clean) << p.dump();
            EXPECT_EQ(p.at("faulty_sites"), 0);
            // No fault, no spread: both repeats are the plain run.
            EXPECT_DOUBLE_EQ(p.at("mnist_chip_ci95").at("lo").get<double>(), clean) << p.dump();
            EXPECT_DOUBLE_EQ(p.at("mnist_chip_ci95").at("hi").get<double>(), clean) << p.dump();
        } else {
            EXPECT_LT(p.at("mnist_chip").get<double>(), clean - 0.2) << p.dump();
            EXPECT_GT(p.at("faulty_sites").get<uint64_t>(), 0u);
            const json& ci = p.at("mnist_chip_ci95");
            EXPECT_LE(ci.at("lo").get<double>(), p.at("mnist_chip").get<double>());
            EXPECT_GE(ci.at("hi").get<double>(), p.at("mnist_chip").get<double>());
        }
        // Two fault maps per point, the first at the base seed.
        ASSERT_EQ(p.at("repeats").at("fault_seeds").size(), 2u) << p.dump();
        EXPECT_EQ(p.at("repeats").at("fault_seeds")[0], 1u);
        EXPECT_NE(p.at("repeats").at("fault_seeds")[1], 1u);
    }
    for (const char* f : {"faults.csv", "faults_mnist.png", "faults_recall.png", "manifest.json"})
        EXPECT_GT(fs::file_size(d / "f" / f), 0u) << f;
    EXPECT_TRUE(j.at("provenance").contains("version"));
    fs::remove_all(d);
}

}  // namespace
