// Highway's foreach_target compiles this file once per SIMD target; the
// HWY_ONCE part exports the dispatchers (see field_kernels.h).
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "sysc/engine/field_kernels.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

#include <type_traits>

#include "sysc/engine/field_kernels.h"

HWY_BEFORE_NAMESPACE();
namespace mind1024::engine::kernels {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

void SelectedRowSumsU8(const uint8_t* HWY_RESTRICT rows, size_t stride, size_t nrows, const uint8_t* HWY_RESTRICT sel,
                       size_t len, uint64_t* HWY_RESTRICT out) {
    const hn::ScalableTag<uint8_t> d8;
    const hn::Repartition<uint64_t, decltype(d8)> d64;
    const size_t N = hn::Lanes(d8);
    size_t i = 0;
    for (; i + 4 <= nrows; i += 4) {  // four rows share each load of the selection
        const uint8_t* r = rows + i * stride;
        auto a0 = hn::Zero(d64), a1 = hn::Zero(d64), a2 = hn::Zero(d64), a3 = hn::Zero(d64);
        for (size_t j = 0; j < len; j += N) {
            const auto m = hn::LoadU(d8, sel + j);
            a0 = hn::Add(a0, hn::SumsOf8(hn::And(hn::LoadU(d8, r + j), m)));
            a1 = hn::Add(a1, hn::SumsOf8(hn::And(hn::LoadU(d8, r + stride + j), m)));
            a2 = hn::Add(a2, hn::SumsOf8(hn::And(hn::LoadU(d8, r + 2 * stride + j), m)));
            a3 = hn::Add(a3, hn::SumsOf8(hn::And(hn::LoadU(d8, r + 3 * stride + j), m)));
        }
        out[i] = hn::GetLane(hn::SumOfLanes(d64, a0));
        out[i + 1] = hn::GetLane(hn::SumOfLanes(d64, a1));
        out[i + 2] = hn::GetLane(hn::SumOfLanes(d64, a2));
        out[i + 3] = hn::GetLane(hn::SumOfLanes(d64, a3));
    }
    for (; i < nrows; ++i) {
        auto a = hn::Zero(d64);
        for (size_t j = 0; j < len; j += N)
            a = hn::Add(a, hn::SumsOf8(hn::And(hn::LoadU(d8, rows + i * stride + j), hn::LoadU(d8, sel + j))));
        out[i] = hn::GetLane(hn::SumOfLanes(d64, a));
    }
}

// One stream: four rows interleaved by 64 bytes (see field_kernels.h).
void SelectedRowSumsU8x4(const uint8_t* HWY_RESTRICT blocks, size_t stride, size_t len, size_t ngroups,
                         const uint8_t* HWY_RESTRICT sel, uint64_t* HWY_RESTRICT out) {
    const hn::CappedTag<uint8_t, 64> d8;
    const hn::Repartition<uint64_t, decltype(d8)> d64;
    const size_t N = hn::Lanes(d8);
    for (size_t g = 0; g < ngroups; ++g) {
        const uint8_t* b = blocks + g * 4 * stride;
        auto a0 = hn::Zero(d64), a1 = hn::Zero(d64), a2 = hn::Zero(d64), a3 = hn::Zero(d64);
        for (size_t c = 0; c < len; c += 64)
            for (size_t j = 0; j < 64; j += N) {
                const auto m = hn::LoadU(d8, sel + c + j);
                const uint8_t* p = b + 4 * c + j;
                a0 = hn::Add(a0, hn::SumsOf8(hn::And(hn::LoadU(d8, p), m)));
                a1 = hn::Add(a1, hn::SumsOf8(hn::And(hn::LoadU(d8, p + 64), m)));
                a2 = hn::Add(a2, hn::SumsOf8(hn::And(hn::LoadU(d8, p + 128), m)));
                a3 = hn::Add(a3, hn::SumsOf8(hn::And(hn::LoadU(d8, p + 192), m)));
            }
        out[4 * g] = hn::GetLane(hn::SumOfLanes(d64, a0));
        out[4 * g + 1] = hn::GetLane(hn::SumOfLanes(d64, a1));
        out[4 * g + 2] = hn::GetLane(hn::SumOfLanes(d64, a2));
        out[4 * g + 3] = hn::GetLane(hn::SumOfLanes(d64, a3));
    }
}

int64_t DotI16(const int16_t* HWY_RESTRICT w, const int8_t* HWY_RESTRICT s, size_t len) {
    const hn::ScalableTag<int32_t> d32;
    const hn::Rebind<int16_t, decltype(d32)> d16;
    const hn::Rebind<int8_t, decltype(d32)> d8;
    const size_t N = hn::Lanes(d32);
    // |w * s| <= 2^15 and a row is at most 16384 long: int32 lanes cannot overflow.
    auto acc = hn::Zero(d32);
    for (size_t j = 0; j < len; j += N)
        acc = hn::Add(acc, hn::Mul(hn::PromoteTo(d32, hn::LoadU(d16, w + j)), hn::PromoteTo(d32, hn::LoadU(d8, s + j))));
    return hn::GetLane(hn::SumOfLanes(d32, acc));
}

template <class T>
void AddColumnTwice(int32_t* HWY_RESTRICT h, const T* HWY_RESTRICT c, int8_t sign, size_t len) {
    const hn::ScalableTag<int32_t> d32;
    const hn::Rebind<T, decltype(d32)> dt;
    const size_t N = hn::Lanes(d32);
    for (size_t j = 0; j < len; j += N) {
        const auto v = hn::PromoteTo(d32, hn::LoadU(dt, c + j));
        const auto twice = hn::Add(v, v);
        const auto hv = hn::LoadU(d32, h + j);
        hn::StoreU(sign > 0 ? hn::Add(hv, twice) : hn::Sub(hv, twice), d32, h + j);
    }
}

void AddColumnTwiceI8(int32_t* HWY_RESTRICT h, const int8_t* HWY_RESTRICT c, int8_t sign, size_t len) {
    AddColumnTwice(h, c, sign, len);
}
void AddColumnTwiceI16(int32_t* HWY_RESTRICT h, const int16_t* HWY_RESTRICT c, int8_t sign, size_t len) {
    AddColumnTwice(h, c, sign, len);
}

void SumColumnsI8(int16_t* HWY_RESTRICT acc, const int8_t* HWY_RESTRICT cols, size_t stride,
                  const uint32_t* HWY_RESTRICT add, size_t na, const uint32_t* HWY_RESTRICT sub, size_t ns,
                  size_t len) {
    const hn::ScalableTag<int16_t> d16;
    const hn::Rebind<int8_t, decltype(d16)> d8;
    const size_t N = hn::Lanes(d16);
    const auto add_op = [](auto a, auto b) { return hn::Add(a, b); };
    const auto sub_op = [](auto a, auto b) { return hn::Sub(a, b); };
    // Blocks of 4N fields, every column through each: four independent sums
    // per column (no long add chain) over one contiguous piece of it.
    size_t r = 0;
    for (; r + 4 * N <= len; r += 4 * N) {
        auto a0 = hn::Zero(d16), a1 = hn::Zero(d16), a2 = hn::Zero(d16), a3 = hn::Zero(d16);
        const auto through = [&](const uint32_t* ks, size_t nk, auto op) {
            for (size_t k = 0; k < nk; ++k) {
                const int8_t* c = cols + ks[k] * stride + r;
                a0 = op(a0, hn::PromoteTo(d16, hn::LoadU(d8, c)));
                a1 = op(a1, hn::PromoteTo(d16, hn::LoadU(d8, c + N)));
                a2 = op(a2, hn::PromoteTo(d16, hn::LoadU(d8, c + 2 * N)));
                a3 = op(a3, hn::PromoteTo(d16, hn::LoadU(d8, c + 3 * N)));
            }
        };
        through(add, na, add_op);
        through(sub, ns, sub_op);
        hn::StoreU(a0, d16, acc + r);
        hn::StoreU(a1, d16, acc + r + N);
        hn::StoreU(a2, d16, acc + r + 2 * N);
        hn::StoreU(a3, d16, acc + r + 3 * N);
    }
    for (; r < len; r += N) {
        auto a = hn::Zero(d16);
        for (size_t k = 0; k < na; ++k) a = add_op(a, hn::PromoteTo(d16, hn::LoadU(d8, cols + add[k] * stride + r)));
        for (size_t k = 0; k < ns; ++k) a = sub_op(a, hn::PromoteTo(d16, hn::LoadU(d8, cols + sub[k] * stride + r)));
        hn::StoreU(a, d16, acc + r);
    }
}

void AddTwiceI16(int32_t* HWY_RESTRICT h, const int16_t* HWY_RESTRICT acc, size_t len) {
    const hn::ScalableTag<int32_t> d32;
    const hn::Rebind<int16_t, decltype(d32)> d16;
    const size_t N = hn::Lanes(d32);
    for (size_t r = 0; r < len; r += N) {
        const auto v = hn::PromoteTo(d32, hn::LoadU(d16, acc + r));
        hn::StoreU(hn::Add(hn::LoadU(d32, h + r), hn::Add(v, v)), d32, h + r);
    }
}

// The float twin's kernels (see field_kernels.h): four row groups at a time,
// so four independent add chains hide the add latency. A vector holds 16/N
// of a group's 16-float chunk; each vector slot is one pass.
template <bool kMixed, class T>
void RowsDotF32x4Impl(const T* HWY_RESTRICT w, size_t gstride, size_t ng, size_t nchunks,
                      const float* HWY_RESTRICT sn, const float* HWY_RESTRICT so, const int32_t* HWY_RESTRICT pos,
                      const int32_t* HWY_RESTRICT rowpos, float* HWY_RESTRICT lanes) {
#if HWY_TARGET == HWY_SCALAR
    for (size_t g = 0; g < ng; ++g)
        for (size_t q = 0; q < 4; ++q)
            for (size_t k = 0; k < 4; ++k) {
                float a = 0;
                for (size_t c = 0; c < nchunks; ++c) {
                    const size_t j = 4 * c + k;
                    const float sj = !kMixed || pos[j] < rowpos[4 * g + q] ? sn[j] : so[j];
                    a += static_cast<float>(w[g * gstride + 16 * c + 4 * q + k]) * sj;
                }
                lanes[16 * g + 4 * q + k] = a;
            }
#else
    const hn::CappedTag<float, 16> d;
    const hn::RebindToSigned<decltype(d)> di;
    const hn::Rebind<int8_t, decltype(d)> d8;
    const size_t N = hn::Lanes(d);
    // int8 weights (stored so when that is lossless) become floats exactly.
    const auto load = [&](const T* p) {
        if constexpr (std::is_same_v<T, float>) return hn::LoadU(d, p);
        else return hn::ConvertTo(d, hn::PromoteTo(di, hn::LoadU(d8, p)));
    };
    HWY_ALIGN int32_t rp[4][16];
    const auto state = [&](size_t c, const int32_t* rpv) {
        if constexpr (!kMixed) {
            (void)rpv;
            return hn::LoadDup128(d, sn + 4 * c);
        } else {
            const auto before = hn::Lt(hn::LoadDup128(di, pos + 4 * c), hn::LoadU(di, rpv));
            return hn::IfThenElse(hn::RebindMask(d, before), hn::LoadDup128(d, sn + 4 * c), hn::LoadDup128(d, so + 4 * c));
        }
    };
    size_t g = 0;
    for (; g < ng; g += 4) {
        const size_t m = ng - g < 4 ? ng - g : 4;  // groups in this pass
        if constexpr (kMixed)
            for (size_t x = 0; x < 4; ++x)
                for (size_t l = 0; l < 16; ++l) rp[x][l] = rowpos[4 * (g + (x < m ? x : 0)) + l / 4];
        const T* w0 = w + g * gstride;
        const T* w1 = w0 + (m > 1 ? gstride : 0);
        const T* w2 = w0 + (m > 2 ? 2 * gstride : 0);
        const T* w3 = w0 + (m > 3 ? 3 * gstride : 0);
        for (size_t v = 0; v < 16; v += N) {
            auto a0 = hn::Zero(d), a1 = hn::Zero(d), a2 = hn::Zero(d), a3 = hn::Zero(d);
            if (m == 4 && !kMixed) {
                for (size_t c = 0; c < nchunks; ++c) {
                    const auto s = state(c, nullptr);
                    const size_t o = 16 * c + v;
                    a0 = hn::Add(a0, hn::Mul(load(w0 + o), s));
                    a1 = hn::Add(a1, hn::Mul(load(w1 + o), s));
                    a2 = hn::Add(a2, hn::Mul(load(w2 + o), s));
                    a3 = hn::Add(a3, hn::Mul(load(w3 + o), s));
                }
            } else {
                for (size_t c = 0; c < nchunks; ++c) {
                    const size_t o = 16 * c + v;
                    a0 = hn::Add(a0, hn::Mul(load(w0 + o), state(c, rp[0] + v)));
                    a1 = hn::Add(a1, hn::Mul(load(w1 + o), state(c, rp[1] + v)));
                    a2 = hn::Add(a2, hn::Mul(load(w2 + o), state(c, rp[2] + v)));
                    a3 = hn::Add(a3, hn::Mul(load(w3 + o), state(c, rp[3] + v)));
                }
            }
            hn::StoreU(a0, d, lanes + 16 * g + v);
            if (m > 1) hn::StoreU(a1, d, lanes + 16 * (g + 1) + v);
            if (m > 2) hn::StoreU(a2, d, lanes + 16 * (g + 2) + v);
            if (m > 3) hn::StoreU(a3, d, lanes + 16 * (g + 3) + v);
        }
    }
#endif
}

void RowsDotF32x4(const float* HWY_RESTRICT w, size_t gstride, size_t ng, size_t nchunks, const float* HWY_RESTRICT s,
                  float* HWY_RESTRICT lanes) {
    RowsDotF32x4Impl<false>(w, gstride, ng, nchunks, s, s, nullptr, nullptr, lanes);
}
void RowsDotF32x4Mixed(const float* HWY_RESTRICT w, size_t gstride, size_t ng, size_t nchunks,
                       const float* HWY_RESTRICT sn, const float* HWY_RESTRICT so, const int32_t* HWY_RESTRICT pos,
                       const int32_t* HWY_RESTRICT rowpos, float* HWY_RESTRICT lanes) {
    RowsDotF32x4Impl<true>(w, gstride, ng, nchunks, sn, so, pos, rowpos, lanes);
}
void RowsDotI8x4(const int8_t* HWY_RESTRICT w, size_t gstride, size_t ng, size_t nchunks, const float* HWY_RESTRICT s,
                 float* HWY_RESTRICT lanes) {
    RowsDotF32x4Impl<false>(w, gstride, ng, nchunks, s, s, nullptr, nullptr, lanes);
}
void RowsDotI8x4Mixed(const int8_t* HWY_RESTRICT w, size_t gstride, size_t ng, size_t nchunks,
                      const float* HWY_RESTRICT sn, const float* HWY_RESTRICT so, const int32_t* HWY_RESTRICT pos,
                      const int32_t* HWY_RESTRICT rowpos, float* HWY_RESTRICT lanes) {
    RowsDotF32x4Impl<true>(w, gstride, ng, nchunks, sn, so, pos, rowpos, lanes);
}

template <class T>
void AddColumnTwiceToDouble(double* HWY_RESTRICT h, const T* HWY_RESTRICT c, int8_t sign, size_t len) {
    size_t r = 0;
#if HWY_TARGET != HWY_SCALAR
    const hn::ScalableTag<double> d64;
    const hn::Rebind<float, decltype(d64)> d32;
    const hn::Rebind<int32_t, decltype(d64)> di;
    const hn::Rebind<int8_t, decltype(d64)> d8;
    const size_t N = hn::Lanes(d64);
    for (; r + N <= len; r += N) {
        hn::Vec<decltype(d64)> v;
        if constexpr (std::is_same_v<T, float>) v = hn::PromoteTo(d64, hn::LoadU(d32, c + r));
        else v = hn::PromoteTo(d64, hn::PromoteTo(di, hn::LoadU(d8, c + r)));
        const auto hv = hn::LoadU(d64, h + r);
        hn::StoreU(sign > 0 ? hn::Add(hv, hn::Add(v, v)) : hn::Sub(hv, hn::Add(v, v)), d64, h + r);
    }
#endif
    for (; r < len; ++r) h[r] += 2.0 * sign * static_cast<double>(c[r]);
}
void AddColumnTwiceF32(double* HWY_RESTRICT h, const float* HWY_RESTRICT c, int8_t sign, size_t len) {
    AddColumnTwiceToDouble(h, c, sign, len);
}
void AddColumnTwiceI8D(double* HWY_RESTRICT h, const int8_t* HWY_RESTRICT c, int8_t sign, size_t len) {
    AddColumnTwiceToDouble(h, c, sign, len);
}

uint64_t SumBytes(const uint8_t* HWY_RESTRICT p, size_t len) {
    const hn::ScalableTag<uint8_t> d8;
    const hn::Repartition<uint64_t, decltype(d8)> d64;
    const size_t N = hn::Lanes(d8);
    auto acc = hn::Zero(d64);
    for (size_t j = 0; j < len; j += N) acc = hn::Add(acc, hn::SumsOf8(hn::LoadU(d8, p + j)));
    return hn::GetLane(hn::SumOfLanes(d64, acc));
}

}  // namespace HWY_NAMESPACE
}  // namespace mind1024::engine::kernels
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace mind1024::engine::kernels {

HWY_EXPORT(SelectedRowSumsU8);
HWY_EXPORT(DotI16);
HWY_EXPORT(SelectedRowSumsU8x4);
HWY_EXPORT(AddColumnTwiceI8);
HWY_EXPORT(AddColumnTwiceI16);
HWY_EXPORT(SumBytes);
HWY_EXPORT(SumColumnsI8);
HWY_EXPORT(AddTwiceI16);
HWY_EXPORT(RowsDotF32x4);
HWY_EXPORT(RowsDotF32x4Mixed);
HWY_EXPORT(AddColumnTwiceF32);
HWY_EXPORT(RowsDotI8x4);
HWY_EXPORT(RowsDotI8x4Mixed);
HWY_EXPORT(AddColumnTwiceI8D);

void selected_row_sums_u8(const uint8_t* rows, size_t stride, size_t nrows, const uint8_t* sel, size_t len,
                          uint64_t* out) {
    HWY_DYNAMIC_DISPATCH(SelectedRowSumsU8)(rows, stride, nrows, sel, len, out);
}
void selected_row_sums_u8x4(const uint8_t* blocks, size_t stride, size_t len, size_t ngroups, const uint8_t* sel,
                            uint64_t* out) {
    HWY_DYNAMIC_DISPATCH(SelectedRowSumsU8x4)(blocks, stride, len, ngroups, sel, out);
}
int64_t dot_i16(const int16_t* w, const int8_t* s, size_t len) { return HWY_DYNAMIC_DISPATCH(DotI16)(w, s, len); }
void add_column_twice_i8(int32_t* h, const int8_t* c, int8_t sign, size_t len) {
    HWY_DYNAMIC_DISPATCH(AddColumnTwiceI8)(h, c, sign, len);
}
void add_column_twice_i16(int32_t* h, const int16_t* c, int8_t sign, size_t len) {
    HWY_DYNAMIC_DISPATCH(AddColumnTwiceI16)(h, c, sign, len);
}
void sum_columns_i8(int16_t* acc, const int8_t* cols, size_t stride, const uint32_t* add, size_t na,
                    const uint32_t* sub, size_t ns, size_t len) {
    HWY_DYNAMIC_DISPATCH(SumColumnsI8)(acc, cols, stride, add, na, sub, ns, len);
}
void add_twice_i16(int32_t* h, const int16_t* acc, size_t len) { HWY_DYNAMIC_DISPATCH(AddTwiceI16)(h, acc, len); }
void rows_dot_f32x4(const float* blocks, size_t gstride, size_t ng, size_t nchunks, const float* s, float* lanes) {
    HWY_DYNAMIC_DISPATCH(RowsDotF32x4)(blocks, gstride, ng, nchunks, s, lanes);
}
void rows_dot_f32x4_mixed(const float* blocks, size_t gstride, size_t ng, size_t nchunks, const float* s_new,
                          const float* s_old, const int32_t* pos, const int32_t* rowpos, float* lanes) {
    HWY_DYNAMIC_DISPATCH(RowsDotF32x4Mixed)(blocks, gstride, ng, nchunks, s_new, s_old, pos, rowpos, lanes);
}
void add_column_twice_f32(double* h, const float* c, int8_t sign, size_t len) {
    HWY_DYNAMIC_DISPATCH(AddColumnTwiceF32)(h, c, sign, len);
}
void rows_dot_f32x4(const int8_t* blocks, size_t gstride, size_t ng, size_t nchunks, const float* s, float* lanes) {
    HWY_DYNAMIC_DISPATCH(RowsDotI8x4)(blocks, gstride, ng, nchunks, s, lanes);
}
void rows_dot_f32x4_mixed(const int8_t* blocks, size_t gstride, size_t ng, size_t nchunks, const float* s_new,
                          const float* s_old, const int32_t* pos, const int32_t* rowpos, float* lanes) {
    HWY_DYNAMIC_DISPATCH(RowsDotI8x4Mixed)(blocks, gstride, ng, nchunks, s_new, s_old, pos, rowpos, lanes);
}
void add_column_twice_f32(double* h, const int8_t* c, int8_t sign, size_t len) {
    HWY_DYNAMIC_DISPATCH(AddColumnTwiceI8D)(h, c, sign, len);
}
uint64_t sum_bytes(const uint8_t* p, size_t len) { return HWY_DYNAMIC_DISPATCH(SumBytes)(p, len); }

}  // namespace mind1024::engine::kernels
#endif
