#include "host/baselines/layered_net.h"

#include <filesystem>

#include <gtest/gtest.h>

#include "host/data/idx_reader.h"
#include "host/data/npy.h"
#include "tests/host/data/temp_dir.h"

using namespace mind1024::host;
using namespace mind1024::host::baselines;

namespace {

// 3 inputs, 3 hidden units (gamma > 0, < 0, = 0), 2 outputs.
LayeredQuantized tiny() {
    LayeredQuantized q;
    q.inputs = 3;
    q.hidden = 3;
    q.outputs = 2;
    q.wbits = 4;
    q.q1 = {1, 2, -3, 1, 1, 1, 5, 5, 5};
    q.s1 = 0.5;
    q.gamma = {2.0, -1.0, 0.0};
    q.beta = {1.0, 0.5, 0.3};
    q.mean = {0.2, 0.25, 0.0};
    q.var = {3.0, 0.0, 1.0};
    q.eps = 1.0;
    q.q2 = {1, -1, 2, 0, 1, 1};
    q.s2 = 0.1;
    q.b2q = {0, 1};
    return q;
}

// The real-valued model the codes and batch norm describe (what training evaluates).
std::vector<int8_t> real_hidden(const LayeredQuantized& q, const std::vector<int8_t>& x) {
    std::vector<int8_t> h(q.hidden);
    for (size_t i = 0; i < q.hidden; ++i) {
        double a = 0;
        for (size_t j = 0; j < q.inputs; ++j) a += q.s1 * q.q1[i * q.inputs + j] * x[j];
        const double y = q.gamma[i] * (a - q.mean[i]) / std::sqrt(q.var[i] + q.eps) + q.beta[i];
        h[i] = y > 0 ? 1 : -1;
    }
    return h;
}

}  // namespace

TEST(LayeredNet, FoldedThresholdsReproduceBatchNormOnEveryInput) {
    const LayeredQuantized q = tiny();
    const LayeredIntNet net = fold_layered(q);
    // Unit 1 has gamma < 0: its row is negated.
    EXPECT_EQ(std::vector<int16_t>(net.w1.begin() + 3, net.w1.begin() + 6), (std::vector<int16_t>{-1, -1, -1}));
    // Unit 2 has gamma = 0 and beta > 0: always on, whatever the input.
    EXPECT_EQ(std::vector<int16_t>(net.w1.begin() + 6, net.w1.end()), (std::vector<int16_t>{0, 0, 0}));
    EXPECT_EQ(net.t1[2], -1);
    for (int m = 0; m < 8; ++m) {
        const std::vector<int8_t> x = {int8_t(m & 1 ? 1 : -1), int8_t(m & 2 ? 1 : -1), int8_t(m & 4 ? 1 : -1)};
        EXPECT_EQ(net.hidden_states(x.data()), real_hidden(q, x)) << "input pattern " << m;
    }
}

TEST(LayeredNet, ThresholdsAreClampedToTheReachableSums) {
    LayeredQuantized q = tiny();
    q.mean = {1e6, -1e6, 0.0};  // unit 0 never fires, unit 1 (negated) never either
    const LayeredIntNet net = fold_layered(q);
    EXPECT_EQ(net.t1[0], 6);  // sum |w| of row 0
    EXPECT_EQ(net.t1[1], 3);
    EXPECT_EQ(net.max_abs_threshold(), 6);
}

TEST(LayeredNet, BiasWithoutBatchNorm) {
    LayeredQuantized q = tiny();
    q.batch_norm = false;
    q.b1 = {0.6, -0.5, 100.0};  // thresholds -b1/s1 = -1.2, 1, -200
    const LayeredIntNet net = fold_layered(q);
    EXPECT_EQ(net.t1, (std::vector<int32_t>{-2, 1, -16}));  // floor, and -(15 + 1) at the bottom
}

TEST(LayeredNet, OutputsArgmaxOfFieldsFirstOnTies) {
    const LayeredIntNet net = fold_layered(tiny());
    const std::vector<int8_t> h = {1, -1, 1};
    EXPECT_EQ(net.output_fields(h), (std::vector<int64_t>{1 + 1 + 2 + 0, 0 - 1 + 1 + 1}));
    LayeredIntNet tie = net;
    tie.b2 = {0, 1};
    tie.w2 = {1, 0, 0, 0, 0, 0};
    const std::vector<int8_t> x = {1, 1, 1};
    EXPECT_EQ(tie.predict(x.data()), 0);  // fields {h0, 1} = {1, 1}: the lower class
}

TEST(LayeredNet, CodesThatDoNotFitWbitsAreRefused) {
    LayeredQuantized q = tiny();
    q.q1[4] = 8;  // WBITS=4 is [-8, 7]
    EXPECT_THROW(fold_layered(q), DataError);
    q = tiny();
    q.q1[3] = -8;  // in range, but its row is negated (gamma < 0)
    EXPECT_THROW(fold_layered(q), DataError);
}

