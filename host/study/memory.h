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

// Quantizes J to the chip's WBITS (nearest; max-abs scale, or the given
// percentile of |J| mapped to the top code, clipping above it) and loads it
// with zero thresholds; returns the integer matrix and the report.
// `rounding`: nearest, or stochastic (unbiased; draws from `seed`, symmetric J stays symmetric).
WeightMatrix load_float_weights(ChipDriver& chip, const FloatMatrix& j, QuantReport* report = nullptr,
                                double percentile = 0, Rounding rounding = Rounding::Nearest, uint64_t seed = 1);
// The same with the quantizer's options (scale, rounding, seed, granularity); WBITS is the chip's.
WeightMatrix load_float_weights(ChipDriver& chip, const FloatMatrix& j, QuantReport* report, QuantizerOptions opt);
// E = -1/2 s'Js + theta's over the first w.n neurons (integer, exact).
int64_t energy(const WeightMatrix& w, const std::vector<int8_t>& s, const std::vector<int32_t>& theta = {});

}  // namespace mind1024::host
