// The board platform without its CPU, driven through the host port: the
// router's table, the memories, each device, and the interrupt lines. One
// elaboration per process (gtest_discover_tests runs each case on its own).
#include "sysc/board/platform.h"

#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

#include "mind1024_board.h"
#include "mind1024_regs.h"
#include "tests/support/tlm_initiator.h"

using namespace mind1024;
using namespace mind1024::board;
using sc_core::sc_time;
using sc_core::SC_US;
using sc_core::SC_NS;

namespace {

BoardConfig chip_only() {
    BoardConfig c;
    c.with_cpu = false;
    return c;
}

struct Bench {
    Mind1024Board board{"board", chip_only()};
    Bench() { sc_core::sc_start(sc_core::SC_ZERO_TIME); }

    // The response as it is (the tests look at error responses).
    tlm::tlm_response_status access(bool write, uint64_t addr, uint32_t& v, unsigned size = 4,
                                    sc_time* delay_out = nullptr) {
        sc_time d = sc_core::SC_ZERO_TIME;
        const tlm::tlm_response_status r = test::transfer(
            board.host_port().socket, write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND, addr, &v, size, d);
        if (delay_out) *delay_out = d;
        return r;
    }
    // An error response throws, naming the access.
    uint32_t rd(uint64_t addr) {
        sc_time d = sc_core::SC_ZERO_TIME;
        return test::read32(board.host_port().socket, addr, d);
    }
    void wr(uint64_t addr, uint32_t v) {
        sc_time d = sc_core::SC_ZERO_TIME;
        test::write32(board.host_port().socket, addr, v, d);
    }
};

}  // namespace

TEST(Platform, RouterTableIsTheMemoryMap) {
    Bench b;
    const auto& r = b.board.router().regions();
    ASSERT_EQ(r.size(), static_cast<size_t>(MIND_BOARD_REGION_COUNT));
    EXPECT_EQ(r.front().name, "ROM");
    EXPECT_EQ(find_region(MIND_CHIP_SYN_BASE + 10).value(), 4u);
    EXPECT_EQ(r[1].name, "CLINT");
    EXPECT_FALSE(find_region(MIND_SRAM_BASE + MIND_SRAM_SIZE).has_value());
}

TEST(Platform, UnmappedAndStraddlingAccessesAreAddressErrors) {
    Bench b;
    uint32_t v = 0;
    EXPECT_EQ(b.access(false, 0x10000000, v), tlm::TLM_ADDRESS_ERROR_RESPONSE);
    EXPECT_EQ(b.access(false, MIND_SRAM_BASE + MIND_SRAM_SIZE - 2, v), tlm::TLM_ADDRESS_ERROR_RESPONSE);
}

TEST(Platform, CheckedAccessesThrowNamingTheAccess) {
    Bench b;
    try {
        b.rd(0x10000000);
        ADD_FAILURE() << "no exception";
    } catch (const std::runtime_error& e) {
        EXPECT_STREQ(e.what(), "bus read of 4 bytes at 0x10000000 failed: TLM_ADDRESS_ERROR_RESPONSE");
    }
}

TEST(Platform, RomRefusesBusWritesAndSramKeepsThem) {
    Bench b;
    uint32_t v = 0x12345678;
    EXPECT_EQ(b.access(true, MIND_ROM_BASE + 0x100, v), tlm::TLM_COMMAND_ERROR_RESPONSE);
    EXPECT_EQ(b.rd(MIND_ROM_BASE + 0x100), 0u);
    b.wr(MIND_SRAM_BASE + 0x40, 0xCAFEF00D);
    EXPECT_EQ(b.rd(MIND_SRAM_BASE + 0x40), 0xCAFEF00Du);
    uint16_t h = 0;
    uint32_t w = 0;
    EXPECT_EQ(b.access(false, MIND_SRAM_BASE + 0x42, w, 2), tlm::TLM_OK_RESPONSE);
    std::memcpy(&h, &w, 2);
    EXPECT_EQ(h, 0xCAFE);
}

