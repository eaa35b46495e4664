// The saved classifier (save_classifier / load_classifier): a round trip
// gives the same bits and the same answers on the twin and the chip's
// reference model; each kind of damage is a DataError naming the file; the
// cache key changes with every setting and every byte of the data, and only then.
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <set>
#include <sstream>
#include <tuple>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "host/board/errors.h"
#include "host/board/reference_driver.h"
#include "host/classify/classifier_file.h"
#include "host/data/npy.h"
#include "host/report/content_hash.h"
#include "host/report/result_cache.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace mind1024::host {
namespace {

// Three classes of 8 x 8 images: noisy copies of a row bar, a column bar and a diagonal.
MnistSet tiny_set(uint32_t count, uint64_t seed) {
    MnistSet s;
    s.count = count;
    s.rows = s.cols = 8;
    std::mt19937_64 rng(seed);
    for (uint32_t i = 0; i < count; ++i) {
        const uint8_t c = i % 3;
        for (uint32_t y = 0; y < 8; ++y)
            for (uint32_t x = 0; x < 8; ++x) {
                const bool on = c == 0 ? (y == 3 || y == 4) : c == 1 ? (x == 3 || x == 4) : (x == y || x + 1 == y);
                const bool flip = rng() % 100 < 10;
                s.images.push_back(static_cast<uint8_t>((on != flip ? 160 : 0) + rng() % 90));
            }
        s.labels.push_back(c);
    }
    s.images_path = "tiny-images";
    s.labels_path = "tiny-labels";
    return s;
}

ClassifierConfig tiny_config() {
    ClassifierConfig c;
    c.coding = {0, 0, 8, 8, 128};
    c.neurons = 80;  // 64 pixels + 6 prototypes + 6 labels, 4 unused
    c.protos_per_class = 2;
    c.label_reps = 2;
    c.inhibition = 3.0;
    c.offset = -4.0;
    c.label_gain = 1.5;
    c.ridge = 10.0;
    c.kmeans_iters = 4;
    c.tune_epochs = 2;
    c.tune_margin = 20.0;  // wide: some violations to store
    c.attractor_epochs = 1;
    c.prototype_ties = false;  // ties to the lowest class: some attractor errors to store (and the other rule's name)
    c.seed = 5;
    c.max_sweeps = 20;
    return c;
}

const MnistSet& train_set() {
    static const MnistSet s = tiny_set(300, 1);
    return s;
}

const TrainedClassifier& trained() {
    static const TrainedClassifier t = train_classifier(train_set(), tiny_config());
    return t;
}

template <class T> bool same_bits(const std::vector<T>& a, const std::vector<T>& b) {
    return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0);
}
bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

struct ClassifierFile : ::testing::Test {
    fs::path dir = fs::temp_directory_path() /
                   fmt::format("mind1024_classifier_file_{}_{}", ::getpid(),
                               ::testing::UnitTest::GetInstance()->current_test_info()->name());
    void SetUp() override { fs::remove_all(dir); }
    void TearDown() override { fs::remove_all(dir); }
    std::string path(const char* f) const { return (dir / f).string(); }

    json read_json() const {
        std::ifstream in(path("classifier.json"));
        return json::parse(in);
    }
    void write_json(const json& j) const { std::ofstream(path("classifier.json")) << j.dump(2); }
    void edit_json(const std::function<void(json&)>& f) const {
        json j = read_json();
        f(j);
        write_json(j);
    }
    // Replaces an array file, and its SHA-256 in classifier.json unless `tamper`.
    template <class T> void replace_array(const char* key, std::vector<size_t> shape, const std::vector<T>& v, bool tamper = false) {
        const std::string bytes = encode_npy(make_npy<T>(std::move(shape), v));
        const std::string file = read_json()["arrays"][key]["file"].get<std::string>();
        std::ofstream(path(file.c_str()), std::ios::binary) << bytes;
        if (!tamper) edit_json([&](json& j) { j["arrays"][key]["sha256"] = sha256_hex(bytes); });
    }
    // The DataError of loading, which must name `file`.
    std::string load_error(const char* file) const {
        try {
            load_classifier(dir.string());
        } catch (const DataError& e) {
            EXPECT_NE(std::string(e.what()).find(path(file)), std::string::npos) << e.what();
            return e.what();
        }
        ADD_FAILURE() << "loaded without an error";
        return "";
    }
};

