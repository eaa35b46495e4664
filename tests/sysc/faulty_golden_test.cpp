// A faulty chip is still golden-checked: the SystemC chip and the reference
// model take the same FaultPlan (stuck synapse bits, upsets at an update
// index, stuck neurons, stuck accumulator bits) and agree bit for bit on
// states, fields, counters, flags and the weights, over random chips and runs,
// and when an ABORT cuts a sweep short around the upsets' update index.
#include <algorithm>
#include <random>

#include <gtest/gtest.h>

#include "tests/sysc/bus.h"
#include "sysc/fault_plan.h"
#include "tests/sysc/scenario.h"

using namespace mind1024;
using namespace mind1024::test;

namespace {

FaultSpec random_faults(const ChipParams& p, std::mt19937& rng, uint64_t updates) {
    FaultSpec f;
    f.seed = rng();
    const double rates[] = {0, 0.001, 0.01, 0.05};
    if (rng() % 2) f.syn_stuck0 = rates[rng() % 4], f.syn_stuck1 = rates[rng() % 4];
    if (rng() % 2) f.seu_count = 1 + rng() % 40, f.seu_at = rng() % std::max<uint64_t>(1, updates);
    if (rng() % 3 == 0) f.upset_rate = rates[rng() % 4] / 50;
    if (rng() % 3 == 0) f.thr_stuck0 = rates[rng() % 4], f.thr_stuck1 = rates[rng() % 4];
    if (rng() % 3 == 0) f.clamp_stuck0 = rates[rng() % 4] * 2, f.clamp_stuck1 = rates[rng() % 4] * 2;
    if (rng() % 3 == 0) f.lfsr_stuck0 = rates[rng() % 4] * 2, f.lfsr_stuck1 = rates[rng() % 4] * 2;
    if (rng() % 2) f.neuron_plus = rates[rng() % 4], f.neuron_minus = rates[rng() % 4];
    if (rng() % 3 == 0) {
        const uint32_t mask = p.abits >= 32 ? 0xFFFFFFFFu : (1u << p.abits) - 1;
        const uint32_t bits = (1u << (rng() % p.abits)) & mask;
        (rng() % 2 ? f.acc_stuck0 : f.acc_stuck1) = bits;
    } else if (rng() % 3 == 0) {
        f.acc_p0 = rates[rng() % 4] * 4, f.acc_p1 = rates[rng() % 4] * 4;
    }
    return f;
}

void run_config(const ChipParams& p, const sysc::ChipConfig& opt, int k) {
    Bus b(p, opt);
    std::mt19937 rng(7100 + k);
    for (int sc_i = 0; sc_i < 12; ++sc_i) {
        Scenario s = random_scenario(p, rng, 1 + rng() % p.n_max);
        s.mode = rng() % 3 | (rng() % 2 ? MIND_MODE_OVF_WRAP : 0u) | (rng() % 3 == 0 ? MIND_MODE_NOISE_EN : 0u);
        s.temp = rng() % 200;
        s.seed = rng();
        s.max_sweeps = 1 + rng() % 8;
        for (uint32_t i = 0; i < p.n_max; ++i) s.clamp[i] = rng() % 8 == 0;
        const FaultPlan plan = FaultPlan::expand(random_faults(p, rng, 3ull * s.n_active), p);
        b.chip.set_faults(FaultPlan{});  // the last plan's stuck bits must not outlive the clear
        b.run(MIND_CTRL_CLEAR_SYN);
        b.run(MIND_CTRL_SOFT_RESET);
        ReferenceModel m(p);
        const bool before_load = rng() % 2;  // stuck bits hold what is written, and apply to what is there
        if (before_load) b.chip.set_faults(plan), m.set_faults(plan);
        load(b, s);
        load(m, s);
        if (!before_load) b.chip.set_faults(plan), m.set_faults(plan);
        for (int op = 0; op < 3; ++op) {
            const uint32_t r = rng() % 10;
            const uint32_t cmd = r < 6 ? MIND_CTRL_START : r < 9 ? MIND_CTRL_STEP : MIND_CTRL_HEBB;
            if (cmd == MIND_CTRL_START) m.start();
            else if (cmd == MIND_CTRL_STEP) m.step();
            else m.hebb();
            b.run(cmd);
            expect_same(b, m, p.describe() + " scenario " + std::to_string(sc_i) + " op " + std::to_string(op) +
                                  " faults " + plan.spec().to_string() + " " + s.describe(),
                        s.n_active);
            if (testing::Test::HasFailure()) return;
        }
    }
    b.chip.set_faults(FaultPlan{});
}

class FaultyGolden : public testing::TestWithParam<int> {};

TEST_P(FaultyGolden, ChipMatchesReferenceWithTheSameFaults) {
    const int k = GetParam();
    in_child_process([k] {
        std::mt19937 rng(300 + k);
        ChipParams p;
        const uint32_t sizes[] = {32, 64, 100, 128};
        p.n_max = sizes[k % 4];
        p.wbits = 1 + (k * 5) % 16;
        p.abits = k % 3 == 0 ? std::max<uint32_t>(2, p.wbits + 2) : 24;  // overflow paths and the fast one
        p.lanes = 1 + rng() % 16;
        p.latency = rng() % 5;
        p.protect = k % 3;  // none, parity, SECDED: codewords, and SECDED's extra cycle
        run_config(p, sysc::ChipConfig{k % 4 == 3}, k);
    });
}

INSTANTIATE_TEST_SUITE_P(Configs, FaultyGolden, testing::Range(0, 12));

// ABORT in the middle of a sweep whose upsets fall around the abort point:
// upsets of updates that did not happen are not kept (reference: the budget).
TEST(FaultyGoldenAbort, UpsetsOfUpdatesThatDidNotHappenAreNotKept) {
    in_child_process([] {
        ChipParams p;
        p.n_max = 160;
        p.lanes = 8;
        p.latency = 3;
        Bus b(p, sysc::ChipConfig{true});
        std::mt19937 rng(4242);
        int checked = 0;
        for (int trial = 0; trial < 24; ++trial) {
            Scenario s = random_scenario(p, rng, 60 + rng() % 100);
            s.mode = trial % 3;
            s.seed = rng();
            s.max_sweeps = 6;
            for (uint32_t i = 0; i < s.n_active; ++i) s.clamp[i] = rng() % 6 == 0;
            const AbortPoint a = random_abort(p, s, rng);
            const uint64_t o = a.cycles, budget = a.budget;
            FaultSpec f;
            f.seed = rng();
            f.seu_count = 20;
            f.seu_at = budget + (rng() % 5) - 2;  // just before, at or after the last update kept
            f.neuron_plus = 0.02;
            if (trial % 2) f.upset_rate = 2e-5;  // ~0.5 flips per update: some fall in the aborted part
            const FaultPlan plan = FaultPlan::expand(f, p);
            b.chip.set_faults(FaultPlan{});
            b.run(MIND_CTRL_CLEAR_SYN);
            b.run(MIND_CTRL_SOFT_RESET);  // after CLEAR_SYN: CYCLES from zero, as the reference's
            b.chip.set_faults(plan);
            load(b, s);
            b.ctrl(MIND_CTRL_START);
            b.advance_to(b.now() + static_cast<double>(o) * b.period());
            b.ctrl(MIND_CTRL_ABORT);
            b.idle();
            ReferenceModel m(p);
            m.set_faults(plan);
            load(m, s);
            m.start(budget);
            expect_same(b, m, s.describe() + " abort at " + std::to_string(o) + " upsets at " + std::to_string(f.seu_at),
                        s.n_active);
            if (testing::Test::HasFailure()) return;
            ++checked;
        }
        EXPECT_EQ(checked, 24);
        b.chip.set_faults(FaultPlan{});
    });
}

}  // namespace
