#include "host/learning/quantizer.h"

#include <cmath>

#include <gtest/gtest.h>

using namespace mind1024::host;

namespace {
FloatMatrix row(const std::vector<float>& v) {
    FloatMatrix m(1, v.size());
    m.data = v;
    return m;
}
}  // namespace

TEST(Quantizer, MaxAbsNearestExact) {
    QuantizerOptions o;
    o.wbits = 4;  // [-8, 7]
    const QuantizedMatrix q = quantize_weights(row({1.0f, -0.5f, 0.25f, -1.0f, 0.1f, 0.f}), o);
    EXPECT_EQ(q.data, (std::vector<int16_t>{7, -4, 2, -7, 1, 0}));  // -3.5 rounds away from zero
    EXPECT_DOUBLE_EQ(q.report.scale, 7.0);
    EXPECT_DOUBLE_EQ(q.report.reference, 1.0);
    EXPECT_EQ(q.report.qmin, -8);
    EXPECT_EQ(q.report.qmax, 7);
    EXPECT_EQ(q.report.clipped, 0u);
    EXPECT_EQ(q.report.count, 6u);
    EXPECT_NEAR(q.report.max_abs_error, 0.5 / 7, 1e-9);
    const double e[6] = {0, 0.5 / 7, 2.0 / 7 - 0.25, 0, 1.0 / 7 - 0.1, 0};
    double s = 0;
    for (double x : e) s += x * x;
    EXPECT_NEAR(q.report.rms_error, std::sqrt(s / 6), 1e-7);
    const FloatMatrix back = dequantize(q);
    EXPECT_FLOAT_EQ(back.data[1], -4.0f / 7);
}

TEST(Quantizer, GivenScaleSaturates) {
    QuantizerOptions o;
    o.wbits = 3;  // [-4, 3]
    o.scale_mode = ScaleMode::Given;
    o.scale = 2.0;
    const QuantizedMatrix q = quantize_weights(row({2.0f, -3.0f, 1.0f, 0.4f}), o);
    EXPECT_EQ(q.data, (std::vector<int16_t>{3, -4, 2, 1}));
    EXPECT_EQ(q.report.clipped, 2u);
    EXPECT_DOUBLE_EQ(q.report.clipped_fraction, 0.5);
    EXPECT_NEAR(q.report.max_abs_error, 1.0, 1e-7);  // -4/2 against -3
}

TEST(Quantizer, PercentileClipsOutliers) {
    std::vector<float> v;
    for (int i = 1; i <= 999; ++i) v.push_back((i % 2 ? 1.f : -1.f) * static_cast<float>(i) / 999.f);
    v.push_back(10.f);  // one outlier in 1000
    QuantizerOptions o;
    o.scale_mode = ScaleMode::Percentile;
    o.percentile = 99.9;
    const QuantizedMatrix q = quantize_weights(row(v), o);
    EXPECT_FLOAT_EQ(static_cast<float>(q.report.reference), 1.0f);
    EXPECT_NEAR(q.report.scale, 127.0, 1e-4);
    EXPECT_EQ(q.report.clipped, 1u);
    EXPECT_DOUBLE_EQ(q.report.clipped_fraction, 0.001);
    EXPECT_EQ(q.data.back(), 127);
    EXPECT_EQ(q.data[998], 127);   // +999/999
    EXPECT_EQ(q.data[997], -127);  // -998/999 * 127 = -126.87
    EXPECT_NEAR(q.report.max_abs_error, 9.0, 1e-4);
    // max-abs: nothing clipped, coarse steps
    o.scale_mode = ScaleMode::MaxAbs;
    const QuantizedMatrix m = quantize_weights(row(v), o);
    EXPECT_EQ(m.report.clipped, 0u);
    EXPECT_NEAR(m.report.scale, 12.7, 1e-6);
}

TEST(Quantizer, OneBitIsMinusOneOrZero) {
    QuantizerOptions o;
    o.wbits = 1;
    const QuantizedMatrix q = quantize_weights(row({0.5f, -0.5f, -0.1f}), o);
    EXPECT_EQ(q.data, (std::vector<int16_t>{0, -1, 0}));
    EXPECT_EQ(q.report.clipped, 1u);
}

