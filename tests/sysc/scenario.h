// A chip configuration (registers, weights, thresholds, state, clamp) that can be
// loaded both into the SystemC chip through its bus and into the reference model,
// and a bit-for-bit comparison of the two afterwards.
#pragma once
#include <cstdint>
#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/sysc/bus.h"
#include "sysc/fixed_point.h"
#include "sysc/reference_model.h"

namespace mind1024::test {

struct Scenario {
    uint32_t mode = 0, n_active = 1, max_sweeps = 1, temp = 0, seed = 1;
    std::vector<std::vector<int16_t>> w;  // n_active x n_active (rows/columns >= n_active are zero)
    std::vector<int32_t> theta;           // n_max
    std::vector<int8_t> sigma;            // n_max
    std::vector<bool> clamp;              // n_max

    std::string describe() const {
        return "mode=" + std::to_string(mode) + " n_active=" + std::to_string(n_active) +
               " max_sweeps=" + std::to_string(max_sweeps) + " temp=" + std::to_string(temp) +
               " seed=" + std::to_string(seed);
    }
};

// Random symmetric weights with a zero diagonal over the full WBITS range
// (or `wmax` if smaller), the rest of the scenario empty.
inline Scenario random_scenario(const ChipParams& p, std::mt19937& rng, uint32_t n, int64_t wmax = -1) {
    Scenario s;
    s.n_active = n;
    const int64_t lo = fx::range_min(p.wbits), hi = fx::range_max(p.wbits);
    const int64_t a = wmax >= 0 ? std::max<int64_t>(lo, -wmax) : lo, b = wmax >= 0 ? std::min<int64_t>(hi, wmax) : hi;
    std::uniform_int_distribution<int64_t> wd(a, b);
    s.w.assign(n, std::vector<int16_t>(n, 0));
    for (uint32_t i = 0; i < n; ++i)
        for (uint32_t j = i + 1; j < n; ++j) s.w[i][j] = s.w[j][i] = static_cast<int16_t>(wd(rng));
    s.theta.assign(p.n_max, 0);
    s.sigma.assign(p.n_max, -1);
    std::bernoulli_distribution coin(0.5);
    for (auto& x : s.sigma) x = coin(rng) ? 1 : -1;
    s.clamp.assign(p.n_max, false);
    return s;
}

inline void load(Bus& b, const Scenario& s) {
    b.wr(MIND_REG_MODE, s.mode);
    b.wr(MIND_REG_N_ACTIVE, s.n_active);
    b.wr(MIND_REG_MAX_SWEEPS, s.max_sweeps);
    b.wr(MIND_REG_TEMP, s.temp);
    b.wr(MIND_REG_SEED, s.seed);
    for (uint32_t i = 0; i < s.w.size(); ++i) b.write_row(i, s.w[i]);
    b.write_thresholds(s.theta);
    b.write_state(s.sigma);
    b.write_bits(MIND_REG_CLAMP(0), s.clamp);
}

inline void load(ReferenceModel& m, const Scenario& s) {
    m.set_mode(Mode::from_register(s.mode));
    m.set_n_active(s.n_active);
    m.set_max_sweeps(s.max_sweeps);
    m.set_temp(s.temp);
    m.set_seed(s.seed);
    for (uint32_t i = 0; i < s.w.size(); ++i)
        for (uint32_t j = 0; j < s.w[i].size(); ++j) m.set_weight(i, j, s.w[i][j]);
    for (uint32_t i = 0; i < s.theta.size(); ++i) m.set_threshold(i, s.theta[i]);
    for (uint32_t i = 0; i < s.sigma.size(); ++i) m.set_state(i, s.sigma[i]);
    for (uint32_t i = 0; i < s.clamp.size(); ++i) m.set_clamp(i, s.clamp[i]);
}

// Everything the bus shows after an operation, against the reference model.
// `weights_rows`: also compare J rows 0..weights_rows-1 (after HEBB).
inline void expect_same(Bus& b, const ReferenceModel& m, const std::string& what, uint32_t weights_rows = 0) {
    SCOPED_TRACE(what);
    const RunStatus& r = m.status();
    const uint32_t st = b.status();
    EXPECT_EQ(st & MIND_STATUS_BUSY, 0u);
    EXPECT_EQ((st & MIND_STATUS_DONE) != 0, r.done);
    EXPECT_EQ((st & MIND_STATUS_CONVERGED) != 0, r.converged);
    EXPECT_EQ((st & MIND_STATUS_CYCLE2) != 0, r.cycle2);
    EXPECT_EQ((st & MIND_STATUS_OVF) != 0, r.ovf);
    EXPECT_EQ(st & MIND_STATUS_ERR, 0u);
    EXPECT_EQ(b.rd(MIND_REG_SWEEPS), r.sweeps);
    EXPECT_EQ(b.rd(MIND_REG_FLIPS), r.flips);
    EXPECT_EQ(b.rd(MIND_REG_OVF_COUNT), r.ovf_count);
    EXPECT_EQ(b.cycles(), r.cycles);
    const uint32_t n = b.reg_neurons();
    const std::vector<int8_t> sigma = b.read_state();
    const std::vector<int32_t> field = b.read_fields(n);
    uint32_t bad_s = 0, bad_f = 0;
    for (uint32_t i = 0; i < n; ++i) {
        if (sigma[i] != m.state(i) && bad_s++ < 5) ADD_FAILURE() << "state of neuron " << i << ": chip " << int{sigma[i]} << " ref " << int{m.state(i)};
        if (field[i] != m.field(i) && bad_f++ < 5) ADD_FAILURE() << "FIELD of neuron " << i << ": chip " << field[i] << " ref " << m.field(i);
    }
    EXPECT_EQ(bad_s, 0u) << "neurons whose state differs";
    EXPECT_EQ(bad_f, 0u) << "neurons whose FIELD differs";
    for (uint32_t i = 0; i < weights_rows; ++i) {
        const std::vector<int16_t> row = b.read_row(i, b.params().n_max);
        for (uint32_t j = 0; j < row.size(); ++j)
            if (row[j] != m.weight(i, j)) {
                ADD_FAILURE() << "J[" << i << "][" << j << "]: chip " << row[j] << " ref " << m.weight(i, j);
                return;
            }
    }
}

// A random ABORT point within the first two sweeps of a run of s (never on a
// sweep boundary): the cycles after START at which it comes, and the reference
// model's update budget for it (the neuron in flight finishes; an ABORT in a
// sweep's drain lets the sweep complete).
struct AbortPoint {
    uint64_t cycles = 0, budget = 0;
};
inline AbortPoint random_abort(const ChipParams& p, const Scenario& s, std::mt19937& rng) {
    const uint64_t g = p.groups(s.n_active);
    uint64_t u = 0;
    for (uint32_t i = 0; i < s.n_active; ++i) u += !s.clamp[i];
    const uint64_t tail = p.latency + (s.mode % 4 == MIND_ORDER_SYNC ? 2 : 0), sweep = u * g + tail;
    uint64_t o = std::max<uint64_t>(2, rng() % (2 * sweep));
    if (o % sweep == 0) ++o;
    return {o, o / sweep * u + (o % sweep < u * g ? o % sweep / g + 1 : u)};
}

}  // namespace mind1024::test
