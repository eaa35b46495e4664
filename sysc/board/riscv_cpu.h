// RiscvCpu: the board's RV32IM controller, Unicorn inside a SystemC thread.
//  - ROM and SRAM are mapped into Unicorn directly (DMI through the bus);
//    every device access is a b_transport on `bus`, carrying the CPU's local
//    time offset as its delay (loosely timed, riscv-vp/qbox style).
//  - Time: one cycle per instruction at `clock_hz` plus the devices' delays.
//    Instructions are counted per translation block (a block hook), not per
//    instruction. The CPU runs ahead up to one quantum, then waits (syncs).
//  - Traps (contract 3.1): Unicorn never delivers exceptions or interrupts to
//    the guest, so the board enters every trap itself (mepc, mcause, mtval,
//    mstatus MPIE/MIE/MPP, pc = mtvec). Exceptions with mtvec = 0 (or with
//    --stop-on-trap) halt the CPU with a report (cause, exact pc, instruction
//    word, address) instead. Interrupts: external (`ext_irq`), software and
//    timer (the CLINT), sampled at every sync, after `wfi`, and at once after
//    the CPU's own CLINT write or a CSR write that enables one.
//  - RV32IM: Unicorn's core is RV32IMAFDC with S and U. Each translation block
//    is checked once, the first time it runs (a bit per word of ROM and SRAM;
//    fence.i clears SRAM's): C, A, F, D and S-mode instructions and unknown
//    CSRs get a code hook that raises an illegal-instruction trap; the CSRs
//    Unicorn gets wrong (misa, mstatus, mie, mip, counters, time) and mret get
//    one that runs them on the board's state. Then the block is translated
//    again with the hooks in place.
#pragma once
#include <cstdint>
#include <functional>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "sysc/board/gdb/debug_target.h"
#include "sysc/board/elf/elf_loader.h"
#include "sysc/board/memory_map.h"

struct uc_struct;

namespace mind1024::board {

class GdbStub;
class Clint;
class Semihost;

struct CpuConfig {
    double clock_hz = MIND_CPU_CLOCK_HZ;
    sc_core::sc_time quantum = sc_core::sc_time(10, sc_core::SC_US);
    uint64_t max_instructions = 0;  // 0: no limit
    bool stop_on_trap = false;      // every exception halts the board, even with a handler
    bool semihosting = true;        // serve the semihosting ebreak sequence (docs/board.md)
    std::string semihost_root;      // host files the firmware may open ("" = none)
};

struct CpuFault {
    std::string cause;                 // "illegal instruction", "store to ROM", ...
    uint32_t pc = 0;
    bool pc_exact = true;              // false: the start of the translation block
    std::optional<uint32_t> insn;      // the instruction word at pc, if readable
    std::optional<uint64_t> address;   // the data or fetch address, if any
    uint32_t mcause = 0, mtval = 0;    // what a trap handler would see
    std::string note;                  // why no handler ran
    std::string describe() const;
};

enum class CpuState { Reset, Running, WaitingForInterrupt, Halted };
enum class HaltReason { None, Exit, Fault, InstructionLimit, Deadlock, Killed };

class RiscvCpu : public sc_core::sc_module, public DebugTarget {
public:
    tlm_utils::simple_initiator_socket<RiscvCpu> bus;
    sc_core::sc_in<bool> ext_irq;
    sc_core::sc_in<bool> timer_irq, soft_irq;  // the CLINT's lines (wfi wake-up)

    SC_HAS_PROCESS(RiscvCpu);
    RiscvCpu(sc_core::sc_module_name name, const CpuConfig& cfg, std::vector<Region> regions);
    ~RiscvCpu() override;

    // Before the simulation starts: the image to run (without one the CPU stays in reset).
    void load(ElfImage image);
    // Before the simulation starts: serve this debugger before running.
    void attach_debugger(GdbStub* stub) { gdb_ = stub; }
    // Before the simulation starts: the CLINT whose MTIME, MSIP and MTIMECMP the CPU reads.
    void attach_clint(Clint* clint) { clint_ = clint; }
    // A write to SYSCTRL.EXIT: the CPU stops after the current instruction.
    void request_exit(uint32_t code);
    // Before the simulation starts: --trace. Instructions (pc, word, disassembly), traps,
    // interrupts and device accesses go to `out`, at most `limit` lines; then the run goes
    // on untraced (the per-instruction hook is removed).
    void set_trace(std::FILE* out, uint64_t limit);
    // Before the simulation starts: the CPU's trap and interrupt events into a VCD, as
    // pulses one CPU cycle wide at the instant (local time) they happen, and mcause.
    void trace_vcd(sc_core::sc_trace_file* tf, const std::string& prefix);
    // Called once when the CPU halts (exit, fault, limit); the board pauses the simulation there.
    std::function<void()> on_halt;

