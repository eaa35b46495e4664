// GDB remote serial protocol stub (GDB manual, "Remote Protocol"), all-stop mode.
// Packets are "$payload#xx" with xx the modulo-256 sum of the payload in hex;
// each is answered '+' or '-' until QStartNoAckMode. The stub never blocks
// without a limit except while waiting for GDB's next command (a user at the
// prompt may think for hours); see the k*Ms constants.
#include "sysc/board/gdb/gdb_stub.h"

#include <fmt/format.h>

#include "sysc/board/rv32_csrs.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <vector>

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace mind1024::board {

namespace {

constexpr int kPacketTimeoutMs = 5000;  // rest of a packet once its '$' arrived
constexpr int kSendTimeoutMs = 5000;    // a debugger that stops reading
constexpr int kDrainMs = 200;           // letting the last reply out before close
constexpr int kMaxRetransmits = 10;     // answers to '-' for one reply
constexpr unsigned kNumRegs = 33;       // x0..x31, pc
constexpr unsigned kPcReg = 32;
constexpr size_t kConsoleChunk = 256;   // text bytes per 'O' packet

// GDB's own RISC-V names (features/riscv/32bit-cpu.xml), so "info registers"
// and expressions like $sp read as usual.
constexpr const char* kRegNames[kNumRegs] = {
    "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "fp", "s1", "a0",
    "a1",   "a2", "a3", "a4", "a5", "a6", "a7", "s2", "s3", "s4", "s5",
    "s6",   "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6", "pc"};

// GDB's RISC-V CSR register numbers: 65 + the CSR's number.
constexpr unsigned kFirstCsrReg = 65;


std::string make_target_xml(const std::vector<unsigned>& csrs) {
    {
        std::string s =
            "<?xml version=\"1.0\"?>\n"
            "<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n"
            "<target version=\"1.0\">\n"
            "  <architecture>riscv:rv32</architecture>\n"
            "  <feature name=\"org.gnu.gdb.riscv.cpu\">\n";
        for (unsigned i = 0; i < kNumRegs; ++i) {
            std::string name = kRegNames[i];
            const char* type = (name == "ra" || name == "pc") ? "code_ptr"
                               : (name == "sp" || name == "gp" || name == "tp" || name == "fp")
                                   ? "data_ptr"
                                   : "int";
            s += fmt::format("    <reg name=\"{}\" bitsize=\"32\" type=\"{}\" regnum=\"{}\"/>\n",
                             name, type, i);
        }
        s += "  </feature>\n";
        if (!csrs.empty()) {
            s += "  <feature name=\"org.gnu.gdb.riscv.csr\">\n";
            for (unsigned c : csrs)
                if (const char* n = rv32::csr_known_name(c))
                    s += fmt::format("    <reg name=\"{}\" bitsize=\"32\" type=\"int\" regnum=\"{}\"/>\n", n,
                                     kFirstCsrReg + c);
            s += "  </feature>\n";
        }
        s += "</target>\n";
        return s;
    }
}

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// A whole string of hex digits as a 32-bit number; false if empty, not hex or too big.
bool parse_hex(const std::string& s, uint32_t& v) {
    if (s.empty()) return false;
    uint64_t acc = 0;
    for (char c : s) {
        int d = hex_digit(c);
        if (d < 0) return false;
        acc = (acc << 4) | unsigned(d);
        if (acc > 0xffffffffu) return false;
    }
    v = uint32_t(acc);
    return true;
}

// "A,B" with both hex; `rest` gets what follows the first `stop` char after B.
bool parse_pair(const std::string& s, uint32_t& a, uint32_t& b, char stop = '\0',
                std::string* rest = nullptr) {
    size_t comma = s.find(',');
    if (comma == std::string::npos) return false;
    size_t end = stop ? s.find(stop, comma + 1) : std::string::npos;
    if (stop && end == std::string::npos) return false;
    if (!parse_hex(s.substr(0, comma), a)) return false;
    if (!parse_hex(s.substr(comma + 1, end == std::string::npos ? end : end - comma - 1), b))
        return false;
    if (rest) *rest = s.substr(end + 1);
    return true;
}

std::string to_hex(const uint8_t* p, size_t n) {
    static const char* digits = "0123456789abcdef";
    std::string s;
    s.reserve(2 * n);
    for (size_t i = 0; i < n; ++i) {
        s += digits[p[i] >> 4];
        s += digits[p[i] & 15];
    }
    return s;
}

bool from_hex(const std::string& s, std::vector<uint8_t>& out) {
    if (s.size() % 2) return false;
    out.resize(s.size() / 2);
    for (size_t i = 0; i < out.size(); ++i) {
        int hi = hex_digit(s[2 * i]), lo = hex_digit(s[2 * i + 1]);
        if (hi < 0 || lo < 0) return false;
        out[i] = uint8_t(hi << 4 | lo);
    }
    return true;
}

// Registers travel as target-endian (little) bytes.
std::string reg_hex(uint32_t v) {
    uint8_t b[4] = {uint8_t(v), uint8_t(v >> 8), uint8_t(v >> 16), uint8_t(v >> 24)};
    return to_hex(b, 4);
}

bool parse_reg_hex(const std::string& s, uint32_t& v) {
    std::vector<uint8_t> b;
    if (s.size() != 8 || !from_hex(s, b)) return false;
    v = b[0] | b[1] << 8 | b[2] << 16 | uint32_t(b[3]) << 24;
    return true;
}

// Binary replies (qXfer) escape the framing characters and '*' (run-length marker).
std::string escape_binary(const std::string& s) {
    std::string out;
    for (char c : s) {
        if (c == '$' || c == '#' || c == '}' || c == '*') {
            out += '}';
            out += char(c ^ 0x20);
        } else {
            out += c;
        }
    }
    return out;
}

bool unescape_binary(const std::string& s, std::vector<uint8_t>& out) {
    out.clear();
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '}') {
            if (++i == s.size()) return false;
            out.push_back(uint8_t(s[i] ^ 0x20));
        } else {
            out.push_back(uint8_t(s[i]));
        }
    }
    return true;
}

