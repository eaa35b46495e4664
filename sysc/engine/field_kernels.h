// SIMD kernels of the fixed-point fields, chosen at run time for the
// machine's best instruction set (Google Highway dynamic dispatch). Lengths
// are multiples of kAlign; callers pad rows, columns and states with zeros.
#pragma once
#include <cstddef>
#include <cstdint>

namespace mind1024::engine::kernels {

constexpr size_t kAlign = 64;  // the widest vector (AVX-512) in bytes

// Sums of (w[j] + 128) over the j selected by plus[j] = 0xFF and, apart, by
// minus[j] = 0xFF (0 elsewhere): the exact int8 dot product with ±1 states
// without a multiply (sums of absolute differences on x86).
void split_sums_i8(const int8_t* w, const uint8_t* plus, const uint8_t* minus, size_t len, uint64_t* sum_plus,
                   uint64_t* sum_minus);
// sum of w[j] * s[j], s in {-1, 0, +1}.
int64_t dot_i16(const int16_t* w, const int8_t* s, size_t len);
// h[j] += 2 * sign * c[j]: neuron k flipped to `sign` moves every field by
// twice its column.
void add_column_twice_i8(int32_t* h, const int8_t* c, int8_t sign, size_t len);
void add_column_twice_i16(int32_t* h, const int16_t* c, int8_t sign, size_t len);

// Sum of len bytes: a plain read of an array, the memory-stream yardstick of the bench.
uint64_t sum_bytes(const uint8_t* p, size_t len);

}  // namespace mind1024::engine::kernels
