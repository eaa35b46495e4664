// libFuzzer harness for the register-map generator (sysc/regmap/regmap_lib.h,
// what regmap_gen runs): the input is written to a file, loaded as regmap_gen
// loads it, and turned into the C header and the markdown table. A bad
// description must end in a std::exception (regmap_gen's message and exit 1);
// crashes, sanitizer reports (undefined behaviour included) and leaks are
// findings. Seeds: tests/fuzz/corpus/regmap/ (the real map and small variants).
#include <exception>
#include <string>

#include "fuzz_common.h"
#include "regmap_lib.h"

using namespace mind1024::regmap;
using namespace mind1024::fuzz;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string& path = temp_path("regmap");
    write_file(path, data, size);
    try {
        const json d = regmap_load(path);
        try {
            check(!regmap_header(d).empty(), "empty header");
        } catch (const std::exception& e) {
            check(e.what() != nullptr, "exception");
        }
        try {
            check(!regmap_markdown(d).empty(), "empty markdown");
        } catch (const std::exception&) {
        }
    } catch (const std::exception&) {
    }
    return 0;
}