TEST(Platform, EachAccessCostsItsRegionLatency) {
    Bench b;
    const sc_time cpu_cycle(1.0 / MIND_CPU_CLOCK_HZ, sc_core::SC_SEC);
    sc_time d;
    uint32_t v = 0;
    b.access(false, MIND_UART_BASE + MIND_UART_REG_STATUS, v, 4, &d);
    EXPECT_EQ(d, static_cast<double>(MIND_UART_LATENCY_CYCLES) * cpu_cycle);
    b.access(false, MIND_SRAM_BASE, v, 4, &d);
    EXPECT_EQ(d, static_cast<double>(MIND_SRAM_LATENCY_CYCLES) * cpu_cycle);
    // The chip adds its own 2 chip-clock cycles per register access (contract section 1).
    b.access(false, MIND_CHIP_BASE + MIND_REG_ID, v, 4, &d);
    EXPECT_EQ(d, 2 * b.board.chip().clock_period());
}

TEST(Platform, ChipRegistersAndSynapseWindowThroughTheRouter) {
    Bench b;
    EXPECT_EQ(b.rd(MIND_CHIP_BASE + MIND_REG_ID), MIND_ID_VALUE);
    b.wr(MIND_CHIP_SYN_BASE + 4, 0x0005FFFD);  // J[0][2] = -3, J[0][3] = 5
    EXPECT_EQ(b.board.chip().syn.at(2), -3);
    EXPECT_EQ(b.board.chip().syn.at(3), 5);
    uint32_t v = 0;
    EXPECT_EQ(b.access(false, MIND_CHIP_BASE + MIND_REG_ID, v, 2), tlm::TLM_BURST_ERROR_RESPONSE);
}

TEST(Platform, UartSendsTheLowByteToItsSink) {
    Bench b;
    std::string out;
    b.board.uart().sink = [&](char c) { out += c; };
    b.wr(MIND_UART_BASE + MIND_UART_REG_DATA, 0x4100 | 'h');
    b.wr(MIND_UART_BASE + MIND_UART_REG_DATA, 'i');
    EXPECT_EQ(out, "hi");
    EXPECT_EQ(b.rd(MIND_UART_BASE + MIND_UART_REG_STATUS) & MIND_UART_STATUS_TX_READY, MIND_UART_STATUS_TX_READY);
    uint32_t v = 0;
    EXPECT_EQ(b.access(false, MIND_UART_BASE + 0x10, v), tlm::TLM_ADDRESS_ERROR_RESPONSE);
    EXPECT_EQ(b.rd(MIND_UART_BASE + MIND_UART_REG_RX), 0u);  // nothing received: VALID clear
    EXPECT_EQ(b.rd(MIND_UART_BASE + MIND_UART_REG_STATUS) & MIND_UART_STATUS_RX_OPEN, 0u);  // no input
    EXPECT_EQ(b.access(false, MIND_UART_BASE + MIND_UART_REG_DATA, v), tlm::TLM_ADDRESS_ERROR_RESPONSE);  // write-only
}

TEST(Platform, TimerCountsMicrosecondsIncludingTheAccessOffsetAndInterruptsAtCompare) {
    Bench b;
    sc_core::sc_start(sc_time(5, SC_US));
    EXPECT_EQ(b.rd(MIND_TIMER_BASE + MIND_TIMER_REG_TIME_LO), 5u);
    EXPECT_EQ(b.rd(MIND_TIMER_BASE + MIND_TIMER_REG_TIME_HI), 0u);
    b.wr(MIND_TIMER_BASE + MIND_TIMER_REG_CMP_HI, 0);
    b.wr(MIND_TIMER_BASE + MIND_TIMER_REG_CMP_LO, 20);
    b.wr(MIND_TIMER_BASE + MIND_TIMER_REG_IRQ_EN, MIND_TIMER_IRQ_EN_CMP);
    sc_core::sc_start(sc_time(10, SC_US));
    EXPECT_FALSE(b.board.ext_irq());
    sc_core::sc_start(sc_time(6, SC_US));  // t = 21 us
    EXPECT_TRUE(b.board.ext_irq());
    EXPECT_EQ(b.rd(MIND_SYSCTRL_BASE + MIND_SYSCTRL_REG_IRQ_SOURCES), MIND_SYSCTRL_IRQ_SOURCES_TIMER);
    b.wr(MIND_TIMER_BASE + MIND_TIMER_REG_IRQ_EN, 0);
    b.wr(MIND_TIMER_BASE + MIND_TIMER_REG_IRQ_STATUS, MIND_TIMER_IRQ_STATUS_CMP);
    sc_core::sc_start(sc_time(1, SC_NS));
    EXPECT_FALSE(b.board.ext_irq());
    uint32_t v = 1;
    EXPECT_EQ(b.access(true, MIND_TIMER_BASE + MIND_TIMER_REG_TIME_LO, v), tlm::TLM_ADDRESS_ERROR_RESPONSE);
}

