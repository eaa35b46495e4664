// Options and helpers shared by the mind1024 subcommands.
#pragma once
#include <string>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "host/board/chip_driver.h"
#include "host/learning/quantizer.h"
#include "host/study/chip_spec.h"
#include "sysc/chip_params.h"
#include "sysc/fault_plan.h"
#include "host/report/output_file.h"
#include "host/cli/validators.h"

namespace mind1024::host {

// --n-max --wbits --abits --lanes --latency --clock (the chip parameter table),
// --wrap --model --vcd --datapath --per-neuron-events --board --mode --firmware --faults.
// Options a command may leave out when it sets them itself (sweep: the widths and the
// overflow mode come from --bits/--acc-bits/--modes) or cannot use them (--vcd where
// the chips run in child processes): only what a command uses is offered.
enum ChipOptionOffer : unsigned {
    kOfferWbits = 1,
    kOfferAbits = 2,
    kOfferWrap = 4,
    kOfferVcd = 8,
    kOfferFaults = 16,
    kOfferNeurons = 32,  // --n-max
    kOfferAll = 63,
};
void add_chip_options(CLI::App& app, ChipSpec& o, unsigned offer = kOfferAll);
// Checks the chip's output files (the --vcd trace) can be written, before any work.
void check_chip_outputs(const ChipSpec& o);
Order parse_order(const std::string& s);  // sync | async (or seq) | perm
// The help text and the check of an update-order option, the same on every command.
extern const char* const kOrderHelp;  // "sync, async (also spelled seq), perm"
CLI::Validator order_check();
// Where a result came from: program, version (`git describe` at build time),
// the command line, and the chip it ran on (the opened driver's parameters), if
// any. `more` joins it: how this run went, not what it found (simulated time
// depends on the path to the chip; the answers must not).
nlohmann::json provenance(const ChipDriver* chip = nullptr, const nlohmann::json& more = nlohmann::json::object());
// JSON to a file, atomically, with `prov` as its "provenance" object.
void write_json(const std::string& path, const nlohmann::json& j, const nlohmann::json& prov);
// Publishes a command's outputs with a manifest carrying the provenance.
void publish_outputs(OutputSet& out, const nlohmann::json& prov);
// Recorded by main() for the provenance of the outputs.
void set_command_line(int argc, char** argv);
const char* program_version();
std::string join_path(const std::string& dir, const std::string& name);

// The quantizer's options, the same flags and help on every command that
// quantizes float weights (layered, run, capacity): --quant-bits,
// --scale-granularity layer|row, --scale max|percentile|mse, --scale-percentile P,
// --rounding nearest|stochastic, --rounding-seed, and (offer_save) --save-quantized DIR.
struct QuantizeFlags {
    unsigned bits = 0;  // 0: the chip's WBITS
    std::string granularity = "layer", scale = "max", rounding = "nearest";
    double percentile = 99.9;
    uint64_t seed = 1;
    std::string save_dir;  // --save-quantized: codes and scales as .npy
    bool scale_given = false, percentile_given = false;  // --scale-percentile alone implies --scale percentile
};
void add_quantizer_options(CLI::App& app, QuantizeFlags& q, bool offer_save = true, bool offer_granularity = true,
                           bool offer_bits = true);
// The range, rounding and granularity the flags ask for (no chip checks; wbits left at its default).
// BadArgument for --scale-percentile with a --scale other than percentile.
QuantizerOptions quantizer_range_options(const QuantizeFlags& q);
// The quantizer options for chip p. --quant-bits 1 gives ±1 codes, which need a
// chip of WBITS >= 2; a chip of WBITS 1 without --quant-bits is refused (its
// 1-bit word holds {-1, 0}, not ±1: ../shared/spec/MIND1024.md). BadArgument.
QuantizerOptions quantizer_options(const QuantizeFlags& q, const ChipParams& p);
// The settings as JSON, for a command's output.
nlohmann::json quantizer_json(const QuantizerOptions& o);

// Commands whose chips live in child processes cannot write one VCD trace,
// nor share one board process (it has one chip and serves one client).
void refuse_vcd_in_children(const ChipSpec& o, const char* command);

}  // namespace mind1024::host
