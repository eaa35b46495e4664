// Every SIMD target Highway built and this machine runs, against plain scalar
// loops, on random data of every padded length the engine uses.
#include <random>
#include <vector>

#include <gtest/gtest.h>
#include <hwy/targets.h>

#include "sysc/engine/field_kernels.h"

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
            // Six biased rows (four in a block, two alone), against the +1 and the -1 selections.
            std::vector<uint8_t> rows(6 * len);
            for (size_t k = 0; k < rows.size(); ++k) rows[k] = static_cast<uint8_t>(w8[k % len] + 128 + k / len);
            for (const std::vector<uint8_t>* sel : {&plus, &minus}) {
                uint64_t got[6];
                kernels::selected_row_sums_u8(rows.data(), len, 6, sel->data(), len, got);
                for (size_t i = 0; i < 6; ++i) {
                    uint64_t want = 0;
                    for (size_t j = 0; j < len; ++j)
                        if ((*sel)[j]) want += rows[i * len + j];
                    EXPECT_EQ(got[i], want) << "row " << i;
                }
            }
            // The same eight rows (two groups) interleaved by 64 bytes, over the first len - 64 columns.
            {
                std::vector<uint8_t> blocks(8 * len);
                for (size_t i = 0; i < 8; ++i)
                    for (size_t j = 0; j < len; ++j)
                        blocks[i / 4 * 4 * len + j / 64 * 256 + i % 4 * 64 + j % 64] = static_cast<uint8_t>(w8[j] + i);
                const size_t cols = len - kernels::kAlign;
                uint64_t got[8];
                kernels::selected_row_sums_u8x4(blocks.data(), len, cols, 2, plus.data(), got);
                for (size_t i = 0; i < 8; ++i) {
                    uint64_t want = 0;
                    for (size_t j = 0; j < cols; ++j)
                        if (plus[j]) want += static_cast<uint8_t>(w8[j] + i);
                    EXPECT_EQ(got[i], want) << "interleaved row " << i;
                }
            }
            EXPECT_GT(want_p + want_m, 0u);
            EXPECT_EQ(kernels::dot_i16(w16.data(), s.data(), len), want_dot);
            EXPECT_EQ(kernels::sum_bytes(bytes.data(), len), want_bytes);

            std::vector<int32_t> h(len), want_h(len);
            for (size_t j = 0; j < len; ++j) h[j] = want_h[j] = static_cast<int32_t>(rng() % 200000) - 100000;
            kernels::add_column_twice_i8(h.data(), c8.data(), -1, len);
            kernels::add_column_twice_i16(h.data(), c16.data(), 1, len);
            for (size_t j = 0; j < len; ++j) want_h[j] += -2 * c8[j] + 2 * c16[j];
            EXPECT_EQ(h, want_h);

            // Many columns (stride len) summed in one pass, then added twice to the fields.
            const size_t cols = 40;
            std::vector<int8_t> m(cols * len);
            for (auto& x : m) x = static_cast<int8_t>(rng());
            m[0] = -128;  // the extreme weight
            std::vector<uint32_t> add{0, 3, 7, 39}, sub{1, 2, 38};
            std::vector<int16_t> acc(len);
            kernels::sum_columns_i8(acc.data(), m.data(), len, add.data(), add.size(), sub.data(), sub.size(), len);
            for (size_t r = 0; r < len; ++r) {
                int32_t want = 0;
                for (uint32_t k : add) want += m[k * len + r];
                for (uint32_t k : sub) want -= m[k * len + r];
                ASSERT_EQ(acc[r], want) << "row " << r;
                want_h[r] += 2 * want;
            }
            kernels::add_twice_i16(h.data(), acc.data(), len);
            EXPECT_EQ(h, want_h);
        }
    }
}

}  // namespace
