// Smoke runs of the mind1024 command line: every subcommand with small
// settings, its outputs checked for existence and sense, and bad input
// refused with a message and no output.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "cli_run.h"
#include <nlohmann/json.hpp>

#include "npy.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {


std::string data_flag() {
    const char* d = std::getenv("MIND1024_DATA");
    return d ? std::string(" --data ") + d : std::string();
}

bool have_mnist() {
    const char* d = std::getenv("MIND1024_DATA");
    return d && fs::exists(fs::path(d) / "t10k-images-idx3-ubyte");
}

fs::path fresh_dir(const std::string& name) {
    const fs::path d = fs::temp_directory_path() / ("mind1024_cli_" + name + "_" + std::to_string(::getpid()));
    fs::remove_all(d);
    fs::create_directories(d);
    return d;
}

json read_json(const fs::path& p) {
    std::ifstream f(p);
    return json::parse(f);
}



// A tiny IDX set: images rows x cols of random bytes, the given labels.
void write_idx_split(const fs::path& dir, const std::string& prefix, const std::vector<uint8_t>& labels, int rows, int cols) {
    auto be32 = [](std::ofstream& o, uint32_t v) {
        const char b[4] = {char(v >> 24), char(v >> 16), char(v >> 8), char(v)};
        o.write(b, 4);
    };
    const uint32_t n = static_cast<uint32_t>(labels.size());
    std::ofstream im(dir / (prefix + "-images-idx3-ubyte"), std::ios::binary);
    be32(im, 0x803);
    be32(im, n);
    be32(im, static_cast<uint32_t>(rows));
    be32(im, static_cast<uint32_t>(cols));
    for (uint32_t k = 0; k < n * static_cast<uint32_t>(rows * cols); ++k) im.put(static_cast<char>((k * 2654435761u) >> 24));
    std::ofstream lb(dir / (prefix + "-labels-idx1-ubyte"), std::ios::binary);
    be32(lb, 0x801);
    be32(lb, n);
    lb.write(reinterpret_cast<const char*>(labels.data()), n);
}
}  // namespace

TEST(Cli, EveryCommandHasHelp) {
    for (const char* c : {"", "mnist", "run", "recall", "capacity", "sweep"}) {
        const Result r = cli(std::string(c) + " --help");
        EXPECT_EQ(r.code, 0) << c << ": " << r.out;
        EXPECT_NE(r.out.find("Usage"), std::string::npos) << c;
    }
    const Result none = cli("");
    EXPECT_NE(none.code, 0);
}

TEST(Cli, RunGivesTheSameFilesOnBothModels) {
    const fs::path d = fresh_dir("run");
    const size_t n = 64;
    // Two Hebbian patterns, probe = pattern 0 with 8 flips.
    std::vector<int8_t> a(n), b(n), s(n);
    for (size_t i = 0; i < n; ++i) a[i] = (i % 3) ? 1 : -1, b[i] = (i % 5 < 2) ? 1 : -1;
    std::vector<int16_t> w(n * n);
    for (size_t i = 0; i < n; ++i)
        for (size_t j = 0; j < n; ++j) w[i * n + j] = i == j ? 0 : static_cast<int16_t>(a[i] * a[j] + b[i] * b[j]);
    s = a;
    for (size_t i = 0; i < 8; ++i) s[i * 7] = static_cast<int8_t>(-s[i * 7]);
    mind1024::host::write_npy<int16_t>((d / "W.npy").string(), {n, n}, w);
    mind1024::host::write_npy<int8_t>((d / "S.npy").string(), {n}, s);
    mind1024::host::write_npy<int32_t>((d / "T.npy").string(), {n}, std::vector<int32_t>(n, 0));
    for (const char* m : {"systemc", "reference"}) {
        const Result r = cli("run --weights " + (d / "W.npy").string() + " --thresholds " + (d / "T.npy").string() +
                                  " --state " + (d / "S.npy").string() + " --order perm --seed 5 --max-sweeps 20 --model " +
                                  m + " --out " + (d / m).string());
        ASSERT_EQ(r.code, 0) << r.out;
    }
    for (const char* f : {"state.npy", "fields.npy", "counters.json"})
        EXPECT_EQ(slurp(d / "systemc" / f), slurp(d / "reference" / f)) << f;
    const auto st = mind1024::host::read_npy((d / "systemc" / "state.npy").string()).to_int64();
    for (size_t i = 0; i < n; ++i) EXPECT_EQ(st[i], a[i]) << "neuron " << i;  // recalled
    const json c = read_json(d / "systemc" / "counters.json");
    EXPECT_TRUE(c["converged"].get<bool>());
    EXPECT_GT(c["cycles"].get<uint64_t>(), 0u);

    // Out-of-range weights: refused, named, nothing written.
    w[1] = 300;
    mind1024::host::write_npy<int16_t>((d / "Wbad.npy").string(), {n, n}, w);
    const Result bad = cli("run --weights " + (d / "Wbad.npy").string() + " --state " + (d / "S.npy").string() +
                                " --out " + (d / "bad").string());
    EXPECT_NE(bad.code, 0);
    EXPECT_NE(bad.out.find("Wbad.npy"), std::string::npos) << bad.out;
    EXPECT_NE(bad.out.find("WBITS=8"), std::string::npos) << bad.out;
    EXPECT_FALSE(fs::exists(d / "bad"));
    // A state that is not ±1, and a wrong shape.
    const Result bad2 = cli("run --weights " + (d / "W.npy").string() + " --state " + (d / "T.npy").string() +
                                 " --out " + (d / "bad").string());
    EXPECT_NE(bad2.code, 0);
    EXPECT_NE(bad2.out.find("T.npy"), std::string::npos) << bad2.out;
    const Result bad3 = cli("run --weights " + (d / "S.npy").string() + " --state " + (d / "S.npy").string() +
                                 " --out " + (d / "bad").string());
    EXPECT_NE(bad3.code, 0);
    EXPECT_FALSE(fs::exists(d / "bad"));
    const Result bad4 = cli("run --weights " + (d / "W.npy").string() + " --state " + (d / "S.npy").string() +
                                 " --wbits 17 --out " + (d / "bad").string());
    EXPECT_NE(bad4.code, 0);
    EXPECT_NE(bad4.out.find("wbits"), std::string::npos) << bad4.out;
    fs::remove_all(d);
}

