#include "link/link_socket.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <thread>

#include <fmt/format.h>

namespace mind1024::link {

namespace {

// ---- time: a deadline is a steady-clock instant, or none (wait forever)
using Clock = std::chrono::steady_clock;
struct Deadline {
    std::optional<Clock::time_point> at;
    explicit Deadline(double timeout_s) {
        if (timeout_s >= 0)
            at = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(timeout_s));
    }
    // poll()'s timeout: -1 forever, else the milliseconds left (rounded up, so a deadline is never early).
    int poll_ms() const {
        if (!at) return -1;
        const auto left = *at - Clock::now();
        if (left <= Clock::duration::zero()) return 0;
        const double ms = std::ceil(std::chrono::duration<double, std::milli>(left).count());
        return ms > 1e9 ? 1000000000 : static_cast<int>(ms);
    }
    bool passed() const { return at && Clock::now() >= *at; }
};

std::string err_text(int e) { return std::strerror(e); }

struct Cancelled : LinkError {
    Cancelled() : LinkError("cancelled (the board stops)") {}
};

// Waits for `events` on fd; true when ready, false at the deadline. Throws on a poll
// error, and Cancelled once *cancel is true (looked at every 100 ms).
bool wait_fd(int fd, short events, const Deadline& d, const std::atomic<bool>* cancel = nullptr) {
    for (;;) {
        if (cancel && cancel->load()) throw Cancelled();
        pollfd p{fd, events, 0};
        int ms = d.poll_ms();
        if (cancel && (ms < 0 || ms > 100)) ms = 100;
        const int r = poll_spinning(&p, 1, ms);
        if (r > 0) return true;
        if (r == 0) {
            if (d.passed()) return false;
            continue;  // rounding, or a cancel slice: not yet
        }
        if (errno == EINTR) continue;
        throw LinkError(fmt::format("poll: {}", err_text(errno)));
    }
}

}  // namespace

int poll_spinning(pollfd* fds, size_t n, int timeout_ms) {
    // A request/answer link waits mostly for the peer's next few microseconds of work;
    // blocking at once lets an idle (virtual) core sleep and costs tens of microseconds
    // per wake-up, so look without blocking for a short while first.
    const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(kSpinMicros);
    if (timeout_ms != 0) {
        do {
            const int r = ::poll(fds, n, 0);
            if (r != 0) return r;
        } while (std::chrono::steady_clock::now() < until);
    }
    return ::poll(fds, n, timeout_ms);
}

namespace {

void set_nodelay(int fd) {
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

// A peer gone without a FIN is found after 30 s of silence plus 3 probes 5 s apart.
void set_keepalive(int fd) {
    int one = 1, idle = 30, intvl = 5, cnt = 3;
    ::setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
    ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
    ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof intvl);
    ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof cnt);
}

std::string sockaddr_text(const sockaddr* sa) {
    char buf[INET6_ADDRSTRLEN] = {};
    if (sa->sa_family == AF_INET) {
        auto* in = reinterpret_cast<const sockaddr_in*>(sa);
        ::inet_ntop(AF_INET, &in->sin_addr, buf, sizeof buf);
        return fmt::format("{}:{}", buf, ntohs(in->sin_port));
    }
    if (sa->sa_family == AF_INET6) {
        auto* in6 = reinterpret_cast<const sockaddr_in6*>(sa);
        ::inet_ntop(AF_INET6, &in6->sin6_addr, buf, sizeof buf);
        return fmt::format("[{}]:{}", buf, ntohs(in6->sin6_port));
    }
    return "?";
}

sockaddr_un unix_address(const Endpoint& ep) {
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    if (ep.path.size() >= sizeof a.sun_path)
        throw LinkError(fmt::format("{}: the path is {} bytes long, a unix socket path takes at most {}",
                                    ep.describe(), ep.path.size(), sizeof a.sun_path - 1));
    std::memcpy(a.sun_path, ep.path.c_str(), ep.path.size() + 1);
    return a;
}

struct Fd {
    int fd = -1;
    explicit Fd(int f) : fd(f) {}
    ~Fd() {
        if (fd >= 0) ::close(fd);
    }
    int release() {
        const int f = fd;
        fd = -1;
        return f;
    }
};

