#include "sysc/chip_params.h"

#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

namespace mind1024 {

namespace {
constexpr size_t kCount = 0
#define MIND1024_X(member, type, def, name, option, lo, hi, unit, help) +1
    MIND1024_CHIP_PARAMETERS(MIND1024_X)
#undef MIND1024_X
    ;
static_assert(kCount == std::tuple_size<std::array<ChipParamInfo, 7>>::value, "chip_param_table's size");

const std::array<ChipParamInfo, kCount> kTable{{
#define MIND1024_X(member, type, def, name, option, lo, hi, unit, help)                                     \
    {#member, name, option, std::is_integral<type>::value, double(lo), double(hi), unit, help,               \
     [](const ChipParams& p) { return static_cast<double>(p.member); },                                      \
     [](ChipParams& p, double v) { p.member = static_cast<type>(v); }},
    MIND1024_CHIP_PARAMETERS(MIND1024_X)
#undef MIND1024_X
}};
}  // namespace

const std::array<ChipParamInfo, 7>& chip_param_table() { return kTable; }

const ChipParamInfo* find_chip_param(const std::string& key) {
    for (const ChipParamInfo& p : kTable)
        if (key == p.member || key == p.option) return &p;
    return nullptr;
}

std::string chip_param_help(const ChipParamInfo& p) {
    const std::string unit = p.integer ? "" : fmt::format(" {}", p.unit);
    return fmt::format("{} ({:g}..{:g}{})", p.help, p.lo, p.hi, unit);
}

void ChipParams::validate() const {
    for (const ChipParamInfo& p : kTable) {
        const double v = p.get(*this);
        if (v >= p.lo && v <= p.hi) continue;  // NaN fails too
        // The clock is a double: 1 Hz .. 1 GHz keeps the period a whole number of SystemC's
        // 1 ps to within 0.1% and runs far from the end of 64-bit simulated time.
        if (!p.integer)
            throw std::invalid_argument(fmt::format("chip parameter {} = {:g} {} is outside {:g}..{:g} {}", p.name, v,
                                                    p.unit, p.lo, p.hi, p.unit));
        throw std::invalid_argument(fmt::format("chip parameter {} = {} is out of range [{}, {}]", p.name,
                                                static_cast<uint64_t>(v), p.lo, p.hi));
    }
}

uint32_t ChipParams::check_bits() const {
    if (protect == 0) return 0;
    if (protect == 1) return 1;
    uint32_t r = 1;
    while ((1u << r) < wbits + r + 1) ++r;
    return r + 1;
}

std::string ChipParams::describe() const {
    std::string s;
    for (const ChipParamInfo& p : kTable) {
        if (!s.empty()) s += ' ';
        s += p.integer ? fmt::format("{}={}", p.name, static_cast<uint64_t>(p.get(*this)))
                       : fmt::format("{}={:g} {}", p.name, p.get(*this), p.unit);
    }
    return s;
}

bool ChipParams::operator==(const ChipParams& o) const {
    return true
#define MIND1024_X(member, type, def, name, option, lo, hi, unit, help) &&member == o.member
        MIND1024_CHIP_PARAMETERS(MIND1024_X)
#undef MIND1024_X
        ;
}

}  // namespace mind1024
