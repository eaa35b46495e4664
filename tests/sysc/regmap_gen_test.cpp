// The register-map generator validates its description (sysc/regmap): each
// case mutates the real mind1024_regs.json and expects a refusal naming the
// register, field or key at fault; regmap_gen itself exits 1 with that message
// and writes no output. The real description still generates what is checked in.
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "sysc/regmap/regmap_lib.h"

namespace fs = std::filesystem;
using namespace mind1024::regmap;
using mind1024::regdesc::DescriptionError;

namespace {

std::string source_dir() {
    const char* s = std::getenv("MIND1024_SOURCE_DIR");
    return s ? s : REGMAP_SOURCE_DIR;
}

json regs_json() { return regmap_load(source_dir() + "/sysc/regmap/mind1024_regs.json"); }

json& reg(json& d, const std::string& name) {
    for (json& r : d["registers"])
        if (r["name"] == name) return r;
    throw std::runtime_error("no register " + name);
}

json& field(json& d, const std::string& r, const std::string& f) {
    for (json& x : reg(d, r)["fields"])
        if (x["name"] == f) return x;
    throw std::runtime_error("no field " + f);
}

struct Case {
    const char* name;
    std::function<void(json&)> mutate;
    std::vector<std::string> expect;  // substrings of the message
};

std::vector<Case> cases() {
    return {
        {"MissingPrefix", [](json& d) { d.erase("prefix"); }, {"the register map", "missing 'prefix'"}},
        {"LowerCasePrefix", [](json& d) { d["prefix"] = "mind"; }, {"prefix 'mind'"}},
        {"MissingVersion", [](json& d) { d.erase("version"); }, {"missing 'version'"}},
        {"VersionTooBig", [](json& d) { d["version"]["major"] = 70000; }, {"version 70000.0", "16 bits"}},
        {"BlockSizeOdd", [](json& d) { d["register_block_size"] = 4095; }, {"register_block_size 4095"}},
        {"BlockSizeString", [](json& d) { d["register_block_size"] = "big"; }, {"register_block_size", "'big'"}},
        {"RegistersNotArray", [](json& d) { d["registers"] = 3; }, {"'registers' is not an array"}},
        {"MissingName", [](json& d) { d["registers"][2].erase("name"); }, {"register #2 of MIND", "missing 'name'"}},
        {"MissingOffset", [](json& d) { reg(d, "STATUS").erase("offset"); }, {"register MIND.STATUS", "missing 'offset'"}},
        {"MissingAccess", [](json& d) { reg(d, "STATUS").erase("access"); }, {"register MIND.STATUS", "missing 'access'"}},
        {"UnknownAccess", [](json& d) { reg(d, "STATUS")["access"] = "RX"; }, {"register MIND.STATUS", "unknown access 'RX'"}},
        {"AccessNotString", [](json& d) { reg(d, "STATUS")["access"] = 1; }, {"register MIND.STATUS", "'access' is not a string"}},
        {"OffsetNegative", [](json& d) { reg(d, "STATUS")["offset"] = -4; }, {"register MIND.STATUS.offset", "not an unsigned"}},
        {"OffsetMisaligned", [](json& d) { reg(d, "STATUS")["offset"] = "0x00E"; }, {"register MIND.STATUS", "multiple of 4"}},
        {"OffsetOutside", [](json& d) { reg(d, "STATUS")["offset"] = "0x1000"; }, {"register MIND.STATUS", "outside"}},
        {"RegistersOverlap", [](json& d) { reg(d, "STATUS")["offset"] = "0x008"; },
         {"registers MIND.CONFIG and MIND.STATUS overlap at offset 0x008"}},
        {"DuplicateName", [](json& d) { reg(d, "STATUS")["name"] = "CTRL"; }, {"register MIND.CTRL", "defined twice"}},
        {"BadName", [](json& d) { reg(d, "STATUS")["name"] = "st-atus"; }, {"'st-atus'", "upper-case"}},
        {"FieldPastBit31", [](json& d) { field(d, "STATUS", "BUSY")["lsb"] = 32; },
         {"register MIND.STATUS, field 'BUSY'", "outside the 32-bit register"}},
        {"WideField", [](json& d) { field(d, "VERSION", "MAJOR")["width"] = 17; },
         {"register MIND.VERSION, field 'MAJOR'", "lsb 16 width 17"}},
        {"FieldWidthZero", [](json& d) { field(d, "STATUS", "BUSY")["width"] = 0; }, {"field 'BUSY'", "width 0"}},
        {"FieldsOverlap", [](json& d) { field(d, "STATUS", "DONE")["lsb"] = 0; },
         {"register MIND.STATUS", "fields 'BUSY' and 'DONE' overlap"}},
        {"FieldTwice", [](json& d) { field(d, "STATUS", "DONE")["name"] = "BUSY"; }, {"field 'BUSY' defined twice"}},
        {"FieldMissingWidth", [](json& d) { field(d, "STATUS", "DONE").erase("width"); },
         {"register MIND.STATUS, field 'DONE'", "missing 'width'"}},
        {"ConstantCollides", [](json& d) { d["constants"].push_back({{"name", "STATUS_BUSY"}, {"value", 1}}); },
         {"STATUS", "MIND_STATUS_BUSY", "also generated"}},
        {"ConstantTooBig", [](json& d) { d["constants"][0]["value"] = "0x100000000"; }, {"constant ID_VALUE.value", "32 bits"}},
    };
}

class RegmapRefuses : public ::testing::TestWithParam<Case> {};

TEST_P(RegmapRefuses, NamingTheItem) {
    json d = regs_json();
    GetParam().mutate(d);
    try {
        regmap_parse(d);
        FAIL() << "accepted";
    } catch (const DescriptionError& e) {
        for (const std::string& s : GetParam().expect) EXPECT_NE(std::string(e.what()).find(s), std::string::npos) << e.what();
    }
}

INSTANTIATE_TEST_SUITE_P(Cases, RegmapRefuses, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<Case>& i) { return i.param.name; });

