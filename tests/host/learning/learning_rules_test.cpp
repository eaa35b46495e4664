#include "host/learning/learning_rules.h"

#include <cmath>
#include <cstring>

#include <gtest/gtest.h>

using namespace mind1024::host;

namespace {

// Deterministic pseudo-random +-1 patterns (a small LCG; the rules are what is tested).
struct Lcg {
    uint64_t s;
    explicit Lcg(uint64_t seed) : s(seed) {}
    uint32_t next() {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        return static_cast<uint32_t>(s >> 33);
    }
    int8_t spin() { return (next() & 1) ? 1 : -1; }
};

Patterns random_patterns(size_t count, size_t n, uint64_t seed) {
    Lcg g(seed);
    Patterns p(n);
    for (size_t mu = 0; mu < count; ++mu) {
        std::vector<int8_t> v(n);
        for (auto& x : v) x = g.spin();
        p.add(v);
    }
    return p;
}

// count patterns, each a common base with `flips` random flips: strongly correlated.
Patterns correlated_patterns(size_t count, size_t n, size_t flips, uint64_t seed) {
    Lcg g(seed);
    std::vector<int8_t> base(n);
    for (auto& x : base) x = g.spin();
    Patterns p(n);
    for (size_t mu = 0; mu < count; ++mu) {
        std::vector<int8_t> v = base;
        for (size_t f = 0; f < flips; ++f) v[g.next() % n] *= -1;
        p.add(v);
    }
    return p;
}

// Storkey straight from the definition, O(N^3) per pattern.
std::vector<double> storkey_naive(const Patterns& p) {
    const size_t n = p.n;
    std::vector<double> w(n * n, 0.0);
    for (size_t mu = 0; mu < p.count; ++mu) {
        const int8_t* x = p.pattern(mu);
        auto hloc = [&](size_t i, size_t j) {
            double h = 0;
            for (size_t k = 0; k < n; ++k)
                if (k != i && k != j) h += w[i * n + k] * x[k];
            return h;
        };
        std::vector<double> nw = w;
        for (size_t i = 0; i < n; ++i)
            for (size_t j = 0; j < n; ++j)
                if (i != j) nw[i * n + j] += (x[i] * x[j] - x[i] * hloc(j, i) - hloc(i, j) * x[j]) / double(n);
        w = nw;
    }
    return w;
}

const Patterns kTwoOrthogonal = Patterns::from({{1, 1, 1, 1}, {1, 1, -1, -1}});

void expect_matrix(const FloatMatrix& j, const std::vector<float>& want) {
    ASSERT_EQ(j.rows * j.cols, want.size());
    for (size_t k = 0; k < want.size(); ++k) EXPECT_EQ(j.data[k], want[k]) << "entry " << k / j.cols << "," << k % j.cols;
}

bool symmetric(const FloatMatrix& j) {
    for (size_t r = 0; r < j.rows; ++r)
        for (size_t c = 0; c < r; ++c)
            if (j(r, c) != j(c, r)) return false;
    return true;
}

}  // namespace

TEST(Hebb, TwoOrthogonalPatternsN4Exact) {
    expect_matrix(hebb(kTwoOrthogonal), {0, .5f, 0, 0,  //
                                         .5f, 0, 0, 0,  //
                                         0, 0, 0, .5f,  //
                                         0, 0, .5f, 0});
    for (size_t mu = 0; mu < 2; ++mu) EXPECT_TRUE(is_fixed_point(hebb(kTwoOrthogonal), kTwoOrthogonal.pattern(mu)));
}

TEST(Hebb, SinglePatternAndEmptySet) {
    const Patterns one = Patterns::from({{1, -1, 1}});
    expect_matrix(hebb(one), {0, -1.f / 3, 1.f / 3, -1.f / 3, 0, -1.f / 3, 1.f / 3, -1.f / 3, 0});
    expect_matrix(hebb(Patterns(3)), std::vector<float>(9, 0.f));
}

TEST(Storkey, TwoOrthogonalPatternsN4Exact) {
    // By hand: after pattern 1 every J_ij = 1/4; pattern 2 has h = -xi2/4 and
    // leaves J_01 = J_23 = 3/4, every other coupling 0.
    expect_matrix(storkey(kTwoOrthogonal), {0, .75f, 0, 0,  //
                                            .75f, 0, 0, 0,  //
                                            0, 0, 0, .75f,  //
                                            0, 0, .75f, 0});
}

TEST(Storkey, FirstPatternIsHebb) {
    const Patterns one = random_patterns(1, 17, 3);
    const FloatMatrix a = storkey(one), b = hebb(one);
    for (size_t k = 0; k < a.data.size(); ++k) EXPECT_FLOAT_EQ(a.data[k], b.data[k]);
}

TEST(Storkey, MatchesTheDefinition) {
    const Patterns p = random_patterns(6, 13, 11);
    const FloatMatrix j = storkey(p);
    const std::vector<double> ref = storkey_naive(p);
    for (size_t k = 0; k < ref.size(); ++k) EXPECT_NEAR(j.data[k], ref[k], 1e-6) << k;
    EXPECT_TRUE(symmetric(j));
}

