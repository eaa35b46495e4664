// Known answers from the SystemC chip through its bus: Hebbian patterns are
// fixed points, the Hopfield energy never rises under asynchronous updates,
// SYNC finds a constructed 2-cycle, saturate and wrap differ as documented on a
// constructed overflow, HEBB gives the expected (saturated) matrix, and the VCD
// trace has the documented signals. Each case builds its own chip in a child.
#include <cstdio>
#include <fstream>
#include <random>
#include <regex>
#include <sstream>

#include <gtest/gtest.h>

#include "tests/sysc/bus.h"
#include "tests/sysc/scenario.h"

using namespace mind1024;
using namespace mind1024::test;

namespace {

ChipParams params(uint32_t n_max, uint32_t wbits = 8, uint32_t abits = 24, uint32_t lanes = 16) {
    ChipParams p;
    p.n_max = n_max;
    p.wbits = wbits;
    p.abits = abits;
    p.lanes = lanes;
    return p;
}

std::vector<int8_t> random_pattern(std::mt19937& rng, uint32_t n) {
    std::vector<int8_t> s(n);
    for (auto& x : s) x = rng() % 2 ? 1 : -1;
    return s;
}

// E = -1/2 s^T J s + theta^T s over the first n neurons.
double energy(const std::vector<std::vector<int16_t>>& w, const std::vector<int32_t>& theta,
              const std::vector<int8_t>& s, uint32_t n) {
    double e = 0;
    for (uint32_t i = 0; i < n; ++i) {
        int64_t h = 0;
        for (uint32_t j = 0; j < n; ++j) h += int64_t{w[i][j]} * s[j];
        e += -0.5 * static_cast<double>(h) * s[i] + static_cast<double>(theta[i]) * s[i];
    }
    return e;
}

}  // namespace

TEST(KnownAnswer, HebbianStoredPatternsAreFixedPoints) {
    in_child_process([] {
        const ChipParams p = params(256);
        Bus b(p);
        std::mt19937 rng(2024);
        const uint32_t n = 256, P = 4;
        std::vector<std::vector<int8_t>> pats;
        for (uint32_t k = 0; k < P; ++k) {
            pats.push_back(random_pattern(rng, n));
            b.write_state(pats.back());
            b.run(MIND_CTRL_HEBB);
            EXPECT_NE(b.status() & MIND_STATUS_DONE, 0u);
        }
        // The stored matrix is sum_k xi_i xi_j off the diagonal.
        for (uint32_t i = 0; i < n; ++i) {
            const std::vector<int16_t> row = b.read_row(i, n);
            for (uint32_t j = 0; j < n; ++j) {
                int expect = 0;
                if (i != j)
                    for (const auto& x : pats) expect += x[i] * x[j];
                ASSERT_EQ(row[j], expect) << i << "," << j;
            }
        }
        EXPECT_EQ(b.rd(MIND_REG_OVF_COUNT), 0u);
        for (uint32_t order : {MIND_ORDER_SYNC, MIND_ORDER_ASYNC_SEQ, MIND_ORDER_ASYNC_PERM}) {
            for (uint32_t k = 0; k < P; ++k) {
                SCOPED_TRACE("order " + std::to_string(order) + " pattern " + std::to_string(k));
                b.wr(MIND_REG_MODE, order);
                b.wr(MIND_REG_MAX_SWEEPS, 10);
                b.write_state(pats[k]);
                b.run(MIND_CTRL_START);
                EXPECT_EQ(b.status() & (MIND_STATUS_DONE | MIND_STATUS_CONVERGED | MIND_STATUS_CYCLE2),
                          MIND_STATUS_DONE | MIND_STATUS_CONVERGED);
                EXPECT_EQ(b.rd(MIND_REG_SWEEPS), 1u);
                EXPECT_EQ(b.rd(MIND_REG_FLIPS), 0u);
                EXPECT_EQ(b.read_state(), pats[k]);
                // Every field is aligned with its neuron's state.
                const std::vector<int32_t> h = b.read_fields(n);
                for (uint32_t i = 0; i < n; ++i) EXPECT_GT(h[i] * pats[k][i], 0) << i;
            }
        }
        // And they attract: 10% of the bits flipped come back in ASYNC_SEQ.
        b.wr(MIND_REG_MODE, MIND_ORDER_ASYNC_SEQ);
        std::vector<int8_t> noisy = pats[1];
        for (uint32_t i = 0; i < n; i += 10) noisy[i] = -noisy[i];
        b.write_state(noisy);
        b.run(MIND_CTRL_START);
        EXPECT_EQ(b.read_state(), pats[1]);
        EXPECT_NE(b.status() & MIND_STATUS_CONVERGED, 0u);
    });
}

