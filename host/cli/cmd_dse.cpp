// mind1024 dse SPACE: every design point of a space file measured (accuracy,
// cycles, area, energy), the Pareto front, plots and a summary. Parse the space,
// prepare the workload once (the classifier trained or taken from the cache),
// run the study, write.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "host/board/errors.h"
#include "host/cli/commands.h"
#include "host/cli/common.h"
#include "host/cli/mnist_job.h"
#include "host/study/dse.h"
#include "host/study/dse_writers.h"
#include "host/baselines/dataset.h"
#include "host/classify/layered_chip.h"
#include "host/report/subprocess.h"
#include "host/study/mpi_runner.h"
#include "host/study/trainer_cache.h"
#include "host/study/patterns.h"

namespace mind1024::host {

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

struct DseOptions {
    std::string space, out = "results/dse", cache, data, model = "systemc", shard;
    unsigned jobs = 2;
    bool resume = false, no_progress = false;
    size_t check_images = 16;
    long long point = -1;  // internal: run this one point and print its row (an MPI rank's job)
};

std::string scalar_text(const json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

// The workload's keys as the mnist command's options (train_images = --train-limit,
// test_images = --limit, any other by its name): one set of checks and defaults.
MnistJobOptions mnist_options(const DseSpace& s, const DseOptions& o) {
    MnistJobOptions jo;
    CLI::App app;
    add_mnist_job_options(&app, jo);
    std::vector<std::string> args;
    for (const auto& kv : s.workload.items()) {
        if (kv.key() == "scale" || kv.key() == "rounding") continue;  // the quantizer's (quantize_options)
        std::string name = kv.key() == "train_images" ? "train-limit" : kv.key() == "test_images" ? "limit" : kv.key();
        std::replace(name.begin(), name.end(), '_', '-');
        if (name == "net" || name == "save-net" || name == "retrain")
            throw BadArgument(fmt::format("{}: workload.{}: not a workload setting", s.file, kv.key()));
        if (name == "order")
            throw BadArgument(fmt::format("{}: workload.order: the update order is an axis of the space (space.order)", s.file));
        if (kv.value().is_boolean()) {
            if (kv.value().get<bool>()) args.push_back("--" + name);
            continue;
        }
        args.push_back("--" + name);
        args.push_back(scalar_text(kv.value()));
    }
    std::reverse(args.begin(), args.end());  // CLI11 takes them from the back
    try {
        app.parse(args);
    } catch (const CLI::ParseError& e) {
        throw BadArgument(fmt::format("{}: workload: {} (the workload takes the mnist command's options by name)",
                                      s.file, e.what()));
    }
    if (!o.data.empty()) jo.data = o.data;
    if (!o.cache.empty()) jo.cache = o.cache;
    return jo;
}

// workload.scale and workload.rounding: the mnist command's --scale and --rounding.
QuantizeOptions quantize_options(const DseSpace& s, uint64_t seed) {
    QuantizeOptions q;
    q.seed = seed;
    CLI::App app;
    add_scale_option(&app, q.scale);
    add_rounding_option(&app, q.rounding);
    std::vector<std::string> args;
    for (const char* k : {"scale", "rounding"})
        if (s.workload.contains(k)) args.insert(args.begin(), {scalar_text(s.workload[k]), std::string("--") + k});
    try {
        app.parse(args);
    } catch (const CLI::ParseError& e) {
        throw BadArgument(fmt::format("{}: workload: {}", s.file, e.what()));
    }
    return q;
}

uint32_t smallest_n_max(const std::vector<DsePoint>& points) {
    uint32_t n = UINT32_MAX;
    for (const auto& p : points) n = std::min(n, p.chip.params.n_max);
    return n;
}

DseWorkload recall_workload(const DseSpace& s) {
    DseWorkload w;
    w.net = "recall";
    uint32_t side = 16, load = 20;
    uint64_t seed = 1;
    for (const auto& kv : s.workload.items()) {
        const std::string& k = kv.key();
        const json& v = kv.value();
        auto whole = [&](uint64_t lo, uint64_t hi) {
            if (!v.is_number_integer() || v.get<int64_t>() < int64_t(lo) || v.get<uint64_t>() > hi)
                throw BadArgument(fmt::format("{}: workload.{}: {} is not a whole number {}..{}", s.file, k, v.dump(), lo, hi));
            return v.get<uint64_t>();
        };
        if (k == "side") side = uint32_t(whole(2, 128));
        else if (k == "load") load = uint32_t(whole(1, 10000));
        else if (k == "seed") seed = whole(0, UINT32_MAX);
        else if (k == "max_sweeps") w.max_sweeps = uint32_t(whole(1, 10000));
        else if (k == "rule") {
            if (!v.is_string() || (v != "hebb" && v != "storkey" && v != "pinv"))
                throw BadArgument(fmt::format("{}: workload.rule: {} is not hebb, storkey or pinv", s.file, v.dump()));
            w.rule = v;
        } else if (k == "flip") {
            if (!v.is_number() || v.get<double>() < 0 || v.get<double>() > 0.5)
                throw BadArgument(fmt::format("{}: workload.flip: {} is not a fraction 0..0.5", s.file, v.dump()));
            w.flip = v;
        } else {
            throw BadArgument(fmt::format("{}: workload.{}: unknown key (recall takes side, load, rule, flip, seed, "
                                          "max_sweeps)", s.file, k));
        }
    }
    w.patterns = make_patterns("random", load, side, seed);
    w.description = {{"net", "recall"}, {"neurons", side * side}, {"load", load}, {"rule", w.rule},
                     {"flip", w.flip}, {"seed", seed}, {"max_sweeps", w.max_sweeps}};
    return w;
}

// Where trained classifiers and Yosys's areas are kept: --cache, $MIND1024_CACHE,
// else OUT/cache (the ranks' point processes read them from there).
std::string cache_dir(const DseOptions& o) {
    if (!o.cache.empty()) return o.cache;
    if (const char* c = std::getenv("MIND1024_CACHE")) return c;
    return join_path(o.out, "cache");
}

// The layered network per WBITS: a trained network's files (workload.dir,
// quantized to each WBITS unless quantize: false), or trained for each WBITS
// by mind1024-train (train: qat), through the report's cache.
struct LayeredData {
    MnistSet test;
};
DseWorkload layered_workload(const DseSpace& s, const std::vector<DsePoint>& points, const DseOptions& o,
                             LayeredData& keep) {
    DseWorkload w;
    w.net = "layered";
    std::string dir, train;
    bool quantize = true;
    size_t test_images = 0, train_images = 0, epochs = 5;
    uint64_t seed = 1;
    for (const auto& kv : s.workload.items()) {
        const std::string& k = kv.key();
        const json& v = kv.value();
        auto whole = [&]() {
            if (!v.is_number_integer() || v.get<int64_t>() < 0)
                throw BadArgument(fmt::format("{}: workload.{}: {} is not a whole number", s.file, k, v.dump()));
            return v.get<uint64_t>();
        };
        if (k == "dir" && v.is_string()) dir = v;
        else if (k == "train" && v.is_string() && v == "qat") train = "qat";
        else if (k == "quantize" && v.is_boolean()) quantize = v;
        else if (k == "test_images") test_images = whole();
        else if (k == "train_images") train_images = whole();
        else if (k == "epochs") epochs = std::max<uint64_t>(1, whole());
        else if (k == "seed") seed = whole();
        else
            throw BadArgument(fmt::format("{}: workload.{}: {} is not a layered setting (dir: PATH, or train: qat with "
                                          "epochs, train_images, seed; test_images; quantize: true|false)",
                                          s.file, k, v.dump()));
    }
    if (dir.empty() == train.empty())
        throw BadArgument(fmt::format("{}: workload: the layered network needs either dir (a trained network) or "
                                      "train: qat (one per WBITS)", s.file));
    const std::string data = resolve_data_dir(o.data);
    keep.test = baselines::first_items(load_mnist_split(data, Split::Test), test_images);
    w.test = &keep.test;
    w.test_images = keep.test.count;
    std::set<uint32_t> widths;
    for (const auto& p : points) widths.insert(p.chip.params.wbits);
    json nets = json::object();
    for (uint32_t b : widths) {
        std::string from = dir;
        if (!train.empty()) {
            const MnistSet tr = baselines::first_items(load_mnist_split(data, Split::Train), train_images);
            const ResultCache cache(cache_dir(o));
            std::vector<std::string> args{"--model", "layered", "--epochs", std::to_string(epochs), "--wbits",
                                          std::to_string(b), "--seed", std::to_string(seed), "--threads", "1"};
            if (train_images) args.insert(args.end(), {"--train-limit", std::to_string(train_images)});
            if (test_images) args.insert(args.end(), {"--test-limit", std::to_string(test_images)});
            const Training t = plan_training(cache, fmt::format("bits-qat-{}", b), join_path(own_directory(), "mind1024-train"),
                                             args, data_sha256(tr, keep.test), false);
            ensure_directory(join_path(o.out, "logs"));
            fmt::print(stderr, "[dse] layered network for WBITS {}: {}\n", b, t.cached ? "from the cache" : "training (QAT)");
            from = run_training(cache, t, data, join_path(join_path(o.out, "logs"), t.id + ".log"), false);
        }
        w.layered[b] = load_layered_network(from, train.empty() && quantize, b);
        const json nj = json::parse(std::ifstream(join_path(from, "network.json")), nullptr, false);
        if (!nj.is_discarded() && nj.contains("accuracy") && nj["accuracy"].contains("float"))
            w.layered_float[b] = nj["accuracy"]["float"].get<double>();
        nets[std::to_string(b)] = from;
        w.layered_dirs[b] = from;
    }
    w.description = {{"net", "layered"}, {"options", s.workload}, {"networks", nets}, {"images", w.test_images}};
    return w;
}

// Before any work: a finished or running output directory is continued only with --resume, and only for its space.
void check_out(const DseSpace& s, const DseOptions& o) {
    const std::string prior = join_path(o.out, "dse.json");
    if (!o.resume) {
        if (fs::exists(join_path(o.out, "points.jsonl")))
            throw BadArgument(fmt::format("{} holds a design-space run: --resume continues it; or choose another --out", o.out));
    } else if (fs::exists(prior)) {
        json j;
        try {
            j = json::parse(std::ifstream(prior));
        } catch (const json::exception& e) {
            throw BadArgument(fmt::format("{}: unreadable ({}); cannot resume", prior, e.what()));
        }
        if (j.value("space", json()) != s.source)
            throw BadArgument(fmt::format("--resume: {} was made from another space than {}", prior, s.file));
    }
    check_output_dir(o.out, {"points.csv", "pareto.csv", "dse.json", "front_area.png", "front_cycles.png", "summary.md"});
}

void progress_line(const DseOptions& o, std::chrono::steady_clock::time_point t0, size_t done, size_t total,
                   size_t resumed, const json& row) {
    if (o.no_progress) return;
    const double el = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const size_t here = done - resumed;
    const double eta = here ? el / double(here) * double(total - done) : 0;
    const std::string what = row.contains("error") ? "failed: " + row["error"].get<std::string>()
                                                   : fmt::format("accuracy {:.2f}%", 100 * row["accuracy"].get<double>());
    fmt::print(stderr, "[dse] {}/{} W{} A{} L{} {} {}: {}; ETA {:.0f} s\n", done, total, row["wbits"].get<double>(),
               row["abits"].get<double>(), row["lanes"].get<double>(), row["overflow"].get<std::string>(),
               row["order"].get<std::string>(), what, eta);
}

// The classifiers are trained (or taken from the cache) once per order of `points`.
DseWorkload prepare_workload(const DseSpace& s, const std::vector<DsePoint>& points, const DseOptions& o,
                             std::map<Order, MnistJob>& jobs, LayeredData& layered) {
    DseWorkload w;
    if (s.net == "layered") {
        w = layered_workload(s, points, o, layered);
    } else if (s.net == "hopfield") {
        MnistJobOptions jo = mnist_options(s, o);
        w.quantize = quantize_options(s, jo.seed);
        w.description = {{"net", "hopfield"}, {"options", s.workload}, {"classifiers", json::object()}};
        for (const auto& p : points) {
            if (jobs.count(p.order)) continue;
            jo.order = order_name(p.order);
            MnistJob& job = jobs[p.order] = prepare_mnist_job(jo, smallest_n_max(points), "dse");
            w.classifiers[p.order] = &job.net;
            w.images = {&job.pixels, &job.test.labels};
            w.description["images"] = job.images;
            w.description["classifiers"][jo.order] = {{"train_cached", job.net_cached}, {"classifier", classifier_json(job.net)}};
        }
    } else {
        w = recall_workload(s);
    }
    w.check_images = o.check_images;
    return w;
}

std::vector<std::string> own_command_line() {
    std::ifstream in("/proc/self/cmdline", std::ios::binary);
    std::vector<std::string> argv;
    std::string a;
    while (std::getline(in, a, '\0')) argv.push_back(a);
    argv.at(0) = fs::read_symlink("/proc/self/exe").string();
    return argv;
}

// One point in this process, its row on stdout: what an MPI rank runs.
int run_one_point(DseOptions o) {
    o.cache = cache_dir(o);
    const DseSpace s = read_dse_space(o.space);
    const std::vector<DsePoint> points = expand_dse_space(s);
    if (o.point < 0 || size_t(o.point) >= points.size())
        throw BadArgument(fmt::format("--point {}: the space has points 0..{}", o.point, points.size() - 1));
    const DsePoint& p = points[size_t(o.point)];
    std::map<Order, MnistJob> jobs;
    LayeredData layered;
    const DseWorkload w = prepare_workload(s, {p}, o, jobs, layered);
    const ChipParams& c = p.chip.params;
    const LogicArea area = datapath_area(default_area_model(o.cache), c.wbits, c.abits, c.lanes);
    fmt::print("{}\n", run_dse_point(p, w, s, area, o.model).dump());
    return 0;
}

// Rank 0's executor: each point a `mind1024 dse ... --point K` process on another rank.
void run_points_on_ranks(MpiSession& mpi, const DseOptions& o, const std::vector<size_t>& todo,
                         const std::function<void(size_t, const json&)>& done) {
    std::vector<std::string> argv;  // ours, with --cache made explicit
    const std::vector<std::string> own = own_command_line();
    for (size_t i = 0; i < own.size(); ++i) {
        if (own[i] == "--cache") ++i;
        else if (own[i].rfind("--cache=", 0) != 0) argv.push_back(own[i]);
    }
    ensure_directory(join_path(o.out, "logs"));
    run_on_ranks(
        mpi, todo.size(),
        [&](size_t k) {
            RankJob j{argv, join_path(join_path(o.out, "logs"), fmt::format("point-{}.log", todo[k]))};
            j.argv.insert(j.argv.end(), {"--point", std::to_string(todo[k]), "--cache", cache_dir(o)});
            return j;
        },
        [&](size_t k, const json& r) { done(todo[k], r); });
}

std::pair<size_t, size_t> parse_shard(const std::string& s) {
    size_t i = 0, n = 0;
    char slash = 0;
    std::istringstream in(s);
    if (!(in >> i >> slash >> n) || slash != '/' || n == 0 || i >= n || !in.eof())
        throw BadArgument(fmt::format("--shard {}: give I/N with 0 <= I < N, e.g. 0/4", s));
    return {i, n};
}

int run_dse_command(const DseOptions& o) {
    if (o.point >= 0) return run_one_point(o);
    std::unique_ptr<MpiSession> mpi;
    if (mpi_launched()) {
        mpi = std::make_unique<MpiSession>();
        if (mpi->rank() != 0) {
            serve_rank_jobs(*mpi);
            return 0;
        }
    }
    const DseSpace s = read_dse_space(o.space);
    const std::vector<DsePoint> points = expand_dse_space(s);
    const auto shard = o.shard.empty() ? std::pair<size_t, size_t>{0, 1} : parse_shard(o.shard);
    check_out(s, o);
    std::map<Order, MnistJob> jobs;  // keep the classifiers and images the workload points to
    DseOptions oc = o;
    oc.cache = cache_dir(o);  // the ranks' point processes find the classifiers there
    LayeredData layered;
    const DseWorkload w = prepare_workload(s, points, oc, jobs, layered);
    ensure_directory(o.out);
    write_text_atomic(join_path(o.out, "dse.json"), json{{"format", kDseFormat}, {"space", s.source}, {"state", "running"}}.dump(1) + "\n");
    DseRunOptions ro;
    ro.out = o.out, ro.jobs = o.jobs, ro.resume = o.resume, ro.model = o.model;
    ro.shard = shard.first, ro.shards = shard.second;
    ro.area = default_area_model(oc.cache);
    if (mpi)
        ro.executor = [&](const std::vector<size_t>& todo, const std::function<void(size_t, const json&)>& done) {
            run_points_on_ranks(*mpi, o, todo, done);
        };
    const auto t0 = std::chrono::steady_clock::now();
    size_t base = SIZE_MAX;  // points done before this run's first (resumed ones)
    ro.progress = [&](size_t done, size_t total, const json& row) {
        if (base == SIZE_MAX) base = done - 1;
        progress_line(o, t0, done, total, base, row);
    };
    ro.area_progress = [&](size_t done, size_t total) {
        if (!o.no_progress) fmt::print(stderr, "[dse] area: {}/{} designs through Yosys (or its cache)\n", done, total);
    };
    if (mpi) fmt::print(stderr, "[dse] {} design points over {} MPI ranks\n", points.size(), mpi->size() - 1);
    else fmt::print(stderr, "[dse] {} design points, {} at a time\n", points.size(), o.jobs);
    const DseResult r = run_dse(s, w, ro);
    const auto names = write_dse_outputs(
        s, w, r, o.out,
        provenance(nullptr, {{"wall_seconds", r.seconds}, {"mpi_ranks", mpi ? mpi->size() : 0},
                             {"shard", o.shard.empty() ? "0/1" : o.shard}}));
    fmt::print("{}\nwrote", dse_summary_md(s, r));
    for (const auto& n : names) fmt::print(" {}", join_path(o.out, n));
    fmt::print("\n");
    for (const auto& row : r.rows)
        if (row.contains("error") && !row.value("infeasible", false)) return 1;
    return 0;
}

}  // namespace

Command add_dse_command(CLI::App& app) {
    auto o = std::make_shared<DseOptions>();
    CLI::App* c = app.add_subcommand("dse", "design-space exploration: accuracy, cycles, area and energy at every point "
                                            "of a space file, the Pareto front (docs/dse.md)");
    c->add_option("space", o->space, "the space: YAML or JSON, format mind1024-dse/1 (docs/dse.md)")->required();
    c->add_option("--out", o->out, "output directory")->capture_default_str();
    c->add_option("--jobs", o->jobs, "points at once, each in a process of its own")->capture_default_str()->check(CLI::Range(1u, 256u));
    c->add_flag("--resume", o->resume, "continue a run killed in OUT: its finished points are not run again");
    c->add_option("--cache", o->cache, "keep trained classifiers and Yosys's areas here (default $MIND1024_CACHE)");
    c->add_option("--data", o->data, "MNIST IDX directory (default $MIND1024_DATA, then the set-up's copy)");
    c->add_option("--model", o->model, std::string("chip model of every point: ") + kChipModelsHelp)
        ->capture_default_str()
        ->check(CLI::IsMember(kChipModels));
    c->add_option("--check-images", o->check_images,
                  "images of each point also run on the plain reference model; a disagreement flags the point")
        ->capture_default_str()
        ->check(CLI::Range(size_t{0}, size_t{1000000}));
    c->add_flag("--no-progress", o->no_progress, "no line per finished point");
    c->add_option("--shard", o->shard,
                  "run only the points whose index is I modulo N (I/N), e.g. one job of a job array; merge the shards' "
                  "points.jsonl into one directory and run again with --resume (docs/dse.md)");
    c->add_option("--point", o->point, "internal: run one point, its row on stdout (the MPI ranks' job)")->group("");
    return [o] { return run_dse_command(*o); };
}

}  // namespace mind1024::host