// Non-blocking connect to one address within the deadline. Returns the fd, or -1 with errno-like `e`.
int connect_to(int family, const sockaddr* sa, socklen_t len, const Deadline& d, int& e) {
    Fd s(::socket(family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (s.fd < 0) {
        e = errno;
        return -1;
    }
    for (;;) {
        if (::connect(s.fd, sa, len) == 0) return s.release();
        if (errno == EINTR) continue;
        if (errno == EAGAIN && family == AF_UNIX) {  // the listener's backlog is full: retry until the deadline
            if (d.passed()) {
                e = ETIMEDOUT;
                return -1;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
            continue;
        }
        if (errno != EINPROGRESS) {
            e = errno;
            return -1;
        }
        if (!wait_fd(s.fd, POLLOUT, d)) {
            e = ETIMEDOUT;
            return -1;
        }
        int so = 0;
        socklen_t sl = sizeof so;
        ::getsockopt(s.fd, SOL_SOCKET, SO_ERROR, &so, &sl);
        if (so != 0) {
            e = so;
            return -1;
        }
        return s.release();
    }
}

bool all_digits(const std::string& s) {
    if (s.empty()) return false;
    for (char c : s)
        if (c < '0' || c > '9') return false;
    return true;
}

}  // namespace

// ---------------------------------------------------------------- endpoints

std::string Endpoint::describe() const {
    if (kind == Kind::Unix) return "unix:" + path;
    const bool v6 = host.find(':') != std::string::npos;
    return fmt::format("tcp:{}{}{}:{}", v6 ? "[" : "", host, v6 ? "]" : "", port);
}

Endpoint parse_endpoint(const std::string& spec) {
    Endpoint ep;
    auto bad = [&](const std::string& why) {
        return LinkError(fmt::format("link address '{}': {} (want unix:PATH or tcp:HOST:PORT)", spec, why));
    };
    if (spec.rfind("unix:", 0) == 0) {
        ep.kind = Endpoint::Kind::Unix;
        ep.path = spec.substr(5);
        if (ep.path.empty()) throw bad("no path after 'unix:'");
        if (ep.path.find('\0') != std::string::npos) throw bad("the path holds a NUL byte");
        return ep;
    }
    if (spec.rfind("tcp:", 0) == 0) {
        ep.kind = Endpoint::Kind::Tcp;
        const std::string rest = spec.substr(4);
        const size_t colon = rest.rfind(':');
        if (colon == std::string::npos) throw bad("no ':PORT' after the host");
        std::string host = rest.substr(0, colon);
        const std::string port = rest.substr(colon + 1);
        if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
        if (host.empty()) throw bad("no host");
        if (!all_digits(port) || port.size() > 5 || std::stoul(port) > 65535)
            throw bad(fmt::format("port '{}' is not a number in 0..65535", port));
        ep.host = host;
        ep.port = static_cast<uint16_t>(std::stoul(port));
        return ep;
    }
    throw bad("unknown kind");
}

const char* recv_status_name(RecvStatus s) {
    switch (s) {
        case RecvStatus::Ok: return "ok";
        case RecvStatus::Closed: return "closed";
        case RecvStatus::Timeout: return "timeout";
        case RecvStatus::Disconnected: return "disconnected mid-frame";
        case RecvStatus::Malformed: return "malformed frame";
        case RecvStatus::IoError: return "I/O error";
    }
    return "?";
}

// ---------------------------------------------------------------- connections

Connection::Connection(int fd, std::string peer) : fd_(fd), peer_(std::move(peer)) {}
Connection::Connection(Connection&& o) noexcept : fd_(o.fd_), peer_(std::move(o.peer_)), cancel_(o.cancel_) {
    o.fd_ = -1;
}
Connection& Connection::operator=(Connection&& o) noexcept {
    if (this != &o) {
        close();
        fd_ = o.fd_;
        peer_ = std::move(o.peer_);
        cancel_ = o.cancel_;
        o.fd_ = -1;
    }
    return *this;
}

bool Connection::peer_gone() const {
    if (fd_ < 0) return true;
    pollfd p{fd_, POLLRDHUP, 0};
    if (::poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL))) return true;
    return false;
}
Connection::~Connection() { close(); }

void Connection::close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
}

void Connection::shutdown_write() {
    if (fd_ >= 0) ::shutdown(fd_, SHUT_WR);
}

