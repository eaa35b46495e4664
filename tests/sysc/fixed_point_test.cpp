#include "sysc/fixed_point.h"
#include "sysc/lfsr.h"

#include <gtest/gtest.h>

using namespace mind1024;

TEST(FixedPoint, SignExtendKeepsLowBits) {
    EXPECT_EQ(fx::store_weight(127, 8), 127);
    EXPECT_EQ(fx::store_weight(128, 8), -128);
    EXPECT_EQ(fx::store_weight(-129, 8), 127);
    EXPECT_EQ(fx::store_weight(1, 1), -1);
    EXPECT_EQ(fx::store_weight(2, 1), 0);
    EXPECT_EQ(fx::store_weight(0x7FFF, 16), 32767);
    EXPECT_EQ(fx::store_threshold(0x800000, 24), -8388608);
    EXPECT_EQ(fx::store_threshold(-1, 32), -1);
}

TEST(FixedPoint, SaturateAndWrapDiffer) {
    bool o = false;
    EXPECT_EQ(fx::to_width(200, 8, false, &o), 127);
    EXPECT_TRUE(o);
    EXPECT_EQ(fx::to_width(200, 8, true, &o), 200 - 256);
    EXPECT_TRUE(o);
    EXPECT_EQ(fx::to_width(-129, 8, false, &o), -128);
    EXPECT_EQ(fx::to_width(-129, 8, true, &o), 127);
    EXPECT_EQ(fx::to_width(-128, 8, true, &o), -128);
    EXPECT_FALSE(o);
}

TEST(FixedPoint, FieldCountsEveryGroupOverflow) {
    // 8 weights of 100 with state +1, ABITS 9 (max 255), lanes 2: sums 200, 400->255 ovf, ...
    int16_t row[8];
    int8_t s[8];
    for (int k = 0; k < 8; ++k) row[k] = 100, s[k] = 1;
    const fx::Field sat = fx::neuron_field(row, s, 8, 2, 8, 9, false);
    EXPECT_EQ(sat.h, 255);
    EXPECT_EQ(sat.overflows, 3u);
    const fx::Field wrap = fx::neuron_field(row, s, 8, 2, 8, 9, true);
    // 200, 400-512=-112, 88, 288-512=-224
    EXPECT_EQ(wrap.h, -224);
    EXPECT_EQ(wrap.overflows, 2u);
}

TEST(FixedPoint, FastPathEqualsGroupedPath) {
    int16_t row[100];
    int8_t s[100];
    for (int k = 0; k < 100; ++k) row[k] = static_cast<int16_t>((k * 37) % 255 - 128), s[k] = (k % 3) ? 1 : -1;
    ASSERT_FALSE(fx::overflow_possible(100, 8, 24));
    int64_t exact = 0;
    for (int k = 0; k < 100; ++k) exact += row[k] * s[k];
    EXPECT_EQ(fx::neuron_field(row, s, 100, 16, 8, 24, false).h, exact);
}

TEST(FixedPoint, NoiseIsFloorAndBounded) {
    EXPECT_EQ(fx::noise_eta(-32768, 1000), -1000);
    EXPECT_EQ(fx::noise_eta(32767, 1000), 999);
    EXPECT_EQ(fx::noise_eta(-1, 1), -1);  // toward -inf
    EXPECT_EQ(fx::noise_eta(1, 1), 0);
    EXPECT_EQ(fx::noise_eta(100, 0), 0);
}

TEST(FixedPoint, DecisionKeepsStateOnTie) {
    EXPECT_EQ(fx::decide(5, 5, 0, -1), -1);
    EXPECT_EQ(fx::decide(5, 5, 0, 1), 1);
    EXPECT_EQ(fx::decide(6, 5, 0, -1), 1);
    EXPECT_EQ(fx::decide(6, 5, -2, 1), -1);
}

TEST(Lfsr, ZeroSeedActsAsOneAndSequenceIsGalois) {
    Lfsr a(0), b(1);
    EXPECT_EQ(a.state(), 1u);
    a.step();
    EXPECT_EQ(a.state(), 0x80200003u);  // lsb 1: shift to 0, xor taps
    a.step();
    EXPECT_EQ(a.state(), (0x80200003u >> 1) ^ 0x80200003u);
    b.step(2);
    EXPECT_EQ(a.state(), b.state());
}
