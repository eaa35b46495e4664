// Golden equivalence: the SystemC chip driven through its bus and the plain C++
// reference model agree bit for bit on the final state, every FIELD, SWEEPS,
// FLIPS, OVF_COUNT, CYCLES and the STATUS flags, over randomized chips
// (N_MAX 64..256, WBITS 1..16, ABITS from tiny to 32, LANES, latency, clock,
// coarse and per-neuron-event engines) and randomized runs (all three orders,
// saturate and wrap, noise on and off at various TEMP, clamp masks, thresholds,
// N_ACTIVE below N_MAX, START/STEP/HEBB sequences). The annotated SystemC time
// of every run equals CYCLES x clock period.
//
// Chip parameters are fixed per SystemC process, so each chip configuration
// runs in a forked child (in_child_process) with its own kernel.
#include <algorithm>
#include <cmath>
#include <random>

#include <gtest/gtest.h>

#include "tests/sysc/bus.h"
#include "tests/sysc/scenario.h"

using namespace mind1024;
using namespace mind1024::test;

namespace {

constexpr int kConfigs = 48;
constexpr int kScenariosPerConfig = 20;

struct Config {
    ChipParams p;
    sysc::ChipConfig opt;
    std::string describe() const {
        return p.describe() + (opt.per_neuron_events ? " per-neuron events" : " coarse");
    }
};

Config make_config(int k) {
    std::mt19937 rng(1000 + k);
    Config c;
    const uint32_t sizes[] = {64, 80, 96, 128, 160, 200, 256};
    c.p.n_max = sizes[rng() % 7];
    c.p.wbits = k % 16 + 1;  // every WBITS three times
    const uint32_t need = c.p.wbits + static_cast<uint32_t>(std::ceil(std::log2(c.p.n_max))) + 1;
    switch (k % 4) {
        case 0: c.p.abits = std::max<uint32_t>(2, c.p.wbits + rng() % 4); break;  // overflows all the time
        case 1: c.p.abits = std::min<uint32_t>(32, std::max<uint32_t>(2, need - 1 - rng() % 3)); break;  // sometimes
        case 2: c.p.abits = std::min<uint32_t>(32, need + rng() % 6); break;  // never (fast path)
        default: c.p.abits = 32; break;
    }
    const uint32_t lanes[] = {1, 2, 3, 7, 16, 16, 32, 64, 255};
    c.p.lanes = lanes[rng() % 9];
    c.p.latency = rng() % 12;
    const double clocks[] = {20e6, 20e6, 33e6, 1e6, 100e6};
    c.p.clock_hz = clocks[rng() % 5];
    c.opt.per_neuron_events = k % 4 == 3 || k % 7 == 5;
    return c;
}

// Random registers for the next operation.
void randomize_mode(Scenario& s, const ChipParams& p, std::mt19937& rng) {
    s.mode = rng() % 3;
    if (rng() % 2) s.mode |= MIND_MODE_OVF_WRAP;
    if (rng() % 2) s.mode |= MIND_MODE_NOISE_EN;
    const int64_t wmax = fx::range_max(p.wbits) + 1;
    const double scale = static_cast<double>(wmax) * std::sqrt(static_cast<double>(s.n_active));
    switch (rng() % 5) {
        case 0: s.temp = 0; break;
        case 1: s.temp = static_cast<uint32_t>(scale * 0.3) + 1; break;
        case 2: s.temp = static_cast<uint32_t>(scale * 2) + 1; break;
        case 3: s.temp = rng() % 8; break;
        default: s.temp = rng() % 2 ? 0xFFFFFFFFu : static_cast<uint32_t>(rng()); break;
    }
    s.seed = rng() % 10 == 0 ? 0 : static_cast<uint32_t>(rng());
    s.max_sweeps = 1 + rng() % 25;
}

Scenario make_scenario(const ChipParams& p, std::mt19937& rng) {
    uint32_t n = 1 + rng() % p.n_max;
    if (rng() % 6 == 0) n = p.n_max;
    if (rng() % 10 == 0) n = 1 + rng() % 4;
    const int64_t wmax = rng() % 3 == 0 ? std::max<int64_t>(1, fx::range_max(p.wbits) / 4) : -1;
    Scenario s = random_scenario(p, rng, n, wmax);
    if (rng() % 4 == 0) {  // asymmetric weights and a non-zero diagonal: the chip does not care
        std::uniform_int_distribution<int64_t> wd(fx::range_min(p.wbits), fx::range_max(p.wbits));
        for (uint32_t i = 0; i < n; ++i)
            for (uint32_t j = 0; j < n; ++j)
                if (rng() % 3 == 0) s.w[i][j] = static_cast<int16_t>(wd(rng));
    }
    const double hs = (fx::range_max(p.wbits) + 1.0) * std::sqrt(static_cast<double>(n));
    const int tmode = rng() % 3;
    for (auto& t : s.theta) {
        if (tmode == 0) t = 0;
        else if (tmode == 1) t = static_cast<int32_t>(std::lround((static_cast<double>(rng()) / 4294967295.0 - 0.5) * hs));
        else t = fx::store_threshold(static_cast<int64_t>(static_cast<int32_t>(rng())), p.abits);
    }
    const int cmode = rng() % 4;
    for (uint32_t i = 0; i < p.n_max; ++i) {
        if (cmode == 1) s.clamp[i] = rng() % 10 == 0;
        else if (cmode == 2) s.clamp[i] = rng() % 2 == 0;
        else if (cmode == 3) s.clamp[i] = i >= n || rng() % 4 == 0;  // clamps outside N_ACTIVE too
    }
    randomize_mode(s, p, rng);
    return s;
}

// Load weights through SYN_ADDR/SYN_DATA instead of the window (auto-increment path).
void load_weights_by_register(Bus& b, const Scenario& s) {
    const uint32_t nmax = b.params().n_max;
    for (uint32_t i = 0; i < s.w.size(); ++i) {
        b.wr(MIND_REG_SYN_ADDR, i * nmax);
        for (int16_t v : s.w[i]) b.wr(MIND_REG_SYN_DATA, static_cast<uint32_t>(static_cast<int32_t>(v)));
    }
}

void run_config(const Config& c, int k) {
    Bus b(c.p, c.opt);
    std::mt19937 rng(5000 + k);
    const sc_core::sc_time period = b.period();
    ASSERT_EQ(b.rd(MIND_REG_CONFIG) & MIND_CONFIG_WBITS_MASK, c.p.wbits << MIND_CONFIG_WBITS_SHIFT);
    int overflowed = 0, converged = 0, cycle2 = 0, limit = 0;
    for (int sc_i = 0; sc_i < kScenariosPerConfig; ++sc_i) {
        Scenario s = make_scenario(c.p, rng);
        // A clean chip: synapses zero, registers and counters at reset values.
        b.run(MIND_CTRL_CLEAR_SYN);
        b.run(MIND_CTRL_SOFT_RESET);
        ReferenceModel m(c.p);
        load(m, s);
        if (sc_i % 5 == 4) {
            Scenario no_w = s;
            no_w.w.clear();
            load(b, no_w);
            load_weights_by_register(b, s);
        } else {
            load(b, s);
        }
        const int ops = 1 + rng() % 3;
        for (int op = 0; op < ops; ++op) {
            if (op > 0) {  // new registers for the next operation, same state and weights
                randomize_mode(s, c.p, rng);
                if (rng() % 3 == 0) s.n_active = 1 + rng() % c.p.n_max;
                b.wr(MIND_REG_MODE, s.mode);
                b.wr(MIND_REG_N_ACTIVE, s.n_active);
                b.wr(MIND_REG_MAX_SWEEPS, s.max_sweeps);
                b.wr(MIND_REG_TEMP, s.temp);
                b.wr(MIND_REG_SEED, s.seed);
                m.set_mode(Mode::from_register(s.mode));
                m.set_n_active(s.n_active);
                m.set_max_sweeps(s.max_sweeps);
                m.set_temp(s.temp);
                m.set_seed(s.seed);
            }
            const uint32_t r = rng() % 10;
            const uint32_t cmd = r < 7 ? MIND_CTRL_START : r < 9 ? MIND_CTRL_STEP : MIND_CTRL_HEBB;
            const uint64_t cycles_before = m.status().cycles;
            if (cmd == MIND_CTRL_START) m.start();
            else if (cmd == MIND_CTRL_STEP) m.step();
            else m.hebb();
            b.ctrl(cmd);
            const sc_core::sc_time t0 = b.now();
            b.idle();
            const sc_core::sc_time took = b.now() - t0;
            const std::string what = c.describe() + " | scenario " + std::to_string(sc_i) + " op " +
                                     std::to_string(op) + " ctrl " + std::to_string(cmd) + " " + s.describe();
            expect_same(b, m, what, cmd == MIND_CTRL_HEBB ? s.n_active : 0);
            // Annotated time of the run: exactly its compute cycles (a run shorter than the
            // CTRL write's own 2 bus cycles ends inside that write's time).
            const uint64_t run_cycles = std::max<uint64_t>(2, m.status().cycles - cycles_before);
            EXPECT_EQ(took, static_cast<double>(run_cycles) * period) << what;
            if (testing::Test::HasFailure()) return;  // one diagnosis is enough
            overflowed += m.status().ovf_count > 0;
            converged += m.status().converged;
            cycle2 += m.status().cycle2;
            limit += cmd == MIND_CTRL_START && !m.status().converged && !m.status().cycle2;
        }
    }
    std::printf("config %d (%s): runs with overflow %d, converged %d, 2-cycle %d, sweep limit %d\n", k,
                c.describe().c_str(), overflowed, converged, cycle2, limit);
}

class GoldenEquivalence : public testing::TestWithParam<int> {};

}  // namespace

