// BareDriver over the in-process SystemC chip against the reference driver: same
// bulk operations, same results. One board per process (SystemC).
#include "host/board/bare_driver.h"
#include "host/board/in_process_transport.h"
#include "host/board/errors.h"
#include "host/board/reference_driver.h"
#include "tests/host/board/mock_transport.h"

#include <random>

#include <gtest/gtest.h>

#include "mind1024_regs.h"

using namespace mind1024;
using namespace mind1024::host;

namespace {
using test::small_params;

BareDriver& test_board() {
    static std::unique_ptr<BareDriver> b = open_in_process_board(small_params());
    return *b;
}

WeightMatrix random_weights(uint32_t n, unsigned wbits, std::mt19937& rng) {
    std::uniform_int_distribution<int> d(-(1 << (wbits - 1)), (1 << (wbits - 1)) - 1);
    WeightMatrix m{n, std::vector<int16_t>(size_t{n} * n)};
    for (auto& v : m.w) v = static_cast<int16_t>(d(rng));
    return m;
}
}  // namespace

TEST(Board, ReadsConfigAndId) {
    BareDriver& b = test_board();
    EXPECT_EQ(b.read_reg(MIND_REG_ID), MIND_ID_VALUE);
    EXPECT_EQ(b.params().n_max, 96u);
    EXPECT_EQ(b.params().wbits, 6u);
    EXPECT_EQ(b.params().abits, 12u);
    EXPECT_EQ(b.params().lanes, 8u);
}

TEST(Board, AgreesWithReferenceDriverOnRandomRuns) {
    BareDriver& b = test_board();
    ReferenceDriver ref(small_params());
    std::mt19937 rng(7);
    for (int trial = 0; trial < 12; ++trial) {
        b.soft_reset();
        ref.soft_reset();
        const uint32_t n = 90 - trial;
        const WeightMatrix w = random_weights(n, 6, rng);
        std::vector<int32_t> th(n);
        std::vector<int8_t> s(n);
        std::vector<uint8_t> c(n);
        for (uint32_t i = 0; i < n; ++i) {
            th[i] = static_cast<int32_t>(rng() % 200) - 100;
            s[i] = rng() & 1 ? 1 : -1;
            c[i] = rng() % 5 == 0;
        }
        RunParams rp;
        rp.order = static_cast<Order>(trial % 3);
        rp.wrap = trial % 2;
        rp.noise = trial % 4 == 1;
        rp.temp = 300;
        rp.seed = 1000 + trial;
        rp.max_sweeps = 20;
        rp.n_active = n;
        for (ChipDriver* d : {static_cast<ChipDriver*>(&b), static_cast<ChipDriver*>(&ref)}) {
            d->load_weights(w);
            d->load_thresholds(th);
            d->set_state(s);
            d->set_clamp(c);
        }
        const RunResult rb = b.run(rp), rr = ref.run(rp);
        EXPECT_EQ(b.state(), ref.state()) << "trial " << trial;
        EXPECT_EQ(b.fields(0, n), ref.fields(0, n)) << "trial " << trial;
        EXPECT_EQ(rb.sweeps, rr.sweeps);
        EXPECT_EQ(rb.flips, rr.flips);
        EXPECT_EQ(rb.ovf_count, rr.ovf_count);
        EXPECT_EQ(rb.converged, rr.converged);
        EXPECT_EQ(rb.cycle2, rr.cycle2);
        EXPECT_EQ(rb.cycles, rr.cycles);
        EXPECT_GT(rb.sim_seconds, rb.cycles / b.params().clock_hz * 0.999);
        EXPECT_EQ(b.read_weights(n).w, w.w);
    }
}

TEST(Board, RejectsOutOfRangeInputWithClearErrors) {
    BareDriver& b = test_board();
    WeightMatrix w{4, std::vector<int16_t>(16, 0)};
    w.w[5] = 32;  // WBITS 6: max 31
    try {
        b.load_weights(w);
        FAIL() << "accepted an out-of-range weight";
    } catch (const BadArgument& e) {
        EXPECT_NE(std::string(e.what()).find("J[1][1] = 32"), std::string::npos) << e.what();
    }
    EXPECT_THROW(b.load_weights(WeightMatrix{97, std::vector<int16_t>(97 * 97)}), BadArgument);
    EXPECT_THROW(b.load_thresholds(std::vector<int32_t>{4096}), BadArgument);
    EXPECT_THROW(b.set_clamp(std::vector<uint8_t>{2}), BadArgument);
    RunParams rp;
    rp.max_sweeps = 0;
    EXPECT_THROW(b.run(rp), BadArgument);
    EXPECT_THROW(b.fields(90, 10), BadArgument);
    EXPECT_THROW(b.read_reg(0x0C), BusError);   // unmapped
    EXPECT_THROW(b.write_reg(MIND_REG_ID, 1), BusError);  // read-only
}

TEST(Board, ChipBadArgSurfacesAsTypedError) {
    BareDriver& b = test_board();
    b.soft_reset();
    b.write_reg(MIND_REG_MODE, 3);  // reserved order
    b.write_reg(MIND_REG_IRQ_STATUS, 3);
    b.write_reg(MIND_REG_CTRL, MIND_CTRL_START);
    const uint32_t st = b.read_reg(MIND_REG_STATUS);
    EXPECT_TRUE(st & MIND_STATUS_ERR);
    EXPECT_EQ((st & MIND_STATUS_ERR_CODE_MASK) >> MIND_STATUS_ERR_CODE_SHIFT, MIND_ERR_BAD_ARG);
    EXPECT_FALSE(st & MIND_STATUS_BUSY);
}

TEST(Board, SecondBoardWithOtherParamsIsRefused) {
    test_board();
    ChipParams p = small_params();
    p.wbits = 8;
    EXPECT_THROW(open_in_process_board(p), BoardError);
    EXPECT_NO_THROW(open_in_process_board(small_params()));
}
