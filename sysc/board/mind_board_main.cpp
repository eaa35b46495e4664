// mind-board: runs an RV32IM firmware ELF on the virtual MIND 1024 board.
// The UART goes to stdout as it comes; the exit code is the firmware's (the
// value it wrote to SYSCTRL.EXIT); anything else that stops the board is
// reported on stderr with its own exit code (see --help).
#include <chrono>
#include <cstdlib>
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <regex>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <systemc>

#include "platform.h"
#include "gdb_stub.h"
#include "vcd_trace.h"

namespace {

using namespace mind1024;
using namespace mind1024::board;

// Exit codes for what is not the firmware's own exit.
enum Exit { kBadInput = 2, kFault = 3, kLimit = 4, kDeadlock = 5, kKilled = 6, kSimError = 7 };

// "10us", "2.5 ms", "1s", "300ns"; a bare number is in seconds.
std::optional<sc_core::sc_time> parse_time(const std::string& s) {
    static const std::regex re(R"(\s*([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*(s|ms|us|ns|ps)?\s*)");
    std::smatch m;
    if (!std::regex_match(s, m, re)) return std::nullopt;
    const double v = std::stod(m[1]);
    const std::string u = m[2];
    const sc_core::sc_time_unit unit = u == "ms" ? sc_core::SC_MS : u == "us" ? sc_core::SC_US
                                       : u == "ns" ? sc_core::SC_NS : u == "ps" ? sc_core::SC_PS : sc_core::SC_SEC;
    return sc_core::sc_time(v, unit);
}

int run(int argc, char** argv) {
    CLI::App app{"mind-board: run RV32IM firmware on the virtual MIND 1024 board.\n"
                 "Exit code: the firmware's (what it wrote to SYSCTRL.EXIT), or 2 bad input, 3 CPU fault, "
                 "4 instruction or time limit, 5 deadlock (wfi nothing can wake), 6 killed by GDB, 7 simulation error."};
    std::string firmware, vcd, gdb, max_time_s, quantum_s = "10us";
    uint64_t max_instructions = 0;
    bool stats = false;
    app.add_option("--firmware", firmware, "RV32IM ELF to run (loaded at its physical addresses into ROM/SRAM)")
        ->required();
    app.add_option("--max-instructions", max_instructions, "stop after this many instructions (0: no limit)");
    app.add_option("--max-time", max_time_s, "stop at this simulated time, e.g. 10ms, 2s (default: none)");
    app.add_option("--quantum", quantum_s, "CPU time quantum: how far the CPU runs ahead of the rest (default 10us)");
    app.add_option("--vcd", vcd, "write a VCD trace (chip signals, interrupt lines) to FILE.vcd");
    app.add_option("--gdb", gdb, "wait for gdb-multiarch on tcp:HOST:PORT before running");
    app.add_flag("--stats", stats, "print instructions, simulated time and instructions per second at the end");
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? 0 : kBadInput;
    }

    // Everything is checked before anything is elaborated.
    BoardConfig cfg;
    const auto quantum = parse_time(quantum_s);
    if (!quantum || *quantum <= sc_core::SC_ZERO_TIME || *quantum > sc_core::sc_time(1, sc_core::SC_SEC))
        throw std::invalid_argument(fmt::format("--quantum '{}': want a time in (0, 1 s], e.g. 10us", quantum_s));
    cfg.cpu.quantum = *quantum;
    cfg.cpu.max_instructions = max_instructions;
    std::optional<sc_core::sc_time> max_time;
    if (!max_time_s.empty()) {
        max_time = parse_time(max_time_s);
        if (!max_time || *max_time <= sc_core::SC_ZERO_TIME)
            throw std::invalid_argument(fmt::format("--max-time '{}': want a positive time, e.g. 10ms", max_time_s));
    }
    cfg.firmware = load_elf(firmware, Mind1024Board::load_windows());
    std::unique_ptr<sysc::VcdTrace> trace;
    if (!vcd.empty()) trace = std::make_unique<sysc::VcdTrace>(vcd);

