// mind1024_bench_rtl: neuron updates per second of the C++ datapath against
// the Verilated RTL unit (WBITS 8, ABITS 24, LANES 16), and the slowdown.
// Each run computes the fields of `--updates` random rows of `--n` columns
// through the sysc::Datapath interface, as the SystemC chip calls it; the
// figures are medians over `--runs` runs.
#include <cstdlib>
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <random>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "sysc/neuron_unit.h"
#include "rtl/verilated_datapath.h"

namespace {

struct Rows {
    std::vector<int16_t> w;
    std::vector<int8_t> s;
};

double run_once(mind1024::sysc::Datapath& dp, const Rows& rows, uint32_t n, uint32_t updates, int64_t& checksum) {
    const uint32_t nrows = static_cast<uint32_t>(rows.w.size() / n);
    const auto t0 = std::chrono::steady_clock::now();
    for (uint32_t u = 0; u < updates; ++u) {
        const uint32_t i = u % nrows;
        const mind1024::fx::Field f = dp.field(&rows.w[size_t{i} * n], rows.s.data(), n, false);
        checksum += f.h + f.overflows;
    }
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return updates / s;
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const size_t m = v.size() / 2;
    return v.size() % 2 ? v[m] : 0.5 * (v[m - 1] + v[m]);
}

}  // namespace

// Entered through main(), not libsystemc's, so the SystemC banner can be
// silenced before anything is elaborated; sc_main only satisfies the linker.
extern "C" int sc_main(int, char**) { return 1; }

int main(int argc, char** argv) {
    setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
    CLI::App app{"Neuron updates/s: C++ datapath vs the Verilated RTL neuron unit (WBITS 8, ABITS 24, LANES 16)"};
    uint32_t n = 1024, updates = 20000, runs = 5;
    uint64_t seed = 1;
    app.add_option("--n", n, "columns per neuron update (N_ACTIVE)")->check(CLI::Range(1u, 16384u));
    app.add_option("--updates", updates, "neuron updates per run (RTL; the C++ datapath runs 20x more)")
        ->check(CLI::Range(1u, 100000000u));
    app.add_option("--runs", runs, "runs; medians are reported")->check(CLI::Range(1u, 1000u));
    app.add_option("--seed", seed, "random weights seed")->check(CLI::NonNegativeNumber);
    CLI11_PARSE(app, argc, argv);

    mind1024::ChipParams p;  // defaults: WBITS 8, ABITS 24, LANES 16
    const uint32_t nrows = 64;
    Rows rows;
    rows.w.resize(size_t{nrows} * n);
    rows.s.resize(n);
    std::mt19937_64 rng(seed);
    for (auto& w : rows.w) w = static_cast<int16_t>(static_cast<int>(rng() % 256) - 128);
    for (auto& s : rows.s) s = (rng() & 1) ? 1 : -1;

    mind1024::sysc::CppDatapath cpp(p);
    mind1024::rtl::VerilatedDatapath rtl(p);
    for (uint32_t i = 0; i < nrows; ++i) {  // the two must agree before we time them
        const auto a = cpp.field(&rows.w[size_t{i} * n], rows.s.data(), n, false);
        const auto b = rtl.field(&rows.w[size_t{i} * n], rows.s.data(), n, false);
        if (a.h != b.h || a.overflows != b.overflows) {
            fmt::print(stderr, "row {}: C++ h={} ovf={}, RTL h={} ovf={}\n", i, a.h, a.overflows, b.h, b.overflows);
            return 1;
        }
    }
    std::vector<double> cpp_rate, rtl_rate;
    int64_t sum_cpp = 0, sum_rtl = 0;
    for (uint32_t r = 0; r < runs; ++r) {
        cpp_rate.push_back(run_once(cpp, rows, n, updates * 20, sum_cpp));
        rtl_rate.push_back(run_once(rtl, rows, n, updates, sum_rtl));
        fmt::print(stderr, "[bench_rtl] run {}/{}: cpp {:.3g} updates/s, verilated {:.3g} updates/s\n", r + 1, runs,
                   cpp_rate.back(), rtl_rate.back());
    }
    if (sum_cpp == 1 && sum_rtl == 1) std::puts("");  // keep the results live
    const double c = median(cpp_rate), v = median(rtl_rate);
    const double groups = (n + p.lanes - 1) / p.lanes;
    fmt::print("n = {}, LANES = {}: {} clock cycles per update; {} runs, medians\n", n, p.lanes, groups, runs);
    fmt::print("{:<12} {:>16} {:>18}\n", "datapath", "updates/s", "sim cycles/s");
    fmt::print("{:<12} {:>16.0f} {:>18}\n", "cpp", c, "-");
    fmt::print("{:<12} {:>16.0f} {:>18.0f}\n", "verilated", v, v * (groups + 2));
    fmt::print("slowdown (cpp / verilated): {:.1f}x\n", c / v);
    return 0;
}
