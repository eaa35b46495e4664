// ReferenceDriver: the ChipDriver API over the plain C++ reference model
// (no bus, no SystemC). Same results as BareDriver, bit for bit, faster.
#pragma once
#include "host/board/chip_driver.h"
#include "sysc/reference_model.h"

namespace mind1024::host {

class ReferenceDriver : public ChipDriver {
public:
    explicit ReferenceDriver(const ChipParams& p) : m_(p) {}

    const ChipParams& params() const override { return m_.params(); }
    std::string name() const override { return "reference"; }
    ReferenceModel& model() { return m_; }

    void load_weights(const WeightMatrix& m) override;
    WeightMatrix read_weights(uint32_t n) override;
    void load_thresholds(const std::vector<int32_t>& t) override;
    void set_state(const std::vector<int8_t>& s) override;
    void set_clamp(const std::vector<uint8_t>& c) override;
    std::vector<int8_t> state() override { return m_.states(); }
    std::vector<int32_t> fields(uint32_t first, uint32_t count) override;
    RunResult run(const RunParams& p) override { return go(p, false); }
    RunResult step(const RunParams& p) override { return go(p, true); }
    void hebb(uint32_t n_active) override;
    void clear_synapses() override { m_.clear_syn(); }
    void soft_reset() override { m_.soft_reset(); }
    uint64_t cycles() override { return m_.status().cycles; }
    void set_faults(const FaultPlan& plan) override;
    bool takes_faults() const override { return true; }

private:
    RunResult go(const RunParams& p, bool single);
    ReferenceModel m_;
};

}  // namespace mind1024::host
