#include "host/study/chip_spec.h"

#include <algorithm>

#include <fmt/format.h>

#include "host/board/bare_driver.h"
#include "host/board/engine_driver.h"
#include "host/board/errors.h"
#include "host/board/firmware_driver.h"
#include "host/board/reference_driver.h"
#include "host/data/data_error.h"
#include "host/link/socket_transport.h"

namespace mind1024::host {

void ChipSpec::check() const {
    try {
        params.validate();
    } catch (const std::invalid_argument& e) {
        throw BadArgument(e.what());
    }
    const bool fw = mode == "firmware";
    if (std::find(kChipModels.begin(), kChipModels.end(), model) == kChipModels.end())
        throw BadArgument(fmt::format("--model {}: the chip models are {}", model, kChipModelsHelp));
    if (mode != "bare" && !fw) throw BadArgument(fmt::format("--mode {}: the modes are bare and firmware", mode));
    if (datapath != "cpp" && datapath != "rtl")
        throw BadArgument(fmt::format("--datapath {}: the datapaths are cpp and rtl", datapath));
    if (!firmware.empty() && (!fw || board != "inproc"))
        throw BadArgument("--firmware is the firmware of an in-process board in --mode firmware; a board process "
                          "(--board unix:/tcp:) runs the firmware mind-board was started with");
    if (model != "systemc") {  // a plain C++ chip in this process
        if (datapath != "cpp") throw BadArgument("--datapath rtl needs --model systemc");
        if (!vcd.empty()) throw BadArgument("--vcd traces the SystemC chip: it needs --model systemc");
        if (per_neuron_events)
            throw BadArgument("--per-neuron-events is an option of the SystemC engine: it needs --model systemc");
        if (board != "inproc" || fw)
            throw BadArgument(fmt::format("--model {} is a plain C++ chip in this process: it takes neither --board "
                                          "unix:/tcp: nor --mode firmware",
                                          model));
    } else if (board != "inproc") {
        // A board process: its chip, trace, engine and faults are mind-board's.
        if (!vcd.empty()) throw BadArgument("--vcd traces an in-process board; start mind-board with --vcd instead");
        if (datapath != "cpp")
            throw BadArgument("--datapath rtl is an option of an in-process board (--board inproc); start mind-board "
                              "with --datapath rtl instead");
        if (per_neuron_events)
            throw BadArgument("--per-neuron-events is an option of an in-process board (--board inproc)");
        if (faults.any())
            throw BadArgument(fmt::format("--faults: faults are injected into a chip in this process (--model reference or engine, "
                                          "or --board inproc); {} is a board process: start mind-board with --faults",
                                          board));
    }
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
}  // namespace

std::unique_ptr<ChipDriver> open_chip(const ChipSpec& s) {
    s.check();
    // The fault plan and the datapath before the board: a bad one is refused before anything is built.
    const FaultPlan plan = s.faults.any() ? FaultPlan::expand(s.faults, s.params) : FaultPlan{};
    const bool fw = s.mode == "firmware";
    if (s.model != "systemc") {
        std::unique_ptr<ChipDriver> r;
        if (s.model == "engine") r = std::make_unique<EngineDriver>(s.params);
        else r = std::make_unique<ReferenceDriver>(s.params);
        if (!plan.empty()) r->set_faults(plan);
        return r;
    }
    if (s.board != "inproc") {
        auto t = std::make_unique<SocketTransport>(s.board);
        if (t->chip_params() != s.params)
            throw BadArgument(fmt::format("the board at {} has {}, the options ask for {}: pass its parameters "
                                          "(--n-max, --wbits, --abits, --lanes, --latency, --clock) or start "
                                          "mind-board with yours",
                                          s.board, t->chip_params().describe(), s.params.describe()));
        if (fw) return std::make_unique<Owning<FirmwareDriver>>(std::move(t));
        return std::make_unique<Owning<BareDriver>>(std::move(t));
    }
    return open_in_process_chip(s, plan);
}

nlohmann::json params_json(const ChipParams& p) {
    nlohmann::json j = nlohmann::json::object();
#define MIND1024_X(member, type, def, name, option, lo, hi, unit, help) j[#member] = p.member;
    MIND1024_CHIP_PARAMETERS(MIND1024_X)
#undef MIND1024_X
    return j;
}

ChipParams params_from_json(const nlohmann::json& j, const std::string& where) {
    if (!j.is_object()) throw DataError(fmt::format("{}: the chip's parameters are not a JSON object", where));
    ChipParams p;
    for (const ChipParamInfo& k : chip_param_table()) {
        const auto it = j.find(k.member);
        if (it == j.end() && std::string(k.member) == "protect") continue;  // written before PROTECT existed: none
        if (it == j.end() || !it->is_number())
            throw DataError(fmt::format("{}: chip parameter '{}' is missing or not a number", where, k.member));
        const double v = it->get<double>();
        if (k.integer && (v != static_cast<double>(static_cast<int64_t>(v))))
            throw DataError(fmt::format("{}: chip parameter '{}' = {} is not a whole number", where, k.member, v));
        if (!(v >= k.lo && v <= k.hi))
            throw DataError(fmt::format("{}: chip parameter '{}' = {:g} is outside {:g}..{:g}", where, k.member, v,
                                        k.lo, k.hi));
        k.set(p, v);
    }
    return p;
}

nlohmann::json chip_json(const ChipSpec& s) {
    nlohmann::json j = params_json(s.params);
    j["wrap"] = s.wrap;
    return j;
}

}  // namespace mind1024::host
