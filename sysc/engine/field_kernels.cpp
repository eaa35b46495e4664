// Highway's foreach_target compiles this file once per SIMD target; the
// HWY_ONCE part exports the dispatchers (see field_kernels.h).
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "engine/field_kernels.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

#include "engine/field_kernels.h"

HWY_BEFORE_NAMESPACE();
namespace mind1024::engine::kernels {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

void SplitSumsI8(const int8_t* HWY_RESTRICT w, const uint8_t* HWY_RESTRICT plus, const uint8_t* HWY_RESTRICT minus,
                 size_t len, uint64_t* sum_plus, uint64_t* sum_minus) {
    const hn::ScalableTag<uint8_t> d8;
    const hn::Repartition<uint64_t, decltype(d8)> d64;
    const size_t N = hn::Lanes(d8);
    const auto bias = hn::Set(d8, 0x80);
    auto sp = hn::Zero(d64), sm = hn::Zero(d64);
    const uint8_t* wu = reinterpret_cast<const uint8_t*>(w);
    for (size_t j = 0; j < len; j += N) {
        const auto v = hn::Xor(hn::LoadU(d8, wu + j), bias);  // w + 128, as unsigned
        sp = hn::Add(sp, hn::SumsOf8(hn::And(v, hn::LoadU(d8, plus + j))));
        sm = hn::Add(sm, hn::SumsOf8(hn::And(v, hn::LoadU(d8, minus + j))));
    }
    *sum_plus = hn::GetLane(hn::SumOfLanes(d64, sp));
    *sum_minus = hn::GetLane(hn::SumOfLanes(d64, sm));
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

HWY_EXPORT(SplitSumsI8);
HWY_EXPORT(DotI16);
HWY_EXPORT(AddColumnTwiceI8);
HWY_EXPORT(AddColumnTwiceI16);
HWY_EXPORT(SumBytes);

void split_sums_i8(const int8_t* w, const uint8_t* plus, const uint8_t* minus, size_t len, uint64_t* sum_plus,
                   uint64_t* sum_minus) {
    HWY_DYNAMIC_DISPATCH(SplitSumsI8)(w, plus, minus, len, sum_plus, sum_minus);
}
int64_t dot_i16(const int16_t* w, const int8_t* s, size_t len) { return HWY_DYNAMIC_DISPATCH(DotI16)(w, s, len); }
void add_column_twice_i8(int32_t* h, const int8_t* c, int8_t sign, size_t len) {
    HWY_DYNAMIC_DISPATCH(AddColumnTwiceI8)(h, c, sign, len);
}
void add_column_twice_i16(int32_t* h, const int16_t* c, int8_t sign, size_t len) {
    HWY_DYNAMIC_DISPATCH(AddColumnTwiceI16)(h, c, sign, len);
}
uint64_t sum_bytes(const uint8_t* p, size_t len) { return HWY_DYNAMIC_DISPATCH(SumBytes)(p, len); }

}  // namespace mind1024::engine::kernels
#endif
