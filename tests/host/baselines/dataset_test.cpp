#include "host/baselines/dataset.h"

#include <algorithm>
#include <set>

#include <gtest/gtest.h>

using namespace mind1024::host;
using namespace mind1024::host::baselines;

TEST(BaselineRng, SameSeedSameSequenceOtherSeedOther) {
    Rng a(7), b(7), c(8);
    bool differs = false;
    for (int i = 0; i < 100; ++i) {
        const uint64_t x = a.next();
        EXPECT_EQ(x, b.next());
        differs = differs || x != c.next();
    }
    EXPECT_TRUE(differs);
}

TEST(BaselineRng, RangesStayInBounds) {
    Rng r(1);
    std::set<int> seen;
    for (int i = 0; i < 2000; ++i) {
        const int v = r.range(-2, 2);
        ASSERT_GE(v, -2);
        ASSERT_LE(v, 2);
        seen.insert(v);
        const double u = r.uniform();
        ASSERT_GE(u, 0.0);
        ASSERT_LT(u, 1.0);
    }
    EXPECT_EQ(seen.size(), 5u);
}

TEST(BaselineDataset, ShuffleIsAPermutation) {
    Rng r(3);
    std::vector<uint32_t> o = shuffled_order(1000, r);
    EXPECT_FALSE(std::is_sorted(o.begin(), o.end()));
    std::sort(o.begin(), o.end());
    for (uint32_t i = 0; i < 1000; ++i) ASSERT_EQ(o[i], i);
}

namespace {
MnistSet one_pixel_images(size_t n) {
    MnistSet s;
    s.count = static_cast<uint32_t>(n);
    s.rows = s.cols = 28;
    s.images.assign(n * 784, 0);
    s.labels.assign(n, 0);
    for (size_t k = 0; k < n; ++k) s.images[k * 784 + 14 * 28 + 14] = 200;  // the centre pixel
    return s;
}
}  // namespace

TEST(BaselineDataset, ShiftsMoveEachImageByAtMostTheShift) {
    const MnistSet s = one_pixel_images(200);
    Rng r(5);
    const std::vector<uint8_t> out = shifted_images(s, 2, r);
    std::set<int> offsets;
    for (size_t k = 0; k < s.count; ++k) {
        const auto first = out.begin() + static_cast<std::ptrdiff_t>(k * 784);
        ASSERT_EQ(std::count(first, first + 784, 0), 783) << "image " << k << " lost or doubled its pixel";
        const int at = static_cast<int>(std::find(first, first + 784, 200) - first);
        const int dy = at / 28 - 14, dx = at % 28 - 14;
        ASSERT_LE(std::abs(dx), 2);
        ASSERT_LE(std::abs(dy), 2);
        offsets.insert(dy * 5 + dx);
    }
    EXPECT_EQ(offsets.size(), 25u);  // every (dx, dy) occurs in 200 images
    Rng r0(5);
    EXPECT_EQ(shifted_images(s, 0, r0), s.images);
}

TEST(BaselineDataset, FirstItemsAndAccuracy) {
    MnistSet s = one_pixel_images(10);
    for (uint8_t k = 0; k < 10; ++k) s.labels[k] = k;
    const MnistSet f = first_items(s, 4);
    EXPECT_EQ(f.count, 4u);
    EXPECT_EQ(f.images.size(), 4u * 784);
    EXPECT_EQ(f.labels, (std::vector<uint8_t>{0, 1, 2, 3}));
    EXPECT_EQ(first_items(s, 0).count, 10u);
    EXPECT_EQ(first_items(s, 99).count, 10u);
    EXPECT_DOUBLE_EQ(accuracy({0, 1, 9, 3}, f.labels), 0.75);
    EXPECT_EQ(binarize_pixel(127), -1);
    EXPECT_EQ(binarize_pixel(128), 1);
}
