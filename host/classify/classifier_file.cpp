#include "host/classify/classifier_file.h"

#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <sstream>
#include <system_error>

#include <fmt/format.h>

#include "host/board/errors.h"
#include "host/data/atomic_file.h"
#include "host/data/npy.h"
#include "host/report/content_hash.h"
#include "host/report/result_cache.h"

namespace mind1024::host {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr const char* kJsonName = "classifier.json";

// The CLI's names (host/cli order_name), kept here: classify does not link the CLI.
const char* order_to_name(Order o) {
    switch (o) {
        case Order::Sync: return "sync";
        case Order::AsyncSeq: return "async";
        case Order::AsyncPerm: return "perm";
    }
    return "?";
}

std::string in_dir(const std::string& dir, const std::string& name) { return (fs::path(dir) / name).string(); }

// Strict readers of one JSON field: present, of the type, in range; else DataError naming src and the field.
struct Fields {
    const json& j;
    std::string src, where;  // the file, and the object's path in it ("config", "layout", ...)

    std::string name(const char* k) const { return where.empty() ? std::string(k) : where + "." + k; }
    const json& at(const char* k) const {
        if (!j.contains(k)) throw DataError(fmt::format("{}: \"{}\" is missing", src, name(k)));
        return j[k];
    }
    uint64_t u64(const char* k, uint64_t max = std::numeric_limits<uint64_t>::max()) const {
        const json& v = at(k);
        if (!v.is_number_unsigned() || v.get<uint64_t>() > max)
            throw DataError(fmt::format("{}: \"{}\" must be an integer in 0..{}, not {}", src, name(k), max, v.dump()));
        return v.get<uint64_t>();
    }
    uint32_t u32(const char* k) const { return static_cast<uint32_t>(u64(k, std::numeric_limits<uint32_t>::max())); }
    double real(const char* k) const {
        const json& v = at(k);
        if (!v.is_number() || !std::isfinite(v.get<double>()))
            throw DataError(fmt::format("{}: \"{}\" must be a finite number, not {}", src, name(k), v.dump()));
        return v.get<double>();
    }
    std::string str(const char* k) const {
        const json& v = at(k);
        if (!v.is_string()) throw DataError(fmt::format("{}: \"{}\" must be a string, not {}", src, name(k), v.dump()));
        return v.get<std::string>();
    }
    Fields object(const char* k) const {
        const json& v = at(k);
        if (!v.is_object()) throw DataError(fmt::format("{}: \"{}\" must be an object", src, name(k)));
        return {v, src, name(k)};
    }
    // Hand-edited typos are refused, not silently ignored.
    void only(std::initializer_list<const char*> keys) const {
        for (const auto& [k, v] : j.items()) {
            bool known = false;
            for (const char* x : keys) known = known || k == x;
            if (!known) throw DataError(fmt::format("{}: unknown field \"{}\"", src, name(k.c_str())));
        }
    }
};

json layout_json(const ClassifierLayout& l) {
    return {{"classes", l.classes}, {"pixels", l.pixels},         {"first_proto", l.first_proto}, {"protos", l.protos},
            {"first_label", l.first_label}, {"labels", l.labels}, {"n", l.n}};
}

bool same_layout(const ClassifierLayout& a, const ClassifierLayout& b) { return layout_json(a) == layout_json(b); }

// One array of the format: its file, dtype and shape for a layout.
struct ArraySpec {
    const char* key;
    const char* file;
    NpyDtype dtype;
    std::vector<size_t> shape;
};

std::vector<ArraySpec> array_specs(const ClassifierLayout& L) {
    const size_t n = L.n, F = size_t{L.protos} + L.labels;
    return {{"weights", "weights.npy", NpyDtype::Float32, {n, n}},
            {"theta", "theta.npy", NpyDtype::Float32, {n}},
            {"bias", "bias.npy", NpyDtype::Float64, {F}},
            {"clamp", "clamp.npy", NpyDtype::UInt8, {n}},
            {"centroids", "centroids.npy", NpyDtype::Float32, {L.protos, L.pixels}}};
}

std::string shape_text(const std::vector<size_t>& s) {
    std::string r = "(";
    for (size_t i = 0; i < s.size(); ++i) r += (i ? ", " : "") + std::to_string(s[i]);
    return r + (s.size() == 1 ? ",)" : ")");
}

std::string index_text(size_t flat, const std::vector<size_t>& shape) {
    return shape.size() == 2 ? fmt::format("[{}, {}]", flat / shape[1], flat % shape[1]) : fmt::format("[{}]", flat);
}

// The first element not finite or outside [lo, hi], described; empty if none.
template <class T>
std::string range_problem(const std::vector<T>& v, const std::vector<size_t>& shape, double lo, double hi) {
    for (size_t i = 0; i < v.size(); ++i)
        if (!std::isfinite(v[i]) || v[i] < lo || v[i] > hi)
            return fmt::format("element {} is {}; must be {}", index_text(i, shape), v[i],
                               std::isinf(hi) ? std::string("finite") : fmt::format("in [{}, {}]", lo, hi));
    return {};
}

// The clamp train_classifier makes: pixels and unused neurons 1, prototypes and labels 0.
std::string clamp_problem(const std::vector<uint8_t>& c, const ClassifierLayout& L) {
    for (size_t i = 0; i < c.size(); ++i) {
        const uint8_t want = i >= L.first_proto && i < size_t{L.first_label} + L.labels ? 0 : 1;
        if (c[i] != want)
            return fmt::format("element [{}] is {}; must be {} (pixels and unused neurons clamped, prototypes "
                               "and labels {}..{} free)",
                               i, int{c[i]}, int{want}, L.first_proto, size_t{L.first_label} + L.labels - 1);
    }
    return {};
}

constexpr double kInf = std::numeric_limits<double>::infinity();

// Every value check of the arrays; `fail(key, problem)` reports the first.
void check_values(const TrainedClassifier& t, const std::function<void(const char*, const std::string&)>& fail) {
    const ClassifierLayout& L = t.layout;
    const auto specs = array_specs(L);
    auto check = [&](size_t k, const std::string& p) {
        if (!p.empty()) fail(specs[k].key, p);
    };
    check(0, range_problem(t.net.w, specs[0].shape, -kInf, kInf));
    check(1, range_problem(t.net.theta, specs[1].shape, -kInf, kInf));
    check(2, range_problem(t.bias, specs[2].shape, -kInf, kInf));
    check(3, clamp_problem(t.clamp, L));
    check(4, range_problem(t.centroids, specs[4].shape, -1.0, 1.0));
}

std::string hex_sha(const std::string& s) {
    if (s.size() != 64) return {};
    for (char c : s)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return {};
    return s;
}

// classifier.json holds the configuration and the arrays' names; the arrays are .npy files.
constexpr uint64_t kMaxJsonBytes = 64u << 20;

std::string read_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw DataError(fmt::format("{}: cannot open for reading: {}", path, std::strerror(errno)));
    std::ostringstream s;
    s << in.rdbuf();
    if (in.bad()) throw DataError(fmt::format("{}: read error", path));
    return s.str();
}

