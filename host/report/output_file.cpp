#include "host/report/output_file.h"

#include <atomic>
#include <cerrno>
#include <cstring>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdio>
#include <mutex>

#include <fmt/format.h>

#include "host/data/atomic_file.h"

namespace mind1024::host {

namespace fs = std::filesystem;

void ensure_directory(const std::string& dir) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec || !fs::is_directory(dir))
        throw ReportError(fmt::format("cannot create output directory {}: {}", dir, ec ? ec.message() : "not a directory"));
}

namespace {
bool is_dir(const fs::path& p) {
    std::error_code ec;
    return fs::is_directory(p, ec);
}
bool exists_at_all(const fs::path& p) {
    std::error_code ec;
    return fs::exists(fs::symlink_status(p, ec));
}
}  // namespace

void check_output_dir(const std::string& dir, const std::vector<std::string>& names) {
    if (dir.empty()) throw ReportError("output directory: an empty name");
    const fs::path p = fs::path(dir).lexically_normal();
    if (exists_at_all(p)) {
        if (!is_dir(p)) throw ReportError(fmt::format("output directory {}: exists and is not a directory; nothing was done", dir));
        if (::access(p.c_str(), W_OK | X_OK) != 0)
            throw ReportError(fmt::format("output directory {}: cannot write into it ({}); nothing was done", dir,
                                          std::strerror(errno)));
        for (const std::string& n : names)
            if (is_dir(p / n))
                throw ReportError(fmt::format("{}: is a directory, cannot put the output file there; nothing was done",
                                              (p / n).string()));
        return;
    }
    // The nearest ancestor that exists must be a directory we may create entries in.
    fs::path a = p.has_parent_path() ? p.parent_path() : fs::path(".");
    while (!a.empty() && !exists_at_all(a)) a = a.has_parent_path() && a.parent_path() != a ? a.parent_path() : fs::path();
    if (a.empty()) a = fs::path(dir).is_absolute() ? fs::path("/") : fs::path(".");
    if (!is_dir(a))
        throw ReportError(fmt::format("cannot create output directory {}: {} is not a directory; nothing was done", dir,
                                      a.string()));
    if (::access(a.c_str(), W_OK | X_OK) != 0)
        throw ReportError(fmt::format("cannot create output directory {}: cannot write into {} ({}); nothing was done",
                                      dir, a.string(), std::strerror(errno)));
}

void check_output_file(const std::string& path) {
    if (path.empty()) throw ReportError("output file: an empty name");
    const fs::path p(path);
    if (is_dir(p)) throw ReportError(fmt::format("{}: is a directory, cannot write the output file there; nothing was done", path));
    try {
        check_output_dir(p.has_parent_path() ? p.parent_path().string() : std::string("."));
    } catch (const ReportError& e) {
        throw ReportError(fmt::format("cannot write the output file {}: {}", path, e.what()));
    }
}

void write_stream_atomic(const std::string& path, const std::function<void(std::ostream&)>& fill) {
    std::ostringstream text;
    fill(text);
    write_file_atomic(path, text.str());
}

void write_text_atomic(const std::string& path, const std::string& text) { write_file_atomic(path, text); }

