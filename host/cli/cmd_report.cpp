// mind1024 report: every model of the project on the same MNIST split, in one
// table. The software baselines and the layered network are trained by
// mind1024-train (the only program with libtorch) and kept in a cache keyed by
// a hash of their settings and of the data; the chip runs are the study layer's
// (host/study: the classification and layered studies) in the runner's child
// processes (one SystemC board per process), the Hopfield training cached too.
// Writes report.md/.csv/.json, a confusion matrix per model and the accuracy
// against weight bits of the layered network, trained for each width and
// quantized after training.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <functional>
#include <fstream>
#include <map>
#include <numeric>
#include <optional>
#include <cstdlib>
#include <sstream>

#include <fmt/format.h>
#include <fcntl.h>
#include <unistd.h>

#include "host/baselines/dataset.h"
#include "host/board/errors.h"
#include "host/cli/commands.h"
#include "host/cli/common.h"
#include "host/cli/mnist_job.h"
#include "host/report/subprocess.h"
#include "host/study/trainer_cache.h"
#include "host/classify/layered_chip.h"
#include "host/study/classify_study.h"
#include "host/study/layered_study.h"
#include "host/study/runner.h"
#include "host/data/data_error.h"
#include "host/data/idx_reader.h"
#include "host/report/content_hash.h"
#include "data_paths.h"  // generated: where the set-up puts data and the cache
#include "host/report/output_file.h"
#include "host/report/plot.h"
#include "host/report/result_cache.h"

namespace mind1024::host {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// How long each model trains. quick keeps the whole report near 10 minutes on
// one core of this machine; full is what docs/results.md reports; smoke is for tests.
struct Profile {
    const char* name;
    int softmax, mlp, cnn, layered, bits;  // epochs
    size_t stdp_neurons;
    int stdp_steps;
};
constexpr Profile kProfiles[] = {
    {"quick", 10, 8, 3, 20, 3, 400, 30},
    {"full", 10, 20, 6, 60, 8, 400, 30},
    {"smoke", 1, 1, 1, 1, 1, 20, 8},
};
const char* const kModels[] = {"softmax", "mlp", "cnn", "stdp", "hopfield", "layered", "bits"};

struct ReportOptions {
    std::string data, out = "results/report", cache, trainer, profile = "quick";
    std::vector<std::string> models;
    std::vector<unsigned> bits{1, 2, 3, 4, 5, 6, 7, 8};
    size_t train_limit = 0, test_limit = 0;
    uint64_t seed = 1;
    int threads = 1;
    bool retrain = false, no_progress = false;
};

bool wanted(const ReportOptions& o, const std::string& m) {
    return o.models.empty() || std::find(o.models.begin(), o.models.end(), m) != o.models.end();
}

const Profile& profile_of(const std::string& name) {
    for (const Profile& p : kProfiles)
        if (name == p.name) return p;
    throw BadArgument(fmt::format("--profile {}: not one of quick, full, smoke", name));
}

json read_json_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw ReportError(fmt::format("{}: missing", path));
    std::stringstream s;
    s << in.rdbuf();
    json j = json::parse(s.str(), nullptr, false);
    if (j.is_discarded()) throw ReportError(fmt::format("{}: not valid JSON", path));
    return j;
}

template <class T>
T field(const json& j, const std::string& pointer, const std::string& file) {
    const json::json_pointer p(pointer);
    if (!j.contains(p)) throw ReportError(fmt::format("{}: no {}", file, pointer));
    try {
        return j.at(p).get<T>();
    } catch (const json::exception&) {
        throw ReportError(fmt::format("{}: {} is {}, not the expected type", file, pointer, j.at(p).dump()));
    }
}