bool starts_with(const std::string& s, const char* prefix) {
    return s.compare(0, std::strlen(prefix), prefix) == 0;
}

std::string errno_text() { return std::strerror(errno); }

}  // namespace

// --- listening -------------------------------------------------------------------

GdbStub::GdbStub(DebugTarget& target, const std::string& listen_spec, std::ostream& log)
    : target_(target), log_(log) {
    const std::string bad = fmt::format(
        "gdb: bad listen address '{}': expected tcp:HOST:PORT (PORT 0..65535, 0 = any free port)",
        listen_spec);
    if (!starts_with(listen_spec, "tcp:")) throw std::runtime_error(bad);
    std::string rest = listen_spec.substr(4);
    size_t colon = rest.rfind(':');
    if (colon == std::string::npos) throw std::runtime_error(bad);
    std::string host = rest.substr(0, colon), port_text = rest.substr(colon + 1);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    if (port_text.empty() || port_text.size() > 5 ||
        port_text.find_first_not_of("0123456789") != std::string::npos ||
        std::stoul(port_text) > 65535)
        throw std::runtime_error(bad);

    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    addrinfo* res = nullptr;
    if (int rc = getaddrinfo(host.empty() ? nullptr : host.c_str(), port_text.c_str(), &hints, &res))
        throw std::runtime_error(
            fmt::format("gdb: cannot resolve host '{}' in '{}': {}", host, listen_spec, gai_strerror(rc)));
    std::string err;
    for (addrinfo* ai = res; ai && listen_fd_ < 0; ai = ai->ai_next) {
        int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) {
            err = errno_text();
            continue;
        }
        int one = 1;  // a restarted emulator may rebind while old connections sit in TIME_WAIT
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 1) == 0) {
            listen_fd_ = fd;
        } else {
            err = errno_text();
            close(fd);
        }
    }
    freeaddrinfo(res);
    if (listen_fd_ < 0)
        throw std::runtime_error(fmt::format("gdb: cannot listen on '{}': {}", listen_spec, err));

    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&ss), &len);
    port_ = ntohs(ss.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port
                                           : reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
    log_ << fmt::format("gdb: listening on {}:{}\n", host.empty() ? "*" : host, port_) << std::flush;
}

GdbStub::~GdbStub() {
    if (fd_ >= 0) close(fd_);
    if (listen_fd_ >= 0) close(listen_fd_);
}

// --- one session -----------------------------------------------------------------

