#include "host/cli/validators.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>

#include <fmt/format.h>

namespace mind1024::host {

CLI::Validator whole_number(uint64_t min, uint64_t max) {
    return CLI::Validator(
        [min, max](std::string& v) -> std::string {
            const bool digits = !v.empty() && v.size() <= 20 && v.find_first_not_of("0123456789") == std::string::npos;
            errno = 0;
            const unsigned long long x = digits ? std::strtoull(v.c_str(), nullptr, 10) : 0;
            if (!digits || errno == ERANGE || x < min || x > max)
                return fmt::format("'{}' is not a whole number in {}..{}", v, min, max);
            return {};
        },
        fmt::format("UINT in {}..{}", min, max));
}

CLI::Validator finite_in(double lo, double hi) {
    return CLI::Validator(
        [lo, hi](std::string& v) -> std::string {
            char* end = nullptr;
            const double x = v.empty() ? NAN : std::strtod(v.c_str(), &end);
            if (!std::isfinite(x) || (end && *end) || x < lo || x > hi)
                return fmt::format("'{}' is not a number in {:g}..{:g}", v, lo, hi);
            return {};
        },
        fmt::format("FLOAT in {:g}..{:g}", lo, hi));
}

}  // namespace mind1024::host