TEST(RegmapGen, RealDescriptionGeneratesTheCheckedInTable) {
    const RegisterMap m = regmap_parse(regs_json());
    EXPECT_EQ(m.prefix, "MIND");
    std::ifstream f(source_dir() + "/docs/registers.md", std::ios::binary);
    std::ostringstream o;
    o << f.rdbuf();
    EXPECT_EQ(regmap_markdown(m), o.str());
    EXPECT_NE(regmap_header(m).find("#define MIND_STATUS_BUSY 0x1u"), std::string::npos);
}

// Found by fuzz_regmap: a number too large for any type was nlohmann's
// out_of_range, which escaped regmap_load's parse_error handler and ended in std::terminate.
TEST(RegmapGen, NumberTooLargeIsRefusedAsInvalidJson) {
    const fs::path f = fs::temp_directory_path() / ("regmap_huge_" + std::to_string(::getpid()) + ".json");
    std::ofstream(f) << "{\"prefiz\": \"X\", \"version\": 333333333333333333333333333E3333533334{\"major\": 1}}";
    try {
        regmap_load(f.string());
        ADD_FAILURE() << "accepted";
    } catch (const DescriptionError& e) {
        EXPECT_NE(std::string(e.what()).find(f.string() + ": not valid JSON"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("number overflow"), std::string::npos) << e.what();
    }
    fs::remove(f);
}

TEST(RegmapGen, BinaryExitsOneAndWritesNothing) {
    const fs::path dir = fs::temp_directory_path() / ("regmap_gen_test_" + std::to_string(::getpid()));
    fs::create_directories(dir);
    json d = regs_json();
    reg(d, "STATUS")["offset"] = "0x008";
    std::ofstream(dir / "bad.json") << d.dump(2);
    const std::string cmd = std::string(REGMAP_GEN) + " " + (dir / "bad.json").string() + " --header " +
                            (dir / "out.h").string() + " --markdown " + (dir / "out.md").string() + " 2>" +
                            (dir / "err.txt").string();
    const int rc = std::system(cmd.c_str());
    EXPECT_TRUE(WIFEXITED(rc) && WEXITSTATUS(rc) == 1) << rc;
    std::ifstream e(dir / "err.txt");
    std::string msg((std::istreambuf_iterator<char>(e)), std::istreambuf_iterator<char>());
    EXPECT_NE(msg.find("bad.json: registers MIND.CONFIG and MIND.STATUS overlap"), std::string::npos) << msg;
    EXPECT_FALSE(fs::exists(dir / "out.h"));
    EXPECT_FALSE(fs::exists(dir / "out.md"));
    fs::remove_all(dir);
}

}  // namespace
