// Output files that never look complete when they are not: built in memory,
// then written through AtomicFile (host/data), which renames a finished
// temporary into place.
#pragma once
#include <functional>
#include <ostream>
#include <string>

namespace mind1024::host {

// Calls fill(stream) and writes what it produced to `path` atomically.
void write_stream_atomic(const std::string& path, const std::function<void(std::ostream&)>& fill);
void write_text_atomic(const std::string& path, const std::string& text);
// Creates the directory (and parents); a ReportError if it cannot.
void ensure_directory(const std::string& dir);

struct ReportError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

}  // namespace mind1024::host