TEST(KnownAnswer, EnergyNeverRisesUnderAsynchronousUpdates) {
    in_child_process([] {
        const ChipParams p = params(200);
        Bus b(p);
        std::mt19937 rng(31);
        int strict_drops = 0;
        for (int trial = 0; trial < 6; ++trial) {
            const uint32_t n = 120 + rng() % 80;
            Scenario s = random_scenario(p, rng, n);  // symmetric, zero diagonal
            for (uint32_t i = 0; i < n; ++i) s.theta[i] = static_cast<int32_t>(rng() % 401) - 200;
            s.mode = trial % 2 ? MIND_ORDER_ASYNC_PERM : MIND_ORDER_ASYNC_SEQ;
            s.seed = rng();
            if (trial >= 4)  // some clamped neurons: still a descent over the free ones
                for (uint32_t i = 0; i < n; ++i) s.clamp[i] = rng() % 8 == 0;
            b.run(MIND_CTRL_SOFT_RESET);
            load(b, s);
            std::vector<int8_t> sigma = b.read_state();
            double e = energy(s.w, s.theta, sigma, n);
            bool converged = false;
            for (int sweep = 0; sweep < 200 && !converged; ++sweep) {
                b.run(MIND_CTRL_STEP);
                const uint32_t flips = b.rd(MIND_REG_FLIPS);
                converged = b.status() & MIND_STATUS_CONVERGED;
                EXPECT_EQ(converged, flips == 0);
                sigma = b.read_state();
                const double e2 = energy(s.w, s.theta, sigma, n);
                if (flips) {
                    EXPECT_LT(e2, e) << "trial " << trial << " sweep " << sweep << " flips " << flips;
                    ++strict_drops;
                } else {
                    EXPECT_EQ(e2, e);
                }
                e = e2;
            }
            EXPECT_TRUE(converged) << "trial " << trial;
            // A local minimum: every free neuron agrees with its field (or ties).
            const std::vector<int32_t> h = b.read_fields(n);
            for (uint32_t i = 0; i < n; ++i) {
                if (!s.clamp[i]) {
                    EXPECT_GE((int64_t{h[i]} - s.theta[i]) * sigma[i], 0) << i;
                }
            }
        }
        EXPECT_GT(strict_drops, 6);
    });
}

TEST(KnownAnswer, SyncEndsWithCycle2OnABipartiteNetwork) {
    in_child_process([] {
        const ChipParams p = params(128);
        Bus b(p);
        // Groups A = even neurons, B = odd neurons, J = +1 between A and B, 0 within.
        // Start A = +1, B = -1: in SYNC every neuron sees the other group and copies it,
        // so A and B swap every sweep: (A+,B-) -> (A-,B+) -> (A+,B-).
        const uint32_t n = 64;
        std::vector<std::vector<int16_t>> w(n, std::vector<int16_t>(n, 0));
        std::vector<int8_t> s0(p.n_max, -1);
        for (uint32_t i = 0; i < n; ++i) {
            s0[i] = i % 2 ? -1 : 1;
            for (uint32_t j = 0; j < n; ++j) w[i][j] = (i + j) % 2 ? 1 : 0;
        }
        for (uint32_t i = 0; i < n; ++i) b.write_row(i, w[i]);
        b.wr(MIND_REG_N_ACTIVE, n);
        b.wr(MIND_REG_MAX_SWEEPS, 100);
        b.wr(MIND_REG_MODE, MIND_ORDER_SYNC);
        b.write_state(s0);
        b.run(MIND_CTRL_START);
        EXPECT_EQ(b.status() & (MIND_STATUS_DONE | MIND_STATUS_CONVERGED | MIND_STATUS_CYCLE2),
                  MIND_STATUS_DONE | MIND_STATUS_CYCLE2);
        EXPECT_EQ(b.rd(MIND_REG_SWEEPS), 2u);
        EXPECT_EQ(b.rd(MIND_REG_FLIPS), n);
        EXPECT_EQ(b.read_state(), s0) << "back where it started";
        EXPECT_EQ(b.cycles(), 2 * (uint64_t{n} * p.groups(n) + p.latency + 2));
        // The same network in ASYNC_SEQ settles instead: neuron 0 (A) copies B = -1,
        // then every B neuron copies A (now mixed) ... and it converges.
        b.wr(MIND_REG_MODE, MIND_ORDER_ASYNC_SEQ);
        b.run(MIND_CTRL_START);
        EXPECT_EQ(b.status() & (MIND_STATUS_CONVERGED | MIND_STATUS_CYCLE2), MIND_STATUS_CONVERGED);
        // A single STEP in SYNC never reports CYCLE2 (it needs two sweeps).
        b.wr(MIND_REG_MODE, MIND_ORDER_SYNC);
        b.write_state(s0);
        b.run(MIND_CTRL_STEP);
        EXPECT_EQ(b.status() & (MIND_STATUS_CONVERGED | MIND_STATUS_CYCLE2), 0u);
        EXPECT_EQ(b.rd(MIND_REG_SWEEPS), 1u);
    });
}