TEST_P(GoldenEquivalence, ChipMatchesReferenceModel) {
    const int k = GetParam();
    const Config c = make_config(k);
    SCOPED_TRACE(c.describe());
    in_child_process([&] { run_config(c, k); });
}

INSTANTIATE_TEST_SUITE_P(Configs, GoldenEquivalence, testing::Range(0, kConfigs));

// The whole parameter space the tests above draw from is covered.
TEST(GoldenEquivalenceCoverage, ConfigsCoverWbitsAbitsLanesAndBothEngines) {
    std::vector<bool> wb(17, false);
    bool tiny_abits = false, abits32 = false, fine = false, coarse = false, lanes1 = false;
    for (int k = 0; k < kConfigs; ++k) {
        const Config c = make_config(k);
        EXPECT_NO_THROW(c.p.validate()) << c.describe();
        wb[c.p.wbits] = true;
        tiny_abits |= c.p.abits <= c.p.wbits + 1;
        abits32 |= c.p.abits == 32;
        fine |= c.opt.per_neuron_events;
        coarse |= !c.opt.per_neuron_events;
        lanes1 |= c.p.lanes == 1;
        EXPECT_GE(c.p.n_max, 64u);
        EXPECT_LE(c.p.n_max, 256u);
    }
    for (uint32_t w = 1; w <= 16; ++w) EXPECT_TRUE(wb[w]) << "WBITS " << w;
    EXPECT_TRUE(tiny_abits && abits32 && fine && coarse && lanes1);
}

