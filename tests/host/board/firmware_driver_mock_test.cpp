// FirmwareDriver over MockTransport: the VERSION handshake and SET_LIMIT of
// its constructor, commands through the mailbox in the protocol's order
// (firmware/lib/mind_fw_protocol.h), and the firmware's error responses as
// typed errors naming the command. No SystemC, no firmware.
#include "host/board/firmware_driver.h"
#include "host/board/errors.h"

#include <array>
#include <ostream>
#include <vector>

#include <gtest/gtest.h>

#include "firmware/lib/mind_fw_protocol.h"
#include "mind1024_board.h"
#include "mind1024_regs.h"
#include "tests/host/board/mock_transport.h"

using namespace mind1024;
using namespace mind1024::host;
using mind1024::host::test::config_word;
using mind1024::host::test::expect_exactly;
using mind1024::host::test::MockTransport;
using mind1024::host::test::small_params;

namespace {


// The host's wait for a command of the default 10 s limit: 5% and half a second more.
constexpr double kWait_s = 10.0 * 1.05 + 0.5;

std::array<uint32_t, 8> version_results(const ChipParams& p, uint32_t protocol = MIND_FW_PROTOCOL_VERSION) {
    std::array<uint32_t, 8> r{};
    r[MIND_FW_VERSION_RES_FIRMWARE] = 0x00010002;
    r[MIND_FW_VERSION_RES_PROTOCOL] = protocol;
    r[MIND_FW_VERSION_RES_CAPS] = MIND_FW_CAP_TAGS | MIND_FW_CAP_TIME_LIMIT;
    r[MIND_FW_VERSION_RES_CONFIG] = config_word(p);
    r[MIND_FW_VERSION_RES_CHIP_ID] = MIND_ID_VALUE;
    r[MIND_FW_VERSION_RES_CHIP_VERSION] = 0x00010000;
    r[MIND_FW_VERSION_RES_BUF_BYTES] = MIND_HOSTIF_BUF_SIZE;
    r[MIND_FW_VERSION_RES_LIMIT_MS] = MIND_FW_DEFAULT_LIMIT_MS;
    return r;
}

// One command as the protocol header states it, the tag counting from 1:
// ARGs, CMD, payload, READY = 0, DOORBELL = 1, wait for READY, RESP, RESULTs.
class Mailbox {
public:
    explicit Mailbox(MockTransport& m) : m_(m) {}

    Mailbox& send(uint32_t code, const std::vector<uint32_t>& args, const std::vector<uint8_t>& payload = {},
                  double wait_s = kWait_s, double advance_s = 0) {
        for (uint32_t k = 0; k < args.size(); ++k) m_.expect_write32(MIND_HOSTIF_ARG_ADDR(k), args[k]);
        ++tag;
        m_.expect_write32(MIND_HOSTIF_CMD_ADDR, MIND_FW_CMD_WORD(code, tag));
        if (!payload.empty()) m_.expect_write_block(MIND_HOSTIF_BUF_BASE, payload);
        m_.expect_write32(MIND_HOSTIF_READY_ADDR, 0).expect_write32(MIND_HOSTIF_DOORBELL_ADDR, 1);
        m_.expect_wait_ready(wait_s, advance_s);
        return *this;
    }
    Mailbox& answer(uint32_t resp, const std::vector<uint32_t>& results = {}) {
        m_.expect_read32(MIND_HOSTIF_RESP_ADDR, MIND_FW_RESP_WORD(resp, tag));
        for (uint32_t k = 0; k < results.size(); ++k) m_.expect_read32(MIND_HOSTIF_RESULT_ADDR(k), results[k]);
        return *this;
    }
    // The constructor: VERSION, then SET_LIMIT of the default 10 s.
    Mailbox& handshake(const ChipParams& p) {
        const auto v = version_results(p);
        send(MIND_FW_CMD_VERSION, {}).answer(MIND_FW_OK, {v.begin(), v.end()});
        return send(MIND_FW_CMD_SET_LIMIT, {10000}).answer(MIND_FW_OK, {10000});
    }