TEST(KnownAnswer, SaturateAndWrapDifferOnAConstructedOverflow) {
    in_child_process([] {
        // ABITS 8: the accumulator holds -128..127. LANES 4. Neuron 0 sees
        // J[0][1..7] = 100 with every state +1: group 0 (columns 0..3) adds 300,
        // group 1 (columns 4..7) adds 400; the exact field is 700.
        //   saturate: 300 -> 127 (ovf), 127+400 -> 127 (ovf): h = 127, neuron stays +1
        //   wrap:     300 -> 44 (ovf), 44+400 = 444 -> -68 (ovf): h = -68, neuron flips to -1
        const ChipParams p = params(64, 8, 8, 4);
        Bus b(p);
        std::vector<int16_t> row0(8, 100);
        row0[0] = 0;
        b.write_row(0, row0);
        for (bool wrap : {false, true}) {
            SCOPED_TRACE(wrap ? "wrap" : "saturate");
            b.wr(MIND_REG_N_ACTIVE, 8);
            b.wr(MIND_REG_MODE, MIND_ORDER_ASYNC_SEQ | (wrap ? MIND_MODE_OVF_WRAP : 0u));
            b.write_bits(MIND_REG_STATE(0), std::vector<bool>(64, true));
            b.run(MIND_CTRL_STEP);
            EXPECT_EQ(static_cast<int32_t>(b.read_fields(1)[0]), wrap ? -68 : 127);
            EXPECT_EQ(b.rd(MIND_REG_OVF_COUNT), 2u);
            EXPECT_NE(b.status() & MIND_STATUS_OVF, 0u);
            EXPECT_EQ(b.read_state()[0], wrap ? -1 : 1);
            EXPECT_EQ(b.rd(MIND_REG_FLIPS), wrap ? 1u : 0u);
            EXPECT_EQ((b.status() & MIND_STATUS_CONVERGED) != 0, !wrap);
            // Neurons 1..7 see J = 0: h = 0 ties, they keep their state.
            for (int i = 1; i < 8; ++i) EXPECT_EQ(b.read_state()[i], 1);
            b.run(MIND_CTRL_SOFT_RESET);  // OVF is sticky until SOFT_RESET
            EXPECT_EQ(b.status() & MIND_STATUS_OVF, 0u);
        }
        // No overflow when the last group brings it back: the count is per addition.
        // J[0][4..7] = -100: 300 -> 127 (ovf, saturate), 127-400 = -273 -> -128 (ovf).
        std::vector<int16_t> row(8, 100);
        row[0] = 0;
        for (int j = 4; j < 8; ++j) row[j] = -100;
        b.write_row(0, row);
        b.wr(MIND_REG_N_ACTIVE, 8);
        b.wr(MIND_REG_MODE, MIND_ORDER_ASYNC_SEQ);
        b.write_bits(MIND_REG_STATE(0), std::vector<bool>(64, true));
        b.run(MIND_CTRL_STEP);
        EXPECT_EQ(static_cast<int32_t>(b.read_fields(1)[0]), -128) << "exact sum is -100, saturation says -128";
        EXPECT_EQ(b.rd(MIND_REG_OVF_COUNT), 2u);
        // Wrap: 300 -> 44 (ovf), 44-400 = -356 -> -356+256 = -100 (ovf): two wraps land on the exact sum.
        b.wr(MIND_REG_MODE, MIND_ORDER_ASYNC_SEQ | MIND_MODE_OVF_WRAP);
        b.write_bits(MIND_REG_STATE(0), std::vector<bool>(64, true));
        b.run(MIND_CTRL_STEP);
        EXPECT_EQ(static_cast<int32_t>(b.read_fields(1)[0]), -100) << "wrapping twice lands on the exact sum";
        EXPECT_EQ(b.rd(MIND_REG_OVF_COUNT), 2u);
    });
}

