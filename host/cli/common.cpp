#include "host/cli/common.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <optional>

#include <fmt/format.h>

#include "host/board/board.h"
#include "host/board/errors.h"
#include "host/board/firmware_driver.h"
#include "host/link/link_socket.h"
#include "host/link/socket_transport.h"
#include "host/report/output_file.h"
#include "mind1024_version.h"  // generated at build time: MIND1024_VERSION_STRING
#include "host/board/reference_driver.h"
#include "sysc/chip.h"  // apply_faults needs the chip's type without the RTL too
#ifdef MIND1024_HAVE_RTL
#include "rtl/verilated_datapath.h"
#endif

namespace mind1024::host {

namespace {
std::string& command_line() {
    static std::string c;
    return c;
}
std::optional<ChipParams>& opened_chip() {
    static std::optional<ChipParams> p;
    return p;
}
InProcessTransport*& opened_inproc() {  // the process's board, once open_chip opened it
    static InProcessTransport* t = nullptr;
    return t;
}
}  // namespace


void add_chip_options(CLI::App& app, ChipOptions& o, unsigned offer) {
    if (offer & kOfferWbits)
        app.add_option("--wbits", o.params.wbits, "synapse bits (1..16)")->capture_default_str()->check(CLI::Range(1, 16));
    if (offer & kOfferAbits)
        app.add_option("--abits", o.params.abits, "accumulator and threshold bits (2..32)")
            ->capture_default_str()
            ->check(CLI::Range(2, 32));
    app.add_option("--lanes", o.params.lanes, "synapses summed per cycle (1..255)")
        ->capture_default_str()
        ->check(CLI::Range(1, 255));
    app.add_option("--latency", o.params.latency, "pipeline latency in cycles")->capture_default_str()->check(CLI::Range(0, 1000));
    app.add_option("--clock", o.params.clock_hz, "board clock in Hz (1..1e9)")->capture_default_str()->check(CLI::Range(kMinClockHz, kMaxClockHz));
    if (offer & kOfferWrap) app.add_flag("--wrap", o.wrap, "wrap the accumulator on overflow instead of saturating");
    app.add_option("--model", o.model, "chip model: systemc (the TLM chip over its bus) or reference (plain C++)")
        ->capture_default_str()
        ->check(CLI::IsMember({"systemc", "reference"}));
    if (offer & kOfferVcd)
        app.add_option("--vcd", o.vcd, "write a VCD trace of the SystemC chip to this file (name ending in .vcd; GTKWave opens it)");
    app.add_option("--datapath", o.datapath,
                   "neuron datapath of the SystemC chip: cpp, or rtl (the Verilated unit; WBITS 8, ABITS 24, LANES 16)")
        ->capture_default_str()
        ->check(CLI::IsMember({"cpp", "rtl"}));
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
        app.add_option_function<std::string>(
               "--faults", [&o](const std::string& v) { o.faults = FaultSpec::parse(v); },
               "inject faults into the chip (reference or in-process board), comma-separated KEY=VALUE: syn0=F / "
               "syn1=F (fraction of synapse bits stuck at 0 / 1), seu=N@U (N synapse bits flip before neuron update "
               "U), plus=F / minus=F (fraction of neurons stuck at +1 / -1), acc0=MASK / acc1=MASK (accumulator bits "
               "stuck at 0 / 1), seed=S; see docs/faults.md")
            ->check([](const std::string& v) -> std::string {
                try {
                    FaultSpec::parse(v);
                    return {};
                } catch (const std::exception& e) {
                    return e.what();
                }
            });
}

void check_faults_supported(ChipDriver& chip) {
    if (dynamic_cast<ReferenceDriver*>(&chip) || opened_inproc()) return;
    throw BadArgument(fmt::format("faults are injected into a chip in this process (--model reference, or --board "
                                  "inproc); {} is a board process, whose chip this process cannot reach",
                                  chip.name()));
}

void apply_faults(ChipDriver& chip, const FaultPlan& plan) {
    check_faults_supported(chip);
    if (auto* r = dynamic_cast<ReferenceDriver*>(&chip)) {
        r->model().set_faults(plan);
        return;
    }
    opened_inproc()->chip().set_faults(plan);
}

void check_chip_outputs(const ChipOptions& o) {
    if (!o.vcd.empty()) check_output_file(o.vcd);
}

namespace {
// A driver together with the transport it runs on (the transport first: it must outlive the driver).
struct TransportHolder {
    std::unique_ptr<Transport> transport;
};
template <class Driver>
struct Owning : TransportHolder, Driver {
    explicit Owning(std::unique_ptr<Transport> t) : TransportHolder{std::move(t)}, Driver(*transport) {}
};

bool same_chip(const ChipParams& a, const ChipParams& b) {
    return a.n_max == b.n_max && a.wbits == b.wbits && a.abits == b.abits && a.lanes == b.lanes &&
           a.latency == b.latency && a.clock_hz == b.clock_hz;
}
}  // namespace

namespace {
std::unique_ptr<ChipDriver> open_driver(const ChipOptions& o) {
    o.params.validate();
    opened_chip() = o.params;
    const bool firmware = o.mode == "firmware";
    if (!o.firmware.empty() && (!firmware || o.board != "inproc"))
        throw BadArgument("--firmware is the firmware of an in-process board in --mode firmware; a board process "
                          "(--board unix:/tcp:) runs the firmware mind-board was started with");
    if (o.model == "reference") {
        if (o.datapath != "cpp") throw BadArgument("--datapath rtl needs --model systemc");
        if (!o.vcd.empty()) throw BadArgument("--vcd traces the SystemC chip: it needs --model systemc");
        if (o.per_neuron_events) throw BadArgument("--per-neuron-events is an option of the SystemC engine: it needs --model systemc");
        if (o.board != "inproc" || firmware)
            throw BadArgument("--model reference is the plain C++ model in this process: it takes neither --board "
                              "unix:/tcp: nor --mode firmware");
        return std::make_unique<ReferenceDriver>(o.params);
    }
    if (o.board != "inproc") {
        // A board process: its chip, trace and engine are mind-board's.
        if (!o.vcd.empty()) throw BadArgument("--vcd traces an in-process board; start mind-board with --vcd instead");
        if (o.datapath != "cpp") throw BadArgument("--datapath rtl is an option of an in-process board (--board inproc)");
        if (o.per_neuron_events) throw BadArgument("--per-neuron-events is an option of an in-process board (--board inproc)");
        auto t = std::make_unique<SocketTransport>(o.board);
        if (!same_chip(t->chip_params(), o.params))
            throw BadArgument(fmt::format("the board at {} has {}, the options ask for {}: pass its parameters "
                                          "(--wbits, --abits, --lanes, --latency, --clock) or start mind-board with yours",
                                          o.board, t->chip_params().describe(), o.params.describe()));
        if (firmware) return std::make_unique<Owning<FirmwareDriver>>(std::move(t));
        return std::make_unique<Owning<Board>>(std::move(t));
    }
    InProcessOptions io;
    io.vcd_path = o.vcd;
    io.per_neuron_events = o.per_neuron_events;
    if (firmware) io.firmware_path = o.firmware.empty() ? MIND1024_DEFAULT_FIRMWARE : o.firmware;
    InProcessTransport& t = InProcessTransport::open(o.params, io);
    if (o.datapath == "rtl") {
#ifdef MIND1024_HAVE_RTL
        static std::unique_ptr<rtl::VerilatedDatapath> dp;  // lives as long as the process's board
        if (!dp) dp = std::make_unique<rtl::VerilatedDatapath>(o.params);
        t.chip().pipeline().set_datapath(dp.get());
#else
        throw BadArgument("--datapath rtl: this build has no Verilated datapath (configure with MIND1024_RTL=ON and Verilator)");
#endif
    }
    opened_inproc() = &t;
    if (firmware) return std::make_unique<FirmwareDriver>(t);
    return std::make_unique<Board>(t);
}
}  // namespace

std::unique_ptr<ChipDriver> open_chip(const ChipOptions& o) {
    // The fault plan first: a bad one is refused before a board is opened.
    const FaultPlan plan = o.faults.any() ? FaultPlan::expand(o.faults, o.params) : FaultPlan{};
    auto chip = open_driver(o);
    if (!plan.empty()) apply_faults(*chip, plan);
    return chip;
}

const char* const kOrderHelp = "sync, async (also spelled seq), perm";

CLI::Validator order_check() { return CLI::IsMember({"sync", "async", "seq", "perm"}); }

Order parse_order(const std::string& s) {
    if (s == "sync") return Order::Sync;
    if (s == "async" || s == "seq") return Order::AsyncSeq;
    if (s == "perm") return Order::AsyncPerm;
    throw BadArgument(fmt::format("unknown update order '{}' ({})", s, kOrderHelp));
}

std::string order_name(Order o) {
    switch (o) {
        case Order::Sync: return "sync";
        case Order::AsyncSeq: return "async";
        case Order::AsyncPerm: return "perm";
    }
    return "?";
}

void set_command_line(int argc, char** argv) {
    std::string c;
    for (int k = 0; k < argc; ++k) c += (k ? " " : "") + std::string(argv[k]);
    command_line() = c;
}

const char* program_version() { return MIND1024_VERSION_STRING; }

nlohmann::json provenance() {
    nlohmann::json p = {{"program", "mind1024"}, {"version", program_version()}, {"command_line", command_line()}};
    if (const auto& c = opened_chip())
        p["chip"] = {{"n_max", c->n_max}, {"wbits", c->wbits},     {"abits", c->abits},
                     {"lanes", c->lanes}, {"latency", c->latency}, {"clock_hz", c->clock_hz}};
    return p;
}

void write_json(const std::string& path, const nlohmann::json& j, const nlohmann::json& more) {
    nlohmann::json out = j;
    if (out.is_object() && !out.contains("provenance")) {
        out["provenance"] = provenance();
        if (more.is_object()) out["provenance"].update(more);
    }
    write_text_atomic(path, out.dump(2) + "\n");
}

void publish_outputs(OutputSet& out) { out.publish({{"provenance", provenance()}}); }

std::string join_path(const std::string& dir, const std::string& name) {
    if (dir.empty()) return name;
    return dir.back() == '/' ? dir + name : dir + "/" + name;
}

}  // namespace mind1024::host

