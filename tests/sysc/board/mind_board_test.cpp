// mind-board as a firmware engineer meets it: the project's firmware run on
// the virtual board, UART on stdout, the firmware's exit code, every fault
// and limit reported with its cause and pc and its own exit code, and bad
// ELF files refused before anything runs. Each case runs the real binary.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "sysc/board/elf/elf_loader.h"
#include "mind1024_board.h"

namespace fs = std::filesystem;

namespace {

struct Result {
    int rc = -1;
    std::string out, err;
};

std::string slurp(const fs::path& p) {
    std::ifstream f(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(f), {}};
}

fs::path temp_dir() {
    const fs::path d = fs::path(::testing::TempDir()) / ("mind_board_test_" + std::to_string(getpid()));
    fs::create_directories(d);
    return d;
}

fs::path firmware(const std::string& name) { return fs::path(MIND1024_FIRMWARE_DIR) / (name + ".elf"); }

// Runs mind-board with `args` under a 60 s wall-clock limit (a hang fails, it never blocks the suite).
Result board(const std::string& args) {
    const fs::path d = temp_dir();
    const std::string cmd = "timeout -s KILL 60 " + std::string(MIND_BOARD_EXE) + " " + args + " >" +
                            (d / "out").string() + " 2>" + (d / "err").string();
    const int st = std::system(cmd.c_str());
    Result r;
    r.rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    r.out = slurp(d / "out");
    r.err = slurp(d / "err");
    return r;
}

Result run_fw(const std::string& name, const std::string& extra = "") {
    return board("--firmware " + firmware(name).string() + " " + extra);
}

// The pc the report names.
uint32_t reported_pc(const std::string& err) {
    std::smatch m;
    if (!std::regex_search(err, m, std::regex("pc 0x([0-9A-Fa-f]{8})"))) return 0xFFFFFFFF;
    return static_cast<uint32_t>(std::stoul(m[1], nullptr, 16));
}

std::vector<uint8_t> bytes_of(const fs::path& p) {
    const std::string s = slurp(p);
    return {s.begin(), s.end()};
}

fs::path write_file(const std::string& name, const std::vector<uint8_t>& b) {
    const fs::path p = temp_dir() / name;
    std::ofstream(p, std::ios::binary).write(reinterpret_cast<const char*>(b.data()), static_cast<long>(b.size()));
    return p;
}

}  // namespace

