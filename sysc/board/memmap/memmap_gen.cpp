// memmap_gen: turns the one board description (mind1024_board.json) into the
// C header used by firmware and the SystemC router, the linker symbols of
// picolibc's default script, and docs/board_map.md. Everything is checked and
// generated in memory first, so a bad description leaves no output behind.
// Usage: memmap_gen JSON [--header OUT.h] [--link OUT.rsp] [--markdown OUT.md] [--avoid OTHER.h]
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "sysc/regmap/register_description.h"

using nlohmann::json;

namespace {

using namespace mind1024::regdesc;  // Field, Reg, need, num, str, ident, ...: JSON access with messages
using Error = DescriptionError;

// ---------------------------------------------------------------- the checked model

struct Region {
    std::string name, kind, desc;
    uint32_t base = 0, size = 0, latency = 0;
    bool has_device = false;
    std::vector<Reg> regs;
    uint32_t end() const { return base + (size - 1); }  // inclusive: base + size may be 2^32
};

struct BoardMap {
    std::string title, prefix, source, isa;
    uint32_t page_size = 4096, clock_hz = 0, reset_pc = 0, stack_size = 0;
    std::vector<Region> regions;  // in description order (the X-macro keeps it)
    size_t rom_index = SIZE_MAX, ram_index = SIZE_MAX;  // ram: the first ram region, picolibc's __ram
    const Region& rom() const { return regions.at(rom_index); }
    const Region& ram() const { return regions.at(ram_index); }
};

// In code order: the header lists them so.
const std::vector<std::string> kKinds = {"rom", "ram", "device", "buffer"};

bool one_of(const std::vector<std::string>& list, const std::string& x) {
    return std::find(list.begin(), list.end(), x) != list.end();
}

// ---------------------------------------------------------------- parse + validate

BoardMap parse(const json& d, const std::string& source) {
    BoardMap b;
    b.source = source;
    b.title = d.is_object() && d.contains("name") ? str(d, "name", "the board") : "board";
    b.prefix = str(d, "prefix", "the board");
    if (!is_c_ident(b.prefix))
        throw Error(fmt::format("prefix '{}' is not an upper-case C identifier", b.prefix));
    const uint64_t page = num_or(d, "page_size", 4096, "the board");
    if (page == 0 || (page & (page - 1)) || page > (1u << 30))
        throw Error(fmt::format("page_size {} is not a power of two", page));
    b.page_size = uint32_t(page);

    // Regions: names, page alignment, 32-bit address space, no overlap.
    const json& rs = array(d, "regions", "the board");
    std::map<std::string, size_t> by_name;
    for (size_t k = 0; k < rs.size(); ++k) {
        Region r;
        r.name = ident(rs[k], fmt::format("region #{}", k));
        const std::string what = "region " + r.name;
        // Prefixes of the chip header's names (MIND_REG_*, MIND_ACCESS_*).
        if (r.name == "REG" || r.name == "ACCESS")
            throw Error(fmt::format("{}: the name is reserved by the chip header's {}_{}_* macros", what, b.prefix, r.name));
        if (by_name.count(r.name)) throw Error(fmt::format("{}: defined twice (regions #{} and #{})", what, by_name[r.name], k));
        by_name[r.name] = k;
        const uint64_t base = num(rs[k], "base", what), size = num(rs[k], "size", what);
        r.kind = str(rs[k], "kind", what);
        if (!one_of(kKinds, r.kind)) throw Error(fmt::format("{}: unknown kind '{}' (rom, ram, device or buffer)", what, r.kind));
        if (size == 0) throw Error(fmt::format("{}: size 0", what));
        if (base % page || size % page)
            throw Error(fmt::format("{}: base 0x{:X} and size 0x{:X} must be multiples of the page size 0x{:X}", what,
                                    base, size, page));
        if (base > 0xFFFFFFFFull || size > 0x100000000ull - base)
            throw Error(fmt::format("{}: base 0x{:X} + size 0x{:X} runs past the 32-bit address space", what, base, size));
        if (size == 0x100000000ull) throw Error(fmt::format("{}: size 4 GiB leaves no room for anything else", what));
        r.base = uint32_t(base), r.size = uint32_t(size);
        r.latency = u32(num_or(rs[k], "latency_cycles", 0, what), what + ".latency_cycles");
        r.desc = str_or(rs[k], "desc", what);
        b.regions.push_back(r);
    }
    std::vector<const Region*> sorted;
    for (const Region& r : b.regions) sorted.push_back(&r);
    std::stable_sort(sorted.begin(), sorted.end(), [](const Region* x, const Region* y) { return x->base < y->base; });
    for (size_t k = 1; k < sorted.size(); ++k)
        if (sorted[k]->base <= sorted[k - 1]->end())
            throw Error(fmt::format("regions {} (0x{:08X}-0x{:08X}) and {} (0x{:08X}-0x{:08X}) overlap", sorted[k - 1]->name,
                                    sorted[k - 1]->base, sorted[k - 1]->end(), sorted[k]->name, sorted[k]->base,
                                    sorted[k]->end()));
    for (size_t k = 0; k < b.regions.size(); ++k) {
        const Region& r = b.regions[k];
        if (r.kind == "rom") {
            if (b.rom_index != SIZE_MAX)
                throw Error(fmt::format("two rom regions, {} and {}: the firmware image needs exactly one", b.rom().name, r.name));
            b.rom_index = k;
        }
        if (r.kind == "ram" && b.ram_index == SIZE_MAX) b.ram_index = k;
    }
    if (b.rom_index == SIZE_MAX) throw Error("no rom region: the firmware image needs exactly one");
    if (b.ram_index == SIZE_MAX) throw Error("no ram region: the firmware needs at least one");

    // Devices: one register list per device region.
    if (d.contains("devices")) {
        const json& ds = array(d, "devices", "the board");
        for (size_t k = 0; k < ds.size(); ++k) {
            const std::string rn = str(ds[k], "region", fmt::format("device #{}", k));
            if (!by_name.count(rn)) throw Error(fmt::format("device #{} names an unknown region '{}'", k, rn));
            Region& r = b.regions[by_name[rn]];
            const std::string what = "device " + rn;
            if (r.has_device) throw Error(fmt::format("{}: described twice", what));
            if (r.kind == "rom" || r.kind == "ram")
                throw Error(fmt::format("{}: region {} is {}, registers need a device or buffer region", what, rn, r.kind));
            r.has_device = true;
            r.regs = parse_registers(array(ds[k], "registers", what), rn, r.size);
        }
    }

    // The controller.
    const json& cpu = need(d, "cpu", "the board");
    b.isa = str_or(cpu, "isa", "cpu");
    b.clock_hz = u32(num(cpu, "clock_hz", "cpu"), "cpu.clock_hz");
    if (b.clock_hz == 0) throw Error("cpu.clock_hz: 0");
    b.reset_pc = u32(num(cpu, "reset_pc", "cpu"), "cpu.reset_pc");
    if (b.reset_pc < b.rom().base || b.reset_pc > b.rom().end())
        throw Error(fmt::format("cpu.reset_pc 0x{:08X} is outside the rom region {} (0x{:08X}-0x{:08X})", b.reset_pc,
                                b.rom().name, b.rom().base, b.rom().end()));
    if (b.reset_pc % 4) throw Error(fmt::format("cpu.reset_pc 0x{:08X} is not a multiple of 4 (RV32 without C)", b.reset_pc));
    b.stack_size = u32(num(cpu, "stack_size", "cpu"), "cpu.stack_size");
    // The RISC-V ABI keeps sp 16-byte aligned; the stack lives in the first ram region.
    if (b.stack_size == 0 || b.stack_size % 16 || b.stack_size > b.ram().size)
        throw Error(fmt::format("cpu.stack_size 0x{:X} must be a non-zero multiple of 16 no larger than {} (0x{:X})",
                                b.stack_size, b.ram().name, b.ram().size));
    return b;
}

// ---------------------------------------------------------------- outputs

// Every macro goes through here, so two items that would give one name are an error.
class Macros {
public:
    Macros(std::set<std::string> avoid, std::string avoid_from) : avoid_(std::move(avoid)), avoid_from_(std::move(avoid_from)) {}
    // `name` may carry a parameter list, "X(k)": the macro's name is what precedes '('.
    void def(const std::string& name, const std::string& value, const std::string& origin) {
        const std::string bare = name.substr(0, name.find('('));
        auto [it, fresh] = seen_.emplace(bare, origin);
        if (!fresh) throw Error(fmt::format("macro {} would be generated twice: by {} and by {}", bare, it->second, origin));
        if (avoid_.count(bare)) throw Error(fmt::format("macro {} (from {}) collides with {}", bare, origin, avoid_from_));
        out_ << "#define " << name << ' ' << value << '\n';
    }
    std::ostringstream& text() { return out_; }

private:
    std::set<std::string> avoid_;
    std::string avoid_from_;
    std::map<std::string, std::string> seen_;
    std::ostringstream out_;
};

std::string upper(std::string s) {
    for (char& c : s) c = char(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
    return s;
}

std::string hex32(uint32_t x) { return fmt::format("0x{:08X}u", x); }

std::string header(const BoardMap& b, const std::set<std::string>& avoid, const std::string& avoid_from) {
    const std::string& P = b.prefix;
    Macros m(avoid, avoid_from);
    std::ostringstream& o = m.text();
    o << fmt::format("/* Generated from {} by memmap_gen. Do not edit. */\n", b.source)
      << "/* Plain C (C99 and later, C++): memory map of the " << b.title << ".\n"
      << "   Naming (P = " << P << ", REGION = a region's name, REG = a register, FIELD = a field):\n"
      << "     P_REGION_BASE, P_REGION_SIZE            bytes\n"
      << "     P_REGION_LATENCY_CYCLES                 CPU cycles added to each access of the region\n"
      << "     P_REGION_REG_REG                        register offset from P_REGION_BASE\n"
      << "     P_REGION_REG_REG(k), P_REGION_REG_REG_COUNT   element k of an array register\n"
      << "     P_REGION_REG_ADDR, P_REGION_REG_ADDR(k) absolute address (base + offset), for firmware\n"
      << "     P_REGION_REG_FIELD                      mask of a 1-bit field\n"
      << "     P_REGION_REG_FIELD_SHIFT, _MASK         position and mask of any field\n"
      << "     P_BOARD_REGION_TABLE(X)                 X(REGION, base, size, kind, latency_cycles) per region\n"
      << "     P_REGION_REGISTER_TABLE(X)              X(REG, offset, access, count, stride) per device\n"
      << "   e.g. " << P << "_UART_BASE, " << P << "_UART_REG_DATA (offset), " << P << "_UART_DATA_ADDR (address).\n"
      << "   The chip's own registers are in mind1024_regs.h (" << P << "_REG_<REG>, offsets from " << P
      << "_CHIP_BASE);\n   no name here collides with that header. */\n"
      << "#ifndef MIND1024_BOARD_H\n#define MIND1024_BOARD_H\n\n";

    o << "/* Region kinds. */\n";
    for (size_t k = 0; k < kKinds.size(); ++k)
        m.def(fmt::format("{}_REGION_{}", P, upper(kKinds[k])), std::to_string(k), "the region kinds");
    o << "\n/* Register access types (same codes as the chip header's " << P << "_ACCESS_*). */\n";
    for (size_t k = 0; k < kAccess.size(); ++k)
        m.def(fmt::format("{}_BOARD_ACCESS_{}", P, kAccess[k]), std::to_string(k), "the access types");
    o << "\n/* Unicorn maps 4 KiB pages: every region is a whole number of pages. */\n";
    m.def(P + "_BOARD_PAGE_SIZE", fmt::format("0x{:X}u", b.page_size), "page_size");

    o << "\n/* The controller" << (b.isa.empty() ? "" : " (" + b.isa + ")") << ". */\n";
    m.def(P + "_CPU_CLOCK_HZ", fmt::format("{}u", b.clock_hz), "cpu.clock_hz");
    m.def(P + "_CPU_RESET_PC", hex32(b.reset_pc), "cpu.reset_pc");
    m.def(P + "_STACK_SIZE", fmt::format("0x{:X}u", b.stack_size), "cpu.stack_size");

    o << "\n/* Regions. */\n";
    for (const Region& r : b.regions) {
        const std::string origin = "region " + r.name;
        o << fmt::format("/* {} ({}): {} */\n", r.name, r.kind, r.desc);
        m.def(fmt::format("{}_{}_BASE", P, r.name), hex32(r.base), origin);
        m.def(fmt::format("{}_{}_SIZE", P, r.name), hex32(r.size), origin);
        m.def(fmt::format("{}_{}_LATENCY_CYCLES", P, r.name), fmt::format("{}u", r.latency), origin);
    }
    m.def(P + "_BOARD_REGION_COUNT", fmt::format("{}u", b.regions.size()), "the region table");
    o << "\n/* X-macro table for the address decoder: X(name, base, size, kind, latency_cycles) */\n";
    std::string table = "\\\n";
    for (const Region& r : b.regions)
        table += fmt::format("    X({}, {}, {}, {}_REGION_{}, {}u) \\\n", r.name, hex32(r.base), hex32(r.size), P,
                             upper(r.kind), r.latency);
    m.def(P + "_BOARD_REGION_TABLE(X)", table, "the region table");

    for (const Region& r : b.regions) {
        if (!r.has_device) continue;
        o << fmt::format("\n/* ---- {} registers (base {}) ---- */\n", r.name, hex32(r.base));
        for (const Reg& g : r.regs) {
            const std::string origin = fmt::format("register {}.{}", r.name, g.name);
            o << fmt::format("\n/* {} ({}): {} */\n", g.name, g.access, g.desc);
            if (g.array) {
                m.def(fmt::format("{}_{}_REG_{}(k)", P, r.name, g.name), fmt::format("(0x{:03X}u + {}u * (k))", g.offset, g.stride), origin);
                m.def(fmt::format("{}_{}_REG_{}_COUNT", P, r.name, g.name), fmt::format("{}u", g.count), origin);
                m.def(fmt::format("{}_{}_{}_ADDR(k)", P, r.name, g.name),
                      fmt::format("({} + {}u * (k))", hex32(r.base + g.offset), g.stride), origin);
            } else {
                m.def(fmt::format("{}_{}_REG_{}", P, r.name, g.name), fmt::format("0x{:03X}u", g.offset), origin);
                m.def(fmt::format("{}_{}_{}_ADDR", P, r.name, g.name), hex32(r.base + g.offset), origin);
            }
            for (const Field& f : g.fields) {
                const std::string fo = fmt::format("field {}.{}.{}", r.name, g.name, f.name);
                if (f.width == 1) m.def(fmt::format("{}_{}_{}_{}", P, r.name, g.name, f.name), fmt::format("0x{:X}u", f.mask()), fo);
                m.def(fmt::format("{}_{}_{}_{}_SHIFT", P, r.name, g.name, f.name), fmt::format("{}u", f.lsb), fo);
                m.def(fmt::format("{}_{}_{}_{}_MASK", P, r.name, g.name, f.name), fmt::format("0x{:X}u", f.mask()), fo);
            }
        }
        o << fmt::format("\n/* X-macro table for the {} decoder: X(name, offset, access, count, stride) */\n", r.name);
        std::string regs = "\\\n";
        for (const Reg& g : r.regs)
            regs += fmt::format("    X({}, 0x{:03X}u, {}_BOARD_ACCESS_{}, {}u, {}u) \\\n", g.name, g.offset, P, g.access,
                                g.count, g.stride);
        m.def(fmt::format("{}_{}_REGISTER_TABLE(X)", P, r.name), regs, "region " + r.name);
    }
    o << "\n#endif /* MIND1024_BOARD_H */\n";
    return o.str();
}

// GCC response file: the symbols picolibc's default linker script (picolibc.ld) reads.
std::string link_rsp(const BoardMap& b) {
    return fmt::format("-Wl,--defsym=__flash=0x{:X}\n-Wl,--defsym=__flash_size=0x{:X}\n"
                       "-Wl,--defsym=__ram=0x{:X}\n-Wl,--defsym=__ram_size=0x{:X}\n-Wl,--defsym=__stack_size=0x{:X}\n",
                       b.rom().base, b.rom().size, b.ram().base, b.ram().size, b.stack_size);
}

std::string addr(uint32_t x) { return fmt::format("0x{:04X}_{:04X}", x >> 16, x & 0xFFFF); }

std::string human(uint32_t n) {
    if (n % (1u << 20) == 0) return fmt::format("{} MiB", n >> 20);
    if (n % 1024 == 0) return fmt::format("{} KiB", n >> 10);
    return fmt::format("{} B", n);
}

std::string hertz(uint32_t hz) {
    return hz % 1000000 == 0 ? fmt::format("{} MHz", hz / 1000000) : fmt::format("{} Hz", hz);
}

std::string markdown(const BoardMap& b) {
    std::ostringstream o;
    o << "# MIND 1024 board memory map\n\n"
      << fmt::format("<!-- Generated from {} by memmap_gen; a test checks it is current. -->\n\n", b.source)
      << fmt::format("The controller is an {} core at {}, reset at {}, with a stack of 0x{:X} bytes at the top of {}. "
                     "Every region is a whole number of {}-byte pages. Latency is what an access to the region adds "
                     "to the instruction, in CPU cycles. Anything outside these regions is unmapped: an access "
                     "there is a CPU fault.\n\n",
                     b.isa.empty() ? "unnamed" : b.isa, hertz(b.clock_hz), addr(b.reset_pc), b.stack_size, b.ram().name,
                     b.page_size, b.page_size)
      << "| base | end | size | kind | latency | name | what |\n|---|---|---|---|---|---|---|\n";
    for (const Region& r : b.regions)
        o << fmt::format("| {} | {} | {} | {} | {} | {} | {} |\n", addr(r.base), addr(r.end()), human(r.size), r.kind,
                         r.latency, r.name, r.desc);
    if (std::any_of(b.regions.begin(), b.regions.end(), [](const Region& r) { return r.name == "CHIP"; }))
        o << "\nThe chip's registers (region CHIP) are listed in [registers.md](registers.md).\n";
    o << "\n## Linking\n\n"
      << "`mind1024_board_link.rsp` gives picolibc's default linker script its symbols "
      << "(firmware links with `@mind1024_board_link.rsp`):\n\n| symbol | value | from |\n|---|---|---|\n"
      << fmt::format("| `__flash` | 0x{:X} | {} base |\n| `__flash_size` | 0x{:X} | {} size |\n", b.rom().base, b.rom().name,
                     b.rom().size, b.rom().name)
      << fmt::format("| `__ram` | 0x{:X} | {} base |\n| `__ram_size` | 0x{:X} | {} size |\n", b.ram().base, b.ram().name,
                     b.ram().size, b.ram().name)
      << fmt::format("| `__stack_size` | 0x{:X} | cpu.stack_size |\n", b.stack_size);
    for (const Region& r : b.regions) {
        if (!r.has_device) continue;
        o << fmt::format("\n## {} registers\n\nBase {}; 32-bit registers, little-endian.\n\n", r.name, addr(r.base))
          << "| offset | address | name | access | meaning |\n|---|---|---|---|---|\n";
        for (const Reg& g : r.regs) {
            std::string off = fmt::format("0x{:03X}", g.offset), at = addr(r.base + g.offset), name = g.name;
            if (g.array) {
                off += fmt::format("–0x{:03X}", g.last());
                at += "–" + addr(r.base + g.last());
                name += fmt::format("[{}]", g.count);
            }
            o << fmt::format("| {} | {} | {} | {} | {} |\n", off, at, name, g.access, g.desc);
        }
        for (const Reg& g : r.regs) {
            if (g.fields.empty()) continue;
            o << fmt::format("\n### {}.{} fields\n\n| bits | field | meaning |\n|---|---|---|\n", r.name, g.name);
            for (const Field& f : g.fields) {
                const std::string bits = f.width == 1 ? fmt::format("{}", f.lsb) : fmt::format("{}:{}", f.lsb + f.width - 1, f.lsb);
                o << fmt::format("| {} | {} | {} |\n", bits, f.name, f.desc);
            }
        }
    }
    return o.str();
}

// The names another header defines (--avoid): ours must not reuse any.
std::set<std::string> defined_names(const std::string& path) {
    std::ifstream f(path);
    if (!f) throw Error("cannot open " + path);
    std::set<std::string> names;
    for (std::string line; std::getline(f, line);) {
        std::istringstream l(line);
        std::string hash, name;
        l >> hash;
        if (hash == "#") l >> hash, hash = "#" + hash;
        if (hash != "#define" || !(l >> name)) continue;
        names.insert(name.substr(0, name.find('(')));
    }
    return names;
}

// Through a temporary file and a rename: no half-written output under the final name.
void write(const std::string& path, const std::string& text) {
    const std::string tmp = path + ".tmp";
    {
        std::ofstream f(tmp, std::ios::binary);
        if (!f) throw Error("cannot open " + tmp + " for writing");
        f << text;
        if (!f.flush()) throw Error("cannot write " + tmp);
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        std::remove(tmp.c_str());
        throw Error("cannot rename " + tmp + " to " + path);
    }
}

std::string basename(const std::string& p) {
    const size_t s = p.find_last_of('/');
    return s == std::string::npos ? p : p.substr(s + 1);
}

}  // namespace

int main(int argc, char** argv) {
    std::string in;
    try {
        std::string hdr, rsp, md;
        std::vector<std::string> avoid;
        for (int k = 1; k < argc; ++k) {
            const std::string a = argv[k];
            if (a == "--help" || a == "-h") {
                std::cout << "usage: memmap_gen BOARD.json [--header OUT.h] [--link OUT.rsp] [--markdown OUT.md]\n"
                             "                  [--avoid OTHER.h ...]\n"
                             "Checks the board's memory-map description and generates the C header (regions,\n"
                             "device registers, X-macro tables), the GCC response file with picolibc's linker\n"
                             "symbols, and the markdown memory map. --avoid: fail if a generated macro name is\n"
                             "already #defined in OTHER.h (e.g. the chip's mind1024_regs.h).\n"
                             "Exit status 0 on success, 1 with a message naming the offending item.\n";
                return 0;
            }
            if (a == "--header" || a == "--link" || a == "--markdown" || a == "--avoid") {
                if (k + 1 >= argc) throw Error(a + " needs a file name");
                const std::string v = argv[++k];
                if (a == "--header") hdr = v;
                else if (a == "--link") rsp = v;
                else if (a == "--markdown") md = v;
                else avoid.push_back(v);
            } else if (!a.empty() && a[0] == '-') {
                throw Error("unknown option '" + a + "' (see --help)");
            } else if (in.empty()) {
                in = a;
            } else {
                throw Error("unexpected argument '" + a + "'");
            }
        }
        if (in.empty()) throw Error("no board description given (see --help)");
        std::set<std::string> avoided;
        std::string avoid_from;
        for (const std::string& h : avoid) {
            const std::set<std::string> n = defined_names(h);
            avoided.insert(n.begin(), n.end());
            avoid_from += (avoid_from.empty() ? "" : ", ") + basename(h);
        }
        std::ifstream f(in);
        if (!f) throw Error("cannot open " + in);
        json d;
        try {
            d = json::parse(f);
        } catch (const json::exception& e) {  // parse_error, and out_of_range for a number too large
            throw Error(fmt::format("malformed JSON: {}", e.what()));
        }
        const BoardMap b = parse(d, basename(in));
        // All outputs are made (and checked) before any is written.
        const std::string h = header(b, avoided, avoid_from), l = link_rsp(b), m = markdown(b);
        if (!hdr.empty()) write(hdr, h);
        if (!rsp.empty()) write(rsp, l);
        if (!md.empty()) write(md, m);
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "memmap_gen: " << (in.empty() ? "" : in + ": ") << e.what() << "\n";
        return 1;
    }
}