void expect_identical(const TrainedClassifier& a, const TrainedClassifier& b) {
    EXPECT_EQ(classifier_config_json(a.cfg).dump(), classifier_config_json(b.cfg).dump());
    EXPECT_EQ(a.cfg.order, b.cfg.order);
    for (auto [x, y] : {std::pair{a.cfg.inhibition, b.cfg.inhibition}, {a.cfg.offset, b.cfg.offset},
                        {a.cfg.label_gain, b.cfg.label_gain}, {a.cfg.ridge, b.cfg.ridge}, {a.cfg.tune_rate, b.cfg.tune_rate},
                        {a.cfg.tune_margin, b.cfg.tune_margin}, {a.cfg.attractor_rate, b.cfg.attractor_rate},
                        {a.cfg.validation_tolerance, b.cfg.validation_tolerance}, {a.train_seconds, b.train_seconds}})
        EXPECT_TRUE(same_bits(x, y)) << x << " against " << y;
    EXPECT_EQ(a.layout.classes, b.layout.classes);
    EXPECT_EQ(a.layout.n, b.layout.n);
    EXPECT_EQ(a.net.n, b.net.n);
    EXPECT_TRUE(same_bits(a.net.w, b.net.w));
    EXPECT_TRUE(same_bits(a.net.theta, b.net.theta));
    EXPECT_TRUE(same_bits(a.bias, b.bias));
    EXPECT_EQ(a.clamp, b.clamp);
    EXPECT_TRUE(same_bits(a.centroids, b.centroids));
    EXPECT_EQ(a.tune_violations, b.tune_violations);
    EXPECT_EQ(a.attractor_errors, b.attractor_errors);
    EXPECT_EQ(a.validation_images, b.validation_images);
    for (auto [x, y] : {std::pair{&a.tune_trace, &b.tune_trace}, {&a.attractor_trace, &b.attractor_trace}}) {
        EXPECT_TRUE(same_bits(x->accuracy, y->accuracy));
        EXPECT_TRUE(same_bits(x->rate, y->rate));
        EXPECT_EQ(x->kept, y->kept);
    }
}

TEST_F(ClassifierFile, RoundTripIsBitExact) {
    const TrainedClassifier& t = trained();
    ASSERT_EQ(t.tune_violations.size(), 2u);
    EXPECT_GT(t.tune_violations[0], 0u);
    EXPECT_GT(t.attractor_errors[0], 0u);
    ASSERT_EQ(t.attractor_errors.size(), 1u);
    EXPECT_EQ(t.validation_images, 30u);  // a tenth of the 300 at most
    EXPECT_EQ(t.tune_trace.accuracy.size(), 3u);
    EXPECT_EQ(t.attractor_trace.accuracy.size(), 2u);
    save_classifier(t, dir.string(), {{"note", "test"}});
    for (const char* f : {"classifier.json", "weights.npy", "theta.npy", "bias.npy", "clamp.npy", "centroids.npy"})
        EXPECT_TRUE(fs::is_regular_file(dir / f)) << f;
    expect_identical(t, load_classifier(dir.string()));
    // Saving again over it gives the same files.
    const std::string before = sha256_file(path("classifier.json"));
    save_classifier(t, dir.string(), {{"note", "test"}});
    EXPECT_EQ(sha256_file(path("classifier.json")), before);
    EXPECT_EQ(read_json()["format"], "mind1024-classifier/1");
}

// At the chip's size (n = 1024, most neurons unused and clamped).
TEST_F(ClassifierFile, ChipSizedRoundTrip) {
    ClassifierConfig cfg = tiny_config();
    cfg.neurons = 1024;
    const TrainedClassifier t = train_classifier(train_set(), cfg);
    save_classifier(t, dir.string());
    const TrainedClassifier u = load_classifier(dir.string());
    expect_identical(t, u);
    const ChipNetwork qa = quantize_classifier(t, 6, 16), qb = quantize_classifier(u, 6, 16);
    EXPECT_EQ(qa.weights.w, qb.weights.w);
    EXPECT_EQ(qa.thresholds, qb.thresholds);
}

