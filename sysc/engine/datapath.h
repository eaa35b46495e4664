// The field datapath as a pluggable unit: computes h for one row (columns
// 0..n-1, LANES per cycle, ABITS accumulator), so the Verilated RTL neuron
// unit can stand in for the C++ arithmetic.
#pragma once
#include <cstdint>

#include "sysc/fixed_point.h"

namespace mind1024::engine {

class Datapath {
public:
    virtual ~Datapath() = default;
    virtual fx::Field field(const int16_t* row, const int8_t* sigma, uint32_t n, bool wrap) = 0;
    virtual const char* name() const = 0;
};

}  // namespace mind1024::engine