// --vcd: a trace under exactly the given name, or a clear refusal; a run whose
// outputs cannot all be written leaves none of them; option limits are named.
TEST(Cli, RunTraceOutputsAndLimitsAreAllOrNothing) {
    const fs::path d = fresh_dir("run_edges");
    const size_t n = 32;
    std::vector<int16_t> w(n * n, 0);
    for (size_t i = 0; i < n; ++i)
        for (size_t j = 0; j < n; ++j) w[i * n + j] = i == j ? 0 : static_cast<int16_t>((i * 7 + j * 7) % 5 - 2);
    std::vector<int8_t> s(n);
    for (size_t i = 0; i < n; ++i) s[i] = i % 3 ? 1 : -1;
    mind1024::host::write_npy<int16_t>((d / "W.npy").string(), {n, n}, w);
    mind1024::host::write_npy<int8_t>((d / "S.npy").string(), {n}, s);
    const std::string base = "run --weights " + (d / "W.npy").string() + " --state " + (d / "S.npy").string();

    const Result traced = cli(base + " --out " + (d / "o1").string() + " --vcd " + (d / "tr" / "run.vcd").string());
    ASSERT_EQ(traced.code, 0) << traced.out;
    EXPECT_NE(slurp(d / "tr" / "run.vcd").find("$enddefinitions"), std::string::npos);
    EXPECT_FALSE(fs::exists(d / "tr" / "run.partial.vcd"));
    EXPECT_EQ(traced.out.find("I703"), std::string::npos) << traced.out;

    struct Bad {
        std::string args, says;
    };
    const std::vector<Bad> bad = {
        {" --vcd " + (d / "t").string(), "must end in .vcd"},
        {" --vcd /proc/nowhere/t.vcd", "cannot create"},
        {" --vcd " + (d / "r.vcd").string() + " --model reference", "needs --model systemc"},
        {" --clock 0.3", "--clock"},
        {" --clock 2e9", "--clock"},
        {" --max-sweeps 0", "--max-sweeps"},
        {" --noise 99999999999999999999", "--noise"},
        {" --thresholds ''", "--thresholds"},
    };
    for (const Bad& b : bad) {
        const Result r = cli(base + " --out " + (d / "o2").string() + b.args);
        EXPECT_NE(r.code, 0) << b.args << "\n" << r.out;
        EXPECT_LT(r.code, 128) << "crashed: " << b.args << "\n" << r.out;
        EXPECT_NE(r.out.find(b.says), std::string::npos) << b.args << "\n" << r.out;
        EXPECT_LT(r.out.size(), 400u) << b.args << "\n" << r.out;
    }
    EXPECT_FALSE(fs::exists(d / "o2" / "state.npy"));

    // A 1.6 GB weight file (sparse here) for 40,000 neurons: refused from its header alone.
    {
        std::string hdr = "{'descr': '|i1', 'fortran_order': False, 'shape': (40000, 40000), }";
        hdr += std::string(64 - (10 + hdr.size() + 1) % 64, ' ') + "\n";
        std::ofstream f(d / "huge.npy", std::ios::binary);
        f << "\x93NUMPY" << char(1) << char(0) << char(hdr.size() & 0xFF) << char(hdr.size() >> 8) << hdr;
    }
    fs::resize_file(d / "huge.npy", fs::file_size(d / "huge.npy") + 40000ull * 40000ull);
    const Result huge = cli("run --weights " + (d / "huge.npy").string() + " --state " + (d / "S.npy").string() +
                            " --out " + (d / "o2").string());
    EXPECT_EQ(huge.code, 1) << huge.out;
    EXPECT_NE(huge.out.find("40000 neurons, the chip has N_MAX = 1024"), std::string::npos) << huge.out;
    fs::remove(d / "huge.npy");

    // counters.json cannot be written (a directory is in the way): no new state or fields either.
    fs::create_directories(d / "o3" / "counters.json");
    const Result blocked = cli(base + " --out " + (d / "o3").string());
    EXPECT_NE(blocked.code, 0);
    EXPECT_NE(blocked.out.find("counters.json"), std::string::npos) << blocked.out;
    for (const auto& e : fs::directory_iterator(d / "o3")) EXPECT_EQ(e.path().filename(), "counters.json");
    fs::remove_all(d);
}

