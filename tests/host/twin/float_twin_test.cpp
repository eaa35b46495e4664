// The float twin against the chip's reference on small cases: with integer
// weights and no overflow possible, float and fixed point must agree exactly.
#include "host/board/errors.h"
#include "host/twin/float_twin.h"
#include "host/board/reference_driver.h"

#include <random>

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