// A tuning's trace: accuracy per epoch (epoch 0 first), the step of each epoch, the epoch kept.
json trace_json(const TuningTrace& r) { return {{"accuracy", r.accuracy}, {"rate", r.rate}, {"kept", r.kept}}; }

TuningTrace read_trace(const Fields& f, uint32_t epochs, bool validated) {
    f.only({"accuracy", "rate", "kept"});
    TuningTrace r;
    auto reals = [&](const char* k, size_t want) {
        const json& v = f.at(k);
        if (!v.is_array() || v.size() != want)
            throw DataError(fmt::format("{}: \"{}\" must be an array of {} numbers", f.src, f.name(k), want));
        std::vector<double> out;
        for (const json& e : v) {
            if (!e.is_number() || !std::isfinite(e.get<double>()))
                throw DataError(fmt::format("{}: \"{}\" holds {}, not a finite number", f.src, f.name(k), e.dump()));
            out.push_back(e.get<double>());
        }
        return out;
    };
    r.accuracy = reals("accuracy", validated ? epochs + 1 : 0);
    r.rate = reals("rate", validated ? epochs : 0);
    r.kept = static_cast<uint32_t>(f.u64("kept", epochs));
    return r;
}

}  // namespace

json validation_json(const TrainedClassifier& t) {
    return {{"images", t.validation_images}, {"tune", trace_json(t.tune_trace)},
            {"attractor", trace_json(t.attractor_trace)}};
}

