// ChipDriver: what host programs need from a MIND 1024, in bulk operations.
// Implemented by Board (the SystemC chip over its bus) and ReferenceDriver
// (the plain C++ reference model), so every host algorithm runs on either.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "chip_params.h"
#include "reference_model.h"

namespace mind1024::host {

struct RunParams {
    Order order = Order::AsyncSeq;
    bool wrap = false;
    bool noise = false;
    uint32_t temp = 0;
    uint32_t seed = 1;
    uint32_t max_sweeps = 50;
    uint32_t n_active = 0;  // 0 = N_MAX
};

struct RunResult {
    uint32_t sweeps = 0, flips = 0, ovf_count = 0;
    bool converged = false, cycle2 = false;
    uint64_t cycles = 0;        // compute cycles of this run
    double sim_seconds = 0.0;   // simulated time of this call (bus + compute)
};

// A dense square weight block, row-major: w[i*n + j].
struct WeightMatrix {
    uint32_t n = 0;
    std::vector<int16_t> w;
};

class ChipDriver {
public:
    virtual ~ChipDriver() = default;
    virtual const ChipParams& params() const = 0;
    virtual std::string name() const = 0;

    // Writes the n x n block (n <= N_MAX); values are checked against WBITS.
    virtual void load_weights(const WeightMatrix& m) = 0;
    virtual WeightMatrix read_weights(uint32_t n) = 0;
    // Thresholds of neurons 0..size-1; values are checked against ABITS.
    virtual void load_thresholds(const std::vector<int32_t>& t) = 0;
    // State (+1/-1, anything > 0 is +1) and clamp mask (0/1) of neurons 0..size-1.
    virtual void set_state(const std::vector<int8_t>& s) = 0;
    virtual void set_clamp(const std::vector<uint8_t>& c) = 0;
    virtual std::vector<int8_t> state() = 0;                              // all N_MAX
    virtual std::vector<int32_t> fields(uint32_t first, uint32_t count) = 0;

    virtual RunResult run(const RunParams& p) = 0;   // START
    virtual RunResult step(const RunParams& p) = 0;  // STEP
    virtual void hebb(uint32_t n_active) = 0;
    virtual void clear_synapses() = 0;
    virtual void soft_reset() = 0;
    virtual uint64_t cycles() = 0;  // CYCLES since reset
};

// Checks shared by every driver; throw BadArgument naming the value.
void check_weights(const WeightMatrix& m, const ChipParams& p);
void check_thresholds(const std::vector<int32_t>& t, const ChipParams& p);
void check_run_params(const RunParams& r, const ChipParams& p);

}  // namespace mind1024::host
