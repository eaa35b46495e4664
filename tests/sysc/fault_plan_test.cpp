// Fault injection rules (sysc/fault_plan.h) and the reference model applying
// them: the SPEC language and its errors, seeded expansion, and what each
// fault kind does to weights, states, fields and timing of upsets.
#include <cmath>
#include <random>
#include <set>
#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

#include "sysc/fault_plan.h"
#include "sysc/reference_model.h"

using namespace mind1024;

namespace {

ChipParams small(uint32_t n = 16, uint32_t wbits = 8) {
    ChipParams p;
    p.n_max = n;
    p.wbits = wbits;
    return p;
}

std::string error_of(const std::string& spec) {
    try {
        FaultSpec::parse(spec);
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "accepted";
}

TEST(FaultSpec, ParsesEveryKindAndRoundTrips) {
    const FaultSpec s = FaultSpec::parse("syn0=0.001,syn1=0.002,seu=4@1000,plus=0.01,minus=0.02,acc0=0x4,acc1=8,accp0=0.25,accp1=0.125,seed=7");
    EXPECT_DOUBLE_EQ(s.acc_p0, 0.25);
    EXPECT_DOUBLE_EQ(s.acc_p1, 0.125);
    EXPECT_DOUBLE_EQ(s.syn_stuck0, 0.001);
    EXPECT_DOUBLE_EQ(s.syn_stuck1, 0.002);
    EXPECT_EQ(s.seu_count, 4u);
    EXPECT_EQ(s.seu_at, 1000u);
    EXPECT_DOUBLE_EQ(s.neuron_plus, 0.01);
    EXPECT_DOUBLE_EQ(s.neuron_minus, 0.02);
    EXPECT_EQ(s.acc_stuck0, 4u);
    EXPECT_EQ(s.acc_stuck1, 8u);
    EXPECT_EQ(s.seed, 7u);
    const FaultSpec t = FaultSpec::parse(s.to_string());
    EXPECT_EQ(t.to_string(), s.to_string());
    EXPECT_FALSE(FaultSpec::parse("none").any());
    EXPECT_FALSE(FaultSpec::parse("").any());
    EXPECT_EQ(FaultSpec::parse("none").to_string(), "none");
}

TEST(FaultSpec, BadItemsAreNamed) {
    EXPECT_NE(error_of("syn0=1.5").find("syn0=1.5"), std::string::npos);
    EXPECT_NE(error_of("syn0=nan").find("syn0=nan"), std::string::npos);
    EXPECT_NE(error_of("syn0=0.7,syn1=0.7").find("syn0 + syn1"), std::string::npos);
    EXPECT_NE(error_of("plus=0.6,minus=0.6").find("plus + minus"), std::string::npos);
    EXPECT_NE(error_of("stuck=0.1").find("unknown fault 'stuck'"), std::string::npos);
    EXPECT_NE(error_of("syn0").find("not KEY=VALUE"), std::string::npos);
    EXPECT_NE(error_of("seu=x@3").find("seu=x"), std::string::npos);
    EXPECT_NE(error_of("seu=2@-1").find("-1"), std::string::npos);
    EXPECT_NE(error_of("acc0=3,acc1=1").find("share bits 0x1"), std::string::npos);
    EXPECT_NE(error_of("seed=-4").find("seed=-4"), std::string::npos);
    try {
        FaultPlan::expand(FaultSpec::parse("acc1=0x1000000"), small());  // ABITS 24
        FAIL();
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("above ABITS = 24"), std::string::npos) << e.what();
    }
}

TEST(FaultPlan, SameSeedSamePlanAndTheRateIsTheRequestedOne) {
    ChipParams p;  // 1024 x 1024 x 8 bits
    const FaultSpec s = FaultSpec::parse("syn0=0.005,syn1=0.005,plus=0.02,minus=0.02,seu=10@5,seed=3");
    const FaultPlan a = FaultPlan::expand(s, p), b = FaultPlan::expand(s, p);
    ASSERT_EQ(a.stuck_words().size(), b.stuck_words().size());
    for (size_t k = 0; k < a.stuck_words().size(); ++k) {
        EXPECT_EQ(a.stuck_words()[k].word, b.stuck_words()[k].word);
        EXPECT_EQ(a.stuck_words()[k].stuck0, b.stuck_words()[k].stuck0);
    }
    EXPECT_EQ(a.stuck_neurons(), b.stuck_neurons());
    FaultSpec other = s;
    other.seed = 4;
    EXPECT_NE(FaultPlan::expand(other, p).stuck_words().front().word, a.stuck_words().front().word);
    // Expected 0.01 x 8 Mi bits = 83,886 stuck bits, half each way; 6 sigma bounds.
    size_t zeros = 0, ones = 0;
    for (const StuckWord& w : a.stuck_words()) {
        zeros += __builtin_popcount(w.stuck0), ones += __builtin_popcount(w.stuck1);
        EXPECT_EQ(w.stuck0 & w.stuck1, 0);
        EXPECT_LT(w.word, 1024u * 1024u);
    }
    const double bits = 1024.0 * 1024 * 8, sd = std::sqrt(bits * 0.005);
    EXPECT_NEAR(double(zeros), bits * 0.005, 6 * sd);
    EXPECT_NEAR(double(ones), bits * 0.005, 6 * sd);
    EXPECT_NEAR(double(a.stuck_neurons().size()), 1024 * 0.04, 6 * std::sqrt(1024 * 0.04));
    EXPECT_EQ(a.upsets().size(), 10u);
    for (const Upset& u : a.upsets()) EXPECT_LT(u.bit, 8);
}

TEST(FaultPlan, EveryBitStuckAtOneMakesEveryWeightMinusOne) {
    const ChipParams p = small(8, 5);
    ReferenceModel m(p);
    m.set_faults(FaultPlan::expand(FaultSpec::parse("syn1=1"), p));
    m.set_weight(2, 3, 7);
    EXPECT_EQ(m.weight(2, 3), -1);  // 0b11111 in 5 bits
    m.clear_syn();
    EXPECT_EQ(m.weight(0, 0), -1);
}

TEST(FaultPlan, StuckBitsHoldThroughWritesHebbAndClear) {
    const ChipParams p = small(16, 8);
    const FaultPlan f = FaultPlan::expand(FaultSpec::parse("syn0=0.05,syn1=0.05,seed=11"), p);
    ASSERT_FALSE(f.stuck_words().empty());
    ReferenceModel m(p);
    m.set_faults(f);
    std::mt19937 r(5);
    for (uint32_t i = 0; i < 16; ++i)
        for (uint32_t j = 0; j < 16; ++j) m.set_weight(i, j, int(r() % 255) - 127);
    m.hebb();
    for (const StuckWord& s : f.stuck_words()) {
        const uint16_t raw = static_cast<uint16_t>(m.weight(s.word / 16, s.word % 16)) & 0xFF;
        EXPECT_EQ(raw & s.stuck0, 0) << s.word;
        EXPECT_EQ(raw & s.stuck1, s.stuck1) << s.word;
    }
    m.clear_syn();
    for (const StuckWord& s : f.stuck_words())
        EXPECT_EQ(static_cast<uint16_t>(m.weight(s.word / 16, s.word % 16)) & 0xFF, s.stuck1);
}

TEST(FaultPlan, StuckNeuronsKeepTheirValueThroughWritesAndRuns) {
    const ChipParams p = small(32, 8);
    const FaultPlan f = FaultPlan::expand(FaultSpec::parse("plus=0.2,minus=0.2,seed=2"), p);
    ASSERT_GE(f.stuck_neurons().size(), 4u);
    ReferenceModel m(p);
    m.set_faults(f);
    // A ferromagnet started all +1 stays +1, except what is stuck at -1.
    for (uint32_t i = 0; i < 32; ++i)
        for (uint32_t j = 0; j < 32; ++j) m.set_weight(i, j, i == j ? 0 : 1);
    for (uint32_t i = 0; i < 32; ++i) m.set_state(i, i % 2 ? 1 : -1);
    for (const auto& [i, v] : f.stuck_neurons()) EXPECT_EQ(m.state(i), v);
    m.set_max_sweeps(10);
    m.set_mode(Mode{Order::AsyncSeq, false, false});
    m.start();
    for (const auto& [i, v] : f.stuck_neurons()) EXPECT_EQ(m.state(i), v) << i;
    m.soft_reset();  // physical faults outlive a reset
    for (const auto& [i, v] : f.stuck_neurons()) EXPECT_EQ(m.state(i), v) << i;
}

TEST(FaultPlan, UpsetsFlipTheirBitsJustBeforeTheirUpdate) {
    const ChipParams p = small(16, 8);
    const FaultPlan f = FaultPlan::expand(FaultSpec::parse("seu=3@20,seed=9"), p);
    ReferenceModel m(p);
    m.set_faults(f);
    for (uint32_t i = 0; i < 16; ++i)
        for (uint32_t j = 0; j < 16; ++j) m.set_weight(i, j, 0);
    m.set_mode(Mode{Order::AsyncSeq, false, false});
    m.step();   // updates 0..15 (zero fields: nothing flips, the sweep converges)
    m.step(4);  // updates 16..19: the upsets are not due yet
    EXPECT_EQ(m.updates_since_faults(), 20u);
    for (uint32_t w = 0; w < 256; ++w) EXPECT_EQ(m.weight(w / 16, w % 16), 0);
    m.step(1);  // update 20
    std::set<uint32_t> hit;
    for (const Upset& u : f.upsets()) hit.insert(u.word);
    int changed = 0;
    for (uint32_t w = 0; w < 256; ++w) changed += m.weight(w / 16, w % 16) != 0;
    EXPECT_GE(changed, 1);
    EXPECT_LE(changed, int(hit.size()));
    for (uint32_t w = 0; w < 256; ++w)
        if (!hit.count(w)) EXPECT_EQ(m.weight(w / 16, w % 16), 0) << w;
    EXPECT_EQ(m.updates_since_faults(), 21u);
}

TEST(FaultPlan, AStuckAccumulatorBitShowsInEveryField) {
    const ChipParams p = small(16, 8);
    for (const char* spec : {"acc1=0x1", "acc0=0x1"}) {
        SCOPED_TRACE(spec);
        ReferenceModel m(p);
        m.set_faults(FaultPlan::expand(FaultSpec::parse(spec), p));
        std::mt19937 r(3);
        for (uint32_t i = 0; i < 16; ++i)
            for (uint32_t j = 0; j < 16; ++j) m.set_weight(i, j, i == j ? 0 : int(r() % 41) - 20);
        m.set_mode(Mode{Order::Sync, false, false});
        m.set_max_sweeps(1);
        m.step();
        const int want = spec[3] == '1' ? 1 : 0;
        for (uint32_t i = 0; i < 16; ++i) EXPECT_EQ(m.field(i) & 1, want) << i;
    }
}

// accp0 / accp1 are per-bit probabilities like syn0 / syn1: a small rate
// draws no faulty bit on most chips, and the mean over seeds is rate x ABITS.
TEST(FaultPlan, AccumulatorRatesArePerBit) {
    ChipParams p;  // ABITS 24
    size_t bits = 0, none = 0;
    const int chips = 4000;
    for (int seed = 1; seed <= chips; ++seed) {
        FaultSpec s;
        s.acc_p0 = s.acc_p1 = 0.005;
        s.seed = seed;
        const FaultPlan f = FaultPlan::expand(s, p);
        const int k = __builtin_popcount(f.acc_stuck0()) + __builtin_popcount(f.acc_stuck1());
        EXPECT_EQ(f.acc_stuck0() & f.acc_stuck1(), 0u);
        EXPECT_EQ((f.acc_stuck0() | f.acc_stuck1()) >> 24, 0u);
        bits += k, none += k == 0;
        EXPECT_EQ(f.accumulator_faulty(), k > 0);
    }
    const double mean = 0.01 * 24 * chips;  // 960 bits; P(no bit) = 0.99^24 = 0.786
    EXPECT_NEAR(double(bits), mean, 6 * std::sqrt(mean));
    EXPECT_NEAR(double(none) / chips, std::pow(0.99, 24), 0.04);
    // Same seed, same bits; a mask bit is never drawn again.
    const FaultPlan a = FaultPlan::expand(FaultSpec::parse("accp1=0.5,acc0=0x3,seed=9"), p);
    const FaultPlan b = FaultPlan::expand(FaultSpec::parse("accp1=0.5,acc0=0x3,seed=9"), p);
    EXPECT_EQ(a.acc_stuck1(), b.acc_stuck1());
    EXPECT_EQ(a.acc_stuck0(), 0x3u);
    EXPECT_EQ(a.acc_stuck1() & 0x3u, 0u);
    EXPECT_NE(a.acc_stuck1(), 0u);
    EXPECT_NE(error_of("accp0=0.6,accp1=0.6").find("accp0 + accp1"), std::string::npos);
}

// upset=R: each stored bit flips with probability R at each neuron update, the
// sequence drawn as it goes, the same for every copy of the plan.
TEST(FaultPlan, UpsetsInTimeComeAtTheirRateAndTheSameForEveryCopy) {
    const ChipParams p = small(32, 8);  // 8,192 stored bits
    const FaultSpec s = FaultSpec::parse("upset=0.0001,seed=5");
    EXPECT_EQ(FaultSpec::parse(s.to_string()).to_string(), s.to_string());
    const FaultPlan a = FaultPlan::expand(s, p);
    EXPECT_FALSE(a.empty());
    FaultPlan b = a;  // a copy drawn later continues the same sequence
    const uint64_t updates = 5000;
    size_t k = 0;
    for (; a.upset_at(k) && a.upset_at(k)->at < updates; ++k) {
        if (k) {
            EXPECT_GE(a.upset_at(k)->at, a.upset_at(k - 1)->at);
        }
        EXPECT_LT(a.upset_at(k)->word, 32u * 32u);
        EXPECT_LT(a.upset_at(k)->bit, 8);
    }
    const double want = 0.0001 * 8192 * updates;  // 4,096
    EXPECT_NEAR(double(k), want, 6 * std::sqrt(want));
    for (size_t j = k; j-- > 0;) {
        ASSERT_TRUE(b.upset_at(j));
        EXPECT_EQ(b.upset_at(j)->at, a.upset_at(j)->at);
        EXPECT_EQ(b.upset_at(j)->word, a.upset_at(j)->word);
        EXPECT_EQ(b.upset_at(j)->bit, a.upset_at(j)->bit);
    }
    FaultSpec other = s;
    other.seed = 6;
    EXPECT_NE(FaultPlan::expand(other, p).upset_at(0)->word * 8 + FaultPlan::expand(other, p).upset_at(0)->bit,
              a.upset_at(0)->word * 8 + a.upset_at(0)->bit);
    // The reference model flips them as its updates go: a zero network gains weights.
    ReferenceModel m(p);
    m.set_faults(a);
    m.set_mode(Mode{Order::AsyncSeq, false, false});
    m.set_max_sweeps(1);
    for (int r = 0; r < 20; ++r) m.step();
    EXPECT_EQ(m.updates_since_faults(), 20u * 32);
    size_t nonzero = 0;
    for (uint32_t i = 0; i < 32; ++i)
        for (uint32_t j = 0; j < 32; ++j) nonzero += m.weight(i, j) != 0;
    EXPECT_GT(nonzero, 20u);
    EXPECT_FALSE(FaultPlan::expand(FaultSpec::parse("upset=0"), p).upset_at(0));
}

// The new sites: threshold bits, clamp bits and LFSR bits hold through writes and resets.
TEST(FaultPlan, StuckThresholdClampAndLfsrBits) {
    const ChipParams p = small(16, 8);
    const FaultSpec s = FaultSpec::parse("thr0=0.1,thr1=0.2,clamp0=0.25,clamp1=0.25,lfsr0=0.1,lfsr1=0.1,seed=3");
    EXPECT_EQ(FaultSpec::parse(s.to_string()).to_string(), s.to_string());
    EXPECT_NE(error_of("clamp0=0.6,clamp1=0.6").find("clamp0 + clamp1"), std::string::npos);
    {
        ReferenceModel m(p);
        m.set_faults(FaultPlan::expand(FaultSpec::parse("thr1=1"), p));
        m.set_threshold(3, 5);
        EXPECT_EQ(m.threshold(3), -1);  // every ABITS bit 1
        ReferenceModel z(p);
        z.set_threshold(3, 5);
        z.set_faults(FaultPlan::expand(FaultSpec::parse("thr0=1"), p));  // applies to what is there
        EXPECT_EQ(z.threshold(3), 0);
    }
    {
        ReferenceModel m(p);
        m.set_faults(FaultPlan::expand(FaultSpec::parse("clamp1=1"), p));
        m.set_clamp(2, false);
        EXPECT_TRUE(m.clamp(2));
        m.soft_reset();  // physical: the clamp bit stays stuck
        EXPECT_TRUE(m.clamp(5));
        m.set_state(0, 1);
        m.step();
        EXPECT_EQ(m.status().flips, 0u);  // every neuron clamped: nothing updates
        EXPECT_EQ(m.updates_since_faults(), 0u);
    }
    {
        ReferenceModel m(p);
        m.set_faults(FaultPlan::expand(FaultSpec::parse("lfsr1=1"), p));
        m.set_seed(12345);
        m.set_mode(Mode{Order::AsyncPerm, true, false});
        m.step();
        EXPECT_EQ(m.lfsr_state(), 0xFFFFFFFFu);
        m.set_faults(FaultPlan{});
        m.step();
        EXPECT_NE(m.lfsr_state(), 0xFFFFFFFFu);
    }
    const FaultPlan a = FaultPlan::expand(s, p);
    EXPECT_FALSE(a.stuck_thresholds().empty());
    EXPECT_FALSE(a.stuck_clamps().empty());
    EXPECT_EQ(a.lfsr_stuck0() & a.lfsr_stuck1(), 0u);
}

// PROTECT: every codeword decodes to its data; SECDED corrects any one wrong
// bit and detects any two, parity detects one; the cost in bits and cycles.
TEST(Protection, CodewordsCorrectAndDetect) {
    for (uint32_t wbits : {1u, 4u, 8u, 13u, 16u})
        for (uint32_t prot : {1u, 2u}) {
            ChipParams p = small(8, wbits);
            p.protect = prot;
            const uint32_t cw = p.stored_word_bits();
            ASSERT_LE(cw, 32u);
            const uint32_t step = wbits > 10 ? 97 : 1;
            for (uint32_t d = 0; d < (1u << wbits); d += step) {
                const uint32_t c = encode_word(d, p);
                ASSERT_EQ(c >> cw, 0u);
                uint32_t out = ~0u;
                ASSERT_TRUE(decode_word(c, p, out));
                ASSERT_EQ(out, d);
                for (uint32_t a = 0; a < cw; ++a) {
                    const bool one = decode_word(c ^ (1u << a), p, out);
                    if (prot == 1) ASSERT_FALSE(one) << wbits << " " << d << " bit " << a;
                    else ASSERT_TRUE(one && out == d) << wbits << " " << d << " bit " << a;
                    if (prot == 2)
                        for (uint32_t b = a + 1; b < cw; ++b) ASSERT_FALSE(decode_word(c ^ (1u << a) ^ (1u << b), p, out));
                }
            }
        }
    ChipParams p;  // WBITS 8
    EXPECT_EQ(p.check_bits(), 0u);
    p.protect = 1;
    EXPECT_EQ(p.stored_word_bits(), 9u);
    EXPECT_EQ(p.pipeline_latency(), p.latency);
    p.protect = 2;
    EXPECT_EQ(p.stored_word_bits(), 13u);
    EXPECT_EQ(p.pipeline_latency(), p.latency + 1);
}

// At a stuck rate that changes many weights of the plain chip, SECDED reads
// back nearly all of them (only words with two effective errors read 0).
TEST(Protection, SecdedHoldsTheWeightsAStuckRateChanges) {
    size_t wrong[3] = {0, 0, 0};
    for (uint32_t prot : {0u, 1u, 2u}) {
        ChipParams p = small(64, 8);
        p.protect = prot;
        ReferenceModel m(p);
        m.set_faults(FaultPlan::expand(FaultSpec::parse("syn0=0.01,syn1=0.01,seed=2"), p));
        std::mt19937 r(5);
        std::vector<int> w(64 * 64);
        for (uint32_t i = 0; i < 64; ++i)
            for (uint32_t j = 0; j < 64; ++j) m.set_weight(i, j, w[i * 64 + j] = int(r() % 256) - 128);
        for (uint32_t i = 0; i < 64; ++i)
            for (uint32_t j = 0; j < 64; ++j) wrong[prot] += m.weight(i, j) != w[i * 64 + j];
    }
    // A bit is wrong with probability 0.02 x 1/2: plain ~4,096 x (1 - 0.99^8) = 316 words;
    // SECDED needs two wrong bits of 13: ~4,096 x 0.007 = 29 words, read as 0.
    EXPECT_GT(wrong[0], 200u);
    EXPECT_LT(wrong[2], wrong[0] / 4);
    EXPECT_GT(wrong[1], wrong[0] / 2);  // parity only detects: every odd error reads 0
}

TEST(FaultPlan, APlanDrawnForAnotherChipIsRefused) {
    const FaultPlan f = FaultPlan::expand(FaultSpec::parse("syn0=0.1"), small(16, 8));
    ReferenceModel m(small(16, 6));
    try {
        m.set_faults(f);
        FAIL();
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("WBITS=8"), std::string::npos) << e.what();
    }
    ReferenceModel ok(small(16, 6));
    ok.set_faults(FaultPlan{});  // no fault fits any chip
}

}  // namespace
