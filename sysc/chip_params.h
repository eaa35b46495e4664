// Build-time parameters of a MIND 1024 chip (contract section 1).
#pragma once
#include <cstdint>
#include <string>

namespace mind1024 {

struct ChipParams {
    uint32_t n_max = 1024;    // neurons
    uint32_t wbits = 8;       // synapse width, 1..16
    uint32_t abits = 24;      // accumulator / threshold width, 2..32
    uint32_t lanes = 16;      // synapses summed per cycle, 1..255
    uint32_t latency = 5;     // pipeline latency in cycles
    double clock_hz = 20e6;   // board clock, kMinClockHz..kMaxClockHz

    // Throws std::invalid_argument naming the parameter and its range.
    void validate() const;
    // Cycles for one neuron update over n columns: ceil(n / lanes).
    uint32_t groups(uint32_t n) const { return (n + lanes - 1) / lanes; }
    std::string describe() const;
};

constexpr double kMinClockHz = 1.0, kMaxClockHz = 1e9;

// Largest N_MAX we accept: the synapse array is N_MAX^2 int16.
constexpr uint32_t kMaxNeurons = 16384;

}  // namespace mind1024
