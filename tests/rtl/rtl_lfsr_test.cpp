// rtl/lfsr32.v against mind1024::Lfsr (sysc/lfsr.h) and fx::noise_eta: load
// (0 -> 1), single steps, 16-step draws, 32-step draws, r and eta, over many
// seeds and temperatures.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>

#include "Vlfsr32.h"
#include "sysc/fixed_point.h"
#include "sysc/lfsr.h"

namespace {

struct Lfsr32 {
    VerilatedContext ctx;
    Vlfsr32 m{&ctx, "lfsr32"};
    Lfsr32() {
        m.clk = 0;
        m.rst = 1;
        m.load = 0;
        m.op = 0;
        m.eval();
        tick();
        m.rst = 0;
    }
    ~Lfsr32() { m.final(); }
    void tick() {
        m.clk = 1;
        m.eval();
        m.clk = 0;
        m.eval();
    }
    void load(uint32_t seed) {
        m.load = 1;
        m.seed = seed;
        tick();
        m.load = 0;
    }
    void op(unsigned o) {
        m.op = o;
        tick();
        m.op = 0;
    }
    int64_t eta() const {
        const uint64_t v = m.eta & ((uint64_t{1} << 33) - 1);
        return static_cast<int64_t>(v << 31) >> 31;  // sign-extend 33 bits
    }
};

TEST(Lfsr32, ResetIsOne) {
    Lfsr32 u;
    EXPECT_EQ(u.m.state, 1u);
}

TEST(Lfsr32, SingleStepsMatchModel) {
    Lfsr32 u;
    for (uint32_t seed : {0u, 1u, 2u, 0x80000000u, 0xFFFFFFFFu, 0xDEADBEEFu, 0x80200003u}) {
        u.load(seed);
        mind1024::Lfsr ref(seed);
        ASSERT_EQ(u.m.state, ref.state()) << "load " << seed;
        for (int k = 0; k < 100000; ++k) {
            u.op(1);
            ref.step();
            ASSERT_EQ(u.m.state, ref.state()) << "seed " << seed << " step " << k;
        }
    }
}

TEST(Lfsr32, RandomOpsSeedsAndEta) {
    Lfsr32 u;
    std::mt19937_64 rng(42);
    uint64_t checked = 0;
    for (int s = 0; s < 2000; ++s) {
        const uint32_t seed = s < 4 ? static_cast<uint32_t>(s) : static_cast<uint32_t>(rng());
        u.load(seed);
        mind1024::Lfsr ref(seed);
        for (int k = 0; k < 500; ++k) {
            const unsigned o = static_cast<unsigned>(rng() % 4);
            int16_t r = 0;
            switch (o) {
                case 1: ref.step(); break;
                case 2: r = ref.draw16(); break;
                case 3: ref.draw32(); break;
                default: break;
            }
            u.op(o);
            ASSERT_EQ(u.m.state, ref.state()) << "seed " << seed << " op " << o << " at " << k;
            if (o == 2) {
                ASSERT_EQ(static_cast<int16_t>(u.m.r), r);
            }
            const uint32_t temp = rng() % 3 == 0 ? static_cast<uint32_t>(rng()) : static_cast<uint32_t>(rng() % 4096);
            u.m.temp = temp;
            u.m.eval();
            const int16_t rr = static_cast<int16_t>(ref.state() & 0xFFFF);
            ASSERT_EQ(u.eta(), mind1024::fx::noise_eta(rr, temp)) << "r " << rr << " temp " << temp;
            ++checked;
        }
    }
    EXPECT_EQ(checked, 1000000u);
}

TEST(Lfsr32, EtaExtremes) {
    Lfsr32 u;
    for (uint32_t seed : {0x8000u, 0x7FFFu, 0xFFFFu, 0x0001u, 0x0000FFFEu, 0x12348000u}) {
        for (uint32_t temp : {0u, 1u, 32767u, 32768u, 65535u, 0x7FFFFFFFu, 0x80000000u, 0xFFFFFFFFu}) {
            u.load(seed);
            u.m.temp = temp;
            u.m.eval();
            const int16_t r = static_cast<int16_t>(mind1024::Lfsr(seed).state() & 0xFFFF);
            EXPECT_EQ(u.eta(), mind1024::fx::noise_eta(r, temp)) << "r " << r << " temp " << temp;
        }
    }
}

}  // namespace