// A predictions.csv: its true labels and the named column of predicted labels.
std::vector<size_t> confusion_from_csv(const std::string& path, const std::string& column) {
    std::ifstream in(path);
    if (!in) throw ReportError(fmt::format("{}: missing", path));
    std::string line;
    std::getline(in, line);
    std::vector<std::string> head;
    std::stringstream hs(line);
    for (std::string c; std::getline(hs, c, ',');) head.push_back(c);
    const auto col = [&](const std::string& name) {
        const auto it = std::find(head.begin(), head.end(), name);
        if (it == head.end()) throw ReportError(fmt::format("{}: no column {}", path, name));
        return static_cast<size_t>(it - head.begin());
    };
    const size_t t = col("true_label"), p = col(column);
    std::vector<size_t> m(100, 0);
    for (size_t row = 2; std::getline(in, line); ++row) {
        std::vector<std::string> cells;
        std::stringstream ls(line);
        for (std::string c; std::getline(ls, c, ',');) cells.push_back(c);
        int tl = -1, pl = -1;
        try {
            tl = std::stoi(cells.at(t));
            pl = std::stoi(cells.at(p));
        } catch (const std::exception&) {
            throw ReportError(fmt::format("{}:{}: not a row of labels", path, row));
        }
        if (tl < 0 || tl > 9 || pl < 0 || pl > 9) throw ReportError(fmt::format("{}:{}: label outside 0..9", path, row));
        ++m[size_t(tl) * 10 + size_t(pl)];
    }
    return m;
}

// One line of the table.
struct Row {
    std::string id, model, runs_on;
    size_t parameters = 0;
    std::optional<uint32_t> neurons;  // of the chip's 1024
    double accuracy = 0;              // %
    std::optional<double> train_seconds, infer_seconds, cycles, chip_seconds;
    bool cached = false;
    std::string predictions, column;  // a trainer's predictions.csv and its column, for the confusion matrix
    std::vector<size_t> confusion;    // or the study's own (10 x 10, true x predicted)
    std::string source;               // where its figures come from: a cache entry or a study
};

json row_json(const Row& r) {
    auto opt = [](const auto& v) { return v ? json(*v) : json(nullptr); };
    return {{"id", r.id},
            {"model", r.model},
            {"runs_on", r.runs_on},
            {"parameters", r.parameters},
            {"neurons_of_1024", opt(r.neurons)},
            {"test_accuracy_percent", r.accuracy},
            {"train_seconds", opt(r.train_seconds)},
            {"train_cached", r.cached},
            {"inference_seconds_per_image", opt(r.infer_seconds)},
            {"chip_cycles_per_image", opt(r.cycles)},
            {"chip_simulated_seconds_per_image", opt(r.chip_seconds)},
            {"source", r.source}};
}

std::string fmt_opt(const std::optional<double>& v, const char* f, double scale = 1) {
    return v ? fmt::format(fmt::runtime(f), *v * scale) : std::string("-");
}

class Report {
public:
    explicit Report(const ReportOptions& o) : o_(o), prof_(profile_of(o.profile)), cache_(o.cache) {}
    int run();

private:
    // Every training the chosen models need, with its cache entry checked (before any work).
    void plan();
    void add_training(const std::string& id, std::vector<std::string> args);
    // A training by mind1024-train, from the cache when it holds it: the entry's directory.
    std::string train(const std::string& id);
    // A study in a child process of the runner (one SystemC board per process),
    // its console in logs/ID.log: the JSON it returns.
    json study(const std::string& id, const std::string& what, const std::function<json()>& job);
    // The layered network of `net` on an 8-bit chip or one of `wbits`: the layered study's figures.
    json layered_on_chip(const std::string& id, const std::string& net, unsigned wbits);
    ProcessResult step(const std::string& id, const std::string& what, const std::vector<std::string>& argv);
    void baseline(const std::string& m, const std::string& label);
    void hopfield();
    void layered();
    void bits();
    void write_outputs(double wall);
    std::vector<std::string> limits() const;  // --train-limit, --test-limit of a training

    const ReportOptions& o_;
    const Profile& prof_;
    ResultCache cache_;
    std::string data_dir_, data_hash_, trainer_;
    size_t train_images_ = 0, test_images_ = 0;  // after the limits
    size_t step_ = 0, steps_ = 0;
    std::vector<Row> rows_;
    json bits_ = json::array(), steps_log_ = json::array();
    std::map<std::string, Training> trainings_;
};

std::vector<std::string> Report::limits() const {
    std::vector<std::string> a;
    if (o_.train_limit) a.insert(a.end(), {"--train-limit", std::to_string(o_.train_limit)});
    if (o_.test_limit) a.insert(a.end(), {"--test-limit", std::to_string(o_.test_limit)});
    return a;
}

