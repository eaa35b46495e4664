// What `mnist` and `sweep` share: the data options, loading both splits,
// training the classifier once and encoding the test images.
#pragma once
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "host/data/idx_reader.h"
#include "host/classify/prototype_classifier.h"

namespace mind1024::host {

struct MnistJobOptions {
    std::string data;
    size_t limit = 0, train_limit = 0;
    size_t holdout = 0;  // last N training images classified instead of the test set
    uint32_t protos = 60;
    uint32_t crop = 20;  // side of the centred square of pixel neurons
    ClassifierConfig classifier;  // --inhibition, --offset, --label-gain, --tune-*
    uint64_t seed = 0;
    std::string order = "async";
    std::string net;       // --net: a saved classifier instead of a training
    std::string save_net;  // --save-net: where to save the trained one
    std::string cache;     // --cache: trained classifiers kept by key (default $MIND1024_CACHE)
    bool retrain = false;
    unsigned threads = 0;  // --threads: training threads, 0 = all cores (the same bits for any count)
};

struct MnistJob {
    std::string dir;
    MnistSet train, test;
    size_t images = 0;                        // test images used (held-out training images with --holdout)
    TrainedClassifier net;
    bool net_cached = false;                  // taken from --cache (or loaded with --net), not trained here
    std::vector<std::vector<int8_t>> pixels;  // encoded test images
};

void add_mnist_job_options(CLI::App* c, MnistJobOptions& o);
// --scale-policy (or --scale) fit|weights|pixels (see ScalePolicy), the same on every command that
// quantizes the classifier; max|percentile|mse get a message naming the two vocabularies.
void add_scale_option(CLI::App* c, std::string& scale);
// --rounding nearest|stochastic (the quantizer's rounding), the same on every command.
void add_rounding_option(CLI::App* c, std::string& rounding);
// Loads, trains (logging with `tag`) and encodes; n_max is the chip's neuron count.
MnistJob prepare_mnist_job(const MnistJobOptions& o, uint32_t n_max, const char* tag);
// The classifier quantized for the chip p (--scale, --rounding, seeded), its report logged with `tag`.
ChipNetwork quantize_for_chip(const TrainedClassifier& net, const ChipParams& p, const std::string& scale,
                              const std::string& rounding, uint64_t seed, const char* tag);

}  // namespace mind1024::host
