#include "vcd_trace.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include <fmt/format.h>

namespace mind1024::sysc {

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
    } else {
        std::fprintf(stderr, "[board] cannot rename %s to %s: %s\n", partial_.c_str(), final_.c_str(),
                     std::strerror(errno));
        std::remove(partial_.c_str());
    }
    final_.clear();
}

}  // namespace mind1024::sysc
