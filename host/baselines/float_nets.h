// The float software baselines, trained with libtorch (PyTorch's C++ API) on
// one thread by default: a single-layer softmax, a multi-layer perceptron and a
// small convolutional network. This header is torch-free; only float_nets.cpp
// includes torch.
//
//   softmax  784-10, Adam 1e-3, cosine LR, batch 64, 10 epochs
//   mlp      784-800-10 ReLU, dropout 0.3, +-2 px shifts, Adam 1e-3, cosine LR, batch 64, 20 epochs
//   cnn      conv3x3(16)-BN-ReLU-pool, conv3x3(32)-BN-ReLU-pool, 1568-128 ReLU, dropout 0.3, 128-10;
//            +-2 px shifts, Adam 1e-3, cosine LR, batch 64, 6 epochs
// Inputs are (pixel/255 - 0.1307) / 0.3081. Reproducible for a seed at a fixed
// thread count (torch::manual_seed; shuffles and shifts from baselines::Rng).
#pragma once
#include <string>

#include "host/data/idx_reader.h"
#include "host/baselines/training.h"

namespace mind1024::host::baselines {

enum class FloatModel { Softmax, Mlp, Cnn };
const char* to_string(FloatModel m);  // "softmax", "mlp", "cnn"
int default_epochs(FloatModel m);

TrainResult train_float_model(FloatModel m, const MnistSet& train, const MnistSet& test, const TrainOptions& opt);

// torch::set_num_threads(n) and one inter-op thread; the version of libtorch.
void set_torch_threads(int n);
std::string torch_version();

}  // namespace mind1024::host::baselines
