// mind1024 layered: a small synthetic 784-H-10 network (files written here, in
// the dtypes NumPy writes by default) on a tiny IDX set; the chip's answers
// must equal the host's integer inference image by image on both chip models,
// float weights need --quantize, and bad files are refused by name before any
// output appears.

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/host/cli/cli_run.h"
#include "host/baselines/dataset.h"
#include "host/data/idx_reader.h"
#include "host/baselines/layered_net.h"
#include "host/data/npy.h"

namespace fs = std::filesystem;
using namespace mind1024::host;

namespace {

constexpr size_t kInputs = 784, kHidden = 24, kOutputs = 10, kImages = 40;

// Four IDX files of kImages random 28 x 28 images (about half the pixels above 127).
void write_idx_set(const fs::path& dir) {
    auto be32 = [](std::ofstream& o, uint32_t v) {
        const char b[4] = {char(v >> 24), char(v >> 16), char(v >> 8), char(v)};
        o.write(b, 4);
    };
    baselines::Rng rng(7);
    for (const char* prefix : {"train", "t10k"}) {
        std::ofstream im(dir / (std::string(prefix) + "-images-idx3-ubyte"), std::ios::binary);
        be32(im, 0x803), be32(im, kImages), be32(im, 28), be32(im, 28);
        for (size_t k = 0; k < kImages * kInputs; ++k) im.put(static_cast<char>(rng.below(256)));
        std::ofstream lb(dir / (std::string(prefix) + "-labels-idx1-ubyte"), std::ios::binary);
        be32(lb, 0x801), be32(lb, kImages);
        for (size_t k = 0; k < kImages; ++k) lb.put(static_cast<char>(k % 10));
    }
}

// Small weights (-2..2) and thresholds near the sums' spread, so that ties
// (a hidden sum equal to its threshold, equal output scores) occur.
struct Net {
    std::vector<int64_t> w1, t1, w2, b2;
};
Net random_net(uint64_t seed) {
    baselines::Rng rng(seed);
    Net n;
    for (size_t k = 0; k < kHidden * kInputs; ++k) n.w1.push_back(rng.range(-2, 2));
    for (size_t k = 0; k < kHidden; ++k) n.t1.push_back(rng.range(-6, 6));
    for (size_t k = 0; k < kOutputs * kHidden; ++k) n.w2.push_back(rng.range(-1, 1));
    for (size_t k = 0; k < kOutputs; ++k) n.b2.push_back(rng.range(-2, 2));
    return n;
}

void write_json(const fs::path& dir, size_t hidden, const std::string& extra = R"(, "wbits": 4)") {
    std::ofstream(dir / "network.json") << R"({"format": "mind1024-layered-v1", "layers": [784, )" << hidden
                                        << ", 10]" << extra << "}\n";
}

// int64 everywhere, as np.save of a default integer array writes it.
void write_net(const fs::path& dir, const Net& n, size_t hidden = kHidden) {
    fs::create_directories(dir);
    write_json(dir, hidden);
    write_npy<int64_t>((dir / "w1.npy").string(), {hidden, kInputs}, n.w1);
    write_npy<int64_t>((dir / "t1.npy").string(), {hidden}, n.t1);
    write_npy<int64_t>((dir / "w2.npy").string(), {kOutputs, hidden}, n.w2);
    write_npy<int64_t>((dir / "b2.npy").string(), {kOutputs}, n.b2);
}

std::vector<std::vector<std::string>> read_csv(const fs::path& p) {
    std::ifstream f(p);
    std::vector<std::vector<std::string>> rows;
    std::string line;
    std::getline(f, line);  // header
    while (std::getline(f, line)) {
        std::vector<std::string> row;
        std::stringstream s(line);
        std::string cell;
        while (std::getline(s, cell, ',')) row.push_back(cell);
        rows.push_back(row);
    }
    return rows;
}

class LayeredCli : public ::testing::Test {
protected:
    void SetUp() override {
        root = fresh_cli_dir(std::string("layered_") + ::testing::UnitTest::GetInstance()->current_test_info()->name());
        data = root / "data";
        fs::create_directories(data);
        write_idx_set(data);
    }
    void TearDown() override { fs::remove_all(root); }
    std::string run(const fs::path& net, const fs::path& out, const std::string& more = "") const {
        return "layered --no-progress --net " + net.string() + " --data " + data.string() + " --out " + out.string() +
               " " + more;
    }
    fs::path root, data;
};

}  // namespace

