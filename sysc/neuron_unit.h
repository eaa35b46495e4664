// The chip's neuron pipeline: the engine's fixed-point arithmetic (fields,
// noise, decision) and its cycle model. The datapath is pluggable so the
// Verilated RTL unit can stand in for the C++ arithmetic.
#pragma once
#include <cstdint>

#include "sysc/chip_params.h"
#include "sysc/engine/datapath.h"
#include "sysc/engine/fixed_point_arith.h"
#include "sysc/engine/timing_model.h"
#include "sysc/fixed_point.h"

namespace mind1024::sysc {

using engine::Datapath;

// The chip's arithmetic as plain C++ (fixed_point.h), one row at a time.
class CppDatapath : public Datapath {
public:
    explicit CppDatapath(const ChipParams& p) : p_(p) {}
    fx::Field field(const int16_t* row, const int8_t* sigma, uint32_t n, bool wrap) override {
        return fx::neuron_field(row, sigma, n, p_.lanes, p_.wbits, p_.abits, wrap);
    }
    const char* name() const override { return "cpp"; }

private:
    ChipParams p_;
};

class NeuronUnit {
public:
    explicit NeuronUnit(const ChipParams& p) : builtin_(p), dp_(&builtin_), arith_(p), timing_(p) {}
    // nullptr restores the built-in C++ arithmetic (the engine's fast kernels).
    void set_datapath(Datapath* d) {
        dp_ = d ? d : &builtin_;
        arith_.set_datapath(dp_ == &builtin_ ? nullptr : dp_);
    }
    const Datapath& datapath() const { return *dp_; }
    engine::FixedPointArith& arith() { return arith_; }
    const engine::TimingModel& timing() const { return timing_; }

private:
    CppDatapath builtin_;
    Datapath* dp_;
    engine::FixedPointArith arith_;
    engine::TimingModel timing_;
};

}  // namespace mind1024::sysc
