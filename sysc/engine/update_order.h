// The order of a sweep's updates (contract section 1, "Update orders"):
// identity, or for ASYNC_PERM a Fisher-Yates shuffle drawn from the LFSR
// before the sweep's noise draws.
#pragma once
#include <cstdint>
#include <utility>
#include <vector>

#include "sysc/chip_mode.h"
#include "sysc/lfsr.h"

namespace mind1024::engine {

inline void draw_update_order(Order order, uint32_t n, Lfsr& lfsr, std::vector<uint32_t>& out) {
    out.resize(n);
    for (uint32_t k = 0; k < n; ++k) out[k] = k;
    if (order != Order::AsyncPerm) return;
    for (uint32_t k = n - 1; k >= 1; --k) std::swap(out[k], out[lfsr.draw32() % (k + 1)]);
}

}  // namespace mind1024::engine