// Options CLI11 alone would clamp, wrap or let through (NaN, signs, overflow,
// empty strings) are refused by name, before any output directory appears.
TEST(Cli, AbsurdOptionValuesAreRefusedByName) {
    const fs::path d = fresh_dir("absurd");
    const std::vector<std::pair<std::string, std::string>> bad = {
        {"capacity --loads 0", "--loads"},
        {"capacity --loads 4000000000", "--loads"},
        {"capacity --neurons 64 --loads 600", "--loads"},
        {"capacity --threshold nan", "--threshold"},
        {"capacity --scale-percentile nan", "--scale-percentile"},
        {"capacity --max-sweeps 0", "--max-sweeps"},
        {"capacity --neurons 64 --loads 5 --vcd " + (d / "c.vcd").string(), "--vcd"},
        {"sweep --bits 8 --vcd " + (d / "s.vcd").string(), "--vcd"},
        {"recall --seed -5", "--seed"},
        {"recall --seed ''", "--seed"},
        {"recall --seed 99999999999999999999999", "--seed"},
        {"mnist --limit -1", "--limit"},
        {"sweep --seed -3", "--seed"},
    };
    for (const auto& [args, names] : bad) {
        const Result r = cli(args + " --out " + (d / "out").string());
        EXPECT_NE(r.code, 0) << args << "\n" << r.out;
        EXPECT_LT(r.code, 128) << args;
        EXPECT_NE(r.out.find(names), std::string::npos) << args << "\n" << r.out;
    }
    EXPECT_FALSE(fs::exists(d / "out"));
    fs::remove_all(d);
}

TEST(Cli, MnistSmokeRun) {
    if (!have_mnist()) GTEST_SKIP() << "MNIST not found (set MIND1024_DATA)";
    const fs::path d = fresh_dir("mnist");
    const Result r = cli("mnist --limit 300 --train-limit 6000 --protos 20 --no-progress --out " + d.string() +
                              " --json " + (d / "copy.json").string() + data_flag());
    ASSERT_EQ(r.code, 0) << r.out;
    const json j = read_json(d / "mnist.json");
    for (const char* k : {"accuracy_fixed", "accuracy_float", "images", "mean_sweeps", "cycles_per_image", "wall_seconds"})
        EXPECT_TRUE(j.contains(k)) << k;
    EXPECT_EQ(j["images"].get<int>(), 300);
    EXPECT_GT(j["accuracy_fixed"].get<double>(), 80.0);
    EXPECT_LT(std::abs(j["accuracy_fixed"].get<double>() - j["accuracy_float"].get<double>()), 3.0);
    EXPECT_GT(j["cycles_per_image"].get<double>(), 0.0);
    EXPECT_EQ(read_json(d / "copy.json")["accuracy_fixed"], j["accuracy_fixed"]);
    for (const char* f : {"confusion.png", "confusion.csv", "examples.png", "predictions.csv"})
        EXPECT_GT(fs::file_size(d / f), 0u) << f;
    fs::remove_all(d);
}

