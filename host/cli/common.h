// Options and helpers shared by the mind1024 subcommands.
#pragma once
#include <string>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "host/board/chip_driver.h"
#include "sysc/chip_params.h"
#include "sysc/fault_plan.h"
#include "host/report/output_file.h"
#include "host/cli/validators.h"

namespace mind1024::host {

struct ChipOptions {
    ChipParams params;
    bool wrap = false;
    std::string model = "systemc";  // or "reference"
    std::string vcd;                // VCD trace file (systemc model)
    std::string datapath = "cpp";   // or "rtl": the Verilated neuron unit (systemc model)
    bool per_neuron_events = false; // one SystemC wait per neuron (finer VCD), not per sweep
    std::string board = "inproc";   // or unix:PATH / tcp:HOST:PORT: a mind-board --listen process
    std::string mode = "bare";      // or "firmware": commands to the board's firmware through the mailbox
    std::string firmware;           // the firmware of an in-process board in firmware mode (default mind_fw.elf)
    FaultSpec faults;               // --faults: injected into the chip open_chip opens
};

// --wbits --abits --lanes --latency --clock --wrap --model --vcd --datapath --per-neuron-events
// --board --mode --firmware
// Options a command may leave out when it sets them itself (sweep: the widths and the
// overflow mode come from --bits/--acc-bits/--modes) or cannot use them (--vcd where
// the chips run in child processes): only what a command uses is offered.
enum ChipOptionOffer : unsigned {
    kOfferWbits = 1,
    kOfferAbits = 2,
    kOfferWrap = 4,
    kOfferVcd = 8,
    kOfferFaults = 16,
    kOfferAll = 31,
};
void add_chip_options(CLI::App& app, ChipOptions& o, unsigned offer = kOfferAll);
// Fault injection into the chip a driver runs on: the reference model, or the
// SystemC chip of this process's board (bare or firmware). A board process
// cannot take faults: BadArgument, which check_faults_supported gives before any work.
void apply_faults(ChipDriver& chip, const FaultPlan& plan);
void check_faults_supported(ChipDriver& chip);
// Checks the chip's output files (the --vcd trace) can be written, before any work.
void check_chip_outputs(const ChipOptions& o);
// The driver the options ask for (one SystemC board per process).
std::unique_ptr<ChipDriver> open_chip(const ChipOptions& o);
Order parse_order(const std::string& s);  // sync | async (or seq) | perm
// The help text and the check of an update-order option, the same on every command.
extern const char* const kOrderHelp;  // "sync, async (also spelled seq), perm"
CLI::Validator order_check();
std::string order_name(Order o);
// JSON to a file, atomically. Every file says where it came from: a
// "provenance" object (program, version from `git describe` at build time,
// the command line, and the chip the command opened, if any) is added.
// `more` joins the provenance: how this run went, not what it found (simulated
// time depends on the path to the chip; the answers must not).
void write_json(const std::string& path, const nlohmann::json& j, const nlohmann::json& more = nlohmann::json::object());
nlohmann::json provenance();
// Publishes a command's outputs with a manifest carrying the provenance.
void publish_outputs(OutputSet& out);
// Recorded by main() and open_chip() for the provenance of the outputs.
void set_command_line(int argc, char** argv);
const char* program_version();
std::string join_path(const std::string& dir, const std::string& name);

// Commands whose chips live in child processes cannot write one VCD trace,
// nor share one board process (it has one chip and serves one client).
void refuse_vcd_in_children(const ChipOptions& o, const char* command);

}  // namespace mind1024::host

#include "host/learning/float_matrix.h"
#include "host/learning/quantizer.h"

namespace mind1024::host {
// Quantizes J to the chip's WBITS (nearest; max-abs scale, or the given
// percentile of |J| mapped to the top code, clipping above it) and loads it
// with zero thresholds; returns the integer matrix and the report.
// `rounding`: nearest, or stochastic (unbiased; draws from `seed`, symmetric J stays symmetric).
WeightMatrix load_float_weights(ChipDriver& chip, const FloatMatrix& j, QuantReport* report = nullptr,
                                double percentile = 0, Rounding rounding = Rounding::Nearest, uint64_t seed = 1);
// E = -1/2 s'Js + theta's over the first w.n neurons (integer, exact).
int64_t energy(const WeightMatrix& w, const std::vector<int8_t>& s, const std::vector<int32_t>& theta = {});
}  // namespace mind1024::host