namespace {
void read_validation(const Fields& f, TrainedClassifier& t) {
    f.only({"images", "tune", "attractor"});
    t.validation_images = f.u64("images");
    const bool validated = t.validation_images > 0;
    t.tune_trace = read_trace(f.object("tune"), t.cfg.tune_epochs, validated);
    t.attractor_trace = read_trace(f.object("attractor"), t.cfg.attractor_epochs, validated);
}
}  // namespace

json classifier_config_json(const ClassifierConfig& c) {
    const PixelCoding& p = c.coding;
    return {{"coding", {{"top", p.top}, {"left", p.left}, {"height", p.height}, {"width", p.width}, {"threshold", p.threshold}}},
            {"neurons", c.neurons},
            {"protos_per_class", c.protos_per_class},
            {"label_reps", c.label_reps},
            {"ties", c.prototype_ties ? "prototype" : "lowest"},
            {"inhibition", c.inhibition},
            {"offset", c.offset},
            {"label_gain", c.label_gain},
            {"ridge", c.ridge},
            {"kmeans_iters", c.kmeans_iters},
            {"tune_epochs", c.tune_epochs},
            {"tune_rate", c.tune_rate},
            {"tune_margin", c.tune_margin},
            {"attractor_epochs", c.attractor_epochs},
            {"attractor_rate", c.attractor_rate},
            {"validation_images", c.validation_images},
            {"validation_tolerance", c.validation_tolerance},
            {"seed", c.seed},
            {"order", order_to_name(c.order)},
            {"max_sweeps", c.max_sweeps}};
}

ClassifierConfig classifier_config_from_json(const json& j, const std::string& source) {
    if (!j.is_object()) throw DataError(fmt::format("{}: \"config\" must be an object", source));
    const Fields f{j, source, "config"};
    f.only({"coding", "neurons", "protos_per_class", "label_reps", "ties", "inhibition", "offset", "label_gain", "ridge",
            "kmeans_iters", "tune_epochs", "tune_rate", "tune_margin", "attractor_epochs", "attractor_rate",
            "validation_images", "validation_tolerance", "seed", "order", "max_sweeps"});
    ClassifierConfig c;
    const Fields p = f.object("coding");
    p.only({"top", "left", "height", "width", "threshold"});
    c.coding.top = p.u32("top");
    c.coding.left = p.u32("left");
    c.coding.height = p.u32("height");
    c.coding.width = p.u32("width");
    c.coding.threshold = p.u32("threshold");
    if (c.coding.height == 0 || c.coding.width == 0 || uint64_t{c.coding.height} * c.coding.width > UINT32_MAX)
        throw DataError(fmt::format("{}: config.coding: a {} x {} crop; need at least one pixel", source,
                                    c.coding.height, c.coding.width));
    c.neurons = f.u32("neurons");
    c.protos_per_class = f.u32("protos_per_class");
    c.label_reps = f.u32("label_reps");
    // Absent from the files made before the prototypes broke ties: theirs went to the lowest class.
    const std::string ties = j.contains("ties") ? f.str("ties") : "lowest";
    if (ties != "prototype" && ties != "lowest")
        throw DataError(fmt::format("{}: \"config.ties\" is \"{}\"; must be prototype or lowest", source, ties));
    c.prototype_ties = ties == "prototype";
    c.inhibition = f.real("inhibition");
    c.offset = f.real("offset");
    c.label_gain = f.real("label_gain");
    c.ridge = f.real("ridge");
    c.kmeans_iters = f.u32("kmeans_iters");
    c.tune_epochs = f.u32("tune_epochs");
    c.tune_rate = f.real("tune_rate");
    c.tune_margin = f.real("tune_margin");
    c.attractor_epochs = f.u32("attractor_epochs");
    c.attractor_rate = f.real("attractor_rate");
    // Absent from the files of training version 1, which held nothing out.
    c.validation_images = j.contains("validation_images") ? f.u32("validation_images") : 0;
    c.validation_tolerance = j.contains("validation_tolerance") ? f.real("validation_tolerance") : 0.0;
    c.seed = f.u64("seed");
    const std::string o = f.str("order");
    if (o == "sync") c.order = Order::Sync;
    else if (o == "async") c.order = Order::AsyncSeq;
    else if (o == "perm") c.order = Order::AsyncPerm;
    else throw DataError(fmt::format("{}: \"config.order\" is \"{}\"; must be sync, async or perm", source, o));
    c.max_sweeps = f.u32("max_sweeps");
    return c;
}

