// Neuron update pipeline: field accumulation (the datapath), noise and the
// decision, with the cycle cost of each update. The datapath is pluggable so
// the Verilated RTL unit can stand in for the C++ arithmetic.
#pragma once
#include <cstdint>

#include "chip_params.h"
#include "fixed_point.h"
#include "lfsr.h"

namespace mind1024::sysc {

// Computes h for one row: columns 0..n-1, LANES per cycle, ABITS accumulator.
class Datapath {
public:
    virtual ~Datapath() = default;
    virtual fx::Field field(const int16_t* row, const int8_t* sigma, uint32_t n, bool wrap) = 0;
    virtual const char* name() const = 0;
};

// The chip's arithmetic as plain C++ (fixed_point.h).
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

struct NeuronUpdate {
    uint32_t neuron = 0;
    int32_t h = 0;
    uint32_t overflows = 0;
    int8_t before = -1, after = -1;
};

class NeuronPipeline {
public:
    explicit NeuronPipeline(const ChipParams& p) : p_(p), builtin_(p), dp_(&builtin_) {}
    // nullptr restores the built-in C++ datapath.
    void set_datapath(Datapath* d) { dp_ = d ? d : &builtin_; }
    const Datapath& datapath() const { return *dp_; }

    // One neuron: field from `sigma`, a noise draw if enabled, the decision.
    NeuronUpdate update(uint32_t i, const int16_t* row, const int8_t* sigma, uint32_t n, int32_t theta,
                        bool wrap, bool noise, uint32_t temp, Lfsr& lfsr) {
        NeuronUpdate u;
        u.neuron = i;
        const fx::Field f = dp_->field(row, sigma, n, wrap);
        u.h = f.h;
        u.overflows = f.overflows;
        const int64_t eta = noise ? fx::noise_eta(lfsr.draw16(), temp) : 0;
        u.before = sigma[i];
        u.after = fx::decide(f.h, theta, eta, sigma[i]);
        return u;
    }
    // Cycles of one update over n columns (pipelined: latency is paid per sweep).
    uint64_t update_cycles(uint32_t n) const { return p_.groups(n); }
    uint32_t latency() const { return p_.latency; }

private:
    ChipParams p_;
    CppDatapath builtin_;
    Datapath* dp_;
};

}  // namespace mind1024::sysc