// Bus accesses take time (2 cycles a register, 1 per synapse-window word) that is
// not in CYCLES; a run's time is exactly CYCLES periods.
TEST(GoldenEquivalenceTiming, BusTimeAndRunTimeAddUp) {
    in_child_process([] {
        ChipParams p;
        p.n_max = 128;
        p.clock_hz = 33e6;
        Bus b(p);
        const sc_core::sc_time T = b.period(), start = b.now();
        for (int k = 0; k < 10; ++k) (void)b.rd(MIND_REG_ID);
        for (int k = 0; k < 5; ++k) b.wr(MIND_REG_TEMP, k);
        std::vector<int16_t> row(128, 3);
        b.write_row(0, row);          // 64 words
        int16_t one = 1;
        b.syn_write(2 * 130, &one, 2);  // a 16-bit access is one word too
        uint32_t bad = 0;
        EXPECT_NE(b.reg_read(0x00C, bad), tlm::TLM_OK_RESPONSE);  // an error response still took the bus
        const sc_core::sc_time bus = 2.0 * 16 * T + 65.0 * T;
        EXPECT_EQ(b.bus_time(), bus);
        b.sync();
        EXPECT_EQ(b.now() - start, bus);
        EXPECT_EQ(b.cycles(), 0u) << "bus time is not counted in CYCLES";
        // A run: the START write's bus time overlaps the run, which takes CYCLES periods.
        b.wr(MIND_REG_MODE, MIND_ORDER_SYNC);
        b.wr(MIND_REG_MAX_SWEEPS, 3);
        b.ctrl(MIND_CTRL_START);
        const sc_core::sc_time t0 = b.now();
        b.idle();
        const uint64_t cycles = b.cycles();
        EXPECT_EQ(cycles, 128u * p.groups(128) + p.latency + 2) << "zero weights: one SYNC sweep converges";
        EXPECT_EQ(b.now() - t0, static_cast<double>(cycles) * T);
        // HEBB and CLEAR_SYN likewise.
        b.ctrl(MIND_CTRL_HEBB);
        const sc_core::sc_time t1 = b.now();
        b.idle();
        EXPECT_EQ(b.now() - t1, 128.0 * p.groups(128) * T);
        b.ctrl(MIND_CTRL_CLEAR_SYN);
        const sc_core::sc_time t2 = b.now();
        b.idle();
        EXPECT_EQ(b.now() - t2, 128.0 * p.groups(128) * T);
    });
}

