// The float twin against the chip's reference on small cases: with integer
// weights and no overflow possible, float and fixed point must agree exactly.
#include "host/board/errors.h"
#include "host/twin/float_twin.h"
#include "host/board/reference_driver.h"

#include <random>

#include "sysc/engine/untimed_run.h"
#include "sysc/lfsr.h"

#include <gtest/gtest.h>

using namespace mind1024;
using namespace mind1024::host;

TEST(FloatTwin, MatchesChipWhenNoOverflowIsPossible) {
    ChipParams p;
    p.n_max = 64;
    ReferenceDriver ref(p);
    std::mt19937 rng(3);
    for (int trial = 0; trial < 30; ++trial) {
        const uint32_t n = 64;
        WeightMatrix w{n, std::vector<int16_t>(n * n)};
        FloatNetwork net{n, std::vector<float>(n * n), std::vector<float>(n)};
        for (uint32_t i = 0; i < n; ++i)
            for (uint32_t j = 0; j <= i; ++j) {
                const int16_t v = i == j ? 0 : static_cast<int16_t>(int(rng() % 255) - 127);
                w.w[i * n + j] = w.w[j * n + i] = v;
                net.w[i * n + j] = net.w[j * n + i] = v;
            }
        std::vector<int32_t> th(n);
        std::vector<int8_t> s(n);
        std::vector<uint8_t> c(n);
        for (uint32_t i = 0; i < n; ++i) {
            th[i] = int(rng() % 101) - 50;
            net.theta[i] = static_cast<float>(th[i]);
            s[i] = rng() & 1 ? 1 : -1;
            c[i] = rng() % 7 == 0;
        }
        ref.soft_reset();
        ref.load_weights(w);
        ref.load_thresholds(th);
        ref.set_state(s);
        ref.set_clamp(c);
        FloatTwin twin(net);
        twin.set_state(s);
        twin.set_clamp(c);
        RunParams rp;
        rp.order = static_cast<Order>(trial % 3);
        rp.seed = 17 + trial;
        rp.max_sweeps = 30;
        const RunResult a = ref.run(rp), b = twin.run(rp);
        EXPECT_EQ(a.sweeps, b.sweeps) << trial;
        EXPECT_EQ(a.converged, b.converged) << trial;
        EXPECT_EQ(a.cycle2, b.cycle2) << trial;
        const auto st = ref.state();
        EXPECT_TRUE(std::equal(twin.state().begin(), twin.state().end(), st.begin())) << trial;
        const auto h = ref.fields(0, n);
        for (uint32_t i = 0; i < n; ++i) EXPECT_EQ(h[i], twin.fields()[i]) << trial << " neuron " << i;
    }
}

TEST(FloatTwin, EnergyNeverRisesUnderAsyncUpdates) {
    const uint32_t n = 50;
    std::mt19937 rng(11);
    std::normal_distribution<float> g;
    FloatNetwork net{n, std::vector<float>(n * n), {}};
    for (uint32_t i = 0; i < n; ++i)
        for (uint32_t j = 0; j < i; ++j) net.w[i * n + j] = net.w[j * n + i] = g(rng);
    FloatTwin twin(net);
    std::vector<int8_t> s(n);
    for (auto& v : s) v = rng() & 1 ? 1 : -1;
    twin.set_state(s);
    RunParams rp;
    rp.order = Order::AsyncPerm;
    double e = twin.energy();
    for (int k = 0; k < 20; ++k) {
        rp.seed = k + 1;
        twin.step(rp);
        const double e2 = twin.energy();
        EXPECT_LE(e2, e + 1e-9);
        e = e2;
    }
}

TEST(FloatTwin, RejectsMalformedNetworks) {
    EXPECT_THROW(FloatTwin(FloatNetwork{3, std::vector<float>(8), {}}), BadArgument);
    EXPECT_THROW(FloatTwin(FloatNetwork{2, std::vector<float>(4), std::vector<float>(3)}), BadArgument);
}