// Doubles that a shorter decimal form would round: they must come back bit for bit.
TEST_F(ClassifierFile, AwkwardDoublesRoundTrip) {
    TrainedClassifier t = trained();
    t.cfg.inhibition = 0.1;
    t.cfg.offset = -1.0 / 3.0;
    t.cfg.label_gain = std::nextafter(1.0, 2.0);
    t.cfg.ridge = 4.9406564584124654e-324;  // smallest subnormal
    t.cfg.tune_rate = 2.2250738585072014e-308;
    t.cfg.tune_margin = 1.7976931348623157e308;
    t.cfg.attractor_rate = -0.0;
    t.train_seconds = 42.123456789012345;
    t.cfg.seed = UINT64_MAX;
    t.cfg.order = Order::AsyncPerm;
    save_classifier(t, dir.string());
    const TrainedClassifier u = load_classifier(dir.string());
    expect_identical(t, u);
    EXPECT_EQ(u.cfg.seed, UINT64_MAX);
    EXPECT_TRUE(std::signbit(u.cfg.attractor_rate));
    EXPECT_EQ(read_json()["config"]["order"], "perm");

    std::mt19937_64 rng(9);
    for (int k = 0; k < 20000; ++k) {
        uint64_t bits = rng();
        double d;
        std::memcpy(&d, &bits, sizeof d);
        if (!std::isfinite(d)) continue;
        ClassifierConfig c;
        c.ridge = d;
        const ClassifierConfig back = classifier_config_from_json(json::parse(classifier_config_json(c).dump()), "x");
        ASSERT_TRUE(same_bits(back.ridge, d)) << bits;
    }
}

TEST_F(ClassifierFile, LoadedClassifierAnswersTheSame) {
    const TrainedClassifier& t = trained();
    save_classifier(t, dir.string());
    const TrainedClassifier u = load_classifier(dir.string());

    const ChipNetwork qa = quantize_classifier(t, 8, 24), qb = quantize_classifier(u, 8, 24);
    EXPECT_EQ(qa.weights.w, qb.weights.w);
    EXPECT_EQ(qa.thresholds, qb.thresholds);
    EXPECT_TRUE(same_bits(qa.weight_report.scale, qb.weight_report.scale));
    EXPECT_EQ(qa.scale_limited_by, qb.scale_limited_by);

    const MnistSet test = tiny_set(30, 77);
    FloatTwin ta(t.net), tb(u.net);
    ta.set_clamp(t.clamp);
    tb.set_clamp(u.clamp);
    ChipParams p;
    ReferenceDriver ca(p), cb(p);
    for (auto [chip, q, c] : {std::tuple{&ca, &qa, &t}, {&cb, &qb, &u}}) {
        chip->load_weights(q->weights);
        chip->load_thresholds(q->thresholds);
        chip->set_clamp(c->clamp);
    }
    size_t correct = 0;
    for (uint32_t i = 0; i < test.count; ++i) {
        const auto px = encode_image(test.image(i), test.rows, test.cols, t.cfg.coding);
        const Classification a = classify_on_twin(ta, t, px, i + 1), b = classify_on_twin(tb, u, px, i + 1);
        EXPECT_EQ(a.label, b.label);
        EXPECT_EQ(a.run.sweeps, b.run.sweeps);
        EXPECT_EQ(ta.fields(), tb.fields());
        const Classification x = classify_on_chip(ca, t, px, i + 1), y = classify_on_chip(cb, u, px, i + 1);
        EXPECT_EQ(x.label, y.label);
        EXPECT_EQ(x.run.sweeps, y.run.sweeps);
        EXPECT_EQ(ca.state(), cb.state());
        correct += x.label == test.labels[i];
    }
    EXPECT_GT(correct, test.count / 2);  // a classifier, not noise
}

TEST_F(ClassifierFile, SaveRefusesAnInconsistentClassifier) {
    TrainedClassifier t = trained();
    t.bias.pop_back();
    EXPECT_THROW(save_classifier(t, dir.string()), BadArgument);
    t = trained();
    t.cfg.offset = std::nan("");
    EXPECT_THROW(save_classifier(t, dir.string()), BadArgument);
    t = trained();
    t.layout.first_label += 1;
    EXPECT_THROW(save_classifier(t, dir.string()), BadArgument);
    t = trained();
    t.centroids[3] = 1.5f;
    EXPECT_THROW(save_classifier(t, dir.string()), BadArgument);
    EXPECT_FALSE(fs::exists(dir / "classifier.json"));
}

