#include "sysc/board/riscv_cpu.h"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>
#include <unicorn/unicorn.h>

#include "sysc/board/board_timer.h"
#include "sysc/board/clint.h"
#include "sysc/board/gdb/gdb_stub.h"
#include "sysc/board/rv32_decode.h"
#include "sysc/board/semihost.h"

namespace mind1024::board {

namespace {
constexpr uint32_t kMstatusMie = 1u << 3, kMstatusMpie = 1u << 7, kMstatusMpp = 3u << 11;
constexpr uint32_t kMipMsip = 1u << 3, kMipMtip = 1u << 7, kMipMeip = 1u << 11;
constexpr uint32_t kMieMask = kMipMsip | kMipMtip | kMipMeip;
constexpr uint32_t kInterrupt = 0x80000000u;
constexpr uint32_t kMisa = (1u << 30) | (1u << 8) | (1u << 12);  // MXL = 1 (32-bit), I, M
enum : uint32_t {
    kCauseFetchMisaligned = 0, kCauseFetchFault = 1, kCauseIllegal = 2, kCauseBreakpoint = 3,
    kCauseLoadMisaligned = 4, kCauseLoadFault = 5, kCauseStoreMisaligned = 6, kCauseStoreFault = 7,
    kCauseEcallM = 11,
};
constexpr uint64_t kNoUntil = 0xFFFFFFFFull;  // never a valid pc: run until stopped

void check(uc_err e, const char* what) {
    if (e != UC_ERR_OK) throw std::runtime_error(fmt::format("Unicorn: {}: {}", what, uc_strerror(e)));
}

const char* exception_name(uint32_t intno) {
    switch (intno) {
        case 0: return "instruction address misaligned";
        case 1: return "instruction access fault";
        case 2: return "illegal instruction";
        case 3: return "breakpoint (ebreak)";
        case 4: return "load address misaligned";
        case 5: return "load access fault";
        case 6: return "store address misaligned";
        case 7: return "store access fault";
        case 8: case 9: case 11: return "ecall";
        default: return "CPU exception";
    }
}
}  // namespace

const char* halt_reason_name(HaltReason r) {
    switch (r) {
        case HaltReason::None: return "running";
        case HaltReason::Exit: return "exit";
        case HaltReason::Fault: return "fault";
        case HaltReason::InstructionLimit: return "instruction limit";
        case HaltReason::Deadlock: return "deadlock";
        case HaltReason::Killed: return "killed by the debugger";
    }
    return "?";
}

std::string CpuFault::describe() const {
    std::string s = fmt::format("{} at pc 0x{:08X}{}", cause, pc, pc_exact ? "" : " (start of its block)");
    if (insn) s += fmt::format(", instruction 0x{:08X} ({})", *insn, rv32::mnemonic(*insn));
    if (address) s += fmt::format(", address 0x{:08X}", *address);
    if (mcause < 16) s += fmt::format(" [mcause {}, mtval 0x{:08X}]", mcause, mtval);
    if (!note.empty()) s += "; " + note;
    return s;
}

RiscvCpu::RiscvCpu(sc_core::sc_module_name name, const CpuConfig& cfg, std::vector<Region> regions)
    : sc_module(name), bus("bus"), ext_irq("ext_irq"), timer_irq("timer_irq"), soft_irq("soft_irq"), cfg_(cfg), regions_(std::move(regions)),
      period_(1.0 / cfg.clock_hz, sc_core::SC_SEC) {
    if (!(cfg.clock_hz >= 1e3 && cfg.clock_hz <= 5e9)) throw std::invalid_argument("CPU clock out of range");
    period_ticks_ = period_.value();
    if (period_ticks_ == 0) throw std::invalid_argument("CPU clock period below the SystemC time resolution");
    quantum_instr_ = std::max<uint64_t>(1, cfg.quantum.value() / period_ticks_);
    check(uc_open(UC_ARCH_RISCV, UC_MODE_RISCV32, &uc_), "open RV32");
    if (cfg.semihosting) {
        auto ram_or_rom = [this](uint32_t a, uint32_t n, bool write) {
            const auto k = find_region(a, n ? n : 1);
            return k && (regions_[*k].kind == RegionKind::Ram || (!write && regions_[*k].kind == RegionKind::Rom));
        };
        semihost_ = std::make_unique<Semihost>(
            cfg.semihost_root,
            [this, ram_or_rom](uint32_t a, void* d, uint32_t n) {
                return ram_or_rom(a, n, false) && uc_mem_read(uc_, a, d, n) == UC_ERR_OK;
            },
            [this, ram_or_rom](uint32_t a, const void* d, uint32_t n) {
                return ram_or_rom(a, n, true) && uc_mem_write(uc_, a, d, n) == UC_ERR_OK;
            });
    }
    SC_THREAD(thread);
    set_stack_size(16 << 20);  // Unicorn translates code on this coroutine's stack
    SC_METHOD(drive_vcd);
    sensitive << vcd_event_;
    dont_initialize();
}

RiscvCpu::~RiscvCpu() {
    if (uc_) uc_close(uc_);
}

void RiscvCpu::load(ElfImage image) { image_ = std::move(image); }

void RiscvCpu::end_of_elaboration() {
    // ROM and SRAM by DMI, everything else through the bus.
    for (size_t k = 0; k < regions_.size(); ++k) {
        const Region& r = regions_[k];
        if (r.kind == RegionKind::Rom || r.kind == RegionKind::Ram) {
            tlm::tlm_generic_payload q;
            tlm::tlm_dmi dmi;
            q.set_address(r.base);
            q.set_read();
            if (!bus->get_direct_mem_ptr(q, dmi) || dmi.get_start_address() != r.base ||
                dmi.get_end_address() != r.end() - 1)
                throw std::runtime_error(fmt::format("no direct memory access to region {}", r.name));
            const uint32_t prot = r.kind == RegionKind::Rom ? (UC_PROT_READ | UC_PROT_EXEC) : UC_PROT_ALL;
            check(uc_mem_map_ptr(uc_, r.base, r.size, prot, dmi.get_dmi_ptr()), r.name.c_str());
            (r.kind == RegionKind::Rom ? rom_base_ : ram_base_) = r.base;
            (r.kind == RegionKind::Rom ? rom_checked_ : ram_checked_).assign(r.size / 4, 0);
        } else {
            mmio_regions_.push_back({this, r.base, k});
        }
    }
    for (MmioRegion& m : mmio_regions_)  // the vector is complete: pointers into it stay valid
        check(uc_mmio_map(uc_, m.base, regions_[m.region].size, on_mmio_read, &m, on_mmio_write, &m),
              regions_[m.region].name.c_str());
    uc_hook h;
    check(uc_hook_add(uc_, &h, UC_HOOK_BLOCK, reinterpret_cast<void*>(on_block), this, 1, 0), "block hook");
    check(uc_hook_add(uc_, &h, UC_HOOK_INTR, reinterpret_cast<void*>(on_intr), this, 1, 0), "interrupt hook");
    check(uc_hook_add(uc_, &h, UC_HOOK_INSN_INVALID, reinterpret_cast<void*>(on_invalid), this, 1, 0), "invalid hook");
    check(uc_hook_add(uc_, &h, UC_HOOK_MEM_UNMAPPED | UC_HOOK_MEM_PROT, reinterpret_cast<void*>(on_bad_mem), this, 1, 0),
          "memory hook");
    // Unicorn splits a misaligned device access into aligned ones before the MMIO callbacks see
    // it; the memory hook still sees the access as the instruction made it. Devices only: ROM
    // and SRAM stay hook-free.
    uint64_t dev_lo = ~uint64_t{0}, dev_hi = 0;
    for (const MmioRegion& m : mmio_regions_) {
        dev_lo = std::min<uint64_t>(dev_lo, m.base);
        dev_hi = std::max<uint64_t>(dev_hi, regions_[m.region].end() - 1);
    }
    if (dev_lo <= dev_hi)
        check(uc_hook_add(uc_, &h, UC_HOOK_MEM_READ | UC_HOOK_MEM_WRITE, reinterpret_cast<void*>(on_device_mem), this,
                          dev_lo, dev_hi),
              "device access hook");

    if (trace_) {
        check(uc_hook_add(uc_, &h, UC_HOOK_CODE, reinterpret_cast<void*>(on_trace_insn), this, 1, 0), "trace hook");
        trace_hook_ = h;
        trace_hooked_ = true;
    }
    if (!image_) return;
    // The image goes in through the bus's debug path: ROM accepts it there.
    for (const ElfSegment& s : image_->segments) {
        std::vector<uint8_t> bytes(s.bytes);
        bytes.resize(s.mem_size, 0);
        tlm::tlm_generic_payload q;
        q.set_write();
        q.set_address(s.paddr);
        q.set_data_ptr(bytes.data());
        q.set_data_length(static_cast<unsigned>(bytes.size()));
        if (bus->transport_dbg(q) != bytes.size())
            throw std::runtime_error(fmt::format("{}: segment at 0x{:08X} could not be written", image_->path, s.paddr));
    }
    pc_ = image_->entry;
    uc_reg_write(uc_, UC_RISCV_REG_PC, &pc_);
    state_ = CpuState::Running;
}

sc_core::sc_time RiscvCpu::local_time() const {
    return sc_core::sc_time::from_value(local_instr_ * period_ticks_ + local_dev_ticks_);
}

void RiscvCpu::sync() {
    const sc_core::sc_time t = local_time();
    local_instr_ = local_dev_ticks_ = 0;
    budget_ = static_cast<int64_t>(quantum_instr_);
    if (t > sc_core::SC_ZERO_TIME) wait(t);
    ext_stale_ = false;
}

void RiscvCpu::thread() {
    if (!image_) return;  // held in reset: the host drives the bus alone
    budget_ = static_cast<int64_t>(quantum_instr_);
    if (gdb_) {
        const GdbStub::End end = gdb_->serve();
        if (end == GdbStub::End::Killed) halt(killed_at_fault_ ? HaltReason::Fault : HaltReason::Killed);
        if (state_ == CpuState::Halted) return;
    }
    execute(false, nullptr);
}

void RiscvCpu::halt(HaltReason r) {
    if (state_ == CpuState::Halted) return;
    sync();  // the time of the instructions run so far
    halt_ = r;
    state_ = CpuState::Halted;
    std::fflush(stdout);
    if (on_halt) on_halt();
}

void RiscvCpu::declare_deadlock() {
    if (state_ != CpuState::WaitingForInterrupt) return;
    halt_ = HaltReason::Deadlock;
    state_ = CpuState::Halted;
}

std::string RiscvCpu::halt_report() const {
    switch (halt_) {
        case HaltReason::Exit: return fmt::format("firmware exited with code {}", exit_code_);
        case HaltReason::Fault: return "CPU fault: " + fault_.describe();
        case HaltReason::InstructionLimit:
            return fmt::format("instruction limit reached: {} instructions run, stopped at pc 0x{:08X}", icount_, pc_);
        case HaltReason::Deadlock:
            return fmt::format("deadlock: wfi at pc 0x{:08X} waits for an interrupt that nothing on the board can raise",
                               pc_ - 4);
        case HaltReason::Killed: return "killed by the debugger";
        case HaltReason::None: break;
    }
    return fmt::format("running at pc 0x{:08X}", pc_);
}

void RiscvCpu::request_exit(uint32_t code) {
    if (exit_requested_) return;
    exit_requested_ = true;
    exit_code_ = code;
    exit_event_.notify(sc_core::SC_ZERO_TIME);
    budget_ = 0;  // stop at the next block even if the write came from another master
}

StopEvent RiscvCpu::execute(bool step, const std::function<bool()>* stop_requested) {
    killed_at_fault_ = false;
    debugging_ = stop_requested != nullptr;  // run by GDB's stub, which wants ebreak and faults as stops
    // Only the breakpoint at the pc this run starts from is stepped over, once.
    skip_bp_ = breakpoints_.count(pc_) ? std::optional<uint32_t>(pc_) : std::nullopt;
    for (;;) {
        if (exit_requested_) halt(HaltReason::Exit);
        if (state_ == CpuState::Halted) break;
        block_size_ = 0;  // no block is running: nothing counted ahead
        take_interrupt();
        quantum_stop_ = limit_stop_ = bp_hit_ = retranslate_stop_ = false;
        resume_pc_.reset();
        stepping_ = step;
        const uc_err err = uc_emu_start(uc_, pc_, kNoUntil, 0, step ? 1 : 0);
        uc_reg_read(uc_, UC_RISCV_REG_PC, &pc_);
        if (trace_hooked_ && trace_lines_ >= trace_limit_) {  // --trace-limit reached: full speed again
            uc_hook_del(uc_, trace_hook_);
            flush_code();
            trace_hooked_ = false;
        }
        // Stopped by on_block before a block: with any UC_HOOK_CODE hook (a breakpoint)
        // Unicorn 2.0.1 does not restore the pc to the block start, so take it from on_block.
        if (quantum_stop_ || limit_stop_ || retranslate_stop_) pc_ = block_start_;
        if (resume_pc_) pc_ = *resume_pc_;    // stopped inside a device access: the store is done
        if (debug_stop_) {  // pc_ is where to resume (resume_pc_)
            StopEvent ev = *debug_stop_;
            debug_stop_.reset();
            if (watch_undo_) {
                uc_mem_write(uc_, watch_undo_->first, watch_undo_->second.data(), watch_undo_->second.size());
                watch_undo_.reset();
            }
            stepping_ = false;
            return ev;
        }
        if (fault_pending_) pc_ = fault_.pc;  // Unicorn may report the block start
        if (step && !fault_pending_ && !retranslate_stop_) {
            ++icount_;
            ++local_instr_;
        }
        stepping_ = false;
        if (fault_pending_) {
            fault_pending_ = false;
            uint32_t mtvec = 0;
            uc_reg_read(uc_, UC_RISCV_REG_MTVEC, &mtvec);
            // A handler exists (mtvec != 0) and the cause is one the firmware can see: trap into it.
            if (mtvec != 0 && !cfg_.stop_on_trap && fault_.pc_exact && fault_.mcause < 16) {
                if (!step) uncount_after(fault_.pc, false);  // the trapping instruction did not retire
                pc_ = enter_trap(fault_.mcause, fault_.pc, fault_.mtval);
                note_trap(fault_.mcause, fault_.pc, fault_.mtval, pc_);
                if (step) return {StopEvent::Kind::Step, 0, {}};
                continue;
            }
            if (fault_.mcause < 16 && fault_.pc_exact)
                fault_.note = mtvec == 0 ? "no trap handler (mtvec is 0)" : "stopped by --stop-on-trap";
            if (stop_requested) {
                // Under GDB a fault is a stop (SIGSEGV), not the end: the user may fix pc and go on.
                killed_at_fault_ = true;
                return {StopEvent::Kind::Fault, 0, "CPU fault: " + fault_.describe()};
            }
            halt(HaltReason::Fault);
            break;
        }
        if (exit_requested_) continue;
        if (err != UC_ERR_OK && !resume_pc_) {  // (an ebreak the board served stops with an error too)
            record_fault(fmt::format("emulation error: {}", uc_strerror(err)), pc_, false, std::nullopt, ~0u);
            fault_pending_ = false;
            halt(HaltReason::Fault);
            break;
        }
        if (bp_hit_) return {StopEvent::Kind::Breakpoint, 0, {}};
        if (limit_stop_) {
            halt(HaltReason::InstructionLimit);
            break;
        }
        if (retranslate_stop_) continue;  // the block runs again, now with its hooks
        if (step) return {StopEvent::Kind::Step, 0, {}};
        if (resume_pc_) continue;  // an interrupt the CPU's own access raised: taken at the loop's top
        if (quantum_stop_) {
            sync();
            if (stop_requested && (*stop_requested)()) return {StopEvent::Kind::Interrupted, 0, {}};
            continue;
        }
        // Unicorn returned on its own: that is a wfi (pc is past it).
        const auto w = fetch_word(pc_ - 4);
        if (w && *w == rv32::kWfi) {
            wait_for_interrupt();
            continue;
        }
        record_fault("emulation stopped for no known reason", pc_, false, std::nullopt, ~0u);
        fault_pending_ = false;
        halt(HaltReason::Fault);
        break;
    }
    if (halt_ == HaltReason::Exit) return {StopEvent::Kind::Exited, static_cast<int>(exit_code_), {}};
    return {StopEvent::Kind::Fault, 0, halt_report()};
}

uint32_t RiscvCpu::pending_interrupts(const sc_core::sc_time& t) {
    uint32_t p = ext_irq.read() ? kMipMeip : 0;
    if (clint_) {
        if (clint_->software_pending()) p |= kMipMsip;
        if (clint_->timer_pending(t)) p |= kMipMtip;
    }
    return p;
}

void RiscvCpu::wait_for_interrupt() {
    sync();
    uint32_t mie = 0;
    uc_reg_read(uc_, UC_RISCV_REG_MIE, &mie);
    if (!(mie & kMieMask)) {
        // Nothing can ever wake it: report now rather than let time run out.
        record_fault("deadlock: wfi with mie clear (no interrupt can wake the CPU)", pc_ - 4, true, std::nullopt, ~0u);
        fault_pending_ = false;
        halt(HaltReason::Fault);
        return;
    }
    state_ = CpuState::WaitingForInterrupt;
    // wfi wakes on any pending and enabled interrupt, whatever mstatus.MIE says.
    while (!(pending_interrupts(sc_core::sc_time_stamp()) & mie & kMieMask) && !exit_requested_ &&
           state_ == CpuState::WaitingForInterrupt)
        wait(ext_irq.value_changed_event() | timer_irq.value_changed_event() | soft_irq.value_changed_event() |
             exit_event_);
    if (state_ == CpuState::WaitingForInterrupt) state_ = CpuState::Running;
    ext_stale_ = false;
}

std::optional<uint32_t> RiscvCpu::interrupt_due(uint32_t pc, bool external) {
    uint32_t mstatus = 0, mie = 0;
    uc_reg_read(uc_, UC_RISCV_REG_MSTATUS, &mstatus);
    if (!(mstatus & kMstatusMie)) return std::nullopt;
    uc_reg_read(uc_, UC_RISCV_REG_MIE, &mie);
    if (!(mie & kMieMask)) return std::nullopt;
    uint32_t due = pending_interrupts(time_at(pc)) & mie;
    if (!external) due &= ~kMipMeip;
    // Priority (privileged spec): external, then software, then timer.
    if (due & kMipMeip) return kInterrupt | 11;
    if (due & kMipMsip) return kInterrupt | 3;
    if (due & kMipMtip) return kInterrupt | 7;
    return std::nullopt;
}

uint32_t RiscvCpu::enter_trap(uint32_t mcause, uint32_t epc, uint32_t tval) {
    uint32_t mstatus = 0, mtvec = 0;
    uc_reg_read(uc_, UC_RISCV_REG_MSTATUS, &mstatus);
    uc_reg_read(uc_, UC_RISCV_REG_MTVEC, &mtvec);
    const uint32_t mpie = (mstatus & kMstatusMie) ? kMstatusMpie : 0;
    mstatus = (mstatus & ~(kMstatusMie | kMstatusMpie)) | mpie | kMstatusMpp;
    uc_reg_write(uc_, UC_RISCV_REG_MEPC, &epc);
    uc_reg_write(uc_, UC_RISCV_REG_MCAUSE, &mcause);
    uc_reg_write(uc_, UC_RISCV_REG_MTVAL, &tval);
    uc_reg_write(uc_, UC_RISCV_REG_MSTATUS, &mstatus);
    // Vectored mode: interrupts go to base + 4 * cause; exceptions to base.
    const uint32_t base = mtvec & ~3u;
    return ((mtvec & 3) == 1 && (mcause & kInterrupt)) ? base + 4 * (mcause & 0x3F) : base;
}

void RiscvCpu::take_interrupt() {
    const auto cause = interrupt_due(pc_, !ext_stale_);
    if (!cause) return;
    const uint32_t epc = pc_;
    pc_ = enter_trap(*cause, epc, 0);
    note_trap(*cause, epc, 0, pc_);
}

namespace {
const char* cause_name(uint32_t mcause) {
    if (mcause & kInterrupt) {
        switch (mcause & 0x1F) {
            case 3: return "machine software interrupt";
            case 7: return "machine timer interrupt";
            case 11: return "machine external interrupt";
            default: return "interrupt";
        }
    }
    switch (mcause) {
        case 0: return "instruction address misaligned";
        case 1: return "instruction access fault";
        case 2: return "illegal instruction";
        case 3: return "breakpoint";
        case 4: return "load address misaligned";
        case 5: return "load access fault";
        case 6: return "store address misaligned";
        case 7: return "store access fault";
        case 11: return "environment call from M-mode";
        default: return "exception";
    }
}
}  // namespace

void RiscvCpu::note_trap(uint32_t mcause, uint32_t epc, uint32_t tval, uint32_t handler) {
    const bool irq = mcause & kInterrupt;
    ++(irq ? irqs_taken_ : traps_taken_);
    if (trace_)
        trace_line(fmt::format("-- {}: mcause 0x{:08x} ({}), mepc 0x{:08x}, mtval 0x{:08x} -> 0x{:08x} at {}",
                               irq ? "interrupt" : "exception", mcause, cause_name(mcause), epc, tval, handler,
                               (sc_core::sc_time_stamp() + local_time()).to_string()));
    if (vcd_on_) {
        const sc_core::sc_time at = sc_core::sc_time_stamp() + local_time();
        vcd_events_.emplace(at, std::make_pair(irq ? 0 : 1, 1u));
        vcd_events_.emplace(at, std::make_pair(2, mcause));
        vcd_events_.emplace(at + period_, std::make_pair(irq ? 0 : 1, 0u));
        vcd_event_.notify(at - sc_core::sc_time_stamp());
    }
}

void RiscvCpu::drive_vcd() {
    const sc_core::sc_time now = sc_core::sc_time_stamp();
    while (!vcd_events_.empty() && vcd_events_.begin()->first <= now) {
        const auto [sig, v] = vcd_events_.begin()->second;
        if (sig == 0) vcd_interrupt_.write(v != 0);
        else if (sig == 1) vcd_exception_.write(v != 0);
        else vcd_mcause_.write(v);
        vcd_events_.erase(vcd_events_.begin());
    }
    if (!vcd_events_.empty()) vcd_event_.notify(vcd_events_.begin()->first - now);
}

void RiscvCpu::trace_vcd(sc_core::sc_trace_file* tf, const std::string& prefix) {
    vcd_on_ = true;
    sc_core::sc_trace(tf, vcd_interrupt_, prefix + "cpu_interrupt");
    sc_core::sc_trace(tf, vcd_exception_, prefix + "cpu_exception");
    sc_core::sc_trace(tf, vcd_mcause_, prefix + "cpu_mcause");
}

void RiscvCpu::set_trace(std::FILE* out, uint64_t limit) {
    trace_ = out;
    trace_limit_ = trace_budget_ = limit;
}

void RiscvCpu::trace_line(const std::string& line) {
    if (trace_lines_ >= trace_limit_) return;
    std::fputs(line.c_str(), trace_);
    std::fputc('\n', trace_);
    if (++trace_lines_ == trace_limit_)
        std::fprintf(trace_, "-- --trace-limit reached (%llu lines): the run goes on untraced\n",
                     static_cast<unsigned long long>(trace_limit_));
}

void RiscvCpu::on_trace_insn(uc_struct* uc, uint64_t addr, uint32_t, void* self) {
    auto* c = static_cast<RiscvCpu*>(self);
    if (c->trace_lines_ >= c->trace_limit_) return;
    const uint32_t pc = static_cast<uint32_t>(addr);
    uint32_t w = 0;
    if (uc_mem_read(uc, pc, &w, 4) != UC_ERR_OK && uc_mem_read(uc, pc, &w, 2) != UC_ERR_OK) return;
    c->trace_line(fmt::format("0x{:08x} (0x{:08x}) {}", pc, w, rv32::disassemble(w, pc)));
}

std::optional<uint32_t> RiscvCpu::fetch_word(uint32_t pc) {
    const auto k = find_region(pc, 4);
    if (!k || (regions_[*k].kind != RegionKind::Rom && regions_[*k].kind != RegionKind::Ram)) return std::nullopt;
    uint32_t w = 0;
    if (uc_mem_read(uc_, pc, &w, 4) != UC_ERR_OK) return std::nullopt;
    return w;
}

void RiscvCpu::read_x(uint32_t (&x)[32]) {
    x[0] = 0;
    for (int r = 1; r < 32; ++r) uc_reg_read(uc_, UC_RISCV_REG_X0 + r, &x[r]);
}

std::pair<uint32_t, bool> RiscvCpu::access_pc(uint64_t addr, bool store) {
    if (stepping_) return {pc_, true};  // one instruction: it is the one at the start
    uint32_t x[32];
    read_x(x);
    const auto pc = rv32::find_access(block_start_, block_size_, static_cast<uint32_t>(addr), store, x,
                                      [this](uint32_t p) { return fetch_word(p); });
    if (pc) return {*pc, true};
    return {block_start_, false};
}

void RiscvCpu::record_fault(std::string cause, uint32_t pc, bool exact, std::optional<uint64_t> addr, uint32_t mcause,
                            uint32_t mtval) {
    if (fault_pending_ || halt_ == HaltReason::Fault) return;  // the first fault is the one to report
    fault_ = CpuFault{std::move(cause), pc, exact, fetch_word(pc), addr, mcause, mtval};
    pc_ = pc;
    fault_pending_ = true;
    if (exact) uncount_after(pc, true);  // the instructions after the faulting one did not run
}

uint64_t RiscvCpu::unrun(uint32_t pc) const {
    if (stepping_ || pc < block_start_ || pc - block_start_ >= block_size_) return 0;
    return (block_start_ + block_size_ - pc) / 4;
}

void RiscvCpu::uncount_after(uint32_t pc, bool pc_ran) {
    // on_block counted the whole block; take back what followed `pc` (and `pc` itself unless it ran).
    if (stepping_) {
        if (!pc_ran) {  // execute() counts the stepped instruction: take it back first
            icount_ -= std::min<uint64_t>(1, icount_);
            local_instr_ -= std::min<uint64_t>(1, local_instr_);
        }
        return;
    }
    const uint64_t n = unrun(pc);
    if (!n) return;
    const uint64_t u = n - (pc_ran ? 1 : 0);
    icount_ -= std::min(u, icount_);
    local_instr_ -= std::min(u, local_instr_);
    // Keep the block consistent for later questions about it (a trap entry after a hook).
    block_size_ = pc + (pc_ran ? 4 : 0) - block_start_;
}

sc_core::sc_time RiscvCpu::time_at(uint32_t pc) const {
    const uint64_t ticks = sc_core::sc_time_stamp().value() + local_time().value();
    return sc_core::sc_time::from_value(ticks - std::min(ticks, unrun(pc) * period_ticks_));
}

uint64_t RiscvCpu::cycles_at(uint32_t pc) const { return time_at(pc).value() / period_ticks_; }

// ---- The RV32IM check and the emulated instructions ----------------------------

void RiscvCpu::flush_code() {
    // Translated code of ROM and SRAM goes; Unicorn's whole-cache flush (UC_CTL_TB_FLUSH)
    // takes seconds the first time.
    uc_ctl_remove_cache(uc_, rom_base_, uint64_t{rom_base_} + rom_checked_.size() * 4);
    uc_ctl_remove_cache(uc_, ram_base_, uint64_t{ram_base_} + ram_checked_.size() * 4);
}

uint8_t* RiscvCpu::checked_bit(uint32_t addr) {
    if (addr - rom_base_ < rom_checked_.size() * 4) return &rom_checked_[(addr - rom_base_) / 4];
    if (addr - ram_base_ < ram_checked_.size() * 4) return &ram_checked_[(addr - ram_base_) / 4];
    return nullptr;
}

bool RiscvCpu::check_block(uint32_t addr, uint32_t size) {
    bool added = false;
    for (uint32_t pc = addr; pc - addr < size; pc += 4) {
        uint32_t w = 0;
        if (uc_mem_read(uc_, pc, &w, 2) != UC_ERR_OK) break;
        const bool compressed = rv32::is_compressed(w);
        if (!compressed && uc_mem_read(uc_, pc, &w, 4) != UC_ERR_OK) break;
        if (!compressed && rv32::check(w) == rv32::Check::Native) continue;
        if (!emulated_.count(pc)) {
            uc_hook h;
            check(uc_hook_add(uc_, &h, UC_HOOK_CODE, reinterpret_cast<void*>(on_emulated), this, pc, pc), "code hook");
            emulated_[pc] = h;
            added = true;
        }
        if (compressed) break;  // what follows is not reached: the parcel traps
    }
    if (added) uc_ctl_remove_cache(uc_, addr, uint64_t{addr} + size);
    return added;
}

void RiscvCpu::continue_at(uint32_t pc, uint32_t next) {
    uncount_after(pc, true);  // the emulated instruction retired; the block ends here
    if (const auto cause = interrupt_due(next, !ext_stale_)) {
        const uint32_t epc = next;
        next = enter_trap(*cause, epc, 0);
        note_trap(*cause, epc, 0, next);
    }
    uc_reg_write(uc_, UC_RISCV_REG_PC, &next);  // Unicorn leaves the block and goes on there
}

std::optional<uint32_t> RiscvCpu::csr_read(unsigned csr, uint32_t pc) {
    uint32_t v = 0;
    switch (csr) {
        case 0x300:  // mstatus: M-mode only, so MPP reads 3; no FS, XS, SD
            uc_reg_read(uc_, UC_RISCV_REG_MSTATUS, &v);
            return (v & (kMstatusMie | kMstatusMpie)) | kMstatusMpp;
        case 0x301: return kMisa;
        case 0x304: uc_reg_read(uc_, UC_RISCV_REG_MIE, &v); return v & kMieMask;
        case 0x344: return pending_interrupts(time_at(pc));
        case 0xB00: case 0xC00: return static_cast<uint32_t>(cycles_at(pc) + mcycle_offset_);
        case 0xB80: case 0xC80: return static_cast<uint32_t>((cycles_at(pc) + mcycle_offset_) >> 32);
        case 0xB02: case 0xC02: return static_cast<uint32_t>(icount_ - unrun(pc) + minstret_offset_);
        case 0xB82: case 0xC82: return static_cast<uint32_t>((icount_ - unrun(pc) + minstret_offset_) >> 32);
        case 0xC01: return clint_ ? static_cast<uint32_t>(clint_->mtime(time_at(pc))) : 0;
        case 0xC81: return clint_ ? static_cast<uint32_t>(clint_->mtime(time_at(pc)) >> 32) : 0;
        default: return 0;  // mstatush, mcountinhibit, hpm counters and events, mconfigptr: zero
    }
}

bool RiscvCpu::csr_write(unsigned csr, uint32_t v, uint32_t pc, unsigned next) {
    if ((csr >> 10) == 3) return false;  // read-only CSRs
    auto set_low = [](uint64_t old, uint32_t lo) { return (old & ~uint64_t{0xFFFFFFFF}) | lo; };
    auto set_high = [](uint64_t old, uint32_t hi) { return (old & 0xFFFFFFFFull) | (uint64_t{hi} << 32); };
    // Counters: the next instruction reads what was written (the writing one does not count).
    const uint64_t cycles = cycles_at(pc) + next, retired = icount_ - unrun(pc) + next;
    switch (csr) {
        case 0x300: {
            uint32_t m = (v & (kMstatusMie | kMstatusMpie)) | kMstatusMpp;
            uc_reg_write(uc_, UC_RISCV_REG_MSTATUS, &m);
            return true;
        }
        case 0x304: {
            uint32_t m = v & kMieMask;
            uc_reg_write(uc_, UC_RISCV_REG_MIE, &m);
            return true;
        }
        case 0xB00: mcycle_offset_ = static_cast<int64_t>(set_low(cycles + mcycle_offset_, v) - cycles); return true;
        case 0xB80: mcycle_offset_ = static_cast<int64_t>(set_high(cycles + mcycle_offset_, v) - cycles); return true;
        case 0xB02: minstret_offset_ = static_cast<int64_t>(set_low(retired + minstret_offset_, v) - retired); return true;
        case 0xB82: minstret_offset_ = static_cast<int64_t>(set_high(retired + minstret_offset_, v) - retired); return true;
        default: return true;  // misa, mip (its bits are read-only here), zero CSRs: writes ignored
    }
}

void RiscvCpu::emulate(uint32_t pc, uint32_t w) {
    if (rv32::is_compressed(w & 0xFFFF)) {
        record_fault((w & 0xFFFF) == 0 ? "illegal instruction" : "illegal instruction (compressed: the core is RV32IM)",
                     pc, true, std::nullopt, kCauseIllegal, w & 0xFFFF);
        uc_emu_stop(uc_);
        return;
    }
    switch (rv32::check(w)) {
        case rv32::Check::Native: return;  // SRAM code changed since the hook was made: Unicorn runs it
        case rv32::Check::Illegal:
            record_fault(fmt::format("illegal instruction ({}: the core is RV32IM, machine mode)", rv32::mnemonic(w)),
                         pc, true, std::nullopt, kCauseIllegal, w);
            uc_emu_stop(uc_);
            return;
        case rv32::Check::Emulate: break;
    }
    if (w == rv32::kMret) {
        uint32_t mstatus = 0, mepc = 0;
        uc_reg_read(uc_, UC_RISCV_REG_MSTATUS, &mstatus);
        uc_reg_read(uc_, UC_RISCV_REG_MEPC, &mepc);
        mstatus = (mstatus & ~(kMstatusMie | kMstatusMpie)) | ((mstatus & kMstatusMpie) ? kMstatusMie : 0) |
                  kMstatusMpie | kMstatusMpp;  // M-mode only: MPP stays M
        uc_reg_write(uc_, UC_RISCV_REG_MSTATUS, &mstatus);
        continue_at(pc, mepc & ~3u);
        return;
    }
    if ((w & 0x707F) == 0x100F) {  // fence.i: code in SRAM may have changed
        std::fill(ram_checked_.begin(), ram_checked_.end(), 0);
        uc_ctl_remove_cache(uc_, ram_base_, uint64_t{ram_base_} + ram_checked_.size() * 4);
        continue_at(pc, pc + 4);
        return;
    }
    // A CSR instruction.
    const unsigned csr = rv32::csr_number(w), f3 = (w >> 12) & 7, rd = (w >> 7) & 31, rs = (w >> 15) & 31;
    uint32_t src = rs;
    if (!(f3 & 4) && rs) uc_reg_read(uc_, UC_RISCV_REG_X0 + static_cast<int>(rs), &src);
    if (!(f3 & 4) && !rs) src = 0;
    const bool writes = (f3 & 3) == 1 || rs != 0;
    const auto old = csr_read(csr, pc);
    uint32_t value = *old;
    if (writes) {
        switch (f3 & 3) {
            case 1: value = src; break;
            case 2: value = *old | src; break;
            default: value = *old & ~src; break;
        }
        if (!csr_write(csr, value, pc)) {
            record_fault(fmt::format("illegal instruction (write to read-only CSR 0x{:03X})", csr), pc, true,
                         std::nullopt, kCauseIllegal, w);
            uc_emu_stop(uc_);
            return;
        }
    }
    if (rd) uc_reg_write(uc_, UC_RISCV_REG_X0 + static_cast<int>(rd), &*old);
    continue_at(pc, pc + 4);
}

// ---- Unicorn callbacks -------------------------------------------------------

void RiscvCpu::on_block(uc_struct* uc, uint64_t addr, uint32_t size, void* self) {
    auto* c = static_cast<RiscvCpu*>(self);
    const uint32_t a = static_cast<uint32_t>(addr);
    if (a & 3) {  // a jump to an address that is not a multiple of 4 (Unicorn's core has C)
        const uint32_t from = c->block_size_ ? c->block_start_ + c->block_size_ - 4 : a;
        c->block_start_ = a;
        c->block_size_ = 0;
        c->record_fault("instruction address misaligned", from, true, addr, kCauseFetchMisaligned, a);
        uc_emu_stop(uc);
        return;
    }
    // The RV32IM check, once per block: one byte to test on every later run.
    uint8_t* checked = c->checked_bit(a);
    if (checked && !*checked) {
        *checked = 1;
        if (c->check_block(a, size)) {
            c->block_start_ = a;  // where to resume: see execute
            c->block_size_ = 0;
            c->retranslate_stop_ = true;
            uc_emu_stop(uc);
            return;
        }
    }
    if (c->stepping_) return;  // counted by execute()
    const uint64_t n = size / 4;
    if (c->cfg_.max_instructions && c->icount_ + n > c->cfg_.max_instructions) {
        c->block_start_ = a;  // where to resume: see execute
        c->block_size_ = 0;
        c->limit_stop_ = true;
        uc_emu_stop(uc);
        return;
    }
    // Out of quantum: stop before this block (exact resume); a quantum always runs something.
    if (static_cast<int64_t>(n) > c->budget_ && (c->local_instr_ || c->local_dev_ticks_ || c->budget_ <= 0)) {
        c->block_start_ = a;  // where to resume: see execute
        c->block_size_ = 0;
        c->quantum_stop_ = true;
        uc_emu_stop(uc);
        return;
    }
    c->budget_ -= static_cast<int64_t>(n);
    c->icount_ += n;
    c->local_instr_ += n;
    c->block_start_ = a;
    c->block_size_ = size;
}

void RiscvCpu::on_code(uc_struct* uc, uint64_t addr, uint32_t, void* self) {
    auto* c = static_cast<RiscvCpu*>(self);
    if (!c->breakpoints_.count(static_cast<uint32_t>(addr))) return;
    if (c->skip_bp_ && *c->skip_bp_ == addr) {  // resuming from this breakpoint
        c->skip_bp_.reset();
        return;
    }
    c->bp_hit_ = true;
    if (!c->stepping_) c->uncount_after(static_cast<uint32_t>(addr), false);  // the breakpoint's instruction did not run
    uc_emu_stop(uc);
}

void RiscvCpu::on_emulated(uc_struct* uc, uint64_t addr, uint32_t, void* self) {
    auto* c = static_cast<RiscvCpu*>(self);
    const uint32_t pc = static_cast<uint32_t>(addr);
    if (c->bp_hit_ || c->fault_pending_) return;  // a breakpoint or fault hook stopped this instruction already
    if (c->breakpoints_.count(pc) && !(c->skip_bp_ && *c->skip_bp_ == pc)) return;  // on_code will stop here
    uint32_t w = 0;
    if (uc_mem_read(uc, pc, &w, 2) != UC_ERR_OK) return;
    if (!rv32::is_compressed(w) && uc_mem_read(uc, pc, &w, 4) != UC_ERR_OK) return;
    c->emulate(pc, w);
}

void RiscvCpu::on_intr(uc_struct* uc, uint32_t intno, void* self) {
    auto* c = static_cast<RiscvCpu*>(self);
    uint32_t pc = 0;
    uc_reg_read(uc, UC_RISCV_REG_PC, &pc);
    // Unicorn reports these past the instruction (measured; see the notes and the pinning tests).
    const bool past = intno == 2 || intno == 8 || intno == 9 || intno == 11;
    if (past) pc -= 4;
    // Unicorn raises the U-mode ecall number; the core only runs in M-mode.
    const uint32_t cause = (intno == 8 || intno == 9) ? kCauseEcallM : intno;
    const auto w = c->fetch_word(pc);
    c->record_fault(exception_name(intno), pc, true, std::nullopt, cause, cause == kCauseIllegal && w ? *w : 0);
    uc_emu_stop(uc);
}

bool RiscvCpu::on_invalid(uc_struct* uc, void* self) {
    auto* c = static_cast<RiscvCpu*>(self);
    uint32_t pc = 0;
    uc_reg_read(uc, UC_RISCV_REG_PC, &pc);
    const auto w = c->fetch_word(pc);
    const bool ebreak = w && *w == rv32::kEbreak;
    if (ebreak && c->semihost_call(pc)) return false;
    if (ebreak && c->debugging_) {
        // With a debugger attached, ebreak is its breakpoint (SIGTRAP); the user resumes past it.
        c->uncount_after(pc, false);
        c->resume_pc_ = pc;
        c->debug_stop_ = StopEvent{StopEvent::Kind::Breakpoint, 0, {}};
        return false;
    }
    c->record_fault(ebreak ? "ebreak (breakpoint, no debugger attached)" : "invalid instruction", pc,
                    true, std::nullopt, ebreak ? kCauseBreakpoint : kCauseIllegal, ebreak || !w ? 0 : *w);
    return false;
}

bool RiscvCpu::semihost_call(uint32_t pc) {
    // The RISC-V semihosting sequence: slli x0, x0, 0x1f; ebreak; srai x0, x0, 7.
    if (!semihost_ || fetch_word(pc - 4) != 0x01F01013u || fetch_word(pc + 4) != 0x40705013u) return false;
    uint32_t op = 0, param = 0;
    uc_reg_read(uc_, UC_RISCV_REG_A0, &op);
    uc_reg_read(uc_, UC_RISCV_REG_A1, &param);
    const Semihost::Result r = semihost_->call(op, param, BoardTimer::micros(time_at(pc)));
    uc_reg_write(uc_, UC_RISCV_REG_A0, &r.a0);
    if (trace_)
        trace_line(fmt::format("-- semihosting: {} (a1 0x{:08x}) -> a0 0x{:08x}", Semihost::op_name(op), param, r.a0));
    uncount_after(pc, true);
    resume_pc_ = pc + 4;  // on at the srai (a no-op)
    if (r.exit_code) request_exit(*r.exit_code);
    return true;
}

bool RiscvCpu::on_bad_mem(uc_struct*, int type, uint64_t addr, int, int64_t, void* self) {
    auto* c = static_cast<RiscvCpu*>(self);
    const uint32_t a = static_cast<uint32_t>(addr);
    switch (type) {
        case UC_MEM_FETCH_UNMAPPED:
            c->record_fault("instruction fetch outside the memory map", a, true, addr, kCauseFetchFault, a);
            break;
        case UC_MEM_FETCH_PROT:
            c->record_fault("instruction fetch from a device region", a, true, addr, kCauseFetchFault, a);
            break;
        default: {
            const bool write = type == UC_MEM_WRITE_UNMAPPED || type == UC_MEM_WRITE_PROT;
            const char* cause = type == UC_MEM_WRITE_PROT   ? "store to ROM"
                                : write                     ? "store outside the memory map"
                                : type == UC_MEM_READ_PROT  ? "load from a protected region"
                                                            : "load outside the memory map";
            const auto [pc, exact] = c->access_pc(addr, write);
            c->record_fault(cause, pc, exact, addr, write ? kCauseStoreFault : kCauseLoadFault, a);
        }
    }
    return false;
}

void RiscvCpu::on_device_mem(uc_struct* uc, int type, uint64_t addr, int size, int64_t, void* self) {
    auto* c = static_cast<RiscvCpu*>(self);
    if (size <= 0 || addr % static_cast<unsigned>(size) == 0 || c->fault_pending_) return;
    const auto k = find_region(addr);
    if (!k) return;  // between devices: the unmapped hook reports it
    const bool write = type == UC_MEM_WRITE;
    const auto [pc, exact] = c->access_pc(addr, write);
    c->record_fault(fmt::format("misaligned {}-byte {} device region {}", size, write ? "store to" : "load from",
                                c->regions_[*k].name),
                    pc, exact, addr, write ? kCauseStoreMisaligned : kCauseLoadMisaligned, static_cast<uint32_t>(addr));
    uc_emu_stop(uc);
}

uint64_t RiscvCpu::device_access(bool write, uint64_t addr, unsigned size, uint64_t value) {
    if (fault_pending_ || exit_requested_ || resume_pc_) return 0;  // the run is ending: touch nothing more
    ++mmio_;
    const Region& r = *std::find_if(regions_.begin(), regions_.end(), [&](const Region& g) { return g.contains(addr); });
    tx_data_ = value;
    tx_.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
    tx_.set_address(addr);
    tx_.set_data_ptr(reinterpret_cast<unsigned char*>(&tx_data_));
    tx_.set_data_length(size);
    tx_.set_streaming_width(size);
    tx_.set_byte_enable_ptr(nullptr);
    tx_.set_dmi_allowed(false);
    tx_.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    sc_core::sc_time delay = local_time();
    const uint64_t before = delay.value();
    bus->b_transport(tx_, delay);
    if (write && r.base != MIND_CLINT_BASE) ext_stale_ = true;  // it may change the external line: see interrupt_due
    if (trace_)
        trace_line(fmt::format("-- device: {} {} 0x{:x} {} {}+0x{:x} (0x{:08x}){} at {}", write ? "store" : "load",
                               size == 4 ? "word" : size == 2 ? "half" : "byte", write ? value : tx_data_,
                               write ? "to" : "from", r.name, addr - r.base, addr,
                               tx_.is_response_error() ? ": " + tx_.get_response_string() : std::string(),
                               (sc_core::sc_time_stamp() + local_time()).to_string()));
    const uint64_t spent = delay.value() - before;
    local_dev_ticks_ += spent;
    budget_ -= static_cast<int64_t>(spent / period_ticks_);
    if (tx_.is_response_error()) {
        const auto [pc, exact] = access_pc(addr, write);
        record_fault(fmt::format("bus error from {} on a {}-byte {}: {}", r.name, size, write ? "store" : "load",
                                 tx_.get_response_string()),
                     pc, exact, addr, write ? kCauseStoreFault : kCauseLoadFault, static_cast<uint32_t>(addr));
        uc_emu_stop(uc_);
        return 0;
    }
    if (exit_requested_) {
        // SYSCTRL.EXIT: the store was the last instruction to run.
        const auto [pc, exact] = access_pc(addr, true);
        if (exact) uncount_after(pc, true);
        pc_ = pc;
        uc_emu_stop(uc_);
    } else if (write && r.base == MIND_CLINT_BASE && !stepping_) {
        // The CPU's own write to the CLINT: an interrupt it raises is taken before the next
        // instruction. Unicorn leaves the block at this store (measured), so resume after it.
        const auto [pc, exact] = access_pc(addr, true);
        if (exact && interrupt_due(pc + 4, !ext_stale_)) {
            uncount_after(pc, true);
            resume_pc_ = pc + 4;
            uc_emu_stop(uc_);
        }
    }
    return write ? 0 : tx_data_;
}

uint64_t RiscvCpu::on_mmio_read(uc_struct*, uint64_t off, unsigned size, void* ctx) {
    auto* m = static_cast<MmioRegion*>(ctx);
    return m->cpu->device_access(false, m->base + off, size, 0);
}

void RiscvCpu::on_mmio_write(uc_struct*, uint64_t off, unsigned size, uint64_t value, void* ctx) {
    auto* m = static_cast<MmioRegion*>(ctx);
    m->cpu->device_access(true, m->base + off, size, value);
}

// ---- DebugTarget -------------------------------------------------------------

uint32_t RiscvCpu::read_reg(unsigned n) {
    if (n == 32) return pc_;
    if (n == 0 || n > 32) return 0;
    uint32_t v = 0;
    uc_reg_read(uc_, UC_RISCV_REG_X0 + static_cast<int>(n), &v);
    return v;
}

void RiscvCpu::write_reg(unsigned n, uint32_t v) {
    if (n == 32) {
        pc_ = v;
        uc_reg_write(uc_, UC_RISCV_REG_PC, &v);
    } else if (n > 0 && n < 32) {
        uc_reg_write(uc_, UC_RISCV_REG_X0 + static_cast<int>(n), &v);
    }
}

bool RiscvCpu::read_mem(uint32_t addr, uint8_t* dst, uint32_t len) {
    for (uint32_t done = 0; done < len;) {
        const uint64_t a = uint64_t{addr} + done;
        const auto k = find_region(a);
        if (!k) return false;
        const Region& r = regions_[*k];
        const uint32_t n = static_cast<uint32_t>(std::min<uint64_t>(len - done, r.end() - a));
        if (r.kind == RegionKind::Rom || r.kind == RegionKind::Ram) {
            if (uc_mem_read(uc_, a, dst + done, n) != UC_ERR_OK) return false;
        } else {
            // Devices: side-effect-free debug reads where the device has them, else a real
            // 32-bit bus read at the CPU's time (docs/board.md: GDB and devices), word by word.
            for (uint32_t i = 0; i < n; ++i) {
                const uint64_t w = (a + i) & ~3ull;
                uint32_t v = 0;
                tlm::tlm_generic_payload q;
                q.set_read();
                q.set_address(w);
                q.set_data_ptr(reinterpret_cast<unsigned char*>(&v));
                q.set_data_length(4);
                q.set_streaming_width(4);
                if (bus->transport_dbg(q) != 4) {
                    q.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
                    sc_core::sc_time delay = local_time();
                    bus->b_transport(q, delay);
                    if (!q.is_response_ok()) return false;
                }
                dst[done + i] = static_cast<uint8_t>(v >> (8 * ((a + i) & 3)));
            }
        }
        done += n;
    }
    return true;
}

bool RiscvCpu::write_mem(uint32_t addr, const uint8_t* src, uint32_t len) {
    const auto k = find_region(addr, len);
    if (!k) return false;
    if (regions_[*k].kind != RegionKind::Rom && regions_[*k].kind != RegionKind::Ram) {
        // A device: real bus writes (their side effects happen), 32-bit where aligned, else
        // 16-bit (the synapse window), as the CPU could do them.
        const unsigned unit = (addr % 4 == 0 && len % 4 == 0) ? 4 : (addr % 2 == 0 && len % 2 == 0) ? 2 : 0;
        if (!unit) return false;
        for (uint32_t off = 0; off < len; off += unit) {
            uint32_t v = 0;
            std::memcpy(&v, src + off, unit);
            tlm::tlm_generic_payload q;
            q.set_write();
            q.set_address(addr + off);
            q.set_data_ptr(reinterpret_cast<unsigned char*>(&v));
            q.set_data_length(unit);
            q.set_streaming_width(unit);
            q.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
            sc_core::sc_time delay = local_time();
            bus->b_transport(q, delay);
            if (!q.is_response_ok()) return false;
        }
        return true;
    }
    if (uc_mem_write(uc_, addr, src, len) != UC_ERR_OK) return false;
    uc_ctl_remove_cache(uc_, addr, uint64_t{addr} + len);  // the code may have changed
    // Every block of the region is checked again for RV32IM (one may start before `addr`).
    auto& bits = regions_[*k].kind == RegionKind::Rom ? rom_checked_ : ram_checked_;
    std::fill(bits.begin(), bits.end(), 0);
    return true;
}

bool RiscvCpu::insert_breakpoint(uint32_t addr) {
    if (breakpoints_.count(addr)) return true;
    uc_hook h;
    if (uc_hook_add(uc_, &h, UC_HOOK_CODE, reinterpret_cast<void*>(on_code), this, addr, addr) != UC_ERR_OK) return false;
    breakpoints_[addr] = h;
    uc_ctl_remove_cache(uc_, addr, uint64_t{addr} + 4);
    return true;
}

bool RiscvCpu::remove_breakpoint(uint32_t addr) {
    auto it = breakpoints_.find(addr);
    if (it == breakpoints_.end()) return false;
    uc_hook_del(uc_, it->second);
    breakpoints_.erase(it);
    uc_ctl_remove_cache(uc_, addr, uint64_t{addr} + 4);
    return true;
}

StopEvent RiscvCpu::resume(bool step, const std::function<bool()>& stop_requested) {
    if (state_ == CpuState::Halted)
        return halt_ == HaltReason::Exit ? StopEvent{StopEvent::Kind::Exited, static_cast<int>(exit_code_), {}}
                                         : StopEvent{StopEvent::Kind::Fault, 0, halt_report()};
    return execute(step, &stop_requested);
}

}  // namespace mind1024::board