    uint16_t tag = 0;

private:
    MockTransport& m_;
};

std::vector<uint8_t> le_words(const std::vector<uint32_t>& w) {
    std::vector<uint8_t> b;
    for (uint32_t v : w)
        for (int i = 0; i < 4; ++i) b.push_back(static_cast<uint8_t>(v >> (8 * i)));
    return b;
}

}  // namespace

// Spelled out access by access: the one sequence every other test builds on.
TEST(FirmwareDriverMock, VersionHandshakeThenSetLimit) {
    const ChipParams p = small_params();
    const auto v = version_results(p);
    MockTransport m(p);
    m.expect_write32(MIND_HOSTIF_CMD_ADDR, (1u << 16) | MIND_FW_CMD_VERSION)  // tag 1, no ARGs
        .expect_write32(MIND_HOSTIF_READY_ADDR, 0)
        .expect_write32(MIND_HOSTIF_DOORBELL_ADDR, 1)
        .expect_wait_ready(kWait_s)
        .expect_read32(MIND_HOSTIF_RESP_ADDR, (1u << 16) | MIND_FW_OK);
    for (uint32_t k = 0; k < MIND_FW_RESULTS; ++k) m.expect_read32(MIND_HOSTIF_RESULT_ADDR(k), v[k]);
    m.expect_write32(MIND_HOSTIF_ARG_ADDR(0), 10000)  // the 10 s limit in ms
        .expect_write32(MIND_HOSTIF_CMD_ADDR, (2u << 16) | MIND_FW_CMD_SET_LIMIT)
        .expect_write32(MIND_HOSTIF_READY_ADDR, 0)
        .expect_write32(MIND_HOSTIF_DOORBELL_ADDR, 1)
        .expect_wait_ready(kWait_s)
        .expect_read32(MIND_HOSTIF_RESP_ADDR, (2u << 16) | MIND_FW_OK)
        .expect_read32(MIND_HOSTIF_RESULT_ADDR(0), 10000);
    FirmwareDriver d(m);
    EXPECT_EQ(d.info().firmware_version, 0x00010002u);
    EXPECT_EQ(d.info().protocol_version, MIND_FW_PROTOCOL_VERSION);
    EXPECT_EQ(d.info().config, config_word(p));
    EXPECT_EQ(d.info().chip_id, MIND_ID_VALUE);
    EXPECT_EQ(d.info().buf_bytes, MIND_HOSTIF_BUF_SIZE);
    EXPECT_EQ(d.info().limit_ms, 10000u);  // SET_LIMIT's answer, not VERSION's
    EXPECT_EQ(d.params().n_max, 96u);
    EXPECT_EQ(d.name(), "firmware/mock");
}

TEST(FirmwareDriverMock, AnotherProtocolMajorStopsAfterVersion) {
    MockTransport m(small_params());
    Mailbox mb(m);
    const auto v = version_results(small_params(), (MIND_FW_PROTOCOL_MAJOR + 1) << 16 | 3);
    mb.send(MIND_FW_CMD_VERSION, {}).answer(MIND_FW_OK, {v.begin(), v.end()});
    expect_exactly<BoardError>([&] { FirmwareDriver d(m); }, "speaks mailbox protocol 2.3; this host speaks 1.0");
}

TEST(FirmwareDriverMock, ConfigDisagreeingWithTheBoardIsRefused) {
    ChipParams other = small_params();
    other.wbits = 8;
    MockTransport m(small_params());
    Mailbox mb(m);
    const auto v = version_results(other);
    mb.send(MIND_FW_CMD_VERSION, {}).answer(MIND_FW_OK, {v.begin(), v.end()});
    expect_exactly<BoardError>([&] { FirmwareDriver d(m); }, "reports CONFIG N_MAX=96 WBITS=8 ABITS=12 LANES=8");
}

TEST(FirmwareDriverMock, LoadThresholdsIsOneCommandWithItsPayload) {
    MockTransport m(small_params());
    Mailbox mb(m);
    mb.handshake(small_params());
    FirmwareDriver d(m);
    // ARG FIRST = 0, COUNT = 3; int32 little-endian in the buffer; no RESULT read on OK.
    mb.send(MIND_FW_CMD_LOAD_THRESHOLDS, {0, 3}, le_words({5, 0xFFFFFFFDu, 2047})).answer(MIND_FW_OK);
    d.load_thresholds({5, -3, 2047});
}