GdbStub::End GdbStub::serve(std::optional<std::chrono::milliseconds> accept_timeout) {
    using Clock = std::chrono::steady_clock;
    const auto deadline = accept_timeout ? Clock::now() + *accept_timeout : Clock::time_point::max();
    for (;;) {
        int wait = -1;
        if (accept_timeout) {
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
            wait = int(std::max<int64_t>(0, left.count()));
        }
        pollfd p{listen_fd_, POLLIN, 0};
        int n = poll(&p, 1, wait);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw std::runtime_error("gdb: waiting for a debugger: " + errno_text());
        if (n == 0)
            throw std::runtime_error(fmt::format("gdb: no debugger connected to port {} within {} ms",
                                                 port_, accept_timeout->count()));
        sockaddr_storage ss{};
        socklen_t len = sizeof ss;
        fd_ = accept4(listen_fd_, reinterpret_cast<sockaddr*>(&ss), &len, SOCK_CLOEXEC);
        if (fd_ >= 0) {
            char host[NI_MAXHOST] = "?", serv[NI_MAXSERV] = "?";
            getnameinfo(reinterpret_cast<sockaddr*>(&ss), len, host, sizeof host, serv, sizeof serv,
                        NI_NUMERICHOST | NI_NUMERICSERV);
            log_ << fmt::format("gdb: debugger connected from {}:{}\n", host, serv) << std::flush;
            break;
        }
        if (errno != EINTR && errno != ECONNABORTED)
            throw std::runtime_error("gdb: accept: " + errno_text());
    }
    int one = 1;  // replies are small and latency-bound
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    timeval tv{kSendTimeoutMs / 1000, 0};
    setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);

    closed_ = false;
    rx_.clear();
    no_ack_ = gdb_swbreak_ = false;
    last_sent_.clear();
    last_stop_ = "S05";

    auto cleanup = [this] {
        close_connection();
        // Leave no debugger breakpoint behind: the caller may let the target run on.
        std::set<uint32_t> left;
        left.swap(breakpoints_);
        for (uint32_t a : left) target_.remove_breakpoint(a);
        std::set<std::tuple<int, uint32_t, uint32_t>> watches;
        watches.swap(watchpoints_);
        for (const auto& [k, a, n] : watches) target_.remove_watchpoint(static_cast<WatchKind>(k), a, n);
    };
    End end = End::Disconnected;
    try {
        for (;;) {
            std::string pkt;
            if (closed_ || read_packet(pkt) == Read::Closed) break;
            if (auto e = handle(pkt)) {
                end = *e;
                break;
            }
            if (closed_) break;
        }
    } catch (...) {  // from the target: do not leak the connection
        closed_ = true;
        cleanup();
        throw;
    }
    cleanup();
    static const char* names[] = {"target exited", "killed", "detached", "disconnected"};
    log_ << fmt::format("gdb: session ended: {}\n", names[int(end)]) << std::flush;
    return end;
}

void GdbStub::close_connection() {
    if (fd_ < 0) return;
    // Half-close and drain briefly: closing with unread input would send a reset
    // that can destroy the final reply (W, OK) before GDB reads it.
    if (!closed_) {
        shutdown(fd_, SHUT_WR);
        auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(kDrainMs);
        char buf[256];
        while (std::chrono::steady_clock::now() < until) {
            pollfd p{fd_, POLLIN, 0};
            if (poll(&p, 1, 20) > 0 && recv(fd_, buf, sizeof buf, 0) <= 0) break;
        }
    }
    close(fd_);
    fd_ = -1;
}

// --- framing ---------------------------------------------------------------------

void GdbStub::refuse_second_client() {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    const int fd = accept4(listen_fd_, reinterpret_cast<sockaddr*>(&ss), &len, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) return;
    char host[NI_MAXHOST] = "?", serv[NI_MAXSERV] = "?";
    getnameinfo(reinterpret_cast<sockaddr*>(&ss), len, host, sizeof host, serv, sizeof serv,
                NI_NUMERICHOST | NI_NUMERICSERV);
    log_ << fmt::format("gdb: refused a second debugger from {}:{}: one is already attached\n", host, serv)
         << std::flush;
    // An error reply to its first packet (GDB prints the text), then close. Bounded waits:
    // the running session is held up by at most about a second.
    const std::string text = "E.another debugger is already attached to this board";
    unsigned sum = 0;
    for (unsigned char c : text) sum += c;
    const std::string pkt = fmt::format("+${}#{:02x}", text, sum & 0xff);
    pollfd p{fd, POLLIN, 0};
    char buf[1024];
    if (poll(&p, 1, 1000) > 0) (void)!recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    (void)!send(fd, pkt.data(), pkt.size(), MSG_NOSIGNAL);
    shutdown(fd, SHUT_WR);
    p.revents = 0;
    if (poll(&p, 1, 300) > 0) (void)!recv(fd, buf, sizeof buf, MSG_DONTWAIT);  // its ack
    close(fd);
}