namespace mind1024::host {

WeightMatrix load_float_weights(ChipDriver& chip, const FloatMatrix& j, QuantReport* report, double percentile,
                                Rounding rounding, uint64_t seed) {
    QuantizerOptions opt;
    opt.wbits = chip.params().wbits;
    opt.rounding = rounding;
    opt.seed = seed;
    if (percentile > 0) {
        opt.scale_mode = ScaleMode::Percentile;
        opt.percentile = percentile;
    }
    const QuantizedMatrix q = quantize_weights(j, opt);
    WeightMatrix w{static_cast<uint32_t>(j.rows), q.data};
    chip.load_weights(w);
    chip.load_thresholds(std::vector<int32_t>(j.rows, 0));
    if (report) *report = q.report;
    return w;
}

int64_t energy(const WeightMatrix& w, const std::vector<int8_t>& s, const std::vector<int32_t>& theta) {
    int64_t e2 = 0, t = 0;  // e2 = s'Js
    for (uint32_t i = 0; i < w.n; ++i) {
        int64_t h = 0;
        const int16_t* r = &w.w[size_t{i} * w.n];
        for (uint32_t k = 0; k < w.n; ++k) h += r[k] * s[k];
        e2 += h * s[i];
        if (i < theta.size()) t += int64_t{theta[i]} * s[i];
    }
    return -e2 / 2 + t;
}

void refuse_vcd_in_children(const ChipOptions& o, const char* command) {
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
