// Output files that never look complete when they are not: everything is
// written to a temporary name in the same directory and renamed at the end.
#pragma once
#include <functional>
#include <ostream>
#include <string>

namespace mind1024::host {

// Calls fill(stream), then renames the temporary into `path`. On any error
// the temporary is removed and a ReportError names the file.
void write_file_atomic(const std::string& path, const std::function<void(std::ostream&)>& fill,
                       bool binary = false);
void write_text_atomic(const std::string& path, const std::string& text);
// Creates the directory (and parents); a ReportError if it cannot.
void ensure_directory(const std::string& dir);

struct ReportError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

}  // namespace mind1024::host
