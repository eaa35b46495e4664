// Co-simulation: two SystemC chips in one simulation, one with the C++
// datapath and one with the Verilated RTL unit (rtl/verilated_datapath.h),
// driven identically over their TLM register sockets. Hopfield recall of
// MNIST digits (and random patterns) must give the same states, fields,
// counters and status on both, in every update order, with noise and wrap.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <systemc>

#include "sysc/chip.h"
#include "mind1024_regs.h"
#include "rtl/verilated_datapath.h"
#include "tests/support/tlm_initiator.h"

namespace {

using mind1024::ChipParams;
using mind1024::sysc::Mind1024Chip;
using mind1024::test::TlmInitiator;

// One chip and its bus master (the accesses' bus time is not simulated).
struct ChipOnBus {
    Mind1024Chip chip;
    TlmInitiator host;
    ChipOnBus(const char* name, const ChipParams& p)
        : chip(name, p), host((std::string(name) + "_host").c_str()) {
        host.bind_chip(chip);
    }
    // An error response throws (the test fails naming the access).
    void write(uint32_t off, uint32_t v) {
        sc_core::sc_time d = sc_core::SC_ZERO_TIME;
        mind1024::test::write32(host.reg, off, v, d);
    }
    uint32_t read(uint32_t off) {
        sc_core::sc_time d = sc_core::SC_ZERO_TIME;
        return mind1024::test::read32(host.reg, off, d);
    }
    void set_state(const std::vector<int8_t>& s) {
        for (uint32_t k = 0; k < 32; ++k) {
            uint32_t word = 0;
            for (uint32_t b = 0; b < 32; ++b)
                if (32 * k + b < s.size() && s[32 * k + b] > 0) word |= 1u << b;
            write(MIND_REG_STATE(k), word);
        }
    }
};

// Both boards get the same register writes.
struct Pair {
    ChipParams p;
    ChipOnBus cpp{"chip_cpp", p}, rtl{"chip_rtl", p};
    mind1024::rtl::VerilatedDatapath dp{p};
    Pair() { rtl.chip.neuron_unit().set_datapath(&dp); }
    void write(uint32_t off, uint32_t v) {
        cpp.write(off, v);
        rtl.write(off, v);
    }
    void set_state(const std::vector<int8_t>& s) {
        cpp.set_state(s);
        rtl.set_state(s);
    }
    void command(uint32_t ctrl) {
        write(MIND_REG_CTRL, ctrl);
        sc_core::sc_start();  // both engines run to DONE
    }
    // Every state, field, counter and status word must agree.
    void compare(const std::string& what) {
        const auto& a = cpp.chip.state();
        const auto& b = rtl.chip.state();
        ASSERT_FALSE(a.busy) << what;
        ASSERT_FALSE(b.busy) << what;
        EXPECT_EQ(a.sigma, b.sigma) << what << ": states differ";
        EXPECT_EQ(a.field, b.field) << what << ": fields differ";
        for (uint32_t off : {MIND_REG_STATUS, MIND_REG_SWEEPS, MIND_REG_FLIPS, MIND_REG_CYCLES_LO, MIND_REG_CYCLES_HI,
                             MIND_REG_OVF_COUNT, MIND_REG_IRQ_STATUS})
            EXPECT_EQ(cpp.read(off), rtl.read(off)) << what << ": register 0x" << std::hex << off;
        for (uint32_t k = 0; k < 32; ++k) EXPECT_EQ(cpp.read(MIND_REG_STATE(k)), rtl.read(MIND_REG_STATE(k))) << what;
        ++compared_runs;
    }
    int compared_runs = 0;
};

// MNIST images, binarized (pixel > 127 -> +1), or empty if the file is missing.
std::vector<std::vector<int8_t>> mnist_patterns(size_t count) {
    // $MIND1024_DATA (set by scripts/setup.sh test) or the source tree's data/mnist.
    const char* data = std::getenv("MIND1024_DATA");
    const char* src = std::getenv("MIND1024_SOURCE_DIR");
    const std::string dir = data && *data ? std::string(data) : std::string(src ? src : ".") + "/data/mnist";
    const std::string path = dir + "/t10k-images-idx3-ubyte";
    std::ifstream f(path, std::ios::binary);
    std::vector<std::vector<int8_t>> out;
    if (!f) return out;
    unsigned char hdr[16];
    if (!f.read(reinterpret_cast<char*>(hdr), 16)) return out;
    auto be = [&](int o) { return uint32_t{hdr[o]} << 24 | uint32_t{hdr[o + 1]} << 16 | uint32_t{hdr[o + 2]} << 8 | hdr[o + 3]; };
    if (be(0) != 0x803 || be(8) * be(12) != 784) return out;
    std::vector<unsigned char> img(784);
    for (size_t k = 0; k < count && f.read(reinterpret_cast<char*>(img.data()), 784); ++k) {
        std::vector<int8_t> s(784);
        for (int j = 0; j < 784; ++j) s[j] = img[j] > 127 ? 1 : -1;
        out.push_back(std::move(s));
    }
    return out;
}

std::vector<int8_t> corrupt(std::vector<int8_t> s, double p, std::mt19937_64& rng) {
    std::bernoulli_distribution flip(p);
    for (auto& x : s)
        if (flip(rng)) x = static_cast<int8_t>(-x);
    return s;
}

void store_by_hebb(Pair& pr, const std::vector<std::vector<int8_t>>& pats) {
    pr.write(MIND_REG_CTRL, MIND_CTRL_CLEAR_SYN);
    sc_core::sc_start();
    for (const auto& s : pats) {
        pr.set_state(s);
        pr.command(MIND_CTRL_HEBB);
    }
    pr.compare("after HEBB");
    for (uint32_t i = 0; i < 64; ++i)
        for (uint32_t j = 0; j < 64; ++j)
            ASSERT_EQ(pr.cpp.chip.syn.row(i)[j], pr.rtl.chip.syn.row(i)[j]);
}

// Recall in every order, with and without noise, saturate and wrap.
void recall_runs(Pair& pr, const std::vector<std::vector<int8_t>>& pats, uint32_t n, int probes_per_pattern) {
    std::mt19937_64 rng(99);
    struct Mode {
        uint32_t mode, temp;
    };
    const Mode modes[] = {{MIND_ORDER_ASYNC_SEQ, 0},
                          {MIND_ORDER_SYNC, 0},
                          {MIND_ORDER_ASYNC_PERM, 0},
                          {MIND_ORDER_ASYNC_SEQ | MIND_MODE_NOISE_EN, 40},
                          {MIND_ORDER_SYNC | MIND_MODE_OVF_WRAP | MIND_MODE_NOISE_EN, 25},
                          {MIND_ORDER_ASYNC_PERM | MIND_MODE_OVF_WRAP, 0}};
    pr.write(MIND_REG_N_ACTIVE, n);
    pr.write(MIND_REG_MAX_SWEEPS, 12);
    int recalled = 0, runs = 0;
    for (size_t p = 0; p < pats.size(); ++p) {
        for (int k = 0; k < probes_per_pattern; ++k) {
            const Mode& m = modes[(p * probes_per_pattern + k) % std::size(modes)];
            pr.write(MIND_REG_MODE, m.mode);
            pr.write(MIND_REG_TEMP, m.temp);
            pr.write(MIND_REG_SEED, static_cast<uint32_t>(rng()));
            pr.set_state(corrupt(pats[p], 0.12, rng));
            pr.command(MIND_CTRL_START);
            pr.compare("pattern " + std::to_string(p) + " probe " + std::to_string(k) + " mode " +
                       std::to_string(m.mode));
            const auto& s = pr.cpp.chip.state().sigma;
            recalled += std::equal(pats[p].begin(), pats[p].begin() + n, s.begin());
            ++runs;
        }
    }
    std::printf("[ COSIM ] n=%u: %d runs identical (C++ vs RTL datapath), %d recalled exactly, %llu RTL updates, "
                "%llu RTL cycles\n",
                n, runs, recalled, static_cast<unsigned long long>(pr.dp.updates()),
                static_cast<unsigned long long>(pr.dp.cycles()));
}

TEST(RtlCosim, HopfieldRecallMnist) {
    auto pats = mnist_patterns(6);
    if (pats.size() < 6) GTEST_SKIP() << "MNIST not found in $MIND1024_DATA or data/mnist (run scripts/setup.sh)";
    Pair pr;
    pr.write(MIND_REG_N_ACTIVE, 784);
    store_by_hebb(pr, pats);
    recall_runs(pr, pats, 784, 6);
    EXPECT_EQ(pr.dp.updates() > 0, true);
    EXPECT_GT(pr.compared_runs, 30);
}

TEST(RtlCosim, HopfieldRecallRandomFullChip) {
    std::mt19937_64 rng(7);
    std::vector<std::vector<int8_t>> pats(20, std::vector<int8_t>(1024));
    for (auto& s : pats)
        for (auto& x : s) x = (rng() & 1) ? 1 : -1;
    Pair pr;
    pr.write(MIND_REG_N_ACTIVE, 1024);
    store_by_hebb(pr, pats);
    recall_runs(pr, std::vector<std::vector<int8_t>>(pats.begin(), pats.begin() + 4), 1000, 3);
    EXPECT_GT(pr.dp.updates(), 0u);
}

// Random full-range weights and thresholds written through the synapse store,
// odd n, clamped neurons.
TEST(RtlCosim, RandomWeightsAndThresholds) {
    std::mt19937_64 rng(3);
    Pair pr;
    const uint32_t n = 333;
    for (uint32_t i = 0; i < n; ++i)
        for (uint32_t j = 0; j < n; ++j) {
            const int64_t w = static_cast<int64_t>(rng() % 256) - 128;
            pr.cpp.chip.syn.store(size_t{i} * 1024 + j, w);
            pr.rtl.chip.syn.store(size_t{i} * 1024 + j, w);
        }
    pr.write(MIND_REG_THR_ADDR, 0);
    for (uint32_t i = 0; i < n; ++i) pr.write(MIND_REG_THR_DATA, static_cast<uint32_t>(static_cast<int32_t>(rng() % 801) - 400));
    pr.write(MIND_REG_CLAMP(1), 0x00F0F00Fu);
    pr.write(MIND_REG_N_ACTIVE, n);
    pr.write(MIND_REG_MAX_SWEEPS, 20);
    for (uint32_t mode : {0u, 1u, 2u, 1u | 8u, 0u | 4u | 8u, 2u | 8u}) {
        pr.write(MIND_REG_MODE, mode);
        pr.write(MIND_REG_TEMP, 500);
        pr.write(MIND_REG_SEED, static_cast<uint32_t>(rng()));
        std::vector<int8_t> s(1024);
        for (auto& x : s) x = (rng() & 1) ? 1 : -1;
        pr.set_state(s);
        pr.command(MIND_CTRL_START);
        pr.compare("mode " + std::to_string(mode));
        pr.command(MIND_CTRL_STEP);
        pr.compare("step, mode " + std::to_string(mode));
    }
}

}  // namespace