int GdbStub::fill(int timeout_ms) {
    pollfd p[2] = {{fd_, POLLIN, 0}, {listen_fd_, POLLIN, 0}};
    int n;
    for (;;) {
        do n = poll(p, 2, timeout_ms);
        while (n < 0 && errno == EINTR);
        if (n > 0 && (p[1].revents & POLLIN)) {
            refuse_second_client();
            if (!(p[0].revents & (POLLIN | POLLHUP | POLLERR))) continue;
        }
        break;
    }
    if (n == 0) return 0;
    char buf[4096];
    ssize_t got = n < 0 ? -1 : recv(fd_, buf, sizeof buf, 0);
    if (got <= 0) {
        closed_ = true;
        return -1;
    }
    rx_.append(buf, size_t(got));
    return 1;
}

void GdbStub::send_raw(const std::string& bytes) {
    size_t off = 0;
    while (off < bytes.size() && !closed_) {
        ssize_t n = send(fd_, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) closed_ = true;  // peer gone, or not reading for kSendTimeoutMs
        else off += size_t(n);
    }
}

void GdbStub::send_packet(const std::string& payload) {
    unsigned sum = 0;
    for (unsigned char c : payload) sum += c;
    last_sent_ = fmt::format("${}#{:02x}", payload, sum & 0xff);
    retransmits_ = 0;
    send_raw(last_sent_);
}

GdbStub::Read GdbStub::read_packet(std::string& payload) {
    bool oversized = false;  // dropping a packet longer than kMaxPacket up to its '#xx'
    for (;;) {
        if (!oversized) {
            // Outside packets: '+' acks, '-' asks for the last reply again, 0x03
            // with the target already stopped means nothing; garbage is skipped.
            size_t i = 0;
            for (; i < rx_.size() && rx_[i] != '$'; ++i) {
                if (rx_[i] == '-' && !no_ack_ && !last_sent_.empty() && retransmits_ < kMaxRetransmits) {
                    ++retransmits_;
                    send_raw(last_sent_);
                }
            }
            rx_.erase(0, i);
        }
        size_t hash = rx_.find('#');
        if (size_t next = oversized ? std::string::npos : rx_.find('$', 1);
            next != std::string::npos && next < hash) {
            // A raw '$' never occurs inside a packet: the one before it was abandoned.
            log_ << "gdb: unfinished packet dropped\n" << std::flush;
            rx_.erase(0, next);
            continue;
        }
        if (hash != std::string::npos && rx_.size() >= hash + 3) {
            std::string body = rx_.substr(1, hash - 1);
            int hi = hex_digit(rx_[hash + 1]), lo = hex_digit(rx_[hash + 2]);
            rx_.erase(0, hash + 3);
            if (oversized || body.size() > kMaxPacket) {  // whether it came in pieces or at once
                log_ << fmt::format("gdb: packet longer than {} bytes refused\n", kMaxPacket) << std::flush;
                if (!no_ack_) send_raw("+");
                send_packet("E01");
                oversized = false;
                continue;
            }
            unsigned sum = 0;
            for (unsigned char c : body) sum += c;
            if (hi < 0 || lo < 0 || unsigned(hi << 4 | lo) != (sum & 0xff)) {
                log_ << "gdb: packet with a bad checksum dropped\n" << std::flush;
                if (!no_ack_) send_raw("-");
                continue;
            }
            if (!no_ack_) send_raw("+");
            payload = std::move(body);
            return Read::Packet;
        }
        if (hash == std::string::npos && rx_.size() > kMaxPacket + 1) {
            oversized = true;
            rx_.clear();  // keep nothing: memory stays bounded whatever the client sends
        }
        int got = fill(rx_.empty() && !oversized ? -1 : kPacketTimeoutMs);
        if (got < 0) return Read::Closed;
        if (got == 0) {  // a packet started but never finished
            log_ << "gdb: incomplete packet timed out\n" << std::flush;
            rx_.clear();
            if (oversized) send_packet("E01");
            else if (!no_ack_) send_raw("-");
            oversized = false;
        }
    }
}

// --- commands --------------------------------------------------------------------