Connection Connection::connect(const std::string& spec, double timeout_s) {
    const Endpoint ep = parse_endpoint(spec);
    const Deadline d(timeout_s);
    int e = 0;
    if (ep.kind == Endpoint::Kind::Unix) {
        const sockaddr_un a = unix_address(ep);
        const int fd = connect_to(AF_UNIX, reinterpret_cast<const sockaddr*>(&a), sizeof a, d, e);
        if (fd < 0) {
            if (e == ENOENT || e == ECONNREFUSED)
                throw LinkError(fmt::format("no board is listening at {} ({})", ep.describe(), err_text(e)));
            throw LinkError(fmt::format("cannot connect to {}: {}", ep.describe(), err_text(e)));
        }
        return Connection(fd, ep.describe());
    }
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    addrinfo* res = nullptr;
    const std::string port = std::to_string(ep.port);
    if (ep.port == 0) throw LinkError(fmt::format("cannot connect to {}: port 0", ep.describe()));
    const int g = ::getaddrinfo(ep.host.c_str(), port.c_str(), &hints, &res);
    if (g != 0) throw LinkError(fmt::format("cannot resolve the host of {}: {}", ep.describe(), ::gai_strerror(g)));
    int fd = -1;
    for (addrinfo* ai = res; ai && fd < 0; ai = ai->ai_next)
        fd = connect_to(ai->ai_family, ai->ai_addr, ai->ai_addrlen, d, e);
    ::freeaddrinfo(res);
    if (fd < 0) {
        if (e == ECONNREFUSED)
            throw LinkError(fmt::format("no board is listening at {} ({})", ep.describe(), err_text(e)));
        throw LinkError(fmt::format("cannot connect to {}: {}", ep.describe(), err_text(e)));
    }
    set_nodelay(fd);
    set_keepalive(fd);
    return Connection(fd, ep.describe());
}

std::pair<Connection, Connection> Connection::pair() {
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sv) != 0)
        throw LinkError(fmt::format("socketpair: {}", err_text(errno)));
    return {Connection(sv[0], "socketpair[0]"), Connection(sv[1], "socketpair[1]")};
}

void Connection::send_bytes(const uint8_t* p, size_t n, double timeout_s) {
    if (fd_ < 0) throw LinkError(fmt::format("send to {}: the connection is closed", peer_));
    const Deadline d(timeout_s);
    size_t done = 0;
    while (done < n) {
        const ssize_t w = ::send(fd_, p + done, n - done, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (w > 0) {
            done += static_cast<size_t>(w);
            continue;
        }
        if (w < 0 && errno == EINTR) continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (!wait_fd(fd_, POLLOUT, d, cancel_))
                throw LinkError(fmt::format("send to {}: timed out after {:g} s with {} of {} bytes sent", peer_,
                                            timeout_s, done, n));
            continue;
        }
        const int e = w < 0 ? errno : EPIPE;
        throw LinkError(fmt::format("send to {}: {} ({} of {} bytes sent)", peer_,
                                    e == EPIPE || e == ECONNRESET ? "the peer closed the connection" : err_text(e),
                                    done, n));
    }
}

void Connection::send_frame(const Frame& f, double timeout_s) {
    const std::vector<uint8_t> bytes = encode_frame(f);
    send_bytes(bytes.data(), bytes.size(), timeout_s);
}

bool Connection::wait_readable(double timeout_s) const {
    if (fd_ < 0) return false;
    return wait_fd(fd_, POLLIN, Deadline(timeout_s));
}

