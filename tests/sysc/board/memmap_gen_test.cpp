// The board's memory map (contract section 3) from its one description,
// sysc/board/memmap/mind1024_board.json: the generated header holds the
// contract's values, its tables have one row per region / register, it shares
// no macro name with the chip's header, the link symbols and docs/board_map.md
// are current, and memmap_gen refuses every kind of bad description with a
// message naming the offending item (each case mutates the real description).
#include <sys/wait.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "mind1024_board.h"
#include "mind1024_regs.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string source_dir() {
    const char* s = std::getenv("MIND1024_SOURCE_DIR");
    return s ? s : MEMMAP_SOURCE_DIR;
}

std::string slurp(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) throw std::runtime_error("cannot open " + path);
    std::ostringstream o;
    o << f.rdbuf();
    return o.str();
}

void spit(const std::string& path, const std::string& text) {
    std::ofstream f(path, std::ios::binary);
    f << text;
    if (!f.flush()) throw std::runtime_error("cannot write " + path);
}

json board_json() { return json::parse(slurp(source_dir() + "/sysc/board/memmap/mind1024_board.json")); }

std::string generated(const std::string& name) { return slurp(std::string(MEMMAP_GENERATED_DIR) + "/" + name); }

// ---------------------------------------------------------------- header values

struct Row {
    const char* name;
    uint32_t base, size;
    int kind;
    uint32_t latency;
};
#define MEMMAP_ROW(n, b, s, k, l) {#n, b, s, k, l},
const Row kRows[] = {MIND_BOARD_REGION_TABLE(MEMMAP_ROW)};
#undef MEMMAP_ROW

TEST(BoardHeader, RegionsAreTheContractsMemoryMap) {
    EXPECT_EQ(MIND_ROM_BASE, 0x00000000u);
    EXPECT_EQ(MIND_ROM_SIZE, 256u * 1024);
    EXPECT_EQ(MIND_SRAM_BASE, 0x20000000u);
    EXPECT_EQ(MIND_SRAM_SIZE, 256u * 1024);
    EXPECT_EQ(MIND_CHIP_BASE, 0x40000000u);
    EXPECT_EQ(MIND_CHIP_SIZE, 4u * 1024);
    EXPECT_EQ(MIND_CHIP_SYN_BASE, 0x40100000u);
    EXPECT_EQ(MIND_CHIP_SYN_SIZE, 2u << 20);
    EXPECT_EQ(MIND_HOSTIF_BASE, 0x50000000u);
    EXPECT_EQ(MIND_HOSTIF_SIZE, 4u * 1024);
    EXPECT_EQ(MIND_HOSTIF_BUF_BASE, 0x50010000u);
    EXPECT_EQ(MIND_HOSTIF_BUF_SIZE, 64u * 1024);
    EXPECT_EQ(MIND_UART_BASE, 0x51000000u);
    EXPECT_EQ(MIND_UART_SIZE, 4u * 1024);
    EXPECT_EQ(MIND_TIMER_BASE, 0x52000000u);
    EXPECT_EQ(MIND_TIMER_SIZE, 4u * 1024);
    EXPECT_EQ(MIND_SYSCTRL_BASE, 0x53000000u);
    EXPECT_EQ(MIND_SYSCTRL_SIZE, 4u * 1024);
    // The chip header's synapse window offset and the board's window agree.
    EXPECT_EQ(MIND_CHIP_SYN_BASE, MIND_CHIP_BASE + MIND_SYN_WINDOW_OFFSET);
    EXPECT_EQ(MIND_CHIP_SIZE, MIND_REG_BLOCK_SIZE);
    // The controller: RV32IM, reset at 0, 50 MHz.
    EXPECT_EQ(MIND_CPU_RESET_PC, 0x00000000u);
    EXPECT_EQ(MIND_CPU_CLOCK_HZ, 50000000u);
    EXPECT_EQ(MIND_STACK_SIZE, 0x2000u);
    EXPECT_EQ(MIND_BOARD_PAGE_SIZE, 4096u);
    EXPECT_EQ(MIND_REGION_ROM, 0);
    EXPECT_EQ(MIND_REGION_RAM, 1);
    EXPECT_EQ(MIND_REGION_DEVICE, 2);
    EXPECT_EQ(MIND_REGION_BUFFER, 3);
}

