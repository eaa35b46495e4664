#include "host/data/atomic_file.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "host/data/data_error.h"

namespace mind1024::host {

AtomicFile::AtomicFile(std::string path) : path_(std::move(path)) {
    if (path_.empty()) throw DataError("output file: empty path");
    std::string templ = path_ + ".tmp-XXXXXX";
    int fd = ::mkstemp(templ.data());
    if (fd < 0)
        throw DataError(fmt::format("{}: cannot create a temporary file next to it: {}", path_,
                                    std::strerror(errno)));
    temp_ = templ;
    // mkstemp makes the file 0600; give it the usual 0666 & ~umask.
    const mode_t mask = ::umask(0);
    ::umask(mask);
    (void)::fchmod(fd, 0666 & ~mask);
    file_ = ::fdopen(fd, "wb");
    if (!file_) {
        int e = errno;
        ::close(fd);
        ::unlink(temp_.c_str());
        throw DataError(fmt::format("{}: cannot open the temporary file: {}", path_, std::strerror(e)));
    }
}

AtomicFile::~AtomicFile() { discard(); }

void AtomicFile::discard() {
    if (done_) return;
    done_ = true;
    if (file_) std::fclose(file_);
    file_ = nullptr;
    if (!temp_.empty()) ::unlink(temp_.c_str());
}

void AtomicFile::write(const void* data, size_t size) {
    if (done_ || !file_) throw DataError(fmt::format("{}: write after commit or discard", path_));
    if (size == 0) return;
    if (std::fwrite(data, 1, size, file_) != size) {
        int e = errno;
        discard();
        throw DataError(fmt::format("{}: write failed: {}", path_, std::strerror(e)));
    }
}

void AtomicFile::commit() {
    if (done_ || !file_) throw DataError(fmt::format("{}: commit after commit or discard", path_));
    bool ok = std::fflush(file_) == 0;
    int e = ok ? 0 : errno;
    if (ok && ::fsync(::fileno(file_)) != 0) { ok = false; e = errno; }
    if (std::fclose(file_) != 0 && ok) { ok = false; e = errno; }
    file_ = nullptr;
    if (ok && std::rename(temp_.c_str(), path_.c_str()) != 0) { ok = false; e = errno; }
    if (!ok) {
        ::unlink(temp_.c_str());
        done_ = true;
        throw DataError(fmt::format("{}: cannot complete the file: {}", path_, std::strerror(e)));
    }
    done_ = true;
}

void write_file_atomic(const std::string& path, const std::string& bytes) {
    AtomicFile f(path);
    f.write(bytes);
    f.commit();
}

std::string read_file_limited(const std::string& path, uint64_t max_bytes, const std::string& what) {
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) throw DataError(fmt::format("{} {}: cannot open it: {}", what, path, std::strerror(errno)));
    struct stat st {};
    if (::fstat(::fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        std::fclose(f);
        throw DataError(fmt::format("{} {}: not a regular file", what, path));
    }
    if (static_cast<uint64_t>(st.st_size) > max_bytes) {
        std::fclose(f);
        throw DataError(fmt::format("{} {}: {} bytes, more than the {} a {} may have", what, path,
                                    static_cast<uint64_t>(st.st_size), max_bytes, what));
    }
    std::string text(static_cast<size_t>(st.st_size), '\0');
    const size_t got = std::fread(text.data(), 1, text.size(), f);
    const bool bad = std::ferror(f);
    const int e = errno;
    std::fclose(f);
    if (bad) throw DataError(fmt::format("{} {}: cannot read it: {}", what, path, std::strerror(e)));
    text.resize(got);
    return text;
}

}  // namespace mind1024::host