void save_classifier(const TrainedClassifier& t, const std::string& dir, const json& about) {
    // What load would refuse is refused here, before anything is written.
    const ClassifierLayout& L = t.layout;
    const std::string what = fmt::format("save_classifier to {}", dir);
    const json cfg = classifier_config_json(t.cfg);
    for (const char* k : {"inhibition", "offset", "label_gain", "ridge", "tune_rate", "tune_margin", "attractor_rate",
                          "validation_tolerance"})
        if (!std::isfinite(cfg[k].get<double>())) throw BadArgument(fmt::format("{}: config.{} is not finite", what, k));
    if (!std::isfinite(t.train_seconds)) throw BadArgument(fmt::format("{}: train_seconds is not finite", what));
    if (!same_layout(L, make_layout(t.cfg, L.classes)))
        throw BadArgument(fmt::format("{}: layout {} is not the settings' {}", what, layout_json(L).dump(),
                                      layout_json(make_layout(t.cfg, L.classes)).dump()));
    if (t.net.n != L.n) throw BadArgument(fmt::format("{}: net.n {} but layout.n {}", what, t.net.n, L.n));
    if (t.tune_violations.size() != t.cfg.tune_epochs || t.attractor_errors.size() != t.cfg.attractor_epochs)
        throw BadArgument(fmt::format("{}: {} tune_violations and {} attractor_errors for {} and {} epochs", what,
                                      t.tune_violations.size(), t.attractor_errors.size(), t.cfg.tune_epochs,
                                      t.cfg.attractor_epochs));
    const auto specs = array_specs(L);
    const size_t sizes[] = {t.net.w.size(), t.net.theta.size(), t.bias.size(), t.clamp.size(), t.centroids.size()};
    for (size_t k = 0; k < specs.size(); ++k) {
        size_t want = 1;
        for (size_t d : specs[k].shape) want *= d;
        if (sizes[k] != want)
            throw BadArgument(fmt::format("{}: {} has {} elements, the layout needs {} {}", what, specs[k].key,
                                          sizes[k], shape_text(specs[k].shape), want));
    }
    check_values(t, [&](const char* key, const std::string& p) {
        throw BadArgument(fmt::format("{}: {}: {}", what, key, p));
    });

    std::error_code ec;
    fs::create_directories(dir, ec);
    if (!fs::is_directory(dir, ec)) throw DataError(fmt::format("{}: cannot create the directory", dir));
    // Gone first: a save cut short leaves no classifier.json beside new arrays.
    const std::string jpath = in_dir(dir, kJsonName);
    fs::remove(jpath, ec);
    if (ec) throw DataError(fmt::format("{}: cannot remove the old file: {}", jpath, ec.message()));

    const std::string encoded[] = {encode_npy(make_npy<float>(specs[0].shape, t.net.w)),
                                   encode_npy(make_npy<float>(specs[1].shape, t.net.theta)),
                                   encode_npy(make_npy<double>(specs[2].shape, t.bias)),
                                   encode_npy(make_npy<uint8_t>(specs[3].shape, t.clamp)),
                                   encode_npy(make_npy<float>(specs[4].shape, t.centroids))};
    json arrays = json::object();
    for (size_t k = 0; k < specs.size(); ++k) {
        write_file_atomic(in_dir(dir, specs[k].file), encoded[k]);
        arrays[specs[k].key] = {{"file", specs[k].file},
                                {"dtype", to_string(specs[k].dtype)},
                                {"shape", specs[k].shape},
                                {"sha256", sha256_hex(encoded[k])}};
    }
    json j = {{"format", kClassifierFormat},
              {"config", cfg},
              {"layout", layout_json(L)},
              {"tune_violations", t.tune_violations},
              {"attractor_errors", t.attractor_errors},
              {"validation", validation_json(t)},
              {"train_seconds", t.train_seconds},
              {"arrays", arrays}};
    if (!about.is_null() && !about.empty()) j["about"] = about;
    write_file_atomic(jpath, j.dump(2) + "\n");
}

