// Transport: how the host reaches a board's bus. The in-process transport
// links the SystemC chip; a socket or firmware transport can be added under
// the same interface without changing Board or its callers.
#pragma once
#include <cstdint>
#include <string>

#include "chip_params.h"

namespace mind1024::host {

class Transport {
public:
    virtual ~Transport() = default;
    // Chip-relative addresses: registers at 0, synapse window at MIND_SYN_WINDOW_OFFSET.
    // Throw BusError on an error response.
    virtual uint32_t read32(uint64_t addr) = 0;
    virtual void write32(uint64_t addr, uint32_t v) = 0;
    virtual void read_block(uint64_t addr, void* dst, uint32_t bytes) = 0;
    virtual void write_block(uint64_t addr, const void* src, uint32_t bytes) = 0;
    // Let the board run until the chip's engine is idle.
    virtual void wait_idle() = 0;
    // Simulated (or real) board time in seconds.
    virtual double now_seconds() const = 0;
    virtual std::string name() const = 0;
};

}  // namespace mind1024::host
