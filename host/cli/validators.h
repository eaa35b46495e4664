// Option checks shared by mind1024 and mind1024-train (no chip, no torch here).
#pragma once
#include <cstdint>

#include <CLI/CLI.hpp>

namespace mind1024::host {

// Option checks that, unlike CLI::Range, refuse NaN, signs on unsigned values,
// empty strings and numbers too large for the target (which CLI11 would clamp).
CLI::Validator whole_number(uint64_t min, uint64_t max);  // digits only, min..max
CLI::Validator finite_in(double lo, double hi);

}  // namespace mind1024::host
