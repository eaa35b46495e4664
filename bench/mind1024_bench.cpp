// mind1024_bench: neuron updates per second and simulated cycles per second of
// the reference model and of the SystemC chip (coarse and per-neuron-event
// engines), driven through the bus the way the host drives it, on a
// 1024-neuron workload (random symmetric weights, ASYNC_SEQ and SYNC).
// Medians over repeats; the SystemC/reference ratio. Then, in the same run:
// the memory-stream time of the int8 weight array, one SYNC and one ASYNC
// sweep of every engine (reference, run engine, float twin, SystemC chip)
// against it, and the MNIST images/s of `mind1024 mnist` on the SystemC
// chip. Not a test.
#include <cstdlib>
#include <algorithm>
#include <cmath>
#include <memory>
#include <sys/resource.h>
#include <unistd.h>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <systemc>

#include "sysc/chip.h"
#include "sysc/engine/field_kernels.h"
#include "sysc/engine/fixed_point_arith.h"
#include "sysc/engine/untimed_run.h"
#include "sysc/fixed_point.h"
#include "host/twin/float_twin.h"
#include "mind1024_regs.h"
#include "mind1024_version.h"
#include "sysc/reference_model.h"
#include "tests/support/tlm_initiator.h"

using namespace mind1024;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
    std::vector<uint32_t> neurons{1024};
    uint32_t n = 1024;  // the N being measured
    uint32_t sweeps = 50;
    uint32_t repeats = 7;
    uint32_t temp = 0;
    uint32_t seed = 1;
    uint32_t sweep_repeats = 31;
    std::string json;
    std::string mnist_data, mnist_cli = MIND1024_CLI_PATH;
    size_t mnist_limit = 0;
};

struct Workload {
    std::vector<std::vector<int16_t>> w;
    std::vector<std::vector<int8_t>> starts;  // one initial state per repeat
};

Workload make_workload(const ChipParams& p, const Options& o) {
    std::mt19937 rng(o.seed);
    std::uniform_int_distribution<int> wd(static_cast<int>(fx::range_min(p.wbits)), static_cast<int>(fx::range_max(p.wbits)));
    Workload wl;
    wl.w.assign(o.n, std::vector<int16_t>(o.n, 0));
    for (uint32_t i = 0; i < o.n; ++i)
        for (uint32_t j = i + 1; j < o.n; ++j) wl.w[i][j] = wl.w[j][i] = static_cast<int16_t>(wd(rng));
    for (uint32_t r = 0; r < o.repeats; ++r) {
        std::vector<int8_t> s(p.n_max);
        for (auto& x : s) x = rng() % 2 ? 1 : -1;
        wl.starts.push_back(std::move(s));
    }
    return wl;
}

struct Sample {
    double seconds = 0;
    uint64_t updates = 0, cycles = 0;
    uint32_t sweeps = 0;
    std::vector<int8_t> final_state;
};

struct Result {
    std::string model, order;
    double updates_per_s = 0, cycles_per_s = 0, seconds = 0;
    uint32_t sweeps = 0;
};

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const size_t m = v.size() / 2;
    return v.size() % 2 ? v[m] : 0.5 * (v[m - 1] + v[m]);
}

Result summarize(const std::string& model, const std::string& order, const std::vector<Sample>& s) {
    std::vector<double> u, c, t;
    uint32_t sweeps = 0;
    for (const Sample& x : s) {
        u.push_back(x.updates / x.seconds);
        c.push_back(x.cycles / x.seconds);
        t.push_back(x.seconds);
        sweeps += x.sweeps;
    }
    return {model, order, median(u), median(c), median(t), sweeps};
}

// ---------------------------------------------------------------- reference model

std::vector<Sample> bench_reference(const ChipParams& p, const Options& o, const Workload& wl, Order order) {
    ReferenceModel m(p);
    for (uint32_t i = 0; i < o.n; ++i)
        for (uint32_t j = 0; j < o.n; ++j) m.set_weight(i, j, wl.w[i][j]);
    Mode mode;
    mode.order = order;
    mode.noise = o.temp != 0;
    m.set_mode(mode);
    m.set_n_active(o.n);
    m.set_max_sweeps(o.sweeps);
    m.set_temp(o.temp);
    std::vector<Sample> out;
    for (uint32_t r = 0; r < o.repeats; ++r) {
        for (uint32_t i = 0; i < p.n_max; ++i) m.set_state(i, wl.starts[r][i]);
        const uint64_t c0 = m.status().cycles;
        const auto t0 = Clock::now();
        m.start();
        const double dt = std::chrono::duration<double>(Clock::now() - t0).count();
        Sample s;
        s.seconds = dt;
        s.sweeps = m.status().sweeps;
        s.updates = uint64_t{s.sweeps} * o.n;
        s.cycles = m.status().cycles - c0;
        s.final_state = m.states();
        out.push_back(std::move(s));
    }
    return out;
}

