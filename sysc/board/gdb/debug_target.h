// DebugTarget: what the GDB stub needs from a CPU. The stub speaks the protocol;
// whoever owns the CPU (the Unicorn RV32IM core, or a test's toy machine)
// implements this. All calls come from the thread that runs GdbStub::serve.
#pragma once
#include <cstdint>
#include <functional>
#include <string>

namespace mind1024::board {

struct StopEvent {
    enum class Kind { Breakpoint, Step, Interrupted, Exited, Fault } kind;
    int exit_code = 0;    // Exited
    std::string message;  // Fault: the board's fault report (sent to GDB as console output)
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
};

}  // namespace mind1024::board
