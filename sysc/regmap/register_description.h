// A checked register description: what the chip's register map (regmap_gen)
// and the board's device registers (memmap_gen) are both made of. Reading a
// JSON description through these functions either yields a model whose every
// value is in range, or throws DescriptionError naming the item and the cause
// (the register, the field, the key) — never a json exception, never UB.
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace mind1024::regdesc {

using nlohmann::json;

struct DescriptionError : std::runtime_error {
    using runtime_error::runtime_error;
};

struct Field {
    std::string name, desc;
    uint32_t lsb = 0, width = 0;
    uint32_t mask() const { return uint32_t(((width >= 32 ? 0xFFFFFFFFull : (1ull << width) - 1) << lsb) & 0xFFFFFFFFull); }
};

struct Reg {
    std::string name, access, desc, reset;  // reset: as written ("0x0", "build"); may be empty
    uint32_t offset = 0, count = 1, stride = 4;
    bool array = false;  // "count" given: an indexed macro even for count 1
    std::vector<Field> fields;
    uint32_t last() const { return offset + stride * (count - 1); }
};

// Access kinds, in the order of their codes (MIND_ACCESS_RO = 0, ...).
extern const std::vector<std::string> kAccess;

// ---- JSON access with messages; `what` names the item for the message.
const json& need(const json& o, const char* key, const std::string& what);
// Numbers are JSON unsigned integers or strings C would accept ("0x1000", "4096").
uint64_t num(const json& v, const std::string& what);
uint64_t num(const json& o, const char* key, const std::string& what);
uint64_t num_or(const json& o, const char* key, uint64_t dflt, const std::string& what);
std::string str(const json& o, const char* key, const std::string& what);
std::string str_or(const json& o, const char* key, const std::string& what);
const json& array(const json& o, const char* key, const std::string& what);
// o["name"], checked to be usable in a C macro name (upper case, digits, '_').
std::string ident(const json& o, const std::string& what);
bool is_c_ident(const std::string& s);
uint32_t u32(uint64_t x, const std::string& what);

// One register list of a block of `block_size` bytes named `block` ("MIND",
// "device UART"): names unique, offsets word-aligned and inside the block, no
// two registers on one word, fields inside 32 bits, not overlapping, unique.
std::vector<Reg> parse_registers(const json& list, const std::string& block, uint64_t block_size);

}  // namespace mind1024::regdesc