TEST(Platform, ClintCountsMtimeAndDrivesTheTimerAndSoftwareLines) {
    Bench b;
    sc_core::sc_start(sc_time(5, SC_US));
    EXPECT_EQ(b.rd(MIND_CLINT_MTIME_LO_ADDR), 5u);
    EXPECT_EQ(b.rd(MIND_CLINT_MTIME_HI_ADDR), 0u);
    EXPECT_EQ(b.rd(MIND_CLINT_MTIMECMP_LO_ADDR), 0xFFFFFFFFu);  // reset: never
    EXPECT_EQ(b.rd(MIND_CLINT_MTIMECMP_HI_ADDR), 0xFFFFFFFFu);
    b.wr(MIND_CLINT_MTIMECMP_HI_ADDR, 0);
    b.wr(MIND_CLINT_MTIMECMP_LO_ADDR, 20);
    sc_core::sc_start(sc_time(10, SC_US));
    EXPECT_FALSE(b.board.clint_mtip());
    sc_core::sc_start(sc_time(6, SC_US));  // t = 21 us
    EXPECT_TRUE(b.board.clint_mtip());
    EXPECT_FALSE(b.board.ext_irq());  // the CLINT's lines are not the external interrupt
    b.wr(MIND_CLINT_MTIME_LO_ADDR, 3);  // MTIME is writable: now 3
    sc_core::sc_start(sc_time(1, SC_NS));
    EXPECT_EQ(b.rd(MIND_CLINT_MTIME_LO_ADDR), 3u);
    EXPECT_FALSE(b.board.clint_mtip());
    sc_core::sc_start(sc_time(17, SC_US));  // MTIME 20
    EXPECT_TRUE(b.board.clint_mtip());
    EXPECT_FALSE(b.board.clint_msip());
    b.wr(MIND_CLINT_MSIP_ADDR, 0xFFFFFFFFu);
    EXPECT_EQ(b.rd(MIND_CLINT_MSIP_ADDR), 1u);  // one bit
    sc_core::sc_start(sc_time(1, SC_NS));
    EXPECT_TRUE(b.board.clint_msip());
    b.wr(MIND_CLINT_MSIP_ADDR, 0);
    sc_core::sc_start(sc_time(1, SC_NS));
    EXPECT_FALSE(b.board.clint_msip());
    uint32_t v = 0;
    EXPECT_EQ(b.access(false, MIND_CLINT_BASE + 0x8, v), tlm::TLM_ADDRESS_ERROR_RESPONSE);
}

TEST(Platform, DoorbellRaisesTheExternalInterruptOnlyWhenEnabled) {
    Bench b;
    b.wr(MIND_HOSTIF_BASE + MIND_HOSTIF_REG_CMD, 7);
    b.wr(MIND_HOSTIF_BASE + MIND_HOSTIF_REG_ARG(3), 99);
    b.wr(MIND_HOSTIF_BASE + MIND_HOSTIF_REG_DOORBELL, 1);
    sc_core::sc_start(sc_time(1, SC_NS));
    EXPECT_FALSE(b.board.ext_irq());
    EXPECT_EQ(b.rd(MIND_HOSTIF_BASE + MIND_HOSTIF_REG_IRQ_STATUS), MIND_HOSTIF_IRQ_STATUS_DOORBELL);
    b.wr(MIND_HOSTIF_BASE + MIND_HOSTIF_REG_IRQ_EN, MIND_HOSTIF_IRQ_EN_DOORBELL);
    sc_core::sc_start(sc_time(1, SC_NS));
    EXPECT_TRUE(b.board.ext_irq());
    EXPECT_EQ(b.rd(MIND_SYSCTRL_BASE + MIND_SYSCTRL_REG_IRQ_SOURCES), MIND_SYSCTRL_IRQ_SOURCES_HOSTIF);
    EXPECT_EQ(b.rd(MIND_HOSTIF_BASE + MIND_HOSTIF_REG_CMD), 7u);
    EXPECT_EQ(b.rd(MIND_HOSTIF_BASE + MIND_HOSTIF_REG_ARG(3)), 99u);
    EXPECT_EQ(b.rd(MIND_HOSTIF_BASE + MIND_HOSTIF_REG_BUF_SIZE), MIND_HOSTIF_BUF_SIZE);
    b.wr(MIND_HOSTIF_BASE + MIND_HOSTIF_REG_IRQ_STATUS, MIND_HOSTIF_IRQ_STATUS_DOORBELL);
    sc_core::sc_start(sc_time(1, SC_NS));
    EXPECT_FALSE(b.board.ext_irq());
    b.wr(MIND_HOSTIF_BUF_BASE + MIND_HOSTIF_BUF_SIZE - 4, 0xABCD);
    EXPECT_EQ(b.rd(MIND_HOSTIF_BUF_BASE + MIND_HOSTIF_BUF_SIZE - 4), 0xABCDu);
}