TrainedClassifier load_classifier(const std::string& dir) {
    const std::string jpath = in_dir(dir, kJsonName);
    std::error_code ec;
    if (!fs::is_regular_file(jpath, ec))
        throw DataError(fmt::format("{}: no such file (a saved classifier's directory holds {} and its .npy arrays)",
                                    jpath, kJsonName));
    json j;
    try {
        j = json::parse(read_file_limited(jpath, kMaxJsonBytes, "classifier file"));
    } catch (const json::exception& e) {
        throw DataError(fmt::format("{}: not valid JSON: {}", jpath, e.what()));
    }
    if (!j.is_object()) throw DataError(fmt::format("{}: not a JSON object", jpath));
    const Fields top{j, jpath, ""};
    const std::string format = top.str("format");
    if (format != kClassifierFormat)
        throw DataError(fmt::format("{}: format \"{}\"; this program reads \"{}\"", jpath, format, kClassifierFormat));
    top.only({"format", "config", "layout", "tune_violations", "attractor_errors", "validation", "train_seconds",
              "arrays", "about"});

    TrainedClassifier t;
    t.cfg = classifier_config_from_json(top.at("config"), jpath);
    const Fields lf = top.object("layout");
    lf.only({"classes", "pixels", "first_proto", "protos", "first_label", "labels", "n"});
    ClassifierLayout& L = t.layout;
    L.classes = lf.u32("classes");
    L.pixels = lf.u32("pixels");
    L.first_proto = lf.u32("first_proto");
    L.protos = lf.u32("protos");
    L.first_label = lf.u32("first_label");
    L.labels = lf.u32("labels");
    L.n = lf.u32("n");
    ClassifierLayout want;
    try {
        want = make_layout(t.cfg, L.classes);
    } catch (const BadArgument& e) {
        throw DataError(fmt::format("{}: the settings do not fit: {}", jpath, e.what()));
    }
    if (!same_layout(L, want))
        throw DataError(fmt::format("{}: layout {} disagrees with the settings, which give {}", jpath,
                                    layout_json(L).dump(), layout_json(want).dump()));

    auto counts = [&](const char* k, uint32_t epochs) {
        const json& v = top.at(k);
        if (!v.is_array() || v.size() != epochs)
            throw DataError(fmt::format("{}: \"{}\" must be an array of {} counts (one per epoch)", jpath, k, epochs));
        std::vector<size_t> r;
        for (const json& e : v) {
            if (!e.is_number_unsigned()) throw DataError(fmt::format("{}: \"{}\" holds {}, not a count", jpath, k, e.dump()));
            r.push_back(e.get<size_t>());
        }
        return r;
    };
    t.tune_violations = counts("tune_violations", t.cfg.tune_epochs);
    t.attractor_errors = counts("attractor_errors", t.cfg.attractor_epochs);
    if (j.contains("validation")) read_validation(top.object("validation"), t);  // absent in version 1's files
    t.train_seconds = top.real("train_seconds");
    if (t.train_seconds < 0) throw DataError(fmt::format("{}: \"train_seconds\" is negative", jpath));

    // Each array: the JSON's description, the file's header, its SHA-256, then its data.
    const Fields af = top.object("arrays");
    const auto specs = array_specs(L);
    af.only({"weights", "theta", "bias", "clamp", "centroids"});
    std::vector<NpyArray> arrays;
    for (const ArraySpec& s : specs) {
        const Fields a = af.object(s.key);
        a.only({"file", "dtype", "shape", "sha256"});
        if (a.str("file") != s.file)
            throw DataError(fmt::format("{}: \"arrays.{}.file\" is \"{}\"; must be \"{}\"", jpath, s.key, a.str("file"), s.file));
        if (a.str("dtype") != to_string(s.dtype))
            throw DataError(fmt::format("{}: \"arrays.{}.dtype\" is \"{}\"; must be \"{}\"", jpath, s.key, a.str("dtype"),
                                        to_string(s.dtype)));
        if (a.at("shape") != json(s.shape))
            throw DataError(fmt::format("{}: \"arrays.{}.shape\" is {}; the layout needs {}", jpath, s.key,
                                        a.at("shape").dump(), json(s.shape).dump()));
        const std::string sum = hex_sha(a.str("sha256"));
        if (sum.empty())
            throw DataError(fmt::format("{}: \"arrays.{}.sha256\" must be 64 lowercase hex digits", jpath, s.key));
        const std::string path = in_dir(dir, s.file);
        const NpyHeader h = read_npy_header(path);  // names a missing file; sizes checked before reading
        if (h.dtype != s.dtype)
            throw DataError(fmt::format("{}: dtype {}; must be {}", path, to_string(h.dtype), to_string(s.dtype)));
        h.expect_shape(s.shape);
        const std::string bytes = read_bytes(path);
        const std::string got = sha256_hex(bytes);
        if (got != sum)
            throw DataError(fmt::format("{}: SHA-256 {} differs from {}'s {}: the file changed since it was saved",
                                        path, got, jpath, sum));
        arrays.push_back(decode_npy(bytes, path));
    }
    t.net.n = L.n;
    t.net.w = arrays[0].values<float>();
    t.net.theta = arrays[1].values<float>();
    t.bias = arrays[2].values<double>();
    t.clamp = arrays[3].values<uint8_t>();
    t.centroids = arrays[4].values<float>();
    check_values(t, [&](const char* key, const std::string& p) {
        for (const ArraySpec& s : specs)
            if (std::string(key) == s.key) throw DataError(fmt::format("{}: {}", in_dir(dir, s.file), p));
    });
    return t;
}

std::string mnist_set_sha256(const MnistSet& s) {
    Sha256 h;
    h.add(fmt::format("{} {} {};", s.count, s.rows, s.cols));
    h.add(s.images.data(), size_t{s.count} * s.image_size());
    h.add(s.labels.data(), s.count);
    return h.hex();
}

json classifier_cache_key(const MnistSet& train, const ClassifierConfig& cfg) {
    if (train.images.size() < size_t{train.count} * train.image_size() || train.labels.size() < train.count)
        throw DataError(fmt::format("{}: {} images claimed, fewer held", train.images_path, train.count));
    // As cmd_report's keys: the cache's format, the program, its settings, the data's SHA-256.
    return {{"format", ResultCache::kFormat},
            {"program", "train_classifier"},
            {"training_version", kClassifierTrainingVersion},
            {"stores", kClassifierFormat},
            {"config", classifier_config_json(cfg)},
            {"data_sha256", mnist_set_sha256(train)}};
}

}  // namespace mind1024::host