// ---------------------------------------------------------------- SystemC chip through its bus

using Host = test::TlmInitiator;

class BusDriver {
public:
    BusDriver(sysc::Mind1024Chip& chip, Host& host) : chip_(chip), host_(host) {}
    // An error response throws, naming the access.
    void access(bool window, bool write, uint64_t addr, void* data, unsigned len) {
        test::TlmPort& port = window ? host_.syn : host_.reg;
        if (write) test::write_block(port, addr, data, len, pending_);
        else test::read_block(port, addr, data, len, pending_);
    }
    uint32_t rd(uint32_t off) {
        uint32_t v = 0;
        access(false, false, off, &v, 4);
        return v;
    }
    void wr(uint32_t off, uint32_t v) {
        if (off == MIND_REG_CTRL) sync();
        access(false, true, off, &v, 4);
    }
    void sync() {
        if (pending_ > sc_core::SC_ZERO_TIME) sc_core::sc_start(pending_);
        pending_ = sc_core::SC_ZERO_TIME;
    }
    void idle() {
        sync();
        sc_core::sc_start();
    }
    uint64_t cycles() {
        const uint64_t lo = rd(MIND_REG_CYCLES_LO);
        return lo | uint64_t{rd(MIND_REG_CYCLES_HI)} << 32;
    }
    sysc::Mind1024Chip& chip() { return chip_; }

private:
    sysc::Mind1024Chip& chip_;
    Host& host_;
    sc_core::sc_time pending_ = sc_core::SC_ZERO_TIME;
};

std::vector<Sample> bench_systemc(BusDriver& b, const ChipParams& p, const Options& o, const Workload& wl, Order order) {
    b.wr(MIND_REG_CTRL, MIND_CTRL_SOFT_RESET);
    b.idle();
    for (uint32_t i = 0; i < o.n; ++i)  // one burst per row through the synapse window
        b.access(true, true, uint64_t{i} * p.n_max * 2, const_cast<int16_t*>(wl.w[i].data()), o.n * 2);
    b.wr(MIND_REG_MODE, static_cast<uint32_t>(order) | (o.temp ? MIND_MODE_NOISE_EN : 0u));
    b.wr(MIND_REG_N_ACTIVE, o.n);
    b.wr(MIND_REG_MAX_SWEEPS, o.sweeps);
    b.wr(MIND_REG_TEMP, o.temp);
    std::vector<Sample> out;
    const uint32_t words = std::min<uint32_t>(32, (p.n_max + 31) / 32);
    for (uint32_t r = 0; r < o.repeats; ++r) {
        for (uint32_t k = 0; k < words; ++k) {
            uint32_t w = 0;
            for (uint32_t bit = 0; bit < 32 && 32 * k + bit < p.n_max; ++bit)
                w |= uint32_t{wl.starts[r][32 * k + bit] > 0} << bit;
            b.wr(MIND_REG_STATE(k), w);
        }
        // STATE covers neurons 0..1023; a larger chip takes the rest through its C++ API (contract section 2).
        for (uint32_t i = 32 * words; i < p.n_max; ++i) b.chip().state().sigma[i] = wl.starts[r][i] > 0 ? 1 : -1;
        const uint64_t c0 = b.cycles();
        b.sync();
        // Timed: the START write, the simulated run, and the STATUS read the host would poll.
        const auto t0 = Clock::now();
        b.wr(MIND_REG_CTRL, MIND_CTRL_START);
        b.idle();
        const uint32_t st = b.rd(MIND_REG_STATUS);
        const double dt = std::chrono::duration<double>(Clock::now() - t0).count();
        if (!(st & MIND_STATUS_DONE)) throw std::runtime_error("the SystemC run did not end with DONE");
        Sample s;
        s.seconds = dt;
        s.sweeps = b.rd(MIND_REG_SWEEPS);
        s.updates = uint64_t{s.sweeps} * o.n;
        s.cycles = b.cycles() - c0;
        s.final_state.resize(p.n_max);
        for (uint32_t k = 0; k < words; ++k) {
            const uint32_t w = b.rd(MIND_REG_STATE(k));
            for (uint32_t bit = 0; bit < 32 && 32 * k + bit < p.n_max; ++bit)
                s.final_state[32 * k + bit] = (w >> bit) & 1u ? 1 : -1;
        }
        for (uint32_t i = 32 * words; i < p.n_max; ++i) s.final_state[i] = b.chip().state().sigma[i];
        out.push_back(std::move(s));
    }
    return out;
}