namespace {

// ---- staging directories removed by SIGINT/SIGTERM/SIGHUP (async-signal-safe:
// raw system calls over fixed buffers; a staging directory holds only files).
constexpr int kSlots = 8;
char g_staging[kSlots][4096];
std::atomic<bool> g_used[kSlots];
pid_t g_owner[kSlots];  // a forked child that inherits the handler must not remove its parent's staging

void remove_flat_dir(const char* path) {
    const int fd = ::open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;
    alignas(8) char buf[4096];
    for (;;) {
        const long n = ::syscall(SYS_getdents64, fd, buf, sizeof buf);
        if (n <= 0) break;
        for (long off = 0; off < n;) {
            struct Dirent64 {
                uint64_t ino;
                int64_t off;
                unsigned short reclen;
                unsigned char type;
                char name[1];
            };
            const auto* d = reinterpret_cast<const Dirent64*>(buf + off);
            const char* nm = d->name;
            if (!(nm[0] == '.' && (nm[1] == 0 || (nm[1] == '.' && nm[2] == 0)))) ::unlinkat(fd, nm, 0);
            off += d->reclen;
        }
    }
    ::close(fd);
    ::rmdir(path);
}

extern "C" void staging_signal_handler(int sig) {
    for (int i = 0; i < kSlots; ++i)
        if (g_used[i].load() && g_owner[i] == ::getpid()) remove_flat_dir(g_staging[i]);
    ::signal(sig, SIG_DFL);
    ::raise(sig);
}

void install_staging_handlers() {
    static std::once_flag once;
    std::call_once(once, [] {
        for (int sig : {SIGINT, SIGTERM, SIGHUP}) {
            struct sigaction old {};
            ::sigaction(sig, nullptr, &old);
            if (old.sa_handler != SIG_DFL) continue;  // someone else's: leave it
            struct sigaction sa {};
            sa.sa_handler = staging_signal_handler;
            sigemptyset(&sa.sa_mask);
            ::sigaction(sig, &sa, nullptr);
        }
    });
}

int register_staging(const std::string& path) {
    if (path.size() >= sizeof g_staging[0]) return -1;
    for (int i = 0; i < kSlots; ++i) {
        if (g_used[i].load()) continue;
        std::memcpy(g_staging[i], path.c_str(), path.size() + 1);
        g_owner[i] = ::getpid();
        g_used[i] = true;
        return i;
    }
    return -1;
}

// Holds off the signals that would interrupt a publish half-way.
struct HoldSignals {
    sigset_t old;
    HoldSignals() {
        sigset_t s;
        sigemptyset(&s);
        for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT}) sigaddset(&s, sig);
        ::pthread_sigmask(SIG_BLOCK, &s, &old);
    }
    ~HoldSignals() { ::pthread_sigmask(SIG_SETMASK, &old, nullptr); }
};

// The names a manifest lists (plain names only).
std::vector<std::string> manifest_names(const fs::path& manifest) {
    std::vector<std::string> names;
    std::error_code ec;
    if (!fs::is_regular_file(manifest, ec)) return names;
    std::ifstream f(manifest);
    const nlohmann::json m = nlohmann::json::parse(f, nullptr, false);
    if (!m.is_object() || !m.contains("files") || !m["files"].is_array()) return names;
    for (const auto& e : m["files"]) {
        if (!e.is_object() || !e.contains("name") || !e["name"].is_string()) continue;
        const std::string n = e["name"].get<std::string>();
        if (n.empty() || n.find('/') != std::string::npos || n == "." || n == ".." || n == OutputSet::kManifest)
            continue;
        names.push_back(n);
    }
    return names;
}

// Completes a committed publish: dir/.publishing holds the new files and their
// manifest. Files first, then the old run's files the new manifest does not name
// are removed, the manifest last. Returns the stale names removed.
std::vector<std::string> roll_forward(const fs::path& dir) {
    const fs::path pub = dir / OutputSet::kPublishing;
    const std::vector<std::string> fresh = manifest_names(pub / OutputSet::kManifest);
    std::error_code ec;
    for (const std::string& n : fresh) {
        if (!fs::exists(fs::symlink_status(pub / n, ec))) continue;  // moved before an interruption
        fs::rename(pub / n, dir / n, ec);
        if (ec)
            throw ReportError(fmt::format("{}: cannot put the output file there: {} (the rest of this run's files wait "
                                          "in {}; the next run into {} puts them in place)",
                                          (dir / n).string(), ec.message(), pub.string(), dir.string()));
    }
    std::vector<std::string> removed;
    for (const std::string& n : manifest_names(dir / OutputSet::kManifest)) {
        if (std::find(fresh.begin(), fresh.end(), n) != fresh.end()) continue;
        const fs::path stale = dir / n;
        if (fs::is_regular_file(fs::symlink_status(stale, ec)) && fs::remove(stale, ec)) removed.push_back(n);
    }
    if (fs::exists(pub / OutputSet::kManifest, ec)) {
        fs::rename(pub / OutputSet::kManifest, dir / OutputSet::kManifest, ec);
        if (ec)
            throw ReportError(fmt::format("{}: cannot put the manifest there: {}", (dir / OutputSet::kManifest).string(),
                                          ec.message()));
    }
    fs::remove_all(pub, ec);
    return removed;
}

}  // namespace

