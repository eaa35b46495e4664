#include "output_file.h"

#include <cstdio>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>
#include <unistd.h>

namespace mind1024::host {

namespace fs = std::filesystem;

void ensure_directory(const std::string& dir) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec || !fs::is_directory(dir))
        throw ReportError(fmt::format("cannot create output directory {}: {}", dir, ec ? ec.message() : "not a directory"));
}

void write_file_atomic(const std::string& path, const std::function<void(std::ostream&)>& fill, bool binary) {
    const std::string tmp = fmt::format("{}.tmp.{}", path, ::getpid());
    try {
        std::ofstream f(tmp, binary ? std::ios::binary : std::ios::out);
        if (!f) throw ReportError(fmt::format("cannot open {} for writing", path));
        fill(f);
        f.flush();
        if (!f) throw ReportError(fmt::format("cannot write {} (disk full?)", path));
        f.close();
        std::error_code ec;
        fs::rename(tmp, path, ec);
        if (ec) throw ReportError(fmt::format("cannot move the finished output into {}: {}", path, ec.message()));
    } catch (...) {
        std::remove(tmp.c_str());
        throw;
    }
}

void write_text_atomic(const std::string& path, const std::string& text) {
    write_file_atomic(path, [&](std::ostream& o) { o << text; });
}

}  // namespace mind1024::host
