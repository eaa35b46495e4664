#include "sysc/board/riscv_cpu.h"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>
#include <unicorn/unicorn.h>

#include "sysc/board/gdb/gdb_stub.h"
#include "sysc/board/rv32_decode.h"

namespace mind1024::board {

namespace {
constexpr uint32_t kMstatusMie = 1u << 3, kMstatusMpie = 1u << 7, kMstatusMpp = 3u << 11;
constexpr uint32_t kMieMeie = 1u << 11;
constexpr uint32_t kCauseMachineExternal = 0x8000000Bu;
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
        case 8: case 9: case 11: return "ecall (no environment to serve it)";
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
    return s;
}

RiscvCpu::RiscvCpu(sc_core::sc_module_name name, const CpuConfig& cfg, std::vector<Region> regions)
    : sc_module(name), bus("bus"), ext_irq("ext_irq"), cfg_(cfg), regions_(std::move(regions)),
      period_(1.0 / cfg.clock_hz, sc_core::SC_SEC) {
    if (!(cfg.clock_hz >= 1e3 && cfg.clock_hz <= 5e9)) throw std::invalid_argument("CPU clock out of range");
    period_ticks_ = period_.value();
    if (period_ticks_ == 0) throw std::invalid_argument("CPU clock period below the SystemC time resolution");
    quantum_instr_ = std::max<uint64_t>(1, cfg.quantum.value() / period_ticks_);
    check(uc_open(UC_ARCH_RISCV, UC_MODE_RISCV32, &uc_), "open RV32");
    SC_THREAD(thread);
    set_stack_size(16 << 20);  // Unicorn translates code on this coroutine's stack
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
}

void RiscvCpu::thread() {
    if (!image_) return;  // held in reset: the host drives the bus alone
    budget_ = static_cast<int64_t>(quantum_instr_);
    if (gdb_) {
        const GdbStub::End end = gdb_->serve();
        if (end == GdbStub::End::Killed) halt(HaltReason::Killed);
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
    // Only the breakpoint at the pc this run starts from is stepped over, once.
    skip_bp_ = breakpoints_.count(pc_) ? std::optional<uint32_t>(pc_) : std::nullopt;
    for (;;) {
        if (exit_requested_) halt(HaltReason::Exit);
        if (state_ == CpuState::Halted) break;
        take_interrupt();
        quantum_stop_ = limit_stop_ = bp_hit_ = false;
        stepping_ = step;
        const uc_err err = uc_emu_start(uc_, pc_, kNoUntil, 0, step ? 1 : 0);
        uc_reg_read(uc_, UC_RISCV_REG_PC, &pc_);
        // Stopped by on_block before a block: with any UC_HOOK_CODE hook (a breakpoint)
        // Unicorn 2.0.1 does not restore the pc to the block start, so take it from on_block.
        if (quantum_stop_ || limit_stop_) pc_ = block_start_;
        if (fault_pending_) pc_ = fault_.pc;  // Unicorn may report the block start
        if (step && !fault_pending_) {
            ++icount_;
            ++local_instr_;
        }
        stepping_ = false;
        if (fault_pending_) {
            fault_pending_ = false;
            halt(HaltReason::Fault);
            break;
        }
        if (exit_requested_) continue;
        if (err != UC_ERR_OK) {
            record_fault(fmt::format("emulation error: {}", uc_strerror(err)), pc_, false, std::nullopt);
            halt(HaltReason::Fault);
            break;
        }
        if (bp_hit_) return {StopEvent::Kind::Breakpoint, 0, {}};
        if (limit_stop_) {
            halt(HaltReason::InstructionLimit);
            break;
        }
        if (step) return {StopEvent::Kind::Step, 0, {}};
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
        record_fault("emulation stopped for no known reason", pc_, false, std::nullopt);
        halt(HaltReason::Fault);
        break;
    }
    if (halt_ == HaltReason::Exit) return {StopEvent::Kind::Exited, static_cast<int>(exit_code_), {}};
    return {StopEvent::Kind::Fault, 0, halt_report()};
}

void RiscvCpu::wait_for_interrupt() {
    sync();
    uint32_t mie = 0;
    uc_reg_read(uc_, UC_RISCV_REG_MIE, &mie);
    if (!(mie & kMieMeie)) {
        // Nothing can ever wake it: report now rather than let time run out.
        record_fault("deadlock: wfi with mie.MEIE clear (no interrupt can wake the CPU)", pc_ - 4, true, std::nullopt);
        halt(HaltReason::Fault);
        return;
    }
    state_ = CpuState::WaitingForInterrupt;
    while (!ext_irq.read() && !exit_requested_ && state_ == CpuState::WaitingForInterrupt)
        wait(ext_irq.value_changed_event() | exit_event_);
    if (state_ == CpuState::WaitingForInterrupt) state_ = CpuState::Running;
}

void RiscvCpu::take_interrupt() {
    if (!ext_irq.read()) return;
    uint32_t mstatus = 0, mie = 0, mtvec = 0;
    uc_reg_read(uc_, UC_RISCV_REG_MSTATUS, &mstatus);
    uc_reg_read(uc_, UC_RISCV_REG_MIE, &mie);
    if (!(mstatus & kMstatusMie) || !(mie & kMieMeie)) return;
    uc_reg_read(uc_, UC_RISCV_REG_MTVEC, &mtvec);
    uint32_t cause = kCauseMachineExternal;
    mstatus = (mstatus & ~(kMstatusMie | kMstatusMpie)) | kMstatusMpie | kMstatusMpp;
    uc_reg_write(uc_, UC_RISCV_REG_MEPC, &pc_);
    uc_reg_write(uc_, UC_RISCV_REG_MCAUSE, &cause);
    uc_reg_write(uc_, UC_RISCV_REG_MSTATUS, &mstatus);
    pc_ = (mtvec & 3) == 1 ? (mtvec & ~3u) + 4 * 11 : (mtvec & ~3u);
    ++irqs_taken_;
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

std::pair<uint32_t, bool> RiscvCpu::access_pc(uint64_t addr) {
    uint32_t x[32];
    read_x(x);
    const auto pc = rv32::find_access(block_start_, block_size_, static_cast<uint32_t>(addr), x,
                                      [this](uint32_t p) { return fetch_word(p); });
    if (pc) return {*pc, true};
    return {block_start_, false};
}

void RiscvCpu::record_fault(std::string cause, uint32_t pc, bool exact, std::optional<uint64_t> addr) {
    if (fault_pending_ || halt_ == HaltReason::Fault) return;  // the first fault is the one to report
    fault_ = CpuFault{std::move(cause), pc, exact, fetch_word(pc), addr};
    pc_ = pc;
    fault_pending_ = true;
    if (exact) uncount_after(pc, true);  // the instructions after the faulting one did not run
}

void RiscvCpu::uncount_after(uint32_t pc, bool pc_ran) {
    // on_block counted the whole block; take back what followed `pc` (and `pc` itself unless it ran).
    if (pc < block_start_ || pc - block_start_ >= block_size_) return;
    const uint64_t unrun = (block_start_ + block_size_ - pc) / 4 - (pc_ran ? 1 : 0);
    icount_ -= std::min(unrun, icount_);
    local_instr_ -= std::min(unrun, local_instr_);
}

// ---- Unicorn callbacks -------------------------------------------------------

void RiscvCpu::on_block(uc_struct* uc, uint64_t addr, uint32_t size, void* self) {
    auto* c = static_cast<RiscvCpu*>(self);
    if (c->stepping_) return;  // counted by execute()
    const uint64_t n = size / 4;
    if (c->cfg_.max_instructions && c->icount_ + n > c->cfg_.max_instructions) {
        c->block_start_ = static_cast<uint32_t>(addr);  // where to resume: see execute
        c->block_size_ = 0;
        c->limit_stop_ = true;
        uc_emu_stop(uc);
        return;
    }
    // Out of quantum: stop before this block (exact resume); a quantum always runs something.
    if (static_cast<int64_t>(n) > c->budget_ && (c->local_instr_ || c->local_dev_ticks_ || c->budget_ <= 0)) {
        c->block_start_ = static_cast<uint32_t>(addr);  // where to resume: see execute
        c->block_size_ = 0;
        c->quantum_stop_ = true;
        uc_emu_stop(uc);
        return;
    }
    c->budget_ -= static_cast<int64_t>(n);
    c->icount_ += n;
    c->local_instr_ += n;
    c->block_start_ = static_cast<uint32_t>(addr);
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

void RiscvCpu::on_intr(uc_struct* uc, uint32_t intno, void* self) {
    auto* c = static_cast<RiscvCpu*>(self);
    uint32_t pc = 0;
    uc_reg_read(uc, UC_RISCV_REG_PC, &pc);
    // Unicorn reports these past the instruction (measured; see the notes and the pinning tests).
    const bool past = intno == 2 || intno == 8 || intno == 9 || intno == 11;
    c->record_fault(exception_name(intno), past ? pc - 4 : pc, true, std::nullopt);
    uc_emu_stop(uc);
}

bool RiscvCpu::on_invalid(uc_struct* uc, void* self) {
    auto* c = static_cast<RiscvCpu*>(self);
    uint32_t pc = 0;
    uc_reg_read(uc, UC_RISCV_REG_PC, &pc);
    const auto w = c->fetch_word(pc);
    c->record_fault(w && *w == rv32::kEbreak ? "ebreak with no debugger attached" : "invalid instruction", pc, true,
                    std::nullopt);
    return false;
}

bool RiscvCpu::on_bad_mem(uc_struct*, int type, uint64_t addr, int, int64_t, void* self) {
    auto* c = static_cast<RiscvCpu*>(self);
    switch (type) {
        case UC_MEM_FETCH_UNMAPPED:
            c->record_fault("instruction fetch outside the memory map", static_cast<uint32_t>(addr), true, addr);
            break;
        case UC_MEM_FETCH_PROT:
            c->record_fault("instruction fetch from a device region", static_cast<uint32_t>(addr), true, addr);
            break;
        default: {
            const bool write = type == UC_MEM_WRITE_UNMAPPED || type == UC_MEM_WRITE_PROT;
            const char* cause = type == UC_MEM_WRITE_PROT   ? "store to ROM"
                                : write                     ? "store outside the memory map"
                                : type == UC_MEM_READ_PROT  ? "load from a protected region"
                                                            : "load outside the memory map";
            const auto [pc, exact] = c->access_pc(addr);
            c->record_fault(cause, pc, exact, addr);
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
    const auto [pc, exact] = c->access_pc(addr);
    c->record_fault(fmt::format("misaligned {}-byte {} device region {}", size, write ? "store to" : "load from",
                                c->regions_[*k].name),
                    pc, exact, addr);
    uc_emu_stop(uc);
}

uint64_t RiscvCpu::device_access(bool write, uint64_t addr, unsigned size, uint64_t value) {
    if (fault_pending_ || exit_requested_) return 0;  // the run is ending: touch nothing more
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
    const uint64_t spent = delay.value() - before;
    local_dev_ticks_ += spent;
    budget_ -= static_cast<int64_t>(spent / period_ticks_);
    if (tx_.is_response_error()) {
        const auto [pc, exact] = access_pc(addr);
        record_fault(fmt::format("bus error from {} on a {}-byte {}: {}", r.name, size, write ? "store" : "load",
                                 tx_.get_response_string()),
                     pc, exact, addr);
        uc_emu_stop(uc_);
        return 0;
    }
    if (exit_requested_) {
        // SYSCTRL.EXIT: the store was the last instruction to run.
        const auto [pc, exact] = access_pc(addr);
        if (exact) uncount_after(pc, true);
        pc_ = pc;
        uc_emu_stop(uc_);
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
            // Devices: side-effect-free debug reads, word by word.
            for (uint32_t i = 0; i < n; ++i) {
                const uint64_t w = (a + i) & ~3ull;
                uint32_t v = 0;
                tlm::tlm_generic_payload q;
                q.set_read();
                q.set_address(w);
                q.set_data_ptr(reinterpret_cast<unsigned char*>(&v));
                q.set_data_length(4);
                if (bus->transport_dbg(q) != 4) return false;
                dst[done + i] = static_cast<uint8_t>(v >> (8 * ((a + i) & 3)));
            }
        }
        done += n;
    }
    return true;
}

bool RiscvCpu::write_mem(uint32_t addr, const uint8_t* src, uint32_t len) {
    const auto k = find_region(addr, len);
    if (!k || (regions_[*k].kind != RegionKind::Rom && regions_[*k].kind != RegionKind::Ram)) return false;
    if (uc_mem_write(uc_, addr, src, len) != UC_ERR_OK) return false;
    uc_ctl_remove_cache(uc_, addr, uint64_t{addr} + len);  // the code may have changed
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
