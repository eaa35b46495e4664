// MNIST on the chip as an attractor network (see docs/mnist.md):
//  - pixel neurons: a crop of the image, binarized, clamped;
//  - prototype neurons: k-means centroids per class, excited by the pixels
//    that match them and inhibiting each other, so the state relaxes to a
//    k-winner-take-all attractor around the nearest prototypes;
//  - label neurons: a few per class, tied to their class's prototypes; the
//    label is the class whose label neurons end with the largest field.
// Weights among free neurons are symmetric with a zero diagonal, so
// asynchronous updates always converge.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "host/board/chip_driver.h"
#include "host/twin/float_twin.h"
#include "host/data/idx_reader.h"
#include "host/learning/quantizer.h"

namespace mind1024::host {

struct PixelCoding {
    uint32_t top = 4, left = 4, height = 20, width = 20;  // crop
    uint32_t threshold = 64;                              // pixel >= threshold -> +1
    uint32_t size() const { return height * width; }
};

struct ClassifierConfig {
    PixelCoding coding;
    uint32_t neurons = 1024;          // the chip's N_MAX
    uint32_t protos_per_class = 60;
    uint32_t label_reps = 2;          // label neurons per class
    // Tied label sums go to the class of the largest-field prototype among the
    // tied classes' (pick_label with prototypes), else to the lowest class.
    // Classifiers saved before the rule existed have false.
    bool prototype_ties = true;
    double inhibition = 12.0;         // c: mutual inhibition among prototypes (score units); 14 before the tuning
    double offset = -80.0;            // t: shifts every prototype's threshold
    double label_gain = 3.0;          // a: prototype <-> label coupling
    double ridge = 1e4;               // ridge of the per-image offset regression (0: none)
    uint32_t kmeans_iters = 15;
    // Discriminative tuning of the k-means prototypes (LVQ with a margin, see
    // tune_prototypes): epochs over the training set, 0 = k-means only.
    // Chosen on held-out training images (docs/mnist.md).
    uint32_t tune_epochs = 30;
    double tune_rate = 0.03;     // step toward/away from the image, decays linearly to 0
    double tune_margin = 10.0;   // score units
    // Then tuning on the attractor's answers (the network's own dynamics on
    // each training image; LVQ steps where the label is wrong), 0 = none.
    uint32_t attractor_epochs = 3;
    double attractor_rate = 0.01;
    // Training images held out (a seeded, per-class share, at most a tenth of
    // the set) to validate the tunings after every epoch: the attractor's
    // accuracy on them (float model of the run). Kept at the end: the last
    // epoch no worse than epoch 0 (before the tuning) and within the tolerance
    // (points) of the best epoch; after any other epoch the tuning goes back to
    // the last kept epoch and halves its step. 0: no validation, the last epoch
    // is kept.
    uint32_t validation_images = 5000;
    double validation_tolerance = 0.2;
    uint64_t seed = 0;
    Order order = Order::AsyncSeq;
    uint32_t max_sweeps = 30;
};

struct ClassifierLayout {
    uint32_t classes = 10, pixels = 0, first_proto = 0, protos = 0, first_label = 0, labels = 0, n = 0;
};

// What one tuning (LVQ or attractor) gave, epoch by epoch, on the held-out images.
struct TuningTrace {
    std::vector<double> accuracy;  // % correct; [0] before the first epoch, [e] after epoch e
    std::vector<double> rate;      // the step at the start of each epoch (after halvings)
    uint32_t kept = 0;             // the epoch whose prototypes were kept (0: none of this tuning's)
};

struct TrainedClassifier {
    ClassifierConfig cfg;
    ClassifierLayout layout;
    FloatNetwork net;               // n x n, sigma domain
    std::vector<double> bias;       // b-domain bias of each free neuron (score units)
    std::vector<uint8_t> clamp;     // pixels and unused neurons
    std::vector<float> centroids;   // protos x pixels, in [-1, 1] (for pictures)
    std::vector<size_t> tune_violations;  // per tuning epoch: images whose margin was violated
    std::vector<size_t> attractor_errors; // per attractor epoch: training images the attractor got wrong
    size_t validation_images = 0;         // held out of the training (0: no validation)
    TuningTrace tune_trace, attractor_trace;  // empty without validation
    double train_seconds = 0;
};

// How the float network's scale (chip integers per float unit) is chosen.
enum class ScalePolicy {
    WeightsOnly,  // largest weight -> top WBITS code; thresholds and fields may not fit ABITS
    Fit,          // also no larger than lets every threshold and every field fit ABITS
    Pixels,       // largest pixel weight on the top code (couplings may clip), then as Fit
};

struct ChipNetwork {
    WeightMatrix weights;
    std::string scale_limited_by;  // "WBITS", "ABITS (thresholds)" or "ABITS (fields)"
    std::vector<int32_t> thresholds;
    QuantReport weight_report;
    size_t thresholds_clipped = 0;
    int64_t max_abs_threshold = 0;
};

// Encodes one image (rows x cols bytes) as ±1 pixel neurons.
std::vector<int8_t> encode_image(const uint8_t* img, uint32_t rows, uint32_t cols, const PixelCoding& c);
// Checks that the layout fits the chip; throws BadArgument naming what does not.
ClassifierLayout make_layout(const ClassifierConfig& cfg, uint32_t classes);

// `threads` (0: all cores) changes only the speed: the result is the same bits for any count.
TrainedClassifier train_classifier(const MnistSet& train, const ClassifierConfig& cfg, unsigned threads = 1);
// The thread count `threads` asks for (0: the machine's cores).
unsigned resolve_threads(unsigned threads);
// LVQ with a margin on prototypes `c` (protos x dim, row-major, class of row m
// in proto_class[m]) for images `x` (count x dim, ±1) with labels `y`. Score
// s_m = x.mu_m - |mu_m|^2/2. For each image (seeded shuffle, every epoch) whose
// best wrong-class score comes within `margin` of its best own-class score,
// the best own prototype moves toward the image and every wrong-class one
// inside the margin moves away (step rate, decaying linearly); values stay in
// [-1, 1]. `x` must be ±1 (scores are sums over its +1 pixels). Returns the
// violations per epoch. (train_classifier validates each epoch on top of this.)
std::vector<size_t> tune_prototypes(float* c, const std::vector<uint32_t>& proto_class, const float* x,
                                    const std::vector<uint8_t>& y, size_t dim, uint32_t epochs, double rate,
                                    double margin, uint64_t seed);
// Quantizes to WBITS (rounding to nearest at the policy's scale) and
// recomputes the thresholds from the rounded weights, so the "off = -1"
// folding stays exact; thresholds saturate at ABITS (counted).
// `rounding` of the couplings (stochastic: unbiased, drawn from `seed`).
ChipNetwork quantize_classifier(const TrainedClassifier& t, unsigned wbits, unsigned abits,
                                ScalePolicy policy = ScalePolicy::Fit, Rounding rounding = Rounding::Nearest,
                                uint64_t seed = 1);
ScalePolicy parse_scale_policy(const std::string& s);  // "fit" | "weights" | "pixels"

// Initial state of the network for one encoded image.
std::vector<int8_t> initial_state(const TrainedClassifier& t, const std::vector<int8_t>& pixels);

struct Classification {
    int label = -1;
    bool tied = false;  // no class had the largest label sum alone
    RunResult run;
};
// One image through a chip (the network must already be loaded, clamp set).
Classification classify_on_chip(ChipDriver& chip, const TrainedClassifier& t, const std::vector<int8_t>& pixels,
                                uint32_t seed, bool wrap = false);
// A batch of images through a chip, image k with seed first_seed + k: the same
// results as classify_on_chip image by image (ChipDriver::classify_batch; in
// firmware mode the board's firmware runs the per-image procedure).
std::vector<Classification> classify_batch_on_chip(ChipDriver& chip, const TrainedClassifier& t,
                                                   const std::vector<std::vector<int8_t>>& pixels,
                                                   uint32_t first_seed, bool wrap = false);
// The same through the float twin. `stuck` (neuron, value): states forced
// before the run, for a twin that clamps those neurons (stuck-neuron faults).
Classification classify_on_twin(FloatTwin& twin, const TrainedClassifier& t, const std::vector<int8_t>& pixels,
                                uint32_t seed, const std::vector<std::pair<uint32_t, int8_t>>* stuck = nullptr);
RunParams run_params(const TrainedClassifier& t, uint32_t seed, bool wrap = false);

}  // namespace mind1024::host
