// The chip's fixed-point arithmetic, in one place: weight storage, accumulator
// saturate/wrap with overflow counting, the noise term and the decision rule.
// The reference model, the SystemC pipeline and the RTL tests all call these.
#pragma once
#include <cstdint>

namespace mind1024::fx {

constexpr int64_t range_min(unsigned bits) { return -(int64_t{1} << (bits - 1)); }
constexpr int64_t range_max(unsigned bits) { return (int64_t{1} << (bits - 1)) - 1; }

// Keep the low `bits` bits of v and sign-extend them (two's complement storage).
constexpr int64_t sign_extend(uint64_t v, unsigned bits) {
    const uint64_t mask = bits >= 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1;
    const uint64_t low = v & mask;
    const uint64_t sign = uint64_t{1} << (bits - 1);
    return static_cast<int64_t>((low ^ sign) - sign);
}

// What the synapse array holds after a write of v: the low WBITS bits.
constexpr int16_t store_weight(int64_t v, unsigned wbits) {
    return static_cast<int16_t>(sign_extend(static_cast<uint64_t>(v), wbits));
}
// What a threshold register holds after a write of v: the low ABITS bits.
constexpr int32_t store_threshold(int64_t v, unsigned abits) {
    return static_cast<int32_t>(sign_extend(static_cast<uint64_t>(v), abits));
}

// Bring an exact sum back to `bits`: saturate (default) or wrap. Sets *overflowed.
constexpr int64_t to_width(int64_t v, unsigned bits, bool wrap, bool* overflowed) {
    const int64_t lo = range_min(bits), hi = range_max(bits);
    *overflowed = v < lo || v > hi;
    if (!*overflowed) return v;
    if (wrap) return sign_extend(static_cast<uint64_t>(v), bits);
    return v < lo ? lo : hi;
}

struct Field {
    int32_t h = 0;           // accumulator after the last group
    uint32_t overflows = 0;  // additions that left the ABITS range
};

// Can a row of n weights of wbits ever overflow an abits accumulator?
constexpr bool overflow_possible(uint32_t n, unsigned wbits, unsigned abits) {
    return static_cast<int64_t>(n) * (int64_t{1} << (wbits - 1)) > range_max(abits);
}

// Field of one neuron: columns 0..n-1 of `row`, summed `lanes` at a time, the
// accumulator brought back to abits after each group (contract: "Field").
inline Field neuron_field(const int16_t* row, const int8_t* sigma, uint32_t n, uint32_t lanes,
                          unsigned wbits, unsigned abits, bool wrap) {
    Field f;
    if (!overflow_possible(n, wbits, abits)) {
        // No partial sum can leave the range, so a plain dot product is exact.
        int32_t acc = 0;
        for (uint32_t j = 0; j < n; ++j) acc += row[j] * sigma[j];
        f.h = acc;
        return f;
    }
    int64_t acc = 0;
    for (uint32_t c = 0; c < n; c += lanes) {
        const uint32_t end = c + lanes < n ? c + lanes : n;
        int64_t group = 0;
        for (uint32_t j = c; j < end; ++j) group += row[j] * sigma[j];
        bool ovf = false;
        acc = to_width(acc + group, abits, wrap, &ovf);
        f.overflows += ovf;
    }
    f.h = static_cast<int32_t>(acc);
    return f;
}

// Noise term from a 16-bit draw r: (r * TEMP) >> 15, arithmetic (toward -inf).
constexpr int64_t noise_eta(int16_t r, uint32_t temp) {
    const int64_t p = static_cast<int64_t>(r) * static_cast<int64_t>(temp);
    return p >= 0 ? p >> 15 : -((-p + 32767) >> 15);
}

// Decision: +1 if h - theta + eta > 0, -1 if < 0, unchanged on a tie. Exact.
constexpr int8_t decide(int32_t h, int32_t theta, int64_t eta, int8_t current) {
    const int64_t d = static_cast<int64_t>(h) - theta + eta;
    // The sign as arithmetic, not branches: fields are data and mispredict.
    const int8_t sign = static_cast<int8_t>((d > 0) - (d < 0));
    return sign != 0 ? sign : current;
}

// HEBB on one weight: w + s_i*s_j, saturated to wbits. Sets *saturated.
constexpr int16_t hebb_update(int16_t w, int8_t si, int8_t sj, unsigned wbits, bool* saturated) {
    return static_cast<int16_t>(to_width(int64_t{w} + si * sj, wbits, false, saturated));
}

}  // namespace mind1024::fx
