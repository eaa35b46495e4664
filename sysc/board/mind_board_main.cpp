// mind-board: runs an RV32IM firmware ELF on the virtual MIND 1024 board.
// The UART goes to stdout as it comes; the exit code is the firmware's (the
// value it wrote to SYSCTRL.EXIT); anything else that stops the board is
// reported on stderr with its own exit code (see --help).
#include <sys/stat.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <memory>
#include <optional>
#include <regex>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <systemc>

#include "rtl/datapath_factory.h"
#include "sysc/board/platform.h"
#include "sysc/chip_params_cli.h"
#include "sysc/fault_plan.h"
#include "sysc/board/gdb/gdb_stub.h"
#include "sysc/vcd_trace.h"
// host link (--listen)
#include <atomic>
#include <csignal>
#include <fstream>
#include "sysc/board/host_port_driver.h"
#include "sysc/board/exit_report.h"
#include "sysc/board/link_server.h"

namespace {

using namespace mind1024;
using namespace mind1024::board;

// Exit codes for what is not the firmware's own exit.
enum Exit { kBadInput = 2, kFault = 3, kLimit = 4, kDeadlock = 5, kKilled = 6, kSimError = 7, kOutputError = 8 };

// host link (--listen): SIGINT/SIGTERM end the serving loop.
std::atomic<bool> g_link_stop{false};
volatile std::sig_atomic_t g_link_signal = 0;
extern "C" void link_stop_handler(int sig) {
    g_link_signal = sig;
    g_link_stop = true;
}
// --exit-report, once parsed: main() writes bad_input and simulation_error outcomes there.
std::string g_exit_report;

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

// Everything the command line says, checked before anything is elaborated.
struct Options {
    std::string firmware, vcd, gdb, max_time_s, quantum_s = "10us", datapath = "cpp", faults;
    std::string max_instructions;  // empty: no limit
    bool stop_on_trap = false;
    bool stats = false;
    bool no_firmware = false;  // --listen with the CPU held in reset: a chip-only board
    std::string exit_report;  // --exit-report FILE.json
    std::string trace;        // --trace FILE
    std::string semihost_root;
    bool no_semihosting = false;
    std::string uart_input;  // --uart-input FILE|-
    std::string trace_limit = "1000000";
    // host link (--listen)
    std::string listen;
    double listen_timeout = -1;
    double idle_timeout = 300, request_timeout = 55;
    ChipParams chip;  // the chip on this board (a host over the link learns them from the HELLO)
};

void add_options(CLI::App& app, Options& o) {
    app.add_option("--firmware", o.firmware,
                   "RV32IM ELF to run (loaded at its physical addresses into ROM/SRAM); required unless --listen, "
                   "which defaults to " MIND1024_DEFAULT_FIRMWARE);
    app.add_option("--listen", o.listen,
                   "serve the host link on unix:PATH or tcp:HOST:PORT (port 0: any) while the firmware runs; "
                   "SIGINT/SIGTERM stop it (exit 0)");
    app.add_flag("--no-firmware", o.no_firmware,
                 "with --listen: no firmware, the controller CPU held in reset; hosts drive the chip register by "
                 "register (bare mode), with nothing else running on the board between their accesses");
    app.add_option("--listen-timeout", o.listen_timeout,
                   "with --listen: stop serving (exit 0) once no client has been connected for this many seconds "
                   "(default: never)");
    app.add_option("--idle-timeout", o.idle_timeout,
                   "with --listen: drop a client silent this many seconds between requests, so it cannot hold the "
                   "board (0: never)")
        ->capture_default_str()
        ->check(CLI::NonNegativeNumber);
    app.add_option("--request-timeout", o.request_timeout,
                   "with --listen: answer a wait (WAIT_IDLE, WAIT_READY) still going after this many seconds of "
                   "host time with TIMEOUT (0: never; a host gives up after 60 s)")
        ->capture_default_str()
        ->check(CLI::NonNegativeNumber);
    app.add_option("--max-instructions", o.max_instructions,
                   "stop after this many instructions, 1 to 10^15 (default: no limit)");
    app.add_option("--exit-report", o.exit_report,
                   "write the outcome as JSON to FILE.json: exit (and the firmware's code), fault (cause, pc, "
                   "mcause, mtval), instruction_limit, time_limit, deadlock, killed, link_closed, bad_input, "
                   "simulation_error");
    app.add_option("--trace", o.trace,
                   "write an execution trace to FILE: each instruction (pc, word, disassembly), exceptions, "
                   "interrupts and device accesses");
    app.add_option("--trace-limit", o.trace_limit, "at most this many trace lines, then run on untraced (default 1000000)");
    app.add_option("--uart-input", o.uart_input,
                   "bytes the UART receives (RX, STATUS.RX_READY, the RX interrupt): FILE, or - for standard input");
    app.add_option("--semihost-root", o.semihost_root,
                   "semihosting: the firmware may open, read and write files in DIR, and nowhere else "
                   "(without it, console and exit only)");
    app.add_flag("--no-semihosting", o.no_semihosting,
                 "treat the semihosting sequence's ebreak as a plain ebreak (a breakpoint exception)");
    app.add_flag("--stop-on-trap", o.stop_on_trap,
                 "stop the board with the fault report at every exception, even when the firmware has a trap handler");
    app.add_option("--max-time", o.max_time_s, "stop at this simulated time, e.g. 10ms, 2s (default: none)");
    app.add_option("--quantum", o.quantum_s, "CPU time quantum: how far the CPU runs ahead of the rest (default 10us)");
    app.add_option("--vcd", o.vcd, "write a VCD trace (chip signals, interrupt lines) to FILE.vcd");
    app.add_option("--gdb", o.gdb, "wait for gdb-multiarch on tcp:HOST:PORT before running");
    app.add_flag("--stats", o.stats, "print instructions, simulated time and instructions per second at the end");
    add_chip_param_options(app, o.chip, {}, "chip ");
    app.add_option("--datapath", o.datapath,
                   "neuron datapath of the chip: cpp, or rtl (the Verilated unit; WBITS 8, ABITS 24, LANES 16)")
        ->capture_default_str()
        ->check(CLI::IsMember(rtl::datapath_names()));
    app.add_option("--faults", o.faults, faults_option_help())->check(fault_spec_check());
}

// The board the options describe: chip, datapath, faults, CPU limits, firmware.
BoardConfig make_config(Options& o, std::optional<sc_core::sc_time>& max_time) {
    // host link (--listen): the default firmware
    if (o.firmware.empty() && o.listen.empty()) throw std::invalid_argument("--firmware is required (or --listen)");
    if (o.no_firmware && (o.listen.empty() || !o.firmware.empty()))
        throw std::invalid_argument("--no-firmware is a board serving --listen without --firmware");
    if (o.firmware.empty() && !o.no_firmware) {
        o.firmware = MIND1024_DEFAULT_FIRMWARE;
        if (!std::ifstream(o.firmware))
            throw std::invalid_argument(fmt::format(
                "--listen without --firmware runs {}, which does not exist (build the target firmware)", o.firmware));
    }
    if (o.listen.empty() && o.listen_timeout >= 0) throw std::invalid_argument("--listen-timeout needs --listen");
    BoardConfig cfg;
    o.chip.validate();
    cfg.chip = o.chip;
    if (!o.faults.empty()) cfg.chip_config.faults = FaultPlan::expand(FaultSpec::parse(o.faults), o.chip);
    cfg.chip_config.datapath = rtl::make_datapath(o.datapath, o.chip);
    const auto quantum = parse_time(o.quantum_s);
    if (!quantum || *quantum <= sc_core::SC_ZERO_TIME || *quantum > sc_core::sc_time(1, sc_core::SC_SEC))
        throw std::invalid_argument(fmt::format("--quantum '{}': want a time in (0, 1 s], e.g. 10us", o.quantum_s));
    cfg.cpu.quantum = *quantum;
    if (!o.max_instructions.empty()) {
        // Digits only: CLI11 would wrap "-1" into a huge unsigned limit.
        const std::string& m = o.max_instructions;
        const bool digits = m.find_first_not_of("0123456789") == std::string::npos && m.size() <= 16;
        const uint64_t n = digits ? std::strtoull(m.c_str(), nullptr, 10) : 0;
        if (!digits || n == 0 || n > 1000000000000000ull)
            throw std::invalid_argument(
                fmt::format("--max-instructions '{}': want a whole number from 1 to 10^15", m));
        cfg.cpu.max_instructions = n;
    }
    cfg.cpu.stop_on_trap = o.stop_on_trap;
    cfg.cpu.semihosting = !o.no_semihosting;
    if (!o.semihost_root.empty() && o.no_semihosting)
        throw std::invalid_argument("--semihost-root and --no-semihosting contradict each other");
    if (!o.semihost_root.empty()) {
        struct stat st {};
        if (stat(o.semihost_root.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
            throw std::invalid_argument(fmt::format("--semihost-root {}: not a directory", o.semihost_root));
    }
    cfg.cpu.semihost_root = o.semihost_root;
    if (!o.exit_report.empty()) check_exit_report_path(o.exit_report);
    {
        const std::string& m = o.trace_limit;
        const bool digits = !m.empty() && m.find_first_not_of("0123456789") == std::string::npos && m.size() <= 16;
        const uint64_t n = digits ? std::strtoull(m.c_str(), nullptr, 10) : 0;
        if (!digits || n == 0 || n > 1000000000000000ull)
            throw std::invalid_argument(fmt::format("--trace-limit '{}': want a whole number from 1 to 10^15", m));
        if (o.trace.empty() && m != "1000000") throw std::invalid_argument("--trace-limit needs --trace");
    }
    if (!o.max_time_s.empty()) {
        max_time = parse_time(o.max_time_s);
        if (!max_time || *max_time <= sc_core::SC_ZERO_TIME)
            throw std::invalid_argument(fmt::format("--max-time '{}': want a positive time, e.g. 10ms", o.max_time_s));
    }
    if (!o.no_firmware) cfg.firmware = load_elf(o.firmware, Mind1024Board::load_windows());
    return cfg;
}

// How serving or running ended, before it becomes an exit code.
struct Ending {
    bool time_limit = false;
    std::optional<int> link_rc;  // serving ended by request
    bool not_started = false;    // the link could not be opened: nothing ran
};

// host link (--listen): the server answers the host through the host port, in this
// thread and outside sc_start: the firmware (and the chip) run while a request is
// served, simulated time stands still in between. Serving ends with the firmware
// (its exit code, a fault, a limit), --max-time, --listen-timeout or SIGINT/SIGTERM (exit 0).
Ending serve_link(Mind1024Board& board, const Options& o, const std::optional<sc_core::sc_time>& max_time) {
    RiscvCpu& cpu = *board.cpu();
    Ending end;
    HostPortDriver port(board);  // before the first sc_start: it elaborates helper modules
    LinkServerOptions lo;
    lo.listen = o.listen;
    lo.accept_timeout_s = o.listen_timeout;
    lo.idle_timeout_s = o.idle_timeout;
    lo.request_timeout_s = o.request_timeout;
    lo.stop = &g_link_stop;
    lo.firmware_name = o.no_firmware ? "" : o.firmware.substr(o.firmware.find_last_of('/') + 1);
    lo.board_stopped = [&]() -> std::string {
        if (!board.uart().error().empty()) return board.uart().error();
        if (cpu.state() == CpuState::Halted || board.exit_code()) return "the firmware stopped";
        if (max_time && sc_core::sc_time_stamp() >= *max_time) return "--max-time reached";
        return {};
    };
    // The handlers first: a signal from the moment the socket file exists is a clean stop.
    struct sigaction sa {};
    sa.sa_handler = link_stop_handler;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
    std::unique_ptr<LinkServer> server;
    try {
        server = std::make_unique<LinkServer>(board, port, lo);
    } catch (const link::LinkError& e) {
        std::fprintf(stderr, "mind-board: --listen: %s\n", e.what());
        end.link_rc = kBadInput;
        end.not_started = true;
        return end;
    }
    // Idle stretches leave sc_start() nothing to do; that is expected here.
    sc_core::sc_report_handler::set_actions("no activity or clock movement for sc_start() invocation",
                                            sc_core::SC_DO_NOTHING);
    std::fprintf(stderr, "[board] serving the host link on %s (%s%s)\n", server->address().c_str(),
                 o.no_firmware ? "no firmware: the CPU is held in reset" : "firmware ", lo.firmware_name.c_str());
    sc_core::sc_start(sc_core::SC_ZERO_TIME);  // end of elaboration: the CPU starts
    const std::string why = server->serve();
    if (g_link_signal)
        std::fprintf(stderr, "[board] %s received: stopping\n", g_link_signal == SIGINT ? "SIGINT" : "SIGTERM");
    const LinkServerStats& st = server->stats();
    std::fprintf(stderr,
                 "[board] link closed: %s (%llu clients, %llu refused, %llu dropped, %llu requests, %llu runs "
                 "aborted)\n",
                 why.c_str(), static_cast<unsigned long long>(st.clients), static_cast<unsigned long long>(st.refused),
                 static_cast<unsigned long long>(st.dropped), static_cast<unsigned long long>(st.requests),
                 static_cast<unsigned long long>(st.aborted));
    server.reset();  // removes the socket file now, not after the trace is written
    if (why == "--max-time reached") end.time_limit = true;
    else if (why.rfind("simulation error", 0) == 0) end.link_rc = kSimError;
    else if (!board.uart().error().empty()) end.link_rc = kOutputError;
    else if (why != "the firmware stopped") end.link_rc = 0;  // stopped, or no client: not a failure
    return end;
}

// Without the link: the firmware runs until it stops, a limit, or a deadlock.
Ending run_free(Mind1024Board& board, const std::optional<sc_core::sc_time>& max_time) {
    RiscvCpu& cpu = *board.cpu();
    Ending end;
    for (;;) {
        if (max_time) {
            const sc_core::sc_time now = sc_core::sc_time_stamp();
            if (now >= *max_time) {
                end.time_limit = true;
                break;
            }
            sc_core::sc_start(*max_time - now);
        } else {
            sc_core::sc_start();
        }
        if (cpu.state() == CpuState::Halted || board.exit_code()) break;
        if (!board.uart().error().empty()) break;
        if (!sc_core::sc_pending_activity() && cpu.state() == CpuState::WaitingForInterrupt) {
            cpu.declare_deadlock();  // nothing left in the simulation can raise an interrupt
            break;
        }
    }
    return end;
}

int exit_code(Mind1024Board& board, const Ending& end) {
    RiscvCpu& cpu = *board.cpu();
    if (!board.uart().error().empty()) {
        std::fprintf(stderr, "mind-board: %s; the board stopped at %s of simulated time\n",
                     board.uart().error().c_str(), sc_core::sc_time_stamp().to_string().c_str());
        return kOutputError;
    }
    if (end.link_rc) return *end.link_rc;
    if (end.time_limit) {
        std::fprintf(stderr, "[board] time limit: stopped at %s of simulated time, pc 0x%08X, %llu instructions\n",
                     sc_core::sc_time_stamp().to_string().c_str(), cpu.pc(),
                     static_cast<unsigned long long>(cpu.instructions()));
        return kLimit;
    }
    if (board.exit_code()) return static_cast<int>(*board.exit_code() & 0xFF);
    int rc = kSimError;
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
    return rc;
}

// The outcome's name in the exit report.
std::string outcome_name(Mind1024Board& board, const Ending& end) {
    if (end.link_rc) return *end.link_rc == kSimError ? "simulation_error" : "link_closed";
    if (end.time_limit) return "time_limit";
    if (board.exit_code()) return "exit";
    switch (board.cpu()->halt_reason()) {
        case HaltReason::Exit: return "exit";
        case HaltReason::Fault: return "fault";
        case HaltReason::InstructionLimit: return "instruction_limit";
        case HaltReason::Deadlock: return "deadlock";
        case HaltReason::Killed: return "killed";
        case HaltReason::None: break;
    }
    return "simulation_error";
}

void print_stats(RiscvCpu& cpu, double host_s) {
    const double sim_s = sc_core::sc_time_stamp().to_seconds();
    std::fprintf(stderr,
                 "[board] stats: %llu instructions, %.6f s simulated, %.3f s host, %.1f M instructions/s, "
                 "%llu device accesses, %llu interrupts\n",
                 static_cast<unsigned long long>(cpu.instructions()), sim_s, host_s,
                 host_s > 0 ? cpu.instructions() / host_s / 1e6 : 0.0,
                 static_cast<unsigned long long>(cpu.device_accesses()),
                 static_cast<unsigned long long>(cpu.interrupts_taken()));
}

int run(int argc, char** argv) {
    CLI::App app{"mind-board: run RV32IM firmware on the virtual MIND 1024 board.\n"
                 "Exit code: the firmware's (what it wrote to SYSCTRL.EXIT), or 2 bad input, 3 CPU fault, "
                 "4 instruction or time limit, 5 deadlock (wfi nothing can wake), 6 killed by GDB, 7 simulation error, "
                 "8 an output (the console on stdout, the VCD trace) could not be written."};
    Options o;
    add_options(app, o);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? 0 : kBadInput;
    }
    g_exit_report = o.exit_report;
    // Everything is checked before anything is elaborated.
    std::optional<sc_core::sc_time> max_time;
    BoardConfig cfg = make_config(o, max_time);
    std::unique_ptr<sysc::VcdTrace> trace;
    if (!o.vcd.empty()) trace = std::make_unique<sysc::VcdTrace>(o.vcd);

    sc_core::sc_report_handler::set_actions("/IEEE_Std_1666/deprecated", sc_core::SC_DO_NOTHING);
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> exec_trace(nullptr, &std::fclose);
    if (!o.trace.empty()) {
        exec_trace.reset(std::fopen(o.trace.c_str(), "w"));
        if (!exec_trace)
            throw std::invalid_argument(fmt::format("--trace {}: cannot write: {}", o.trace, std::strerror(errno)));
    }
    Mind1024Board board("board", cfg);
    RiscvCpu& cpu = *board.cpu();
    if (exec_trace) cpu.set_trace(exec_trace.get(), std::strtoull(o.trace_limit.c_str(), nullptr, 10));
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> uart_in(nullptr, &std::fclose);
    if (!o.uart_input.empty()) {
        if (o.uart_input == "-") {
            board.uart().set_input(0);
        } else {
            uart_in.reset(std::fopen(o.uart_input.c_str(), "rb"));
            if (!uart_in)
                throw std::invalid_argument(
                    fmt::format("--uart-input {}: cannot read: {}", o.uart_input, std::strerror(errno)));
            board.uart().set_input(fileno(uart_in.get()));
        }
    }
    if (trace) board.trace(trace->file());
    std::unique_ptr<GdbStub> stub;
    if (!o.gdb.empty()) {
        stub = std::make_unique<GdbStub>(cpu, o.gdb, std::cerr);
        std::fprintf(stderr, "[board] waiting for GDB on port %u (gdb-multiarch %s -ex 'target remote :%u')\n",
                     stub->port(), o.firmware.c_str(), stub->port());
        cpu.attach_debugger(stub.get());
    }
    const auto t0 = std::chrono::steady_clock::now();
    const Ending end = o.listen.empty() ? run_free(board, max_time) : serve_link(board, o, max_time);
    if (end.not_started) return *end.link_rc;
    const double host_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const bool console_ok = std::fflush(stdout) == 0 && !std::ferror(stdout);
    const int console_errno = errno;
    std::string trace_error;
    if (trace) {
        sc_core::sc_start(sc_core::sc_time(1, sc_core::SC_US));  // so the last values are written
        try {
            trace->finish(true);
        } catch (const sysc::VcdError& e) {
            trace_error = e.what();
        }
    }
    int rc = exit_code(board, end);
    if (!trace_error.empty()) {
        std::fprintf(stderr, "mind-board: %s\n", trace_error.c_str());
        rc = kOutputError;
    }
    if (!console_ok && board.uart().error().empty()) {
        std::fprintf(stderr, "mind-board: the console (UART) cannot be written to standard output: %s\n",
                     std::strerror(console_errno));
        rc = kOutputError;
    }
    if (o.stats) print_stats(cpu, host_s);
    if (!o.exit_report.empty()) {
        const std::string outcome = outcome_name(board, end);
        write_exit_report(o.exit_report,
                          {outcome, rc, outcome == "exit" || outcome == "link_closed" ? "" : cpu.halt_report(), host_s},
                          &cpu);
    }
    return rc;
}

}  // namespace

// Entered through main(), not libsystemc's, so the SystemC banner stays off
// the firmware's console; sc_main only satisfies the linker.
extern "C" int sc_main(int, char**) { return 1; }

int main(int argc, char** argv) {
    setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
    auto report = [](const char* outcome, int rc, const std::string& msg) {
        if (g_exit_report.empty()) return rc;
        try {
            write_exit_report(g_exit_report, {outcome, rc, msg, 0}, nullptr);
        } catch (const std::exception&) {
            // The report file itself is what failed: already said above.
        }
        return rc;
    };
    try {
        return run(argc, argv);
    } catch (const sc_core::sc_report& r) {
        std::fprintf(stderr, "mind-board: SystemC stopped: %s\n", r.what());
        return report("simulation_error", kSimError, r.what());
    } catch (const ElfError& e) {
        std::fprintf(stderr, "mind-board: %s\n", e.what());
        return report("bad_input", kBadInput, e.what());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "mind-board: %s\n", e.what());
        return report("bad_input", kBadInput, e.what());
    }
}
