// Every SIMD target Highway built and this machine runs, against plain scalar
// loops, on random data of every padded length the engine uses.
#include <random>
#include <vector>

#include <gtest/gtest.h>
#include <hwy/targets.h>

#include "engine/field_kernels.h"

using namespace mind1024::engine;

namespace {

struct TargetGuard {
    ~TargetGuard() { hwy::SetSupportedTargetsForTest(0); }
};

TEST(FieldKernels, EveryTargetAgreesWithScalarLoops) {
    const std::vector<int64_t> targets = hwy::SupportedAndGeneratedTargets();
    ASSERT_FALSE(targets.empty());
    TargetGuard guard;
    std::mt19937 rng(7);
    for (int64_t target : targets) {
        hwy::SetSupportedTargetsForTest(target);
        SCOPED_TRACE(hwy::TargetName(target));
        for (size_t len : {kernels::kAlign, 3 * kernels::kAlign, 1024 + kernels::kAlign}) {
            std::vector<int8_t> w8(len), s(len), c8(len);
            std::vector<int16_t> w16(len), c16(len);
            std::vector<uint8_t> plus(len), minus(len), bytes(len);
            for (size_t j = 0; j < len; ++j) {
                w8[j] = static_cast<int8_t>(rng());
                w16[j] = static_cast<int16_t>(rng());
                c8[j] = static_cast<int8_t>(rng());
                c16[j] = static_cast<int16_t>(rng());
                bytes[j] = static_cast<uint8_t>(rng());
                const int r = static_cast<int>(rng() % 3);  // +1, -1 or padding
                s[j] = static_cast<int8_t>(r == 0 ? 1 : r == 1 ? -1 : 0);
                plus[j] = s[j] > 0 ? 0xFF : 0;
                minus[j] = s[j] < 0 ? 0xFF : 0;
            }
            uint64_t want_p = 0, want_m = 0, want_bytes = 0;
            int64_t want_dot = 0;
            for (size_t j = 0; j < len; ++j) {
                if (plus[j]) want_p += w8[j] + 128u;
                if (minus[j]) want_m += w8[j] + 128u;
                want_dot += int64_t{w16[j]} * s[j];
                want_bytes += bytes[j];
            }
            uint64_t got_p = 0, got_m = 0;
            kernels::split_sums_i8(w8.data(), plus.data(), minus.data(), len, &got_p, &got_m);
            EXPECT_EQ(got_p, want_p);
            EXPECT_EQ(got_m, want_m);
            EXPECT_EQ(kernels::dot_i16(w16.data(), s.data(), len), want_dot);
            EXPECT_EQ(kernels::sum_bytes(bytes.data(), len), want_bytes);

            std::vector<int32_t> h(len), want_h(len);
            for (size_t j = 0; j < len; ++j) h[j] = want_h[j] = static_cast<int32_t>(rng() % 200000) - 100000;
            kernels::add_column_twice_i8(h.data(), c8.data(), -1, len);
            kernels::add_column_twice_i16(h.data(), c16.data(), 1, len);
            for (size_t j = 0; j < len; ++j) want_h[j] += -2 * c8[j] + 2 * c16[j];
            EXPECT_EQ(h, want_h);
        }
    }
}

}  // namespace