TEST(LayeredNet, FilesRoundTripWithTheDocumentedLayout) {
    mind1024::test::TempDir dir;
    const LayeredIntNet net = fold_layered(tiny());
    LayeredExportInfo info;
    info.s1 = 0.5;
    info.s2 = 0.1;
    info.accuracy = {{"integer", 0.5}};
    const std::string out = dir.file("net");
    write_layered(out, net, info);
    const NpyArray w1 = read_npy(out + "/w1.npy"), t1 = read_npy(out + "/t1.npy"), w2 = read_npy(out + "/w2.npy"),
                   b2 = read_npy(out + "/b2.npy");
    EXPECT_EQ(w1.dtype, NpyDtype::Int16);
    EXPECT_EQ(w1.shape, (std::vector<size_t>{3, 3}));
    EXPECT_EQ(t1.dtype, NpyDtype::Int32);
    EXPECT_EQ(t1.shape, (std::vector<size_t>{3}));
    EXPECT_EQ(w2.dtype, NpyDtype::Int16);
    EXPECT_EQ(w2.shape, (std::vector<size_t>{2, 3}));
    EXPECT_EQ(b2.dtype, NpyDtype::Int32);
    const LayeredIntNet back = read_layered(out);
    EXPECT_EQ(back.w1, net.w1);
    EXPECT_EQ(back.t1, net.t1);
    EXPECT_EQ(back.w2, net.w2);
    EXPECT_EQ(back.b2, net.b2);
    EXPECT_EQ(back.wbits, 4u);
}

TEST(LayeredNet, ReadRefusesAWrongShapeOrFormatNamingTheFile) {
    mind1024::test::TempDir dir;
    const std::string out = dir.file("net");
    write_layered(out, fold_layered(tiny()), {});
    write_npy<int32_t>(out + "/t1.npy", {2}, {0, 0});
    try {
        read_layered(out);
        FAIL() << "a (2,) t1 for 3 hidden units was accepted";
    } catch (const DataError& e) {
        EXPECT_NE(std::string(e.what()).find("t1.npy"), std::string::npos) << e.what();
    }
    EXPECT_THROW(read_layered(dir.file("missing")), DataError);
}

// A positive scale per row divides each unit's threshold by its own scale.
TEST(LayeredNet, PerRowScalesFoldIntoEachThreshold) {
    LayeredQuantized q = tiny();
    q.batch_norm = false;
    q.b1 = {0.6, -0.5, 100.0};
    q.s1_rows = {0.5, 0.25, 0.5};  // thresholds -b1/s1_i = -1.2, 2, -200
    EXPECT_EQ(fold_layered(q).t1, (std::vector<int32_t>{-2, 2, -16}));
    q.s1_rows = {0.5, 0.0, 0.5};
    EXPECT_THROW(fold_layered(q), DataError);
}

// A window of the image is the input: selected row by row, written to
// network.json and read back; a window that does not match layers[0] refused.
TEST(LayeredNet, InputCropSelectsTheWindowAndRoundTrips) {
    InputCrop c;
    c.image_rows = 3;
    c.image_cols = 4;
    c.top = 1;
    c.left = 1;
    c.rows = 2;
    c.cols = 2;
    const std::vector<uint8_t> images = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,  //
                                         20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31};
    EXPECT_EQ(c.select(images, 2), (std::vector<uint8_t>{5, 6, 9, 10, 25, 26, 29, 30}));
    EXPECT_EQ(InputCrop::centred(20).top, 4u);
    EXPECT_THROW(InputCrop::centred(29), std::invalid_argument);

    LayeredQuantized q = tiny();  // 3 inputs: a 1 x 3 window of a 2 x 4 image
    q.crop.image_rows = 2;
    q.crop.image_cols = 4;
    q.crop.top = 1;
    q.crop.left = 1;
    q.crop.rows = 1;
    q.crop.cols = 3;
    mind1024::test::TempDir dir;
    const std::string out = dir.file("net");
    write_layered(out, fold_layered(q), {});
    const LayeredIntNet back = read_layered(out);
    EXPECT_EQ(back.crop.image_cols, 4u);
    EXPECT_EQ(back.crop.top, 1u);
    EXPECT_EQ(back.crop.left, 1u);
    EXPECT_EQ(back.crop.cols, 3u);
    q.crop.cols = 2;
    EXPECT_THROW(fold_layered(q), DataError);
}

// The windows written as IDX splits read back as a data directory of 2 x 2 images.
TEST(LayeredNet, IdxSplitsReadBackAsADataDirectory) {
    mind1024::test::TempDir dir;
    const std::string out = dir.file("data");
    write_idx_splits(out, 2, 2, {1, 2, 3, 4, 5, 6, 7, 8}, {3, 9}, {9, 8, 7, 6}, {1});
    const MnistSet test = load_mnist_split(out, Split::Test), train = load_mnist_split(out, Split::Train);
    EXPECT_EQ(test.rows, 2u);
    EXPECT_EQ(test.cols, 2u);
    EXPECT_EQ(test.images, (std::vector<uint8_t>{9, 8, 7, 6}));
    EXPECT_EQ(test.labels, (std::vector<uint8_t>{1}));
    EXPECT_EQ(train.count, 2u);
    EXPECT_EQ(train.labels, (std::vector<uint8_t>{3, 9}));
    EXPECT_THROW(write_idx_splits(dir.file("bad"), 2, 2, {1, 2, 3}, {0}, {}, {}), std::invalid_argument);
}
