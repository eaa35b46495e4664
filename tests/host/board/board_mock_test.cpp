// BareDriver (bare mode) over MockTransport: each operation's exact register
// sequence, offsets and values from the generated header, and the chip's
// error status turned into the typed errors. No SystemC.
#include "host/board/bare_driver.h"
#include "host/board/errors.h"

#include <ostream>
#include <vector>

#include <gtest/gtest.h>

#include "mind1024_regs.h"
#include "tests/host/board/mock_transport.h"

using namespace mind1024;
using namespace mind1024::host;
using mind1024::host::test::config_word;
using mind1024::host::test::expect_exactly;
using mind1024::host::test::MockTransport;
using mind1024::host::test::small_params;

namespace {


// The constructor's probe: ID, then CONFIG.
void expect_probe(MockTransport& m, const ChipParams& p) {
    m.expect_reg_read(MIND_REG_ID, MIND_ID_VALUE).expect_reg_read(MIND_REG_CONFIG, config_word(p));
}

}  // namespace

TEST(BoardMock, ProbesIdThenConfig) {
    MockTransport m(small_params());
    expect_probe(m, small_params());
    BareDriver b(m);
    EXPECT_EQ(b.params().n_max, 96u);
    EXPECT_EQ(b.params().wbits, 6u);
    EXPECT_EQ(b.params().abits, 12u);
    EXPECT_EQ(b.params().lanes, 8u);
    EXPECT_EQ(b.name(), "board/mock");
}

TEST(BoardMock, WrongIdIsABoardErrorNamingTheValue) {
    MockTransport m(small_params());
    // The message reads ID a second time.
    m.expect_reg_read(MIND_REG_ID, 0x12345678).expect_reg_read(MIND_REG_ID, 0x12345678);
    expect_exactly<BoardError>([&] { BareDriver b(m); }, "ID register reads 0x12345678");
}

TEST(BoardMock, ConfigDisagreeingWithTheStatedParamsIsRefused) {
    ChipParams other = small_params();
    other.lanes = 4;
    MockTransport m(small_params());
    expect_probe(m, other);
    expect_exactly<BoardError>([&] { BareDriver b(m); }, "CONFIG says");
}

TEST(BoardMock, LoadThresholdsWritesAddressThenEachValueThenChecksError) {
    MockTransport m(small_params());
    expect_probe(m, small_params());
    BareDriver b(m);
    m.expect_reg_write(MIND_REG_THR_ADDR, 0)
        .expect_reg_write(MIND_REG_THR_DATA, 5)
        .expect_reg_write(MIND_REG_THR_DATA, 0xFFFFFFFDu)  // -3, two's complement
        .expect_reg_write(MIND_REG_THR_DATA, 2047)
        .expect_reg_read(MIND_REG_IRQ_STATUS, MIND_IRQ_STATUS_DONE);  // DONE alone is no error
    b.load_thresholds({5, -3, 2047});
}

TEST(BoardMock, LoadThresholdsOutOfRangeTouchesNothing) {
    MockTransport m(small_params());
    expect_probe(m, small_params());
    BareDriver b(m);
    expect_exactly<BadArgument>([&] { b.load_thresholds({1, 2048}); }, "threshold[1] = 2048");
}

TEST(BoardMock, SetStateWritesWholeWordsAndMergesThePartialOne) {
    MockTransport m(small_params());
    expect_probe(m, small_params());
    BareDriver b(m);
    // 40 neurons: word 0 whole (neurons 0..31), word 1 partial (32..39): read, merge, write.
    std::vector<int8_t> s(40, -1);
    s[0] = s[3] = s[31] = 1;
    s[32] = s[39] = 1;
    m.expect_reg_write(MIND_REG_STATE(0), 0x80000009u)
        .expect_reg_read(MIND_REG_STATE(1), 0xFFFF00FEu)
        .expect_reg_write(MIND_REG_STATE(1), 0xFFFF0081u)  // bits 8..31 kept, 0..7 from s
        .expect_reg_read(MIND_REG_IRQ_STATUS, 0);
    b.set_state(s);
}