TEST(Platform, ChipDoneInterruptReachesTheCpuLine) {
    Bench b;
    b.wr(MIND_CHIP_BASE + MIND_REG_IRQ_EN, MIND_IRQ_EN_DONE);
    b.wr(MIND_CHIP_BASE + MIND_REG_N_ACTIVE, 16);
    b.wr(MIND_CHIP_BASE + MIND_REG_CTRL, MIND_CTRL_STEP);
    EXPECT_FALSE(b.board.ext_irq());
    sc_core::sc_start();  // the step ends; nothing else runs
    EXPECT_TRUE(b.board.ext_irq());
    EXPECT_EQ(b.rd(MIND_SYSCTRL_BASE + MIND_SYSCTRL_REG_IRQ_SOURCES), MIND_SYSCTRL_IRQ_SOURCES_CHIP);
}

TEST(Platform, IrqEnableMasksASourceFromTheCpuLine) {
    Bench b;
    EXPECT_EQ(b.rd(MIND_SYSCTRL_BASE + MIND_SYSCTRL_REG_IRQ_ENABLE),
              MIND_SYSCTRL_IRQ_ENABLE_CHIP | MIND_SYSCTRL_IRQ_ENABLE_HOSTIF | MIND_SYSCTRL_IRQ_ENABLE_TIMER |
                  MIND_SYSCTRL_IRQ_ENABLE_UART);  // reset: all
    b.wr(MIND_SYSCTRL_BASE + MIND_SYSCTRL_REG_IRQ_ENABLE, MIND_SYSCTRL_IRQ_ENABLE_HOSTIF);
    b.wr(MIND_CHIP_BASE + MIND_REG_IRQ_EN, MIND_IRQ_EN_DONE);
    b.wr(MIND_CHIP_BASE + MIND_REG_N_ACTIVE, 16);
    b.wr(MIND_CHIP_BASE + MIND_REG_CTRL, MIND_CTRL_STEP);
    sc_core::sc_start();
    EXPECT_EQ(b.rd(MIND_SYSCTRL_BASE + MIND_SYSCTRL_REG_IRQ_SOURCES), MIND_SYSCTRL_IRQ_SOURCES_CHIP);
    EXPECT_FALSE(b.board.ext_irq()) << "a masked source reached the CPU";
    b.wr(MIND_SYSCTRL_BASE + MIND_SYSCTRL_REG_IRQ_ENABLE, MIND_SYSCTRL_IRQ_ENABLE_CHIP | 0xF0);  // extra bits ignored
    sc_core::sc_start(sc_time(1, SC_NS));
    EXPECT_TRUE(b.board.ext_irq());
    EXPECT_EQ(b.rd(MIND_SYSCTRL_BASE + MIND_SYSCTRL_REG_IRQ_ENABLE), MIND_SYSCTRL_IRQ_ENABLE_CHIP);
}

TEST(Platform, ExitWithoutACpuIsRecordedForTheRunner) {
    Bench b;
    EXPECT_FALSE(b.board.exit_code().has_value());
    b.wr(MIND_SYSCTRL_BASE + MIND_SYSCTRL_REG_EXIT, 7);
    EXPECT_EQ(b.board.exit_code().value_or(0), 7u);
    EXPECT_EQ(b.rd(MIND_SYSCTRL_BASE + MIND_SYSCTRL_REG_CPU_HZ), static_cast<uint32_t>(MIND_CPU_CLOCK_HZ));
}
