// FloatTwin: the chip's network and dynamics in floating point — the run
// engine of sysc/engine (same update orders, LFSR draws, stop rules) over a
// float arithmetic: float weights and no accumulator limits. Every chip result has its
// float counterpart from the same run parameters and seed.
#pragma once
#include <cstdint>
#include <vector>

#include "host/board/chip_driver.h"

namespace mind1024::host {

struct FloatNetwork {
    uint32_t n = 0;
    std::vector<float> w;      // n x n, row-major
    std::vector<float> theta;  // n (may be empty: zero)
};

class FloatTwin {
public:
    explicit FloatTwin(FloatNetwork net);

    // Chip integers per float unit: the twin divides TEMP by it so the noise
    // has the same size relative to the fields as on the chip.
    void set_scale(double chip_units_per_float) { scale_ = chip_units_per_float; }

    void set_state(const std::vector<int8_t>& s);
    void set_clamp(const std::vector<uint8_t>& c);
    const std::vector<int8_t>& state() const { return sigma_; }
    const std::vector<double>& fields() const { return field_; }
    const FloatNetwork& network() const { return net_; }

    RunResult run(const RunParams& p) { return go(p, p.max_sweeps); }
    RunResult step(const RunParams& p) { return go(p, 1); }
    // E = -1/2 s'Js + theta's over the first n neurons.
    double energy() const;

private:
    RunResult go(const RunParams& p, uint32_t max_sweeps);

    FloatNetwork net_;
    double scale_ = 1.0;
    std::vector<int8_t> sigma_;
    std::vector<uint8_t> clamp_;
    std::vector<double> field_;
};

}  // namespace mind1024::host