TEST(MindBoard, HelloPrintsOnTheUartAndExitsWithZero) {
    const Result r = run_fw("hello");
    EXPECT_EQ(r.rc, 0) << r.err;
    EXPECT_NE(r.out.find("Hello from the MIND 1024 board"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("ID 0x4d494e44"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("SystemC"), std::string::npos) << "the SystemC banner is on the console";
}

TEST(MindBoard, ExitCodeIsWhatTheFirmwareWroteToSystemControl) {
    const Result r = run_fw("exit_code");
    EXPECT_EQ(r.rc, 42) << r.err;
    EXPECT_NE(r.out.find("exit(42)"), std::string::npos) << r.out;
}

TEST(MindBoard, SelftestPassesOnTheVirtualBoard) {
    const Result r = run_fw("selftest", "--stats");
    EXPECT_EQ(r.rc, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("self-test passed"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("interrupt: 1 taken"), std::string::npos) << r.out;
    EXPECT_NE(r.err.find("M instructions/s"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("1 interrupts"), std::string::npos) << r.err;
}

// Each fault stops the board with exit code 3, names its cause, and gives the
// exact pc of the faulting instruction (the firmware marks it with a global
// label `fault_insn`), after the firmware's own UART line.
struct FaultCase {
    const char* firmware;
    const char* cause;
    const char* address;  // nullptr: none in the report
    uint32_t pc = 0;      // 0: the address of the firmware's `fault_insn` label
};

class MindBoardFault : public ::testing::TestWithParam<FaultCase> {};

TEST_P(MindBoardFault, StopsTheBoardWithCauseExactPcAndAddress) {
    const FaultCase& c = GetParam();
    const Result r = run_fw(c.firmware);
    EXPECT_EQ(r.rc, 3) << r.out << r.err;
    EXPECT_NE(r.out.find(c.firmware), std::string::npos) << "the UART line before the fault is missing: " << r.out;
    EXPECT_NE(r.err.find(c.cause), std::string::npos) << r.err;
    if (c.address) {
        EXPECT_NE(r.err.find(std::string("address ") + c.address), std::string::npos) << r.err;
    }
    const auto img = mind1024::board::load_elf(firmware(c.firmware).string(),
                                               {{"ROM", MIND_ROM_BASE, MIND_ROM_SIZE, false},
                                                {"SRAM", MIND_SRAM_BASE, MIND_SRAM_SIZE, true}});
    uint32_t want = c.pc;
    if (!want) {
        const auto label = img.symbols.find("fault_insn");
        ASSERT_NE(label, img.symbols.end()) << c.firmware << " has no fault_insn label";
        want = label->second;
    }
    EXPECT_EQ(reported_pc(r.err), want) << r.err;
    EXPECT_EQ(r.err.find("start of its block"), std::string::npos) << r.err;
}

INSTANTIATE_TEST_SUITE_P(
    Faults, MindBoardFault,
    ::testing::Values(FaultCase{"fault_illegal", "illegal instruction", nullptr},
                      FaultCase{"fault_load_unmapped", "load outside the memory map", "0x10000000"},
                      FaultCase{"fault_store_rom", "store to ROM", "0x00000100"},
                      FaultCase{"fault_misaligned_device", "misaligned 4-byte load from device region CHIP", "0x40000002"},
                      FaultCase{"fault_device_error", "bus error from CHIP", "0x40000000"},
                      FaultCase{"fault_fetch", "instruction fetch outside the memory map", "0x30000000", 0x30000000},
                      FaultCase{"ecall", "ecall", nullptr},
                      // Issue 20: the store whose base register now holds the address is not the fault.
                      FaultCase{"fault_reused_base", "load outside the memory map", "0x10000000"},
                      // A load before it has the same base value now: the store is the fault.
                      FaultCase{"fault_store_after_load", "store outside the memory map", "0x10000000"}),
    [](const auto& info) { return std::string(info.param.firmware); });

// The board's own ISA and trap suite (firmware/tests/isa_traps.c): every exception cause
// with its mepc and mtval, the CSRs of contract 3.1, CLINT interrupts and their priorities,
// vectored mode, RV32M corner cases, code rewritten in SRAM.
TEST(MindBoard, IsaAndTrapSuitePasses) {
    const Result r = run_fw("isa_traps");
    EXPECT_EQ(r.rc, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("checks, 0 failed"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("FAIL"), std::string::npos) << r.out;
}

// --stop-on-trap: the first exception stops the board even though the firmware has a handler.
TEST(MindBoard, StopOnTrapStopsAtTheFirstExceptionDespiteAHandler) {
    const Result r = run_fw("isa_traps", "--stop-on-trap");
    EXPECT_EQ(r.rc, 3) << r.out << r.err;
    EXPECT_NE(r.err.find("ecall"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("[mcause 11, mtval 0x00000000]"), std::string::npos) << r.err;
    const auto img = mind1024::board::load_elf(firmware("isa_traps").string(),
                                               {{"ROM", MIND_ROM_BASE, MIND_ROM_SIZE, false},
                                                {"SRAM", MIND_SRAM_BASE, MIND_SRAM_SIZE, true}});
    EXPECT_EQ(reported_pc(r.err), img.symbols.at("l_ecall")) << r.err;
}

// --exit-report: the outcome as JSON, so a firmware's own exit code never reads as the board's.
TEST(MindBoard, ExitReportNamesTheOutcome) {
    const fs::path dir = fs::temp_directory_path() / ("mind_board_report_" + std::to_string(::getpid()));
    fs::create_directories(dir);
    const std::string file = (dir / "r.json").string();
    auto report = [&](const std::string& fw, const std::string& extra) {
        const Result r = run_fw(fw, "--exit-report " + file + " " + extra);
        nlohmann::json j = nlohmann::json::parse(slurp(file));
        EXPECT_EQ(j.at("exit_code").get<int>(), r.rc) << j.dump();
        return j;
    };
    nlohmann::json j = report("exit_code", "");
    EXPECT_EQ(j["outcome"], "exit");
    EXPECT_EQ(j["firmware_exit_code"], 42);
    j = report("fault_reused_base", "");
    EXPECT_EQ(j["outcome"], "fault");
    EXPECT_EQ(j["fault"]["mcause"], 5);
    EXPECT_EQ(j["fault"]["address"], 0x10000000u);
    EXPECT_EQ(j["fault"]["mnemonic"], "lw");
    EXPECT_TRUE(j["fault"]["pc_exact"].get<bool>());
    EXPECT_FALSE(j.contains("firmware_exit_code"));
    j = report("loop_forever", "--max-instructions 5000");
    EXPECT_EQ(j["outcome"], "instruction_limit");
    EXPECT_EQ(j["instructions"], 5000);
    j = report("loop_forever", "--max-time 100us");
    EXPECT_EQ(j["outcome"], "time_limit");
    j = report("wfi_deadlock", "");
    EXPECT_EQ(j["outcome"], "deadlock");
    const Result bad = board("--firmware " + (dir / "missing.elf").string() + " --exit-report " + file);
    EXPECT_EQ(bad.rc, 2);
    j = nlohmann::json::parse(slurp(file));
    EXPECT_EQ(j["outcome"], "bad_input");
    EXPECT_NE(j["message"].get<std::string>().find("no such file"), std::string::npos);
    const Result unwritable = run_fw("hello", "--exit-report " + (dir / "no" / "r.json").string());
    EXPECT_EQ(unwritable.rc, 2);
    EXPECT_NE(unwritable.err.find("--exit-report"), std::string::npos) << unwritable.err;
    EXPECT_EQ(unwritable.out.find("Hello"), std::string::npos) << "the firmware ran";
    fs::remove_all(dir);
}

// --trace: instructions with pc, word and disassembly, exceptions, interrupts and device
// accesses, bounded by --trace-limit.
TEST(MindBoard, TraceListsInstructionsTrapsInterruptsAndDeviceAccesses) {
    const fs::path file = temp_dir() / "isa_traps.trace";
    Result r = run_fw("isa_traps", "--trace " + file.string() + " --trace-limit 5000000");
    EXPECT_EQ(r.rc, 0) << r.out << r.err;
    const std::string t = slurp(file);
    const auto img = mind1024::board::load_elf(firmware("isa_traps").string(),
                                               {{"ROM", MIND_ROM_BASE, MIND_ROM_SIZE, false},
                                                {"SRAM", MIND_SRAM_BASE, MIND_SRAM_SIZE, true}});
    char ecall[64];
    std::snprintf(ecall, sizeof ecall, "0x%08x (0x00000073) ecall\n", img.symbols.at("l_ecall"));
    const size_t at = t.find(ecall);
    ASSERT_NE(at, std::string::npos) << ecall;
    EXPECT_EQ(t.find("-- exception: mcause 0x0000000b (environment call from M-mode), mepc " + std::string(ecall, 10), at),
              t.find("\n", at) + 1)
        << "the exception follows its instruction";
    EXPECT_NE(t.find("-- interrupt: mcause 0x80000007 (machine timer interrupt)"), std::string::npos);
    EXPECT_NE(t.find("-- interrupt: mcause 0x80000003 (machine software interrupt)"), std::string::npos);
    EXPECT_NE(t.find("-- device: store word 0x1 to CLINT+0x0 (0x02000000)"), std::string::npos);
    EXPECT_NE(t.find(") lw a6, 0(a5)\n-- exception: mcause 0x00000005"), std::string::npos);
    EXPECT_TRUE(std::regex_search(t, std::regex(R"(\) csrrs [a-z0-9]+, misa, zero\n)")));
    EXPECT_NE(t.find(") div "), std::string::npos);
    r = run_fw("isa_traps", "--trace " + file.string() + " --trace-limit 100");
    EXPECT_EQ(r.rc, 0) << r.err;
    const std::string s = slurp(file);
    EXPECT_EQ(std::count(s.begin(), s.end(), '\n'), 101);
    EXPECT_NE(s.find("-- --trace-limit reached (100 lines)"), std::string::npos);
    for (const char* bad : {"--trace-limit 0", "--trace-limit -5", "--trace-limit 10"})
        EXPECT_EQ(run_fw("hello", bad).rc, 2) << bad;  // the last: without --trace
}

// Semihosting (picolibc --oslib=semihost): console, exit code, files inside
// --semihost-root only (no "..", no absolute path, no symbolic link out).
TEST(MindBoard, SemihostingConsoleExitAndFilesInsideTheRootOnly) {
    const fs::path root = temp_dir() / "semihost_root";
    fs::remove_all(root);
    fs::create_directories(root / "sub");
    { std::ofstream(root / "in.txt") << "from the host\n"; }
    const fs::path outside = temp_dir() / "semihost_outside";
    fs::create_directories(outside);
    { std::ofstream(outside / "secret.txt") << "secret"; }
    fs::create_symlink(outside / "secret.txt", root / "link.txt");
    fs::create_directory_symlink(outside, root / "outdir");
    Result r = run_fw("semihost_files", "--semihost-root " + root.string());
    EXPECT_EQ(r.rc, 5) << r.out << r.err;
    EXPECT_NE(r.out.find("semihost: hello on the console"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("semihost: read 'from the host\n'"), std::string::npos) << r.out;
    EXPECT_EQ(slurp(root / "out.txt"), "written by the firmware\n");
    for (const char* line : {"w ../escape.txt: refused", "r /etc/hostname: refused", "r sub/../in.txt: refused",
                             "r link.txt: refused", "w outdir/x.txt: refused", "r missing.txt: refused"})
        EXPECT_NE(r.out.find(line), std::string::npos) << line << "\n" << r.out;
    EXPECT_FALSE(fs::exists(temp_dir() / "escape.txt"));
    EXPECT_FALSE(fs::exists(outside / "x.txt"));
    // Without a root: the console and exit still work, files do not.
    r = run_fw("semihost_files");
    EXPECT_EQ(r.rc, 2) << r.err;
    EXPECT_NE(r.out.find("no out.txt"), std::string::npos) << r.out;
    EXPECT_EQ(board("--firmware " + firmware("semihost_files").string() + " --semihost-root /nonexistent").rc, 2);
    fs::remove_all(root);
    fs::remove_all(outside);
}

// --uart-input: the UART receives a file (or standard input) as RX bytes with an interrupt.
TEST(MindBoard, UartReceivesItsInputWithAnInterrupt) {
    const fs::path in = temp_dir() / "uart_input.txt";
    { std::ofstream(in) << "hello board\nsecond line\n"; }
    Result r = run_fw("uart_echo", "--uart-input " + in.string());
    EXPECT_EQ(r.rc, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("echo: HELLO BOARD\necho: SECOND LINE\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("uart_echo: 2 lines, 1 RX interrupts"), std::string::npos) << r.out;
    r = board("--firmware " + firmware("uart_echo").string() + " --uart-input - < " + in.string());
    EXPECT_EQ(r.rc, 0) << r.err;
    EXPECT_NE(r.out.find("echo: SECOND LINE"), std::string::npos) << r.out;
    r = run_fw("uart_echo");  // no input: stdin is at its end at once
    EXPECT_EQ(r.rc, 0) << r.err;
    EXPECT_NE(r.out.find("uart_echo: 0 lines, 0 RX interrupts"), std::string::npos) << r.out;
    EXPECT_EQ(run_fw("hello", "--uart-input " + (temp_dir() / "missing.txt").string()).rc, 2);
}

TEST(MindBoard, RunawayProgramStopsAtTheInstructionLimitWithItsPc) {
    const Result r = run_fw("loop_forever", "--max-instructions 1000000");
    EXPECT_EQ(r.rc, 4) << r.err;
    EXPECT_NE(r.err.find("instruction limit reached"), std::string::npos) << r.err;
    EXPECT_NE(reported_pc(r.err), 0xFFFFFFFFu) << r.err;
    std::smatch m;
    ASSERT_TRUE(std::regex_search(r.err, m, std::regex("(\\d+) instructions run")));
    EXPECT_LE(std::stoull(m[1]), 1000000u);
    EXPECT_GE(std::stoull(m[1]), 999000u);
}

TEST(MindBoard, RunawayProgramStopsAtTheSimulatedTimeLimit) {
    const Result r = run_fw("loop_forever", "--max-time 2ms");
    EXPECT_EQ(r.rc, 4) << r.err;
    EXPECT_NE(r.err.find("time limit: stopped at 2 ms"), std::string::npos) << r.err;
    EXPECT_NE(reported_pc(r.err), 0xFFFFFFFFu) << r.err;
}

TEST(MindBoard, WfiThatNothingCanWakeIsADeadlock) {
    const Result r = run_fw("wfi_deadlock");
    EXPECT_EQ(r.rc, 5) << r.err;
    EXPECT_NE(r.err.find("deadlock"), std::string::npos) << r.err;
}

TEST(MindBoard, TraceHoldsChipSignalsAndInterruptLines) {
    const fs::path vcd = temp_dir() / "selftest.vcd";
    const Result r = run_fw("selftest", "--vcd " + vcd.string());
    EXPECT_EQ(r.rc, 0) << r.err;
    const std::string t = slurp(vcd);
    for (const char* sig : {" busy ", " cpu_ext_irq ", " chip_irq ", " hostif_irq ", " timer_irq ", " clint_mtip ",
                            " clint_msip ", " cpu_interrupt ", " cpu_exception ", " cpu_mcause "})
        EXPECT_NE(t.find(sig), std::string::npos) << sig;
    // The CPU's own interrupt events are pulses one cycle wide: up, then down 20 ns later.
    std::smatch m;
    ASSERT_TRUE(std::regex_search(t, m, std::regex(R"(\$var wire +1 +(\S+) +cpu_interrupt )")));
    const std::string id = m[1];
    std::istringstream in(t);
    long now = 0, t_up = -1, t_down = -1;
    for (std::string line; std::getline(in, line) && t_down < 0;) {
        if (!line.empty() && line[0] == '#') now = std::stol(line.substr(1));
        else if (line == "1" + id && now > 0) t_up = now;
        else if (line == "0" + id && t_up >= 0) t_down = now;
    }
    ASSERT_GE(t_up, 0) << "no interrupt pulse";
    EXPECT_EQ(t_down - t_up, 20) << "one 50 MHz cycle";
    EXPECT_FALSE(fs::exists(temp_dir() / "selftest.partial.vcd"));
    // A GTKWave layout beside it names the trace and its signals.
    const std::string layout = slurp(temp_dir() / "selftest.gtkw");
    EXPECT_NE(layout.find("[dumpfile] \"" + fs::absolute(vcd).string() + "\""), std::string::npos) << layout;
    EXPECT_NE(layout.find("SystemC.board.chip.busy"), std::string::npos) << layout;
    EXPECT_NE(layout.find("SystemC.board.chip.sweep[31:0]"), std::string::npos) << layout;
}

TEST(MindBoard, OptionsAreCheckedBeforeAnythingRuns) {
    EXPECT_EQ(board("--help").rc, 0);
    struct Bad {
        std::string args, msg;
    };
    const std::string fw = firmware("hello").string();
    for (const Bad& b : {Bad{"", "--firmware is required"}, Bad{"--firmware " + fw + " --quantum 0", "--quantum"},
                         Bad{"--firmware " + fw + " --max-time soon", "--max-time"},
                         Bad{"--firmware " + fw + " --vcd trace.txt", "must end in .vcd"},
                         Bad{"--firmware " + fw + " --gdb udp:1", "udp:1"}, Bad{"--firmware " + fw + " --frobnicate", "frobnicate"},
                         Bad{"--firmware " + fw + " --max-instructions -1", "--max-instructions '-1'"},
                         Bad{"--firmware " + fw + " --max-instructions 0", "from 1 to 10^15"},
                         Bad{"--firmware " + fw + " --max-instructions 1e6", "--max-instructions '1e6'"},
                         Bad{"--firmware " + fw + " --max-instructions 99999999999999999999", "from 1 to 10^15"}}) {
        const Result r = board(b.args);
        EXPECT_EQ(r.rc, 2) << b.args << ": " << r.err;
        EXPECT_NE((r.err + r.out).find(b.msg), std::string::npos) << b.args << ": " << r.err;
        EXPECT_EQ(r.out.find("Hello"), std::string::npos) << b.args << ": the firmware ran";
    }
}

TEST(MindBoard, BadFirmwareFilesAreRefusedNamingFileAndCause) {
    const std::vector<uint8_t> good = bytes_of(firmware("hello"));
    ASSERT_GT(good.size(), 64u);
    auto patched = [&](size_t off, std::vector<uint8_t> v) {
        std::vector<uint8_t> b = good;
        std::copy(v.begin(), v.end(), b.begin() + static_cast<long>(off));
        return b;
    };
    // Elf32_Ehdr: e_ident[4] class, [5] data; e_machine at 18; e_phoff at 28, e_phentsize at 42, e_phnum at 44.
    // Elf32_Phdr: p_type at 0 (1 = PT_LOAD), p_paddr at 12.
    uint32_t phoff = 0;
    uint16_t phentsize = 0, phnum = 0;
    std::memcpy(&phoff, good.data() + 28, 4);
    std::memcpy(&phentsize, good.data() + 42, 2);
    std::memcpy(&phnum, good.data() + 44, 2);
    uint32_t load = 0;
    for (uint16_t k = 0; k < phnum && !load; ++k) {
        uint32_t type = 0;
        std::memcpy(&type, good.data() + phoff + k * phentsize, 4);
        if (type == 1) load = phoff + k * phentsize;
    }
    ASSERT_NE(load, 0u) << "no PT_LOAD segment in hello.elf";
    std::vector<uint8_t> huge = good;
    huge.resize(17u << 20);
    struct Bad {
        std::string name;
        fs::path path;
        std::string msg;
    };
    const std::vector<Bad> cases = {
        {"missing", temp_dir() / "nowhere.elf", "nowhere.elf"},
        {"empty", write_file("empty.elf", {}), "empty"},
        {"text", write_file("text.elf", {'h', 'e', 'l', 'l', 'o', '\n'}), "not an ELF"},
        {"64-bit", write_file("elf64.elf", patched(4, {2})), "64-bit"},
        {"big-endian", write_file("be.elf", patched(5, {2})), "big-endian"},
        {"wrong machine", write_file("arm.elf", patched(18, {40, 0})), "machine"},
        {"oversized", write_file("huge.elf", huge), "larger"},
        {"segment outside", write_file("outside.elf", patched(load + 12, {0, 0, 0, 0x60})), "outside"},
    };
    for (const Bad& c : cases) {
        const Result r = board("--firmware " + c.path.string());
        EXPECT_EQ(r.rc, 2) << c.name << ": " << r.err;
        EXPECT_NE(r.err.find(c.path.filename().string()), std::string::npos) << c.name << ": " << r.err;
        EXPECT_NE(r.err.find(c.msg), std::string::npos) << c.name << ": " << r.err;
    }
}

namespace {

// A tmpfs of `kib` KiB at a fresh directory (CI runs as root); empty when mounting is not permitted.
struct SmallDisk {
    fs::path dir;
    bool mounted = false;
    explicit SmallDisk(int kib) {
        dir = temp_dir() / ("small_disk_" + std::to_string(kib));
        fs::create_directories(dir);
        mounted = std::system(("mount -t tmpfs -o size=" + std::to_string(kib) + "k tmpfs '" + dir.string() +
                               "' 2>/dev/null").c_str()) == 0;
    }
    ~SmallDisk() {
        if (mounted) std::system(("umount '" + dir.string() + "'").c_str());
        std::error_code ec;
        fs::remove_all(dir, ec);
    }
};

}  // namespace

// Issue 21, defect 2: a console that cannot be written (a full disk, /dev/full, a
// closed pipe with SIGPIPE ignored) stops the board with a message and exit code 8.
TEST(MindBoard, AConsoleThatCannotBeWrittenStopsTheBoard) {
    const fs::path d = temp_dir();
    const std::string exe = MIND_BOARD_EXE, fw = firmware("selftest").string();
    int st = std::system(("timeout -s KILL 60 " + exe + " --firmware " + fw + " >/dev/full 2>" + (d / "err").string())
                             .c_str());
    ASSERT_TRUE(WIFEXITED(st));
    EXPECT_EQ(WEXITSTATUS(st), 8) << slurp(d / "err");
    EXPECT_NE(slurp(d / "err").find("cannot be written to standard output: No space left on device"), std::string::npos)
        << slurp(d / "err");
    // A closed pipe with SIGPIPE ignored: EPIPE, not an endless run.
    const std::string script = "trap '' PIPE; timeout -s KILL 60 " + exe + " --firmware " + fw + " 2>" +
                               (d / "err2").string() + "; echo \\$? >" + (d / "rc2").string();
    st = std::system(("bash -c \"" + script + "\" | true").c_str());
    EXPECT_EQ(std::atoi(slurp(d / "rc2").c_str()), 8) << slurp(d / "err2");
    EXPECT_NE(slurp(d / "err2").find("Broken pipe"), std::string::npos) << slurp(d / "err2");
}

// Issue 21, defect 2: a VCD trace onto a full disk is an error (exit 8) naming the
// file and the reason; no cut trace is left, nothing says "written".
TEST(MindBoard, AVcdTraceOntoAFullDiskIsAnError) {
    SmallDisk disk(16);
    if (!disk.mounted) GTEST_SKIP() << "cannot mount a tmpfs here (not root?): the full-disk case is not tried";
    std::system(("dd if=/dev/zero of='" + (disk.dir / "filler").string() + "' bs=4k 2>/dev/null").c_str());  // full
    const fs::path vcd = disk.dir / "selftest.vcd";
    const Result r = run_fw("selftest", "--vcd " + vcd.string());
    EXPECT_EQ(r.rc, 8) << r.err;
    EXPECT_NE(r.err.find("VCD trace " + vcd.string() + ": cannot write it: No space left on device"), std::string::npos)
        << r.err;
    EXPECT_EQ(r.err.find("VCD trace written"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(vcd));
    EXPECT_FALSE(fs::exists(disk.dir / "selftest.partial.vcd"));
}