ProcessResult Report::step(const std::string& id, const std::string& what, const std::vector<std::string>& argv) {
    ++step_;
    fmt::print(stderr, "[report] {}/{} {}\n", step_, steps_, what);
    const std::string log = join_path(join_path(o_.out, "logs"), id + ".log");
    const ProcessResult r = run_process(argv, log, !o_.no_progress, fmt::format("[report:{}] ", id));
    steps_log_.push_back({{"step", id}, {"what", what}, {"seconds", r.seconds}, {"result", r.describe()}, {"log", log}});
    if (!r.ok()) {
        std::string tail;
        for (const auto& l : r.tail) tail += "\n  " + l;
        throw ReportError(fmt::format("step {} ({}) failed with {}; its log is {}; it ended:{}", id, what, r.describe(), log, tail));
    }
    return r;
}

void Report::add_training(const std::string& id, std::vector<std::string> args) {
    const std::vector<std::string> lim = limits();
    args.insert(args.end(), {"--seed", std::to_string(o_.seed), "--threads", std::to_string(o_.threads)});
    args.insert(args.end(), lim.begin(), lim.end());
    trainings_[id] = plan_training(cache_, id, trainer_, args, data_hash_, o_.retrain);
}

void Report::plan() {
    if (wanted(o_, "softmax")) add_training("softmax", {"--model", "softmax", "--epochs", std::to_string(prof_.softmax)});
    if (wanted(o_, "mlp")) add_training("mlp", {"--model", "mlp", "--epochs", std::to_string(prof_.mlp)});
    if (wanted(o_, "cnn")) add_training("cnn", {"--model", "cnn", "--epochs", std::to_string(prof_.cnn)});
    if (wanted(o_, "stdp"))
        add_training("stdp", {"--model", "stdp", "--neurons", std::to_string(prof_.stdp_neurons), "--steps",
                              std::to_string(prof_.stdp_steps)});
    if (wanted(o_, "layered")) add_training("layered", {"--model", "layered", "--epochs", std::to_string(prof_.layered)});
    if (wanted(o_, "bits"))
        for (unsigned b : o_.bits)
            for (const bool ptq : {false, true}) {
                std::vector<std::string> a{"--model", "layered", "--epochs", std::to_string(prof_.bits), "--wbits", std::to_string(b)};
                if (ptq) a.push_back("--ptq");
                add_training(fmt::format("bits-{}-{}", ptq ? "ptq" : "qat", b), a);
            }
}

std::string Report::train(const std::string& id) {
    const Training& t = trainings_.at(id);
    if (t.cached) {
        ++step_;
        fmt::print(stderr, "[report] {}/{} {}: cached in {}\n", step_, steps_, id, t.dir);
        steps_log_.push_back({{"step", id}, {"what", "train (cached)"}, {"cache", t.dir}});
        return t.dir;
    }
    if (o_.retrain) cache_.remove(t.dir);
    const std::string staging = cache_.stage(t.dir);
    const std::vector<std::string> argv = training_argv(t, data_dir_, staging);
    std::string what = "train";
    for (const auto& a : t.args) what += " " + a;
    step(id, what, argv);
    cache_.commit(staging, t.dir, t.key);
    return t.dir;
}

json Report::study(const std::string& id, const std::string& what, const std::function<json()>& job) {
    ++step_;
    fmt::print(stderr, "[report] {}/{} {}\n", step_, steps_, what);
    const std::string log = join_path(join_path(o_.out, "logs"), id + ".log");
    const auto t0 = std::chrono::steady_clock::now();
    const json r = run_in_children(1, 1, [&](size_t) {
        // The child's console goes to its log, as a trainer's does.
        const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0) throw ReportError(fmt::format("{}: cannot write the step's log", log));
        ::dup2(fd, 1);
        ::dup2(fd, 2);
        ::close(fd);
        return job();
    })[0];
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const bool failed = r.is_object() && r.contains("error");
    steps_log_.push_back({{"step", id}, {"what", what}, {"seconds", seconds}, {"result", failed ? "failed" : "ok"}, {"log", log}});
    if (failed)
        throw ReportError(fmt::format("step {} ({}) failed: {}; its log is {}", id, what, r["error"].get<std::string>(), log));
    // The study's figures as it returned them: the one schema the rows are read from.
    write_text_atomic(join_path(join_path(o_.out, "runs"), id + ".json"), r.dump(2) + "\n");
    return r;
}

