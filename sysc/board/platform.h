// Mind1024Board: the platform, wired in one place. The chip, ROM, SRAM, the
// CLINT, the host interface (mailbox + buffer), UART, timer and system control sit
// behind one BusRouter whose table is the generated memory map. Two masters
// drive the bus: the RV32IM controller (when the board has one) and the host
// port, the board's debug/PCIe-like second master through which an
// in-process or socket host reaches chip registers, synapse window, SRAM and
// mailbox. A chip-only platform is the same board without the CPU.
#pragma once
#include <memory>
#include <optional>
#include <string>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "sysc/board/board_timer.h"
#include "sysc/board/bus_router.h"
#include "sysc/board/clint.h"
#include "sysc/chip.h"
#include "sysc/board/elf/elf_loader.h"
#include "sysc/board/host_interface.h"
#include "sysc/board/board_memory.h"
#include "sysc/board/riscv_cpu.h"
#include "sysc/board/system_control.h"
#include "sysc/board/uart.h"

namespace mind1024::board {

struct BoardConfig {
    ChipParams chip;
    sysc::ChipConfig chip_config;
    bool with_cpu = true;        // false: chip-only platform (host port only)
    CpuConfig cpu;
    std::optional<ElfImage> firmware;  // the CPU stays in reset without one
};

// The host's side of the bus.
struct HostPort : sc_core::sc_module {
    tlm_utils::simple_initiator_socket<HostPort> socket;
    explicit HostPort(sc_core::sc_module_name n) : sc_module(n), socket("socket") {}
};

class Mind1024Board : public sc_core::sc_module {
public:
    SC_HAS_PROCESS(Mind1024Board);
    Mind1024Board(sc_core::sc_module_name name, BoardConfig cfg);

    sysc::Mind1024Chip& chip() { return chip_; }
    RiscvCpu* cpu() { return cpu_.get(); }
    HostPort& host_port() { return host_; }
    HostInterface& host_interface() { return hostif_; }
    Uart& uart() { return uart_; }
    BusRouter& router() { return router_; }
    const BoardConfig& config() const { return cfg_; }
    bool ext_irq() const { return ext_irq_.read(); }
    bool clint_mtip() const { return mtip_.read(); }
    bool clint_msip() const { return msip_.read(); }

    // A write to SYSCTRL.EXIT when no CPU runs (e.g. from the host port).
    std::optional<uint32_t> exit_code() const { return exit_code_; }

    // Chip signals plus the interrupt lines into the CPU.
    void trace(sc_core::sc_trace_file* tf) const;

    // The memory windows an ELF image may load into (ROM, SRAM).
    static std::vector<MemoryWindow> load_windows();

private:
    void combine_irq();

    BoardConfig cfg_;
    BusRouter router_;
    Memory rom_, sram_, hostif_buf_;
    sysc::Mind1024Chip chip_;
    HostInterface hostif_;
    Uart uart_;
    BoardTimer timer_;
    Clint clint_;
    SystemControl sysctrl_;
    HostPort host_;
    std::unique_ptr<RiscvCpu> cpu_;
    sc_core::sc_signal<bool> chip_irq_, hostif_irq_, timer_irq_, uart_irq_, ext_irq_, mtip_, msip_;
    std::optional<uint32_t> exit_code_;
};

}  // namespace mind1024::board
