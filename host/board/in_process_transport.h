// The board simulated in this process: the SystemC platform of sysc/board
// (chip-only by default; with the controller CPU when firmware is given),
// reached through the board's host port. SystemC elaborates once per
// process, so there is one such board per process: open() hands out the
// same instance again when the parameters agree, and refuses otherwise.
//
// Time: every access costs its simulated bus time; the host port's driver
// (sysc/board/host_port_driver.h) lets the chip run meanwhile, so a host
// polling STATUS sees a run finish, and wait_idle() returns at the chip's
// DONE, not when the kernel runs out of events.
//
// A second open() with the same parameters re-applies the options' faults and
// datapath to the one board (VCD and firmware are fixed at the first).
#pragma once
#include <memory>
#include <string>

#include "host/board/transport.h"
#include "sysc/chip_config.h"

namespace mind1024::sysc {
class Mind1024Chip;
}
namespace mind1024::board {
class Mind1024Board;
}

namespace mind1024::host {

struct InProcessOptions {
    // The chip as the platform builds it: faults, datapath, event granularity.
    sysc::ChipConfig chip;
    // Non-empty: write a VCD trace of the board there (must end in ".vcd"). It is
    // written under "<name>.partial.vcd" and renamed by finish_trace(true).
    std::string vcd_path;
    // Non-empty: an RV32IM ELF the board's controller runs (otherwise a chip-only platform).
    std::string firmware_path;
};

class BareDriver;

class InProcessTransport : public Transport {
public:
    static InProcessTransport& open(const ChipParams& p, const InProcessOptions& opt = {});
    ~InProcessTransport() override;

    uint32_t board_read32(uint32_t addr) override;
    void board_write32(uint32_t addr, uint32_t v) override;
    void board_read_block(uint32_t addr, void* dst, uint32_t bytes) override;
    void board_write_block(uint32_t addr, const void* src, uint32_t bytes) override;
    void wait_idle() override;
    void wait_ready(double limit_s) override;
    double now_seconds() const override;
    std::string name() const override { return "systemc"; }
    ChipParams chip_params() const override { return params_; }
    void set_faults(const FaultPlan& plan) override;
    bool takes_faults() const override { return true; }

    // Closes the VCD trace of the process's board, if any: kept under its name
    // when `complete`, removed otherwise (a failed run leaves no trace that looks whole).
    static void finish_trace(bool complete);

    sysc::Mind1024Chip& chip();
    board::Mind1024Board& board();
    const ChipParams& params() const { return params_; }

private:
    InProcessTransport(const ChipParams& p, const InProcessOptions& opt);
    void transact(bool write, uint32_t board_addr, void* data, uint32_t bytes);
    void check_usable() const;
    [[noreturn]] void fail(const std::string& what);

    struct Impl;
    std::unique_ptr<Impl> impl_;
    ChipParams params_;
    std::shared_ptr<engine::Datapath> datapath_;  // one given to a later open(): kept alive here
    std::string broken_;  // why the simulation cannot go on (after a SystemC error)
};

// A bare-mode driver on the SystemC chip in this process (one board per process).
std::unique_ptr<BareDriver> open_in_process_board(const ChipParams& p, const InProcessOptions& opt = {});

}  // namespace mind1024::host