void Report::baseline(const std::string& m, const std::string& label) {
    const std::string dir = train(m);
    const std::string file = join_path(dir, "result.json");
    const json j = read_json_file(file);
    Row r;
    r.id = m;
    r.model = label;
    r.runs_on = m == "stdp" ? "host float (ours)" : "host float (libtorch)";
    r.parameters = field<size_t>(j, "/parameters", file);
    r.accuracy = 100 * field<double>(j, "/test_accuracy", file);
    r.train_seconds = field<double>(j, "/train_seconds", file);
    r.infer_seconds = field<double>(j, "/infer_seconds_per_image", file);
    r.cached = trainings_.at(m).cached;
    r.predictions = join_path(dir, "predictions.csv");
    r.column = "predicted_label";
    r.source = dir;
    rows_.push_back(r);
}

void Report::hopfield() {
    const json j = study("hopfield", fmt::format("the Hopfield classifier on the SystemC chip (seed {})", o_.seed), [&] {
        MnistJobOptions jo;
        jo.data = data_dir_;
        jo.seed = o_.seed;
        jo.train_limit = o_.train_limit;
        jo.limit = o_.test_limit;
        jo.cache = o_.cache;
        jo.retrain = o_.retrain;
        const ChipSpec spec;  // the SystemC chip with the contract's parameters
        const MnistJob job = prepare_mnist_job(jo, spec.params.n_max, "hopfield");
        auto chip = open_chip(spec);
        const ChipNetwork q = quantize_for(job.net, spec.params, {"fit", "nearest", o_.seed});
        const ClassifierEval e = evaluate_classifier(*chip, job.net, q, {&job.pixels, &job.test.labels});
        json r = chip_figures_json(e.chip);
        r.update({{"accuracy_float", e.twin.accuracy()}, {"chip_wall_seconds", e.chip.wall_seconds},
                  {"float_wall_seconds", e.twin.wall_seconds}, {"train_seconds", job.net.train_seconds},
                  {"train_cached", job.net_cached}, {"classifier", classifier_json(job.net)},
                  {"quantization", quantization_json(q, "fit", "nearest")}, {"chip", chip_json(spec)},
                  {"confusion_chip", e.confusion}, {"confusion_float", e.twin.confusion(job.test.labels, e.classes)}});
        return r;
    });
    const std::string src = join_path(join_path(o_.out, "runs"), "hopfield.json");
    const double images = field<double>(j, "/images", src);
    const auto protos = field<uint32_t>(j, "/classifier/protos_per_class", src);
    Row r;
    r.id = "hopfield-float";
    r.model = fmt::format("Hopfield k-WTA attractor, {}x10 prototypes, float twin", protos);
    r.runs_on = "host float (twin)";
    r.parameters = field<size_t>(j, "/quantization/nonzero_weights", src);
    r.neurons = field<uint32_t>(j, "/classifier/neurons", src);
    r.accuracy = field<double>(j, "/accuracy_float", src);
    r.train_seconds = field<double>(j, "/train_seconds", src);
    r.cached = field<bool>(j, "/train_cached", src);
    r.infer_seconds = field<double>(j, "/float_wall_seconds", src) / images;
    r.confusion = field<std::vector<size_t>>(j, "/confusion_float", src);
    r.source = src;
    rows_.push_back(r);
    r.id = "hopfield-chip";
    r.model = fmt::format("Hopfield k-WTA attractor, {}x10 prototypes", protos);
    r.runs_on = fmt::format("chip, {}-bit", field<unsigned>(j, "/chip/wbits", src));
    r.accuracy = field<double>(j, "/accuracy_fixed", src);
    r.infer_seconds = field<double>(j, "/chip_wall_seconds", src) / images;
    r.cycles = field<double>(j, "/cycles_per_image", src);
    r.chip_seconds = field<double>(j, "/sim_seconds_per_image", src);
    r.confusion = field<std::vector<size_t>>(j, "/confusion_chip", src);
    rows_.push_back(r);
}