TEST(Quantizer, AllZero) {
    const QuantizedMatrix q = quantize_weights(FloatMatrix(3, 3), {});
    EXPECT_EQ(q.data, std::vector<int16_t>(9, 0));
    EXPECT_EQ(q.report.scale, 1.0);
    EXPECT_EQ(q.report.max_abs_error, 0.0);
}

TEST(Quantizer, StochasticRoundingIsUnbiased) {
    QuantizerOptions o;
    o.scale_mode = ScaleMode::Given;
    o.scale = 1.0;
    o.rounding = Rounding::Stochastic;
    o.seed = 12345;
    for (float v : {0.3f, -2.7f, 5.5f}) {
        const QuantizedMatrix q = quantize_weights(row(std::vector<float>(100000, v)), o);
        double mean = 0;
        for (int16_t x : q.data) {
            EXPECT_TRUE(x == std::floor(v) || x == std::ceil(v)) << x;
            mean += x;
        }
        mean /= static_cast<double>(q.data.size());
        EXPECT_NEAR(mean, v, 0.01) << v;
    }
    // integers stay exact
    const QuantizedMatrix e = quantize_weights(row({3.f, -2.f}), o);
    EXPECT_EQ(e.data, (std::vector<int16_t>{3, -2}));
}

TEST(Quantizer, StochasticDeterministicPerSeedAndSymmetric) {
    FloatMatrix w(40, 40);
    for (size_t r = 0; r < 40; ++r)
        for (size_t c = 0; c <= r; ++c) w(r, c) = w(c, r) = std::sin(float(r * 40 + c)) * (r == c ? 0 : 1);
    QuantizerOptions o;
    o.wbits = 3;
    o.rounding = Rounding::Stochastic;
    o.seed = 7;
    const QuantizedMatrix a = quantize_weights(w, o), b = quantize_weights(w, o);
    EXPECT_EQ(a.data, b.data);
    o.seed = 8;
    const QuantizedMatrix c = quantize_weights(w, o);
    EXPECT_NE(a.data, c.data);
    for (size_t r = 0; r < 40; ++r)
        for (size_t k = 0; k < 40; ++k) EXPECT_EQ(a(r, k), a(k, r));
}

TEST(Quantizer, ThresholdsSameScaleToAbits) {
    const QuantizedVector t = quantize_thresholds({0.5f, -1.25f, 1e9f, -0.125f}, 4.0, 8);
    EXPECT_EQ(t.data, (std::vector<int32_t>{2, -5, 127, -1}));  // -0.5 rounds away from zero
    EXPECT_EQ(t.report.clipped, 1u);
    EXPECT_EQ(t.report.qmax, 127);
    const QuantizedVector w = quantize_thresholds({-3e9f, 3e9f}, 1.0, 32);
    EXPECT_EQ(w.data, (std::vector<int32_t>{-2147483647 - 1, 2147483647}));
    EXPECT_EQ(w.report.clipped, 2u);
}

TEST(Quantizer, RefusesBadOptions) {
    QuantizerOptions o;
    o.wbits = 0;
    EXPECT_THROW(quantize_weights(row({1.f}), o), QuantizerError);
    o.wbits = 17;
    EXPECT_THROW(quantize_weights(row({1.f}), o), QuantizerError);
    o.wbits = 8;
    o.scale_mode = ScaleMode::Percentile;
    o.percentile = 0;
    EXPECT_THROW(quantize_weights(row({1.f}), o), QuantizerError);
    o.scale_mode = ScaleMode::Given;
    o.scale = 0;
    EXPECT_THROW(quantize_weights(row({1.f}), o), QuantizerError);
    EXPECT_THROW(quantize_weights(row({1.f, NAN}), QuantizerOptions{}), QuantizerError);
    EXPECT_THROW(quantize_thresholds({1.f}, 1.0, 1), QuantizerError);
    EXPECT_THROW(quantize_thresholds({1.f}, 1.0, 33), QuantizerError);
    EXPECT_THROW(parse_rounding("up"), QuantizerError);
    EXPECT_EQ(parse_scale_mode("percentile"), ScaleMode::Percentile);
    EXPECT_FALSE(quantize_weights(row({1.f}), QuantizerOptions{}).report.describe().empty());
}

