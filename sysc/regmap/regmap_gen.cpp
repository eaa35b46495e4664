// regmap_gen: turns the one register description (mind1024_regs.json) into
// the C header used by firmware, the host and the SystemC decoder, and into
// docs/registers.md. Usage: regmap_gen JSON --header OUT.h --markdown OUT.md
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <string>

#include "sysc/regmap/regmap_lib.h"

using namespace mind1024::regmap;

int main(int argc, char** argv) {
    std::string in, hdr, md;
    try {
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
        // Everything checked and generated in memory first: a bad description writes nothing.
        const RegisterMap m = regmap_parse(regmap_load(in));
        const std::string header = regmap_header(m), markdown = regmap_markdown(m);
        if (!hdr.empty()) regmap_write(hdr, header);
        if (!md.empty()) regmap_write(md, markdown);
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "regmap_gen: " << (in.empty() ? "" : in + ": ") << e.what() << "\n";
        return 1;
    }
}
