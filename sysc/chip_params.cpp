#include "sysc/chip_params.h"

#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

namespace mind1024 {

namespace {
void check_range(const char* name, uint64_t v, uint64_t lo, uint64_t hi) {
    if (v < lo || v > hi)
        throw std::invalid_argument(
            fmt::format("chip parameter {} = {} is out of range [{}, {}]", name, v, lo, hi));
}
}  // namespace

void ChipParams::validate() const {
    check_range("N_MAX", n_max, 1, kMaxNeurons);
    check_range("WBITS", wbits, 1, 16);
    check_range("ABITS", abits, 2, 32);
    check_range("LANES", lanes, 1, 255);
    check_range("latency", latency, 0, 1000);
    // 1 Hz .. 1 GHz: the period must be a whole number of SystemC's 1 ps resolution
    // to within 0.1%, and runs must stay far from the end of 64-bit simulated time.
    if (!(clock_hz >= kMinClockHz && clock_hz <= kMaxClockHz))
        throw std::invalid_argument(fmt::format("chip parameter clock = {:g} Hz is outside {:g}..{:g} Hz", clock_hz,
                                                kMinClockHz, kMaxClockHz));
}

std::string ChipParams::describe() const {
    return fmt::format("N_MAX={} WBITS={} ABITS={} LANES={} latency={} clock={:g} Hz", n_max, wbits,
                       abits, lanes, latency, clock_hz);
}

}  // namespace mind1024