TEST(BoardHeader, RegionTableHasOneRowPerRegion) {
    const json d = board_json();
    ASSERT_EQ(std::size(kRows), d["regions"].size());
    ASSERT_EQ(std::size(kRows), size_t{MIND_BOARD_REGION_COUNT});
    ASSERT_EQ(MIND_BOARD_REGION_COUNT, 10u);
    const std::map<std::string, int> kinds = {{"rom", 0}, {"ram", 1}, {"device", 2}, {"buffer", 3}};
    for (size_t k = 0; k < std::size(kRows); ++k) {
        const json& r = d["regions"][k];
        SCOPED_TRACE(kRows[k].name);
        EXPECT_EQ(kRows[k].name, r["name"].get<std::string>());
        EXPECT_EQ(kRows[k].base, std::stoull(r["base"].get<std::string>(), nullptr, 0));
        EXPECT_EQ(kRows[k].size, std::stoull(r["size"].get<std::string>(), nullptr, 0));
        EXPECT_EQ(kRows[k].kind, kinds.at(r["kind"]));
        EXPECT_EQ(kRows[k].latency, r["latency_cycles"].get<uint32_t>());
    }
    // Rows agree with the single macros.
    EXPECT_EQ(kRows[0].base, MIND_ROM_BASE);
    EXPECT_EQ(kRows[0].kind, MIND_REGION_ROM);
    EXPECT_EQ(kRows[1].base, MIND_CLINT_BASE);
    EXPECT_EQ(kRows[1].kind, MIND_REGION_DEVICE);
    EXPECT_EQ(kRows[2].base, MIND_SRAM_BASE);
    EXPECT_EQ(kRows[2].kind, MIND_REGION_RAM);
    EXPECT_EQ(kRows[6].size, MIND_HOSTIF_BUF_SIZE);
    EXPECT_EQ(kRows[6].kind, MIND_REGION_BUFFER);
    EXPECT_EQ(kRows[6].latency, MIND_HOSTIF_BUF_LATENCY_CYCLES);
    EXPECT_EQ(kRows[9].base, MIND_SYSCTRL_BASE);
    EXPECT_EQ(kRows[9].latency, MIND_SYSCTRL_LATENCY_CYCLES);
}