json Report::layered_on_chip(const std::string& id, const std::string& net_dir, unsigned wbits) {
    return study(id, fmt::format("the layered network {} on the SystemC chip, WBITS {}", net_dir, wbits), [&] {
        ChipSpec spec;
        spec.params.wbits = wbits;
        const baselines::LayeredIntNet net = load_layered_network(net_dir, false, wbits);
        check_layered_fits(net, spec.params, net_dir);
        auto chip = open_chip(spec);
        const MnistSet test = layered_inputs(net, load_mnist_split(data_dir_, Split::Test), net_dir);
        const size_t images = o_.test_limit ? std::min<size_t>(o_.test_limit, test.count) : test.count;
        const LayeredEval e = evaluate_layered(*chip, net, test, images, spec.wrap);
        std::vector<size_t> confusion(100, 0);
        for (size_t i = 0; i < images; ++i) ++confusion[size_t{test.labels[i]} * 10 + size_t(e.chip_label[i])];
        return json{{"images", images},
                    {"accuracy_chip", e.accuracy_chip()},
                    {"accuracy_host_integer", e.accuracy_host()},
                    {"agree_with_host", e.agree},
                    {"cycles_per_image", e.cycles_per_image()},
                    {"sim_seconds_per_image", e.sim_seconds / double(images)},
                    {"chip_wall_seconds", e.chip_wall_seconds},
                    {"chip", chip_json(spec)},
                    {"network", {{"layers", {net.inputs, net.hidden, net.outputs}}, {"neurons", e.layout.neurons()}}},
                    {"confusion_chip", confusion}};
    });
}

void Report::layered() {
    const std::string net = train("layered");
    const json l = layered_on_chip("layered", net, ChipParams{}.wbits);
    const std::string nfile = join_path(net, "network.json"), src = join_path(join_path(o_.out, "runs"), "layered.json");
    const json n = read_json_file(nfile);
    const auto layers = field<std::vector<size_t>>(l, "/network/layers", src);
    if (layers.size() != 3) throw ReportError(fmt::format("{}: /network/layers must have 3 sizes", src));
    const double images = field<double>(l, "/images", src);
    Row r;
    r.id = "layered-float";
    r.model = fmt::format("layered {}-{}-{}, ±1 hidden, QAT, float twin", layers[0], layers[1], layers[2]);
    r.runs_on = "host float (libtorch)";
    r.parameters = layers[1] * layers[0] + layers[1] + layers[2] * layers[1] + layers[2];
    r.accuracy = 100 * field<double>(n, "/accuracy/fake_quantized", nfile);
    r.train_seconds = field<double>(n, "/training/train_seconds", nfile);
    r.cached = trainings_.at("layered").cached;
    r.source = net;
    rows_.push_back(r);
    r.id = "layered-chip";
    r.model = fmt::format("layered {}-{}-{}, ±1 hidden, QAT", layers[0], layers[1], layers[2]);
    r.runs_on = fmt::format("chip, {}-bit", field<unsigned>(l, "/chip/wbits", src));
    r.neurons = field<uint32_t>(l, "/network/neurons", src);
    r.accuracy = field<double>(l, "/accuracy_chip", src);
    r.infer_seconds = field<double>(l, "/chip_wall_seconds", src) / images;
    r.cycles = field<double>(l, "/cycles_per_image", src);
    r.chip_seconds = field<double>(l, "/sim_seconds_per_image", src);
    r.confusion = field<std::vector<size_t>>(l, "/confusion_chip", src);
    r.source = src;
    rows_.push_back(r);
}

void Report::bits() {
    for (unsigned b : o_.bits) {
        json point = {{"wbits", b}, {"epochs", prof_.bits}};
        for (const bool ptq : {false, true}) {
            const std::string how = ptq ? "ptq" : "qat", id = fmt::format("bits-{}-{}", how, b);
            const std::string net = train(id);
            const json l = layered_on_chip(id, net, b);
            const std::string nfile = join_path(net, "network.json"), src = join_path(join_path(o_.out, "runs"), id + ".json");
            const json n = read_json_file(nfile);
            point[how] = {{"chip_percent", field<double>(l, "/accuracy_chip", src)},
                          {"host_integer_percent", field<double>(l, "/accuracy_host_integer", src)},
                          {"float_percent", 100 * field<double>(n, "/accuracy/float", nfile)},
                          {"cached", trainings_.at(id).cached},
                          {"source", src}};
        }
        bits_.push_back(point);
    }
}