// Same in the per-neuron-event engine, with ABORTs landing mid-neuron.
TEST(GoldenEquivalenceTiming, PerNeuronEventsAbortLikeTheReferenceBudget) {
    in_child_process([] {
        ChipParams p;
        p.n_max = 200;
        p.lanes = 8;
        p.latency = 7;
        Bus b(p, sysc::ChipConfig{true});
        std::mt19937 rng(99);
        for (int trial = 0; trial < 20; ++trial) {
            Scenario s = random_scenario(p, rng, 50 + rng() % 150);
            s.mode = trial % 3 | (trial % 2 ? MIND_MODE_NOISE_EN : 0u);
            s.temp = 300;
            s.seed = rng();
            s.max_sweeps = 10;
            for (uint32_t i = 0; i < s.n_active; ++i) s.clamp[i] = rng() % 6 == 0;
            b.run(MIND_CTRL_SOFT_RESET);
            load(b, s);
            const AbortPoint a = random_abort(p, s, rng);
            const uint64_t o = a.cycles, budget = a.budget;
            b.ctrl(MIND_CTRL_START);
            const sc_core::sc_time t0 = b.now();
            b.advance_to(t0 + static_cast<double>(o) * b.period());
            b.ctrl(MIND_CTRL_ABORT);
            b.idle();
            ReferenceModel m(p);
            load(m, s);
            m.start(budget);
            expect_same(b, m, s.describe() + " abort at " + std::to_string(o));
            if (testing::Test::HasFailure()) return;
        }
        // SOFT_RESET in the middle of a neuron drops the run in this engine too.
        b.wr(MIND_REG_MAX_SWEEPS, 5);
        b.ctrl(MIND_CTRL_START);
        b.advance(3 * p.groups(p.n_max) + 1);
        ASSERT_TRUE(b.chip.state().busy);
        b.ctrl(MIND_CTRL_SOFT_RESET);
        b.idle();
        EXPECT_EQ(b.status(), 0u);
        EXPECT_EQ(b.cycles(), 0u);
        EXPECT_EQ(b.read_state(), std::vector<int8_t>(p.n_max, -1));
    });
}