OutputSet::OutputSet(std::string dir) : dir_(std::move(dir)) {
    ensure_directory(dir_);
    const fs::path d(dir_);
    // The lock is on the directory itself (flock works on a directory's descriptor): no file to leave behind.
    const std::string lock = dir_;
    lock_fd_ = ::open(lock.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (lock_fd_ < 0) throw ReportError(fmt::format("{}: cannot open the directory to lock it: {}", lock, std::strerror(errno)));
    if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
        std::fprintf(stderr, "waiting for another run to finish writing into %s\n", dir_.c_str());
        int r;
        while ((r = ::flock(lock_fd_, LOCK_EX)) != 0 && errno == EINTR) {
        }
        if (r != 0) {
            const int e = errno;
            ::close(lock_fd_);
            throw ReportError(fmt::format("{}: cannot lock: {}", lock, std::strerror(e)));
        }
    }
    // Under the lock no other run is staging or publishing here: what is left was killed.
    std::error_code ec;
    std::vector<std::string> cleaned;
    if (fs::is_directory(d / kPublishing, ec)) {
        roll_forward(d);
        cleaned.push_back(std::string("completed the publish of a run killed while publishing (") + kPublishing + ")");
    }
    for (const auto& e : fs::directory_iterator(d, ec)) {
        const std::string n = e.path().filename().string();
        if (n.rfind(".partial-", 0) == 0 && e.is_directory(ec)) {
            fs::remove_all(e.path(), ec);
            cleaned.push_back("removed " + n + " (left by a killed run)");
        }
    }
    for (const std::string& c : cleaned) recovered_ += (recovered_.empty() ? "" : "; ") + c;
    if (!recovered_.empty()) std::fprintf(stderr, "%s: %s\n", dir_.c_str(), recovered_.c_str());
    static std::atomic<unsigned> serial{0};
    staging_ = (d / fmt::format(".partial-{}-{}", ::getpid(), serial++)).string();
    fs::create_directory(staging_, ec);
    if (ec) {
        ::close(lock_fd_);
        throw ReportError(fmt::format("cannot create staging directory {}: {}", staging_, ec.message()));
    }
    install_staging_handlers();
    slot_ = register_staging(staging_);
}

OutputSet::~OutputSet() {
    if (slot_ >= 0) g_used[slot_] = false;
    std::error_code ec;
    fs::remove_all(staging_, ec);
    if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the lock
}

std::string OutputSet::path(const std::string& name) {
    if (name.empty() || name.find('/') != std::string::npos || name == kManifest)
        throw ReportError(fmt::format("output name '{}' must be a plain file name", name));
    if (std::find(names_.begin(), names_.end(), name) == names_.end()) names_.push_back(name);
    return (fs::path(staging_) / name).string();
}

void OutputSet::publish(const nlohmann::json& about) {
    const fs::path dir(dir_), staged_dir(staging_);
    std::error_code ec;
    nlohmann::json files = nlohmann::json::array();
    for (const std::string& n : names_) {
        const fs::path staged = staged_dir / n, target = dir / n;
        if (!fs::is_regular_file(staged))
            throw ReportError(fmt::format("{}: was not written (internal error), nothing published", target.string()));
        if (fs::is_directory(target))
            throw ReportError(fmt::format("{}: is a directory, cannot put the output file there; nothing written", target.string()));
        files.push_back({{"name", n}, {"bytes", fs::file_size(staged, ec)}});
    }
    nlohmann::json m = about.is_object() ? about : nlohmann::json::object();
    m["files"] = files;
    write_text_atomic((staged_dir / kManifest).string(), m.dump(2) + "\n");  // a DataError names it and the reason
    {
        const HoldSignals hold;  // the commit and the moves happen whole, or (SIGKILL) are completed by the next run
        fs::rename(staged_dir, dir / kPublishing, ec);
        if (ec)
            throw ReportError(fmt::format("{}: cannot commit this run's files: {}; nothing published",
                                          (dir / kPublishing).string(), ec.message()));
        if (slot_ >= 0) g_used[slot_] = false;
        removed_ = roll_forward(dir);
    }
}

}  // namespace mind1024::host