std::string markdown_table(const std::vector<Row>& rows) {
    std::string s =
        "| model | runs on | parameters | neurons of 1024 | test accuracy % | training s | inference µs/image | chip "
        "cycles/image | chip µs/image (simulated) |\n|---|---|---:|---:|---:|---:|---:|---:|---:|\n";
    for (const Row& r : rows)
        s += fmt::format("| {} | {} | {} | {} | {:.2f} | {}{} | {} | {} | {} |\n", r.model, r.runs_on, r.parameters,
                         r.neurons ? std::to_string(*r.neurons) : "-", r.accuracy, fmt_opt(r.train_seconds, "{:.1f}"),
                         r.cached ? " (cached)" : "", fmt_opt(r.infer_seconds, "{:.1f}", 1e6), fmt_opt(r.cycles, "{:.0f}"),
                         fmt_opt(r.chip_seconds, "{:.1f}", 1e6));
    return s;
}

void Report::write_outputs(double wall) {
    OutputSet out(o_.out);
    const std::string table = markdown_table(rows_);
    json j = {{"report", "mind1024 report"},
              {"profile", {{"name", prof_.name}, {"epochs", {{"softmax", prof_.softmax}, {"mlp", prof_.mlp}, {"cnn", prof_.cnn},
                                                             {"layered", prof_.layered}, {"bits", prof_.bits}}},
                           {"stdp_neurons", prof_.stdp_neurons}, {"stdp_steps", prof_.stdp_steps}}},
              {"seed", o_.seed},
              {"threads", o_.threads},
              {"data", {{"dir", data_dir_}, {"sha256", data_hash_}, {"train_limit", o_.train_limit}, {"test_limit", o_.test_limit}}},
              {"cache", o_.cache},
              {"rows", json::array()},
              {"accuracy_against_weight_bits", bits_},
              {"steps", steps_log_}};
    for (const Row& r : rows_) j["rows"].push_back(row_json(r));
    write_json(out.path("report.json"), j, provenance(nullptr, {{"wall_seconds", wall}}));
    write_stream_atomic(out.path("report.csv"), [&](std::ostream& s) {
        s << "# mind1024 report, profile " << prof_.name << ", seed " << o_.seed << ", " << o_.threads << " thread(s), "
          << program_version() << "\n";
        s << "id,model,runs_on,parameters,neurons_of_1024,test_accuracy_percent,train_seconds,train_cached,"
             "inference_seconds_per_image,chip_cycles_per_image,chip_simulated_seconds_per_image\n";
        auto opt = [](const std::optional<double>& v) { return v ? fmt::format("{:.9g}", *v) : std::string(); };
        auto text = [](const std::string& v) {  // RFC 4180: quoted, inner quotes doubled
            std::string q = "\"";
            for (char c : v) q += c == '"' ? std::string("\"\"") : std::string(1, c);
            return q + "\"";
        };
        for (const Row& r : rows_)
            s << r.id << ',' << text(r.model) << ',' << text(r.runs_on) << ',' << r.parameters << ','
              << (r.neurons ? std::to_string(*r.neurons) : "") << ',' << fmt::format("{:.2f}", r.accuracy) << ','
              << opt(r.train_seconds) << ',' << (r.cached ? 1 : 0) << ',' << opt(r.infer_seconds) << ',' << opt(r.cycles)
              << ',' << opt(r.chip_seconds) << '\n';
    });
    std::string md = fmt::format("# mind1024 report\n\nProfile {}, seed {}, {} thread(s), {}; data {} (SHA-256 {}){}.\n\n{}",
                                 prof_.name, o_.seed, o_.threads, program_version(), data_dir_, data_hash_.substr(0, 16),
                                 o_.test_limit || o_.train_limit
                                     ? fmt::format(", first {} training and {} test images", o_.train_limit, o_.test_limit)
                                     : std::string(),
                                 table);
    for (const Row& r : rows_) {
        if (r.predictions.empty() && r.confusion.empty()) continue;
        const std::vector<size_t> m = r.confusion.empty() ? confusion_from_csv(r.predictions, r.column) : r.confusion;
        const size_t total = std::accumulate(m.begin(), m.end(), size_t{0});
        MatrixSpec spec{fmt::format("{} ({}): {:.2f}% of {} test images", r.model, r.runs_on, r.accuracy, total),
                        "predicted label", "true label", "test images (count, linear scale)", {}, {}, {}};
        for (int k = 0; k < 10; ++k) spec.row_labels.push_back(std::to_string(k));
        spec.col_labels = spec.row_labels;
        spec.values.assign(m.begin(), m.end());
        matrix_png(out.path("confusion_" + r.id + ".png"), spec);
        write_stream_atomic(out.path("confusion_" + r.id + ".csv"), [&](std::ostream& s) {
            s << "true_label\\predicted,0,1,2,3,4,5,6,7,8,9\n";
            for (int t = 0; t < 10; ++t) {
                s << t;
                for (int p = 0; p < 10; ++p) s << ',' << m[size_t(t) * 10 + size_t(p)];
                s << '\n';
            }
        });
    }
    if (!bits_.empty()) {
        PlotSpec p{fmt::format("Layered 784-230-10 on the chip against weight bits\n({} epoch{} per width; trained on {} "
                               "images, tested on {})",
                               prof_.bits, prof_.bits == 1 ? "" : "s", train_images_, test_images_),
                   "weight bits (WBITS)", "test accuracy (%)", false, {}, {}, 0, 100, 2, "right center"};
        p.integer_x = true;
        p.horizontal_marks.push_back({10.0, "chance (10%)"});
        Series qat{"trained for the width (QAT), on the chip", {}, {}, true, 1, false};
        Series ptq{"quantized after float training (PTQ), on the chip", {}, {}, true, 2, false};
        Series flt{"PTQ's float network before quantization", {}, {}, false, 2, true};
        qat.point_type = 7, ptq.point_type = 5, flt.rgb = "black", flt.line_width = 3;
        md += "\n## Accuracy against weight bits (layered network on the chip, %)\n\n| WBITS | QAT chip | PTQ chip | PTQ float |\n|---|---:|---:|---:|\n";
        for (const json& b : bits_) {
            const double w = b["wbits"].get<double>();
            qat.x.push_back(w), qat.y.push_back(b["qat"]["chip_percent"].get<double>());
            ptq.x.push_back(w), ptq.y.push_back(b["ptq"]["chip_percent"].get<double>());
            flt.x.push_back(w), flt.y.push_back(b["ptq"]["float_percent"].get<double>());
            md += fmt::format("| {} | {:.2f} | {:.2f} | {:.2f} |\n", b["wbits"].get<unsigned>(), qat.y.back(), ptq.y.back(), flt.y.back());
        }
        p.series = {qat, ptq, flt};
        const std::string same = coinciding_series_note(p.series);
        if (!same.empty()) p.note = "Drawn over each other: " + same + ".";
        write_stream_atomic(out.path("bits.csv"), [&](std::ostream& s) {
            s << "wbits,qat_chip_percent,ptq_chip_percent,ptq_float_percent\n";
            for (size_t k = 0; k < qat.x.size(); ++k) s << qat.x[k] << ',' << qat.y[k] << ',' << ptq.y[k] << ',' << flt.y[k] << '\n';
        });
        plot_png(out.path("bits.png"), p);
    }
    write_text_atomic(out.path("report.md"), md);
    publish_outputs(out, provenance());
    fmt::print("{}", md);
    fmt::print("\nwrote {}/report.md, report.csv, report.json{}{} (whole report {:.0f} s)\n", o_.out,
               rows_.empty() ? "" : ", confusion_*.png/.csv", bits_.empty() ? "" : ", bits.png/.csv", wall);
}

