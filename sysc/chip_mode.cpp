#include "sysc/chip_mode.h"

#include "mind1024_regs.h"

namespace mind1024 {

// The bit positions are the register map's (mind1024_regs.json).
uint32_t Mode::to_register() const {
    return ((static_cast<uint32_t>(order) << MIND_MODE_ORDER_SHIFT) & MIND_MODE_ORDER_MASK) |
           (wrap ? MIND_MODE_OVF_WRAP : 0u) | (noise ? MIND_MODE_NOISE_EN : 0u);
}

Mode Mode::from_register(uint32_t v) {
    Mode m;
    // ORDER 3 is reserved: validated when a run starts.
    m.order = static_cast<Order>((v & MIND_MODE_ORDER_MASK) >> MIND_MODE_ORDER_SHIFT);
    m.wrap = (v & MIND_MODE_OVF_WRAP) != 0;
    m.noise = (v & MIND_MODE_NOISE_EN) != 0;
    return m;
}

const char* order_name(Order o) {
    switch (o) {
        case Order::Sync: return "sync";
        case Order::AsyncSeq: return "async";
        case Order::AsyncPerm: return "perm";
    }
    return "?";
}

}  // namespace mind1024