Received Connection::recv_frame(double timeout_s, std::optional<uint32_t> expected_seq) {
    Received r;
    if (fd_ < 0) {
        r.status = RecvStatus::IoError;
        r.message = "the connection is closed";
        return r;
    }
    const Deadline d(timeout_s);
    std::vector<uint8_t> buf;
    // Reads until `buf` holds n bytes; the status says why not.
    auto fill = [&](size_t n) -> RecvStatus {
        while (buf.size() < n) {
            const size_t have = buf.size();
            buf.resize(std::min(n, have + size_t{64} * 1024));  // grows only as bytes arrive
            const ssize_t k = ::recv(fd_, buf.data() + have, buf.size() - have, MSG_DONTWAIT);
            if (k > 0) {
                buf.resize(have + static_cast<size_t>(k));
                continue;
            }
            buf.resize(have);
            if (k == 0) return RecvStatus::Closed;
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                try {
                    if (!wait_fd(fd_, POLLIN, d, cancel_)) return RecvStatus::Timeout;
                } catch (const LinkError& e) {
                    r.message = e.what();
                    return RecvStatus::IoError;
                }
                continue;
            }
            if (errno == ECONNRESET) return RecvStatus::Closed;
            r.message = fmt::format("recv from {}: {}", peer_, err_text(errno));
            return RecvStatus::IoError;
        }
        return RecvStatus::Ok;
    };

    RecvStatus st = fill(kHeaderBytes);
    if (st != RecvStatus::Ok) {
        if (st == RecvStatus::Closed && buf.empty()) {
            r.status = RecvStatus::Closed;
            r.message = fmt::format("{} closed the connection", peer_);
        } else if (st == RecvStatus::Closed) {
            r.status = RecvStatus::Disconnected;
            r.message = fmt::format("{} closed the connection after {} of the {} header bytes of a frame", peer_,
                                    buf.size(), kHeaderBytes);
        } else if (st == RecvStatus::Timeout) {
            r.status = RecvStatus::Timeout;
            r.message = buf.empty() ? fmt::format("no frame from {} within {:g} s", peer_, timeout_s)
                                    : fmt::format("{} sent {} of the {} header bytes of a frame, then nothing for {:g} s",
                                                  peer_, buf.size(), kHeaderBytes, timeout_s);
        } else {
            r.status = st;
        }
        return r;
    }
    Header h;
    DecodeResult dr = decode_header(buf.data(), buf.size(), h);
    r.header = h;
    if (!dr) {
        r.status = RecvStatus::Malformed;
        r.error = dr.error;
        r.message = dr.message;
        return r;
    }
    buf.clear();
    st = fill(h.length);
    if (st != RecvStatus::Ok) {
        if (st == RecvStatus::Closed) {
            r.status = RecvStatus::Disconnected;
            r.message = fmt::format("{} closed the connection after {} of the {} payload bytes of a {} frame", peer_,
                                    buf.size(), h.length, type_name(h.type));
        } else if (st == RecvStatus::Timeout) {
            r.status = RecvStatus::Timeout;
            r.message = fmt::format("{} sent {} of the {} payload bytes of a {} frame within {:g} s", peer_,
                                    buf.size(), h.length, type_name(h.type), timeout_s);
        } else {
            r.status = st;
        }
        return r;
    }
    dr = decode_payload(h, buf.data(), buf.size(), r.frame.msg);
    if (dr) dr = check_seq(h.seq, expected_seq);
    r.frame.seq = h.seq;
    if (!dr) {
        r.status = RecvStatus::Malformed;
        r.error = dr.error;
        r.message = dr.message;
        return r;
    }
    r.status = RecvStatus::Ok;
    return r;
}

// ---------------------------------------------------------------- listener

