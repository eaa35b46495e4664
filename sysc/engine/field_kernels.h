// SIMD kernels of the fixed-point fields, chosen at run time for the
// machine's best instruction set (Google Highway dynamic dispatch). Lengths
// are multiples of kAlign; callers pad rows, columns and states with zeros.
#pragma once
#include <cstddef>
#include <cstdint>

namespace mind1024::engine::kernels {

constexpr size_t kAlign = 64;  // the widest vector (AVX-512) in bytes

// out[i] = sum of rows[i*stride + j] over the j with sel[j] = 0xFF (0
// elsewhere), i < nrows: int8 weights stored biased (w + 128, unsigned), so
// a row times a 0/1 selection is a sum of bytes (sums of absolute
// differences on x86), four rows per pass over the selection.
void selected_row_sums_u8(const uint8_t* rows, size_t stride, size_t nrows, const uint8_t* sel, size_t len,
                          uint64_t* out);
// The same over rows stored in groups of four interleaved by 64 bytes (one
// memory stream): row 4g+q, column j at blocks[g*4*stride + j/64*256 + q*64 + j%64];
// out[4g+q] for g < ngroups over columns < len; stride and len multiples of 64.
void selected_row_sums_u8x4(const uint8_t* blocks, size_t stride, size_t len, size_t ngroups, const uint8_t* sel,
                            uint64_t* out);
// sum of w[j] * s[j], s in {-1, 0, +1}.
int64_t dot_i16(const int16_t* w, const int8_t* s, size_t len);
// h[j] += 2 * sign * c[j]: neuron k flipped to `sign` moves every field by
// twice its column.
void add_column_twice_i8(int32_t* h, const int8_t* c, int8_t sign, size_t len);
void add_column_twice_i16(int32_t* h, const int16_t* c, int8_t sign, size_t len);

// acc[r] = sum of cols[k*stride + r] over k in add[0..na) minus the same over
// sub[0..ns): many flipped neurons' columns in one pass over the fields.
// Exact in int16 for na + ns <= kMaxBatchColumns (|w| <= 128).
constexpr size_t kMaxBatchColumns = 255;
void sum_columns_i8(int16_t* acc, const int8_t* cols, size_t stride, const uint32_t* add, size_t na,
                    const uint32_t* sub, size_t ns, size_t len);
// h[r] += 2 * acc[r].
void add_twice_i16(int32_t* h, const int16_t* acc, size_t len);

// The float twin's fields, in the summation order of a 4-lane SIMD sum:
// lane k of row r adds w[r][j] * s[j] over j = k, k+4, ... in increasing j,
// from +0 (the caller finishes: remainder columns into lane 0, then the
// lanes in order). Rows are stored in groups of four, interleaved by four
// columns: group g, chunk c holds w[4g+q][4c+k] at blocks[g*gstride + 16c + 4q + k].
// lanes[16g + 4q + k], g < ng, over chunks c < nchunks. s is +-1.
void rows_dot_f32x4(const float* blocks, size_t gstride, size_t ng, size_t nchunks, const float* s, float* lanes);
// The same with each row's own state (ASYNC: the state when row r updated):
// s[j] = pos[j] < rowpos[4g+q] ? s_new[j] : s_old[j].
void rows_dot_f32x4_mixed(const float* blocks, size_t gstride, size_t ng, size_t nchunks, const float* s_new,
                          const float* s_old, const int32_t* pos, const int32_t* rowpos, float* lanes);
// h[r] += 2 * sign * c[r] in double, r < len (any len).
void add_column_twice_f32(double* h, const float* c, int8_t sign, size_t len);
// The same over float weights that are all small integers, stored as int8
// (lossless: each becomes the same float in the kernel).
void rows_dot_f32x4(const int8_t* blocks, size_t gstride, size_t ng, size_t nchunks, const float* s, float* lanes);
void rows_dot_f32x4_mixed(const int8_t* blocks, size_t gstride, size_t ng, size_t nchunks, const float* s_new,
                          const float* s_old, const int32_t* pos, const int32_t* rowpos, float* lanes);
void add_column_twice_f32(double* h, const int8_t* c, int8_t sign, size_t len);

// Sum of len bytes: a plain read of an array, the memory-stream yardstick of the bench.
uint64_t sum_bytes(const uint8_t* p, size_t len);

}  // namespace mind1024::engine::kernels