int Report::run() {
    const auto wall0 = std::chrono::steady_clock::now();
    // Before any work: the output and cache directories, the programs, the data.
    check_output_dir(o_.out, {"report.md", "report.csv", "report.json", "bits.png", "bits.csv"});
    check_output_dir(o_.cache);
    const bool torch = wanted(o_, "softmax") || wanted(o_, "mlp") || wanted(o_, "cnn") || wanted(o_, "stdp") ||
                       wanted(o_, "layered") || wanted(o_, "bits");
    trainer_ = o_.trainer.empty() ? join_path(own_directory(), "mind1024-train") : o_.trainer;
    if (torch && ::access(trainer_.c_str(), X_OK) != 0)
        throw BadArgument(fmt::format("{}: no trainer there (mind1024-train is built with -DMIND1024_BASELINES=ON, which "
                                      "needs libtorch-dev); give --trainer PATH, or --models hopfield",
                                      trainer_));
    data_dir_ = resolve_data_dir(o_.data);
    const MnistSet train = baselines::first_items(load_mnist_split(data_dir_, Split::Train), o_.train_limit);
    const MnistSet test = baselines::first_items(load_mnist_split(data_dir_, Split::Test), o_.test_limit);
    check_same_geometry(train, test);
    if (train.rows * train.cols != 784)
        throw DataError(fmt::format("{}: the report's models take 28 x 28 images, not {} x {}", train.images_path, train.rows, train.cols));
    data_hash_ = data_sha256(train, test);
    train_images_ = train.count, test_images_ = test.count;
    fmt::print(stderr, "[report] profile {}: data {} ({} training, {} test images, SHA-256 {}), cache {}\n", prof_.name,
               data_dir_, train.count, test.count, data_hash_.substr(0, 16), o_.cache);
    plan();  // a corrupt or stale cache entry stops the report here, before any work
    // Every training, then the chip runs: Hopfield, the layered network, two per width.
    steps_ = trainings_.size() + wanted(o_, "hopfield") + wanted(o_, "layered") + wanted(o_, "bits") * 2 * o_.bits.size();
    ensure_directory(join_path(o_.out, "logs"));
    ensure_directory(join_path(o_.out, "runs"));

    if (wanted(o_, "softmax")) baseline("softmax", "softmax (one layer)");
    if (wanted(o_, "mlp")) baseline("mlp", "MLP 784-800-10");
    if (wanted(o_, "cnn")) baseline("cnn", "CNN 2 conv + 2 dense");
    if (wanted(o_, "stdp")) baseline("stdp", fmt::format("spiking STDP, {} neurons, linear readout", prof_.stdp_neurons));
    if (wanted(o_, "hopfield")) hopfield();
    if (wanted(o_, "layered")) layered();
    if (wanted(o_, "bits")) bits();
    write_outputs(std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count());
    return 0;
}

}  // namespace