std::optional<GdbStub::End> GdbStub::handle(const std::string& pkt) {
    const std::string args = pkt.empty() ? std::string() : pkt.substr(1);
    uint32_t a = 0, b = 0;
    std::string rest;
    switch (pkt.empty() ? '\0' : pkt[0]) {
    case '?':
        send_packet(last_stop_);
        return std::nullopt;
    case 'g': {
        std::string s;
        for (unsigned i = 0; i < kNumRegs; ++i) s += reg_hex(target_.read_reg(i));
        send_packet(s);
        return std::nullopt;
    }
    case 'G': {
        std::vector<uint32_t> v(kNumRegs);
        bool ok = args.size() == 8 * kNumRegs;
        for (unsigned i = 0; ok && i < kNumRegs; ++i) ok = parse_reg_hex(args.substr(8 * i, 8), v[i]);
        if (ok)
            for (unsigned i = 0; i < kNumRegs; ++i) target_.write_reg(i, v[i]);
        send_packet(ok ? "OK" : "E01");
        return std::nullopt;
    }
    case 'p':
        // A number GDB might ask beyond pc (CSRs, FP without our target.xml): reply
        // "unavailable" rather than an error, which GDB would turn into a failure.
        if (!parse_hex(args, a)) {
            send_packet("E01");
        } else if (a < kNumRegs) {
            send_packet(reg_hex(target_.read_reg(a)));
        } else {
            const auto v = a >= kFirstCsrReg && a < kFirstCsrReg + 4096 ? target_.read_csr(a - kFirstCsrReg)
                                                                          : std::nullopt;
            send_packet(v ? reg_hex(*v) : "xxxxxxxx");
        }
        return std::nullopt;
    case 'P': {
        size_t eq = args.find('=');
        uint32_t v = 0;
        bool ok = eq != std::string::npos && parse_hex(args.substr(0, eq), a) && parse_reg_hex(args.substr(eq + 1), v);
        if (ok && a < kNumRegs) target_.write_reg(a, v);
        else if (ok) ok = a >= kFirstCsrReg && a < kFirstCsrReg + 4096 && target_.write_csr(a - kFirstCsrReg, v);
        send_packet(ok ? "OK" : "E01");
        return std::nullopt;
    }
    case 'm':
        if (!parse_pair(args, a, b)) send_packet("E01");
        else send_packet(read_memory(a, b));
        return std::nullopt;
    case 'M':
    case 'X': {
        std::vector<uint8_t> data;
        bool ok = parse_pair(args, a, b, ':', &rest) && b <= kMaxPacket &&
                  (pkt[0] == 'M' ? from_hex(rest, data) : unescape_binary(rest, data)) &&
                  data.size() == b;
        if (!ok) send_packet("E01");
        else if (b == 0) send_packet("OK");  // GDB probes X support with a zero-length write
        else send_packet(target_.write_mem(a, data.data(), b) ? "OK" : "E14");
        return std::nullopt;
    }
    case 'Z':
    case 'z': {
        // Z0 software, Z1 hardware breakpoint: the same thing here. Z2..Z4 watchpoints
        // (write, read, access) if the target has them. Anything after ';' is ignored.
        if (args.size() >= 2 && args[0] >= '2' && args[0] <= '4' && args[1] == ',') {
            if (!parse_pair(args.substr(2), a, b) || b == 0) {
                send_packet("E01");
                return std::nullopt;
            }
            const auto kind = static_cast<WatchKind>(args[0] - '0');
            const bool ok = pkt[0] == 'Z' ? target_.insert_watchpoint(kind, a, b) : target_.remove_watchpoint(kind, a, b);
            if (ok && pkt[0] == 'Z') watchpoints_.insert({int(kind), a, b});
            if (pkt[0] == 'z') watchpoints_.erase({int(kind), a, b});
            send_packet(ok ? "OK" : pkt[0] == 'Z' ? "" : "E01");
            return std::nullopt;
        }
        if (args.size() < 2 || (args[0] != '0' && args[0] != '1') || args[1] != ',') {
            send_packet("E01");
            return std::nullopt;
        }
        std::string body = args.substr(2, args.find(';') == std::string::npos ? std::string::npos
                                                                              : args.find(';') - 2);
        if (!parse_pair(body, a, b)) {
            send_packet("E01");
        } else if (pkt[0] == 'Z') {
            bool ok = target_.insert_breakpoint(a);
            if (ok) breakpoints_.insert(a);
            send_packet(ok ? "OK" : "E01");
        } else {
            bool ok = target_.remove_breakpoint(a);
            breakpoints_.erase(a);
            send_packet(ok ? "OK" : "E01");
        }
        return std::nullopt;
    }
    case 'c':
    case 's':
    case 'C':
    case 'S': {
        // c [addr], s [addr]; C sig[;addr], S sig[;addr]: signals mean nothing to a bare CPU.
        std::string addr = args;
        if (pkt[0] == 'C' || pkt[0] == 'S')
            addr = args.find(';') == std::string::npos ? "" : args.substr(args.find(';') + 1);
        if (!addr.empty()) {
            if (!parse_hex(addr, a)) {
                send_packet("E01");
                return std::nullopt;
            }
            target_.write_reg(kPcReg, a);
        }
        return resume(pkt[0] == 's' || pkt[0] == 'S');
    }
    case 'v':
        if (pkt == "vCont?") {
            send_packet("vCont;c;C;s;S");
        } else if (starts_with(pkt, "vCont;")) {
            // One thread: the first action decides (e.g. "vCont;s:1;c" steps).
            char act = pkt.size() > 6 ? pkt[6] : '\0';
            if (act == 'c' || act == 'C' || act == 's' || act == 'S') return resume(act == 's' || act == 'S');
            send_packet("E01");
        } else if (starts_with(pkt, "vKill")) {
            send_packet("OK");
            return End::Killed;
        } else {
            send_packet("");  // vMustReplyEmpty, vFile, vRun, ...: not supported
        }
        return std::nullopt;
    case 'H':  // select thread: there is only one
    case 'T':  // is thread alive: it is
        send_packet("OK");
        return std::nullopt;
    case 'k':  // no reply expected
        return End::Killed;
    case 'D':
        send_packet("OK");
        return End::Detached;
    case 'q':
    case 'Q':
        if (pkt == "QStartNoAckMode") {
            send_packet("OK");  // still acknowledged by GDB; no acks from here on
            no_ack_ = true;
        } else {
            send_packet(handle_query(pkt));
        }
        return std::nullopt;
    default:
        send_packet("");  // unknown packet: the protocol's "not supported"
        return std::nullopt;
    }
}

