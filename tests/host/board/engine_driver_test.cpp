// EngineDriver (the run engine alone) against ReferenceDriver (the oracle):
// the same operations give the same states, fields, counters and cycles, on
// every order, with noise, clamps, wrap, faults, HEBB and runs that follow
// each other (the engine's incremental fields and narrow weights are caches
// that must follow every write).
#include "host/board/engine_driver.h"

#include <random>

#include <gtest/gtest.h>

#include "host/board/errors.h"
#include "host/board/reference_driver.h"
#include "tests/host/board/mock_transport.h"

using namespace mind1024;
using namespace mind1024::host;

namespace {

struct Pair {
    explicit Pair(const ChipParams& p) : eng(p), ref(p) {}
    EngineDriver eng;
    ReferenceDriver ref;
    template <class F>
    void both(F&& f) {
        f(static_cast<ChipDriver&>(eng));
        f(static_cast<ChipDriver&>(ref));
    }
};

void expect_same(Pair& d, const RunResult& re, const RunResult& rr, uint32_t n, const std::string& what) {
    EXPECT_EQ(d.eng.state(), d.ref.state()) << what;
    EXPECT_EQ(d.eng.fields(0, n), d.ref.fields(0, n)) << what;
    EXPECT_EQ(re.sweeps, rr.sweeps) << what;
    EXPECT_EQ(re.flips, rr.flips) << what;
    EXPECT_EQ(re.ovf_count, rr.ovf_count) << what;
    EXPECT_EQ(re.converged, rr.converged) << what;
    EXPECT_EQ(re.cycle2, rr.cycle2) << what;
    EXPECT_EQ(re.cycles, rr.cycles) << what;
    EXPECT_EQ(d.eng.cycles(), d.ref.cycles()) << what;
}

// Random weights over the full WBITS range (or a narrow one, where the
// incremental path applies), thresholds, states, clamps; runs of every kind.
void random_trials(const ChipParams& p, const std::string& faults, int trials, bool narrow) {
    Pair d(p);
    if (!faults.empty()) d.both([&](ChipDriver& c) { c.set_faults(FaultPlan::expand(FaultSpec::parse(faults), p)); });
    std::mt19937 rng(11);
    for (int trial = 0; trial < trials; ++trial) {
        const uint32_t n = p.n_max - static_cast<uint32_t>(rng() % (p.n_max / 4));
        const int hi = narrow ? 1 : (1 << (p.wbits - 1)) - 1;
        std::uniform_int_distribution<int> wd(-hi - (narrow ? 0 : 1), hi);
        WeightMatrix w{n, std::vector<int16_t>(size_t{n} * n)};
        for (auto& v : w.w) v = static_cast<int16_t>(wd(rng));
        std::vector<int32_t> th(n);
        std::vector<int8_t> s(n);
        std::vector<uint8_t> c(n);
        for (uint32_t i = 0; i < n; ++i) {
            th[i] = static_cast<int32_t>(rng() % 64) - 32;
            s[i] = rng() & 1 ? 1 : -1;
            c[i] = rng() % 7 == 0;
        }
        if (trial % 4 == 3) d.both([](ChipDriver& c) { c.soft_reset(); });
        d.both([&](ChipDriver& x) {
            x.load_weights(w);
            x.load_thresholds(th);
            x.set_state(s);
            x.set_clamp(c);
        });
        RunParams rp;
        rp.order = static_cast<Order>(trial % 3);
        rp.wrap = trial % 2;
        rp.noise = trial % 5 >= 3;
        rp.temp = 40u * static_cast<uint32_t>(trial);
        rp.seed = 100 + trial;
        rp.max_sweeps = 1 + trial % 9;
        rp.n_active = n;
        const std::string what = fmt::format("{} faults '{}' trial {}", p.describe(), faults, trial);
        RunResult re = d.eng.run(rp), rr = d.ref.run(rp);
        expect_same(d, re, rr, n, what + " run");
        // Another run from where it stopped (the caches carry over), then a STEP.
        rp.seed += 7;
        re = d.eng.run(rp), rr = d.ref.run(rp);
        expect_same(d, re, rr, n, what + " second run");
        re = d.eng.step(rp), rr = d.ref.step(rp);
        expect_same(d, re, rr, n, what + " step");
        if (trial % 3 == 2) {  // HEBB changes the weights under the engine's narrow copy
            d.both([&](ChipDriver& x) { x.hebb(n); });
            EXPECT_EQ(d.eng.read_weights(n).w, d.ref.read_weights(n).w) << what << " hebb";
            re = d.eng.run(rp), rr = d.ref.run(rp);
            expect_same(d, re, rr, n, what + " run after hebb");
        }
        if (trial % 5 == 4) {
            d.both([](ChipDriver& x) { x.clear_synapses(); });
            re = d.eng.run(rp), rr = d.ref.run(rp);
            expect_same(d, re, rr, n, what + " run after clear");
        }
    }
}

}  // namespace

TEST(EngineDriver, AgreesWithReferenceOnSmallChip) { random_trials(test::small_params(), "", 24, false); }

TEST(EngineDriver, AgreesWithReferenceOnTheIncrementalPath) {
    ChipParams p;  // the default chip, 200 active neurons of small weights: no partial sum can overflow
    p.n_max = 256;
    random_trials(p, "", 15, true);
}

TEST(EngineDriver, AgreesWithReferenceUnderEveryFaultKind) {
    for (const char* f : {"syn0=0.01,syn1=0.01,seed=3", "seu=20@50,seed=4", "plus=0.05,minus=0.05,seed=5",
                          "acc0=0x4,acc1=0x100,seed=6",
                          "accp0=0.1,accp1=0.1,seed=7", "upset=0.00002,seed=8", "upset=0.001,seu=5@30,seed=9",
                          "thr0=0.05,thr1=0.05,clamp0=0.1,clamp1=0.1,lfsr0=0.05,lfsr1=0.05,seed=10"})
        random_trials(test::small_params(), f, 9, false);
}

TEST(EngineDriver, AgreesWithReferenceUnderProtection) {
    for (uint32_t prot : {1u, 2u}) {
        ChipParams p = test::small_params();
        p.protect = prot;
        random_trials(p, "syn0=0.02,syn1=0.02,upset=0.0002,seed=11", 5, false);
    }
}

TEST(EngineDriver, RejectsWhatTheReferenceRejects) {
    EngineDriver e(test::small_params());
    EXPECT_THROW(e.load_weights(WeightMatrix{4, std::vector<int16_t>(16, 100)}), BadArgument);  // WBITS = 6
    EXPECT_THROW(e.load_weights(WeightMatrix{200, std::vector<int16_t>(200 * 200, 0)}), BadArgument);
    EXPECT_THROW(e.set_clamp({0, 2}), BadArgument);
    EXPECT_THROW(e.set_state(std::vector<int8_t>(97, 1)), BadArgument);
    EXPECT_THROW(e.fields(90, 7), BadArgument);
    RunParams rp;
    rp.n_active = 97;
    EXPECT_THROW(e.run(rp), BadArgument);
    rp.n_active = 0;
    rp.max_sweeps = 0;
    EXPECT_THROW(e.run(rp), BadArgument);
    ChipParams other = test::small_params();
    other.n_max = 128;
    EXPECT_THROW(e.set_faults(FaultPlan::expand(FaultSpec::parse("syn0=0.1"), other)), BadArgument);
    EXPECT_EQ(e.name(), "engine");
}