TEST(Cli, MnistRefusesBadDataWithAClearMessage) {
    const fs::path d = fresh_dir("mnist_bad");
    const Result missing = cli("mnist --data " + (d / "nowhere").string() + " --out " + (d / "out").string());
    EXPECT_NE(missing.code, 0);
    EXPECT_NE(missing.out.find("nowhere"), std::string::npos) << missing.out;
    // A truncated image file next to good-looking names.
    fs::create_directories(d / "trunc");
    for (const char* f : {"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"}) {
        std::ofstream o(d / "trunc" / f, std::ios::binary);
        const unsigned char hdr[] = {0, 0, 8, static_cast<unsigned char>(std::string(f).find("images") != std::string::npos ? 3 : 1), 0, 0, 0, 10};
        o.write(reinterpret_cast<const char*>(hdr), sizeof hdr);
    }
    const Result trunc = cli("mnist --data " + (d / "trunc").string() + " --out " + (d / "out").string());
    EXPECT_NE(trunc.code, 0);
    EXPECT_NE(trunc.out.find("train-images-idx3-ubyte"), std::string::npos) << trunc.out;
    EXPECT_FALSE(fs::exists(d / "out" / "mnist.json"));
    fs::remove_all(d);
}

TEST(Cli, MnistRefusesATestLabelTheTrainingSetHasNot) {
    const fs::path d = fresh_dir("mnist_labels");
    std::vector<uint8_t> train(60);
    for (size_t k = 0; k < train.size(); ++k) train[k] = static_cast<uint8_t>(k % 3);
    write_idx_split(d, "train", train, 28, 28);
    write_idx_split(d, "t10k", {0, 1, 7, 2}, 28, 28);
    const Result r = cli("mnist --protos 2 --no-float --no-progress --data " + d.string() + " --out " + (d / "out").string());
    EXPECT_NE(r.code, 0) << r.out;
    EXPECT_NE(r.out.find("t10k-labels-idx1-ubyte"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("label 7 of test item 2"), std::string::npos) << r.out;
    EXPECT_FALSE(fs::exists(d / "out" / "mnist.json"));
    // One training label far outside the others: refused, naming the labels file and the item.
    std::vector<uint8_t> odd_train = train;
    odd_train[17] = 50;
    write_idx_split(d, "train", odd_train, 28, 28);
    const Result odd = cli("mnist --protos 2 --no-progress --data " + d.string() + " --out " + (d / "out").string());
    EXPECT_NE(odd.code, 0) << odd.out;
    EXPECT_NE(odd.out.find("train-labels-idx1-ubyte"), std::string::npos) << odd.out;
    EXPECT_NE(odd.out.find("item: 17, label 50"), std::string::npos) << odd.out;
    EXPECT_FALSE(fs::exists(d / "out"));
    // Images smaller than the pixel crop: refused, naming the file.
    write_idx_split(d, "train", train, 8, 8);
    write_idx_split(d, "t10k", {0, 1, 2, 2}, 8, 8);
    const Result small = cli("mnist --protos 2 --no-progress --data " + d.string() + " --out " + (d / "out").string());
    EXPECT_NE(small.code, 0) << small.out;
    EXPECT_NE(small.out.find("train-images-idx3-ubyte: 8x8 images are too small"), std::string::npos) << small.out;
    // The same files at 28x28 with the odd label fixed run through.
    write_idx_split(d, "train", train, 28, 28);
    write_idx_split(d, "t10k", {0, 1, 2, 2}, 28, 28);
    const Result ok = cli("mnist --protos 2 --no-progress --data " + d.string() + " --out " + (d / "out").string());
    EXPECT_EQ(ok.code, 0) << ok.out;
    EXPECT_TRUE(fs::exists(d / "out" / "mnist.json"));
    fs::remove_all(d);
}

TEST(Cli, RecallSmokeRun) {
    const fs::path d = fresh_dir("recall");
    const Result r = cli("recall --patterns shapes --count 4 --flip 0.1 --rules hebb,storkey --orders sync,async --out " + d.string());
    ASSERT_EQ(r.code, 0) << r.out;
    const json j = read_json(d / "recall.json");
    ASSERT_EQ(j["results"].size(), 4u);
    for (const auto& row : j["results"]) EXPECT_GT(row["mean_final_overlap"].get<double>(), 0.9) << row.dump();
    for (const char* f : {"energy.csv", "frames_hebb_sync.png", "frames_storkey_async.png"}) EXPECT_GT(fs::file_size(d / f), 0u) << f;
    const Result bad = cli("recall --rules nonsense --out " + (d / "bad").string());
    EXPECT_NE(bad.code, 0);
    EXPECT_NE(bad.out.find("nonsense"), std::string::npos) << bad.out;
    fs::remove_all(d);
}

TEST(Cli, CapacitySmokeRun) {
    const fs::path d = fresh_dir("capacity");
    const Result r = cli("capacity --neurons 200 --loads 10,20,30,40,60,80 --bits 3,8 --probes 6 --no-progress --out " + d.string());
    ASSERT_EQ(r.code, 0) << r.out;
    const json j = read_json(d / "capacity.json");
    const double hebb = j["rules"]["hebb"]["float"]["alpha_c"];
    EXPECT_GT(hebb, 0.05);  // theory 0.138; small N and few probes make it rough
    EXPECT_LT(hebb, 0.35);
    EXPECT_TRUE(j["rules"]["storkey"].contains("wbits8"));
    EXPECT_GT(fs::file_size(d / "capacity.csv"), 0u);
    // Stochastic rounding is recorded and changes the 2-bit weights (same seed, same bits).
    const Result sto = cli("capacity --neurons 200 --loads 10,30 --rules hebb --bits 2 --probes 4 --rounding stochastic "
                           "--no-progress --out " + (d / "sto").string());
    ASSERT_EQ(sto.code, 0) << sto.out;
    const Result near = cli("capacity --neurons 200 --loads 10,30 --rules hebb --bits 2 --probes 4 --no-progress --out " +
                            (d / "near").string());
    ASSERT_EQ(near.code, 0) << near.out;
    EXPECT_EQ(read_json(d / "sto" / "capacity.json")["rounding"], "stochastic");
    EXPECT_NE(slurp(d / "sto" / "capacity.csv"), slurp(d / "near" / "capacity.csv"));
    EXPECT_NE(cli("capacity --rounding up --out " + (d / "x").string()).code, 0);
    // Hebb already fails at the only load (alpha = 4): an upper bound, shown as "<", null in the JSON.
    const Result over = cli("capacity --neurons 64 --loads 256 --rules hebb --bits 8 --probes 4 --no-progress --out " +
                            (d / "over").string());
    ASSERT_EQ(over.code, 0) << over.out;
    EXPECT_NE(over.out.find("<4.000"), std::string::npos) << over.out;
    EXPECT_TRUE(read_json(d / "over" / "capacity.json")["rules"]["hebb"]["float"]["alpha_c"].is_null());
    fs::remove_all(d);
}

TEST(Cli, SweepSmokeRun) {
    if (!have_mnist()) GTEST_SKIP() << "MNIST not found (set MIND1024_DATA)";
    const fs::path d = fresh_dir("sweep");
    const Result r = cli("sweep --bits 2,6 --acc-bits 24 --limit 100 --train-limit 3000 --protos 10 --no-progress --out " +
                              d.string() + data_flag());
    ASSERT_EQ(r.code, 0) << r.out;
    const json j = read_json(d / "sweep.json");
    ASSERT_EQ(j["configs"].size(), 4u);  // 2 WBITS x 1 ABITS x 2 modes
    EXPECT_GT(j["float"]["accuracy"].get<double>(), 70.0);
    // The rounding mode reaches the quantizer: stochastic 4-bit couplings classify differently.
    std::string acc[2];
    for (int k = 0; k < 2; ++k) {
        const std::string rounding = k ? "stochastic" : "nearest";
        const fs::path o = d / rounding;
        const Result rr = cli("sweep --bits 4 --acc-bits 24 --modes saturate --limit 100 --train-limit 3000 --protos 10 "
                              "--no-progress --rounding " + rounding + " --out " + o.string() + data_flag());
        ASSERT_EQ(rr.code, 0) << rr.out;
        const json jr = read_json(o / "sweep.json");
        EXPECT_EQ(jr["rounding"], rounding);
        acc[k] = jr["configs"].dump();
    }
    EXPECT_NE(acc[0], acc[1]);
    fs::remove_all(d);
}

TEST(Cli, RtlDatapathClassifiesExactlyLikeTheCppDatapath) {
    if (!MIND1024_HAVE_RTL) GTEST_SKIP() << "built without the Verilated datapath";
    if (!have_mnist()) GTEST_SKIP() << "MNIST not found (set MIND1024_DATA)";
    const fs::path d = fresh_dir("cosim");
    for (const char* dp : {"cpp", "rtl"}) {
        const Result r = cli(std::string("mnist --limit 60 --train-limit 3000 --protos 20 --no-float --no-progress --examples 0 --datapath ") +
                                  dp + " --out " + (d / dp).string() + data_flag());
        ASSERT_EQ(r.code, 0) << r.out;
    }
    const std::string a = slurp(d / "cpp" / "predictions.csv"), b = slurp(d / "rtl" / "predictions.csv");
    EXPECT_GT(a.size(), 100u);
    EXPECT_EQ(a, b);
    fs::remove_all(d);
}
