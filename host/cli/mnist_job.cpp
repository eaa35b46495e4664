#include "host/cli/mnist_job.h"

#include <cstdlib>
#include <map>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "host/cli/common.h"
#include "host/board/errors.h"
#include "host/classify/classifier_file.h"
#include "host/report/output_file.h"
#include "host/report/result_cache.h"

namespace mind1024::host {

void add_scale_option(CLI::App* c, std::string& scale) {
    // The classifier's scale is a policy about what must fit ABITS, not the range
    // choice of the layered/run quantizer (max|percentile|mse): say so when those are given.
    const CLI::Validator policy(
        [](std::string& v) -> std::string {
            if (v == "fit" || v == "weights" || v == "pixels") return {};
            if (v == "max" || v == "percentile" || v == "mse")
                return "'" + v + "' is a range choice of the layered and run quantizer; the classifier's weight scale "
                       "is a policy: fit, weights or pixels";
            return "'" + v + "' is not a scale policy: fit, weights or pixels";
        },
        "fit|weights|pixels");
    c->add_option("--scale-policy,--scale", scale,
                  "weight scale policy: fit (largest weight on the top WBITS code, unless thresholds or fields would not "
                  "fit ABITS), weights (WBITS only: thresholds and fields may clip), or pixels (largest pixel weight on "
                  "the top code; larger couplings clip). (--scale is the older name; layered and run's --scale "
                  "max|percentile|mse chooses a range instead)")
        ->capture_default_str()
        ->check(policy);
}

void add_rounding_option(CLI::App* c, std::string& rounding) {
    c->add_option("--rounding", rounding, "quantizer rounding: nearest, or stochastic (unbiased, seeded by --seed)")
        ->capture_default_str()
        ->check(CLI::IsMember({"nearest", "stochastic"}));
}

void add_mnist_job_options(CLI::App* c, MnistJobOptions& o) {
    c->add_option("--data", o.data, "directory with the four MNIST IDX files (raw or .gz); default $MIND1024_DATA, then the set-up's copy");
    c->add_option("--limit", o.limit, "use only the first N test images (0 = all)")->capture_default_str()->check(whole_number(0, UINT32_MAX));
    c->add_option("--train-limit", o.train_limit, "train on the first N training images only (0 = all)")->capture_default_str()->check(whole_number(0, UINT32_MAX));
    c->add_option("--protos", o.protos,
                  "prototype neurons per class, 1..200; the pixel neurons (400 at --crop 20) and, per class, these plus the "
                  "--label-neurons (2) must fit the chip's 1024: at most 60 for MNIST's 10 classes at --crop 20 (61 with "
                  "one label neuron). Every class "
                  "needs at least this many training images (see --train-limit)")
        ->capture_default_str()
        ->check(CLI::Range(1, 200));
    c->add_option("--pixel-threshold", o.classifier.coding.threshold,
                  "a pixel neuron is +1 where the pixel is at least this (1..255), else -1")
        ->capture_default_str()
        ->check(CLI::Range(1, 255));
    c->add_option("--label-neurons", o.classifier.label_reps,
                  "label neurons per class, 1..8 (their summed fields vote); fewer leave room for prototypes (--protos)")
        ->capture_default_str()
        ->check(CLI::Range(1, 8));
    c->add_option("--crop", o.crop,
                  "side of the centred square of the image that becomes the pixel neurons (20: rows and columns 4..23 of "
                  "MNIST's 28); the pixels, the prototypes and the label neurons must fit the chip together")
        ->capture_default_str()
        ->check(CLI::Range(1, 32));
    c->add_option("--order", o.order, std::string("update order: ") + kOrderHelp)->capture_default_str()->check(order_check());
    c->add_option("--seed", o.seed, "seed of k-means and of the tuning's shuffle")->capture_default_str()->check(whole_number(0, UINT64_MAX));
    ClassifierConfig& k = o.classifier;
    c->add_option("--inhibition", k.inhibition, "mutual inhibition c among the prototype neurons, score units (the width of the k-WTA band)")
        ->capture_default_str()
        ->check(CLI::Range(0.0, 1e4));
    c->add_option("--offset", k.offset, "offset t added to every prototype's threshold, score units")->capture_default_str()->check(CLI::Range(-1e4, 1e4));
    c->add_option("--label-gain", k.label_gain, "coupling a between prototypes and label neurons, score units")
        ->capture_default_str()
        ->check(CLI::Range(0.0, 1e4));
    c->add_option("--ties", k.prototype_ties,
                  "who breaks a tie of the label sums: prototype (the class of the prototype with the largest field "
                  "among the tied classes' prototypes, read from the chip only on a tie) or lowest (the lowest tied "
                  "class); the attractor tuning and its validation use the same rule")
        ->transform(CLI::CheckedTransformer(std::map<std::string, bool>{{"prototype", true}, {"lowest", false}}))
        ->default_str("prototype");
    c->add_option("--tune-epochs", k.tune_epochs,
                  "epochs of discriminative tuning of the k-means prototypes (LVQ with a margin: on each training image "
                  "whose best wrong-class prototype scores within --tune-margin of its best own one, the own one moves "
                  "toward the image and the wrong ones inside the margin away); 0: k-means prototypes only")
        ->capture_default_str()
        ->check(CLI::Range(0, 100));
    c->add_option("--tune-rate", k.tune_rate, "step of the tuning (fraction of the way to the image), decaying linearly to 0")
        ->capture_default_str()
        ->check(CLI::Range(0.0, 1.0));
    c->add_option("--tune-margin", k.tune_margin, "score margin the tuning enforces between the best own and every wrong-class prototype")
        ->capture_default_str()
        ->check(CLI::Range(0.0, 1e4));
    c->add_option("--attractor-epochs", k.attractor_epochs,
                  "epochs of tuning on the attractor's own answers, after --tune-epochs: each training image runs "
                  "through the network's dynamics (in float) and, where the label comes out wrong, its best own-class "
                  "prototype moves toward the image and the wrong-class prototypes left on move away; 0: none")
        ->capture_default_str()
        ->check(CLI::Range(0, 100));
    c->add_option("--attractor-rate", k.attractor_rate, "step of the attractor tuning, decaying linearly to 0")
        ->capture_default_str()
        ->check(CLI::Range(0.0, 1.0));
    c->add_option("--validation", k.validation_images,
                  "training images held out (a seeded share of each class, at most a tenth of the set) to validate the "
                  "tunings after every epoch on the attractor's accuracy: kept at the end is the last epoch no worse "
                  "than epoch 0 (before the tuning) and within --validation-tolerance of the best; after any other "
                  "epoch the tuning goes back to the last kept one and halves its step; 0: no validation, the last "
                  "epoch is kept")
        ->capture_default_str()
        ->check(whole_number(0, UINT32_MAX));
    c->add_option("--validation-tolerance", k.validation_tolerance,
                  "held-out accuracy (points) an epoch may trail the best epoch by and still be kept (the noise of the "
                  "held-out sample)")
        ->capture_default_str()
        ->check(CLI::Range(0.0, 100.0));
    c->add_option("--threads", o.threads,
                  "training threads (0: all cores); the trained classifier is the same bits for any count")
        ->capture_default_str()
        ->check(whole_number(0, 1024));
    c->add_option("--holdout", o.holdout,
                  "hold the last N training images (after --train-limit) out of the training and classify them instead "
                  "of the test set: for tuning the options without looking at the test set (0: off)")
        ->capture_default_str()
        ->check(whole_number(0, UINT32_MAX));
    c->add_option("--net", o.net,
                  "a classifier saved with --save-net (or a cache entry): no training, so the training options "
                  "(--protos, --crop, --train-limit, --inhibition, --tune-*, ...) do not apply");
    c->add_option("--save-net", o.save_net, "save the trained classifier in this directory (see docs/mnist.md)");
    c->add_option("--cache", o.cache,
                  "keep trained classifiers in this directory, keyed by the SHA-256 of the settings and the training "
                  "images, and take one from it when the key matches (default $MIND1024_CACHE; none: train every time)");
    c->add_flag("--retrain", o.retrain, "with --cache: train again and replace the cached classifier");
}

namespace {

// Both splits; with --train-limit the training set cut, with --holdout its tail as the "test" set.
void load_splits(const MnistJobOptions& o, MnistJob& j, const char* tag) {
    j.dir = resolve_data_dir(o.data);
    fmt::print(stderr, "[{}] data: {}\n", tag, j.dir);
    j.train = load_mnist_split(j.dir, Split::Train);
    j.test = load_mnist_split(j.dir, Split::Test);
    if (o.train_limit && o.train_limit < j.train.count) {
        j.train.count = static_cast<uint32_t>(o.train_limit);
        j.train.images.resize(j.train.count * j.train.image_size());
        j.train.labels.resize(j.train.count);
    }
    if (o.holdout) {
        if (o.holdout >= j.train.count)
            throw BadArgument(fmt::format("--holdout {} leaves no training images (the training set has {})", o.holdout,
                                          j.train.count));
        // The held-out tail becomes the "test" set; its paths stay those of the training files.
        const size_t keep = j.train.count - o.holdout;
        j.test = j.train;
        j.test.count = static_cast<uint32_t>(o.holdout);
        j.test.images.erase(j.test.images.begin(), j.test.images.begin() + static_cast<long>(keep * j.train.image_size()));
        j.test.labels.erase(j.test.labels.begin(), j.test.labels.begin() + static_cast<long>(keep));
        j.train.count = static_cast<uint32_t>(keep);
        j.train.images.resize(keep * j.train.image_size());
        j.train.labels.resize(keep);
        fmt::print(stderr, "[{}] holdout: training images {}..{} are classified instead of the test set\n", tag, keep,
                   keep + o.holdout - 1);
    }
    j.images = o.limit ? std::min<size_t>(o.limit, j.test.count) : j.test.count;
    check_same_geometry(j.train, j.test);
}

ClassifierConfig classifier_config(const MnistJobOptions& o, const MnistSet& train, uint32_t n_max) {
    ClassifierConfig cfg = o.classifier;
    cfg.coding.height = cfg.coding.width = o.crop;
    cfg.coding.top = train.rows >= o.crop ? (train.rows - o.crop) / 2 : 0;
    cfg.coding.left = train.cols >= o.crop ? (train.cols - o.crop) / 2 : 0;
    cfg.protos_per_class = o.protos;
    cfg.seed = o.seed;
    cfg.order = parse_order(o.order);
    cfg.neurons = n_max;
    return cfg;
}

// The network must fit the chip: checked before training, by the options' names.
void check_fits_chip(const MnistJobOptions& o, const ClassifierConfig& cfg, const MnistSet& train, uint32_t n_max) {
    const uint64_t classes = train.num_classes(), pixels = cfg.coding.size();
    const uint64_t need = pixels + classes * (uint64_t{o.protos} + cfg.label_reps);
    if (need <= n_max) return;
    const int64_t most = (static_cast<int64_t>(n_max) - static_cast<int64_t>(pixels)) / static_cast<int64_t>(classes) -
                         static_cast<int64_t>(cfg.label_reps);
    throw BadArgument(fmt::format(
        "--protos {}: {} pixel neurons + {} classes x ({} prototypes + {} label neurons) = {} neurons, the chip "
        "has {}; {}",
        o.protos, pixels, classes, o.protos, cfg.label_reps, need, n_max,
        most >= 1 ? fmt::format("use --protos {} or less for {} classes", most, classes)
                  : std::string("no --protos fits this many classes")));
}

// Every class the training labels span needs its prototypes' worth of images.
// When --train-limit cut the set short, the cause is the options, not the labels file.
void check_training_labels(const MnistJobOptions& o, const MnistSet& train) {
    if (o.train_limit && o.train_limit == train.count && !train.labels.empty()) {
        std::vector<size_t> count(train.num_classes(), 0);
        for (uint8_t l : train.labels) ++count[l];
        for (size_t k = 0; k < count.size(); ++k)
            if (count[k] < o.protos)
                throw BadArgument(fmt::format(
                    "--train-limit {} leaves class {} with {} training image(s), fewer than --protos {} (k-means needs "
                    "at least one image per prototype, and the classes are those of the first {} labels, 0..{}): "
                    "raise --train-limit or lower --protos",
                    o.train_limit, k, count[k], o.protos, o.train_limit, count.size() - 1));
    }
    check_labels(train, o.protos);
}

// The classes come from the training labels (or the saved network); a test label
// outside them has no label neuron; the crop must fit `images` (those it is cut from).
void check_test_set(const MnistJob& j, const PixelCoding& c, uint32_t classes, const MnistSet& images,
                    const char* classes_of) {
    for (size_t i = 0; i < j.images; ++i)
        if (j.test.labels[i] >= classes)
            throw DataError(fmt::format("{}: label {} of test item {} is not a class of the {} (0..{})",
                                        j.test.labels_path, int{j.test.labels[i]}, i,
                                        classes_of, classes - 1));
    if (c.top + c.height > images.rows || c.left + c.width > images.cols)
        throw DataError(fmt::format("{}: {}x{} images are too small for the classifier's {}x{} pixel crop at ({}, {})",
                                    images.images_path, images.rows, images.cols, c.height, c.width, c.top, c.left));
}

// "97.10 97.32* ..." with the kept epoch starred.
std::string trace_text(const TuningTrace& r) {
    std::string s;
    for (size_t e = 0; e < r.accuracy.size(); ++e) s += fmt::format("{}{:.2f}{}", e ? " " : "", r.accuracy[e], e == r.kept ? "*" : "");
    return s;
}

TrainedClassifier train_logged(const MnistSet& train, const ClassifierConfig& cfg, const char* tag, unsigned threads) {
    fmt::print(stderr, "[{}] training on {} images ({} threads): {} prototypes per class (k-means, {} tuning epochs, {} on the attractor), order {}\n",
               tag, train.count, resolve_threads(threads), cfg.protos_per_class, cfg.tune_epochs, cfg.attractor_epochs,
               order_name(cfg.order));
    TrainedClassifier net = train_classifier(train, cfg, threads);
    if (net.validation_images)
        fmt::print(stderr, "[{}] validation: {} training images held out; accuracy (%) after each epoch, from epoch 0 "
                   "(before the tuning), * = kept\n", tag, net.validation_images);
    if (cfg.tune_epochs) {
        fmt::print(stderr, "[{}] tuning: margin violations per epoch {}\n", tag, fmt::join(net.tune_violations, " "));
        if (net.validation_images)
            fmt::print(stderr, "[{}] tuning: held-out accuracy {} (epoch {} kept)\n", tag, trace_text(net.tune_trace),
                       net.tune_trace.kept);
    }
    if (cfg.attractor_epochs) {
        fmt::print(stderr, "[{}] attractor tuning: training errors per epoch {}\n", tag, fmt::join(net.attractor_errors, " "));
        if (net.validation_images)
            fmt::print(stderr, "[{}] attractor tuning: held-out accuracy {} (epoch {} kept)\n", tag,
                       trace_text(net.attractor_trace), net.attractor_trace.kept);
    }
    fmt::print(stderr, "[{}] trained in {:.1f} s: {} pixel, {} prototype, {} label neurons\n", tag, net.train_seconds,
               net.layout.pixels, net.layout.protos, net.layout.labels);
    return net;
}

// Trained, or from the cache (keyed by the settings and the training set's SHA-256).
TrainedClassifier obtain_classifier(const MnistJobOptions& o, const MnistSet& train, const ClassifierConfig& cfg,
                                    const char* tag, bool& cached) {
    cached = false;
    if (o.cache.empty()) return train_logged(train, cfg, tag, o.threads);
    const ResultCache cache(o.cache);
    const nlohmann::json key = classifier_cache_key(train, cfg);
    const std::string dir = cache.dir_for("classifier", key);
    if (!o.retrain && cache.lookup(dir, key)) {
        TrainedClassifier net = load_classifier(dir);
        fmt::print(stderr, "[{}] classifier from the cache: {} (trained in {:.1f} s)\n", tag, dir, net.train_seconds);
        cached = true;
        return net;
    }
    TrainedClassifier net = train_logged(train, cfg, tag, o.threads);
    const std::string staging = cache.stage(dir);
    save_classifier(net, staging);
    cache.commit(staging, dir, key);
    fmt::print(stderr, "[{}] classifier stored in the cache: {}\n", tag, dir);
    return net;
}

}  // namespace

MnistJob prepare_mnist_job(const MnistJobOptions& given, uint32_t n_max, const char* tag) {
    MnistJobOptions o = given;
    if (o.cache.empty())
        if (const char* e = std::getenv("MIND1024_CACHE"); e && *e) o.cache = e;
    MnistJob j;
    if (!o.net.empty() && !o.save_net.empty())
        throw BadArgument("--net loads a saved classifier and --save-net saves a trained one: give one of them");
    if (!o.save_net.empty()) check_output_dir(o.save_net);
    if (!o.cache.empty()) check_output_dir(o.cache);
    load_splits(o, j, tag);
    if (!o.net.empty()) {
        // A saved network: no training, so the training options do not apply.
        j.net = load_classifier(o.net);
        j.net_cached = true;
        if (j.net.layout.n > n_max)
            throw BadArgument(fmt::format("--net {}: the network has {} neurons, the chip {} (--n-max)", o.net,
                                          j.net.layout.n, n_max));
        fmt::print(stderr, "[{}] classifier loaded from {}: {} pixel, {} prototype, {} label neurons\n", tag, o.net,
                   j.net.layout.pixels, j.net.layout.protos, j.net.layout.labels);
        check_test_set(j, j.net.cfg.coding, j.net.layout.classes, j.test, "saved network");
    } else {
        const ClassifierConfig cfg = classifier_config(o, j.train, n_max);
        check_fits_chip(o, cfg, j.train, n_max);
        check_training_labels(o, j.train);
        check_test_set(j, cfg.coding, j.train.num_classes(), j.train, "training set");
        j.net = obtain_classifier(o, j.train, cfg, tag, j.net_cached);
        if (!o.save_net.empty()) {
            save_classifier(j.net, o.save_net);
            fmt::print(stderr, "[{}] classifier saved in {}\n", tag, o.save_net);
        }
    }
    j.pixels.resize(j.images);
    for (size_t i = 0; i < j.images; ++i)
        j.pixels[i] = encode_image(j.test.image(i), j.test.rows, j.test.cols, j.net.cfg.coding);
    return j;
}

ChipNetwork quantize_for_chip(const TrainedClassifier& net, const ChipParams& p, const std::string& scale,
                              const std::string& rounding, uint64_t seed, const char* tag) {
    const ChipNetwork q =
        quantize_classifier(net, p.wbits, p.abits, parse_scale_policy(scale), parse_rounding(rounding), seed);
    fmt::print(stderr, "[{}] weights: {} (scale limited by {})\n", tag, q.weight_report.describe(), q.scale_limited_by);
    fmt::print(stderr, "[{}] thresholds: max |theta| = {}, {} clipped to ABITS={}\n", tag, q.max_abs_threshold,
               q.thresholds_clipped, p.abits);
    return q;
}

}  // namespace mind1024::host
