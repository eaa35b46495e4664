// The register-map generator as a library: what regmap_gen does, callable from
// its fuzz harness (tests/fuzz/fuzz_regmap.cpp). Every function throws a
// std::exception (nlohmann::json's for a missing key or a wrong type) on a bad
// description; regmap_gen prints it and exits 1.
#pragma once
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace mind1024::regmap {

using nlohmann::json;

json regmap_load(const std::string& path);      // parses the JSON file at path
uint64_t regmap_num(const json& v);             // an unsigned number or a "0x..." string
std::string regmap_header(const json& d);       // the C header (mind1024_regs.h)
std::string regmap_markdown(const json& d);     // the register table (registers.md)
void regmap_write(const std::string& path, const std::string& text);

}  // namespace mind1024::regmap
