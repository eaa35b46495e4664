// The prototype classifier's discriminative tuning (tune_prototypes and
// train_classifier with tune_epochs): it must lower the training error,
// keep the prototypes in [-1, 1], give the same bits for the same seed and
// any thread count, and, validated, never end below where it started.
#include <algorithm>
#include <cstring>
#include <random>

#include <gtest/gtest.h>

#include "host/classify/prototype_classifier.h"
#include "host/data/idx_reader.h"
#include "host/twin/float_twin.h"

namespace mind1024::host {
namespace {

// Two classes of noisy ±1 copies of two templates that share most pixels.
struct Synthetic {
    size_t dim = 64, count = 0;
    std::vector<float> x;
    std::vector<uint8_t> y;
};

Synthetic synthetic(size_t per_class, uint64_t seed) {
    Synthetic s;
    std::mt19937_64 rng(seed);
    std::vector<float> tmpl[2];
    for (auto& t : tmpl) t.assign(s.dim, 1.0f);
    for (size_t p = 0; p < 8; ++p) tmpl[1][p] = -1.0f;  // the classes differ in 8 of 64 pixels
    for (size_t i = 0; i < 2 * per_class; ++i) {
        const uint8_t c = i % 2;
        for (size_t p = 0; p < s.dim; ++p) s.x.push_back(rng() % 100 < 20 ? -tmpl[c][p] : tmpl[c][p]);
        s.y.push_back(c);
    }
    s.count = s.y.size();
    return s;
}

// Nearest-prototype errors (largest score x.mu - |mu|^2/2) on the set.
size_t nearest_errors(const std::vector<float>& c, const std::vector<uint32_t>& cls, const Synthetic& s) {
    size_t errors = 0;
    for (size_t i = 0; i < s.count; ++i) {
        double best = -1e30;
        uint32_t label = 0;
        for (size_t m = 0; m < cls.size(); ++m) {
            double dot = 0, n2 = 0;
            for (size_t p = 0; p < s.dim; ++p) dot += s.x[i * s.dim + p] * c[m * s.dim + p], n2 += c[m * s.dim + p] * c[m * s.dim + p];
            if (dot - n2 / 2 > best) best = dot - n2 / 2, label = cls[m];
        }
        errors += label != s.y[i];
    }
    return errors;
}

TEST(TunePrototypes, LowersTrainingErrorAndViolations) {
    const Synthetic s = synthetic(200, 7);
    // Poor start: both prototypes of each class are the other class's template mixed in.
    const std::vector<uint32_t> cls{0, 1, 0, 1};
    std::vector<float> c(cls.size() * s.dim, 0.0f);
    for (size_t m = 0; m < cls.size(); ++m)
        for (size_t p = 0; p < s.dim; ++p) c[m * s.dim + p] = p < 8 ? (cls[m] ? 0.2f : -0.2f) : 0.5f;
    const size_t before = nearest_errors(c, cls, s);
    ASSERT_GT(before, s.count / 4);
    const auto v = tune_prototypes(c.data(), cls, s.x.data(), s.y, s.dim, 6, 0.05, 4.0, 1);
    ASSERT_EQ(v.size(), 6u);
    EXPECT_LT(v.back(), v.front());
    EXPECT_LT(nearest_errors(c, cls, s), before / 2);
    for (float f : c) {
        EXPECT_LE(f, 1.0f);
        EXPECT_GE(f, -1.0f);
    }
}

TEST(TunePrototypes, SameSeedSameBitsOtherSeedOtherOrder) {
    const Synthetic s = synthetic(100, 3);
    const std::vector<uint32_t> cls{0, 1, 0, 1};
    const std::vector<float> start(cls.size() * s.dim, 0.1f);
    auto run = [&](uint64_t seed) {
        std::vector<float> c = start;
        tune_prototypes(c.data(), cls, s.x.data(), s.y, s.dim, 3, 0.05, 4.0, seed);
        return c;
    };
    EXPECT_EQ(run(5), run(5));
    EXPECT_NE(run(5), run(6));
}

TEST(TunePrototypes, NoViolationNoChange) {
    const Synthetic s = synthetic(50, 11);
    const std::vector<uint32_t> cls{0, 1};
    std::vector<float> c(2 * s.dim, 1.0f);
    for (size_t p = 0; p < 8; ++p) c[s.dim + p] = -1.0f;  // the templates themselves
    const std::vector<float> before = c;
    const auto v = tune_prototypes(c.data(), cls, s.x.data(), s.y, s.dim, 2, 0.05, 0.0, 1);
    // With margin 0 only misclassified images move anything; 20% noise on 8 pixels misleads few.
    EXPECT_EQ(v[0] + v[1] == 0, c == before);
}

// On an MNIST slice: the tuned network, run by the float twin's dynamics,
// makes fewer errors on its own training images than the k-means one.
const MnistSet* mnist_train_slice() {
    static const MnistSet* slice = []() -> const MnistSet* {
        try {
            static MnistSet s = load_mnist_split(resolve_data_dir(), Split::Train);
            s.count = 2000;
            s.images.resize(size_t{s.count} * s.image_size());
            s.labels.resize(s.count);
            return &s;
        } catch (const DataError&) {
            return nullptr;
        }
    }();
    return slice;
}

size_t twin_errors(const TrainedClassifier& t, const MnistSet& s) {
    FloatTwin twin(t.net);
    twin.set_clamp(t.clamp);
    size_t errors = 0;
    for (size_t i = 0; i < s.count; ++i) {
        const auto px = encode_image(s.image(i), s.rows, s.cols, t.cfg.coding);
        errors += classify_on_twin(twin, t, px, static_cast<uint32_t>(i + 1)).label != s.labels[i];
    }
    return errors;
}

// Without validation: the tunings as they are, every epoch kept.
ClassifierConfig small_config(uint32_t tune_epochs, uint32_t attractor_epochs) {
    ClassifierConfig cfg;
    cfg.protos_per_class = 10;
    cfg.tune_epochs = tune_epochs;
    cfg.attractor_epochs = attractor_epochs;
    cfg.validation_images = 0;
    return cfg;
}

TEST(TrainClassifier, TuningLowersTrainingErrorOnMnistSlice) {
    const MnistSet* s = mnist_train_slice();
    if (!s) GTEST_SKIP() << "MNIST not found (scripts/setup.sh data fetches it, or set MIND1024_DATA)";
    const size_t plain = twin_errors(train_classifier(*s, small_config(0, 0)), *s);
    const TrainedClassifier tuned = train_classifier(*s, small_config(4, 0));
    ASSERT_EQ(tuned.tune_violations.size(), 4u);
    EXPECT_TRUE(tuned.attractor_errors.empty());
    EXPECT_LT(tuned.tune_violations.back(), tuned.tune_violations.front());
    const size_t after = twin_errors(tuned, *s);
    EXPECT_LT(after, plain) << "k-means " << plain << " errors, tuned " << after;
}

// The attractor tuning's model of the run (the engine on the 0/1 form) counts
// the same training errors as the float twin on the same network: at rate 0
// nothing moves, so its count is that of the LVQ-tuned network.
TEST(TrainClassifier, AttractorModelAgreesWithTheTwin) {
    const MnistSet* s = mnist_train_slice();
    if (!s) GTEST_SKIP() << "MNIST not found (scripts/setup.sh data fetches it, or set MIND1024_DATA)";
    const TrainedClassifier lvq = train_classifier(*s, small_config(2, 0));
    ClassifierConfig cfg = small_config(2, 1);
    cfg.attractor_rate = 0;
    const TrainedClassifier same = train_classifier(*s, cfg);
    EXPECT_EQ(same.net.w, lvq.net.w);
    ASSERT_EQ(same.attractor_errors.size(), 1u);
    const size_t twin = twin_errors(lvq, *s);
    EXPECT_NEAR(static_cast<double>(same.attractor_errors[0]), static_cast<double>(twin), 2.0);
    EXPECT_GT(twin, 0u);
}

TEST(TrainClassifier, AttractorTuningLowersTrainingError) {
    const MnistSet* s = mnist_train_slice();
    if (!s) GTEST_SKIP() << "MNIST not found (scripts/setup.sh data fetches it, or set MIND1024_DATA)";
    const size_t lvq = twin_errors(train_classifier(*s, small_config(2, 0)), *s);
    ClassifierConfig cfg = small_config(2, 4);
    cfg.attractor_rate = 0.03;
    const TrainedClassifier t = train_classifier(*s, cfg);
    ASSERT_EQ(t.attractor_errors.size(), 4u);
    EXPECT_LT(t.attractor_errors.back(), t.attractor_errors.front());
    EXPECT_LT(twin_errors(t, *s), lvq);
}

TEST(TrainClassifier, TunedNetworkIsDeterministicForASeed) {
    const MnistSet* s = mnist_train_slice();
    if (!s) GTEST_SKIP() << "MNIST not found (scripts/setup.sh data fetches it, or set MIND1024_DATA)";
    ClassifierConfig cfg = small_config(2, 1);
    const TrainedClassifier a = train_classifier(*s, cfg), b = train_classifier(*s, cfg);
    EXPECT_EQ(a.net.w, b.net.w);
    EXPECT_EQ(a.net.theta, b.net.theta);
    EXPECT_EQ(a.tune_violations, b.tune_violations);
    EXPECT_EQ(a.attractor_errors, b.attractor_errors);
    cfg.seed = 1;
    EXPECT_NE(train_classifier(*s, cfg).net.w, a.net.w);
}

// A tuning that diverges (a huge margin and step) ends where it started: the
// held-out accuracy falls below epoch 0's, each fall halves the step, and the
// k-means prototypes (epoch 0) are what is kept, bit for bit.
TEST(TrainClassifier, ValidatedTuningNeverEndsBelowItsStart) {
    const MnistSet* s = mnist_train_slice();
    if (!s) GTEST_SKIP() << "MNIST not found (scripts/setup.sh data fetches it, or set MIND1024_DATA)";
    ClassifierConfig cfg = small_config(3, 0);
    cfg.validation_images = 200;
    cfg.tune_rate = 0.5;
    cfg.tune_margin = 150;
    const TrainedClassifier t = train_classifier(*s, cfg);
    EXPECT_NEAR(static_cast<double>(t.validation_images), 200.0, 5.0);  // a share of each class, rounded
    const TuningTrace& r = t.tune_trace;
    ASSERT_EQ(r.accuracy.size(), 4u);
    ASSERT_EQ(r.rate.size(), 3u);
    EXPECT_LT(r.accuracy[1], r.accuracy[0]) << "the test needs a diverging tuning";
    EXPECT_EQ(r.rate[1], r.rate[0] / 2);
    EXPECT_EQ(r.kept, 0u);
    EXPECT_EQ(t.net.w, train_classifier(*s, [&] { ClassifierConfig c = cfg; c.tune_epochs = 0; return c; }()).net.w);

    // A sound tuning keeps an epoch at least as good as epoch 0 and within the tolerance of the best.
    cfg = small_config(3, 2);
    cfg.validation_images = 200;
    const TrainedClassifier u = train_classifier(*s, cfg);
    for (const TuningTrace* x : {&u.tune_trace, &u.attractor_trace}) {
        ASSERT_FALSE(x->accuracy.empty());
        EXPECT_GE(x->accuracy[x->kept], x->accuracy[0]);
        EXPECT_GE(x->accuracy[x->kept],
                  *std::max_element(x->accuracy.begin(), x->accuracy.end()) - cfg.validation_tolerance);
    }
    EXPECT_GT(u.tune_trace.kept, 0u);
    EXPECT_EQ(u.attractor_trace.accuracy[0], u.tune_trace.accuracy[u.tune_trace.kept]);
}

// The threads split the images and the classes in fixed parts; every sum keeps its order.
TEST(TrainClassifier, SameBitsWhateverTheThreads) {
    const MnistSet* s = mnist_train_slice();
    if (!s) GTEST_SKIP() << "MNIST not found (scripts/setup.sh data fetches it, or set MIND1024_DATA)";
    ClassifierConfig cfg = small_config(2, 1);
    cfg.validation_images = 200;
    const TrainedClassifier a = train_classifier(*s, cfg, 1);
    for (unsigned threads : {2u, 3u}) {
        const TrainedClassifier b = train_classifier(*s, cfg, threads);
        EXPECT_EQ(0, std::memcmp(a.net.w.data(), b.net.w.data(), a.net.w.size() * sizeof(float))) << threads;
        EXPECT_EQ(0, std::memcmp(a.net.theta.data(), b.net.theta.data(), a.net.theta.size() * sizeof(float))) << threads;
        EXPECT_EQ(0, std::memcmp(a.bias.data(), b.bias.data(), a.bias.size() * sizeof(double))) << threads;
        EXPECT_EQ(a.tune_trace.accuracy, b.tune_trace.accuracy) << threads;
        EXPECT_EQ(a.attractor_trace.accuracy, b.attractor_trace.accuracy) << threads;
        EXPECT_EQ(a.tune_violations, b.tune_violations) << threads;
        EXPECT_EQ(a.attractor_errors, b.attractor_errors) << threads;
    }
}

}  // namespace
}  // namespace mind1024::host
