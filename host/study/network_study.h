// Any network on the chip: the inputs of `mind1024 run` (weights, thresholds,
// state, clamp mask from .npy files, checked against the chip's ranges, float
// weights quantized on request) and one run of them. Results are values.
#pragma once
#include "host/learning/quantizer.h"
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "host/board/chip_driver.h"

namespace mind1024::host {

struct NetworkFiles {
    std::string weights, thresholds, state, clamp;  // thresholds and clamp may be empty
    bool quantize = false;     // float weights through the quantizer (options below), thresholds with their rows' scales
    QuantizerOptions options;  // wbits: the codes' bits
    bool allow_clipping = false;  // a threshold saturated to ABITS is an error unless this
};

struct NetworkInputs {
    WeightMatrix weights;
    std::vector<int32_t> thresholds;
    std::vector<int8_t> state;
    std::vector<uint8_t> clamp;
    nlohmann::json quantization;  // what quantize did, or "none (integer weights)"
    std::vector<double> row_scales;  // with quantize: each row's scale (code = w * s)
    size_t neurons() const { return weights.n; }
};

// Every shape from its header first (nothing allocated yet), then the values; a
// BadArgument or DataError naming the file and what is wrong.
NetworkInputs read_network_inputs(const NetworkFiles& f, const ChipParams& p);

struct NetworkRun {
    RunResult result;
    std::vector<int8_t> state;   // the first n neurons
    std::vector<int32_t> fields;
};
// Soft reset, load, START with `rp` (n_active = the network's n), read back.
NetworkRun run_network(ChipDriver& chip, const NetworkInputs& in, RunParams rp);

}  // namespace mind1024::host
