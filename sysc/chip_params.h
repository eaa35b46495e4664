// Build-time parameters of a MIND 1024 chip (contract section 1).
//
// MIND1024_CHIP_PARAMETERS is the one table of them: the struct, validation,
// description, equality, the CLI options of mind1024 and mind-board, the JSON
// written and read back, and the link's HELLO all expand it, so a new
// parameter is one line here (as QEMU declares a device property once).
#pragma once
#include <array>
#include <cstdint>
#include <string>

namespace mind1024 {

constexpr double kMinClockHz = 1.0, kMaxClockHz = 1e9;
// Largest N_MAX we accept: the synapse array is N_MAX^2 int16.
constexpr uint32_t kMaxNeurons = 16384;

// X(member, type, default, contract name, option, lo, hi, unit, help)
//   member: the C++ member and the JSON key; option: the command-line option without "--".
#define MIND1024_CHIP_PARAMETERS(X)                                                                          \
    X(n_max, uint32_t, 1024, "N_MAX", "n-max", 1, ::mind1024::kMaxNeurons, "neurons", "neurons on the chip") \
    X(wbits, uint32_t, 8, "WBITS", "wbits", 1, 16, "bits", "synapse bits")                                   \
    X(abits, uint32_t, 24, "ABITS", "abits", 2, 32, "bits", "accumulator and threshold bits")                \
    X(lanes, uint32_t, 16, "LANES", "lanes", 1, 255, "synapses", "synapses summed per cycle")                \
    X(latency, uint32_t, 5, "latency", "latency", 0, 1000, "cycles", "pipeline latency")                     \
    X(clock_hz, double, 20e6, "clock", "clock", ::mind1024::kMinClockHz, ::mind1024::kMaxClockHz, "Hz", "board clock") \
    X(protect, uint32_t, 0, "PROTECT", "protect", 0, 2, "", "synapse word protection: 0 none, 1 parity (an error detected reads 0), 2 SECDED (one error corrected, two detected and read 0; +1 cycle of pipeline latency)")

struct ChipParams {
#define MIND1024_X(member, type, def, name, option, lo, hi, unit, help) type member = def;
    MIND1024_CHIP_PARAMETERS(MIND1024_X)
#undef MIND1024_X

    // Throws std::invalid_argument naming the parameter and its range.
    void validate() const;
    // Cycles for one neuron update over n columns: ceil(n / lanes).
    uint32_t groups(uint32_t n) const { return (n + lanes - 1) / lanes; }
    // Check bits stored beside each synapse word (PROTECT): parity 1; SECDED
    // r + 1 with 2^r >= WBITS + r + 1 (WBITS 8: 5).
    uint32_t check_bits() const;
    uint32_t stored_word_bits() const { return wbits + check_bits(); }
    // A sweep's pipeline latency: LATENCY, plus one stage for the SECDED decoder.
    uint32_t pipeline_latency() const { return latency + (protect == 2 ? 1 : 0); }
    std::string describe() const;
    bool operator==(const ChipParams& o) const;
    bool operator!=(const ChipParams& o) const { return !(*this == o); }
};

// The table as data, for code that walks it at run time (docs, JSON, options).
struct ChipParamInfo {
    const char* member;  // C++ member and JSON key
    const char* name;    // contract name
    const char* option;  // command-line option without "--"
    bool integer;        // uint32_t (else double)
    double lo, hi;
    const char* unit;
    const char* help;
    double (*get)(const ChipParams&);
    void (*set)(ChipParams&, double);
};
const std::array<ChipParamInfo, 7>& chip_param_table();
// "synapse bits (1..16)": the help text every program shows for a parameter.
std::string chip_param_help(const ChipParamInfo& p);
// The parameter whose member or option is `key`, or nullptr.
const ChipParamInfo* find_chip_param(const std::string& key);

}  // namespace mind1024