// ---------------------------------------------------------------- single sweeps against the memory stream

// Median seconds of reading the n x n int8 weight array once (warm, as the kernels read it).
double stream_seconds(const Workload& wl, uint32_t n, uint32_t repeats) {
    std::vector<uint8_t> a(size_t{n} * n);
    for (uint32_t i = 0; i < n; ++i)
        for (uint32_t j = 0; j < n; ++j) a[size_t{i} * n + j] = static_cast<uint8_t>(wl.w[i][j]);
    std::vector<double> t;
    volatile uint64_t sink = 0;
    for (uint32_t r = 0; r < repeats + 2; ++r) {
        const auto t0 = Clock::now();
        sink = sink + engine::kernels::sum_bytes(a.data(), a.size());
        if (r >= 2) t.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
    }
    return median(t);
}

std::vector<int8_t> random_state(uint32_t n, std::mt19937& rng) {
    std::vector<int8_t> s(n);
    for (auto& x : s) x = rng() % 2 ? 1 : -1;
    return s;
}

// The run engine alone (what the SystemC chip computes, without SystemC):
// one sweep from each start, the median.
double engine_sweep_seconds(const ChipParams& p, const Workload& wl, const std::vector<std::vector<int8_t>>& starts,
                            Order order) {
    std::vector<int16_t> w(size_t{p.n_max} * p.n_max);
    for (uint32_t i = 0; i < p.n_max; ++i) std::copy(wl.w[i].begin(), wl.w[i].end(), &w[size_t{i} * p.n_max]);
    const std::vector<int32_t> theta(p.n_max, 0);
    const std::vector<uint8_t> clamp(p.n_max, 0);
    std::vector<int32_t> field(p.n_max, 0);
    engine::FixedPointArith arith(p);
    arith.set_network(w.data(), 1, theta.data(), false);
    engine::Sweeper<engine::FixedPointArith> sweeper;
    engine::SweepSpec spec;
    spec.order = order;
    spec.n = p.n_max;
    std::vector<double> t;
    for (const auto& start : starts) {
        std::vector<int8_t> sigma = start;
        Lfsr lfsr(1);
        const auto t0 = Clock::now();
        engine::run_untimed(arith, sweeper, spec, 1, sigma, clamp.data(), lfsr, field.data());
        t.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
    }
    return median(t);
}

double reference_sweep_seconds(const ChipParams& p, const Workload& wl, const std::vector<std::vector<int8_t>>& starts,
                               Order order) {
    ReferenceModel m(p);
    for (uint32_t i = 0; i < p.n_max; ++i)
        for (uint32_t j = 0; j < p.n_max; ++j) m.set_weight(i, j, wl.w[i][j]);
    Mode mode;
    mode.order = order;
    m.set_mode(mode);
    std::vector<double> t;
    for (const auto& start : starts) {
        for (uint32_t i = 0; i < p.n_max; ++i) m.set_state(i, start[i]);
        const auto t0 = Clock::now();
        m.step();
        t.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
    }
    return median(t);
}

// scale 1: the workload's integer weights as floats (the twin keeps them as
// int8, losslessly); another scale makes them general float32 weights.
double twin_sweep_seconds(const ChipParams& p, const Workload& wl, const std::vector<std::vector<int8_t>>& starts,
                          Order order, float scale = 1.0f) {
    host::FloatNetwork net;
    net.n = p.n_max;
    for (const auto& row : wl.w)
        for (int16_t x : row) net.w.push_back(static_cast<float>(x) * scale);
    host::FloatTwin twin(std::move(net));
    host::RunParams rp;
    rp.order = order;
    rp.max_sweeps = 1;
    std::vector<double> t;
    for (const auto& start : starts) {
        twin.set_state(start);
        const auto t0 = Clock::now();
        twin.step(rp);
        t.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
    }
    return median(t);
}

