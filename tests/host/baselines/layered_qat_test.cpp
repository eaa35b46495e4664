// The layered network's quantization-aware training on a small slice: it
// learns, it is reproducible, and the exported integer files, read back and
// run on the host, predict exactly what the fake-quantized model predicts.
#include "host/baselines/layered_qat.h"

#include <gtest/gtest.h>

#include "host/baselines/layered_net.h"
#include "tests/host/baselines/mnist_slice.h"
#include "tests/host/data/temp_dir.h"

using namespace mind1024::host;
using namespace mind1024::host::baselines;

namespace {

LayeredTrainResult train_slice(const LayeredOptions& lo, uint64_t seed = 1, int epochs = 2) {
    const mind1024::test::MnistSlice* s = mind1024::test::mnist_slice();
    TrainOptions o;
    o.epochs = epochs;
    o.seed = seed;
    o.progress = false;
    return train_layered(s->train, s->test, lo, o);
}

LayeredOptions small(unsigned wbits = 8) {
    LayeredOptions lo;
    lo.hidden = 100;
    lo.wbits = wbits;
    return lo;
}

// Runs the exported directory on the host; the agreement with the fake-quantized predictions.
size_t exported_agreement(const LayeredTrainResult& r, const MnistSet& test, double* int_accuracy) {
    mind1024::test::TempDir dir;
    LayeredExportInfo info;
    info.s1 = r.quantized.s1;
    info.s2 = r.quantized.s2;
    write_layered(dir.file("net"), fold_layered(r.quantized), info);
    const LayeredIntNet net = read_layered(dir.file("net"));
    const std::vector<uint8_t> pred = net.predict_images(test.images, test.count);
    *int_accuracy = accuracy(pred, test.labels);
    size_t same = 0;
    for (size_t i = 0; i < pred.size(); ++i) same += pred[i] == r.fake_quantized_predictions[i];
    return same;
}

}  // namespace

// Chance is 10%; two epochs on 2,000 images reach about 85%.
TEST(LayeredQat, LearnsAndTheExportedIntegersPredictAsTheFakeQuantizedModel) {
    MIND1024_NEED_MNIST(s);
    const LayeredTrainResult r = train_slice(small());
    EXPECT_GT(r.fake_quantized_accuracy, 0.70);
    double int_acc = 0;
    EXPECT_EQ(exported_agreement(r, s->test, &int_acc), s->test.count);
    EXPECT_DOUBLE_EQ(int_acc, r.fake_quantized_accuracy);
    for (int32_t c : r.quantized.q1) ASSERT_LE(std::abs(c), 127);
}

TEST(LayeredQat, SameSeedSameCodes) {
    MIND1024_NEED_MNIST(s);
    const LayeredTrainResult a = train_slice(small(), 3, 1), b = train_slice(small(), 3, 1);
    EXPECT_EQ(a.quantized.q1, b.quantized.q1);
    EXPECT_EQ(a.quantized.q2, b.quantized.q2);
    EXPECT_EQ(a.quantized.b2q, b.quantized.b2q);
    EXPECT_EQ(a.quantized.mean, b.quantized.mean);
    const LayeredTrainResult c = train_slice(small(), 4, 1);
    EXPECT_NE(a.quantized.q1, c.quantized.q1);
}

// The lowest widths: codes within WBITS (1 bit: {-1, 0}), the export still exact.
TEST(LayeredQat, LowWbitsCodesFitAndExportExactly) {
    MIND1024_NEED_MNIST(s);
    for (unsigned bits : {1u, 2u}) {
        const LayeredTrainResult r = train_slice(small(bits), 1, 1);
        const int lo = bits == 1 ? -1 : -1, hi = bits == 1 ? 0 : 1;
        for (int32_t c : r.quantized.q1) ASSERT_TRUE(c >= lo && c <= hi) << bits << " bits: code " << c;
        for (int32_t c : r.quantized.q2) ASSERT_TRUE(c >= lo && c <= hi) << bits << " bits: code " << c;
        double int_acc = 0;
        EXPECT_EQ(exported_agreement(r, s->test, &int_acc), s->test.count) << bits << " bits";
        EXPECT_GT(int_acc, 0.3) << bits << " bits";  // well above chance even at one bit
    }
}

TEST(LayeredQat, PostTrainingQuantization) {
    MIND1024_NEED_MNIST(s);
    LayeredOptions lo = small();
    lo.quantize_in_training = false;
    const LayeredTrainResult r = train_slice(lo);
    EXPECT_GT(r.float_accuracy, 0.70);
    EXPECT_GT(r.fake_quantized_accuracy, 0.70);
    double int_acc = 0;
    EXPECT_EQ(exported_agreement(r, s->test, &int_acc), s->test.count);
}

// A 20 x 20 window and per-row scales: fewer inputs, one scale per hidden
// unit, and the exported integers still predict as the fake-quantized model.
TEST(LayeredQat, CropAndPerRowScalesExportExactly) {
    MIND1024_NEED_MNIST(s);
    LayeredOptions lo = small();
    lo.hidden = 32;
    lo.crop = InputCrop::centred(20);
    lo.row_scales = true;
    const LayeredTrainResult r = train_slice(lo, 1, 1);
    EXPECT_EQ(r.quantized.inputs, 400u);
    ASSERT_EQ(r.quantized.s1_rows.size(), lo.hidden);
    mind1024::test::TempDir dir;
    write_layered(dir.file("net"), fold_layered(r.quantized), {});
    const LayeredIntNet net = read_layered(dir.file("net"));
    EXPECT_EQ(net.inputs, 400u);
    const std::vector<uint8_t> pred = net.predict_images(net.crop.select(s->test.images, s->test.count), s->test.count);
    size_t same = 0;
    for (size_t i = 0; i < pred.size(); ++i) same += pred[i] == r.fake_quantized_predictions[i];
    EXPECT_EQ(same, s->test.count);
    EXPECT_GT(accuracy(pred, s->test.labels), 0.6);
}
