// MODE register: update order, overflow mode, noise (contract section 2).
// Shared by the reference model, the run engine and the host.
#pragma once
#include <cstdint>

namespace mind1024 {

enum class Order : uint32_t { Sync = 0, AsyncSeq = 1, AsyncPerm = 2 };

struct Mode {
    Order order = Order::Sync;
    bool wrap = false;      // OVF_WRAP: wrap instead of saturate
    bool noise = false;     // NOISE_EN
    uint32_t to_register() const;
    static Mode from_register(uint32_t v);
};

// "sync", "async", "perm": the name every output gives an order.
const char* order_name(Order o);

}  // namespace mind1024
