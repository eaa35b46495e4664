// The design space's area model: Yosys on the project's RTL at a design's
// (WBITS, ABITS, LANES) — generic cells, iCE40 LUT4s and `stat -tech cmos`'s
// transistor estimate — cached by the sources, the parameters and Yosys's
// version; and the chip's memories counted in bits.
#pragma once
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "sysc/chip_params.h"

namespace mind1024::host {

// SRAM cell: the memories' transistors per bit (a 6T cell; docs/dse.md).
constexpr double kTransistorsPerMemoryBit = 6.0;

struct AreaModel {
    std::string rtl_dir;    // holds neuron_unit.v and lfsr32.v (default: the source tree's rtl/)
    std::string cache_dir;  // where results are kept (empty: not kept)
    std::string yosys = "yosys";
    unsigned timeout_seconds = 600;
};
AreaModel default_area_model(const std::string& cache_dir);

struct LogicArea {
    double cells = 0;        // Yosys `synth` generic cells
    double lut4 = 0;         // `synth_ice40` SB_LUT4
    double transistors = 0;  // `stat -tech cmos` (a lower bound: Yosys leaves some cell types out)
    double seconds = 0;      // Yosys's wall time (0 when cached)
    bool cached = false;
    nlohmann::json json() const;
    static LogicArea from_json(const nlohmann::json& j);
};

// The neuron unit at (WBITS, ABITS, LANES), with the chip's one LFSR added
// (it does not depend on them). A ReportError naming the design and Yosys's
// last lines if Yosys fails.
LogicArea datapath_area(const AreaModel& m, uint32_t wbits, uint32_t abits, uint32_t lanes);
// One module synthesised (top, its parameters as Verilog overrides).
LogicArea synth_area(const AreaModel& m, const std::string& top, const std::string& chparams);

// Synapses N_MAX^2 * (WBITS + check bits of PROTECT), thresholds N_MAX * ABITS, state and clamp N_MAX each.
uint64_t chip_memory_bits(const ChipParams& p);

}  // namespace mind1024::host
