// Bit-exact check of one Verilated build of rtl/neuron_unit.v against the
// reference arithmetic (sysc/fixed_point.h): field h, overflow count, overflow
// flag and new state, for random and corner-case neuron updates.
// Compiled once per build with NU_CLASS, NU_HEADER, NU_WBITS, NU_ABITS, NU_LANES.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <string>
#include <vector>

#include NU_HEADER
#include "sysc/fixed_point.h"
#include "rtl/neuron_unit_driver.h"

namespace {

using mind1024::rtl::NeuronUnitDriver;
using mind1024::rtl::UnitResult;
namespace fx = mind1024::fx;

using Model = NU_CLASS;
constexpr unsigned W = NU_WBITS, A = NU_ABITS, L = NU_LANES;
constexpr int64_t WMIN = fx::range_min(W), WMAX = fx::range_max(W);
constexpr int64_t AMIN = fx::range_min(A), AMAX = fx::range_max(A);
constexpr int64_t ETA_MIN = -(int64_t{1} << 32), ETA_MAX = (int64_t{1} << 32) - 1;  // 33-bit eta

// xoshiro256** : fast and good enough for test vectors.
struct Rng {
    uint64_t s[4];
    explicit Rng(uint64_t seed) {
        for (auto& x : s) {  // splitmix64 seeding
            seed += 0x9E3779B97F4A7C15ull;
            uint64_t z = seed;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
            x = z ^ (z >> 31);
        }
    }
    static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
    uint64_t operator()() {
        const uint64_t r = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = rotl(s[3], 45);
        return r;
    }
    uint32_t below(uint32_t n) { return static_cast<uint32_t>(((*this)() >> 32) * n >> 32); }
    int64_t in(int64_t lo, int64_t hi) {  // inclusive
        return lo + static_cast<int64_t>((*this)() % static_cast<uint64_t>(hi - lo + 1));
    }
    double uniform() { return static_cast<double>((*this)() >> 11) * 0x1.0p-53; }
};

// One neuron update: the row has n + L entries, the tail being junk that the
// unit must ignore (lanes at or above in_count).
struct Vec {
    std::vector<int16_t> w;
    std::vector<int8_t> s;
    uint32_t n = 1;
    bool wrap = false;
    int32_t theta = 0;
    int64_t eta = 0;
    int8_t state = -1;
};

struct Expected {
    fx::Field f;
    int8_t state;
    uint32_t n;
    bool wrap;
    uint64_t id;
};

Expected reference(const Vec& v, uint64_t id) {
    Expected e;
    e.f = fx::neuron_field(v.w.data(), v.s.data(), v.n, L, W, A, v.wrap);
    e.state = fx::decide(e.f.h, v.theta, v.eta, v.state);
    e.n = v.n;
    e.wrap = v.wrap;
    e.id = id;
    return e;
}

// Streams neuron updates back to back through the unit (one group per clock,
// optional idle cycles) and checks each done against the reference.
class Checker {
public:
    explicit Checker(uint64_t seed = 7) : drv_(W, A, L), rng_(seed) {}

    void push(const Vec& v, double bubble_p = 0.0) {
        pending_.push_back(reference(v, pushed_++));
        drv_.neuron(v.wrap, v.theta, v.eta, v.state);
        for (uint32_t c = 0; c < v.n; c += L) {
            const unsigned count = v.n - c < L ? v.n - c : L;
            drv_.group(&v.w[c], &v.s[c], count, c == 0, c + count >= v.n);
            clock();
            while (bubble_p > 0 && rng_.uniform() < bubble_p) {
                drv_.idle_inputs();
                clock();
            }
        }
        drv_.idle_inputs();
    }
    void flush() {
        for (int k = 0; k < 10 && !pending_.empty(); ++k) clock();
        EXPECT_TRUE(pending_.empty()) << pending_.size() << " updates never finished";
    }
    uint64_t compared() const { return compared_; }
    uint64_t overflowed(bool wrap) const { return ovf_[wrap]; }
    uint64_t ties() const { return ties_; }
    UnitResult last() const { return last_; }
    NeuronUnitDriver<Model>& driver() { return drv_; }