namespace mind1024::board {

// ---- DebugTarget: CSRs, watchpoints, monitor -------------------------------------

namespace {
// CSRs Unicorn keeps as the contract wants, and their Unicorn register ids.
std::optional<int> unicorn_csr(unsigned csr) {
    switch (csr) {
        case 0x305: return UC_RISCV_REG_MTVEC;
        case 0x340: return UC_RISCV_REG_MSCRATCH;
        case 0x341: return UC_RISCV_REG_MEPC;
        case 0x342: return UC_RISCV_REG_MCAUSE;
        case 0x343: return UC_RISCV_REG_MTVAL;
        case 0xF11: return UC_RISCV_REG_MVENDORID;
        case 0xF12: return UC_RISCV_REG_MARCHID;
        case 0xF13: return UC_RISCV_REG_MIMPID;
        case 0xF14: return UC_RISCV_REG_MHARTID;
        default: return std::nullopt;
    }
}
}  // namespace

std::vector<unsigned> RiscvCpu::csrs() const {
    return {0x300, 0x301, 0x304, 0x305, 0x340, 0x341, 0x342, 0x343, 0x344, 0xB00, 0xB02, 0xB80, 0xB82,
            0xC01, 0xC81, 0xF11, 0xF12, 0xF13, 0xF14};
}

std::optional<uint32_t> RiscvCpu::read_csr(unsigned csr) {
    if (const auto id = unicorn_csr(csr)) {
        uint32_t v = 0;
        uc_reg_read(uc_, *id, &v);
        return v;
    }
    if (csr > 0xFFF || rv32::check(0x00002073u | (csr << 20)) != rv32::Check::Emulate) return std::nullopt;
    const uint32_t size = block_size_;
    block_size_ = 0;  // stopped: nothing counted ahead
    const auto v = csr_read(csr, pc_);
    block_size_ = size;
    return v;
}

bool RiscvCpu::write_csr(unsigned csr, uint32_t value) {
    if (const auto id = unicorn_csr(csr)) {
        if ((csr >> 10) == 3) return false;  // read-only
        uc_reg_write(uc_, *id, &value);
        return true;
    }
    if (csr > 0xFFF || rv32::check(0x00002073u | (csr << 20)) != rv32::Check::Emulate) return false;
    const uint32_t size = block_size_;
    block_size_ = 0;
    const bool ok = csr_write(csr, value, pc_, 0);  // the next instruction reads what GDB wrote
    block_size_ = size;
    return ok;
}

bool RiscvCpu::insert_watchpoint(WatchKind kind, uint32_t addr, uint32_t len) {
    // ROM and SRAM only: a device access cannot be undone and done again (GDB then
    // falls back to its software watchpoints for device addresses).
    const auto k = find_region(addr, len);
    if (!k || (regions_[*k].kind != RegionKind::Rom && regions_[*k].kind != RegionKind::Ram)) return false;
    for (const Watch& w : watches_)
        if (w.kind == kind && w.addr == addr && w.len == len) return true;
    const int type = kind == WatchKind::Write  ? UC_HOOK_MEM_WRITE
                     : kind == WatchKind::Read ? UC_HOOK_MEM_READ
                                               : (UC_HOOK_MEM_READ | UC_HOOK_MEM_WRITE);
    uc_hook h;
    if (uc_hook_add(uc_, &h, type, reinterpret_cast<void*>(on_watch), this, addr, uint64_t{addr} + len - 1) != UC_ERR_OK)
        return false;
    watches_.push_back({kind, addr, len, h});
    flush_code();  // memory accesses take the hooked path from here on
    return true;
}

bool RiscvCpu::remove_watchpoint(WatchKind kind, uint32_t addr, uint32_t len) {
    for (auto it = watches_.begin(); it != watches_.end(); ++it) {
        if (it->kind == kind && it->addr == addr && it->len == len) {
            uc_hook_del(uc_, it->hook);
            watches_.erase(it);
            flush_code();
            return true;
        }
    }
    return false;
}

void RiscvCpu::on_watch(uc_struct* uc, int type, uint64_t addr, int size, int64_t, void* self) {
    auto* c = static_cast<RiscvCpu*>(self);
    if (c->debug_stop_ || c->fault_pending_) return;
    const bool write = type == UC_MEM_WRITE;
    WatchKind hit = WatchKind::Write;
    bool found = false;
    for (const Watch& w : c->watches_) {
        const bool kind_ok = w.kind == WatchKind::Access || (w.kind == WatchKind::Write) == write;
        if (kind_ok && addr < uint64_t{w.addr} + w.len && addr + static_cast<unsigned>(size) > w.addr) {
            hit = w.kind;
            found = true;
            break;
        }
    }
    if (!found) return;
    const auto [pc, exact] = c->access_pc(addr, write);
    if (!exact) return;  // cannot say where to stop: let it run
    // GDB on RISC-V takes watchpoints as triggering before the access (it then steps the
    // instruction itself): stop at the accessing instruction with memory unchanged.
    // Unicorn abandons a load here, but completes a store: its old bytes go back after the stop.
    if (write) {
        c->watch_undo_.emplace();
        c->watch_undo_->first = static_cast<uint32_t>(addr);
        c->watch_undo_->second.resize(static_cast<size_t>(size));
        uc_mem_read(uc, addr, c->watch_undo_->second.data(), c->watch_undo_->second.size());
    }
    c->uncount_after(pc, false);
    c->resume_pc_ = pc;
    StopEvent ev{StopEvent::Kind::Watchpoint, 0, {}};
    ev.watch = hit;
    ev.watch_address = static_cast<uint32_t>(addr);
    c->debug_stop_ = ev;
    uc_emu_stop(uc);
}

void RiscvCpu::reset_core() {
    // The CPU's reset (contract 3: pc = the ELF's entry; machine mode, interrupts off,
    // mtvec 0). Memory and devices keep their state: crt0 copies .data and clears .bss again.
    uint32_t zero = 0;
    for (int r = 1; r < 32; ++r) uc_reg_write(uc_, UC_RISCV_REG_X0 + r, &zero);
    uint32_t mstatus = kMstatusMpp;
    uc_reg_write(uc_, UC_RISCV_REG_MSTATUS, &mstatus);
    for (int id : {UC_RISCV_REG_MIE, UC_RISCV_REG_MTVEC, UC_RISCV_REG_MEPC, UC_RISCV_REG_MCAUSE, UC_RISCV_REG_MTVAL,
                   UC_RISCV_REG_MSCRATCH})
        uc_reg_write(uc_, id, &zero);
    minstret_offset_ = -static_cast<int64_t>(icount_);
    mcycle_offset_ = -static_cast<int64_t>(cycles_at(pc_));
    pc_ = image_ ? image_->entry : 0;
    uc_reg_write(uc_, UC_RISCV_REG_PC, &pc_);
    fault_pending_ = exit_requested_ = false;
    if (state_ == CpuState::Halted) {
        state_ = CpuState::Running;
        halt_ = HaltReason::None;
    }
}

std::optional<std::string> RiscvCpu::monitor(const std::string& line) {
    std::string cmd = line, arg;
    if (const size_t sp = line.find(' '); sp != std::string::npos) {
        cmd = line.substr(0, sp);
        arg = line.substr(line.find_first_not_of(' ', sp) == std::string::npos ? line.size()
                                                                                 : line.find_first_not_of(' ', sp));
    }
    if (cmd == "help")
        return "monitor reset    the CPU's reset: registers 0, pc = entry, mtvec 0 (memory and devices keep their state)\n"
               "monitor time     simulated time, MTIME and mcycle\n"
               "monitor stats    instructions, exceptions, interrupts, device accesses\n"
               "monitor quantum  the CPU's time quantum\n"
               "monitor trace on|off   --trace output (when mind-board was started with --trace FILE)\n";
    if (cmd == "reset") {
        reset_core();
        return fmt::format("CPU reset: pc 0x{:08X}\n", pc_);
    }
    if (cmd == "time") {
        const sc_core::sc_time now = sc_core::sc_time_stamp();
        return fmt::format("simulated time {} ({} us), MTIME {}, mcycle {}\n", now.to_string(),
                           BoardTimer::micros(now), clint_ ? clint_->mtime(now) : 0,
                           cycles_at(pc_) + static_cast<uint64_t>(mcycle_offset_));
    }
    if (cmd == "stats")
        return fmt::format("{} instructions, {} exceptions, {} interrupts, {} device accesses, pc 0x{:08X}\n", icount_,
                           traps_taken_, irqs_taken_, mmio_, pc_);
    if (cmd == "quantum")
        return fmt::format("quantum {} ({} instructions at {} MHz)\n", cfg_.quantum.to_string(), quantum_instr_,
                           cfg_.clock_hz / 1e6);
    if (cmd == "trace") {
        if (!trace_) return std::string("no trace file: start mind-board with --trace FILE\n");
        if (arg == "off") {
            trace_lines_ = trace_limit_;  // the hook goes at the next stop
            return std::string("trace off\n");
        }
        if (arg == "on") {
            trace_limit_ = trace_lines_ + trace_budget_;  // a fresh --trace-limit from here
            if (!trace_hooked_) {
                uc_hook h;
                if (uc_hook_add(uc_, &h, UC_HOOK_CODE, reinterpret_cast<void*>(on_trace_insn), this, 1, 0) != UC_ERR_OK)
                    return std::string("trace: cannot add the instruction hook\n");
                trace_hook_ = h;
                trace_hooked_ = true;
                flush_code();
            }
            return fmt::format("trace on: up to {} more lines\n", trace_budget_);
        }
        return fmt::format("trace {} ({} lines written, limit {})\n", trace_lines_ < trace_limit_ ? "on" : "off",
                           trace_lines_, trace_limit_);
    }
    return std::nullopt;
}

}  // namespace mind1024::board
