#include "host/cli/common.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <optional>

#include <fmt/format.h>

#include "host/board/errors.h"
#include "link/link_socket.h"
#include "host/report/output_file.h"
#include "mind1024_version.h"  // generated at build time: MIND1024_VERSION_STRING
#include "rtl/datapath_factory.h"
#include "sysc/chip_params_cli.h"

namespace mind1024::host {

namespace {
std::string& command_line() {
    static std::string c;
    return c;
}
}  // namespace


void add_quantizer_options(CLI::App& app, QuantizeFlags& q, bool offer_save, bool offer_granularity, bool offer_bits) {
    if (offer_bits)
        app.add_option("--quant-bits", q.bits,
                       "bits of the quantized weight codes (default: the chip's WBITS); 1 gives ±1 codes, which a chip "
                       "stores from WBITS 2 on (a 1-bit synapse word holds {-1, 0})")
            ->check(whole_number(1, 16));
    if (offer_granularity)
        app.add_option("--scale-granularity", q.granularity,
                       "one scale per layer, or per row (each neuron's incoming weights, its threshold with the same "
                       "scale: a sign unit's decision is unchanged by it)")
            ->capture_default_str()
            ->check(CLI::IsMember({"layer", "row"}));
    app.add_option("--scale", q.scale,
                   "the range mapped to the top code: max (largest |w|), percentile (--scale-percentile of |w|, larger "
                   "ones clip), mse (the range of least squared error, from 200 candidates)")
        ->capture_default_str()
        ->check(CLI::IsMember({"max", "percentile", "mse"}))
        ->each([&q](const std::string&) { q.scale_given = true; });
    app.add_option("--scale-percentile", q.percentile,
                   "this percentile of |w| maps to the top code, larger ones clip (0 < P <= 100); implies --scale "
                   "percentile")
        ->capture_default_str()
        ->check(finite_in(1e-9, 100.0))
        ->each([&q](const std::string&) { q.percentile_given = true; });
    app.add_option("--rounding", q.rounding, "nearest, or stochastic (unbiased, seeded by --rounding-seed)")
        ->capture_default_str()
        ->check(CLI::IsMember({"nearest", "stochastic"}));
    app.add_option("--rounding-seed", q.seed, "seed of the stochastic rounding")->capture_default_str()->check(whole_number(0, UINT64_MAX));
    if (offer_save)
        app.add_option("--save-quantized", q.save_dir,
                       "write the quantized integer codes and their scales as .npy files to this directory");
}

QuantizerOptions quantizer_range_options(const QuantizeFlags& q) {
    QuantizerOptions o;
    const std::string scale = q.percentile_given && !q.scale_given ? "percentile" : q.scale;
    if (q.percentile_given && scale != "percentile")
        throw BadArgument(fmt::format("--scale-percentile {} applies to --scale percentile, not --scale {}", q.percentile,
                                      scale));
    o.scale_mode = parse_scale_mode(scale);
    o.percentile = q.percentile;
    o.granularity = parse_granularity(q.granularity);
    o.rounding = parse_rounding(q.rounding);
    o.seed = q.seed;
    return o;
}

QuantizerOptions quantizer_options(const QuantizeFlags& q, const ChipParams& p) {
    QuantizerOptions o = quantizer_range_options(q);
    o.wbits = q.bits ? q.bits : p.wbits;
    if (!q.bits && p.wbits == 1)
        throw BadArgument("--wbits 1: the chip's 1-bit synapse word holds {-1, 0} (two's complement, MIND1024.md), not "
                          "±1 weights; give --wbits 2 --quant-bits 1 for ±1 codes, or --quant-bits 1 with a wider chip");
    if (o.wbits > p.wbits)
        throw BadArgument(fmt::format("--quant-bits {}: wider than the chip's WBITS={}", o.wbits, p.wbits));
    o.plus_minus_one = o.wbits == 1;
    return o;
}

nlohmann::json quantizer_json(const QuantizerOptions& o) {
    nlohmann::json j = {{"bits", o.wbits}, {"codes", o.plus_minus_one && o.wbits == 1 ? "±1" : "two's complement"},
                        {"granularity", to_string(o.granularity)}, {"scale", to_string(o.scale_mode)},
                        {"rounding", to_string(o.rounding)}};
    if (o.scale_mode == ScaleMode::Percentile) j["percentile"] = o.percentile;
    if (o.rounding == Rounding::Stochastic) j["seed"] = o.seed;
    return j;
}

void add_chip_options(CLI::App& app, ChipSpec& o, unsigned offer) {
    add_chip_param_options(app, o.params, [offer](const std::string& member) {
        if (member == "n_max") return (offer & kOfferNeurons) != 0;
        if (member == "wbits") return (offer & kOfferWbits) != 0;
        if (member == "abits") return (offer & kOfferAbits) != 0;
        return true;
    });
    if (offer & kOfferWrap) app.add_flag("--wrap", o.wrap, "wrap the accumulator on overflow instead of saturating");
    app.add_option("--model", o.model, std::string("chip model: ") + kChipModelsHelp)
        ->capture_default_str()
        ->check(CLI::IsMember(kChipModels));
    if (offer & kOfferVcd)
        app.add_option("--vcd", o.vcd, "write a VCD trace of the SystemC chip to this file (name ending in .vcd; GTKWave opens it)");
    app.add_option("--datapath", o.datapath,
                   "neuron datapath of the SystemC chip: cpp, or rtl (the Verilated unit; WBITS 8, ABITS 24, LANES 16)")
        ->capture_default_str()
        ->check(CLI::IsMember(rtl::datapath_names()));
    app.add_flag("--per-neuron-events", o.per_neuron_events,
                 "SystemC engine waits once per neuron instead of once per sweep (finer VCD, about half the speed)");
    app.add_option("--board", o.board,
                   "which board: inproc (simulated in this process), or unix:PATH / tcp:HOST:PORT of a "
                   "'mind-board --listen' process")
        ->capture_default_str()
        ->check([](const std::string& v) -> std::string {
            if (v == "inproc") return {};
            try {
                link::parse_endpoint(v);
                return {};
            } catch (const std::exception& e) {
                return e.what();
            }
        });
    app.add_option("--mode", o.mode,
                   "bare: the host drives the chip register by register; firmware: the host sends commands to "
                   "the board's firmware through the mailbox")
        ->capture_default_str()
        ->check(CLI::IsMember({"bare", "firmware"}));
    app.add_option("--firmware", o.firmware,
                   "firmware ELF of an in-process board in firmware mode (default: the project's mind_fw.elf)");
    if (offer & kOfferFaults)
        app.add_option_function<std::string>("--faults", [&o](const std::string& v) { o.faults = FaultSpec::parse(v); },
                                             faults_option_help())
            ->check(fault_spec_check());
}

void check_chip_outputs(const ChipSpec& o) {
    if (!o.vcd.empty()) check_output_file(o.vcd);
}

const char* const kOrderHelp = "sync, async (also spelled seq), perm";

CLI::Validator order_check() { return CLI::IsMember({"sync", "async", "seq", "perm"}); }

Order parse_order(const std::string& s) {
    if (s == "sync") return Order::Sync;
    if (s == "async" || s == "seq") return Order::AsyncSeq;
    if (s == "perm") return Order::AsyncPerm;
    throw BadArgument(fmt::format("unknown update order '{}' ({})", s, kOrderHelp));
}

void set_command_line(int argc, char** argv) {
    std::string c;
    for (int k = 0; k < argc; ++k) c += (k ? " " : "") + std::string(argv[k]);
    command_line() = c;
}

const char* program_version() { return MIND1024_VERSION_STRING; }

nlohmann::json provenance(const ChipDriver* chip, const nlohmann::json& more) {
    nlohmann::json p = {{"program", "mind1024"}, {"version", program_version()}, {"command_line", command_line()}};
    if (chip) p["chip"] = params_json(chip->params());
    if (more.is_object()) p.update(more);
    return p;
}

void write_json(const std::string& path, const nlohmann::json& j, const nlohmann::json& prov) {
    nlohmann::json out = j;
    if (out.is_object() && !out.contains("provenance")) out["provenance"] = prov;
    write_text_atomic(path, out.dump(2) + "\n");
}

void publish_outputs(OutputSet& out, const nlohmann::json& prov) { out.publish({{"provenance", prov}}); }

std::string join_path(const std::string& dir, const std::string& name) {
    if (dir.empty()) return name;
    return dir.back() == '/' ? dir + name : dir + "/" + name;
}

}  // namespace mind1024::host

namespace mind1024::host {

void refuse_vcd_in_children(const ChipSpec& o, const char* command) {
    if (!o.vcd.empty())
        throw BadArgument(fmt::format("--vcd: {} runs each configuration in its own child process, so there is no one "
                                      "trace to write; trace a single configuration with run, recall or mnist",
                                      command));
    if (o.board != "inproc")
        throw BadArgument(fmt::format("--board {}: {} runs chips of different parameters in child processes at once; "
                                      "a board process has one chip and serves one client: use --board inproc "
                                      "(with --mode firmware if you want the firmware path)",
                                      o.board, command));
}

}  // namespace mind1024::host