TEST_F(LayeredCli, ChipAnswersEqualTheHostIntegerModelOnBothModels) {
    write_net(root / "net", random_net(3));
    // The host's inference of the same files, here.
    const baselines::LayeredIntNet net = baselines::read_layered((root / "net").string());
    const MnistSet test = load_mnist_split(data.string(), Split::Test);
    const std::vector<uint8_t> host = net.predict_images(test.images, kImages);
    size_t ties = 0;  // hidden sums equal to their thresholds: the -1 start must hold
    std::vector<int8_t> x(kInputs);
    for (size_t i = 0; i < kImages; ++i) {
        for (size_t j = 0; j < kInputs; ++j) x[j] = baselines::binarize_pixel(test.image(i)[j]);
        for (size_t h = 0; h < kHidden; ++h) {
            int64_t s = 0;
            for (size_t j = 0; j < kInputs; ++j) s += net.w1[h * kInputs + j] * x[j];
            ties += s == net.t1[h];
        }
    }
    EXPECT_GT(ties, 0u) << "the test network should exercise hidden ties";
    for (const char* model : {"reference", "systemc"}) {
        const fs::path out = root / (std::string("out_") + model);
        const Result r = cli(run(root / "net", out, std::string("--wbits 4 --model ") + model));
        ASSERT_EQ(r.code, 0) << model << ": " << r.out;
        const auto rows = read_csv(out / "predictions.csv");
        ASSERT_EQ(rows.size(), kImages);
        for (size_t i = 0; i < kImages; ++i) {
            EXPECT_EQ(std::stoi(rows[i][2]), host[i]) << model << " image " << i;
            EXPECT_EQ(std::stoi(rows[i][3]), host[i]) << model << " image " << i;
        }
        const nlohmann::json j = read_json(out / "layered.json");
        EXPECT_EQ(j["agree_with_host"], kImages) << model;
        EXPECT_EQ(j["images"], kImages);
        EXPECT_EQ(j["network"]["neurons"], kInputs + kHidden + kOutputs);
        // One sweep over the hidden and output neurons: (H + 10) updates of ceil(818 / 16) groups, + latency.
        EXPECT_EQ(j["cycles_per_image"].get<double>(), double((kHidden + kOutputs) * ((818 + 15) / 16) + 5)) << model;
        EXPECT_EQ(j["overflow"]["events"], 0);
    }
    EXPECT_EQ(comparable(root / "out_reference" / "predictions.csv"), comparable(root / "out_systemc" / "predictions.csv"));
}

TEST_F(LayeredCli, FloatWeightsNeedQuantize) {
    // Codes in {-1, 0, 1} divided by 4, in float64 (np.save's default): at WBITS 2 (top code 1) the max-abs
    // scale is 4, so --quantize gives back exactly the integer network (t1 = floor(4 t1 / 4)).
    Net n = random_net(5);
    for (auto& v : n.w1) v = v > 0 ? 1 : v < 0 ? -1 : 0;
    for (auto& v : n.w2) v = v > 0 ? 1 : v < 0 ? -1 : 0;
    write_net(root / "int", n);
    std::ofstream(root / "int" / "network.json") << R"({"format": "mind1024-layered-v1", "layers": [784, 24, 10], "wbits": 2})";
    auto quarter = [](const std::vector<int64_t>& v) {
        std::vector<double> r;
        for (int64_t x : v) r.push_back(x / 4.0);
        return r;
    };
    const fs::path fl = root / "float";
    fs::create_directories(fl);
    write_json(fl, kHidden, "");  // no wbits: the chip's --wbits
    write_npy<double>((fl / "w1.npy").string(), {kHidden, kInputs}, quarter(n.w1));
    write_npy<double>((fl / "t1.npy").string(), {kHidden}, quarter(n.t1));
    write_npy<double>((fl / "w2.npy").string(), {kOutputs, kHidden}, quarter(n.w2));
    write_npy<double>((fl / "b2.npy").string(), {kOutputs}, quarter(n.b2));
    const Result refused = cli(run(fl, root / "o1", "--wbits 2 --model reference"));
    EXPECT_EQ(refused.code, 1) << refused.out;
    EXPECT_NE(refused.out.find("w1.npy"), std::string::npos) << refused.out;
    EXPECT_NE(refused.out.find("--quantize"), std::string::npos) << refused.out;
    EXPECT_FALSE(fs::exists(root / "o1"));
    const Result a = cli(run(fl, root / "o2", "--wbits 2 --model reference --quantize"));
    ASSERT_EQ(a.code, 0) << a.out;
    const Result b = cli(run(root / "int", root / "o3", "--wbits 2 --model reference"));
    ASSERT_EQ(b.code, 0) << b.out;
    EXPECT_EQ(comparable(root / "o2" / "predictions.csv"), comparable(root / "o3" / "predictions.csv"));
    const nlohmann::json j = read_json(root / "o2" / "layered.json");
    EXPECT_EQ(j["agree_with_host"], kImages);
    EXPECT_DOUBLE_EQ(j["quantization"]["w1"]["scale"].get<double>(), 4.0);
    EXPECT_EQ(j["accuracy_before_quantization"].get<double>(), j["accuracy_chip"].get<double>());  // exact here
    EXPECT_TRUE(j.contains("unanswered_chip"));
    // Per-row scales, saved: the saved codes run as integer files and give the same answers.
    const Result r = cli(run(fl, root / "o4", "--wbits 2 --model reference --quantize --scale-granularity row --save-quantized " +
                                                  (root / "codes").string()));
    ASSERT_EQ(r.code, 0) << r.out;
    EXPECT_EQ(read_npy((root / "codes" / "s1.npy").string()).size(), kHidden);
    const Result s = cli(run(root / "codes", root / "o5", "--wbits 2 --model reference"));
    ASSERT_EQ(s.code, 0) << s.out;
    EXPECT_EQ(comparable(root / "o4" / "predictions.csv"), comparable(root / "o5" / "predictions.csv"));
    // WBITS 1 holds {-1, 0}: refused, with the way to ±1 codes; those run on a 2-bit chip.
    const Result one = cli(run(fl, root / "o6", "--wbits 1 --model reference --quantize"));
    EXPECT_EQ(one.code, 1) << one.out;
    EXPECT_NE(one.out.find("--quant-bits 1"), std::string::npos) << one.out;
    const Result pm = cli(run(fl, root / "o7", "--wbits 2 --model reference --quantize --quant-bits 1"));
    ASSERT_EQ(pm.code, 0) << pm.out;
    EXPECT_EQ(read_json(root / "o7" / "layered.json")["quantization"]["options"]["codes"], "±1");
    const Result alone = cli(run(root / "int", root / "o8", "--wbits 2 --model reference --scale mse"));
    EXPECT_EQ(alone.code, 1) << alone.out;  // quantizer options without --quantize
}

