// libFuzzer harness for the register-map generator (sysc/regmap/regmap_lib.h,
// what regmap_gen runs): the input is written to a file, loaded as regmap_gen
// loads it, and turned into the C header and the markdown table. A bad
// description must end in DescriptionError (regmap_gen's message, exit 1) and
// an accepted one must generate without any exception;
// crashes, sanitizer reports (undefined behaviour included) and leaks are
// findings. Seeds: tests/fuzz/corpus/regmap/ (the real map and small variants).
#include <exception>
#include <string>

#include "tests/fuzz/fuzz_common.h"
#include "sysc/regmap/regmap_lib.h"

using namespace mind1024::regmap;
using namespace mind1024::fuzz;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string& path = temp_path("regmap");
    write_file(path, data, size);
    RegisterMap m;
    try {
        m = regmap_parse(regmap_load(path));
    } catch (const mind1024::regdesc::DescriptionError&) {
        return 0;  // refused with a message: what regmap_gen prints
    }
    // A description the checks let through must generate without any exception.
    check(!regmap_header(m).empty(), "empty header");
    check(!regmap_markdown(m).empty(), "empty markdown");
    return 0;
}
