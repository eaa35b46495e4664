#include "sysc/vcd_trace.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include <fmt/format.h>

namespace mind1024::sysc {

namespace {
// A GTKWave save file beside the trace: every signal, grouped by module,
// bits in binary and words in decimal, so the trace opens laid out.
void write_layout(const std::string& vcd_path) {
    std::ifstream in(vcd_path);
    std::vector<std::string> scope;
    std::ostringstream out;
    out << "[dumpfile] \"" << std::filesystem::absolute(vcd_path).string() << "\"\n";
    std::string line, group;
    while (std::getline(in, line)) {
        std::istringstream l(line);
        std::string w;
        l >> w;
        if (w == "$scope") {
            std::string kind, name;
            l >> kind >> name;
            scope.push_back(name);
        } else if (w == "$upscope") {
            if (!scope.empty()) scope.pop_back();
        } else if (w == "$var") {
            std::string type, width, code, name, range;
            l >> type >> width >> code >> name >> range;
            std::string path;
            for (const auto& s : scope) path += s + ".";
            const std::string module = scope.empty() ? "" : scope.back();
            if (module != group) {
                out << "@200\n-" << module << "\n";
                group = module;
            }
            if (width == "1") out << "@28\n" << path << name << "\n";
            else out << "@24\n" << path << name << (range.rfind("[", 0) == 0 ? range : "") << "\n";
        } else if (w == "$enddefinitions") {
            break;
        }
    }
    const std::string gtkw = vcd_path.substr(0, vcd_path.size() - 4) + ".gtkw";
    std::ofstream f(gtkw);
    f << out.str();
    if (f.flush()) std::fprintf(stderr, "[board] GTKWave layout written to %s (gtkwave %s)\n", gtkw.c_str(), gtkw.c_str());
}
}  // namespace

VcdTrace::VcdTrace(const std::string& path) : final_(path) {
    const std::string ext = ".vcd";
    if (path.size() <= ext.size() || path.compare(path.size() - ext.size(), ext.size(), ext) != 0)
        throw VcdError(fmt::format("VCD trace '{}': the file name must end in .vcd", path));
    partial_base_ = path.substr(0, path.size() - ext.size()) + ".partial";  // SystemC appends ".vcd"
    partial_ = partial_base_ + ext;
    const std::filesystem::path parent = std::filesystem::path(path).parent_path();
    std::error_code ec;
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
    // Open it here first: SystemC reports a file it cannot open and then fails on close.
    std::FILE* f = std::fopen(partial_.c_str(), "w");
    if (!f) throw VcdError(fmt::format("VCD trace '{}': cannot create {}: {}", path, partial_, std::strerror(errno)));
    std::fclose(f);
}

sc_core::sc_trace_file* VcdTrace::file() {
    if (!tf_) {
        // SystemC announces the timescale on stdout; the commands keep stdout for results.
        sc_core::sc_report_handler::set_actions("tracing timescale unit set", sc_core::SC_DO_NOTHING);
        tf_ = sc_core::sc_create_vcd_trace_file(partial_base_.c_str());
        tf_->set_time_unit(1, sc_core::SC_NS);
    }
    return tf_;
}

void VcdTrace::finish(bool complete) {
    if (final_.empty()) return;
    if (tf_) {
        sc_core::sc_close_vcd_trace_file(tf_);
        tf_ = nullptr;
    }
    if (!complete) {
        std::remove(partial_.c_str());
    } else if (std::rename(partial_.c_str(), final_.c_str()) == 0) {
        std::fprintf(stderr, "[board] VCD trace written to %s\n", final_.c_str());
        write_layout(final_);
    } else {
        std::fprintf(stderr, "[board] cannot rename %s to %s: %s\n", partial_.c_str(), final_.c_str(),
                     std::strerror(errno));
        std::remove(partial_.c_str());
    }
    final_.clear();
}

}  // namespace mind1024::sysc
