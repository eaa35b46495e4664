// Training of the layered binary network for the chip (784 ±1 inputs, or a
// window of them, -> H sign
// units -> 10 outputs read by their fields) with libtorch, the quantization in
// the loop: per-layer (w1 optionally per-row) symmetric WBITS fake quantization of both weight layers
// (scale s = max|W| / max(1, 2^(B-1) - 1), codes round half away from zero,
// saturated to [-2^(B-1), 2^(B-1) - 1], straight-through gradient), batch
// norm before the sign units (folded into integer thresholds on export), a
// hardtanh straight-through estimator for sign, output biases quantized in
// units of the output layer's scale. Adam with a cosine schedule, ±2 px shift
// augmentation. With quantize_in_training false the weights train in float and
// are quantized once at the end (post-training quantization). Torch-free header.
#pragma once
#include <cstddef>
#include <vector>

#include "host/data/idx_reader.h"
#include "host/baselines/layered_net.h"
#include "host/baselines/training.h"

namespace mind1024::host::baselines {

struct LayeredOptions {
    size_t hidden = 230;        // inputs + hidden + 10 <= 1024 neurons: 230 with 784 inputs
    unsigned wbits = 8;         // 1..8
    bool quantize_in_training = true;  // false: post-training quantization
    bool batch_norm = true;     // false: a bias per hidden unit instead
    bool row_scales = false;    // w1 fake-quantized with a scale per row (folds into the thresholds)
    InputCrop crop;             // the inputs: a window of the image (default all 784 pixels)
    double lr = 3e-3;
    size_t batch = 64;
    int shift = 2;
    static constexpr int kDefaultEpochs = 60;
};

struct LayeredTrainResult {
    TrainResult train;                     // per-epoch log: the model as trained (fake-quantized, or float for PTQ)
    LayeredQuantized quantized;            // codes, scales, batch norm: fold_layered makes the integer network
    std::vector<uint8_t> fake_quantized_predictions;  // the test set through the fake-quantized torch model
    double fake_quantized_accuracy = 0;
    double float_accuracy = 0;             // PTQ: before quantization; QAT: equal to fake_quantized_accuracy
};

LayeredTrainResult train_layered(const MnistSet& train, const MnistSet& test, const LayeredOptions& lo,
                                 const TrainOptions& opt);

}  // namespace mind1024::host::baselines
