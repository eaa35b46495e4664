// What every baseline's training takes and gives back, and its progress lines.
// Torch-free: the CLI and the tests see only this, never <torch/torch.h>.
#pragma once
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace mind1024::host::baselines {

struct TrainOptions {
    int epochs = 0;         // 0: the model's default
    uint64_t seed = 1;
    int threads = 1;        // torch intra-op threads (the spiking network is single-threaded)
    bool progress = true;   // one line per epoch on stderr
};

struct EpochStats {
    int epoch = 0;                // 1-based
    double loss = 0;              // mean training loss over the epoch (NaN where there is none)
    double train_accuracy = 0;    // on the (augmented) training batches as they were trained, 0..1
    double test_accuracy = 0;     // on the test set after the epoch, 0..1
    double seconds = 0;           // wall time of the epoch's training (not the evaluation)
    double learning_rate = 0;     // at the epoch's start
};

// A parameter array (float32, C order) to be saved as <name>.npy.
struct NamedArray {
    std::vector<size_t> shape;
    std::vector<float> values;
};

struct TrainResult {
    std::string model;
    nlohmann::json settings;              // architecture and hyper-parameters, as trained
    std::vector<EpochStats> epochs;
    double test_accuracy = 0;             // final, 0..1
    double train_seconds = 0;             // wall time of all epochs (no evaluation, no data loading)
    double infer_seconds_per_image = 0;   // test-set inference time / test images (batched, see settings)
    size_t parameters = 0;                // trainable scalars
    std::vector<uint8_t> test_predictions;
    std::map<std::string, NamedArray> weights;  // what is worth saving
};

// "mlp epoch 3/20: loss 0.1234, train 97.12%, test 97.80%, 4.2 s (lr 0.00095)" on stderr.
void print_epoch(const std::string& model, int epochs, const EpochStats& e);

// The epoch log as JSON (an array of objects).
nlohmann::json epochs_json(const std::vector<EpochStats>& epochs);

// The learning rate of a cosine schedule from base to 0 over total steps, at step (0-based).
double cosine_lr(double base, size_t step, size_t total);

}  // namespace mind1024::host::baselines