TEST(FirmwareDriverMock, RunSendsItsArgumentsAndReadsSixResults) {
    MockTransport m(small_params());
    Mailbox mb(m);
    mb.handshake(small_params());
    FirmwareDriver d(m);
    RunParams p;
    p.order = Order::AsyncPerm;
    p.noise = true;
    p.temp = 9;
    p.seed = 1234;
    p.max_sweeps = 30;
    p.n_active = 0;  // N_MAX
    mb.send(MIND_FW_CMD_RUN, {MIND_ORDER_ASYNC_PERM | MIND_FW_MODE_NOISE_EN, 96, 30, 9, 1234}, {}, kWait_s, 0.125)
        .answer(MIND_FW_OK, {MIND_STATUS_DONE | MIND_STATUS_CONVERGED, 4, 21, 1, 0x10, 0x2});
    const RunResult r = d.run(p);
    EXPECT_TRUE(r.converged);
    EXPECT_FALSE(r.cycle2);
    EXPECT_EQ(r.sweeps, 4u);
    EXPECT_EQ(r.flips, 21u);
    EXPECT_EQ(r.ovf_count, 1u);
    EXPECT_EQ(r.cycles, (uint64_t{2} << 32) | 0x10);
    EXPECT_DOUBLE_EQ(r.sim_seconds, 0.125);
}

TEST(FirmwareDriverMock, StateIsReadStateThenTheBitWordsFromTheBuffer) {
    MockTransport m(small_params());
    Mailbox mb(m);
    mb.handshake(small_params());
    FirmwareDriver d(m);
    mb.send(MIND_FW_CMD_READ_STATE, {96}).answer(MIND_FW_OK);
    m.expect_read_block(MIND_HOSTIF_BUF_BASE, le_words({0x00000005u, 0x80000000u, 0xFFFFFFFFu}));
    const std::vector<int8_t> s = d.state();
    ASSERT_EQ(s.size(), 96u);
    EXPECT_EQ(s[0], 1);
    EXPECT_EQ(s[1], -1);
    EXPECT_EQ(s[2], 1);
    EXPECT_EQ(s[63], 1);
    EXPECT_EQ(s[62], -1);
    EXPECT_EQ(s[95], 1);
}

TEST(FirmwareDriverMock, AnswerWithAnotherTagIsOutOfStep) {
    MockTransport m(small_params());
    Mailbox mb(m);
    mb.handshake(small_params());
    FirmwareDriver d(m);
    mb.send(MIND_FW_CMD_SOFT_RESET, {});
    m.expect_read32(MIND_HOSTIF_RESP_ADDR, MIND_FW_RESP_WORD(MIND_FW_OK, 2));  // the previous command's tag
    expect_exactly<BoardError>([&] { d.soft_reset(); },
                               "firmware command SOFT_RESET (tag 3): the firmware answered with tag 2");
}

// No READY in time: a BoardError naming the command; the next command first
// waits for that answer (its tag) before it writes anything.
TEST(FirmwareDriverMock, NoAnswerThenTheNextCommandResyncsFirst) {
    MockTransport m(small_params());
    Mailbox mb(m);
    mb.handshake(small_params());
    FirmwareDriver d(m);
    mb.send(MIND_FW_CMD_SOFT_RESET, {});
    m.and_throw(std::make_exception_ptr(BoardError("mock: no READY")));
    expect_exactly<BoardError>([&] { d.soft_reset(); },
                               "firmware command SOFT_RESET: no answer from the firmware: mock: no READY");
    m.expect_wait_ready(kWait_s).expect_read32(MIND_HOSTIF_RESP_ADDR, MIND_FW_RESP_WORD(MIND_FW_OK, 3));
    mb.send(MIND_FW_CMD_CLEAR_SYN, {}).answer(MIND_FW_OK);
    d.clear_synapses();
}

TEST(FirmwareDriverMock, ABusErrorWhileWaitingPropagatesUnchanged) {
    MockTransport m(small_params());
    Mailbox mb(m);
    mb.handshake(small_params());
    FirmwareDriver d(m);
    mb.send(MIND_FW_CMD_CLEAR_SYN, {});
    m.and_throw(std::make_exception_ptr(BusError("mock: link dropped", MIND_HOSTIF_READY_ADDR)));
    expect_exactly<BusError>([&] { d.clear_synapses(); }, "mock: link dropped");
}