TEST(BoardHeader, DeviceRegistersOffsetsAddressesAndFields) {
    EXPECT_EQ(MIND_UART_REG_DATA, 0x0u);
    EXPECT_EQ(MIND_UART_DATA_ADDR, 0x51000000u);  // contract: a byte written to offset 0 goes to the console
    EXPECT_EQ(MIND_UART_STATUS_ADDR, MIND_UART_BASE + MIND_UART_REG_STATUS);
    EXPECT_EQ(MIND_UART_STATUS_TX_READY, 1u);
    EXPECT_EQ(MIND_SYSCTRL_REG_EXIT, 0x0u);  // contract: writing a code to offset 0 ends the simulation
    EXPECT_EQ(MIND_SYSCTRL_EXIT_ADDR, 0x53000000u);
    EXPECT_EQ(MIND_SYSCTRL_IRQ_SOURCES_TIMER, 4u);
    EXPECT_EQ(MIND_SYSCTRL_IRQ_SOURCES_HOSTIF_SHIFT, 1u);
    EXPECT_EQ(MIND_SYSCTRL_IRQ_SOURCES_HOSTIF_MASK, 2u);
    EXPECT_EQ(MIND_HOSTIF_REG_ARG_COUNT, 8u);
    EXPECT_EQ(MIND_HOSTIF_REG_ARG(0), 0x04u);
    EXPECT_EQ(MIND_HOSTIF_REG_ARG(7), 0x20u);
    EXPECT_EQ(MIND_HOSTIF_ARG_ADDR(7), 0x50000020u);
    EXPECT_EQ(MIND_HOSTIF_RESULT_ADDR(1), MIND_HOSTIF_BASE + MIND_HOSTIF_REG_RESULT(1));
    EXPECT_EQ(MIND_HOSTIF_IRQ_STATUS_DOORBELL, 1u);
    EXPECT_EQ(MIND_TIMER_REG_TIME_LO, 0x0u);
    EXPECT_EQ(MIND_TIMER_TIME_HI_ADDR, 0x52000004u);
    EXPECT_EQ(MIND_TIMER_IRQ_STATUS_CMP_MASK, 1u);

    // The per-device tables have one row per register of the description.
    struct R {
        const char* name;
        uint32_t offset;
        int access;
        uint32_t count, stride;
    };
#define MEMMAP_REG(n, o, a, c, s) {#n, o, a, c, s},
    const R clint[] = {MIND_CLINT_REGISTER_TABLE(MEMMAP_REG)};
    const R hostif[] = {MIND_HOSTIF_REGISTER_TABLE(MEMMAP_REG)};
    const R uart[] = {MIND_UART_REGISTER_TABLE(MEMMAP_REG)};
    const R timer[] = {MIND_TIMER_REGISTER_TABLE(MEMMAP_REG)};
    const R sysctrl[] = {MIND_SYSCTRL_REGISTER_TABLE(MEMMAP_REG)};
#undef MEMMAP_REG
    const json d = board_json();
    ASSERT_EQ(d["devices"].size(), 5u);
    EXPECT_EQ(std::size(clint), d["devices"][0]["registers"].size());
    EXPECT_EQ(std::size(hostif), d["devices"][1]["registers"].size());
    EXPECT_EQ(std::size(uart), d["devices"][2]["registers"].size());
    EXPECT_EQ(std::size(timer), d["devices"][3]["registers"].size());
    EXPECT_EQ(std::size(sysctrl), d["devices"][4]["registers"].size());
    EXPECT_EQ(clint[3].offset, 0xBFF8u);  // MTIME_LO: the SiFive layout
    EXPECT_EQ(clint[1].offset, 0x4000u);  // MTIMECMP_LO
    EXPECT_STREQ(hostif[1].name, "ARG");
    EXPECT_EQ(hostif[1].count, 8u);
    EXPECT_EQ(hostif[3].access, MIND_BOARD_ACCESS_RW1C);
    EXPECT_EQ(uart[0].access, MIND_BOARD_ACCESS_WO);
    // Same access codes as the chip's table.
    EXPECT_EQ(MIND_BOARD_ACCESS_RO, MIND_ACCESS_RO);
    EXPECT_EQ(MIND_BOARD_ACCESS_WO, MIND_ACCESS_WO);
    EXPECT_EQ(MIND_BOARD_ACCESS_RW, MIND_ACCESS_RW);
    EXPECT_EQ(MIND_BOARD_ACCESS_RW1C, MIND_ACCESS_RW1C);
}

// #define names of a header (the bare name of a function-like macro).
std::set<std::string> macro_names(const std::string& text) {
    std::set<std::string> names;
    const std::regex def(R"(^\s*#\s*define\s+([A-Za-z_][A-Za-z0-9_]*))");
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        std::smatch m;
        if (std::regex_search(line, m, def)) names.insert(m[1]);
    }
    return names;
}

TEST(BoardHeader, SharesNoMacroNameWithTheChipHeader) {
    const std::set<std::string> chip = macro_names(generated("mind1024_regs.h"));
    const std::set<std::string> board = macro_names(generated("mind1024_board.h"));
    ASSERT_GT(chip.size(), 50u);
    ASSERT_GT(board.size(), 100u);
    for (const std::string& n : board) EXPECT_EQ(chip.count(n), 0u) << n << " is defined by both headers";
}

