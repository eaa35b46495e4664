// regmap_gen: turns the one register description (mind1024_regs.json) into
// the C header used by firmware, the host and the SystemC decoder, and into
// docs/registers.md. Usage: regmap_gen JSON --header OUT.h --markdown OUT.md
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

using nlohmann::json;

namespace {

uint64_t num(const json& v) {
    if (v.is_number_unsigned()) return v.get<uint64_t>();
    return std::stoull(v.get<std::string>(), nullptr, 0);
}

std::string access_macro(const std::string& a) {
    if (a == "RO" || a == "WO" || a == "RW" || a == "RW1C") return "MIND_ACCESS_" + a;
    throw std::runtime_error("unknown access type '" + a + "'");
}

std::string header(const json& d) {
    const std::string P = d.at("prefix").get<std::string>();
    std::ostringstream o;
    o << "/* Generated from sysc/regmap/mind1024_regs.json by regmap_gen. Do not edit. */\n"
      << "/* Plain C (C89 and later, C++): register map of the MIND 1024 chip. */\n"
      << "#ifndef MIND1024_REGS_H\n#define MIND1024_REGS_H\n\n";
    o << fmt::format("#define {}_HW_VERSION_MAJOR {}u\n", P, num(d["version"]["major"]));
    o << fmt::format("#define {}_HW_VERSION_MINOR {}u\n", P, num(d["version"]["minor"]));
    o << fmt::format("#define {}_REG_BLOCK_SIZE 0x{:X}u\n\n", P, num(d["register_block_size"]));
    for (const auto& c : d["constants"])
        o << fmt::format("#define {}_{} 0x{:X}u /* {} */\n", P, c["name"].get<std::string>(), num(c["value"]),
                         c["desc"].get<std::string>());
    o << fmt::format("\n#define {0}_ACCESS_RO 0\n#define {0}_ACCESS_WO 1\n#define {0}_ACCESS_RW 2\n#define {0}_ACCESS_RW1C 3\n", P);
    for (const auto& r : d["registers"]) {
        const std::string n = r["name"];
        const uint64_t off = num(r["offset"]);
        o << fmt::format("\n/* {} ({}): {} */\n", n, r["access"].get<std::string>(), r["desc"].get<std::string>());
        if (r.contains("count")) {
            o << fmt::format("#define {}_REG_{}(k) (0x{:03X}u + {}u * (k))\n", P, n, off, num(r["stride"]));
            o << fmt::format("#define {}_REG_{}_COUNT {}u\n", P, n, num(r["count"]));
        } else {
            o << fmt::format("#define {}_REG_{} 0x{:03X}u\n", P, n, off);
        }
        if (!r.contains("fields")) continue;
        for (const auto& f : r["fields"]) {
            const std::string fn = f["name"];
            const uint64_t lsb = num(f["lsb"]), w = num(f["width"]);
            const uint64_t mask = ((w >= 32 ? 0xFFFFFFFFull : ((1ull << w) - 1)) << lsb) & 0xFFFFFFFFull;
            if (w == 1)
                o << fmt::format("#define {}_{}_{} 0x{:X}u\n", P, n, fn, mask);
            o << fmt::format("#define {}_{}_{}_SHIFT {}u\n", P, n, fn, lsb);
            o << fmt::format("#define {}_{}_{}_MASK 0x{:X}u\n", P, n, fn, mask);
        }
    }
    o << fmt::format("\n/* X-macro table for decoders: X(name, offset, access, count, stride) */\n#define {}_REGISTER_TABLE(X) \\\n", P);
    for (const auto& r : d["registers"]) {
        const uint64_t count = r.contains("count") ? num(r["count"]) : 1;
        const uint64_t stride = r.contains("stride") ? num(r["stride"]) : 4;
        o << fmt::format("    X({}, 0x{:03X}u, {}, {}u, {}u) \\\n", r["name"].get<std::string>(), num(r["offset"]),
                         access_macro(r["access"]), count, stride);
    }
    o << "\n#endif /* MIND1024_REGS_H */\n";
    return o.str();
}

std::string markdown(const json& d) {
    std::ostringstream o;
    o << "# MIND 1024 register map\n\n"
      << "<!-- Generated from sysc/regmap/mind1024_regs.json by regmap_gen; a test checks it is current. -->\n\n"
      << fmt::format("Hardware version {}.{}. Registers are 32-bit, little-endian, at CHIP_BASE; the block is {} bytes. "
                     "Any other size than 32 bits, an unmapped offset, or a write to a read-only register ends with a "
                     "TLM error response and changes nothing.\n\n",
                     num(d["version"]["major"]), num(d["version"]["minor"]), num(d["register_block_size"]))
      << "| offset | name | access | reset | meaning |\n|---|---|---|---|---|\n";
    for (const auto& r : d["registers"]) {
        const uint64_t off = num(r["offset"]);
        std::string name = r["name"], where = fmt::format("0x{:03X}", off);
        if (r.contains("count")) {
            const uint64_t last = off + num(r["stride"]) * (num(r["count"]) - 1);
            where += fmt::format("–0x{:03X}", last);
            name += fmt::format("[{}]", num(r["count"]));
        }
        o << fmt::format("| {} | {} | {} | {} | {} |\n", where, name, r["access"].get<std::string>(),
                         r["reset"].get<std::string>(), r["desc"].get<std::string>());
    }
    o << "\n## Fields\n";
    for (const auto& r : d["registers"]) {
        if (!r.contains("fields")) continue;
        o << fmt::format("\n### {}\n\n| bits | field | meaning |\n|---|---|---|\n", r["name"].get<std::string>());
        for (const auto& f : r["fields"]) {
            const uint64_t lsb = num(f["lsb"]), w = num(f["width"]);
            const std::string bits = w == 1 ? fmt::format("{}", lsb) : fmt::format("{}:{}", lsb + w - 1, lsb);
            o << fmt::format("| {} | {} | {} |\n", bits, f["name"].get<std::string>(),
                             f.contains("desc") ? f["desc"].get<std::string>() : "");
        }
    }
    o << "\n## Constants\n\n| name | value | meaning |\n|---|---|---|\n";
    for (const auto& c : d["constants"])
        o << fmt::format("| {} | 0x{:X} | {} |\n", c["name"].get<std::string>(), num(c["value"]), c["desc"].get<std::string>());
    return o.str();
}

void write(const std::string& path, const std::string& text) {
    std::ofstream f(path, std::ios::binary);
    if (!f) throw std::runtime_error("cannot open " + path + " for writing");
    f << text;
    if (!f.flush()) throw std::runtime_error("cannot write " + path);
}

}  // namespace

int main(int argc, char** argv) {
    try {
        std::string in, hdr, md;
        for (int k = 1; k < argc; ++k) {
            std::string a = argv[k];
            if (a == "--help" || a == "-h") {
                std::cout << "usage: regmap_gen REGS.json [--header OUT.h] [--markdown OUT.md]\n"
                             "Generates the C register header and the markdown register table.\n";
                return 0;
            }
            if ((a == "--header" || a == "--markdown") && k + 1 < argc) {
                (a == "--header" ? hdr : md) = argv[++k];
            } else if (in.empty()) {
                in = a;
            } else {
                throw std::runtime_error("unexpected argument '" + a + "'");
            }
        }
        if (in.empty()) throw std::runtime_error("no register description given (see --help)");
        std::ifstream f(in);
        if (!f) throw std::runtime_error("cannot open " + in);
        const json d = json::parse(f);
        if (!hdr.empty()) write(hdr, header(d));
        if (!md.empty()) write(md, markdown(d));
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "regmap_gen: " << e.what() << "\n";
        return 1;
    }
}