    // For the tie counter: callers flag vectors built to tie.
    void count_tie() { ++ties_; }

private:
    void clock() {
        drv_.tick();
        if (!drv_.done()) return;
        if (pending_.empty()) {
            ADD_FAILURE() << "done without a pending update";
            return;
        }
        const Expected e = pending_.front();
        pending_.pop_front();
        last_ = drv_.result();
        ++compared_;
        if (e.f.overflows) ++ovf_[e.wrap];
        const bool ok = last_.h == e.f.h && last_.ovf_count == e.f.overflows && last_.ovf == (e.f.overflows != 0) &&
                        last_.state == e.state;
        if (!ok && failures_++ < 10) {
            ADD_FAILURE() << "update #" << e.id << " n=" << e.n << (e.wrap ? " wrap" : " saturate")
                          << ": RTL h=" << last_.h << " ovf=" << last_.ovf_count << "/" << last_.ovf
                          << " state=" << int(last_.state) << ", model h=" << e.f.h << " ovf=" << e.f.overflows
                          << " state=" << int(e.state);
        }
    }

    NeuronUnitDriver<Model> drv_;
    Rng rng_;
    std::deque<Expected> pending_;
    uint64_t pushed_ = 0, compared_ = 0, ovf_[2] = {0, 0}, ties_ = 0;
    int failures_ = 0;
    UnitResult last_;
};

int16_t rand_weight(Rng& r) { return static_cast<int16_t>(r.in(WMIN, WMAX)); }

// Random vector. Weight modes: uniform, biased high/low (drive the accumulator
// to either end), extremes only, small. n: 1, short, medium and long rows.
Vec random_vec(Rng& r, Checker& chk) {
    Vec v;
    const double pn = r.uniform();
    if (pn < 0.05) v.n = 1;
    else if (pn < 0.45) v.n = 1 + r.below(4 * L);
    else if (pn < 0.90) v.n = 1 + r.below(std::min<uint32_t>(1024, 32 * L));
    else v.n = 1 + r.below(1024);
    v.w.resize(v.n + L);
    v.s.resize(v.n + L);
    const uint32_t mode = r.below(6);
    const int64_t mid = WMAX / 2;
    const int8_t sb = (r() & 1) ? 1 : -1;  // sign bias of the biased modes
    for (uint32_t j = 0; j < v.n + L; ++j) {
        int64_t w;
        int8_t s = (r() & 1) ? 1 : -1;
        switch (mode) {
            case 0: w = rand_weight(r); break;
            case 1: w = r.in(mid, WMAX); s = r.below(10) ? sb : -sb; break;  // large positive weights
            case 2: w = r.in(WMIN, -mid - 1 < WMIN ? WMIN : -mid - 1); s = r.below(10) ? sb : -sb; break;
            case 3: w = (r() & 1) ? WMIN : WMAX; break;
            case 4: w = r.in(std::max<int64_t>(WMIN, -2), std::min<int64_t>(WMAX, 1)); break;
            default: w = rand_weight(r); s = (j / 7) % 2 ? 1 : -1; break;
        }
        v.w[j] = static_cast<int16_t>(w);
        v.s[j] = s;
    }
    v.wrap = r() & 1;
    v.state = (r() & 1) ? 1 : -1;
    v.theta = static_cast<int32_t>(r.below(4) == 0 ? r.in(AMIN, AMAX) : r.in(std::max<int64_t>(AMIN, -300),
                                                                             std::min<int64_t>(AMAX, 300)));
    const double pe = r.uniform();
    if (pe < 0.3) {
        v.eta = 0;
    } else if (pe < 0.7) {  // what the LFSR path produces
        const uint32_t temp = r.below(3) == 0 ? static_cast<uint32_t>(r()) : r.below(2000);
        v.eta = fx::noise_eta(static_cast<int16_t>(r() & 0xFFFF), temp);
    } else if (pe < 0.85) {  // exact tie, or off by one
        const fx::Field f = fx::neuron_field(v.w.data(), v.s.data(), v.n, L, W, A, v.wrap);
        v.eta = int64_t{v.theta} - f.h + r.in(-1, 1);
        chk.count_tie();
    } else {
        v.eta = r.in(ETA_MIN, ETA_MAX);
    }
    return v;
}

TEST(NeuronUnit, RandomMillion) {
    constexpr uint64_t kVectors = 1000000;
    Checker chk(11);
    Rng r(0x5EED0000ull + W * 65536 + A * 256 + L);
    for (uint64_t k = 0; k < kVectors; ++k) {
        const Vec v = random_vec(r, chk);
        chk.push(v, k % 64 == 0 ? 0.2 : 0.0);
    }
    chk.flush();
    EXPECT_EQ(chk.compared(), kVectors);
    std::printf("[ RTL ] W=%u A=%u L=%u: %llu random updates compared, %llu overflowing (saturate), %llu (wrap), "
                "%llu near ties, %llu cycles\n",
                W, A, L, static_cast<unsigned long long>(chk.compared()),
                static_cast<unsigned long long>(chk.overflowed(false)),
                static_cast<unsigned long long>(chk.overflowed(true)), static_cast<unsigned long long>(chk.ties()),
                static_cast<unsigned long long>(chk.driver().cycles()));
    RecordProperty("vectors", static_cast<int>(chk.compared()));
    if (fx::overflow_possible(1024, W, A)) {
        EXPECT_GT(chk.overflowed(false), 0u);
        EXPECT_GT(chk.overflowed(true), 0u);
    }
}

// n = 1: every weight value, both states, against theta/eta around the tie.
TEST(NeuronUnit, SingleColumn) {
    Checker chk;
    Rng r(3);
    const int64_t step = W > 12 ? 7 : 1;
    for (int64_t w = WMIN; w <= WMAX; w += step) {
        for (int8_t s : {int8_t{1}, int8_t{-1}}) {
            Vec v;
            v.n = 1;
            v.w.assign(1 + L, 0);
            v.s.assign(1 + L, 1);
            for (unsigned k = 1; k <= L; ++k) v.w[k] = rand_weight(r);  // junk lanes
            v.w[0] = static_cast<int16_t>(w);
            v.s[0] = s;
            v.theta = static_cast<int32_t>(r.in(-2, 2));
            v.state = (r() & 1) ? 1 : -1;
            v.wrap = r() & 1;
            chk.push(v);
        }
    }
    chk.flush();
    EXPECT_GT(chk.compared(), 0u);
}

// All weights at -2^(W-1) or at the maximum, states all +1, all -1 or
// alternating, n around multiples of LANES.
TEST(NeuronUnit, ExtremeWeights) {
    Checker chk;
    std::vector<uint32_t> ns = {1, 2, 1024, 1023, 1000, 16384};
    for (uint32_t m : {1u, 2u, 3u, 7u}) {
        ns.push_back(m * L);
        ns.push_back(m * L + 1);
        if (m * L > 1) ns.push_back(m * L - 1);
    }
    for (uint32_t n : ns) {
        for (int64_t w : {WMIN, WMAX}) {
            for (int pattern = 0; pattern < 3; ++pattern) {
                for (bool wrap : {false, true}) {
                    Vec v;
                    v.n = n;
                    v.w.assign(n + L, static_cast<int16_t>(w));
                    v.s.resize(n + L);
                    for (uint32_t j = 0; j < n + L; ++j)
                        v.s[j] = pattern == 0 ? 1 : pattern == 1 ? -1 : (j % 2 ? -1 : 1);
                    v.wrap = wrap;
                    chk.push(v);
                }
            }
        }
    }
    chk.flush();
    EXPECT_GT(chk.compared(), 0u);
}

// Drive the accumulator past both ends with the largest terms (+-2^(W-1)),
// in saturate and wrap mode; then come back from saturation.
TEST(NeuronUnit, OverflowBothEnds) {
    Checker chk;
    const uint64_t per_term = uint64_t{1} << (W - 1);
    const uint32_t n = static_cast<uint32_t>((uint64_t{1} << A) / per_term + 3 * L + 1);  // ~2x the range
    for (int dir : {+1, -1}) {
        for (bool wrap : {false, true}) {
            Vec v;
            v.n = n;
            v.w.assign(n + L, static_cast<int16_t>(WMIN));
            v.s.assign(n + L, static_cast<int8_t>(-dir));  // WMIN * -1 = +2^(W-1)
            v.wrap = wrap;
            chk.push(v);
            chk.flush();
            const UnitResult r = chk.last();
            EXPECT_GT(r.ovf_count, 0u);
            EXPECT_TRUE(r.ovf);
            if (!wrap) {
                EXPECT_EQ(r.h, dir > 0 ? AMAX : AMIN) << "saturate, dir " << dir;
            }
            // Saturated at one end, then the second half of the row pulls back.
            Vec b = v;
            for (uint32_t j = n / 2; j < n; ++j) b.s[j] = static_cast<int8_t>(dir);
            chk.push(b);
            chk.flush();
        }
    }
    EXPECT_EQ(chk.compared(), 8u);
}

// Random long rows sized to the accumulator (0.3x to 3x of what it takes to
// reach the end of the ABITS range with biased weights), so that builds whose
// accumulator cannot overflow at n <= 1024 still see random overflows,
// recoveries from saturation and wrap-arounds at both ends.
TEST(NeuronUnit, RandomOverflowLongRows) {
    Checker chk(13);
    Rng r(77 + W + A + L);
    const double reach = static_cast<double>(uint64_t{1} << (A - 1)) / static_cast<double>(uint64_t{1} << (W - 1));
    const uint64_t budget = 40000000;  // columns in all
    const uint32_t count = static_cast<uint32_t>(std::min<double>(20000.0, budget / (1.6 * reach + 1)));
    for (uint32_t k = 0; k < count; ++k) {
        Vec v;
        v.n = static_cast<uint32_t>(1 + reach * (0.3 + 2.7 * r.uniform()));
        v.w.resize(v.n + L);
        v.s.resize(v.n + L);
        const int8_t sb = (r() & 1) ? 1 : -1;
        const uint32_t flip_at = r.below(2) ? v.n : r.below(v.n);  // half the rows turn back somewhere
        for (uint32_t j = 0; j < v.n + L; ++j) {
            const int64_t w = r.below(8) ? (r() & 1 ? WMIN : WMAX) : rand_weight(r);
            const int8_t dir = j < flip_at ? sb : static_cast<int8_t>(-sb);
            // A term's sign is sign(w) * s: choose s so that most terms push in `dir`.
            const int8_t s = w == 0 ? 1 : static_cast<int8_t>(((w > 0) == (dir > 0)) ? 1 : -1);
            v.w[j] = static_cast<int16_t>(w);
            v.s[j] = r.below(10) ? s : static_cast<int8_t>(-s);
        }
        v.wrap = r() & 1;
        v.state = (r() & 1) ? 1 : -1;
        v.theta = static_cast<int32_t>(r.in(AMIN, AMAX));
        v.eta = r.below(2) ? 0 : r.in(ETA_MIN, ETA_MAX);
        chk.push(v, 0.01);
    }
    chk.flush();
    EXPECT_EQ(chk.compared(), count);
    std::printf("[ RTL ] W=%u A=%u L=%u: %u long-row updates compared, %llu overflowing (saturate), %llu (wrap)\n", W,
                A, L, count, static_cast<unsigned long long>(chk.overflowed(false)),
                static_cast<unsigned long long>(chk.overflowed(true)));
    EXPECT_GT(chk.overflowed(false), 0u);
    EXPECT_GT(chk.overflowed(true), 0u);
}

// Decision: extreme theta and eta, and exact ties (keep the state).
TEST(NeuronUnit, DecisionExtremesAndTies) {
    Checker chk;
    Rng r(5);
    const std::vector<int64_t> thetas = {AMIN, AMIN + 1, -1, 0, 1, AMAX - 1, AMAX};
    const std::vector<int64_t> etas = {ETA_MIN, ETA_MIN + 1, -(int64_t{1} << 32) + 1, -1, 0, 1, ETA_MAX};
    for (int64_t th : thetas) {
        for (int64_t eta : etas) {
            for (int8_t st : {int8_t{1}, int8_t{-1}}) {
                Vec v;
                v.n = 1 + r.below(3 * L);
                v.w.resize(v.n + L);
                v.s.resize(v.n + L);
                for (uint32_t j = 0; j < v.n + L; ++j) {
                    v.w[j] = rand_weight(r);
                    v.s[j] = (r() & 1) ? 1 : -1;
                }
                v.theta = static_cast<int32_t>(th);
                v.eta = eta;
                v.state = st;
                chk.push(v);
                // The same row with eta chosen for an exact tie when it fits.
                const fx::Field f = fx::neuron_field(v.w.data(), v.s.data(), v.n, L, W, A, false);
                v.eta = th - f.h;
                chk.push(v);
            }
        }
    }
    chk.flush();
    EXPECT_EQ(chk.compared(), thetas.size() * etas.size() * 4);
}

// Ties keep the current state, for both states.
TEST(NeuronUnit, TieKeepsState) {
    Checker chk;
    for (int8_t st : {int8_t{1}, int8_t{-1}}) {
        Vec v;
        v.n = L + 1;
        v.w.assign(v.n + L, 1 > WMAX ? -1 : 1);
        v.s.assign(v.n + L, 1);
        const fx::Field f = fx::neuron_field(v.w.data(), v.s.data(), v.n, L, W, A, false);
        v.theta = f.h;
        v.eta = 0;
        v.state = st;
        chk.push(v);
        chk.flush();
        EXPECT_EQ(chk.last().state, st);
    }
}

}  // namespace