// A real run whose CYCLES passes 2^32: the 64-bit counter, CYCLES_LO/HI and the
// annotated time stay exact (LANES 1 makes each cycle one MAC, the cheapest way there).
TEST(GoldenEquivalenceTiming, CyclesPastTwoToThe32InOneRun) {
    in_child_process([] {
        ChipParams p;
        p.n_max = 1024;
        p.lanes = 1;
        p.latency = 1000;
        Bus b(p);
        std::mt19937 rng(2032);
        Scenario s = random_scenario(p, rng, 1024);
        s.mode = MIND_ORDER_ASYNC_SEQ | MIND_MODE_NOISE_EN;
        s.temp = 60000;  // hot enough that no sweep is quiet: the run does all its sweeps
        s.seed = 7;
        const uint64_t sweep = 1024ull * 1024 + p.latency;
        s.max_sweeps = static_cast<uint32_t>((1ull << 32) / sweep + 2);
        load(b, s);
        const sc_core::sc_time t0 = b.now();
        b.ctrl(MIND_CTRL_START);
        b.idle();
        ReferenceModel m(p);
        load(m, s);
        m.start();
        expect_same(b, m, s.describe());
        EXPECT_EQ(b.rd(MIND_REG_SWEEPS), s.max_sweeps);
        EXPECT_EQ(b.cycles(), s.max_sweeps * sweep);
        EXPECT_GE(b.rd(MIND_REG_CYCLES_HI), 1u);
        EXPECT_GT(b.now() - t0, static_cast<double>(s.max_sweeps * sweep) * b.period());
    });
}

// Bad input at construction: an exception naming the parameter, no crash.
TEST(GoldenEquivalenceBadInput, OutOfRangeChipParametersThrow) {
    struct Bad { const char* name; ChipParams p; };
    std::vector<Bad> bad;
    auto add = [&](const char* name, auto set) {
        ChipParams p;
        p.n_max = 64;
        set(p);
        bad.push_back({name, p});
    };
    add("N_MAX", [](ChipParams& p) { p.n_max = 0; });
    add("N_MAX", [](ChipParams& p) { p.n_max = kMaxNeurons + 1; });
    add("WBITS", [](ChipParams& p) { p.wbits = 0; });
    add("WBITS", [](ChipParams& p) { p.wbits = 17; });
    add("ABITS", [](ChipParams& p) { p.abits = 1; });
    add("ABITS", [](ChipParams& p) { p.abits = 33; });
    add("LANES", [](ChipParams& p) { p.lanes = 0; });
    add("LANES", [](ChipParams& p) { p.lanes = 256; });
    add("latency", [](ChipParams& p) { p.latency = 1001; });
    add("clock", [](ChipParams& p) { p.clock_hz = 0; });
    add("clock", [](ChipParams& p) { p.clock_hz = -5; });
    add("clock", [](ChipParams& p) { p.clock_hz = 0.5; });
    add("clock", [](ChipParams& p) { p.clock_hz = 2e9; });
    add("clock", [](ChipParams& p) { p.clock_hz = std::nan(""); });
    add("clock", [](ChipParams& p) { p.clock_hz = HUGE_VAL; });
    for (const Bad& x : bad) {
        SCOPED_TRACE(x.name);
        in_child_process([&] {
            try {
                sysc::Mind1024Chip chip("chip", x.p);
                ADD_FAILURE() << "no exception for " << x.p.describe();
            } catch (const std::invalid_argument& e) {
                EXPECT_NE(std::string(e.what()).find(x.name), std::string::npos) << e.what();
            }
            try {
                ReferenceModel m(x.p);
                ADD_FAILURE() << "reference model: no exception";
            } catch (const std::invalid_argument& e) {
                EXPECT_NE(std::string(e.what()).find(x.name), std::string::npos) << e.what();
            }
        });
    }
}

// MODE.ORDER = 3 is reserved: BAD_ARG on the bus, invalid_argument in the reference.
TEST(GoldenEquivalenceBadInput, ReservedOrderIsBadArg) {
    in_child_process([] {
        ChipParams p;
        p.n_max = 64;
        Bus b(p);
        b.wr(MIND_REG_MODE, 3);
        b.run(MIND_CTRL_START);
        EXPECT_EQ(b.err_code(), MIND_ERR_BAD_ARG);
        EXPECT_EQ(b.cycles(), 0u);
        ReferenceModel m(p);
        m.set_mode(Mode::from_register(3));
        EXPECT_THROW(m.start(), std::invalid_argument);
    });
}
