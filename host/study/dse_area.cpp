#include "host/study/dse_area.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include <fmt/format.h>
#include <unistd.h>

#include "host/report/content_hash.h"
#include "host/report/output_file.h"
#include "host/report/subprocess.h"

namespace mind1024::host {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

// A program by name on PATH (execv takes a path).
std::string on_path(const std::string& name) {
    if (name.find('/') != std::string::npos) return name;
    const char* path = std::getenv("PATH");
    std::stringstream ss(path ? path : "/usr/bin:/bin");
    std::string dir;
    while (std::getline(ss, dir, ':'))
        if (!dir.empty() && ::access((dir + "/" + name).c_str(), X_OK) == 0) return dir + "/" + name;
    throw ReportError(fmt::format("{} not found on PATH (Debian's package yosys)", name));
}

std::string read_all(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw ReportError(fmt::format("{}: cannot read", path));
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// Runs one Yosys script; its log in dir/log.txt. ReportError with its last lines on failure.
void yosys(const AreaModel& m, const std::string& script, const std::string& dir, const std::string& what) {
    const ProcessResult r = run_process({on_path("timeout"), std::to_string(m.timeout_seconds), on_path(m.yosys), "-q",
                                         "-p", script},
                                        dir + "/log.txt", false, "");
    if (!r.ok()) {
        std::string tail;
        for (const auto& l : r.tail) tail += "\n  " + l;
        throw ReportError(fmt::format("Yosys on {} failed ({}{}):{}", what, r.describe(),
                                      r.exit_code == 124 ? ", over the time limit" : "", tail));
    }
}

std::string yosys_version(const AreaModel& m) {
    static std::string v;
    if (!v.empty()) return v;
    char tmpl[] = "/tmp/mind1024-yosys-XXXXXX";
    if (!::mkdtemp(tmpl)) throw ReportError("cannot make a temporary directory for Yosys");
    const ProcessResult r = run_process({on_path(m.yosys), "-V"}, std::string(tmpl) + "/v.txt", false, "");
    fs::remove_all(tmpl);
    if (!r.ok() || r.tail.empty()) throw ReportError(fmt::format("{} -V failed ({})", m.yosys, r.describe()));
    return v = r.tail.back();
}

double cells_of(const json& stat, const std::string& top, const char* type) {
    const json& mods = stat.at("modules");
    for (const auto& kv : mods.items())
        if (kv.key() == "\\" + top || kv.key() == top) {
            if (!type) return kv.value().at("num_cells").get<double>();
            const json& by = kv.value().at("num_cells_by_type");
            return by.contains(type) ? by[type].get<double>() : 0.0;
        }
    throw ReportError(fmt::format("Yosys's statistics name no module {}", top));
}

}  // namespace

AreaModel default_area_model(const std::string& cache_dir) {
    AreaModel m;
    m.rtl_dir = MIND1024_RTL_DIR;
    m.cache_dir = cache_dir;
    return m;
}

json LogicArea::json() const {
    return {{"cells", cells}, {"lut4", lut4}, {"transistors", transistors}, {"yosys_seconds", seconds}, {"cached", cached}};
}

LogicArea LogicArea::from_json(const nlohmann::json& j) {
    LogicArea a;
    a.cells = j.at("cells"), a.lut4 = j.at("lut4"), a.transistors = j.at("transistors");
    a.seconds = j.value("yosys_seconds", 0.0), a.cached = j.value("cached", false);
    return a;
}

LogicArea synth_area(const AreaModel& m, const std::string& top, const std::string& chparams) {
    const std::string sources = m.rtl_dir + "/neuron_unit.v " + m.rtl_dir + "/lfsr32.v";
    const std::string read = fmt::format("read_verilog -sv {}; hierarchy -check -top {} {}; ", sources, top, chparams);
    const json key = {{"format", 1},
                      {"top", top},
                      {"chparams", chparams},
                      {"yosys", yosys_version(m)},
                      {"neuron_unit.v", sha256_file(m.rtl_dir + "/neuron_unit.v")},
                      {"lfsr32.v", sha256_file(m.rtl_dir + "/lfsr32.v")}};
    const std::string name = sha256_hex(key.dump()).substr(0, 16);
    const std::string entry = m.cache_dir.empty() ? "" : m.cache_dir + "/area/" + top + "-" + name + ".json";
    if (!entry.empty() && fs::exists(entry)) {
        try {
            const json j = json::parse(read_all(entry));
            if (j.at("key") == key) {
                LogicArea a;
                a.cells = j.at("cells"), a.lut4 = j.at("lut4"), a.transistors = j.at("transistors");
                a.cached = true;
                return a;
            }
        } catch (const json::exception&) {
            // a damaged entry is made again
        }
    }
    char tmpl[] = "/tmp/mind1024-area-XXXXXX";
    if (!::mkdtemp(tmpl)) throw ReportError("cannot make a temporary directory for Yosys");
    const std::string dir = tmpl, what = fmt::format("{} {}", top, chparams);
    LogicArea a;
    try {
        const auto t0 = std::chrono::steady_clock::now();
        yosys(m, read + fmt::format("synth -top {}; tee -q -o {}/g.json stat -json; tee -q -o {}/c.txt stat -tech cmos",
                                    top, dir, dir), dir, what);
        yosys(m, read + fmt::format("synth_ice40 -top {}; tee -q -o {}/i.json stat -json", top, dir), dir, what);
        a.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        a.cells = cells_of(json::parse(read_all(dir + "/g.json")), top, nullptr);
        a.lut4 = cells_of(json::parse(read_all(dir + "/i.json")), top, "SB_LUT4");
        std::smatch mt;
        const std::string cmos = read_all(dir + "/c.txt");
        if (!std::regex_search(cmos, mt, std::regex("Estimated number of transistors:\\s*([0-9]+)")))
            throw ReportError(fmt::format("Yosys on {}: no transistor estimate in `stat -tech cmos`", what));
        a.transistors = std::stod(mt[1]);
    } catch (const json::exception& e) {
        fs::remove_all(dir);
        throw ReportError(fmt::format("Yosys on {}: unreadable statistics: {}", what, e.what()));
    } catch (...) {
        fs::remove_all(dir);
        throw;
    }
    fs::remove_all(dir);
    if (!entry.empty()) {
        ensure_directory(m.cache_dir + "/area");
        json j = {{"key", key}, {"cells", a.cells}, {"lut4", a.lut4}, {"transistors", a.transistors},
                  {"yosys_seconds", a.seconds}};
        write_text_atomic(entry, j.dump(1) + "\n");
    }
    return a;
}

LogicArea datapath_area(const AreaModel& m, uint32_t wbits, uint32_t abits, uint32_t lanes) {
    LogicArea nu = synth_area(m, "neuron_unit",
                              fmt::format("-chparam WBITS {} -chparam ABITS {} -chparam LANES {}", wbits, abits, lanes));
    const LogicArea lfsr = synth_area(m, "lfsr32", "");
    nu.cells += lfsr.cells, nu.lut4 += lfsr.lut4, nu.transistors += lfsr.transistors;
    nu.seconds += lfsr.seconds;
    nu.cached = nu.cached && lfsr.cached;
    return nu;
}

uint64_t chip_memory_bits(const ChipParams& p) {
    const uint64_t n = p.n_max;
    return n * n * p.stored_word_bits() + n * p.abits + 2 * n;  // synapse words with their check bits
}

}  // namespace mind1024::host