TEST_F(ClassifierFile, MissingFilesAreNamed) {
    EXPECT_NE(load_error("classifier.json").find("no such file"), std::string::npos);
    save_classifier(trained(), dir.string());
    fs::remove(dir / "theta.npy");
    EXPECT_NE(load_error("theta.npy").find("no such file"), std::string::npos);
}

TEST_F(ClassifierFile, WrongFormatOrVersion) {
    save_classifier(trained(), dir.string());
    edit_json([](json& j) { j["format"] = "mind1024-classifier/2"; });
    EXPECT_NE(load_error("classifier.json").find("mind1024-classifier/2"), std::string::npos);
    edit_json([](json& j) { j.erase("format"); });
    EXPECT_NE(load_error("classifier.json").find("\"format\" is missing"), std::string::npos);
    std::ofstream(path("classifier.json")) << "{\"format\": ";
    EXPECT_NE(load_error("classifier.json").find("not valid JSON"), std::string::npos);
}

// The tie rule is part of the file: a file from before it (no "ties") keeps the
// lowest-class rule it was trained with; another value is refused by name.
TEST_F(ClassifierFile, TieRuleIsStoredAndOldFilesKeepTheirs) {
    TrainedClassifier t = trained();
    t.cfg.prototype_ties = true;
    save_classifier(t, dir.string());
    EXPECT_EQ(read_json()["config"]["ties"], "prototype");
    EXPECT_TRUE(load_classifier(dir.string()).cfg.prototype_ties);
    edit_json([](json& j) { j["config"].erase("ties"); });
    EXPECT_FALSE(load_classifier(dir.string()).cfg.prototype_ties);
    edit_json([](json& j) { j["config"]["ties"] = "highest"; });
    EXPECT_NE(load_error("classifier.json").find("config.ties"), std::string::npos);
}

TEST_F(ClassifierFile, BadFieldsInClassifierJson) {
    save_classifier(trained(), dir.string());
    const json good = read_json();
    auto bad = [&](const std::function<void(json&)>& f, const char* says) {
        json j = good;
        f(j);
        write_json(j);
        EXPECT_NE(load_error("classifier.json").find(says), std::string::npos) << says;
    };
    bad([](json& j) { j["config"].erase("ridge"); }, "config.ridge");
    bad([](json& j) { j["config"]["ridge"] = "big"; }, "config.ridge");
    bad([](json& j) { j["config"]["tune_epochs"] = -1; }, "config.tune_epochs");
    bad([](json& j) { j["config"]["max_sweeps"] = 1.5; }, "config.max_sweeps");
    bad([](json& j) { j["config"]["order"] = "random"; }, "config.order");
    bad([](json& j) { j["config"]["coding"]["width"] = 0; }, "config.coding");
    bad([](json& j) { j["config"]["protos_per_klass"] = 2; }, "unknown field");
    bad([](json& j) { j["tune_violations"].push_back(1); }, "tune_violations");
    bad([](json& j) { j["validation"]["tune"]["accuracy"].push_back(1.0); }, "validation.tune.accuracy");
    bad([](json& j) { j["validation"]["attractor"]["kept"] = 5; }, "validation.attractor.kept");
    bad([](json& j) { j["validation"]["typo"] = 1; }, "unknown field \"validation.typo\"");
    bad([](json& j) { j["train_seconds"] = -1.0; }, "train_seconds");
    // The layout against the settings: not what they give, or not fitting n.
    bad([](json& j) { j["layout"]["first_label"] = 71; }, "disagrees with the settings");
    bad([](json& j) { j["config"]["neurons"] = 70; }, "do not fit");
    bad([](json& j) { j["config"]["protos_per_class"] = 3; }, "disagrees with the settings");
    // The arrays' description against the layout.
    bad([](json& j) { j["arrays"]["weights"]["shape"] = {80, 81}; }, "arrays.weights.shape");
    bad([](json& j) { j["arrays"]["bias"]["dtype"] = "float32"; }, "arrays.bias.dtype");
    bad([](json& j) { j["arrays"]["clamp"]["file"] = "../clamp.npy"; }, "arrays.clamp.file");
    bad([](json& j) { j["arrays"]["theta"]["sha256"] = "abc"; }, "arrays.theta.sha256");
    bad([](json& j) { j["arrays"].erase("centroids"); }, "arrays.centroids");
}