    CpuState state() const { return state_; }
    HaltReason halt_reason() const { return halt_; }
    uint32_t exit_code() const { return exit_code_; }
    const CpuFault& fault() const { return fault_; }
    std::string halt_report() const;  // one line for the user
    uint64_t instructions() const { return icount_; }
    uint64_t interrupts_taken() const { return irqs_taken_; }
    uint64_t exceptions_taken() const { return traps_taken_; }
    uint64_t device_accesses() const { return mmio_; }
    uint32_t pc() const { return pc_; }
    const CpuConfig& config() const { return cfg_; }
    // Marks the CPU as dead-locked in wfi (the board decides: nothing left to wake it).
    void declare_deadlock();

    // DebugTarget (GDB): valid while the CPU is stopped in the debugger.
    uint32_t read_reg(unsigned n) override;
    void write_reg(unsigned n, uint32_t v) override;
    bool read_mem(uint32_t addr, uint8_t* dst, uint32_t len) override;
    bool write_mem(uint32_t addr, const uint8_t* src, uint32_t len) override;
    bool insert_breakpoint(uint32_t addr) override;
    bool remove_breakpoint(uint32_t addr) override;
    StopEvent resume(bool step, const std::function<bool()>& stop_requested) override;
    std::vector<unsigned> csrs() const override;
    std::optional<uint32_t> read_csr(unsigned csr) override;
    bool write_csr(unsigned csr, uint32_t value) override;
    bool insert_watchpoint(WatchKind kind, uint32_t addr, uint32_t len) override;
    bool remove_watchpoint(WatchKind kind, uint32_t addr, uint32_t len) override;
    std::optional<std::string> monitor(const std::string& cmd) override;

private:
    struct MmioRegion {
        RiscvCpu* cpu;
        uint32_t base;
        size_t region;
    };
    void end_of_elaboration() override;
    void thread();
    // Runs until something the caller must see: a halt, a breakpoint, one step, a debugger stop request.
    StopEvent execute(bool step, const std::function<bool()>* stop_requested);
    void sync();
    void wait_for_interrupt();
    void take_interrupt();
    void halt(HaltReason r);
    void record_fault(std::string cause, uint32_t pc, bool exact, std::optional<uint64_t> addr, uint32_t mcause,
                      uint32_t mtval = 0);
    // The exact pc of the access to `addr` in the current block, or the block start.
    std::pair<uint32_t, bool> access_pc(uint64_t addr, bool store);
    // Trap entry: mepc, mcause, mtval, mstatus; returns the handler's address.
    uint32_t enter_trap(uint32_t mcause, uint32_t epc, uint32_t tval);
    // The interrupt to take before the instruction at `pc` (mcause), if any.
    // The external line counts only when the CPU wrote no device since its last sync: a write
    // that clears the line's source reaches the line one delta later (after the sync).
    std::optional<uint32_t> interrupt_due(uint32_t pc, bool external);
    uint32_t pending_interrupts(const sc_core::sc_time& t);
    // Instructions of the current block at or after `pc` that have been counted but not run.
    uint64_t unrun(uint32_t pc) const;
    sc_core::sc_time time_at(uint32_t pc) const;
    uint64_t cycles_at(uint32_t pc) const;
    // The first run of a block: checks its instructions; true when hooks were added (translate it again).
    bool check_block(uint32_t addr, uint32_t size);
    uint8_t* checked_bit(uint32_t addr);
    void flush_code();  // translated blocks of ROM and SRAM
    // Emulated instructions (code hooks); each continues at the pc it returns, or stops the run.
    void emulate(uint32_t pc, uint32_t insn);
    void continue_at(uint32_t pc, uint32_t next);
    std::optional<uint32_t> csr_read(unsigned csr, uint32_t pc);
    // `next`: how many instructions retire before the value written is read (1: a CSR instruction's).
    bool csr_write(unsigned csr, uint32_t value, uint32_t pc, unsigned next = 1);
    // The run stopped at `pc` inside the current block: count only what ran.
    void uncount_after(uint32_t pc, bool pc_ran);
    std::optional<uint32_t> fetch_word(uint32_t pc);
    void read_x(uint32_t (&x)[32]);
    sc_core::sc_time local_time() const;
    uint64_t device_access(bool write, uint64_t addr, unsigned size, uint64_t value);

