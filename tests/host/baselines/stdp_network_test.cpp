// The spiking STDP network learns on a small slice and is reproducible.
#include "host/baselines/stdp_network.h"

#include <algorithm>

#include <gtest/gtest.h>

#include "tests/host/baselines/mnist_slice.h"

using namespace mind1024::host;
using namespace mind1024::host::baselines;

namespace {

StdpOptions small() {
    StdpOptions so;
    so.neurons = 100;
    so.readout.epochs = 20;
    return so;
}

TrainResult train_slice(uint64_t seed) {
    const mind1024::test::MnistSlice* s = mind1024::test::mnist_slice();
    TrainOptions o;
    o.seed = seed;
    o.progress = false;
    return train_stdp(s->train, s->test, small(), o);
}

}  // namespace

TEST(StdpNetwork, EncodingHasOnAndOffChannelsInUnitRange) {
    MIND1024_NEED_MNIST(s);
    const std::vector<float> x = StdpNetwork::encode(s->train.image(0));
    ASSERT_EQ(x.size(), StdpOptions::kInputs);
    EXPECT_FLOAT_EQ(*std::max_element(x.begin(), x.end()), 1.0f);
    EXPECT_GE(*std::min_element(x.begin(), x.end()), 0.0f);
    const auto on = std::count_if(x.begin(), x.begin() + 784, [](float v) { return v > 0.1f; });
    const auto off = std::count_if(x.begin() + 784, x.end(), [](float v) { return v > 0.1f; });
    EXPECT_GT(on, 20);
    EXPECT_GT(off, 20);
    for (size_t j = 0; j < 784; ++j) ASSERT_FALSE(x[j] > 0 && x[784 + j] > 0) << "pixel " << j << " both ON and OFF";
}

// Chance is 10%; 100 neurons after one pass over 2,000 images reach about 80%.
TEST(StdpNetwork, LearnsAndIsReproducible) {
    MIND1024_NEED_MNIST(s);
    const TrainResult a = train_slice(1);
    EXPECT_GT(a.test_accuracy, 0.70);
    const TrainResult b = train_slice(1);
    EXPECT_EQ(a.weights.at("w_in").values, b.weights.at("w_in").values);
    EXPECT_EQ(a.test_predictions, b.test_predictions);
}

TEST(StdpNetwork, EveryNeuronsWeightsKeepTheirSum) {
    StdpOptions so = small();
    so.neurons = 5;
    StdpNetwork net(so, 1);
    std::vector<uint8_t> img(784, 0);
    for (int p = 300; p < 500; p += 3) img[p] = 255;
    for (int k = 0; k < 20; ++k) net.present(img.data(), true, 0.1);
    for (size_t i = 0; i < so.neurons; ++i) {
        double sum = 0;
        for (size_t j = 0; j < StdpOptions::kInputs; ++j) sum += net.weights()[j * so.neurons + i];
        EXPECT_NEAR(sum, so.weight_sum, 1e-2) << "neuron " << i;
    }
}
