// Incremental fields (a flip adds 2*s*J[.][k]) equal a recompute from
// scratch after random flip sequences, for int8 and int16 weights and
// N_ACTIVE below N_MAX; and a state changed behind its back is caught up.
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "sysc/engine/incremental_fields.h"
#include "sysc/engine/narrow_weights.h"
#include "sysc/fixed_point.h"

using namespace mind1024;
using namespace mind1024::engine;

namespace {

void check(uint32_t n_max, uint32_t wbits, uint32_t n, uint32_t seed) {
    SCOPED_TRACE(testing::Message() << "n_max " << n_max << " wbits " << wbits << " n " << n);
    ChipParams p;
    p.n_max = n_max;
    p.wbits = wbits;
    std::mt19937 rng(seed);
    std::vector<int16_t> w(size_t{n_max} * n_max);
    for (auto& x : w) x = fx::store_weight(static_cast<int64_t>(rng()), wbits);
    NarrowWeights nw(p);
    nw.refresh(w.data(), 1);
    std::vector<int8_t> s(n_max);
    for (auto& x : s) x = rng() % 2 ? 1 : -1;

    IncrementalFields inc(p), full(p);
    inc.sync(nw, 1, s.data(), n);
    for (int step = 0; step < 300; ++step) {
        const uint32_t k = rng() % n;
        s[k] = static_cast<int8_t>(-s[k]);
        inc.flip(nw, k, s[k]);
    }
    // Changes the fields did not see: sync() catches up by columns (batched).
    const int unseen = n >= 900 ? 300 : 5;  // 300: more than one batch of columns
    for (int step = 0; step < unseen; ++step) {
        const uint32_t k = rng() % n;
        s[k] = static_cast<int8_t>(-s[k]);
    }
    inc.sync(nw, 1, s.data(), n);
    full.recompute(nw, 1, s.data(), n);
    EXPECT_EQ(inc.recomputes(), 1u) << "only the first sync recomputes";
    for (uint32_t i = 0; i < n; ++i) {
        int64_t exact = 0;
        for (uint32_t j = 0; j < n; ++j) exact += int64_t{w[size_t{i} * n_max + j]} * s[j];
        ASSERT_EQ(full.field(i), exact) << "row " << i;
        ASSERT_EQ(inc.field(i), exact) << "row " << i;
    }
}

TEST(IncrementalFields, EqualFullFieldsAfterRandomFlips) {
    check(1024, 8, 1024, 1);
    check(200, 8, 131, 2);
    check(97, 1, 97, 3);
    check(256, 12, 200, 4);
    check(130, 16, 130, 5);
}

}  // namespace