TEST(BoardLink, ResponseFileHoldsPicolibcsSymbols) {
    EXPECT_EQ(generated("mind1024_board_link.rsp"),
              "-Wl,--defsym=__flash=0x0\n-Wl,--defsym=__flash_size=0x40000\n"
              "-Wl,--defsym=__ram=0x20000000\n-Wl,--defsym=__ram_size=0x40000\n"
              "-Wl,--defsym=__stack_size=0x2000\n");
}

TEST(BoardMap, CommittedDocIsCurrent) {
    EXPECT_EQ(slurp(source_dir() + "/docs/board_map.md"), generated("board_map.md"))
        << "docs/board_map.md is stale: copy build/generated/board_map.md over it";
    // docs/board.md carries the generated region table verbatim.
    const std::string gen = generated("board_map.md");
    const size_t start = gen.find("| base | end |");
    ASSERT_NE(start, std::string::npos);
    const std::string table = gen.substr(start, gen.find("\n\n", start) + 1 - start);
    EXPECT_NE(slurp(source_dir() + "/docs/board.md").find(table), std::string::npos)
        << "the memory map in docs/board.md is stale: copy the region table of build/generated/board_map.md";
}

// ---------------------------------------------------------------- the generator itself

class MemmapGen : public ::testing::Test {
protected:
    void SetUp() override {
        std::string tmpl = (fs::temp_directory_path() / "memmap_gen_test.XXXXXX").string();
        ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
        dir_ = tmpl;
    }
    void TearDown() override {
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }

    struct Result {
        int status;
        std::string out, err;
    };
    // Runs memmap_gen with `args` (already quoted), outputs into the temp dir.
    Result run(const std::string& args) {
        const std::string cmd = "'" + std::string(MEMMAP_GEN) + "' " + args + " >'" + dir_ + "/stdout' 2>'" + dir_ + "/stderr'";
        const int rc = std::system(cmd.c_str());
        return {WIFEXITED(rc) ? WEXITSTATUS(rc) : -1, slurp(dir_ + "/stdout"), slurp(dir_ + "/stderr")};
    }
    std::string outputs() const {
        return " --header '" + dir_ + "/b.h' --link '" + dir_ + "/b.rsp' --markdown '" + dir_ + "/b.md'";
    }
    Result run_json(const json& d, const std::string& name = "board.json") {
        spit(dir_ + "/" + name, d.dump(2));
        return run("'" + dir_ + "/" + name + "'" + outputs());
    }
    bool any_output() const {
        return fs::exists(dir_ + "/b.h") || fs::exists(dir_ + "/b.rsp") || fs::exists(dir_ + "/b.md");
    }
    std::string dir_;
};

TEST_F(MemmapGen, RegeneratesTheBuildsOutputsAndHasHelp) {
    // Same input, same bytes (the name in the header is the JSON's base name).
    const Result r = run_json(board_json(), "mind1024_board.json");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(slurp(dir_ + "/b.h"), generated("mind1024_board.h"));
    EXPECT_EQ(slurp(dir_ + "/b.rsp"), generated("mind1024_board_link.rsp"));
    EXPECT_EQ(slurp(dir_ + "/b.md"), generated("board_map.md"));
    EXPECT_FALSE(fs::exists(dir_ + "/b.h.tmp"));
    const Result h = run("--help");
    EXPECT_EQ(h.status, 0);
    EXPECT_NE(h.out.find("usage: memmap_gen"), std::string::npos);
    EXPECT_NE(h.out.find("--link"), std::string::npos);
}