std::string GdbStub::handle_query(const std::string& pkt) {
    if (starts_with(pkt, "qSupported")) {
        gdb_swbreak_ = pkt.find("swbreak+") != std::string::npos;
        return fmt::format("PacketSize={:x};qXfer:features:read+;swbreak+;QStartNoAckMode+", kMaxPacket);
    }
    if (starts_with(pkt, "qXfer:features:read:")) {
        // qXfer:features:read:ANNEX:OFFSET,LENGTH -> m<data> (more) or l<data> (last).
        std::string spec = pkt.substr(std::strlen("qXfer:features:read:"));
        size_t colon = spec.find(':');
        uint32_t off = 0, len = 0;
        if (colon == std::string::npos || !parse_pair(spec.substr(colon + 1), off, len)) return "E01";
        if (spec.substr(0, colon) != "target.xml") return "E00";
        const std::string xml = make_target_xml(target_.csrs());
        if (off >= xml.size()) return "l";
        std::string chunk = xml.substr(off, std::min<size_t>(len, kMaxPacket / 2));
        return (off + chunk.size() < xml.size() ? "m" : "l") + escape_binary(chunk);
    }
    if (starts_with(pkt, "qRcmd,")) {
        // monitor CMD: the command in hex; the answer as console output, then OK.
        std::vector<uint8_t> raw;
        if (!from_hex(pkt.substr(6), raw)) return "E01";
        const std::string cmd(raw.begin(), raw.end());
        auto out = target_.monitor(cmd);
        if (!out) out = fmt::format("unknown monitor command '{}'\n", cmd);
        if (!out->empty() && out->back() != '\n') *out += '\n';
        for (size_t off = 0; off < out->size(); off += kConsoleChunk) {
            std::string part = out->substr(off, kConsoleChunk);
            send_packet("O" + to_hex(reinterpret_cast<const uint8_t*>(part.data()), part.size()));
        }
        return "OK";
    }
    if (starts_with(pkt, "qAttached")) return "1";  // quitting GDB detaches, the board runs on
    if (pkt == "qC") return "QC1";
    if (pkt == "qfThreadInfo") return "m1";
    if (pkt == "qsThreadInfo") return "l";
    if (starts_with(pkt, "qSymbol")) return "OK";  // no symbols wanted
    return "";
}

