// DebugTarget: what the GDB stub needs from a CPU. The stub speaks the protocol;
// whoever owns the CPU (the Unicorn RV32IM core, or a test's toy machine)
// implements this. All calls come from the thread that runs GdbStub::serve.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace mind1024::board {

enum class WatchKind { Write = 2, Read = 3, Access = 4 };  // GDB's Z2, Z3, Z4

struct StopEvent {
    enum class Kind { Breakpoint, Step, Interrupted, Exited, Fault, Watchpoint } kind;
    int exit_code = 0;    // Exited
    std::string message;  // Fault: the board's fault report (sent to GDB as console output)
    WatchKind watch = WatchKind::Write;  // Watchpoint: which kind hit,
    uint32_t watch_address = 0;          // and the address accessed
};

class DebugTarget {
public:
    virtual ~DebugTarget() = default;

    // Register numbers follow GDB's RISC-V numbering: 0..31 = x0..x31, 32 = pc.
    // The stub never asks for a number above 32.
    virtual uint32_t read_reg(unsigned n) = 0;
    virtual void write_reg(unsigned n, uint32_t v) = 0;

    // False if any byte of the range is unmapped. Debugger writes may write ROM.
    virtual bool read_mem(uint32_t addr, uint8_t* dst, uint32_t len) = 0;
    virtual bool write_mem(uint32_t addr, const uint8_t* src, uint32_t len) = 0;

    // Software breakpoints at an instruction address. Inserting one twice or
    // removing one that is not there must not fail.
    virtual bool insert_breakpoint(uint32_t addr) = 0;
    virtual bool remove_breakpoint(uint32_t addr) = 0;

    // Runs the target: one instruction if `step`, else until a breakpoint, exit or
    // fault. A breakpoint at the pc where a resume starts need not stop it (GDB
    // removes its own breakpoint there before resuming). `stop_requested` must be
    // polled now and then (at least every few ms of host time); once it returns
    // true the target stops and returns Kind::Interrupted.
    virtual StopEvent resume(bool step, const std::function<bool()>& stop_requested) = 0;

    // Optional: CSRs (GDB register number 65 + csr), watchpoints, monitor commands.
    // The CSRs a target serves; the stub describes them in target.xml.
    virtual std::vector<unsigned> csrs() const { return {}; }
    virtual std::optional<uint32_t> read_csr(unsigned /*csr*/) { return std::nullopt; }
    virtual bool write_csr(unsigned /*csr*/, uint32_t /*value*/) { return false; }
    // A watchpoint on [addr, addr + len): the access stops the target after the accessing
    // instruction (Kind::Watchpoint). False: not supported.
    virtual bool insert_watchpoint(WatchKind, uint32_t /*addr*/, uint32_t /*len*/) { return false; }
    virtual bool remove_watchpoint(WatchKind, uint32_t /*addr*/, uint32_t /*len*/) { return false; }
    // "monitor CMD": the text to show, or nothing if the command is unknown.
    virtual std::optional<std::string> monitor(const std::string& /*cmd*/) { return std::nullopt; }
};

}  // namespace mind1024::board
