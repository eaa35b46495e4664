// Writes a VCD of the neuron unit (default build: WBITS 8, ABITS 24, LANES 16)
// for one neuron update: n = 40 columns (groups of 16, 16 and a short 8),
// with theta and a noise term, then the done pulse. Open with GTKWave:
//   gtkwave results/neuron_unit.vcd
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include <verilated_vcd_c.h>

#include "Vnu_trace.h"
#include "sysc/fixed_point.h"
#include "rtl/neuron_unit_driver.h"

int main(int argc, char** argv) {
    std::string out = "results/neuron_unit.vcd";
    for (int k = 1; k < argc; ++k) {
        if (!std::strcmp(argv[k], "--help") || !std::strcmp(argv[k], "-h")) {
            std::printf("usage: %s [out.vcd]   (default results/neuron_unit.vcd)\n"
                        "Writes a VCD of one neuron update of the RTL neuron unit (WBITS 8, ABITS 24, LANES 16).\n",
                        argv[0]);
            return 0;
        }
        out = argv[k];
    }
    const std::filesystem::path parent = std::filesystem::path(out).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent);

    VerilatedContext ctx;
    ctx.traceEverOn(true);
    mind1024::rtl::NeuronUnitDriver<Vnu_trace> drv(8, 24, 16, &ctx);
    VerilatedVcdC vcd;
    drv.model().trace(&vcd, 99);
    vcd.open(out.c_str());
    // 20 MHz: 50 ns period, 25 ns per half cycle (timescale 1 ps).
    drv.on_eval = [&](uint64_t half) { vcd.dump(static_cast<uint64_t>(half) * 25000); };
    drv.tick();  // a first idle cycle in the dump

    const uint32_t n = 40;
    std::vector<int16_t> row(n);
    std::vector<int8_t> sigma(n);
    for (uint32_t j = 0; j < n; ++j) {
        row[j] = static_cast<int16_t>(static_cast<int>((j * 37 + 11) % 256) - 128);
        sigma[j] = (j * 7 + 3) % 5 < 2 ? -1 : 1;
    }
    const int32_t theta = 100;
    const int64_t eta = mind1024::fx::noise_eta(-12345, 300);
    const mind1024::fx::Field f = mind1024::fx::neuron_field(row.data(), sigma.data(), n, 16, 8, 24, false);
    const int8_t expect = mind1024::fx::decide(f.h, theta, eta, -1);
    const mind1024::rtl::UnitResult r = drv.update(row.data(), sigma.data(), n, false, theta, eta, -1);
    drv.tick();
    drv.tick();
    vcd.close();
    std::printf("wrote %s: n=%u theta=%d eta=%lld -> h=%d (model %d), state %+d (model %+d)\n", out.c_str(), n,
                theta, static_cast<long long>(eta), r.h, f.h, r.state, expect);
    return (r.h == f.h && r.state == expect && r.ovf_count == f.overflows) ? 0 : 1;
}