TEST_F(LayeredCli, BadFilesAreRefusedByNameBeforeAnyOutput) {
    const Net n = random_net(9);
    struct Case {
        std::string what, options;
        std::vector<std::string> expect;
    };
    // wrong shape of w2
    write_net(root / "shape", n);
    write_npy<int16_t>((root / "shape" / "w2.npy").string(), {kOutputs, kHidden + 1},
                       std::vector<int16_t>(kOutputs * (kHidden + 1), 0));
    // a weight outside the chip's WBITS
    Net big = n;
    big.w1[5 * kInputs + 7] = 9;
    write_net(root / "wbits", big);
    write_json(root / "wbits", kHidden, R"(, "wbits": 8)");
    // more neurons than the chip has: 784 + 231 + 10 = 1025
    Net wide;
    wide.w1.assign(231 * kInputs, 0), wide.t1.assign(231, 0), wide.w2.assign(10 * 231, 0), wide.b2.assign(10, 0);
    write_net(root / "wide", wide, 231);
    // a threshold outside ABITS
    Net thr = n;
    thr.t1[3] = 200;
    write_net(root / "abits", thr);
    const std::vector<Case> cases = {
        {"shape", "", {(root / "shape" / "w2.npy").string(), "(10, 25)", "(10, 24)"}},
        {"wbits", "--wbits 4", {(root / "wbits" / "w1.npy").string(), "[5, 7]", "9", "WBITS=4"}},
        {"wide", "", {(root / "wide" / "network.json").string(), "1025 neurons", "N_MAX = 1024"}},
        {"abits", "--abits 8", {(root / "abits" / "t1.npy").string(), "[3]", "200", "ABITS=8"}},
    };
    for (const Case& c : cases) {
        const fs::path out = root / ("out_" + c.what);
        const Result r = cli(run(root / c.what, out, "--model reference " + c.options));
        EXPECT_EQ(r.code, 1) << c.what << ": " << r.out;
        for (const std::string& e : c.expect) EXPECT_NE(r.out.find(e), std::string::npos) << c.what << ": '" << e << "' not in " << r.out;
        EXPECT_FALSE(fs::exists(out)) << c.what;
    }
    // Outputs are checked before the files.
    const Result o = cli(run(root / "shape", "/dev/null/x", "--model reference"));
    EXPECT_EQ(o.code, 1) << o.out;
    EXPECT_NE(o.out.find("/dev/null/x"), std::string::npos) << o.out;
    EXPECT_EQ(o.out.find("w2.npy"), std::string::npos) << o.out;
}
