// The register-map generator as a library: what regmap_gen does, callable from
// its tests and its fuzz harness (tests/fuzz/fuzz_regmap.cpp). regmap_parse
// checks the whole description first (register_description.h) and throws
// regdesc::DescriptionError naming the register, the field or the key at
// fault; the outputs are generated from the checked model only.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "sysc/regmap/register_description.h"

namespace mind1024::regmap {

using nlohmann::json;

struct Constant {
    std::string name, desc;
    uint32_t value = 0;
};

struct RegisterMap {
    std::string prefix;  // macro prefix, "MIND"
    uint32_t major = 0, minor = 0, block_size = 0;
    std::vector<Constant> constants;
    std::vector<regdesc::Reg> registers;
};

json regmap_load(const std::string& path);  // parses the JSON file at path
RegisterMap regmap_parse(const json& d);    // validates: regdesc::DescriptionError on a bad description
std::string regmap_header(const RegisterMap& m);    // the C header (mind1024_regs.h)
std::string regmap_markdown(const RegisterMap& m);  // the register table (registers.md)
void regmap_write(const std::string& path, const std::string& text);

}  // namespace mind1024::regmap