Listener::Listener(const std::string& spec) : ep_(parse_endpoint(spec)) {
    if (ep_.kind == Endpoint::Kind::Unix) {
        const sockaddr_un a = unix_address(ep_);
        struct stat st {};
        if (::lstat(ep_.path.c_str(), &st) == 0) {
            if (!S_ISSOCK(st.st_mode))
                throw LinkError(fmt::format("{}: the path exists and is not a socket ({}); refusing to replace it",
                                            ep_.describe(), S_ISDIR(st.st_mode) ? "a directory" : S_ISREG(st.st_mode) ? "a regular file" : "another kind of file"));
            // A socket: in use by a running board, or stale (left by a process that ended).
            int e = 0;
            const int probe = connect_to(AF_UNIX, reinterpret_cast<const sockaddr*>(&a), sizeof a, Deadline(0.5), e);
            if (probe >= 0) {
                ::close(probe);
                throw LinkError(fmt::format("{}: another process is listening on this socket", ep_.describe()));
            }
            if (e == ETIMEDOUT || e == EAGAIN)
                throw LinkError(fmt::format("{}: another process is listening on this socket (its backlog is full)",
                                            ep_.describe()));
            if (e != ECONNREFUSED)
                throw LinkError(fmt::format("{}: cannot tell whether the existing socket is in use: {}", ep_.describe(),
                                            err_text(e)));
            if (::unlink(ep_.path.c_str()) != 0)
                throw LinkError(fmt::format("{}: cannot remove the stale socket: {}", ep_.describe(), err_text(errno)));
            note_ = "replaced a stale socket";
        } else if (errno != ENOENT) {
            throw LinkError(fmt::format("{}: {}", ep_.describe(), err_text(errno)));
        }
        Fd s(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
        if (s.fd < 0) throw LinkError(fmt::format("{}: socket: {}", ep_.describe(), err_text(errno)));
        if (::bind(s.fd, reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0) {
            const int e = errno;
            throw LinkError(fmt::format("{}: cannot create the socket: {}{}", ep_.describe(), err_text(e),
                                        e == ENOENT ? " (does its directory exist?)" : ""));
        }
        struct stat mine {};
        if (::stat(ep_.path.c_str(), &mine) == 0) {
            dev_ = mine.st_dev;
            ino_ = mine.st_ino;
        }
        if (::listen(s.fd, 8) != 0) {
            const int e = errno;
            ::unlink(ep_.path.c_str());
            throw LinkError(fmt::format("{}: listen: {}", ep_.describe(), err_text(e)));
        }
        fd_ = s.release();
        return;
    }
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    addrinfo* res = nullptr;
    const std::string port = std::to_string(ep_.port);
    const int g = ::getaddrinfo(ep_.host.c_str(), port.c_str(), &hints, &res);
    if (g != 0) throw LinkError(fmt::format("{}: cannot resolve the host: {}", ep_.describe(), ::gai_strerror(g)));
    std::string why = "no address";
    for (addrinfo* ai = res; ai; ai = ai->ai_next) {
        Fd s(::socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
        if (s.fd < 0) {
            why = fmt::format("socket: {}", err_text(errno));
            continue;
        }
        int one = 1;
        ::setsockopt(s.fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (::bind(s.fd, ai->ai_addr, ai->ai_addrlen) != 0) {
            why = fmt::format("cannot bind: {}", err_text(errno));
            continue;
        }
        if (::listen(s.fd, 8) != 0) {
            why = fmt::format("listen: {}", err_text(errno));
            continue;
        }
        sockaddr_storage ss{};
        socklen_t sl = sizeof ss;
        ::getsockname(s.fd, reinterpret_cast<sockaddr*>(&ss), &sl);
        port_ = ntohs(ss.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port
                                               : reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
        fd_ = s.release();
        break;
    }
    ::freeaddrinfo(res);
    if (fd_ < 0) throw LinkError(fmt::format("{}: {}", ep_.describe(), why));
}

Listener::~Listener() {
    if (fd_ >= 0) ::close(fd_);
    if (ep_.kind == Endpoint::Kind::Unix && ino_ != 0) {
        struct stat st {};
        if (::lstat(ep_.path.c_str(), &st) == 0 && st.st_dev == dev_ && st.st_ino == ino_) ::unlink(ep_.path.c_str());
    }
}

std::string Listener::address() const {
    Endpoint e = ep_;
    if (e.kind == Endpoint::Kind::Tcp) e.port = port_;
    return e.describe();
}

std::optional<Connection> Listener::accept(double timeout_s) {
    const Deadline d(timeout_s);
    for (;;) {
        if (!wait_fd(fd_, POLLIN, d)) return std::nullopt;
        sockaddr_storage ss{};
        socklen_t sl = sizeof ss;
        const int c = ::accept4(fd_, reinterpret_cast<sockaddr*>(&ss), &sl, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (c < 0) {
            if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK || errno == ECONNABORTED) {
                if (d.passed()) return std::nullopt;
                continue;
            }
            throw LinkError(fmt::format("{}: accept: {}", address(), err_text(errno)));
        }
        std::string peer;
        if (ep_.kind == Endpoint::Kind::Unix) {
            ucred cred{};
            socklen_t cl = sizeof cred;
            if (::getsockopt(c, SOL_SOCKET, SO_PEERCRED, &cred, &cl) == 0)
                peer = fmt::format("{} (pid {})", ep_.describe(), cred.pid);
            else
                peer = ep_.describe();
        } else {
            set_nodelay(c);
            set_keepalive(c);
            peer = "tcp:" + sockaddr_text(reinterpret_cast<const sockaddr*>(&ss));
        }
        return Connection(c, peer);
    }
}

}  // namespace mind1024::link
