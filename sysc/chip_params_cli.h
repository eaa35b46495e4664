// The chip parameters as command-line options (CLI11), from the one table in
// chip_params.h: mind1024's commands and mind-board offer the same options
// with the same names, ranges and help.
#pragma once
#include <functional>
#include <string>

#include <CLI/CLI.hpp>

#include "sysc/chip_params.h"
#include "sysc/fault_plan.h"

namespace mind1024 {

// Adds --n-max --wbits --abits --lanes --latency --clock bound to p; `offer`
// says which (by member name): a command leaves out what it sets itself.
inline void add_chip_param_options(CLI::App& app, ChipParams& p,
                                   const std::function<bool(const char* member)>& offer = {},
                                   const std::string& help_prefix = "") {
#define MIND1024_X(member, type, def, name, option, lo, hi, unit, help)                                          \
    if (!offer || offer(#member))                                                                                \
        app.add_option("--" option, p.member, help_prefix + chip_param_help(*find_chip_param(#member)))           \
            ->capture_default_str()                                                                              \
            ->check(CLI::Range(static_cast<type>(lo), static_cast<type>(hi)));
    MIND1024_CHIP_PARAMETERS(MIND1024_X)
#undef MIND1024_X
}

// --faults SPEC: the help and the check both programs give it (FaultSpec::parse's message).
inline const char* faults_option_help() {
    return "inject faults into the chip, comma-separated KEY=VALUE: syn0=F / syn1=F (fraction of synapse bits stuck "
           "at 0 / 1), seu=N@U (N synapse bits flip before neuron update U), plus=F / minus=F (fraction of neurons "
           "stuck at +1 / -1), acc0=MASK / acc1=MASK (accumulator bits stuck at 0 / 1), accp0=F / accp1=F (each accumulator bit stuck at 0 / 1 with "
           "probability F), seed=S; see docs/faults.md";
}
inline CLI::Validator fault_spec_check() {
    return CLI::Validator(
        [](std::string& v) -> std::string {
            try {
                FaultSpec::parse(v);
                return {};
            } catch (const std::exception& e) {
                return e.what();
            }
        },
        "SPEC");
}

}  // namespace mind1024