// Resident set now (MiB), from /proc/self/statm.
double rss_mib() {
    std::ifstream f("/proc/self/statm");
    size_t pages = 0, resident = 0;
    f >> pages >> resident;
    return static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE)) / (1024.0 * 1024.0);
}
double peak_rss_mib() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return u.ru_maxrss / 1024.0;
}
std::string load_average() {
    std::ifstream f("/proc/loadavg");
    std::string a, b, c;
    f >> a >> b >> c;
    return a + " " + b + " " + c;
}

// "met" or "missed by X" against a target ratio.
std::string verdict(double ratio, double target) {
    return ratio <= target ? std::string("met") : fmt::format("missed by {:.2f}x", ratio / target);
}

// ---------------------------------------------------------------- MNIST, the main job

struct MnistFigures {
    bool ran = false;
    std::string why_not;
    double images_per_s = 0, accuracy = 0, mean_sweeps = 0, cycles_per_image = 0;
    size_t images = 0;
};

// Runs `mind1024 mnist` (SystemC chip, in process, no float twin) and reads its mnist.json.
MnistFigures bench_mnist(const Options& o) {
    MnistFigures f;
    if (o.mnist_data == "none") {
        f.why_not = "--mnist-data none";
        return f;
    }
    if (o.mnist_data.empty()) {
        f.why_not = "no MNIST directory (--mnist-data or $MIND1024_DATA)";
        return f;
    }
    char tmpl[] = "/tmp/mind1024_bench_XXXXXX";
    if (!mkdtemp(tmpl)) throw std::runtime_error("cannot make a temporary directory");
    const std::string dir = tmpl;
    std::string cmd = fmt::format("'{}' mnist --data '{}' --out '{}/out' --json '{}/mnist.json' --no-float --no-progress "
                                  "--examples 0",
                                  o.mnist_cli, o.mnist_data, dir, dir);
    if (o.mnist_limit) cmd += fmt::format(" --limit {}", o.mnist_limit);
    cmd += fmt::format(" > '{}/log' 2>&1", dir);
    if (std::system(cmd.c_str()) != 0) {
        f.why_not = fmt::format("`{}` failed (see {}/log)", cmd, dir);
        return f;
    }
    std::ifstream in(dir + "/mnist.json");
    const nlohmann::json j = nlohmann::json::parse(in);
    f.ran = true;
    f.images_per_s = j.at("images_per_second").get<double>();
    f.accuracy = j.at("accuracy_fixed").get<double>();
    f.mean_sweeps = j.at("mean_sweeps").get<double>();
    f.cycles_per_image = j.at("cycles_per_image").get<double>();
    f.images = j.at("images").get<size_t>();
    std::system(fmt::format("rm -rf '{}'", dir).c_str());
    return f;
}

}  // namespace

// Entered through main(), not libsystemc's, so the SystemC banner can be
// silenced before anything is elaborated; sc_main only satisfies the linker.
extern "C" int sc_main(int, char**) { return 1; }