    static void on_block(uc_struct* uc, uint64_t addr, uint32_t size, void* self);
    static void on_code(uc_struct* uc, uint64_t addr, uint32_t size, void* self);
    static void on_emulated(uc_struct* uc, uint64_t addr, uint32_t size, void* self);
    static void on_trace_insn(uc_struct* uc, uint64_t addr, uint32_t size, void* self);
    static void on_watch(uc_struct* uc, int type, uint64_t addr, int size, int64_t value, void* self);
    void reset_core();
    void trace_line(const std::string& line);
    // A trap taken: counters, --trace, VCD.
    void note_trap(uint32_t mcause, uint32_t epc, uint32_t tval, uint32_t handler);
    void drive_vcd();
    static void on_intr(uc_struct* uc, uint32_t intno, void* self);
    static bool on_invalid(uc_struct* uc, void* self);
    static bool on_bad_mem(uc_struct* uc, int type, uint64_t addr, int size, int64_t value, void* self);
    static void on_device_mem(uc_struct* uc, int type, uint64_t addr, int size, int64_t value, void* self);
    static uint64_t on_mmio_read(uc_struct* uc, uint64_t off, unsigned size, void* ctx);
    static void on_mmio_write(uc_struct* uc, uint64_t off, unsigned size, uint64_t value, void* ctx);

    CpuConfig cfg_;
    std::vector<Region> regions_;
    std::vector<MmioRegion> mmio_regions_;
    uc_struct* uc_ = nullptr;
    std::optional<ElfImage> image_;
    GdbStub* gdb_ = nullptr;
    Clint* clint_ = nullptr;
    std::unique_ptr<Semihost> semihost_;
    // The semihosting sequence around the ebreak at `pc`: served, true; else false.
    bool semihost_call(uint32_t pc);

    sc_core::sc_time period_;
    uint64_t period_ticks_, quantum_instr_;
    // Progress in the current quantum.
    uint64_t icount_ = 0, local_instr_ = 0, local_dev_ticks_ = 0;
    int64_t budget_ = 0;
    uint32_t block_start_ = 0, block_size_ = 0, pc_ = 0;
    bool stepping_ = false, quantum_stop_ = false, limit_stop_ = false, bp_hit_ = false, exit_requested_ = false;
    bool fault_pending_ = false, retranslate_stop_ = false, ext_stale_ = false;
    std::optional<uint32_t> resume_pc_;  // a run stopped inside a device access resumes here
    // RV32IM check: a byte per word of ROM and SRAM (1: a block starting there was checked).
    std::vector<uint8_t> rom_checked_, ram_checked_;
    uint32_t rom_base_ = 0, ram_base_ = 0;
    std::map<uint32_t, size_t> emulated_;  // address -> Unicorn hook handle
    int64_t minstret_offset_ = 0, mcycle_offset_ = 0;  // what firmware wrote, relative to the truth
    // GDB: watchpoints (Unicorn memory hooks), what stopped the run.
    struct Watch {
        WatchKind kind;
        uint32_t addr, len;
        size_t hook;
    };
    std::vector<Watch> watches_;
    std::optional<StopEvent> debug_stop_;  // a watchpoint or an ebreak for the debugger
    std::optional<std::pair<uint32_t, std::vector<uint8_t>>> watch_undo_;  // a watched store's old bytes
    bool killed_at_fault_ = false;         // the last stop for the debugger was a fault
    bool debugging_ = false;               // this run serves GDB's continue or step
    // --trace
    std::FILE* trace_ = nullptr;
    uint64_t trace_limit_ = 0, trace_lines_ = 0, trace_budget_ = 0;
    size_t trace_hook_ = 0;
    bool trace_hooked_ = false;
    // VCD: events at their local time, applied by drive_vcd when the kernel gets there.
    bool vcd_on_ = false;
    std::multimap<sc_core::sc_time, std::pair<int, uint32_t>> vcd_events_;
    sc_core::sc_event vcd_event_;
    sc_core::sc_signal<bool> vcd_interrupt_{"interrupt_taken"}, vcd_exception_{"exception_taken"};
    sc_core::sc_signal<uint32_t> vcd_mcause_{"mcause"};
    std::optional<uint32_t> skip_bp_;
    std::map<uint32_t, size_t> breakpoints_;  // address -> Unicorn hook handle

    CpuState state_ = CpuState::Reset;
    HaltReason halt_ = HaltReason::None;
    uint32_t exit_code_ = 0;
    CpuFault fault_;
    uint64_t irqs_taken_ = 0, traps_taken_ = 0, mmio_ = 0;
    sc_core::sc_event exit_event_;
    tlm::tlm_generic_payload tx_;
    uint64_t tx_data_ = 0;
};

const char* halt_reason_name(HaltReason r);

}  // namespace mind1024::board