TEST(KnownAnswer, HebbGivesTheExpectedMatrixAndSaturatesAtTheWbitsLimits) {
    in_child_process([] {
        // WBITS 3: weights -4..3.
        const ChipParams p = params(64, 3, 24, 16);
        Bus b(p);
        const uint32_t n = 10;
        const int8_t s[n] = {1, 1, -1, 1, -1, -1, 1, -1, 1, 1};
        std::vector<int8_t> state(p.n_max, -1);
        for (uint32_t i = 0; i < n; ++i) state[i] = s[i];
        // Things HEBB must not touch: the diagonal and anything outside N_ACTIVE.
        const int16_t two = 2;
        b.syn_write((3 * 64 + 3) * 2, &two, 2);
        b.syn_write((0 * 64 + 20) * 2, &two, 2);
        b.syn_write((20 * 64 + 0) * 2, &two, 2);
        b.write_state(state);
        b.wr(MIND_REG_N_ACTIVE, n);
        uint32_t pos_pairs = 0;
        for (uint32_t i = 0; i < n; ++i)
            for (uint32_t j = 0; j < n; ++j) pos_pairs += i != j && s[i] * s[j] > 0;
        const uint32_t all_pairs = n * (n - 1);
        for (int k = 1; k <= 6; ++k) {
            SCOPED_TRACE("HEBB #" + std::to_string(k));
            b.run(MIND_CTRL_HEBB);
            for (uint32_t i = 0; i < n; ++i) {
                const std::vector<int16_t> row = b.read_row(i, p.n_max);
                for (uint32_t j = 0; j < p.n_max; ++j) {
                    int expect;
                    if (j >= n) expect = i == 0 && j == 20 ? 2 : 0;
                    else if (i == j) expect = i == 3 ? 2 : 0;
                    else expect = std::clamp(k * s[i] * s[j], -4, 3);
                    ASSERT_EQ(row[j], expect) << "J[" << i << "][" << j << "]";
                }
            }
            EXPECT_EQ(b.read_row(20, 1)[0], 2);
            // Saturated weights this HEBB: positive pairs from the 4th (3+1 > 3),
            // negative ones from the 5th (-4-1 < -4).
            const uint32_t expect_ovf = k < 4 ? 0 : k == 4 ? pos_pairs : all_pairs;
            EXPECT_EQ(b.rd(MIND_REG_OVF_COUNT), expect_ovf);
            EXPECT_EQ((b.status() & MIND_STATUS_OVF) != 0, k >= 4) << "sticky";
            EXPECT_EQ(b.cycles(), uint64_t(k) * n * p.groups(n));
            EXPECT_NE(b.status() & MIND_STATUS_DONE, 0u);
        }
        // The same through the reference model.
        ReferenceModel m(p);
        m.set_n_active(n);
        for (uint32_t i = 0; i < n; ++i) m.set_state(i, s[i]);
        for (int k = 0; k < 6; ++k) m.hebb();
        EXPECT_EQ(m.status().ovf_count, all_pairs);
        EXPECT_EQ(m.weight(0, 1), 3);
        EXPECT_EQ(m.weight(0, 2), -4);
    });
}

TEST(KnownAnswer, VcdTraceHasTheDocumentedSignals) {
    const std::string base = testing::TempDir() + "mind1024_trace_" + std::to_string(getpid());
    in_child_process([&] {
        const ChipParams p = params(64);
        Bus b(p, sysc::ChipConfig{true}, base.c_str());
        std::mt19937 rng(3);
        Scenario s = random_scenario(p, rng, 64);
        s.mode = MIND_ORDER_SYNC;
        s.max_sweeps = 5;
        load(b, s);
        b.wr(MIND_REG_IRQ_EN, MIND_IRQ_EN_DONE);
        b.run(MIND_CTRL_START);
        EXPECT_NE(b.status() & MIND_STATUS_DONE, 0u);
        b.close_trace();
    });
    std::ifstream f(base + ".vcd");
    ASSERT_TRUE(f) << "no VCD file at " << base << ".vcd";
    std::stringstream ss;
    ss << f.rdbuf();
    const std::string vcd = ss.str();
    EXPECT_NE(vcd.find("$enddefinitions"), std::string::npos);
    EXPECT_NE(vcd.find("$scope module chip $end"), std::string::npos) << vcd.substr(0, 2000);
    for (const char* name : {"busy", "irq", "sweep", "flips", "ovf", "ovf_count", "neuron", "cycles"}) {
        const std::regex var(std::string(R"(\$var\s+wire\s+\d+\s+\S+\s+)") + name + R"((\s|\[))");
        EXPECT_TRUE(std::regex_search(vcd, var)) << "no signal " << name;
    }
    // Time moved and values changed after the header.
    const size_t defs = vcd.find("$enddefinitions");
    EXPECT_NE(vcd.find("\n#", defs), std::string::npos);
    size_t stamps = 0;
    for (size_t at = vcd.find("\n#", defs); at != std::string::npos; at = vcd.find("\n#", at + 1)) ++stamps;
    EXPECT_GT(stamps, 10u) << "per-neuron events should give many time stamps";
    if (!HasFailure()) std::remove((base + ".vcd").c_str());
}