TEST(PseudoInverse, TwoOrthogonalPatternsN4Exact) {
    PseudoInverseOptions full;
    full.zero_diagonal = false;
    PseudoInverseInfo info;
    const FloatMatrix j = pseudo_inverse(kTwoOrthogonal, full, &info);
    EXPECT_EQ(info.rank, 2u);
    // Xi'Xi = 4 I, so J = Xi Xi' / 4
    const std::vector<float> want = {.5f, .5f, 0, 0, .5f, .5f, 0, 0, 0, 0, .5f, .5f, 0, 0, .5f, .5f};
    for (size_t k = 0; k < want.size(); ++k) EXPECT_NEAR(j.data[k], want[k], 1e-6) << k;
    // zero diagonal: the same as Hebb here
    const FloatMatrix z = pseudo_inverse(kTwoOrthogonal);
    const FloatMatrix h = hebb(kTwoOrthogonal);
    for (size_t k = 0; k < want.size(); ++k) EXPECT_NEAR(z.data[k], h.data[k], 1e-6) << k;
}

TEST(PseudoInverse, CorrelatedPatternsAreFixedPoints) {
    const Patterns p = correlated_patterns(6, 32, 3, 7);
    PseudoInverseOptions full;
    full.zero_diagonal = false;
    PseudoInverseInfo info;
    const FloatMatrix jf = pseudo_inverse(p, full, &info);
    EXPECT_EQ(info.rank, 6u);
    const FloatMatrix jz = pseudo_inverse(p);
    EXPECT_TRUE(symmetric(jz));
    for (size_t mu = 0; mu < p.count; ++mu) {
        const std::vector<double> h = local_fields(jf, p.pattern(mu));
        for (size_t i = 0; i < p.n; ++i) EXPECT_NEAR(h[i], p.pattern(mu)[i], 1e-5);  // J xi = xi
        EXPECT_TRUE(is_fixed_point(jz, p.pattern(mu))) << "pattern " << mu;
    }
    // Hebb cannot hold these: at least one of them is not a fixed point
    const FloatMatrix jh = hebb(p);
    size_t hebb_fixed = 0;
    for (size_t mu = 0; mu < p.count; ++mu) hebb_fixed += is_fixed_point(jh, p.pattern(mu));
    EXPECT_LT(hebb_fixed, p.count);
    // full-diagonal J is a projection: J J = J
    for (size_t r = 0; r < p.n; ++r)
        for (size_t c = 0; c < p.n; ++c) {
            double s = 0;
            for (size_t k = 0; k < p.n; ++k) s += double{jf(r, k)} * jf(k, c);
            EXPECT_NEAR(s, jf(r, c), 1e-5);
        }
}

TEST(PseudoInverse, LinearlyDependentPatterns) {
    Patterns p = random_patterns(3, 20, 5);
    p.add(std::vector<int8_t>(p.pattern(1), p.pattern(1) + 20));  // a duplicate
    std::vector<int8_t> neg(p.pattern(0), p.pattern(0) + 20);
    for (auto& x : neg) x = static_cast<int8_t>(-x);
    p.add(neg);  // -xi0 spans nothing new
    PseudoInverseInfo info;
    const FloatMatrix j = pseudo_inverse(p, {}, &info);
    EXPECT_EQ(info.rank, 3u);
    for (size_t mu = 0; mu < p.count; ++mu) EXPECT_TRUE(is_fixed_point(j, p.pattern(mu))) << mu;
}

TEST(LearningRules, DeterministicAndZeroDiagonal) {
    const Patterns p = random_patterns(10, 64, 99);
    for (LearningRule r : {LearningRule::Hebb, LearningRule::Storkey, LearningRule::PseudoInverse}) {
        const FloatMatrix a = learn(r, p), b = learn(r, p);
        ASSERT_EQ(a.rows, 64u);
        ASSERT_EQ(a.cols, 64u);
        EXPECT_EQ(0, std::memcmp(a.data.data(), b.data.data(), a.data.size() * sizeof(float))) << to_string(r);
        for (size_t i = 0; i < 64; ++i) EXPECT_EQ(a(i, i), 0.f) << to_string(r);
        EXPECT_TRUE(symmetric(a)) << to_string(r);
        EXPECT_EQ(parse_learning_rule(to_string(r)), r);
    }
}

TEST(LearningRules, StorkeyHoldsMoreThanHebbAtModerateLoad) {
    // N = 100, P = 14 random patterns (alpha = 0.14): the averaged count of
    // stored patterns that are exact fixed points is higher with Storkey.
    size_t hebb_fixed = 0, storkey_fixed = 0;
    for (uint64_t seed = 1; seed <= 4; ++seed) {
        const Patterns p = random_patterns(14, 100, seed);
        const FloatMatrix h = hebb(p), s = storkey(p);
        for (size_t mu = 0; mu < p.count; ++mu) {
            hebb_fixed += is_fixed_point(h, p.pattern(mu));
            storkey_fixed += is_fixed_point(s, p.pattern(mu));
        }
    }
    EXPECT_GT(storkey_fixed, hebb_fixed);
}

TEST(LearningRules, RefusesBadPatterns) {
    Patterns p(3);
    EXPECT_THROW(p.add({1, -1}), LearningError);
    p.add({1, 0, -1});
    try {
        hebb(p);
        FAIL();
    } catch (const LearningError& e) {
        EXPECT_NE(std::string(e.what()).find("neuron 1"), std::string::npos) << e.what();
    }
    EXPECT_THROW(storkey(Patterns()), LearningError);
    EXPECT_THROW(parse_learning_rule("oja"), LearningError);
}
