// The classification study: a trained prototype classifier run over a set of
// encoded images on a chip and on its float twin, image k with seed k + 1.
// The results are values (predictions, sweeps, cycles, overflow, confusion);
// writers (mnist.json, predictions.csv, confusion.png, ...) live apart from them.
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "host/board/chip_driver.h"
#include "host/classify/prototype_classifier.h"
#include "host/study/chip_spec.h"
#include "host/twin/float_twin.h"

namespace mind1024::host {

// One engine's answers over the images and their tallies.
struct ClassifierRun {
    std::vector<int> predicted;
    std::vector<uint32_t> sweeps;
    std::vector<uint64_t> cycles;  // per image (the chip only; empty for the twin)
    size_t correct = 0, not_converged = 0;
    size_t unanswered = 0;  // images whose largest label sum was shared (labelled by the tie rule: ClassifierConfig::prototype_ties)
    uint64_t overflow_events = 0, max_overflow_events = 0;  // accumulator overflows (the chip only)
    size_t images_with_overflow = 0;
    uint64_t total_cycles = 0;
    double sim_seconds = 0;   // simulated time of the chip's calls
    double wall_seconds = 0;  // host time

    size_t images() const { return predicted.size(); }
    double accuracy() const { return images() ? 100.0 * double(correct) / double(images()) : 0.0; }  // percent
    double mean_sweeps() const;
    double cycles_per_image() const { return images() ? double(total_cycles) / double(images()) : 0.0; }
    // Counts of (true label, predicted label), classes x classes, row-major.
    std::vector<size_t> confusion(const std::vector<uint8_t>& labels, uint32_t classes) const;
};

// The images of a classification: encoded pixel neurons and true labels.
struct LabelledImages {
    const std::vector<std::vector<int8_t>>* pixels = nullptr;
    const std::vector<uint8_t>* labels = nullptr;  // at least as many as pixels
    size_t count() const { return pixels ? pixels->size() : 0; }
};

struct ChipRunOptions {
    bool wrap = false;
    size_t examples = 0;   // the first images one by one, their final states kept
    size_t batch = 256;    // the rest in batches (the firmware runs a batch itself in firmware mode)
    std::function<void(size_t done)> progress;
};

// The loaded chip (weights, thresholds, clamp: load_classifier_on_chip) over every image.
ClassifierRun classify_all_on_chip(ChipDriver& chip, const TrainedClassifier& net, const LabelledImages& data,
                                   const ChipRunOptions& opt = {},
                                   std::vector<std::vector<int8_t>>* example_states = nullptr);
// The float twin over every image; `stuck` neurons forced before each run (stuck-neuron
// faults); `stop` ends it early (the caller is leaving).
ClassifierRun classify_all_on_twin(FloatTwin& twin, const TrainedClassifier& net, const LabelledImages& data,
                                   const std::vector<std::pair<uint32_t, int8_t>>* stuck = nullptr,
                                   const std::atomic<bool>* stop = nullptr);
// The classifier's twin: its float network with its clamp mask.
FloatTwin make_twin(const TrainedClassifier& net);
// Soft reset, then the quantized network and the classifier's clamp mask into the chip.
void load_classifier_on_chip(ChipDriver& chip, const TrainedClassifier& net, const ChipNetwork& q);

struct ClassifierEvalOptions {
    ChipRunOptions chip;
    bool run_twin = true;  // the float twin on a second thread while the chip runs
};

struct ClassifierEval {
    ClassifierRun chip, twin;
    bool twin_run = false;
    std::vector<std::vector<int8_t>> example_states;  // final states of the first images
    std::vector<size_t> confusion;                    // the chip's, true x predicted
    uint32_t classes = 0;
};

// The whole study: loads q on the chip, runs every image there and (optionally,
// at the same time) on the float twin; errors of either side come out as exceptions.
ClassifierEval evaluate_classifier(ChipDriver& chip, const TrainedClassifier& net, const ChipNetwork& q,
                                   const LabelledImages& data, const ClassifierEvalOptions& opt = {});

// How a float classifier becomes a chip network (mnist's --scale, --rounding, --seed).
struct QuantizeOptions {
    std::string scale = "fit";         // fit | weights | pixels (ScalePolicy)
    std::string rounding = "nearest";  // nearest | stochastic
    uint64_t seed = 0;
};
ChipNetwork quantize_for(const TrainedClassifier& net, const ChipParams& p, const QuantizeOptions& q);

// The classifier on each chip spec, each in a child process of its own (SystemC
// elaborates one board per process), and the float twin once, in another; the
// parent must not have opened a SystemC chip. results[k] is spec k's
// (chip_point_json), the last is the twin's (accuracy, mean_sweeps,
// not_converged); a failed configuration is {"error": message}. `done` is
// called in the parent as each one ends.
std::vector<nlohmann::json> classify_over_chips(
    const TrainedClassifier& net, const LabelledImages& data, const std::vector<ChipSpec>& specs,
    const QuantizeOptions& q, unsigned parallel,
    const std::function<void(size_t, const nlohmann::json&)>& done = {});
// One configuration's figures: chip_figures_json's accuracy and sweeps as the
// sweep names them, cycles, overflow per image, and the quantization's clipping.
nlohmann::json chip_point_json(const ClassifierRun& r, const ChipNetwork& q);

// The figures of a chip run as JSON, one schema wherever they are written or
// read back (mnist.json's top level, the report, the design-space runs).
nlohmann::json chip_figures_json(const ClassifierRun& r);
// The quantization's figures (mnist.json's "quantization").
nlohmann::json quantization_json(const ChipNetwork& q, const std::string& scale_policy, const std::string& rounding);
// The classifier's settings and training figures (mnist.json's "classifier").
nlohmann::json classifier_json(const TrainedClassifier& net);

}  // namespace mind1024::host
