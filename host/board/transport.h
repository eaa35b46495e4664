// Transport: how the host reaches a board's bus. Board addresses follow the
// board's memory map (chip registers at MIND_CHIP_BASE, synapse window at
// MIND_CHIP_SYN_BASE, mailbox at MIND_HOSTIF_BASE, its buffer, SRAM).
// InProcessTransport links the simulated board into the process;
// SocketTransport (host/link) reaches a board process over a socket. Board
// (bare mode, register by register) and FirmwareDriver (commands to the
// firmware through the mailbox) work over either.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "sysc/chip_params.h"
#include "sysc/fault_plan.h"
#include "host/board/errors.h"
#include "mind1024_board.h"

namespace mind1024::host {

// A host's sequence of bus operations (board addresses), run in order by
// Transport::run_ops: the answers are one value per Read32 and one board time
// (seconds) per Time. WriteMasked writes (old & ~mask) | (value & mask).
struct BusOp {
    enum class Kind { Read32, Write32, WriteMasked, WaitIdle, Time };
    Kind kind = Kind::Read32;
    uint32_t addr = 0, value = 0, mask = 0;
};
struct BusAnswers {
    std::vector<uint32_t> reads;
    std::vector<double> times;
};

class Transport {
public:
    virtual ~Transport() = default;
    // Throw BusError on an error response.
    virtual uint32_t board_read32(uint32_t addr) = 0;
    virtual void board_write32(uint32_t addr, uint32_t v) = 0;
    virtual void board_read_block(uint32_t addr, void* dst, uint32_t bytes) = 0;
    virtual void board_write_block(uint32_t addr, const void* src, uint32_t bytes) = 0;
    // Lets the board run until the chip's engine is idle.
    virtual void wait_idle() = 0;
    // Lets the board run until HOSTIF.READY != 0 (the firmware answered); a
    // BoardError naming the limit after `limit_s` of simulated time.
    virtual void wait_ready(double limit_s) = 0;
    // Simulated (or real) board time in seconds.
    virtual double now_seconds() const = 0;
    virtual std::string name() const = 0;
    // The chip's parameters as the board states them (CONFIG cannot hold latency and clock).
    virtual ChipParams chip_params() const = 0;
    // Fault injection into the chip (sysc/fault_plan.h): only a chip in this
    // process can take it; a board process refuses with a BadArgument.
    virtual void set_faults(const FaultPlan& plan) {
        (void)plan;
        throw BadArgument(fmt::format("faults are injected into a chip in this process (--model reference, or "
                                      "--board inproc); {} is a board process, whose chip this process cannot reach",
                                      name()));
    }
    virtual bool takes_faults() const { return false; }

    // Runs `ops` in order, as the single calls above would: this default makes
    // those calls; a board process takes them in one request (link BATCH).
    virtual BusAnswers run_ops(const std::vector<BusOp>& ops) {
        BusAnswers a;
        for (const BusOp& op : ops) switch (op.kind) {
                case BusOp::Kind::Read32: a.reads.push_back(board_read32(op.addr)); break;
                case BusOp::Kind::Write32: board_write32(op.addr, op.value); break;
                case BusOp::Kind::WriteMasked:
                    board_write32(op.addr, (board_read32(op.addr) & ~op.mask) | (op.value & op.mask));
                    break;
                case BusOp::Kind::WaitIdle: wait_idle(); break;
                case BusOp::Kind::Time: a.times.push_back(now_seconds()); break;
            }
        return a;
    }

    // Chip-relative addresses: registers at 0, synapse window at MIND_SYN_WINDOW_OFFSET.
    uint32_t read32(uint64_t addr) { return board_read32(chip_address(addr)); }
    void write32(uint64_t addr, uint32_t v) { board_write32(chip_address(addr), v); }
    void read_block(uint64_t addr, void* dst, uint32_t bytes) { board_read_block(chip_address(addr), dst, bytes); }
    void write_block(uint64_t addr, const void* src, uint32_t bytes) {
        board_write_block(chip_address(addr), src, bytes);
    }

    static uint32_t chip_address(uint64_t addr) {
        if (addr >= MIND_CHIP_SYN_BASE - MIND_CHIP_BASE + MIND_CHIP_SYN_SIZE)
            throw BusError(fmt::format("chip offset 0x{:X} is beyond the chip's register block and window", addr), addr);
        return static_cast<uint32_t>(MIND_CHIP_BASE + addr);
    }
};

}  // namespace mind1024::host
