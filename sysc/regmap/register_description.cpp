#include "sysc/regmap/register_description.h"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

namespace mind1024::regdesc {

const std::vector<std::string> kAccess = {"RO", "WO", "RW", "RW1C"};

const json& need(const json& o, const char* key, const std::string& what) {
    if (!o.is_object()) throw DescriptionError(what + " is not a JSON object");
    auto it = o.find(key);
    if (it == o.end()) throw DescriptionError(fmt::format("{}: missing '{}'", what, key));
    return *it;
}

uint64_t num(const json& v, const std::string& what) {
    if (v.is_number_unsigned()) return v.get<uint64_t>();
    // Parsed text gives unsigned; a description built in code may hold a signed value.
    if (v.is_number_integer() && v.get<int64_t>() >= 0) return uint64_t(v.get<int64_t>());
    if (v.is_string()) {
        const std::string s = v.get<std::string>();
        if (!s.empty() && s[0] != '-' && s[0] != '+' && s[0] != ' ') {
            try {
                size_t used = 0;
                const uint64_t x = std::stoull(s, &used, 0);
                if (used == s.size()) return x;
            } catch (const std::exception&) {
            }
        }
        throw DescriptionError(fmt::format("{}: '{}' is not an unsigned number", what, s));
    }
    throw DescriptionError(fmt::format("{}: {} is not an unsigned number", what, v.dump()));
}

uint64_t num(const json& o, const char* key, const std::string& what) {
    return num(need(o, key, what), what + "." + key);
}

uint64_t num_or(const json& o, const char* key, uint64_t dflt, const std::string& what) {
    return o.contains(key) ? num(o[key], what + "." + key) : dflt;
}

std::string str(const json& o, const char* key, const std::string& what) {
    const json& v = need(o, key, what);
    if (!v.is_string()) throw DescriptionError(fmt::format("{}: '{}' is not a string", what, key));
    return v.get<std::string>();
}

std::string str_or(const json& o, const char* key, const std::string& what) {
    return o.is_object() && o.contains(key) ? str(o, key, what) : std::string();
}

const json& array(const json& o, const char* key, const std::string& what) {
    const json& v = need(o, key, what);
    if (!v.is_array()) throw DescriptionError(fmt::format("{}: '{}' is not an array", what, key));
    return v;
}

bool is_c_ident(const std::string& n) {
    return !n.empty() && n[0] >= 'A' && n[0] <= 'Z' &&
           std::all_of(n.begin(), n.end(), [](char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'; });
}

std::string ident(const json& o, const std::string& what) {
    const std::string n = str(o, "name", what);
    if (!is_c_ident(n))
        throw DescriptionError(
            fmt::format("{} '{}': a name must be upper-case letters, digits and '_', starting with a letter", what, n));
    return n;
}

uint32_t u32(uint64_t x, const std::string& what) {
    if (x > 0xFFFFFFFFull) throw DescriptionError(fmt::format("{}: 0x{:X} does not fit in 32 bits", what, x));
    return uint32_t(x);
}

namespace {

Field parse_field(const json& j, size_t k, const std::string& reg_what) {
    Field f;
    f.name = ident(j, fmt::format("{}, field #{}", reg_what, k));
    const std::string what = fmt::format("{}, field '{}'", reg_what, f.name);
    const uint64_t lsb = num(j, "lsb", what), width = num(j, "width", what);
    if (width == 0 || lsb >= 32 || width > 32 || lsb + width > 32)
        throw DescriptionError(fmt::format("{}: bits lsb {} width {} are outside the 32-bit register", what, lsb, width));
    f.lsb = uint32_t(lsb), f.width = uint32_t(width);
    f.desc = str_or(j, "desc", what);
    return f;
}

Reg parse_reg(const json& j, size_t k, const std::string& block, uint64_t size) {
    Reg g;
    g.name = ident(j, fmt::format("register #{} of {}", k, block));
    const std::string what = fmt::format("register {}.{}", block, g.name);
    g.offset = u32(num(j, "offset", what), what + ".offset");
    g.access = str(j, "access", what);
    if (std::find(kAccess.begin(), kAccess.end(), g.access) == kAccess.end())
        throw DescriptionError(fmt::format("{}: unknown access '{}' (RO, WO, RW or RW1C)", what, g.access));
    g.desc = str_or(j, "desc", what);
    g.reset = str_or(j, "reset", what);
    g.array = j.contains("count");
    const uint64_t count = num_or(j, "count", 1, what), stride = num_or(j, "stride", 4, what);
    if (g.offset % 4) throw DescriptionError(fmt::format("{}: offset 0x{:X} is not a multiple of 4", what, g.offset));
    if (count == 0) throw DescriptionError(fmt::format("{}: count 0", what));
    if (stride == 0 || stride % 4)
        throw DescriptionError(fmt::format("{}: stride {} is not a positive multiple of 4", what, stride));
    // Bounded before multiplying: every word must lie inside the block.
    if (count > size / 4 || stride > size || g.offset >= size || uint64_t(g.offset) + stride * (count - 1) + 4 > size)
        throw DescriptionError(fmt::format("{}: offset 0x{:X} (count {}, stride {}) is outside the region ({} bytes)",
                                           what, g.offset, count, stride, size));
    g.count = uint32_t(count), g.stride = uint32_t(stride);
    if (!j.contains("fields")) return g;
    const json& fs = array(j, "fields", what);
    uint32_t used = 0;
    std::set<std::string> names;
    for (size_t i = 0; i < fs.size(); ++i) {
        Field f = parse_field(fs[i], i, what);
        if (!names.insert(f.name).second) throw DescriptionError(fmt::format("{}: field '{}' defined twice", what, f.name));
        if (used & f.mask()) {
            const auto other =
                std::find_if(g.fields.begin(), g.fields.end(), [&](const Field& o) { return o.mask() & f.mask(); });
            throw DescriptionError(fmt::format("{}: fields '{}' and '{}' overlap", what, other->name, f.name));
        }
        used |= f.mask();
        g.fields.push_back(f);
    }
    return g;
}

}  // namespace

std::vector<Reg> parse_registers(const json& list, const std::string& block, uint64_t block_size) {
    if (!list.is_array()) throw DescriptionError(fmt::format("{}: 'registers' is not an array", block));
    std::vector<Reg> regs;
    std::map<uint32_t, std::string> words;  // word offset -> register: overlap check
    for (size_t i = 0; i < list.size(); ++i) {
        Reg g = parse_reg(list[i], i, block, block_size);
        for (const Reg& o : regs)
            if (o.name == g.name) throw DescriptionError(fmt::format("register {}.{}: defined twice", block, g.name));
        for (uint32_t e = 0; e < g.count; ++e) {
            const uint32_t w = g.offset + e * g.stride;
            auto [it, fresh] = words.emplace(w, g.name);
            if (!fresh)
                throw DescriptionError(fmt::format("registers {}.{} and {}.{} overlap at offset 0x{:03X}", block,
                                                   it->second, block, g.name, w));
        }
        regs.push_back(std::move(g));
    }
    return regs;
}

}  // namespace mind1024::regdesc
