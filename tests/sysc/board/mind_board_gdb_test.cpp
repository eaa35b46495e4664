// gdb-multiarch against the real board: mind-board --gdb tcp:127.0.0.1:0 as a child
// process, driven by `gdb-multiarch -batch` on the project's firmware ELFs (with their
// symbols), as a firmware engineer would: break at main, continue, registers and
// variables, stepi, next, finish, continue to the exit, a fault, Ctrl-C. No SystemC
// here: both programs are children, every wait has a limit, and a child still
// running when a check fails is killed.
#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <functional>
#include <regex>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

const std::string kFirmwareDir = MIND1024_FIRMWARE_DIR;

std::string firmware(const std::string& name) { return kFirmwareDir + "/" + name + ".elf"; }

std::string find_gdb() {
    const char* path = std::getenv("PATH");
    std::string dirs = path ? path : "/usr/bin:/bin";
    for (size_t start = 0; start <= dirs.size();) {
        size_t end = dirs.find(':', start);
        if (end == std::string::npos) end = dirs.size();
        const std::string cand = dirs.substr(start, end - start) + "/gdb-multiarch";
        if (end > start && access(cand.c_str(), X_OK) == 0) return cand;
        start = end + 1;
    }
    return "";
}

// A child process with its stdout and stderr on pipes (stderr merged into stdout
// if `merge`). Reads never block without a deadline; the destructor kills a child
// that is still running.
class Child {
public:
    Child(const std::vector<std::string>& argv, bool merge) {
        std::vector<char*> args;  // before fork: the child only calls async-signal-safe functions
        for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        int out[2], err[2] = {-1, -1};
        if (pipe2(out, O_CLOEXEC) != 0 || (!merge && pipe2(err, O_CLOEXEC) != 0))
            throw std::runtime_error("pipe failed");
        pid_ = fork();
        if (pid_ < 0) throw std::runtime_error("fork failed");
        if (pid_ == 0) {
            const int null = open("/dev/null", O_RDONLY);
            dup2(null, 0);
            dup2(out[1], 1);
            dup2(merge ? out[1] : err[1], 2);
            execv(args[0], args.data());
            _exit(127);
        }
        close(out[1]);
        fd_[0] = out[0];
        if (!merge) {
            close(err[1]);
            fd_[1] = err[0];
        }
    }
    ~Child() {
        if (pid_ > 0) {
            kill(pid_, SIGKILL);
            waitpid(pid_, nullptr, 0);
        }
        for (int fd : fd_)
            if (fd >= 0) close(fd);
    }
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;

    void signal(int sig) {
        if (pid_ > 0) kill(pid_, sig);
    }
    const std::string& out() const { return text_[0]; }
    const std::string& err() const { return text_[1]; }

    // Reads what comes from these children until `done()` holds, all their pipes
    // are at their end, or the deadline passes; true if `done()` held.
    static bool pump_until(const std::vector<Child*>& children, const std::function<bool()>& done,
                           Clock::time_point deadline) {
        for (;;) {
            if (done()) return true;
            std::vector<pollfd> p;
            std::vector<std::pair<Child*, int>> who;
            for (Child* c : children)
                for (int k = 0; k < 2; ++k)
                    if (c->fd_[k] >= 0) {
                        p.push_back({c->fd_[k], POLLIN, 0});
                        who.emplace_back(c, k);
                    }
            if (p.empty()) return done();
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
            if (left.count() <= 0) return done();
            const int r = poll(p.data(), p.size(), int(left.count()));
            if (r < 0 && errno == EINTR) continue;
            if (r <= 0) continue;  // the deadline check above ends it
            for (size_t i = 0; i < p.size(); ++i) {
                if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
                auto [c, k] = who[i];
                char buf[4096];
                const ssize_t got = read(p[i].fd, buf, sizeof buf);
                if (got > 0) {
                    c->text_[k].append(buf, size_t(got));
                } else if (got == 0 || errno != EINTR) {
                    close(c->fd_[k]);
                    c->fd_[k] = -1;
                }
            }
        }
    }
    bool pump_until(const std::function<bool()>& done, Clock::time_point deadline) {
        return pump_until({this}, done, deadline);
    }