int main(int argc, char** argv) {
    setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
    Options o;
    CLI::App app{"mind1024_bench: neuron updates/s and simulated cycles/s of the reference model and the "
                 "SystemC chip (coarse and per-neuron-event engines), and issue 22's figures: single sweeps of the "
                 "run engine and the float twin against the memory stream of the int8 weights, with their targets"};
    app.add_option("--neurons", o.neurons, "neurons (N_MAX = N_ACTIVE); several values: the whole bench at each, "
                                           "and a scaling table")
        ->check(CLI::Range(2u, 16384u))
        ->delimiter(',');
    app.add_option("--sweeps", o.sweeps, "MAX_SWEEPS per run")->check(CLI::Range(1u, 100000u));
    app.add_option("--repeats", o.repeats, "runs per model and order (the median is reported)")
        ->check(CLI::Range(1u, 1000u));
    app.add_option("--temp", o.temp, "noise TEMP (0: noise off; the runs may converge early)");
    app.add_option("--seed", o.seed, "workload seed");
    app.add_option("--json", o.json, "also write the figures as JSON to this file");
    app.add_option("--sweep-repeats", o.sweep_repeats, "single sweeps per engine and order (the median is reported)")
        ->check(CLI::Range(1u, 10000u));
    if (const char* d = std::getenv("MIND1024_DATA")) o.mnist_data = d;
    app.add_option("--mnist-data", o.mnist_data, "MNIST directory for the images/s of `mind1024 mnist` (default "
                                                 "$MIND1024_DATA; none: skipped)");
    app.add_option("--mnist-cli", o.mnist_cli, "the mind1024 executable");
    app.add_option("--mnist-limit", o.mnist_limit, "test images (0: all 10,000)");
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    }
    try {
        sc_core::sc_report_handler::set_actions("/IEEE_Std_1666/deprecated", sc_core::SC_DO_NOTHING);
        sc_core::sc_report_handler::set_actions("no activity or clock movement for sc_start() invocation",
                                                sc_core::SC_DO_NOTHING);
        // Every chip in one elaboration (SystemC elaborates once per process): both engines at every N.
        std::vector<ChipParams> params;
        std::vector<std::unique_ptr<sysc::Mind1024Chip>> coarse, fine;
        std::vector<std::unique_ptr<Host>> hosts_c, hosts_f;
        for (uint32_t n : o.neurons) {
            ChipParams p;
            p.n_max = n;
            p.validate();
            params.push_back(p);
            const std::string t = std::to_string(n) + "_" + std::to_string(params.size());
            sysc::ChipConfig per_sweep, per_neuron;
            per_neuron.per_neuron_events = true;
            coarse.push_back(std::make_unique<sysc::Mind1024Chip>(("coarse" + t).c_str(), p, per_sweep));
            fine.push_back(std::make_unique<sysc::Mind1024Chip>(("fine" + t).c_str(), p, per_neuron));
            hosts_c.push_back(std::make_unique<Host>(("host_coarse" + t).c_str()));
            hosts_f.push_back(std::make_unique<Host>(("host_fine" + t).c_str()));
            hosts_c.back()->bind_chip(*coarse.back());
            hosts_f.back()->bind_chip(*fine.back());
        }
        sc_core::sc_start(sc_core::SC_ZERO_TIME);

        const std::string load_before = load_average();
        nlohmann::json j;
        j["format"] = "mind1024-bench/2";
        j["git_describe"] = MIND1024_VERSION_STRING;
        j["units"] = {{"time", "us"}, {"rate", "per second"}, {"memory", "MiB"}};
        j["statistic"] = "median over repeats";
        j["max_sweeps"] = o.sweeps;
        j["repeats"] = o.repeats;
        j["sweep_repeats"] = o.sweep_repeats;
        j["temp"] = o.temp;
        j["seed"] = o.seed;
        j["machine"] = {{"cpus_online", sysconf(_SC_NPROCESSORS_ONLN)}, {"load_average_before", load_before}};
        j["targets"] = {{"engine_sync_over_stream", 1.3}, {"engine_async_over_stream", 3.0}, {"twin_over_engine", 2.0}};
        bool agree_all = true;
        struct ScaleRow {
            uint32_t n;
            double stream, eng_sync, eng_async, twin_sync, twin_async, rss;
        };
        std::vector<ScaleRow> scaling;
        for (size_t ni = 0; ni < o.neurons.size(); ++ni) {
            o.n = o.neurons[ni];
            const ChipParams& p = params[ni];
            const Workload wl = make_workload(p, o);
            BusDriver bc(*coarse[ni], *hosts_c[ni]), bf(*fine[ni], *hosts_f[ni]);
            nlohmann::json jn;
            jn["neurons"] = o.n;
            jn["params"] = p.describe();

            fmt::print("MIND 1024 bench: {} neurons, {}, MAX_SWEEPS {}, {} repeats, noise {}\n", o.n, p.describe(),
                       o.sweeps, o.repeats, o.temp ? fmt::format("TEMP {}", o.temp) : std::string("off"));
            std::vector<Result> results;
            bool agree = true;
            for (Order order : {Order::AsyncSeq, Order::Sync}) {
                const std::string on = order == Order::Sync ? "SYNC" : "ASYNC_SEQ";
                const auto ref = bench_reference(p, o, wl, order);
                const auto sc = bench_systemc(bc, p, o, wl, order);
                const auto sf = bench_systemc(bf, p, o, wl, order);
                for (uint32_t r = 0; r < o.repeats; ++r)
                    agree &= ref[r].final_state == sc[r].final_state && ref[r].final_state == sf[r].final_state &&
                             ref[r].cycles == sc[r].cycles && ref[r].cycles == sf[r].cycles;
                results.push_back(summarize("reference", on, ref));
                results.push_back(summarize("systemc-coarse", on, sc));
                results.push_back(summarize("systemc-per-neuron", on, sf));
            }
            agree_all &= agree;
            fmt::print("\n{:<20} {:<10} {:>8} {:>16} {:>16} {:>12} {:>10}\n", "model", "order", "sweeps",
                       "updates/s", "sim cycles/s", "run (ms)", "vs ref");
            jn["models_agree"] = agree;
            for (const Result& r : results) {
                double ref_rate = 0;
                for (const Result& x : results)
                    if (x.model == "reference" && x.order == r.order) ref_rate = x.updates_per_s;
                const double ratio = r.updates_per_s / ref_rate;
                fmt::print("{:<20} {:<10} {:>8} {:>16.4g} {:>16.4g} {:>12.3f} {:>10.3f}\n", r.model, r.order, r.sweeps,
                           r.updates_per_s, r.cycles_per_s, r.seconds * 1e3, ratio);
                jn["runs"].push_back({{"model", r.model},
                                      {"order", r.order},
                                      {"sweeps_total", r.sweeps},
                                      {"median_updates_per_s", r.updates_per_s},
                                      {"median_sim_cycles_per_s", r.cycles_per_s},
                                      {"median_run_us", r.seconds * 1e6},
                                      {"ratio_over_reference", ratio}});
            }
            fmt::print("\nvs ref = updates/s / reference updates/s (same order). "
                       "Final states and CYCLES {} between the three models.\n",
                       agree ? "agree" : "DISAGREE");

            // Single sweeps from random states, against reading the weight array once.
            std::mt19937 srng(o.seed + 7);
            std::vector<std::vector<int8_t>> starts;
            for (uint32_t r = 0; r < o.sweep_repeats; ++r) starts.push_back(random_state(p.n_max, srng));
            const double stream = stream_seconds(wl, o.n, 4 * o.sweep_repeats + 1);
            fmt::print("\nsingle sweeps from random states ({} each, medians); memory stream of the {} KiB int8 weight "
                       "array: {:.2f} us\n",
                       o.sweep_repeats, size_t{o.n} * o.n / 1024, stream * 1e6);
            fmt::print("{:<22} {:<10} {:>12} {:>10} {:>10}\n", "engine", "order", "sweep (us)", "/ stream", "/ engine");
            Workload one = wl;
            one.starts = starts;
            Options step = o;
            step.sweeps = 1;
            step.repeats = o.sweep_repeats;
            jn["stream_us"] = stream * 1e6;
            double eng[2] = {0, 0}, twin[2] = {0, 0}, twin32[2] = {0, 0};
            for (Order order : {Order::Sync, Order::AsyncSeq}) {
                const bool sy = order == Order::Sync;
                const std::string on = sy ? "SYNC" : "ASYNC_SEQ";
                std::vector<std::pair<std::string, double>> rows{
                    {"reference", reference_sweep_seconds(p, wl, starts, order)},
                    {"engine", engine_sweep_seconds(p, wl, starts, order)},
                    {"float-twin", twin_sweep_seconds(p, wl, starts, order)},
                    {"float-twin-fp32", twin_sweep_seconds(p, wl, starts, order, 0.37f)}};
                std::vector<double> sct;
                for (const Sample& x : bench_systemc(bc, p, step, one, order)) sct.push_back(x.seconds);
                rows.emplace_back("systemc-coarse", median(sct));
                eng[!sy] = rows[1].second;
                twin[!sy] = rows[2].second;
                twin32[!sy] = rows[3].second;
                for (const auto& [name, sec] : rows) {
                    fmt::print("{:<22} {:<10} {:>12.2f} {:>10.2f} {:>10.2f}\n", name, on, sec * 1e6, sec / stream,
                               sec / eng[!sy]);
                    jn["sweeps"].push_back({{"engine", name}, {"order", on}, {"median_sweep_us", sec * 1e6},
                                            {"ratio_to_stream", sec / stream}, {"ratio_to_engine", sec / eng[!sy]}});
                }
            }
            // Issue 22's targets, each against its yardstick from this run.
            const struct {
                const char* what;
                double ratio, target;
            } targets[] = {{"engine SYNC / stream", eng[0] / stream, 1.3},
                           {"engine ASYNC / stream", eng[1] / stream, 3.0},
                           {"float twin SYNC / engine SYNC", twin[0] / eng[0], 2.0},
                           {"float twin ASYNC / engine ASYNC", twin[1] / eng[1], 2.0},
                           {"float twin fp32 SYNC / engine SYNC", twin32[0] / eng[0], 2.0},
                           {"float twin fp32 ASYNC / engine ASYNC", twin32[1] / eng[1], 2.0}};
            fmt::print("\n{:<38} {:>8} {:>8}  {}\n", "target (issue 22)", "ratio", "target", "verdict");
            for (const auto& t : targets) {
                fmt::print("{:<38} {:>8.2f} {:>8.2f}  {}\n", t.what, t.ratio, t.target, verdict(t.ratio, t.target));
                jn["targets"].push_back({{"what", t.what}, {"ratio", t.ratio}, {"target", t.target},
                                         {"met", t.ratio <= t.target}, {"verdict", verdict(t.ratio, t.target)}});
            }
            fmt::print("(float-twin: the workload's integer weights, which the twin keeps as int8 losslessly; "
                       "float-twin-fp32: the same times 0.37, general float32 weights)\n\n");
            const double rss = rss_mib();
            jn["rss_mib"] = rss;
            scaling.push_back({o.n, stream, eng[0], eng[1], twin[0], twin[1], rss});
            j["by_neurons"].push_back(jn);
        }
        if (scaling.size() > 1) {
            fmt::print("scaling (single sweeps, medians; ns/N^2 = sweep / N^2)\n");
            fmt::print("{:>6} {:>11} {:>11} {:>9} {:>8} {:>11} {:>8} {:>11} {:>11} {:>9}\n", "N", "stream us",
                       "SYNC us", "ns/N^2", "/stream", "ASYNC us", "/stream", "twin S us", "twin A us", "RSS MiB");
            for (const ScaleRow& r : scaling) {
                const double n2 = double(r.n) * r.n;
                fmt::print("{:>6} {:>11.2f} {:>11.2f} {:>9.4f} {:>8.2f} {:>11.2f} {:>8.2f} {:>11.2f} {:>11.2f} {:>9.0f}\n",
                           r.n, r.stream * 1e6, r.eng_sync * 1e6, r.eng_sync * 1e9 / n2, r.eng_sync / r.stream,
                           r.eng_async * 1e6, r.eng_async / r.stream, r.twin_sync * 1e6, r.twin_async * 1e6, r.rss);
            }
            fmt::print("(RSS: the process's resident memory after each N, every N's chips included)\n");
        }
        const MnistFigures mf = bench_mnist(o);
        if (mf.ran) {
            fmt::print("\nmind1024 mnist (SystemC chip, in process, no float twin): {:.0f} images/s over {} images; "
                       "{:.2f}% correct, {:.2f} mean sweeps, {:.0f} cycles/image\n",
                       mf.images_per_s, mf.images, mf.accuracy, mf.mean_sweeps, mf.cycles_per_image);
            j["mnist"] = {{"images_per_second", mf.images_per_s}, {"images", mf.images}, {"accuracy_fixed", mf.accuracy},
                          {"mean_sweeps", mf.mean_sweeps}, {"cycles_per_image", mf.cycles_per_image}};
        } else {
            fmt::print("\nmind1024 mnist: not run ({})\n", mf.why_not);
            j["mnist"] = {{"not_run", mf.why_not}};
        }
        const std::string load_after = load_average();
        j["machine"]["load_average_after"] = load_after;
        j["peak_rss_mib"] = peak_rss_mib();
        j["models_agree"] = agree_all;
        fmt::print("load average (1, 5, 15 min) before: {}, after: {}; {}\n", load_before, load_after,
                   MIND1024_VERSION_STRING);
        if (!o.json.empty()) {
            const std::string tmp = o.json + ".tmp";
            {
                std::ofstream f(tmp);
                f << j.dump(2) << "\n";
                if (!f.flush()) throw std::runtime_error("cannot write " + tmp);
            }
            if (std::rename(tmp.c_str(), o.json.c_str()) != 0) throw std::runtime_error("cannot write " + o.json);
            fmt::print("wrote {}\n", o.json);
        }
        return agree_all ? 0 : 1;
    } catch (const std::exception& e) {
        fmt::print(stderr, "mind1024_bench: {}\n", e.what());
        return 2;
    }
}