TEST(FirmwareDriverMock, BadArgumentsAreRefusedBeforeAnyAccess) {
    MockTransport m(small_params());
    Mailbox mb(m);
    mb.handshake(small_params());
    FirmwareDriver d(m);
    expect_exactly<BadArgument>([&] { d.hebb(97); }, "hebb: n_active = 97 exceeds N_MAX");
    expect_exactly<BadArgument>([&] { d.load_thresholds({0, 4096}); }, "threshold[1] = 4096");
}

// An error response: RESULT[0..2] read (at least three), then the typed error naming the command.
namespace {
enum class Err { BadArgument, Busy, Board };
struct ResponseCase {
    const char* name;  // printed: ctest names the case by it
    uint32_t resp;
    std::array<uint32_t, 3> detail;
    Err type;
    const char* message;
};
void PrintTo(const ResponseCase& c, std::ostream* os) { *os << c.name; }
}  // namespace
class FirmwareDriverMockResponse : public testing::TestWithParam<ResponseCase> {};

TEST_P(FirmwareDriverMockResponse, HebbErrorBecomesTheTypedErrorNamingHebb) {
    const ResponseCase c = GetParam();
    MockTransport m(small_params());
    Mailbox mb(m);
    mb.handshake(small_params());
    FirmwareDriver d(m);
    mb.send(MIND_FW_CMD_HEBB, {40}).answer(c.resp, {c.detail.begin(), c.detail.end()});
    const auto hebb = [&] { d.hebb(40); };
    switch (c.type) {
        case Err::BadArgument: expect_exactly<BadArgument>(hebb, c.message); break;
        case Err::Busy: expect_exactly<BusyError>(hebb, c.message); break;
        case Err::Board: expect_exactly<BoardError>(hebb, c.message); break;
    }
}

INSTANTIATE_TEST_SUITE_P(
    Codes, FirmwareDriverMockResponse,
    testing::Values(
        ResponseCase{"E_UNKNOWN_CMD",
                     MIND_FW_E_UNKNOWN_CMD,
                     {MIND_FW_CMD_HEBB, 0, 0},
                     Err::BadArgument,
                     "firmware command HEBB: the firmware does not know command 0x0023"},
        ResponseCase{"E_BAD_ARG",
                     MIND_FW_E_BAD_ARG,
                     {MIND_FW_HEBB_ARG_N_ACTIVE, 40, 0},
                     Err::BadArgument,
                     "firmware command HEBB: the firmware refused ARG[0] = 40"},
        ResponseCase{"E_RANGE",
                     MIND_FW_E_RANGE,
                     {5, 0xFFFFFF00u, 0},
                     Err::BadArgument,
                     "firmware command HEBB: payload value 5 = -256 does not fit"},
        ResponseCase{"E_BUSY", MIND_FW_E_BUSY, {0, 0, 0}, Err::Busy, "firmware command HEBB: the chip was BUSY"},
        ResponseCase{"E_CHIP_BUSY",
                     MIND_FW_E_CHIP,
                     {MIND_ERR_BUSY, 0x123, 0},
                     Err::Busy,
                     "firmware command HEBB: the chip was BUSY and ignored it (STATUS 0x00000123)"},
        ResponseCase{"E_CHIP_BAD_ARG",
                     MIND_FW_E_CHIP,
                     {MIND_ERR_BAD_ARG, 0x223, 0},
                     Err::BadArgument,
                     "firmware command HEBB: the chip answered BAD_ARG (STATUS 0x00000223)"},
        ResponseCase{"E_CHIP_other",
                     MIND_FW_E_CHIP,
                     {9, 0x923, 0},
                     Err::Board,
                     "firmware command HEBB: the chip reported error code 9 (STATUS 0x00000923)"},
        ResponseCase{"E_TIMEOUT",
                     MIND_FW_E_TIMEOUT,
                     {10000, 0x1, 0},
                     Err::Board,
                     "firmware command HEBB: the chip had not finished within the firmware's limit of 10000 ms"},
        ResponseCase{
            "unknown_response", 99, {0, 0, 0}, Err::Board, "firmware command HEBB: unknown response code 99"}));
