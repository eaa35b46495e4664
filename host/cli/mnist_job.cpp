#include "host/cli/mnist_job.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "host/cli/common.h"
#include "host/board/errors.h"

namespace mind1024::host {

void add_scale_option(CLI::App* c, std::string& scale) {
    c->add_option("--scale", scale,
                  "weight scale: fit (largest weight on the top WBITS code, unless thresholds or fields would not fit "
                  "ABITS), weights (WBITS only: thresholds and fields may clip), or pixels (largest pixel weight on the "
                  "top code; larger couplings clip)")
        ->capture_default_str()
        ->check(CLI::IsMember({"fit", "weights", "pixels"}));
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
                  "prototype neurons per class, 1..200; the pixel neurons (400 at --crop 20) and, per class, these plus 2 "
                  "label neurons must fit the chip's 1024: at most 60 for MNIST's 10 classes at --crop 20. Every class "
                  "needs at least this many training images (see --train-limit)")
        ->capture_default_str()
        ->check(CLI::Range(1, 200));
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
    c->add_option("--holdout", o.holdout,
                  "hold the last N training images (after --train-limit) out of the training and classify them instead "
                  "of the test set: for tuning the options without looking at the test set (0: off)")
        ->capture_default_str()
        ->check(whole_number(0, UINT32_MAX));
}

MnistJob prepare_mnist_job(const MnistJobOptions& o, uint32_t n_max, const char* tag) {
    MnistJob j;
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
    ClassifierConfig cfg = o.classifier;
    cfg.coding.height = cfg.coding.width = o.crop;
    cfg.coding.top = j.train.rows >= o.crop ? (j.train.rows - o.crop) / 2 : 0;
    cfg.coding.left = j.train.cols >= o.crop ? (j.train.cols - o.crop) / 2 : 0;
    cfg.protos_per_class = o.protos;
    cfg.seed = o.seed;
    cfg.order = parse_order(o.order);
    cfg.neurons = n_max;
    check_same_geometry(j.train, j.test);
    // The network must fit the chip: checked here, before training, by the options' names.
    {
        const uint64_t classes = j.train.num_classes(), pixels = cfg.coding.size();
        const uint64_t need = pixels + classes * (uint64_t{o.protos} + cfg.label_reps);
        if (need > n_max) {
            const int64_t most = (static_cast<int64_t>(n_max) - static_cast<int64_t>(pixels)) / static_cast<int64_t>(classes) -
                                 static_cast<int64_t>(cfg.label_reps);
            throw BadArgument(fmt::format(
                "--protos {}: {} pixel neurons + {} classes x ({} prototypes + {} label neurons) = {} neurons, the chip "
                "has {}; {}",
                o.protos, pixels, classes, o.protos, cfg.label_reps, need, n_max,
                most >= 1 ? fmt::format("use --protos {} or less for {} classes", most, classes)
                          : std::string("no --protos fits this many classes")));
        }
    }
    // Every class the training labels span needs its prototypes' worth of images.
    // When --train-limit cut the set short, the cause is the options, not the labels file.
    if (o.train_limit && o.train_limit == j.train.count && !j.train.labels.empty()) {
        std::vector<size_t> count(j.train.num_classes(), 0);
        for (uint8_t l : j.train.labels) ++count[l];
        for (size_t k = 0; k < count.size(); ++k)
            if (count[k] < o.protos)
                throw BadArgument(fmt::format(
                    "--train-limit {} leaves class {} with {} training image(s), fewer than --protos {} (k-means needs "
                    "at least one image per prototype, and the classes are those of the first {} labels, 0..{}): "
                    "raise --train-limit or lower --protos",
                    o.train_limit, k, count[k], o.protos, o.train_limit, count.size() - 1));
    }
    check_labels(j.train, o.protos);
    // The classes come from the training labels; a test label outside them has no label neuron.
    const uint32_t classes = j.train.num_classes();
    for (size_t i = 0; i < j.images; ++i)
        if (j.test.labels[i] >= classes)
            throw DataError(fmt::format("{}: label {} of test item {} is not a class of the training set (0..{})",
                                        j.test.labels_path, int{j.test.labels[i]}, i, classes - 1));
    if (cfg.coding.top + cfg.coding.height > j.train.rows || cfg.coding.left + cfg.coding.width > j.train.cols)
        throw DataError(fmt::format("{}: {}x{} images are too small for the classifier's {}x{} pixel crop at ({}, {})",
                                    j.train.images_path, j.train.rows, j.train.cols,
                                    cfg.coding.height, cfg.coding.width, cfg.coding.top, cfg.coding.left));
    fmt::print(stderr, "[{}] training on {} images: {} prototypes per class (k-means, {} tuning epochs, {} on the attractor), order {}\n",
               tag, j.train.count, cfg.protos_per_class, cfg.tune_epochs, cfg.attractor_epochs, order_name(cfg.order));
    j.net = train_classifier(j.train, cfg);
    if (cfg.tune_epochs)
        fmt::print(stderr, "[{}] tuning: margin violations per epoch {}\n", tag, fmt::join(j.net.tune_violations, " "));
    if (cfg.attractor_epochs)
        fmt::print(stderr, "[{}] attractor tuning: training errors per epoch {}\n", tag, fmt::join(j.net.attractor_errors, " "));
    fmt::print(stderr, "[{}] trained in {:.1f} s: {} pixel, {} prototype, {} label neurons\n", tag, j.net.train_seconds,
               j.net.layout.pixels, j.net.layout.protos, j.net.layout.labels);
    j.pixels.resize(j.images);
    for (size_t i = 0; i < j.images; ++i)
        j.pixels[i] = encode_image(j.test.image(i), j.test.rows, j.test.cols, cfg.coding);
    return j;
}

}  // namespace mind1024::host