    // Reads everything until the child closes its output (draining `others` meanwhile,
    // so none of them blocks on a full pipe), then reaps it; after `limit` it is
    // killed. The exit code, or -1 if it was killed or did not exit normally.
    int finish(std::chrono::milliseconds limit, const std::vector<Child*>& others = {}) {
        const auto deadline = Clock::now() + limit;
        std::vector<Child*> all = others;
        all.push_back(this);
        pump_until(all, [this] { return fd_[0] < 0 && fd_[1] < 0; }, deadline);
        int status = 0;
        for (;;) {
            const pid_t r = waitpid(pid_, &status, WNOHANG);
            if (r == pid_) break;
            if (r < 0 && errno != EINTR) return -1;
            if (Clock::now() > deadline) {
                kill(pid_, SIGKILL);
                waitpid(pid_, &status, 0);
                pid_ = -1;
                killed_ = true;
                return -1;
            }
            poll(nullptr, 0, 10);  // the child closed its pipes and is on its way out
        }
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    bool killed() const { return killed_; }

private:
    pid_t pid_ = -1;
    int fd_[2] = {-1, -1};
    std::string text_[2];
    bool killed_ = false;
};

// One debugging session: the board waits for GDB, gdb-multiarch runs `commands`.
struct Session {
    std::string gdb_out;
    int gdb_rc = -1;
    std::string board_out, board_err;
    int board_rc = -1;
};

class MindBoardGdb : public testing::Test {
protected:
    std::string gdb = find_gdb();

    void SetUp() override {
        if (gdb.empty()) GTEST_SKIP() << "gdb-multiarch not installed";
    }

    // `while_running`, if given, is called with the board and GDB after GDB has
    // started; it may wait on the board's output and signal GDB.
    Session run(const std::string& elf, const std::vector<std::string>& commands,
                const std::function<void(Child& board, Child& gdb)>& while_running = nullptr) {
        Session s;
        Child board({MIND_BOARD_EXE, "--firmware", elf, "--gdb", "tcp:127.0.0.1:0"}, false);
        std::string port;
        const std::regex port_line(R"(waiting for GDB on port (\d+))");
        const bool listening = board.pump_until(
            [&] {
                std::smatch m;
                if (std::regex_search(board.err(), m, port_line)) port = m[1].str();
                return !port.empty();
            },
            Clock::now() + 30s);
        if (!listening) {
            ADD_FAILURE() << "mind-board never said which port it waits on\nstderr:\n" << board.err();
            return s;
        }
        std::vector<std::string> argv = {gdb, "-batch", "-nx", "-ex", "target remote 127.0.0.1:" + port};
        for (const auto& c : commands) {
            argv.push_back("-ex");
            argv.push_back(c);
        }
        argv.push_back(elf);
        Child g(argv, true);
        if (while_running) while_running(board, g);
        s.gdb_rc = g.finish(60s, {&board});
        s.gdb_out = g.out();
        if (g.killed()) ADD_FAILURE() << "gdb-multiarch killed after 60 s\n" << s.gdb_out;
        s.board_rc = board.finish(30s);
        s.board_out = board.out();
        s.board_err = board.err();
        if (board.killed()) ADD_FAILURE() << "mind-board killed after 30 s\n" << s.board_err;
        return s;
    }

