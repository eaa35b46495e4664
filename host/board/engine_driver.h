// EngineDriver: the ChipDriver API over the run engine alone (sysc/engine: the
// fast SIMD fields, the same sweep, stop rules, HEBB and cycle model the
// SystemC chip runs), with no bus and no simulated time. The fast plain-C++
// chip: bit for bit the reference model's states, fields, counters and cycles.
#pragma once
#include <memory>

#include "host/board/chip_driver.h"

namespace mind1024::host {

class EngineDriver : public ChipDriver {
public:
    explicit EngineDriver(const ChipParams& p);
    ~EngineDriver() override;

    const ChipParams& params() const override;
    std::string name() const override { return "engine"; }

    void load_weights(const WeightMatrix& m) override;
    WeightMatrix read_weights(uint32_t n) override;
    void load_thresholds(const std::vector<int32_t>& t) override;
    void set_state(const std::vector<int8_t>& s) override;
    void set_clamp(const std::vector<uint8_t>& c) override;
    std::vector<int8_t> state() override;
    std::vector<int32_t> fields(uint32_t first, uint32_t count) override;
    RunResult run(const RunParams& p) override { return go(p, p.max_sweeps); }
    RunResult step(const RunParams& p) override { return go(p, 1); }
    void hebb(uint32_t n_active) override;
    void clear_synapses() override;
    void soft_reset() override;
    uint64_t cycles() override;
    void set_faults(const FaultPlan& plan) override;
    bool takes_faults() const override { return true; }

private:
    RunResult go(const RunParams& p, uint32_t max_sweeps);
    struct Impl;
    std::unique_ptr<Impl> d_;
};

}  // namespace mind1024::host