Command add_report_command(CLI::App& app) {
    auto o = std::make_shared<ReportOptions>();
    CLI::App* c = app.add_subcommand(
        "report", "train (or take from the cache) every model, run the chip's models on the SystemC chip, and write one table "
                  "(report.md/.csv/.json), confusion matrices and the accuracy against weight bits");
    c->add_option("--data", o->data, "directory with the MNIST IDX files (raw or .gz); default $MIND1024_DATA, then the set-up's copy");
    c->add_option("--out", o->out, "output directory")->capture_default_str();
    c->add_option("--cache", o->cache,
                  "where trained weights are kept, keyed by a hash of the training settings and the data; default "
                  "$MIND1024_CACHE, else " MIND1024_DEFAULT_CACHE_DIR);
    c->add_option("--profile", o->profile,
                  "training lengths: quick (14 minutes from an empty cache, measured on a shared 2-core machine), full "
                  "(the epochs of docs/results.md; about 40 minutes by the sum of its trainings' earlier times), smoke "
                  "(one epoch each, for tests)")
        ->check(CLI::IsMember({"quick", "full", "smoke"}))
        ->capture_default_str();
    c->add_option("--models", o->models, "only these, comma-separated: softmax, mlp, cnn, stdp, hopfield, layered, bits (default all)")
        ->delimiter(',')
        ->check(CLI::IsMember(std::vector<std::string>(std::begin(kModels), std::end(kModels))));
    c->add_option("--bits", o->bits, "weight widths of the accuracy-against-bits curve, comma-separated")
        ->delimiter(',')
        ->check(whole_number(1, 8));
    c->add_option("--seed", o->seed, "seed of every training and of the chip runs")->capture_default_str()->check(whole_number(0, UINT64_MAX));
    c->add_option("--threads", o->threads, "torch threads per training")->capture_default_str()->check(whole_number(1, 64));
    c->add_option("--train-limit", o->train_limit, "use only the first N training images (0 = all)")->check(whole_number(0, UINT32_MAX));
    c->add_option("--test-limit", o->test_limit, "use only the first N test images (0 = all)")->check(whole_number(0, UINT32_MAX));
    c->add_option("--trainer", o->trainer, "the mind1024-train program (default: beside this one)");
    c->add_flag("--retrain", o->retrain, "train again even where the cache holds a result (and replace it)");
    c->add_flag("--no-progress", o->no_progress, "do not echo the steps' own progress lines (they stay in OUT/logs/)");
    return [o] {
        if (o->cache.empty()) {
            const char* e = std::getenv("MIND1024_CACHE");
            o->cache = e && *e ? e : MIND1024_DEFAULT_CACHE_DIR;
        }
        if (o->bits.empty()) throw BadArgument("--bits: give at least one width");
        Report r(*o);
        return r.run();
    };
}

}  // namespace mind1024::host
