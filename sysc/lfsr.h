// The chip's 32-bit Galois LFSR (contract section 1, "Noise").
#pragma once
#include <cstdint>

namespace mind1024 {

class Lfsr {
public:
    static constexpr uint32_t kTaps = 0x80200003u;

    explicit Lfsr(uint32_t seed = 1) : s_(1) { load(seed); }
    void load(uint32_t seed) { s_ = force(seed ? seed : 1u); }  // 0 would lock the register
    // Stuck bits (fault injection): forced at every load and after every step.
    void set_stuck(uint32_t stuck0, uint32_t stuck1) {
        keep_ = ~stuck0;
        set_ = stuck1;
        s_ = force(s_);
    }
    uint32_t state() const { return s_; }

    void step() {
        const uint32_t lsb = s_ & 1u;
        s_ >>= 1;
        if (lsb) s_ ^= kTaps;
        s_ = force(s_);
    }
    void step(unsigned times) {
        for (unsigned k = 0; k < times; ++k) step();
    }
    // 16 steps, then the low 16 bits as a signed value.
    int16_t draw16() {
        step(16);
        return static_cast<int16_t>(static_cast<uint16_t>(s_ & 0xFFFFu));
    }
    // 32 steps, then the whole register (used by the ASYNC_PERM shuffle).
    uint32_t draw32() {
        step(32);
        return s_;
    }

private:
    uint32_t force(uint32_t s) const { return (s & keep_) | set_; }
    uint32_t s_, keep_ = ~0u, set_ = 0;
};

}  // namespace mind1024
