#include "sysc/board/semihost.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <stdexcept>

#include <fmt/format.h>

namespace mind1024::board {

namespace {
enum : uint32_t {
    kOpen = 0x01, kClose = 0x02, kWriteC = 0x03, kWrite0 = 0x04, kWrite = 0x05, kRead = 0x06, kReadC = 0x07,
    kIsError = 0x08, kIsTty = 0x09, kSeek = 0x0A, kFlen = 0x0C, kTmpnam = 0x0D, kRemove = 0x0E, kRename = 0x0F,
    kClock = 0x10, kTime = 0x11, kSystem = 0x12, kErrno = 0x13, kGetCmdline = 0x15, kHeapInfo = 0x16, kExit = 0x18,
    kExitExtended = 0x20, kElapsed = 0x30, kTickFreq = 0x31,
};
constexpr uint32_t kAppExit = 0x20026;  // ADP_Stopped_ApplicationExit
constexpr int kStdin = -1, kStdout = -2, kStderr = -3, kFeatures = -4;
// ":semihosting-features": the magic, then SH_EXT_EXIT_EXTENDED | SH_EXT_STDOUT_STDERR.
constexpr unsigned char kFeatureBytes[] = {'S', 'H', 'F', 'B', 0x03};
constexpr uint32_t kFail = 0xFFFFFFFFu;
}  // namespace

std::string Semihost::op_name(uint32_t op) {
    switch (op) {
        case kOpen: return "SYS_OPEN";
        case kClose: return "SYS_CLOSE";
        case kWriteC: return "SYS_WRITEC";
        case kWrite0: return "SYS_WRITE0";
        case kWrite: return "SYS_WRITE";
        case kRead: return "SYS_READ";
        case kReadC: return "SYS_READC";
        case kIsError: return "SYS_ISERROR";
        case kIsTty: return "SYS_ISTTY";
        case kSeek: return "SYS_SEEK";
        case kFlen: return "SYS_FLEN";
        case kRemove: return "SYS_REMOVE";
        case kClock: return "SYS_CLOCK";
        case kTime: return "SYS_TIME";
        case kErrno: return "SYS_ERRNO";
        case kExit: return "SYS_EXIT";
        case kExitExtended: return "SYS_EXIT_EXTENDED";
        default: return fmt::format("semihosting operation 0x{:02X}", op);
    }
}

Semihost::Semihost(std::string root, ReadMem read, WriteMem write) : read_(std::move(read)), write_(std::move(write)) {
    if (!root.empty()) {
        char buf[PATH_MAX];
        struct stat st {};
        if (!realpath(root.c_str(), buf) || stat(buf, &st) != 0 || !S_ISDIR(st.st_mode))
            throw std::invalid_argument(fmt::format("--semihost-root {}: not a directory", root));
        root_ = buf;
    }
}

Semihost::~Semihost() {
    for (auto& [h, fd] : handles_)
        if (fd >= 0) ::close(fd);
}

bool Semihost::words(uint32_t addr, uint32_t* w, unsigned n) { return read_(addr, w, 4 * n); }

std::optional<std::string> Semihost::guest_string(uint32_t addr, uint32_t len) {
    if (len > 4096) return std::nullopt;
    std::string s(len, '\0');
    if (len && !read_(addr, s.data(), len)) return std::nullopt;
    return s;
}

int Semihost::open_file(const std::string& name, uint32_t mode) {
    // Inside the granted directory only.
    if (root_.empty()) {
        errno_ = EACCES;
        return -1;
    }
    if (name.empty() || name[0] == '/' || name.find('\0') != std::string::npos) {
        errno_ = EACCES;
        return -1;
    }
    for (size_t start = 0; start <= name.size();) {
        const size_t end = std::min(name.find('/', start), name.size());
        if (name.compare(start, end - start, "..") == 0 && end - start == 2) {
            errno_ = EACCES;
            return -1;
        }
        start = end + 1;
    }
    const std::string path = root_ + "/" + name;
    // The directory the file is in must resolve inside the root (a symlinked directory may not lead out).
    const std::string dir = path.substr(0, path.find_last_of('/'));
    char real[PATH_MAX];
    if (!realpath(dir.c_str(), real)) {
        errno_ = errno;
        return -1;
    }
    const std::string r = real;
    if (r != root_ && r.compare(0, root_.size() + 1, root_ + "/") != 0) {
        errno_ = EACCES;
        return -1;
    }
    static const int kFlags[4] = {O_RDONLY, O_RDWR, O_WRONLY | O_CREAT | O_TRUNC, O_RDWR | O_CREAT | O_TRUNC};
    int flags = mode < 8 ? kFlags[mode / 2] : (mode < 10 ? O_WRONLY | O_CREAT | O_APPEND : O_RDWR | O_CREAT | O_APPEND);
    const int fd = ::open(path.c_str(), flags | O_NOFOLLOW | O_CLOEXEC, 0644);  // the file itself: no symlink
    if (fd < 0) errno_ = errno;
    return fd;
}

Semihost::Result Semihost::call(uint32_t op, uint32_t p, uint64_t elapsed_us) {
    Result res;
    uint32_t w[4] = {};
    auto fail = [&](int e) {
        errno_ = e;
        res.a0 = kFail;
        return res;
    };
    switch (op) {
        case kWriteC: {
            char c;
            if (!read_(p, &c, 1)) return fail(EFAULT);
            std::fputc(c, stdout);
            if (c == '\n') std::fflush(stdout);
            return res;
        }
        case kWrite0: {
            for (uint32_t a = p;; ++a) {
                char c;
                if (!read_(a, &c, 1)) return fail(EFAULT);
                if (!c) break;
                std::fputc(c, stdout);
            }
            std::fflush(stdout);
            return res;
        }
        case kOpen: {
            if (!words(p, w, 3)) return fail(EFAULT);
            const auto name = guest_string(w[0], w[2]);
            if (!name || w[1] > 11) return fail(EINVAL);
            int fd;
            if (*name == ":tt") fd = w[1] < 4 ? kStdin : w[1] < 8 ? kStdout : kStderr;
            else if (*name == ":semihosting-features") fd = w[1] < 4 ? kFeatures : -5;
            else fd = open_file(*name, w[1]);
            if (fd == -5) return fail(EACCES);
            if (fd == -1 && *name != ":tt") return fail(errno_);
            if (fd == kFeatures) features_pos_ = 0;
            handles_[next_handle_] = fd;
            res.a0 = next_handle_++;
            return res;
        }
        case kClose: {
            if (!words(p, w, 1)) return fail(EFAULT);
            const auto it = handles_.find(w[0]);
            if (it == handles_.end()) return fail(EBADF);
            if (it->second >= 0) ::close(it->second);
            handles_.erase(it);
            return res;
        }
        case kWrite: {
            if (!words(p, w, 3)) return fail(EFAULT);
            const auto it = handles_.find(w[0]);
            if (it == handles_.end()) return fail(EBADF);
            std::vector<char> buf(w[2]);
            if (w[2] > (1u << 24) || (w[2] && !read_(w[1], buf.data(), w[2]))) return fail(EFAULT);
            if (it->second == kStdout || it->second == kStderr) {
                std::FILE* out = it->second == kStdout ? stdout : stderr;
                std::fwrite(buf.data(), 1, buf.size(), out);
                std::fflush(out);
                return res;  // 0: everything written
            }
            if (it->second < 0) return fail(EBADF);
            const ssize_t n = ::write(it->second, buf.data(), buf.size());
            if (n < 0) errno_ = errno;
            res.a0 = w[2] - static_cast<uint32_t>(n < 0 ? 0 : n);
            return res;
        }
        case kRead: {
            if (!words(p, w, 3)) return fail(EFAULT);
            const auto it = handles_.find(w[0]);
            if (it == handles_.end() || w[2] > (1u << 24)) return fail(EBADF);
            std::vector<char> buf(w[2]);
            ssize_t n = 0;
            if (it->second == kFeatures) {
                n = static_cast<ssize_t>(std::min<size_t>(w[2], sizeof kFeatureBytes - features_pos_));
                std::memcpy(buf.data(), kFeatureBytes + features_pos_, static_cast<size_t>(n));
                features_pos_ += static_cast<size_t>(n);
            } else {
                const int fd = it->second == kStdin ? 0 : it->second;
                if (fd < 0) return fail(EBADF);
                n = ::read(fd, buf.data(), buf.size());
                if (n < 0) {
                    errno_ = errno;
                    n = 0;
                }
            }
            if (n && !write_(w[1], buf.data(), static_cast<uint32_t>(n))) return fail(EFAULT);
            res.a0 = w[2] - static_cast<uint32_t>(n);  // bytes not read
            return res;
        }
        case kReadC: {
            const int c = std::getchar();
            res.a0 = c == EOF ? kFail : static_cast<uint32_t>(c);
            return res;
        }
        case kIsError: {
            if (!words(p, w, 1)) return fail(EFAULT);
            res.a0 = static_cast<int32_t>(w[0]) < 0 ? 1 : 0;
            return res;
        }
        case kIsTty: {
            if (!words(p, w, 1)) return fail(EFAULT);
            const auto it = handles_.find(w[0]);
            if (it == handles_.end()) return fail(EBADF);
            res.a0 = it->second <= kStdin && it->second >= kStderr ? 1 : 0;
            return res;
        }
        case kSeek: {
            if (!words(p, w, 2)) return fail(EFAULT);
            const auto it = handles_.find(w[0]);
            if (it == handles_.end()) return fail(EBADF);
            if (it->second == kFeatures) {
                features_pos_ = std::min<size_t>(w[1], sizeof kFeatureBytes);
                return res;
            }
            if (it->second < 0 || ::lseek(it->second, w[1], SEEK_SET) < 0) return fail(it->second < 0 ? ESPIPE : errno);
            return res;
        }
        case kFlen: {
            if (!words(p, w, 1)) return fail(EFAULT);
            const auto it = handles_.find(w[0]);
            if (it == handles_.end()) return fail(EBADF);
            if (it->second == kFeatures) {
                res.a0 = sizeof kFeatureBytes;
                return res;
            }
            struct stat st {};
            if (it->second < 0 || fstat(it->second, &st) != 0) return fail(EBADF);
            res.a0 = static_cast<uint32_t>(st.st_size);
            return res;
        }
        case kRemove: {
            if (!words(p, w, 2)) return fail(EFAULT);
            const auto name = guest_string(w[0], w[1]);
            if (!name) return fail(EFAULT);
            const int fd = open_file(*name, 0);  // the same checks as open
            if (fd < 0) return fail(errno_);
            ::close(fd);
            if (::unlink((root_ + "/" + *name).c_str()) != 0) return fail(errno);
            return res;
        }
        case kClock: res.a0 = static_cast<uint32_t>(elapsed_us / 10000); return res;  // centiseconds
        case kTime: res.a0 = static_cast<uint32_t>(std::time(nullptr)); return res;
        case kElapsed: {
            const uint64_t ticks = elapsed_us;
            if (!write_(p, &ticks, 8)) return fail(EFAULT);
            return res;
        }
        case kTickFreq: res.a0 = 1000000; return res;
        case kErrno: res.a0 = static_cast<uint32_t>(errno_); return res;
        case kGetCmdline: {
            if (!words(p, w, 2)) return fail(EFAULT);
            static const char kCmd[] = "firmware";
            if (w[1] < sizeof kCmd || !write_(w[0], kCmd, sizeof kCmd)) return fail(EFAULT);
            const uint32_t len = sizeof kCmd - 1;
            write_(p + 4, &len, 4);
            return res;
        }
        case kHeapInfo: {
            if (!words(p, w, 1)) return fail(EFAULT);
            const uint32_t zero[4] = {};  // the firmware's linker script knows better
            if (!write_(w[0], zero, sizeof zero)) return fail(EFAULT);
            return res;
        }
        case kExit:
            // RV32: the parameter is the reason itself; an application exit is code 0.
            res.exit_code = p == kAppExit ? 0 : 1;
            return res;
        case kExitExtended:
            if (!words(p, w, 2)) return fail(EFAULT);
            res.exit_code = w[0] == kAppExit ? w[1] : 1;
            return res;
        case kTmpnam:
        case kRename:
        case kSystem:
        default: return fail(ENOSYS);
    }
}

}  // namespace mind1024::board
