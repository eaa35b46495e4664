// Associative memories on the chip: float couplings (Hebb, Storkey, pinv)
// quantized and loaded, and the integer energy of a state. What recall,
// capacity and the fault campaign share.
#pragma once
#include <cstdint>
#include <vector>

#include "host/board/chip_driver.h"
#include "host/learning/float_matrix.h"
#include "host/learning/quantizer.h"

namespace mind1024::host {

// Quantizes J to the chip's WBITS with the quantizer's options (range, rounding,
// seed, granularity; the default: nearest, max-abs) and loads it with zero
// thresholds; returns the integer matrix and the report.
WeightMatrix load_float_weights(ChipDriver& chip, const FloatMatrix& j, QuantReport* report = nullptr,
                                QuantizerOptions opt = {});
// E = -1/2 s'Js + theta's over the first w.n neurons (integer, exact).
int64_t energy(const WeightMatrix& w, const std::vector<int8_t>& s, const std::vector<int32_t>& theta = {});

}  // namespace mind1024::host