namespace {

// The twin's field by definition, one scalar at a time: lane j mod 4 in
// increasing j, the remainder columns into lane 0, then the lanes in order.
class OrderedSumArith {
public:
    using Field = double;
    OrderedSumArith(const FloatNetwork& net, double scale) : net_(net), scale_(scale), sf_(net.n) {}
    void before_update() {}
    void begin_sweep(const int8_t* src, uint32_t n) {
        n_ = n;
        for (uint32_t j = 0; j < n; ++j) sf_[j] = src[j];
    }
    engine::FieldOf<double> field(uint32_t i) const {
        const float* r = &net_.w[size_t{i} * net_.n];
        float lane[4] = {0, 0, 0, 0};
        const uint32_t n4 = n_ / 4 * 4;
        for (uint32_t j = 0; j < n4; ++j) lane[j % 4] += r[j] * sf_[j];
        for (uint32_t j = n4; j < n_; ++j) lane[0] += r[j] * sf_[j];
        float h = lane[0] + 0.0f;
        h += lane[1];
        h += lane[2];
        h += lane[3];
        return {h, 0};
    }
    double eta(int16_t draw, uint32_t temp) const { return static_cast<double>(draw) * temp / 32768.0 / scale_; }
    int8_t decide(uint32_t i, double h, double eta, int8_t current) const {
        const double d = h - net_.theta[i] + eta;
        return d > 0 ? 1 : d < 0 ? -1 : current;
    }
    void flipped(uint32_t i, int8_t now) { sf_[i] = now; }

private:
    const FloatNetwork& net_;
    double scale_;
    std::vector<float> sf_;
    uint32_t n_ = 0;
};

}  // namespace

// The SIMD twin (interleaved rows, incremental ASYNC decisions, the fields
// after the sweep) against the definition, bit for bit: float weights,
// symmetric or not, ties (small integer weights), n_active, clamps, noise.
TEST(FloatTwin, FieldsAreTheOrderedFloatSum) {
    std::mt19937 rng(5);
    std::normal_distribution<float> g;
    int trial = 0;
    for (uint32_t n : {1u, 3u, 6u, 37u, 64u, 130u}) {
        for (int kind = 0; kind < 4; ++kind, ++trial) {
            FloatNetwork net{n, std::vector<float>(size_t{n} * n), std::vector<float>(n)};
            for (uint32_t i = 0; i < n; ++i)
                for (uint32_t j = 0; j <= i; ++j) {
                    float v = i == j ? 0 : kind == 2 ? float(int(rng() % 5) - 2) : g(rng) * 0.37f;
                    net.w[i * n + j] = v;
                    net.w[j * n + i] = kind == 1 ? g(rng) : v;  // kind 1: not symmetric
                }
            for (auto& t : net.theta) t = kind == 2 ? float(int(rng() % 3) - 1) : g(rng) * 0.1f;
            FloatTwin twin(net);
            std::vector<int8_t> s(n), s0(n);
            std::vector<uint8_t> c(n);
            for (uint32_t i = 0; i < n; ++i) {
                s[i] = rng() & 1 ? 1 : -1;
                c[i] = kind == 3 && rng() % 5 == 0;
            }
            twin.set_state(s);
            twin.set_clamp(c);
            std::vector<double> h(n, 0.0);
            for (int run = 0; run < 6; ++run) {
                RunParams rp;
                rp.order = static_cast<Order>(run % 3);
                rp.seed = 3 + run;
                rp.max_sweeps = 1 + run;
                rp.noise = kind == 0 && run >= 3;
                rp.temp = 2000;
                rp.n_active = kind == 3 && n > 4 ? n - 3 : 0;
                OrderedSumArith arith(net, 40.0);
                engine::Sweeper<OrderedSumArith> sweeper;
                engine::SweepSpec spec;
                spec.order = rp.order;
                spec.n = rp.n_active ? rp.n_active : n;
                spec.noise = rp.noise;
                spec.temp = rp.temp;
                Lfsr lfsr(rp.seed);
                const engine::RunTally t =
                    engine::run_untimed(arith, sweeper, spec, rp.max_sweeps, s, c.data(), lfsr, h.data()).tally;
                twin.set_scale(40.0);
                const RunResult r = twin.run(rp);
                ASSERT_EQ(t.sweeps, r.sweeps) << trial << " run " << run;
                ASSERT_EQ(t.flips, r.flips) << trial << " run " << run;
                ASSERT_EQ(t.converged, r.converged) << trial << " run " << run;
                ASSERT_EQ(s, twin.state()) << trial << " run " << run;
                for (uint32_t i = 0; i < n; ++i) ASSERT_EQ(h[i], twin.fields()[i]) << trial << " run " << run << " neuron " << i;
                if (run == 2)  // a new state between runs: the incremental fields follow it
                    for (uint32_t i = 0; i < n; i += 3) s[i] = static_cast<int8_t>(-s[i]);
                twin.set_state(s);
            }
        }
    }
}
