// Each float baseline learns on a small slice (2,000 training images, one
// epoch; 500 test images) and is reproducible for a seed.
#include "host/baselines/float_nets.h"

#include <gtest/gtest.h>

#include "tests/host/baselines/mnist_slice.h"

using namespace mind1024::host;
using namespace mind1024::host::baselines;

namespace {

TrainResult train_slice(FloatModel m, uint64_t seed, int epochs = 1) {
    const mind1024::test::MnistSlice* s = mind1024::test::mnist_slice();
    TrainOptions o;
    o.epochs = epochs;
    o.seed = seed;
    o.progress = false;
    return train_float_model(m, s->train, s->test, o);
}

}  // namespace

// Chance is 10%; one epoch on 2,000 images reaches about 85-95%.
TEST(FloatNets, SoftmaxLearns) {
    MIND1024_NEED_MNIST(s);
    const TrainResult r = train_slice(FloatModel::Softmax, 1, 2);
    EXPECT_GT(r.test_accuracy, 0.70);
    EXPECT_EQ(r.parameters, 7850u);
    EXPECT_EQ(r.epochs.size(), 2u);
    EXPECT_LT(r.epochs[1].loss, r.epochs[0].loss);
    EXPECT_EQ(r.test_predictions.size(), s->test.count);
}

TEST(FloatNets, MlpLearns) {
    MIND1024_NEED_MNIST(s);
    EXPECT_GT(train_slice(FloatModel::Mlp, 1).test_accuracy, 0.70);
}

TEST(FloatNets, CnnLearns) {
    MIND1024_NEED_MNIST(s);
    EXPECT_GT(train_slice(FloatModel::Cnn, 1).test_accuracy, 0.70);
}

TEST(FloatNets, SameSeedSameWeightsOtherSeedOtherWeights) {
    MIND1024_NEED_MNIST(s);
    const TrainResult a = train_slice(FloatModel::Mlp, 5), b = train_slice(FloatModel::Mlp, 5),
                      c = train_slice(FloatModel::Mlp, 6);
    ASSERT_EQ(a.weights.count("fc1.weight"), 1u);
    EXPECT_EQ(a.weights.at("fc1.weight").values, b.weights.at("fc1.weight").values);
    EXPECT_EQ(a.weights.at("fc2.bias").values, b.weights.at("fc2.bias").values);
    EXPECT_EQ(a.test_predictions, b.test_predictions);
    EXPECT_NE(a.weights.at("fc1.weight").values, c.weights.at("fc1.weight").values);
}
