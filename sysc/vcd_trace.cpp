#include "sysc/vcd_trace.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

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
    std::FILE* f = std::fopen(gtkw.c_str(), "w");
    const std::string text = out.str();
    bool ok = f && std::fwrite(text.data(), 1, text.size(), f) == text.size() && std::fflush(f) == 0;
    int e = errno;
    if (f && std::fclose(f) != 0 && ok) {
        ok = false;
        e = errno;
    }
    if (!ok) {
        std::remove(gtkw.c_str());
        throw VcdError(fmt::format("GTKWave layout {}: cannot write it: {}", gtkw, std::strerror(e)));
    }
    std::fprintf(stderr, "[board] GTKWave layout written to %s (gtkwave %s)\n", gtkw.c_str(), gtkw.c_str());
}
}  // namespace

VcdTrace::VcdTrace(const std::string& path) : final_(path) {
    const std::string ext = ".vcd";
    if (path.size() <= ext.size() || path.compare(path.size() - ext.size(), ext.size(), ext) != 0)
        throw VcdError(fmt::format("VCD trace '{}': the file name must end in .vcd", path));
    partial_ = path.substr(0, path.size() - ext.size()) + ".partial.vcd";
    const std::filesystem::path parent = std::filesystem::path(path).parent_path();
    std::error_code ec;
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
    out_fd_ = ::open(partial_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (out_fd_ < 0)
        throw VcdError(fmt::format("VCD trace '{}': cannot create {}: {}", path, partial_, std::strerror(errno)));
    // The FIFO SystemC writes into, in a private directory (SystemC appends ".vcd").
    const char* tmp = std::getenv("TMPDIR");
    std::string templ = std::string(tmp && *tmp ? tmp : "/tmp") + "/mind1024-vcd-XXXXXX";
    auto fail = [&](const std::string& what) {
        const int e = errno;
        ::close(out_fd_);
        out_fd_ = -1;
        std::remove(partial_.c_str());
        if (!fifo_base_.empty()) std::remove((fifo_base_ + ".vcd").c_str());
        if (!fifo_dir_.empty()) ::rmdir(fifo_dir_.c_str());
        return VcdError(fmt::format("VCD trace '{}': {}: {}", path, what, std::strerror(e)));
    };
    if (!::mkdtemp(templ.data())) throw fail("cannot make a directory for its FIFO under " + templ);
    fifo_dir_ = templ;
    fifo_base_ = fifo_dir_ + "/trace";
    const std::string fifo = fifo_base_ + ".vcd";
    if (::mkfifo(fifo.c_str(), 0600) != 0) throw fail("mkfifo " + fifo);
    // Reader first (non-blocking, or it would wait for a writer), then a writer of our
    // own so the reader sees no end of file before SystemC opens and closes the FIFO.
    fifo_read_ = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fifo_read_ < 0) throw fail("open " + fifo);
    fifo_hold_ = ::open(fifo.c_str(), O_WRONLY | O_CLOEXEC);
    if (fifo_hold_ < 0) throw fail("open " + fifo);
    ::fcntl(fifo_read_, F_SETFL, ::fcntl(fifo_read_, F_GETFL) & ~O_NONBLOCK);
    copier_ = std::thread([this] { copy(); });
}

VcdTrace::~VcdTrace() {
    try {
        finish(false);
    } catch (...) {
    }
}

void VcdTrace::copy() {
    std::vector<char> buf(1 << 16);
    for (;;) {
        const ssize_t n = ::read(fifo_read_, buf.data(), buf.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            if (!write_errno_) write_errno_ = errno;
            return;
        }
        if (n == 0) return;
        if (write_errno_) continue;  // drain on, so SystemC never blocks on a full pipe
        for (ssize_t off = 0; off < n;) {
            const ssize_t w = ::write(out_fd_, buf.data() + off, static_cast<size_t>(n - off));
            if (w < 0 && errno == EINTR) continue;
            if (w < 0) {
                write_errno_ = errno;
                break;
            }
            off += w;
            bytes_ += static_cast<uint64_t>(w);
        }
    }
}

sc_core::sc_trace_file* VcdTrace::file() {
    if (!tf_) {
        // SystemC announces the timescale on stdout; the commands keep stdout for results.
        sc_core::sc_report_handler::set_actions("tracing timescale unit set", sc_core::SC_DO_NOTHING);
        tf_ = sc_core::sc_create_vcd_trace_file(fifo_base_.c_str());
        tf_->set_time_unit(1, sc_core::SC_NS);
    }
    return tf_;
}

void VcdTrace::finish(bool complete) {
    if (final_.empty()) return;
    if (tf_) {
        sc_core::sc_close_vcd_trace_file(tf_);  // SystemC flushes and closes its end of the FIFO
        tf_ = nullptr;
    }
    if (fifo_hold_ >= 0) ::close(fifo_hold_);
    fifo_hold_ = -1;
    if (copier_.joinable()) copier_.join();
    if (fifo_read_ >= 0) ::close(fifo_read_);
    fifo_read_ = -1;
    std::remove((fifo_base_ + ".vcd").c_str());
    ::rmdir(fifo_dir_.c_str());
    int e = write_errno_;
    if (!e && complete && ::fsync(out_fd_) != 0 && errno != EINVAL) e = errno;
    if (::close(out_fd_) != 0 && !e && complete) e = errno;
    out_fd_ = -1;
    const std::string path = final_;
    final_.clear();
    if (!complete) {
        std::remove(partial_.c_str());
        return;
    }
    if (e) {
        std::remove(partial_.c_str());
        throw VcdError(fmt::format("VCD trace {}: cannot write it: {} (after {} bytes); the cut trace was removed",
                                   path, std::strerror(e), bytes_));
    }
    if (std::rename(partial_.c_str(), path.c_str()) != 0) {
        e = errno;
        std::remove(partial_.c_str());
        throw VcdError(fmt::format("VCD trace {}: cannot rename {} to it: {}", path, partial_, std::strerror(e)));
    }
    std::fprintf(stderr, "[board] VCD trace written to %s (%llu bytes)\n", path.c_str(),
                 static_cast<unsigned long long>(bytes_));
    write_layout(path);
}

}  // namespace mind1024::sysc
