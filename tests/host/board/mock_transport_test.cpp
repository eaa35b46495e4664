// MockTransport itself: every deviation from the script fails the test with
// both accesses and the index; a script left unfinished fails it at the end.
#include "tests/host/board/mock_transport.h"

#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

using namespace mind1024;
using namespace mind1024::host;
using mind1024::host::test::describe_address;
using mind1024::host::test::MockTransport;
using mind1024::host::test::UnexpectedAccess;

TEST(MockTransport, NamesAddressesFromTheGeneratedHeaders) {
    EXPECT_EQ(describe_address(MIND_CHIP_BASE + MIND_REG_CTRL), "0x40000010 (chip CTRL)");
    EXPECT_EQ(describe_address(MIND_CHIP_BASE + MIND_REG_STATE(3)), "0x4000010C (chip STATE[3])");
    EXPECT_EQ(describe_address(MIND_HOSTIF_ARG_ADDR(1)), "0x50000008 (HOSTIF ARG[1])");
    EXPECT_EQ(describe_address(MIND_HOSTIF_BUF_BASE + 0x40), "0x50010040 (HOSTIF_BUF+0x40)");
    EXPECT_EQ(describe_address(0x10000000), "0x10000000");
}

TEST(MockTransport, AScriptFollowedExactlyPasses) {
    MockTransport m;
    m.expect_reg_read(MIND_REG_ID, 7)
        .expect_reg_write(MIND_REG_CTRL, 1)
        .expect_write_block(MIND_HOSTIF_BUF_BASE, {1, 2, 3})
        .expect_read_block(MIND_HOSTIF_BUF_BASE, {9, 8})
        .expect_wait_idle(0.5)
        .expect_wait_ready(2.0);
    EXPECT_EQ(m.read32(MIND_REG_ID), 7u);
    m.write32(MIND_REG_CTRL, 1);
    const uint8_t out[3] = {1, 2, 3};
    m.board_write_block(MIND_HOSTIF_BUF_BASE, out, 3);
    uint8_t in[2] = {};
    m.board_read_block(MIND_HOSTIF_BUF_BASE, in, 2);
    EXPECT_EQ(in[0], 9);
    EXPECT_EQ(in[1], 8);
    m.wait_idle();
    EXPECT_DOUBLE_EQ(m.now_seconds(), 0.5);
    m.wait_ready(2.0);
    EXPECT_EQ(m.accesses(), 6u);
    EXPECT_EQ(m.remaining(), 0u);
}

TEST(MockTransport, AnotherRegisterFailsNamingBothAndTheIndex) {
    const auto script = [] {
        MockTransport m;
        m.expect_reg_write(MIND_REG_CTRL, 1);
        EXPECT_THROW(m.write32(MIND_REG_MODE, 1), UnexpectedAccess);
    };
    EXPECT_NONFATAL_FAILURE(
        script(),
        "access #0: expected write32 0x40000010 (chip CTRL) <- 0x00000001\n  but got write32 0x40000020 (chip MODE) "
        "<- 0x00000001");
}

TEST(MockTransport, AnotherValueFails) {
    const auto script = [] {
        MockTransport m;
        m.expect_reg_read(MIND_REG_ID, 0).expect_reg_write(MIND_REG_CTRL, 1);
        m.read32(MIND_REG_ID);
        EXPECT_THROW(m.write32(MIND_REG_CTRL, 2), UnexpectedAccess);
    };
    EXPECT_NONFATAL_FAILURE(
        script(),
        "access #1: expected write32 0x40000010 (chip CTRL) <- 0x00000001\n  but got write32 0x40000010 (chip CTRL) "
        "<- 0x00000002\n  (another value)");
}

TEST(MockTransport, AReadWhereAWriteIsExpectedFails) {
    const auto script = [] {
        MockTransport m;
        m.expect_reg_write(MIND_REG_CTRL, 1);
        EXPECT_THROW(m.read32(MIND_REG_CTRL), UnexpectedAccess);
    };
    EXPECT_NONFATAL_FAILURE(script(), "but got read32 0x40000010 (chip CTRL)");
}

TEST(MockTransport, ABlockWithOtherBytesFailsNamingTheFirstDifference) {
    const auto script = [] {
        MockTransport m;
        m.expect_write_block(MIND_HOSTIF_BUF_BASE, {1, 2, 3, 4});
        const uint8_t b[4] = {1, 2, 7, 4};
        EXPECT_THROW(m.board_write_block(MIND_HOSTIF_BUF_BASE, b, 4), UnexpectedAccess);
    };
    EXPECT_NONFATAL_FAILURE(script(), "byte 2 differs: expected [03 04], got [07 04]");
}

TEST(MockTransport, ABlockReadOfAnotherLengthFails) {
    const auto script = [] {
        MockTransport m;
        m.expect_read_block(MIND_HOSTIF_BUF_BASE, {1, 2, 3, 4});
        uint8_t b[8];
        EXPECT_THROW(m.board_read_block(MIND_HOSTIF_BUF_BASE, b, 8), UnexpectedAccess);
    };
    EXPECT_NONFATAL_FAILURE(script(), "(another length)");
}

TEST(MockTransport, WaitReadyWithAnotherLimitFails) {
    const auto script = [] {
        MockTransport m;
        m.expect_wait_ready(11.0);
        EXPECT_THROW(m.wait_ready(12.0), UnexpectedAccess);
    };
    EXPECT_NONFATAL_FAILURE(script(), "expected wait_ready(11 s)\n  but got wait_ready(12 s)");
}

TEST(MockTransport, AnAccessBeyondTheScriptFails) {
    const auto script = [] {
        MockTransport m;
        EXPECT_THROW(m.wait_idle(), UnexpectedAccess);
    };
    EXPECT_NONFATAL_FAILURE(script(), "access #0: expected nothing\n  but got wait_idle");
}

TEST(MockTransport, ExpectationsLeftOverFailAtTheEnd) {
    const auto script = [] {
        MockTransport m;
        m.expect_reg_read(MIND_REG_ID, 0).expect_reg_write(MIND_REG_CTRL, 8).expect_wait_idle();
        m.read32(MIND_REG_ID);
    };
    EXPECT_NONFATAL_FAILURE(script(),
                            "2 expected access(es) never made after 1 made; the next expected, #1, and the rest:\n"
                            "  write32 0x40000010 (chip CTRL) <- 0x00000008\n  wait_idle");
}

TEST(MockTransport, AnInjectedErrorIsThrownAfterTheMatch) {
    MockTransport m;
    m.expect_wait_ready(1.0).and_throw(std::make_exception_ptr(BoardError("late")));
    EXPECT_THROW(m.wait_ready(1.0), BoardError);
    EXPECT_EQ(m.remaining(), 0u);
}
