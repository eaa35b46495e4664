// The register-map generator's work, shared by regmap_gen and its fuzz harness
// (tests/fuzz/fuzz_regmap.cpp): read the JSON description, produce the C header
// and the markdown table. Errors are exceptions (std::exception); a missing key
// or a value of the wrong type is a json exception, never undefined behaviour.
#include "regmap_lib.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

namespace mind1024::regmap {

json regmap_load(const std::string& path) {
    std::ifstream f(path);
    if (!f) throw std::runtime_error("cannot open " + path);
    return json::parse(f);
}

uint64_t regmap_num(const json& v) {
    if (v.is_number_unsigned()) return v.get<uint64_t>();
    return std::stoull(v.get<std::string>(), nullptr, 0);
}

std::string regmap_access_macro(const std::string& a) {
    if (a == "RO" || a == "WO" || a == "RW" || a == "RW1C") return "MIND_ACCESS_" + a;
    throw std::runtime_error("unknown access type '" + a + "'");
}

std::string regmap_header(const json& d) {
    const std::string P = d.at("prefix").get<std::string>();
    std::ostringstream o;
    o << "/* Generated from sysc/regmap/mind1024_regs.json by regmap_gen. Do not edit. */\n"
      << "/* Plain C (C89 and later, C++): register map of the MIND 1024 chip. */\n"
      << "#ifndef MIND1024_REGS_H\n#define MIND1024_REGS_H\n\n";
    o << fmt::format("#define {}_HW_VERSION_MAJOR {}u\n", P, regmap_num(d.at("version").at("major")));
    o << fmt::format("#define {}_HW_VERSION_MINOR {}u\n", P, regmap_num(d.at("version").at("minor")));
    o << fmt::format("#define {}_REG_BLOCK_SIZE 0x{:X}u\n\n", P, regmap_num(d.at("register_block_size")));
    for (const auto& c : d.at("constants"))
        o << fmt::format("#define {}_{} 0x{:X}u /* {} */\n", P, c.at("name").get<std::string>(), regmap_num(c.at("value")),
                         c.at("desc").get<std::string>());
    o << fmt::format("\n#define {0}_ACCESS_RO 0\n#define {0}_ACCESS_WO 1\n#define {0}_ACCESS_RW 2\n#define {0}_ACCESS_RW1C 3\n", P);
    for (const auto& r : d.at("registers")) {
        const std::string n = r.at("name");
        const uint64_t off = regmap_num(r.at("offset"));
        o << fmt::format("\n/* {} ({}): {} */\n", n, r.at("access").get<std::string>(), r.at("desc").get<std::string>());
        if (r.contains("count")) {
            o << fmt::format("#define {}_REG_{}(k) (0x{:03X}u + {}u * (k))\n", P, n, off, regmap_num(r.at("stride")));
            o << fmt::format("#define {}_REG_{}_COUNT {}u\n", P, n, regmap_num(r.at("count")));
        } else {
            o << fmt::format("#define {}_REG_{} 0x{:03X}u\n", P, n, off);
        }
        if (!r.contains("fields")) continue;
        for (const auto& f : r.at("fields")) {
            const std::string fn = f.at("name");
            const uint64_t lsb = regmap_num(f.at("lsb")), w = regmap_num(f.at("width"));
            // lsb >= 64 would be an undefined shift: such a field has no bit in 32.
            const uint64_t mask = lsb >= 64 ? 0 : ((w >= 32 ? 0xFFFFFFFFull : ((1ull << w) - 1)) << lsb) & 0xFFFFFFFFull;
            if (w == 1)
                o << fmt::format("#define {}_{}_{} 0x{:X}u\n", P, n, fn, mask);
            o << fmt::format("#define {}_{}_{}_SHIFT {}u\n", P, n, fn, lsb);
            o << fmt::format("#define {}_{}_{}_MASK 0x{:X}u\n", P, n, fn, mask);
        }
    }
    o << fmt::format("\n/* X-macro table for decoders: X(name, offset, access, count, stride) */\n#define {}_REGISTER_TABLE(X) \\\n", P);
    for (const auto& r : d.at("registers")) {
        const uint64_t count = r.contains("count") ? regmap_num(r.at("count")) : 1;
        const uint64_t stride = r.contains("stride") ? regmap_num(r.at("stride")) : 4;
        o << fmt::format("    X({}, 0x{:03X}u, {}, {}u, {}u) \\\n", r.at("name").get<std::string>(), regmap_num(r.at("offset")),
                         regmap_access_macro(r.at("access")), count, stride);
    }
    o << "\n#endif /* MIND1024_REGS_H */\n";
    return o.str();
}

std::string regmap_markdown(const json& d) {
    std::ostringstream o;
    o << "# MIND 1024 register map\n\n"
      << "<!-- Generated from sysc/regmap/mind1024_regs.json by regmap_gen; a test checks it is current. -->\n\n"
      << fmt::format("Hardware version {}.{}. Registers are 32-bit, little-endian, at CHIP_BASE; the block is {} bytes. "
                     "Any other size than 32 bits, an unmapped offset, or a write to a read-only register ends with a "
                     "TLM error response and changes nothing.\n\n",
                     regmap_num(d.at("version").at("major")), regmap_num(d.at("version").at("minor")), regmap_num(d.at("register_block_size")))
      << "| offset | name | access | reset | meaning |\n|---|---|---|---|---|\n";
    for (const auto& r : d.at("registers")) {
        const uint64_t off = regmap_num(r.at("offset"));
        std::string name = r.at("name"), where = fmt::format("0x{:03X}", off);
        if (r.contains("count")) {
            const uint64_t last = off + regmap_num(r.at("stride")) * (regmap_num(r.at("count")) - 1);
            where += fmt::format("–0x{:03X}", last);
            name += fmt::format("[{}]", regmap_num(r.at("count")));
        }
        o << fmt::format("| {} | {} | {} | {} | {} |\n", where, name, r.at("access").get<std::string>(),
                         r.at("reset").get<std::string>(), r.at("desc").get<std::string>());
    }
    o << "\n## Fields\n";
    for (const auto& r : d.at("registers")) {
        if (!r.contains("fields")) continue;
        o << fmt::format("\n### {}\n\n| bits | field | meaning |\n|---|---|---|\n", r.at("name").get<std::string>());
        for (const auto& f : r.at("fields")) {
            const uint64_t lsb = regmap_num(f.at("lsb")), w = regmap_num(f.at("width"));
            const std::string bits = w == 1 ? fmt::format("{}", lsb) : fmt::format("{}:{}", lsb + w - 1, lsb);
            o << fmt::format("| {} | {} | {} |\n", bits, f.at("name").get<std::string>(),
                             f.contains("desc") ? f.at("desc").get<std::string>() : "");
        }
    }
    o << "\n## Constants\n\n| name | value | meaning |\n|---|---|---|\n";
    for (const auto& c : d.at("constants"))
        o << fmt::format("| {} | 0x{:X} | {} |\n", c.at("name").get<std::string>(), regmap_num(c.at("value")), c.at("desc").get<std::string>());
    return o.str();
}

void regmap_write(const std::string& path, const std::string& text) {
    std::ofstream f(path, std::ios::binary);
    if (!f) throw std::runtime_error("cannot open " + path + " for writing");
    f << text;
    if (!f.flush()) throw std::runtime_error("cannot write " + path);
}


}  // namespace mind1024::regmap