TEST(Quantizer, RowScalesEachRowOnItsOwnRange) {
    FloatMatrix w(2, 3);
    w.data = {1.0f, -0.5f, 0.25f, 0.01f, -0.02f, 0.005f};  // row 1 is 50x smaller
    QuantizerOptions o;
    o.wbits = 3;  // [-4, 3]
    const QuantizedMatrix layer = quantize_weights(w, o);
    EXPECT_EQ(layer(1, 0), 0);  // the small row vanishes with one scale
    EXPECT_EQ(layer(1, 1), 0);
    o.granularity = Granularity::Row;
    const QuantizedMatrix row = quantize_weights(w, o);
    EXPECT_DOUBLE_EQ(row.row_scales[0], 3.0);
    EXPECT_NEAR(row.row_scales[1], 150.0, 1e-4);
    EXPECT_EQ(row.data, (std::vector<int16_t>{3, -2, 1, 2, -3, 1}));  // 1.5 -> 2, -3, 0.75 -> 1
    EXPECT_DOUBLE_EQ(row.report.scale, 3.0);                       // the smallest
    EXPECT_FLOAT_EQ(dequantize(row).data[4], -3.0f / 150);
    // a sign unit's threshold goes with its row's scale
    const QuantizedVector t = quantize_thresholds({0.5f, 0.01f}, row.row_scales, 16);
    EXPECT_EQ(t.data, (std::vector<int32_t>{2, 2}));  // 1.5 -> 2, 1.5 -> 2
    EXPECT_THROW(quantize_thresholds({0.5f}, row.row_scales, 16), QuantizerError);
}

TEST(Quantizer, MseScaleBeatsMaxAbsOnOutliersAndNeverLosesToIt) {
    std::vector<float> v;
    for (int i = 0; i < 999; ++i) v.push_back(std::sin(float(i)) * 0.1f);
    v.push_back(2.0f);  // one outlier
    QuantizerOptions o;
    o.wbits = 3;
    const QuantizedMatrix m = quantize_weights(row(v), o);
    o.scale_mode = ScaleMode::Mse;
    const QuantizedMatrix e = quantize_weights(row(v), o);
    EXPECT_LT(e.report.rms_error, m.report.rms_error);
    EXPECT_GT(e.report.scale, m.report.scale);
    EXPECT_GE(e.report.clipped, 1u);
    // without outliers it is no worse than max-abs (max-abs is one of its candidates)
    const std::vector<float> flat{1.f, -1.f, 0.5f, -0.5f};
    o.scale_mode = ScaleMode::MaxAbs;
    const double rm = quantize_weights(row(flat), o).report.rms_error;
    o.scale_mode = ScaleMode::Mse;
    EXPECT_LE(quantize_weights(row(flat), o).report.rms_error, rm + 1e-12);
    EXPECT_EQ(parse_scale_mode("mse"), ScaleMode::Mse);
    EXPECT_EQ(parse_granularity("row"), Granularity::Row);
    EXPECT_THROW(parse_granularity("column"), QuantizerError);
}

TEST(Quantizer, OneBitPlusMinusOneIsTheSign) {
    QuantizerOptions o;
    o.wbits = 1;
    o.plus_minus_one = true;
    const QuantizedMatrix q = quantize_weights(row({0.5f, -0.5f, -0.1f, 0.f}), o);
    EXPECT_EQ(q.data, (std::vector<int16_t>{1, -1, -1, 1}));
    EXPECT_EQ(q.report.qmax, 1);
    EXPECT_EQ(q.report.clipped, 0u);
    o.scale_mode = ScaleMode::Mse;  // best single magnitude for a sign code: near mean |w|
    const QuantizedMatrix e = quantize_weights(row({1.f, -1.f, 0.5f, -0.5f}), o);
    EXPECT_NEAR(1.0 / e.report.scale, 0.75, 0.01);
    o.rounding = Rounding::Stochastic;  // unbiased within the range
    o.scale_mode = ScaleMode::Given;
    o.scale = 1.0;
    const QuantizedMatrix s = quantize_weights(row(std::vector<float>(100000, 0.4f)), o);
    double mean = 0;
    for (int16_t x : s.data) mean += x;
    EXPECT_NEAR(mean / 100000, 0.4, 0.01);
}
