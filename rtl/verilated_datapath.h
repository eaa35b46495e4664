// Co-simulation: the Verilated neuron_unit (default build WBITS 8, ABITS 24,
// LANES 16) as the SystemC chip's datapath:
//   mind1024::rtl::VerilatedDatapath dp(chip.params());
//   chip.neuron_unit().set_datapath(&dp);
// Each field() streams the row through the unit group by group, LANES per
// clock, and waits for done.
#pragma once
#include <cstdint>
#include <memory>

#include "sysc/chip_params.h"
#include "sysc/neuron_unit.h"

namespace mind1024::rtl {

class VerilatedDatapath : public sysc::Datapath {
public:
    static constexpr uint32_t kWbits = 8, kAbits = 24, kLanes = 16;

    // Throws std::invalid_argument unless p has the verilated WBITS/ABITS/LANES.
    explicit VerilatedDatapath(const ChipParams& p);
    ~VerilatedDatapath() override;

    fx::Field field(const int16_t* row, const int8_t* sigma, uint32_t n, bool wrap) override;
    const char* name() const override { return "rtl"; }

    uint64_t cycles() const;   // clock cycles simulated so far
    uint64_t updates() const { return updates_; }

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
    uint64_t updates_ = 0;
};

}  // namespace mind1024::rtl