std::string GdbStub::read_memory(uint32_t addr, uint32_t len) {
    // Short reads are allowed: cap the size, stop at the 4 GiB wrap, and when a
    // range runs into unmapped space return the readable prefix (GDB reads
    // across region ends while disassembling or printing).
    size_t n = std::min<uint64_t>({len, kMaxPacket, 0x100000000ull - addr});
    std::vector<uint8_t> buf(n);
    if (n == 0 || target_.read_mem(addr, buf.data(), uint32_t(n))) return to_hex(buf.data(), n);
    size_t ok = 0;
    while (ok < n && target_.read_mem(addr + uint32_t(ok), &buf[ok], 1)) ++ok;
    return ok ? to_hex(buf.data(), ok) : "E14";
}

bool GdbStub::poll_interrupt() {
    // Called by the running target: look at the socket without blocking. Ctrl-C
    // is a bare 0x03 byte; anything else is kept for the packet reader. A
    // vanished debugger also stops the target, so serve() can return.
    if (closed_) return true;
    pollfd l{listen_fd_, POLLIN, 0};
    if (poll(&l, 1, 0) > 0) refuse_second_client();
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, 0) <= 0) return false;
    char buf[512];
    ssize_t got = recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
    if (got == 0 || (got < 0 && errno != EAGAIN && errno != EINTR)) {
        closed_ = true;
        return true;
    }
    bool stop = false;
    for (ssize_t i = 0; i < got; ++i) {
        if (buf[i] == '\x03') stop = true;
        else if (rx_.size() < 2 * kMaxPacket) rx_ += buf[i];
    }
    return stop;
}

std::optional<GdbStub::End> GdbStub::resume(bool step) {
    // A Ctrl-C may have come in the same read as the resume packet.
    bool stop = false;
    if (size_t i = rx_.find('\x03'); i != std::string::npos) {
        rx_.erase(i, 1);
        stop = true;
    }
    StopEvent ev = target_.resume(step, [this, &stop] { return stop = stop || poll_interrupt(); });
    if (closed_) return End::Disconnected;

    static const char* kinds[] = {"breakpoint", "step", "interrupted", "exited", "fault", "watchpoint"};
    if (ev.kind == StopEvent::Kind::Exited) {
        log_ << fmt::format("gdb: stop: target exited with code {}\n", ev.exit_code) << std::flush;
        send_packet(fmt::format("W{:02x}", unsigned(ev.exit_code) & 0xff));
        return End::TargetExited;
    }
    log_ << fmt::format("gdb: stop: {} at pc 0x{:08x}\n", kinds[int(ev.kind)], target_.read_reg(kPcReg))
         << std::flush;
    if (ev.kind == StopEvent::Kind::Fault) {
        // The fault report goes to GDB's console as 'O' packets, allowed only
        // while GDB waits for the stop reply, i.e. right here.
        std::string text = ev.message.empty() ? "target fault" : ev.message;
        if (text.back() != '\n') text += '\n';
        for (size_t off = 0; off < text.size(); off += kConsoleChunk) {
            std::string part = text.substr(off, kConsoleChunk);
            send_packet("O" + to_hex(reinterpret_cast<const uint8_t*>(part.data()), part.size()));
        }
    }
    last_stop_ = stop_reply(ev);
    send_packet(last_stop_);
    return std::nullopt;
}

std::string GdbStub::stop_reply(const StopEvent& ev) {
    switch (ev.kind) {
    case StopEvent::Kind::Breakpoint:
        return gdb_swbreak_ ? "T05swbreak:;" : "T05";  // swbreak only if GDB asked for it
    case StopEvent::Kind::Step:
        return "T05";  // SIGTRAP
    case StopEvent::Kind::Interrupted:
        return "T02";  // SIGINT
    case StopEvent::Kind::Fault:
        return "T0b";  // SIGSEGV: GDB shows "Program received signal SIGSEGV"
    case StopEvent::Kind::Watchpoint: {
        const char* k = ev.watch == WatchKind::Write ? "watch" : ev.watch == WatchKind::Read ? "rwatch" : "awatch";
        return fmt::format("T05{}:{:x};", k, ev.watch_address);
    }
    case StopEvent::Kind::Exited:
        break;
    }
    return "W00";
}

}  // namespace mind1024::board