TEST_F(MemmapGen, MalformedJsonNamesTheFile) {
    spit(dir_ + "/broken.json", "{\"regions\": [ {\"name\": \"ROM\",, } ]");
    const Result r = run("'" + dir_ + "/broken.json'" + outputs());
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.err.find(dir_ + "/broken.json"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("malformed JSON"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("parse error"), std::string::npos) << r.err;
    EXPECT_FALSE(any_output());
}

// A number too large for any type is nlohmann's out_of_range, not a parse_error:
// it must be refused the same way (the regmap fuzzer found the hole in both generators).
TEST_F(MemmapGen, NumberTooLargeIsMalformedJsonNotACrash) {
    spit(dir_ + "/huge.json", "{\"version\": 333333333333333333333333333E3333533334}");
    const Result r = run("'" + dir_ + "/huge.json'" + outputs());
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.err.find("malformed JSON"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("number overflow"), std::string::npos) << r.err;
    EXPECT_FALSE(any_output());
}

TEST_F(MemmapGen, MissingInputAndBadArguments) {
    Result r = run("'" + dir_ + "/nothing.json'" + outputs());
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.err.find("cannot open " + dir_ + "/nothing.json"), std::string::npos) << r.err;
    r = run("");
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.err.find("no board description"), std::string::npos) << r.err;
    r = run("x.json --frobnicate");
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.err.find("--frobnicate"), std::string::npos) << r.err;
    r = run("x.json --header");
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.err.find("--header needs a file name"), std::string::npos) << r.err;
}

TEST_F(MemmapGen, AvoidRefusesANameAnotherHeaderDefines) {
    spit(dir_ + "/other.h", "#ifndef OTHER_H\n#define OTHER_H\n#  define MIND_UART_DATA_ADDR 1\n#endif\n");
    spit(dir_ + "/board.json", board_json().dump());
    const Result r = run("'" + dir_ + "/board.json'" + outputs() + " --avoid '" + dir_ + "/other.h'");
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.err.find("MIND_UART_DATA_ADDR"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("other.h"), std::string::npos) << r.err;
    EXPECT_FALSE(any_output());
}

// One bad description: a mutation of the real one and what stderr must name.
struct BadCase {
    const char* name;
    std::function<void(json&)> mutate;
    std::vector<std::string> expect;
};

// Indexes into the real description (checked by the first case).
json& region(json& d, const char* n) {
    for (json& r : d["regions"])
        if (r["name"] == n) return r;
    throw std::runtime_error(std::string("no region ") + n);
}
json& device(json& d, const char* n) {
    for (json& r : d["devices"])
        if (r["region"] == n) return r;
    throw std::runtime_error(std::string("no device ") + n);
}
json& reg(json& d, const char* dev, const char* n) {
    for (json& r : device(d, dev)["registers"])
        if (r["name"] == n) return r;
    throw std::runtime_error(std::string("no register ") + n);
}
json& field(json& d, const char* dev, const char* r, const char* n) {
    for (json& f : reg(d, dev, r)["fields"])
        if (f["name"] == n) return f;
    throw std::runtime_error(std::string("no field ") + n);
}

