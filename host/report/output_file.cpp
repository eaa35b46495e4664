#include "output_file.h"

#include <filesystem>
#include <sstream>

#include <fmt/format.h>

#include "atomic_file.h"

namespace mind1024::host {

namespace fs = std::filesystem;

void ensure_directory(const std::string& dir) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec || !fs::is_directory(dir))
        throw ReportError(fmt::format("cannot create output directory {}: {}", dir, ec ? ec.message() : "not a directory"));
}

void write_stream_atomic(const std::string& path, const std::function<void(std::ostream&)>& fill) {
    std::ostringstream text;
    fill(text);
    write_file_atomic(path, text.str());
}

void write_text_atomic(const std::string& path, const std::string& text) { write_file_atomic(path, text); }

}  // namespace mind1024::host