TEST_F(ClassifierFile, TamperedArrayFailsItsSha256) {
    save_classifier(trained(), dir.string());
    std::vector<float> w = trained().net.w;
    w[70 * 80 + 2] += 1.0f;  // one weight, the file still a valid .npy of the right shape
    replace_array<float>("weights", {80, 80}, w, /*tamper=*/true);
    EXPECT_NE(load_error("weights.npy").find("SHA-256"), std::string::npos);
    // A byte of the data flipped in place.
    save_classifier(trained(), dir.string());
    {
        std::fstream f(path("centroids.npy"), std::ios::in | std::ios::out | std::ios::binary);
        f.seekg(-3, std::ios::end);
        const char c = static_cast<char>(f.get());
        f.seekp(-3, std::ios::end);
        f.put(static_cast<char>(c ^ 1));
    }
    EXPECT_NE(load_error("centroids.npy").find("SHA-256"), std::string::npos);
}

TEST_F(ClassifierFile, ArrayShapeOrDtypeDisagreeingWithTheLayout) {
    save_classifier(trained(), dir.string());
    replace_array<float>("centroids", {6, 63}, std::vector<float>(6 * 63, 0.0f));
    EXPECT_NE(load_error("centroids.npy").find("expected (6, 64)"), std::string::npos);
    save_classifier(trained(), dir.string());
    replace_array<double>("theta", {80}, std::vector<double>(80, 0.0));
    EXPECT_NE(load_error("theta.npy").find("dtype float64"), std::string::npos);
    save_classifier(trained(), dir.string());
    std::ofstream(path("bias.npy"), std::ios::binary) << "not an npy file";
    load_error("bias.npy");
}

TEST_F(ClassifierFile, ValuesOutOfRange) {
    const TrainedClassifier& t = trained();
    save_classifier(t, dir.string());
    std::vector<uint8_t> c = t.clamp;
    c[10] = 2;
    replace_array<uint8_t>("clamp", {80}, c);
    EXPECT_NE(load_error("clamp.npy").find("element [10] is 2"), std::string::npos);
    c = t.clamp;
    c[64] = 1;  // the first prototype clamped
    replace_array<uint8_t>("clamp", {80}, c);
    EXPECT_NE(load_error("clamp.npy").find("element [64] is 1"), std::string::npos);

    save_classifier(t, dir.string());
    std::vector<float> m = t.centroids;
    m[64 + 5] = 1.25f;
    replace_array<float>("centroids", {6, 64}, m);
    EXPECT_NE(load_error("centroids.npy").find("element [1, 5] is 1.25"), std::string::npos);

    save_classifier(t, dir.string());
    std::vector<double> b = t.bias;
    b[2] = std::numeric_limits<double>::infinity();
    replace_array<double>("bias", {12}, b);
    EXPECT_NE(load_error("bias.npy").find("must be finite"), std::string::npos);

    save_classifier(t, dir.string());
    std::vector<float> w = t.net.w;
    w[5] = std::nanf("");
    replace_array<float>("weights", {80, 80}, w);
    EXPECT_NE(load_error("weights.npy").find("element [0, 5]"), std::string::npos);
}