    // The firmware run without a debugger: what the session's output must equal.
    std::string plain_output(const std::string& elf) {
        Child board({MIND_BOARD_EXE, "--firmware", elf}, false);
        const int rc = board.finish(30s);
        EXPECT_FALSE(board.killed()) << "plain run of " << elf << " killed after 30 s";
        EXPECT_NE(rc, -1) << board.err();
        return board.out();
    }
};

std::string dump(const Session& s) {
    return "--- gdb:\n" + s.gdb_out + "--- board stdout:\n" + s.board_out + "--- board stderr:\n" + s.board_err;
}

bool has(const std::string& text, const std::string& what) { return text.find(what) != std::string::npos; }
bool matches(const std::string& text, const std::string& re) { return std::regex_search(text, std::regex(re)); }

// The whole tour on hello.elf: breakpoints at main and in the chip driver, registers,
// a local struct before and after the call that fills it, stepi (GDB steps RISC-V in
// software: a breakpoint at the next pc, then continue), next, finish, continue to the
// end. The program must behave exactly as without a debugger: same UART output,
// including the simulated time it prints (GDB holding the CPU stops simulated time).
TEST_F(MindBoardGdb, BreakStepNextFinishAndRunToTheEnd) {
    const std::string elf = firmware("hello");
    const Session s = run(elf, {"break main", "break mind_chip_probe", "continue", "info registers pc",
                                "print chip.n_max", "stepi", "info registers pc", "next", "continue", "finish",
                                "print chip.n_max", "print/x chip.id", "print $sp", "continue"});
    EXPECT_EQ(s.gdb_rc, 0) << dump(s);
    EXPECT_TRUE(matches(s.gdb_out, R"(Breakpoint 1, main \(\) at \S*hello\.c:\d+)")) << dump(s);
    EXPECT_TRUE(matches(s.gdb_out, R"(pc\s+0x[0-9a-f]+\s+0x[0-9a-f]+ <main>\n)")) << dump(s);
    EXPECT_TRUE(matches(s.gdb_out, R"(\$1 = 0\n)")) << "chip.n_max before the probe\n" << dump(s);
    EXPECT_TRUE(matches(s.gdb_out, R"(pc\s+0x[0-9a-f]+\s+0x[0-9a-f]+ <main\+4>\n)")) << "after stepi\n" << dump(s);
    EXPECT_TRUE(matches(s.gdb_out, R"(\n16\s+const int r = mind_chip_probe_board)")) << "after next\n" << dump(s);
    EXPECT_TRUE(matches(s.gdb_out, R"(Breakpoint 2, mind_chip_probe \()")) << dump(s);
    EXPECT_TRUE(matches(s.gdb_out, R"(0x[0-9a-f]+ in main \(\) at \S*hello\.c:\d+)")) << "finish\n" << dump(s);
    EXPECT_TRUE(matches(s.gdb_out, R"(Value returned is \$2 = 0\n)")) << "finish\n" << dump(s);
    EXPECT_TRUE(matches(s.gdb_out, R"(\$3 = 1024\n)")) << "chip.n_max after the probe\n" << dump(s);
    EXPECT_TRUE(matches(s.gdb_out, R"(\$4 = 0x4d494e44\n)")) << "chip.id\n" << dump(s);
    EXPECT_TRUE(matches(s.gdb_out, R"(\$5 = \(void \*\) 0x2003f[0-9a-f]{3}\n)")) << "sp in SRAM\n" << dump(s);
    EXPECT_TRUE(has(s.gdb_out, "[Inferior 1 (Remote target) exited normally]")) << dump(s);
    EXPECT_EQ(s.board_rc, 0) << dump(s);
    EXPECT_EQ(s.board_out, plain_output(elf)) << dump(s);
    EXPECT_TRUE(has(s.board_err, "gdb: session ended: target exited")) << dump(s);
}

// exit(42): GDB reports the code (in octal, as GDB does: 052) and mind-board exits with 42.
TEST_F(MindBoardGdb, FirmwareExitCodeReachesGdbAndTheShell) {
    const Session s = run(firmware("exit_code"), {"break main", "continue", "next", "continue"});
    EXPECT_EQ(s.gdb_rc, 0) << dump(s);
    EXPECT_TRUE(matches(s.gdb_out, R"(Breakpoint 1, main \(\) at \S*exit_code\.c:\d+)")) << dump(s);
    EXPECT_TRUE(matches(s.gdb_out, R"(\n7\s+exit\(42\);)")) << "after next\n" << dump(s);
    EXPECT_TRUE(has(s.gdb_out, "[Inferior 1 (Remote target) exited with code 052]")) << dump(s);
    EXPECT_EQ(s.board_rc, 42) << dump(s);
    EXPECT_EQ(s.board_out, "exit_code: calling exit(42)\n") << dump(s);
}

// A CPU fault stops in GDB with the board's report and SIGSEGV at the faulting
// instruction; continuing shows it again (the CPU stays halted); kill ends the board
// with the fault's exit code (3).
TEST_F(MindBoardGdb, FaultStopsWithTheBoardsReport) {
    const Session s = run(firmware("fault_illegal"), {"continue", "print $pc == fault_insn", "continue", "kill"});
    EXPECT_EQ(s.gdb_rc, 0) << dump(s);
    EXPECT_TRUE(matches(s.gdb_out, R"(CPU fault: illegal instruction at pc 0x[0-9A-F]{8})")) << dump(s);
    EXPECT_TRUE(has(s.gdb_out, "Program received signal SIGSEGV")) << dump(s);
    EXPECT_TRUE(matches(s.gdb_out, R"(\$1 = 1\n)")) << "stopped exactly at fault_insn\n" << dump(s);
    EXPECT_TRUE(has(s.gdb_out, "[Inferior 1 (Remote target) killed]")) << dump(s);
    EXPECT_EQ(s.board_rc, 3) << dump(s);
    EXPECT_TRUE(has(s.board_err, "[board] CPU fault: illegal instruction")) << dump(s);
}

// Ctrl-C (SIGINT to gdb) stops a firmware that never ends. The signal goes out when
// the firmware's line is on the UART, i.e. while GDB's `continue` runs it; a
// breakpoint stays inserted during that run, so it is the instruction-by-instruction
// path of resume() that has to notice the request.
// CSRs through the target description, hardware watchpoints (Z2/Z3), monitor commands,
// device memory read and written through the bus.
TEST_F(MindBoardGdb, CsrsWatchpointsMonitorAndDeviceMemory) {
    const Session s = run(firmware("gdb_target"),
                          {"p/x $misa", "p/x $mstatus", "info registers mcause", "watch counter", "continue", "continue",
                           "delete", "rwatch counter", "continue", "delete", "monitor stats", "monitor time",
                           "monitor frobnicate", "x/2wx 0x52000000", "set *(short*)0x40100002 = 77", "x/hd 0x40100002",
                           "kill"});
    EXPECT_EQ(s.gdb_rc, 0) << dump(s);
    EXPECT_TRUE(has(s.gdb_out, "$1 = 0x40001100")) << dump(s);  // RV32IM
    EXPECT_TRUE(has(s.gdb_out, "$2 = 0x1800")) << dump(s);      // MPP = M
    EXPECT_TRUE(matches(s.gdb_out, R"(mcause +0x0)")) << dump(s);
    EXPECT_TRUE(has(s.gdb_out, "Hardware watchpoint 1: counter")) << dump(s);
    EXPECT_TRUE(has(s.gdb_out, "Old value = 0\nNew value = 5")) << dump(s);
    EXPECT_TRUE(has(s.gdb_out, "Old value = 5\nNew value = 10")) << dump(s);
    EXPECT_TRUE(has(s.gdb_out, "Value = 10")) << dump(s);  // the read watchpoint
    EXPECT_TRUE(matches(s.gdb_out, R"(\d+ instructions, \d+ exceptions, \d+ interrupts, \d+ device accesses)")) << dump(s);
    EXPECT_TRUE(has(s.gdb_out, "simulated time")) << dump(s);
    EXPECT_TRUE(has(s.gdb_out, "unknown monitor command 'frobnicate'")) << dump(s);
    EXPECT_TRUE(matches(s.gdb_out, R"(0x52000000:\s+0x000000[0-9a-f]{2}\s+0x00000000)")) << dump(s);  // TIMER
    EXPECT_TRUE(matches(s.gdb_out, R"(0x40100002:\s+77)")) << dump(s);  // the synapse window
}

// The firmware's ebreak is a SIGTRAP GDB resumes past; a fault is a SIGSEGV the user
// resumes after fixing pc; the firmware then runs to its end.
TEST_F(MindBoardGdb, EbreakIsSigtrapAndAFaultResumesAfterFixingPc) {
    const Session s = run(firmware("gdb_target"),
                          {"continue", "print $pc == at_ebreak", "set $pc = $pc + 4", "continue",
                           "print $pc == at_fault", "set $pc = $pc + 4", "continue"});
    EXPECT_EQ(s.gdb_rc, 0) << dump(s);
    EXPECT_TRUE(has(s.gdb_out, "Program received signal SIGTRAP")) << dump(s);
    EXPECT_TRUE(matches(s.gdb_out, R"(\$1 = 1\n)")) << dump(s);
    EXPECT_TRUE(has(s.gdb_out, "Program received signal SIGSEGV")) << dump(s);
    EXPECT_TRUE(matches(s.gdb_out, R"(\$2 = 1\n)")) << dump(s);
    EXPECT_TRUE(has(s.gdb_out, "exited with code 07")) << dump(s);
    EXPECT_EQ(s.board_rc, 7) << dump(s);
    EXPECT_TRUE(has(s.board_out, "after ebreak, counter 15")) << dump(s);
    EXPECT_TRUE(has(s.board_out, "after the fault")) << dump(s);
}

// monitor reset: the CPU starts again at the entry; the firmware runs to main again.
TEST_F(MindBoardGdb, MonitorResetRestartsTheFirmware) {
    const Session s = run(firmware("exit_code"), {"break main", "continue", "monitor reset", "maintenance flush register-cache", "print $pc", "print/x $mtvec",
                                                  "continue", "print $pc == main", "monitor quantum", "continue"});
    EXPECT_EQ(s.gdb_rc, 0) << dump(s);
    EXPECT_TRUE(has(s.gdb_out, "CPU reset: pc 0x00000000")) << dump(s);
    EXPECT_TRUE(matches(s.gdb_out, R"(\$1 = \(void \(\*\)\(\)\) 0x0 <_start>)")) << dump(s);
    EXPECT_TRUE(has(s.gdb_out, "$2 = 0x0")) << dump(s);
    EXPECT_TRUE(has(s.gdb_out, "$3 = 1")) << dump(s);
    EXPECT_TRUE(has(s.gdb_out, "quantum 10 us (500 instructions at 50 MHz)")) << dump(s);
    EXPECT_EQ(s.board_rc, 42) << dump(s);
}

// A second debugger is refused with a message; the first one's session goes on.
TEST_F(MindBoardGdb, SecondDebuggerIsRefusedWithAMessage) {
    std::string second;
    const Session s = run(firmware("gdb_target"), {"shell sleep 2", "p/x $misa", "kill"}, [&](Child& board, Child&) {
        // The first debugger must be the one connected.
        if (!board.pump_until([&] { return has(board.err(), "debugger connected"); }, Clock::now() + 30s)) return;
        std::smatch m;
        const std::string err = board.err();
        if (!std::regex_search(err, m, std::regex(R"(waiting for GDB on port (\d+))"))) return;
        Child g2({gdb, "-batch", "-nx", "-ex", "target remote 127.0.0.1:" + m[1].str()}, true);
        g2.finish(30s, {&board});
        second = g2.out();
    });
    EXPECT_TRUE(has(second, "another debugger is already attached to this board")) << second;
    EXPECT_TRUE(has(s.gdb_out, "$1 = 0x40001100")) << dump(s);
    EXPECT_TRUE(has(s.board_err, "refused a second debugger")) << dump(s);
}

TEST_F(MindBoardGdb, CtrlCStopsARunningFirmware) {
    const Session s = run(firmware("loop_forever"),
                          {"break puts", "continue", "continue", "info registers pc", "kill"},
                          [](Child& board, Child& gdb) {
                              if (Child::pump_until({&board, &gdb},
                                                    [&] { return has(board.out(), "looping forever\n"); },
                                                    Clock::now() + 30s)) {
                                  gdb.signal(SIGINT);
                              } else {
                                  ADD_FAILURE() << "the firmware never ran\n" << gdb.out() << board.err();
                                  gdb.signal(SIGKILL);
                              }
                          });
    EXPECT_EQ(s.gdb_rc, 0) << dump(s);
    EXPECT_TRUE(matches(s.gdb_out, R"(Breakpoint 1, \S*puts \()")) << dump(s);
    EXPECT_TRUE(has(s.gdb_out, "Program received signal SIGINT, Interrupt.")) << dump(s);
    EXPECT_TRUE(matches(s.gdb_out, R"(pc\s+0x[0-9a-f]+\s+0x[0-9a-f]+ <main\+\d+>\n)")) << dump(s);
    EXPECT_EQ(s.board_rc, 6) << "killed by the debugger\n" << dump(s);
    EXPECT_TRUE(has(s.board_out, "loop_forever: looping forever\n")) << dump(s);
}

}  // namespace