    sc_core::sc_report_handler::set_actions("/IEEE_Std_1666/deprecated", sc_core::SC_DO_NOTHING);
    Mind1024Board board("board", cfg);
    RiscvCpu& cpu = *board.cpu();
    if (trace) board.trace(trace->file());
    std::unique_ptr<GdbStub> stub;
    if (!gdb.empty()) {
        stub = std::make_unique<GdbStub>(cpu, gdb, std::cerr);
        std::fprintf(stderr, "[board] waiting for GDB on port %u (gdb-multiarch %s -ex 'target remote :%u')\n",
                     stub->port(), firmware.c_str(), stub->port());
        cpu.attach_debugger(stub.get());
    }

    const auto t0 = std::chrono::steady_clock::now();
    bool time_limit = false;
    for (;;) {
        if (max_time) {
            const sc_core::sc_time now = sc_core::sc_time_stamp();
            if (now >= *max_time) {
                time_limit = true;
                break;
            }
            sc_core::sc_start(*max_time - now);
        } else {
            sc_core::sc_start();
        }
        if (cpu.state() == CpuState::Halted || board.exit_code()) break;
        if (!sc_core::sc_pending_activity() && cpu.state() == CpuState::WaitingForInterrupt) {
            cpu.declare_deadlock();  // nothing left in the simulation can raise an interrupt
            break;
        }
    }
    const double host_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::fflush(stdout);
    if (trace) {
        sc_core::sc_start(sc_core::sc_time(1, sc_core::SC_US));  // so the last values are written
        trace->finish(true);
    }

    int rc = 0;
    if (time_limit) {
        std::fprintf(stderr, "[board] time limit: stopped at %s of simulated time, pc 0x%08X, %llu instructions\n",
                     sc_core::sc_time_stamp().to_string().c_str(), cpu.pc(),
                     static_cast<unsigned long long>(cpu.instructions()));
        rc = kLimit;
    } else if (board.exit_code()) {
        rc = static_cast<int>(*board.exit_code() & 0xFF);
    } else {
        switch (cpu.halt_reason()) {
            case HaltReason::Exit: rc = static_cast<int>(cpu.exit_code() & 0xFF); break;
            case HaltReason::Fault: rc = kFault; break;
            case HaltReason::InstructionLimit: rc = kLimit; break;
            case HaltReason::Deadlock: rc = kDeadlock; break;
            case HaltReason::Killed: rc = kKilled; break;
            case HaltReason::None: rc = kSimError; break;
        }
        if (cpu.halt_reason() != HaltReason::Exit) std::fprintf(stderr, "[board] %s\n", cpu.halt_report().c_str());
        else if (cpu.exit_code() > 0xFF)
            std::fprintf(stderr, "[board] firmware exit code %u does not fit a process exit code; exiting with %d\n",
                         cpu.exit_code(), rc);
    }
    if (stats) {
        const double sim_s = sc_core::sc_time_stamp().to_seconds();
        std::fprintf(stderr,
                     "[board] stats: %llu instructions, %.6f s simulated, %.3f s host, %.1f M instructions/s, "
                     "%llu device accesses, %llu interrupts\n",
                     static_cast<unsigned long long>(cpu.instructions()), sim_s, host_s,
                     host_s > 0 ? cpu.instructions() / host_s / 1e6 : 0.0,
                     static_cast<unsigned long long>(cpu.device_accesses()),
                     static_cast<unsigned long long>(cpu.interrupts_taken()));
    }
    return rc;
}

}  // namespace

// Entered through main(), not libsystemc's, so the SystemC banner stays off
// the firmware's console; sc_main only satisfies the linker.
extern "C" int sc_main(int, char**) { return 1; }

int main(int argc, char** argv) {
    setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
    try {
        return run(argc, argv);
    } catch (const sc_core::sc_report& r) {
        std::fprintf(stderr, "mind-board: SystemC stopped: %s\n", r.what());
        return kSimError;
    } catch (const ElfError& e) {
        std::fprintf(stderr, "mind-board: %s\n", e.what());
        return kBadInput;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "mind-board: %s\n", e.what());
        return kBadInput;
    }
}