// The key decides the training's result: every setting and every byte of the data used, nothing else.
TEST(ClassifierCacheKey, ChangesWithEverySettingAndDataByteOnly) {
    const MnistSet& s = train_set();
    const ClassifierConfig base = tiny_config();
    const json key = classifier_cache_key(s, base);
    EXPECT_EQ(key, classifier_cache_key(s, base));
    EXPECT_EQ(key["data_sha256"], mnist_set_sha256(s));
    EXPECT_EQ(key["format"], ResultCache::kFormat);

    // The same data from elsewhere, with bytes past `count` it does not use: the same key.
    MnistSet copy = s;
    copy.images_path = "/elsewhere/images";
    copy.labels_path = "/elsewhere/labels";
    copy.images.resize(copy.images.size() + 64, 200);
    copy.labels.push_back(2);
    EXPECT_EQ(key, classifier_cache_key(copy, base));

    const std::vector<std::pair<const char*, std::function<void(ClassifierConfig&)>>> changes = {
        {"coding.top", [](ClassifierConfig& c) { c.coding.top = 1; }},
        {"coding.left", [](ClassifierConfig& c) { c.coding.left = 1; }},
        {"coding.height", [](ClassifierConfig& c) { c.coding.height = 7; }},
        {"coding.width", [](ClassifierConfig& c) { c.coding.width = 7; }},
        {"coding.threshold", [](ClassifierConfig& c) { c.coding.threshold = 127; }},
        {"neurons", [](ClassifierConfig& c) { c.neurons = 81; }},
        {"protos_per_class", [](ClassifierConfig& c) { c.protos_per_class = 3; }},
        {"label_reps", [](ClassifierConfig& c) { c.label_reps = 1; }},
        {"ties", [](ClassifierConfig& c) { c.prototype_ties = !c.prototype_ties; }},
        {"inhibition", [](ClassifierConfig& c) { c.inhibition = std::nextafter(c.inhibition, 10.0); }},
        {"offset", [](ClassifierConfig& c) { c.offset = -4.5; }},
        {"label_gain", [](ClassifierConfig& c) { c.label_gain = 1.25; }},
        {"ridge", [](ClassifierConfig& c) { c.ridge = 0; }},
        {"kmeans_iters", [](ClassifierConfig& c) { c.kmeans_iters = 5; }},
        {"tune_epochs", [](ClassifierConfig& c) { c.tune_epochs = 3; }},
        {"tune_rate", [](ClassifierConfig& c) { c.tune_rate = 0.02; }},
        {"tune_margin", [](ClassifierConfig& c) { c.tune_margin = 2.5; }},
        {"attractor_epochs", [](ClassifierConfig& c) { c.attractor_epochs = 0; }},
        {"attractor_rate", [](ClassifierConfig& c) { c.attractor_rate = 0.02; }},
        {"validation_images", [](ClassifierConfig& c) { c.validation_images = 7; }},
        {"validation_tolerance", [](ClassifierConfig& c) { c.validation_tolerance = 0.5; }},
        {"seed", [](ClassifierConfig& c) { c.seed = 6; }},
        {"order", [](ClassifierConfig& c) { c.order = Order::AsyncPerm; }},
        {"max_sweeps", [](ClassifierConfig& c) { c.max_sweeps = 21; }},
    };
    std::set<std::string> seen{key.dump()};
    for (const auto& [name, change] : changes) {
        ClassifierConfig c = base;
        change(c);
        const json k = classifier_cache_key(s, c);
        EXPECT_TRUE(seen.insert(k.dump()).second) << name << " did not change the key";
        EXPECT_EQ(k["data_sha256"], key["data_sha256"]) << name;
    }
    // Every field of the settings is in the key (a new one needs a line above).
    size_t fields = classifier_config_json(base).size() - 1 + classifier_config_json(base)["coding"].size();
    EXPECT_EQ(fields, changes.size());

    auto data_change = [&](const char* what, const std::function<void(MnistSet&)>& f) {
        MnistSet d = s;
        f(d);
        EXPECT_TRUE(seen.insert(classifier_cache_key(d, base).dump()).second) << what << " did not change the key";
    };
    data_change("first pixel", [](MnistSet& d) { d.images[0] ^= 1; });
    data_change("last pixel", [](MnistSet& d) { d.images[size_t{d.count} * d.image_size() - 1] ^= 0x80; });
    data_change("one label", [](MnistSet& d) { d.labels[150] = (d.labels[150] + 1) % 3; });
    data_change("one image fewer", [](MnistSet& d) { --d.count; });
    data_change("geometry", [](MnistSet& d) { d.rows = 16, d.cols = 4; });
}

// As the cache will use it: stage, save, commit; then found and loaded unchanged.
TEST_F(ClassifierFile, StoredInTheResultCache) {
    const ResultCache cache(dir.string());
    const json key = classifier_cache_key(train_set(), tiny_config());
    const std::string entry = cache.dir_for("hopfield", key);
    EXPECT_FALSE(cache.lookup(entry, key));
    const std::string staging = cache.stage(entry);
    save_classifier(trained(), staging);
    cache.commit(staging, entry, key);
    ASSERT_TRUE(cache.lookup(entry, key));
    expect_identical(trained(), load_classifier(entry));
}

}  // namespace
}  // namespace mind1024::host