TEST(BoardMock, RunWritesModeAndParametersThenCtrlThenReadsStatusAndCounters) {
    MockTransport m(small_params());
    expect_probe(m, small_params());
    BareDriver b(m);
    m.set_now(1.0);
    RunParams p;
    p.order = Order::Sync;
    p.wrap = true;
    p.noise = true;
    p.temp = 7;
    p.seed = 99;
    p.max_sweeps = 20;
    p.n_active = 0;  // N_MAX
    m.expect_reg_read(MIND_REG_CYCLES_LO, 100)
        .expect_reg_read(MIND_REG_CYCLES_HI, 1)
        .expect_reg_write(MIND_REG_MODE, MIND_ORDER_SYNC | MIND_MODE_OVF_WRAP | MIND_MODE_NOISE_EN)
        .expect_reg_write(MIND_REG_N_ACTIVE, 96)
        .expect_reg_write(MIND_REG_MAX_SWEEPS, 20)
        .expect_reg_write(MIND_REG_TEMP, 7)
        .expect_reg_write(MIND_REG_SEED, 99)
        .expect_reg_write(MIND_REG_IRQ_STATUS, MIND_IRQ_STATUS_DONE | MIND_IRQ_STATUS_ERR)
        .expect_reg_write(MIND_REG_CTRL, MIND_CTRL_START)
        .expect_reg_read(MIND_REG_IRQ_STATUS, 0)
        .expect_wait_idle(0.25)
        .expect_reg_read(MIND_REG_STATUS, MIND_STATUS_DONE | MIND_STATUS_CONVERGED)
        .expect_reg_read(MIND_REG_SWEEPS, 3)
        .expect_reg_read(MIND_REG_FLIPS, 17)
        .expect_reg_read(MIND_REG_OVF_COUNT, 2)
        .expect_reg_read(MIND_REG_CYCLES_LO, 50)
        .expect_reg_read(MIND_REG_CYCLES_HI, 2);
    const RunResult r = b.run(p);
    EXPECT_TRUE(r.converged);
    EXPECT_FALSE(r.cycle2);
    EXPECT_EQ(r.sweeps, 3u);
    EXPECT_EQ(r.flips, 17u);
    EXPECT_EQ(r.ovf_count, 2u);
    EXPECT_EQ(r.cycles, ((uint64_t{2} << 32) | 50) - ((uint64_t{1} << 32) | 100));
    EXPECT_DOUBLE_EQ(r.sim_seconds, 0.25);
}

TEST(BoardMock, StepWritesCtrlStepWithTheGivenNActive) {
    MockTransport m(small_params());
    expect_probe(m, small_params());
    BareDriver b(m);
    RunParams p;  // AsyncSeq, saturate, no noise
    p.n_active = 10;
    m.expect_reg_read(MIND_REG_CYCLES_LO, 0)
        .expect_reg_read(MIND_REG_CYCLES_HI, 0)
        .expect_reg_write(MIND_REG_MODE, MIND_ORDER_ASYNC_SEQ)
        .expect_reg_write(MIND_REG_N_ACTIVE, 10)
        .expect_reg_write(MIND_REG_MAX_SWEEPS, p.max_sweeps)
        .expect_reg_write(MIND_REG_TEMP, 0)
        .expect_reg_write(MIND_REG_SEED, p.seed)
        .expect_reg_write(MIND_REG_IRQ_STATUS, MIND_IRQ_STATUS_DONE | MIND_IRQ_STATUS_ERR)
        .expect_reg_write(MIND_REG_CTRL, MIND_CTRL_STEP)
        .expect_reg_read(MIND_REG_IRQ_STATUS, 0)
        .expect_wait_idle()
        .expect_reg_read(MIND_REG_STATUS, MIND_STATUS_DONE | MIND_STATUS_CYCLE2)
        .expect_reg_read(MIND_REG_SWEEPS, 1)
        .expect_reg_read(MIND_REG_FLIPS, 0)
        .expect_reg_read(MIND_REG_OVF_COUNT, 0)
        .expect_reg_read(MIND_REG_CYCLES_LO, 12)
        .expect_reg_read(MIND_REG_CYCLES_HI, 0);
    const RunResult r = b.step(p);
    EXPECT_TRUE(r.cycle2);
    EXPECT_FALSE(r.converged);
    EXPECT_EQ(r.cycles, 12u);
}

TEST(BoardMock, StillBusyAfterIdleIsABoardError) {
    MockTransport m(small_params());
    expect_probe(m, small_params());
    BareDriver b(m);
    m.expect_reg_read(MIND_REG_CYCLES_LO, 0)
        .expect_reg_read(MIND_REG_CYCLES_HI, 0)
        .expect_reg_write(MIND_REG_IRQ_STATUS, MIND_IRQ_STATUS_DONE | MIND_IRQ_STATUS_ERR)
        .expect_reg_write(MIND_REG_CTRL, MIND_CTRL_CLEAR_SYN)
        .expect_reg_read(MIND_REG_IRQ_STATUS, 0)
        .expect_wait_idle()
        .expect_reg_read(MIND_REG_STATUS, MIND_STATUS_BUSY);
    expect_exactly<BoardError>([&] { b.clear_synapses(); }, "still BUSY");
}

// The chip's ERR_CODE after a CTRL write: clear ERR, read STATUS, throw the typed error; no wait.
namespace {
struct ErrorCase {
    const char* name;  // printed: ctest names the case by it
    uint32_t code;
    const char* message;
};
void PrintTo(const ErrorCase& c, std::ostream* os) { *os << c.name; }
}  // namespace
class BoardMockErrorStatus : public testing::TestWithParam<ErrorCase> {};

