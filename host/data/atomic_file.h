// AtomicFile: write an output file so that it appears complete or not at all.
// The bytes go to a temporary file in the same directory (same file system);
// commit() flushes, closes and renames it over the final path. If commit() is
// never reached (an exception, an early return) the destructor removes the
// temporary file, so no partial output is ever left under the final name.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

namespace mind1024::host {

class AtomicFile {
public:
    // Creates "<path>.tmp-XXXXXX" next to path; throws DataError if it cannot.
    explicit AtomicFile(std::string path);
    ~AtomicFile();
    AtomicFile(const AtomicFile&) = delete;
    AtomicFile& operator=(const AtomicFile&) = delete;

    void write(const void* data, size_t size);  // throws DataError on a short write
    void write(const std::string& s) { write(s.data(), s.size()); }
    // Flush, fsync, close, rename to the final path. Throws DataError on failure
    // (and removes the temporary file).
    void commit();
    void discard();  // remove the temporary file now (also done by the destructor)

    const std::string& path() const { return path_; }
    const std::string& temp_path() const { return temp_; }
    std::FILE* handle() { return file_; }  // for writers that want a FILE*

private:
    std::string path_, temp_;
    std::FILE* file_ = nullptr;
    bool done_ = false;
};

// Write the whole buffer atomically.
void write_file_atomic(const std::string& path, const std::string& bytes);

// The whole file, checked against max_bytes before anything is allocated; a
// DataError naming it (`what`, e.g. "space file") and the reason (strerror) if not.
std::string read_file_limited(const std::string& path, uint64_t max_bytes, const std::string& what);

}  // namespace mind1024::host