const std::vector<BadCase>& bad_cases() {
    static const std::vector<BadCase> cases = {
        // Missing fields.
        {"RegionWithoutName", [](json& d) { region(d, "UART").erase("name"); }, {"region #7", "missing 'name'"}},
        {"RegionWithoutBase", [](json& d) { region(d, "UART").erase("base"); }, {"region UART", "missing 'base'"}},
        {"RegionWithoutSize", [](json& d) { region(d, "UART").erase("size"); }, {"region UART", "missing 'size'"}},
        {"RegionWithoutKind", [](json& d) { region(d, "UART").erase("kind"); }, {"region UART", "missing 'kind'"}},
        {"RegisterWithoutName", [](json& d) { reg(d, "UART", "STATUS").erase("name"); },
         {"register #1 of UART", "missing 'name'"}},
        {"RegisterWithoutOffset", [](json& d) { reg(d, "UART", "STATUS").erase("offset"); },
         {"register UART.STATUS", "missing 'offset'"}},
        {"RegisterWithoutAccess", [](json& d) { reg(d, "UART", "STATUS").erase("access"); },
         {"register UART.STATUS", "missing 'access'"}},
        {"NoCpuBlock", [](json& d) { d.erase("cpu"); }, {"missing 'cpu'"}},
        // Unknown enumerations, bad names and numbers.
        {"UnknownKind", [](json& d) { region(d, "UART")["kind"] = "flash"; }, {"region UART", "unknown kind 'flash'"}},
        {"UnknownAccess", [](json& d) { reg(d, "UART", "STATUS")["access"] = "RX"; },
         {"register UART.STATUS", "unknown access 'RX'"}},
        {"LowerCaseName", [](json& d) { region(d, "UART")["name"] = "uart"; }, {"'uart'", "upper-case"}},
        {"ReservedName", [](json& d) { region(d, "UART")["name"] = "REG"; device(d, "UART")["region"] = "REG"; },
         {"region REG", "reserved"}},
        {"NotANumber", [](json& d) { region(d, "UART")["base"] = "0x5100zz"; }, {"region UART.base", "'0x5100zz'"}},
        {"NegativeNumber", [](json& d) { region(d, "UART")["latency_cycles"] = -1; }, {"region UART.latency_cycles"}},
        // Pages and the 32-bit space.
        {"BaseNotPageAligned", [](json& d) { region(d, "UART")["base"] = "0x51000800"; },
         {"region UART", "0x51000800", "page size"}},
        {"SizeNotPageMultiple", [](json& d) { region(d, "UART")["size"] = "0x1800"; }, {"region UART", "0x1800", "page size"}},
        {"SizeZero", [](json& d) { region(d, "UART")["size"] = "0"; }, {"region UART", "size 0"}},
        {"PastFourGiB", [](json& d) { region(d, "SYSCTRL")["base"] = "0xFFFFF000"; region(d, "SYSCTRL")["size"] = "0x2000"; },
         {"region SYSCTRL", "32-bit address space"}},
        {"RegionsOverlap", [](json& d) { region(d, "UART")["size"] = "0x1001000"; },
         {"regions UART (0x51000000-0x52000FFF) and TIMER (0x52000000-0x52000FFF) overlap"}},
        {"WindowOverlapsChipRegs", [](json& d) { region(d, "CHIP_SYN")["base"] = "0x40000000"; },
         {"CHIP", "CHIP_SYN", "overlap"}},
        {"DuplicateRegion", [](json& d) { region(d, "TIMER")["name"] = "UART"; }, {"region UART", "defined twice"}},
        // Devices and registers.
        {"DeviceOnUnknownRegion", [](json& d) { device(d, "UART")["region"] = "SERIAL"; }, {"unknown region 'SERIAL'"}},
        {"DeviceOnRam", [](json& d) { device(d, "UART")["region"] = "SRAM"; }, {"device SRAM", "ram"}},
        {"DeviceTwice", [](json& d) { device(d, "TIMER")["region"] = "UART"; }, {"device UART", "described twice"}},
        {"DuplicateRegister", [](json& d) { reg(d, "UART", "STATUS")["name"] = "DATA"; },
         {"register UART.DATA", "defined twice"}},
        {"RegisterOutsideRegion", [](json& d) { reg(d, "UART", "STATUS")["offset"] = "0x1000"; },
         {"register UART.STATUS", "outside the region"}},
        {"LastElementOutsideRegion", [](json& d) { reg(d, "HOSTIF", "RESULT")["count"] = 1012; },
         {"register HOSTIF.RESULT", "count 1012", "outside the region"}},
        {"ArrayOutsideRegion", [](json& d) { reg(d, "HOSTIF", "ARG")["count"] = 1024; },
         {"register HOSTIF.ARG", "outside the region"}},
        {"RegistersOverlap", [](json& d) { reg(d, "UART", "STATUS")["offset"] = "0x0"; },
         {"registers UART.DATA and UART.STATUS overlap at offset 0x000"}},
        {"ArrayOverlapsNext", [](json& d) { reg(d, "HOSTIF", "ARG")["count"] = 9; },
         {"registers HOSTIF.ARG and HOSTIF.DOORBELL overlap at offset 0x024"}},
        {"MisalignedOffset", [](json& d) { reg(d, "UART", "STATUS")["offset"] = "0x6"; },
         {"register UART.STATUS", "0x6", "multiple of 4"}},
        {"MisalignedStride", [](json& d) { reg(d, "HOSTIF", "ARG")["stride"] = 2; }, {"register HOSTIF.ARG", "stride 2"}},
        {"CountZero", [](json& d) { reg(d, "HOSTIF", "ARG")["count"] = 0; }, {"register HOSTIF.ARG", "count 0"}},
        // Fields.
        {"FieldPastBit31", [](json& d) { field(d, "UART", "STATUS", "TX_READY")["lsb"] = 32; },
         {"register UART.STATUS, field 'TX_READY'", "outside the 32-bit register"}},
        {"WideFieldPastBit31", [](json& d) { field(d, "UART", "STATUS", "TX_READY")["lsb"] = 30; field(d, "UART", "STATUS", "TX_READY")["width"] = 4; },
         {"field 'TX_READY'", "lsb 30 width 4"}},
        {"FieldWidthZero", [](json& d) { field(d, "UART", "STATUS", "TX_READY")["width"] = 0; }, {"field 'TX_READY'"}},
        {"FieldsOverlap", [](json& d) { field(d, "SYSCTRL", "IRQ_SOURCES", "HOSTIF")["lsb"] = 0; },
         {"register SYSCTRL.IRQ_SOURCES", "fields 'CHIP' and 'HOSTIF' overlap"}},
        {"DuplicateField", [](json& d) { field(d, "SYSCTRL", "IRQ_SOURCES", "HOSTIF")["name"] = "CHIP"; },
         {"register SYSCTRL.IRQ_SOURCES", "field 'CHIP' defined twice"}},
        // ROM, RAM and the controller.
        {"NoRom", [](json& d) { region(d, "ROM")["kind"] = "ram"; }, {"no rom region"}},
        {"TwoRoms", [](json& d) { region(d, "SRAM")["kind"] = "rom"; }, {"two rom regions, ROM and SRAM"}},
        {"NoRam", [](json& d) { region(d, "SRAM")["kind"] = "buffer"; }, {"no ram region"}},
        {"ResetPcOutsideRom", [](json& d) { d["cpu"]["reset_pc"] = "0x20000000"; },
         {"cpu.reset_pc 0x20000000", "outside the rom region ROM"}},
        {"ResetPcMisaligned", [](json& d) { d["cpu"]["reset_pc"] = "0x2"; }, {"cpu.reset_pc 0x00000002", "multiple of 4"}},
        {"StackLargerThanRam", [](json& d) { d["cpu"]["stack_size"] = "0x80000"; }, {"cpu.stack_size 0x80000", "SRAM"}},
        // Two items that would make one macro name.
        {"MacroNameTwice",
         [](json& d) {
             d["devices"].push_back({{"region", "HOSTIF_BUF"},
                                     {"registers", {{{"name", "SIZE"}, {"offset", "0x0"}, {"access", "RO"}}}}});
         },
         {"MIND_HOSTIF_BUF_SIZE_ADDR", "register HOSTIF.BUF_SIZE", "register HOSTIF_BUF.SIZE"}},
    };
    return cases;
}

class MemmapGenRejects : public MemmapGen, public ::testing::WithParamInterface<BadCase> {};

TEST_P(MemmapGenRejects, NamingTheOffendingItem) {
    json d = board_json();
    GetParam().mutate(d);
    const Result r = run_json(d);
    EXPECT_EQ(r.status, 1) << r.err;
    EXPECT_EQ(r.err.rfind("memmap_gen: ", 0), 0u) << r.err;
    for (const std::string& s : GetParam().expect) EXPECT_NE(r.err.find(s), std::string::npos) << "want '" << s << "' in: " << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "one line: " << r.err;
    EXPECT_FALSE(any_output()) << "nothing is written when the description is bad";
}

INSTANTIATE_TEST_SUITE_P(Validation, MemmapGenRejects, ::testing::ValuesIn(bad_cases()),
                         [](const ::testing::TestParamInfo<BadCase>& i) { return std::string(i.param.name); });

}  // namespace