TEST_P(BoardMockErrorStatus, HebbErrorBecomesTheTypedError) {
    const ErrorCase c = GetParam();
    MockTransport m(small_params());
    expect_probe(m, small_params());
    BareDriver b(m);
    m.expect_reg_write(MIND_REG_N_ACTIVE, 96)
        .expect_reg_read(MIND_REG_CYCLES_LO, 0)
        .expect_reg_read(MIND_REG_CYCLES_HI, 0)
        .expect_reg_write(MIND_REG_IRQ_STATUS, MIND_IRQ_STATUS_DONE | MIND_IRQ_STATUS_ERR)
        .expect_reg_write(MIND_REG_CTRL, MIND_CTRL_HEBB)
        .expect_reg_read(MIND_REG_IRQ_STATUS, MIND_IRQ_STATUS_ERR)
        .expect_reg_write(MIND_REG_IRQ_STATUS, MIND_IRQ_STATUS_ERR)
        .expect_reg_read(MIND_REG_STATUS, MIND_STATUS_ERR | c.code << MIND_STATUS_ERR_CODE_SHIFT);
    switch (c.code) {
        case MIND_ERR_BUSY: expect_exactly<BusyError>([&] { b.hebb(0); }, c.message); break;
        case MIND_ERR_BAD_ARG: expect_exactly<BadArgument>([&] { b.hebb(0); }, c.message); break;
        default: expect_exactly<BoardError>([&] { b.hebb(0); }, c.message);
    }
}

INSTANTIATE_TEST_SUITE_P(Codes, BoardMockErrorStatus,
                         testing::Values(ErrorCase{"BUSY", MIND_ERR_BUSY, "command: the chip was BUSY"},
                                         ErrorCase{"BAD_ARG", MIND_ERR_BAD_ARG, "command: the chip answered BAD_ARG"},
                                         ErrorCase{"code_7", 7, "command: the chip reported error code 7"}));

TEST(BoardMock, ErrorAfterLoadingThresholdsNamesTheOperation) {
    MockTransport m(small_params());
    expect_probe(m, small_params());
    BareDriver b(m);
    m.expect_reg_write(MIND_REG_THR_ADDR, 0)
        .expect_reg_write(MIND_REG_THR_DATA, 1)
        .expect_reg_read(MIND_REG_IRQ_STATUS, MIND_IRQ_STATUS_DONE | MIND_IRQ_STATUS_ERR)
        .expect_reg_write(MIND_REG_IRQ_STATUS, MIND_IRQ_STATUS_ERR)
        .expect_reg_read(MIND_REG_STATUS, MIND_ERR_BUSY << MIND_STATUS_ERR_CODE_SHIFT);
    expect_exactly<BusyError>([&] { b.load_thresholds({1}); }, "loading thresholds: the chip was BUSY");
}

TEST(BoardMock, SoftResetWritesCtrlThenWaitsIdle) {
    MockTransport m(small_params());
    expect_probe(m, small_params());
    BareDriver b(m);
    m.expect_reg_write(MIND_REG_CTRL, MIND_CTRL_SOFT_RESET).expect_wait_idle();
    b.soft_reset();
}

TEST(BoardMock, FieldsSetTheAddressThenReadDataRepeatedly) {
    MockTransport m(small_params());
    expect_probe(m, small_params());
    BareDriver b(m);
    m.expect_reg_write(MIND_REG_FIELD_ADDR, 10)
        .expect_reg_read(MIND_REG_FIELD_DATA, 4)
        .expect_reg_read(MIND_REG_FIELD_DATA, 0xFFFFFFFEu);
    EXPECT_EQ(b.fields(10, 2), (std::vector<int32_t>{4, -2}));
}

TEST(BoardMock, WeightsGoAsOneBurstPerRowAndAnOddTail) {
    MockTransport m(small_params());
    expect_probe(m, small_params());
    BareDriver b(m);
    // 3x3: per row 4 bytes (two int16) then 2 bytes, at row i * N_MAX * 2 in the window.
    WeightMatrix w{3, {1, -1, 2, 3, 4, 5, -6, 7, -8}};
    auto le = [](int16_t v) { return std::vector<uint8_t>{uint8_t(v & 0xFF), uint8_t(uint16_t(v) >> 8)}; };
    for (uint32_t i = 0; i < 3; ++i) {
        const uint32_t row = MIND_CHIP_SYN_BASE + i * 96 * 2;
        std::vector<uint8_t> even = le(w.w[3 * i]);
        const std::vector<uint8_t> second = le(w.w[3 * i + 1]);
        even.insert(even.end(), second.begin(), second.end());
        m.expect_write_block(row, even).expect_write_block(row + 4, le(w.w[3 * i + 2]));
    }
    m.expect_reg_read(MIND_REG_IRQ_STATUS, 0);
    b.load_weights(w);
}

TEST(BoardMock, ABusErrorPropagatesUnchanged) {
    MockTransport m(small_params());
    expect_probe(m, small_params());
    BareDriver b(m);
    m.expect_reg_write(MIND_REG_CTRL, MIND_CTRL_SOFT_RESET)
        .and_throw(std::make_exception_ptr(BusError("mock: no response", MIND_CHIP_BASE + MIND_REG_CTRL)));
    expect_exactly<BusError>([&] { b.soft_reset(); }, "mock: no response");
}
