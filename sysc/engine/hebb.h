// HEBB (contract section 1): J[i][j] += s_i * s_j for i != j < n, saturating
// at the WBITS range. Returns the weights that saturated (overflow events).
#pragma once
#include <cstddef>
#include <cstdint>

#include "sysc/fixed_point.h"

namespace mind1024::engine {

inline uint32_t hebb(int16_t* w, size_t stride, uint32_t n, const int8_t* sigma, unsigned wbits) {
    uint32_t saturated = 0;
    for (uint32_t i = 0; i < n; ++i) {
        int16_t* r = w + i * stride;
        for (uint32_t j = 0; j < n; ++j) {
            if (i == j) continue;
            bool sat = false;
            r[j] = fx::hebb_update(r[j], sigma[i], sigma[j], wbits, &sat);
            saturated += sat;
        }
    }
    return saturated;
}

}  // namespace mind1024::engine
