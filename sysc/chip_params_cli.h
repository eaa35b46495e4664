// The chip parameters as command-line options (CLI11), from the one table in
// chip_params.h: mind1024's commands and mind-board offer the same options
// with the same names, ranges and help.
#pragma once
#include <functional>
#include <string>

#include <CLI/CLI.hpp>

#include "sysc/chip_params.h"

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

}  // namespace mind1024
