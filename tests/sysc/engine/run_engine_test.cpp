// The run engine on its own (no SystemC) against the reference model, bit for
// bit: states, every FIELD, SWEEPS, FLIPS, CONVERGED/CYCLE2, overflow events,
// the LFSR and the cycles of the timing model, over random chips (WBITS
// 1..16, accumulators that overflow or cannot) and runs (all orders,
// saturate and wrap, noise, clamps, N_ACTIVE below N_MAX), run after run so
// the incremental fields carry over; and through a plugged-in Datapath.
#include <algorithm>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "sysc/engine/fixed_point_arith.h"
#include "sysc/engine/timing_model.h"
#include "sysc/engine/untimed_run.h"
#include "sysc/reference_model.h"

using namespace mind1024;
using namespace mind1024::engine;

namespace {

// The contract's arithmetic, row by row, as a plugged-in unit would compute it.
class RowDatapath : public Datapath {
public:
    explicit RowDatapath(const ChipParams& p) : p_(p) {}
    fx::Field field(const int16_t* row, const int8_t* sigma, uint32_t n, bool wrap) override {
        ++calls;
        return fx::neuron_field(row, sigma, n, p_.lanes, p_.wbits, p_.abits, wrap);
    }
    const char* name() const override { return "row"; }
    uint64_t calls = 0;

private:
    ChipParams p_;
};

void compare(int config, bool datapath) {
    std::mt19937 rng(500 + config);
    ChipParams p;
    const uint32_t sizes[] = {33, 64, 100, 128, 200};
    p.n_max = sizes[rng() % 5];
    p.wbits = config % 16 + 1;
    p.abits = config % 3 == 0 ? std::max<uint32_t>(2, p.wbits + rng() % 4) : 32 - rng() % 4;
    const uint32_t lanes[] = {1, 3, 16, 64};
    p.lanes = lanes[rng() % 4];
    p.latency = rng() % 8;
    SCOPED_TRACE(p.describe());

    ReferenceModel ref(p);
    std::vector<int16_t> w(size_t{p.n_max} * p.n_max);
    std::vector<int32_t> theta(p.n_max);
    std::vector<uint8_t> clamp(p.n_max);
    for (uint32_t i = 0; i < p.n_max; ++i) {
        for (uint32_t j = 0; j < p.n_max; ++j) {
            ref.set_weight(i, j, static_cast<int64_t>(rng()));
            w[size_t{i} * p.n_max + j] = ref.weight(i, j);
        }
        ref.set_threshold(i, static_cast<int64_t>(rng() % 64) - 32);
        theta[i] = ref.threshold(i);
    }
    FixedPointArith arith(p);
    RowDatapath dp(p);
    if (datapath) arith.set_datapath(&dp);
    Sweeper<FixedPointArith> sweeper;
    const TimingModel timing(p);
    std::vector<int8_t> sigma(p.n_max, -1);
    std::vector<int32_t> field(p.n_max, 0);
    uint64_t cycles = 0;
    bool ovf = false;
    for (int run = 0; run < 12; ++run) {
        // Flip a few states (or many), clamp some neurons, draw the run's registers.
        const uint32_t changes = run % 4 == 0 ? p.n_max : rng() % 6;
        for (uint32_t k = 0; k < changes; ++k) {
            const uint32_t i = rng() % p.n_max;
            sigma[i] = rng() % 2 ? 1 : -1;
        }
        for (uint32_t i = 0; i < p.n_max; ++i) clamp[i] = rng() % 8 == 0;
        SweepSpec spec;
        spec.order = static_cast<Order>(rng() % 3);
        spec.n = run % 3 == 0 ? p.n_max : 1 + rng() % p.n_max;
        spec.noise = rng() % 2;
        spec.temp = rng() % 200;
        const bool wrap = rng() % 2;
        const uint32_t max_sweeps = 1 + rng() % 20, seed = static_cast<uint32_t>(rng());
        for (uint32_t i = 0; i < p.n_max; ++i) ref.set_state(i, sigma[i]), ref.set_clamp(i, clamp[i]);
        Mode m;
        m.order = spec.order;
        m.wrap = wrap;
        m.noise = spec.noise;
        ref.set_mode(m);
        ref.set_n_active(spec.n);
        ref.set_max_sweeps(max_sweeps);
        ref.set_temp(spec.temp);
        ref.set_seed(seed);
        ref.start();

        arith.set_network(w.data(), 1, theta.data(), wrap);
        Lfsr lfsr(seed);
        const UntimedRun r = run_untimed(arith, sweeper, spec, max_sweeps, sigma, clamp.data(), lfsr, field.data());
        cycles += timing.sweeps_cycles(r.updates, r.tally.sweeps, spec.n, spec.order == Order::Sync);
        ovf |= r.overflows != 0;
        SCOPED_TRACE(testing::Message() << "run " << run << " order " << int(spec.order) << " n " << spec.n);
        ASSERT_EQ(sigma, ref.states());
        ASSERT_EQ(field, ref.fields());
        ASSERT_EQ(r.tally.sweeps, ref.status().sweeps);
        ASSERT_EQ(r.tally.flips, ref.status().flips);
        ASSERT_EQ(r.tally.converged, ref.status().converged);
        ASSERT_EQ(r.tally.cycle2, ref.status().cycle2);
        ASSERT_EQ(r.overflows, ref.status().ovf_count);
        ASSERT_EQ(ovf, ref.status().ovf);
        ASSERT_EQ(lfsr.state(), ref.lfsr_state());
        ASSERT_EQ(cycles, ref.status().cycles);
    }
    if (datapath) {
        EXPECT_GT(dp.calls, 0u);
    }
}

TEST(RunEngine, MatchesTheReferenceBitForBit) {
    for (int config = 0; config < 48; ++config) compare(config, false);
}

TEST(RunEngine, APluggedDatapathComputesEveryField) {
    for (int config = 0; config < 8; ++config) compare(config, true);
}

TEST(TimingModel, IsTheContractFormula) {
    ChipParams p;
    p.lanes = 16;
    p.latency = 5;
    const TimingModel t(p);
    EXPECT_EQ(t.update_cycles(1024), 64u);
    EXPECT_EQ(t.update_cycles(1000), 63u);
    EXPECT_EQ(t.sweep_cycles(620, 1024, false), 620u * 64 + 5);
    EXPECT_EQ(t.sweep_cycles(620, 1024, true), 620u * 64 + 5 + 2);
    EXPECT_EQ(t.aborted_sweep_cycles(0, 1024), 0u);
    EXPECT_EQ(t.aborted_sweep_cycles(3, 1024), 3u * 64 + 5);
    EXPECT_EQ(t.hebb_cycles(100), 100u * 7);
    EXPECT_EQ(t.clear_syn_cycles(), 1024u * 64);
}

}  // namespace
