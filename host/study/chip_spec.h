// What a user chooses about a chip, in one value, and the one factory that
// opens it. The CLI, the studies, the benches and the Python module all go
// through open_chip, so a chip is built the same way wherever it is asked for.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "host/board/chip_driver.h"
#include "sysc/chip_params.h"
#include "sysc/fault_plan.h"

namespace mind1024::host {

struct ChipSpec {
    ChipParams params;
    bool wrap = false;                // wrap the accumulator on overflow instead of saturating
    std::string model = "systemc";    // systemc (the TLM chip over its bus), reference or engine (plain C++)
    std::string datapath = "cpp";     // or rtl: the Verilated neuron unit (systemc model, in process)
    std::string vcd;                  // VCD trace of the in-process board (name ends in .vcd)
    bool per_neuron_events = false;   // one SystemC wait per neuron (finer VCD), not per sweep
    std::string board = "inproc";     // or unix:PATH / tcp:HOST:PORT of a mind-board --listen process
    std::string mode = "bare";        // or firmware: commands to the board's firmware through the mailbox
    std::string firmware;             // firmware of an in-process board in firmware mode (default mind_fw.elf)
    FaultSpec faults;                 // injected into the chip at elaboration

    // The rules between the choices (a VCD needs the SystemC model, ...): a
    // BadArgument naming the options. open_chip checks them first.
    void check() const;
    // Where the chips of this spec may run: a board process has one chip and
    // serves one client, so it cannot take a set of configurations at once.
    bool in_process() const { return board == "inproc"; }
};

// The chip models --model names, and one line saying what each is.
inline const std::vector<std::string> kChipModels{"systemc", "reference", "engine"};
inline constexpr const char* kChipModelsHelp =
    "systemc (the TLM chip over its bus, cycle-approximate), reference (the plain C++ oracle) or engine (the fast "
    "run engine alone: same bits, no bus)";

// The driver the spec asks for (one SystemC board per process: a second call
// with other parameters is refused; with the same ones it reuses the board and
// re-applies the spec's faults and datapath).
std::unique_ptr<ChipDriver> open_chip(const ChipSpec& spec);

// open_chip's in-process SystemC board. Defined by chip_spec_inprocess.cpp
// (mind1024_study) or, in programs without SystemC, by chip_spec_no_systemc.cpp
// (a BadArgument): the one factory, with or without SystemC behind it.
std::unique_ptr<ChipDriver> open_in_process_chip(const ChipSpec& spec, const FaultPlan& plan);

// The chip's parameters as JSON, every one by its member name (the table's).
nlohmann::json params_json(const ChipParams& p);
// Back from JSON, each parameter present and in range; DataError naming `where` and the key.
ChipParams params_from_json(const nlohmann::json& j, const std::string& where);
// params_json plus the overflow mode: what a result says of the chip it ran on.
nlohmann::json chip_json(const ChipSpec& s);

}  // namespace mind1024::host
