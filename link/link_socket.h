// The host link's sockets: listen specs `unix:PATH` and `tcp:HOST:PORT`,
// connections that send and receive whole frames with time limits.
//
// - A unix PATH that exists is replaced only when it is a stale socket (no
//   process accepts on it); anything else there is refused and named.
// - `tcp:HOST:0` listens on any free port; port() says which.
// - send_frame: MSG_NOSIGNAL (a closed peer is an error, never SIGPIPE), a time limit.
// - recv_frame: poll() time limits; the header first, checked against its cap,
//   then the payload, read as it arrives (a hostile length allocates nothing
//   until the bytes come); a peer that disconnects mid-frame is a clean error.
// - TCP connections (both ends) have keepalive on: a peer that vanishes without
//   a FIN (power, network) is an error within about a minute, not never.
// - set_cancel(): a flag (e.g. set by a signal handler) that ends any wait of a
//   send or receive within 0.1 s (LinkError / IoError "cancelled").
#pragma once
#include <poll.h>
#include <atomic>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

#include "link/frame.h"

namespace mind1024::link {

// Socket-level failures (bad spec, bind, connect, I/O, timeouts on send).
struct LinkError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// A negative timeout waits forever.
constexpr double kForever = -1.0;

// poll(2) that first looks without blocking for up to kSpinMicros (a link's
// answers come within microseconds; sleeping and waking costs more than that).
constexpr int kSpinMicros = 200;
int poll_spinning(pollfd* fds, size_t n, int timeout_ms);

struct Endpoint {
    enum class Kind { Unix, Tcp } kind = Kind::Unix;
    std::string path;  // unix
    std::string host;  // tcp
    uint16_t port = 0;
    std::string describe() const;  // "unix:PATH" / "tcp:HOST:PORT"
};
// Throws LinkError naming the spec and what is wrong with it.
Endpoint parse_endpoint(const std::string& spec);

enum class RecvStatus {
    Ok,
    Closed,        // the peer closed the connection between frames
    Timeout,       // nothing (or not the whole frame) within the limit
    Disconnected,  // the peer closed the connection in the middle of a frame
    Malformed,     // the bytes are not a valid frame (error, message; header when it was read)
    IoError,
};
const char* recv_status_name(RecvStatus s);

struct Received {
    RecvStatus status = RecvStatus::Ok;
    Frame frame;                   // when Ok
    std::optional<Header> header;  // when the header's bytes were read (also for most Malformed)
    DecodeError error = DecodeError::None;
    std::string message;           // what went wrong, for the log
    bool ok() const { return status == RecvStatus::Ok; }
};

class Connection {
public:
    Connection() = default;
    Connection(int fd, std::string peer);
    Connection(Connection&& o) noexcept;
    Connection& operator=(Connection&& o) noexcept;
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;
    ~Connection();

    // Connects to a listening board; throws LinkError naming the spec and the cause.
    static Connection connect(const std::string& spec, double timeout_s);
    // Both ends of a socketpair (tests).
    static std::pair<Connection, Connection> pair();

    // Throws LinkError on a closed peer, an I/O error or the time limit.
    void send_frame(const Frame& f, double timeout_s);
    void send_bytes(const uint8_t* p, size_t n, double timeout_s);
    // One frame within timeout_s; with expected_seq, another number is Malformed (OutOfOrder).
    Received recv_frame(double timeout_s, std::optional<uint32_t> expected_seq = std::nullopt);
    // True when a byte (or EOF) can be read within timeout_s.
    bool wait_readable(double timeout_s) const;

    // Sends and receives stop waiting within 0.1 s of *flag becoming true.
    void set_cancel(const std::atomic<bool>* flag) { cancel_ = flag; }
    // True when the peer has closed or reset the connection (or it failed), without reading.
    bool peer_gone() const;

    bool is_open() const { return fd_ >= 0; }
    int fd() const { return fd_; }
    const std::string& peer() const { return peer_; }
    void shutdown_write();
    void close();

private:
    int fd_ = -1;
    std::string peer_;
    const std::atomic<bool>* cancel_ = nullptr;
};

class Listener {
public:
    // Binds and listens; throws LinkError naming the spec and the cause.
    explicit Listener(const std::string& spec);
    Listener(const Listener&) = delete;
    Listener& operator=(const Listener&) = delete;
    ~Listener();  // closes; removes the unix socket file if it is still this listener's

    // A client within timeout_s, or nothing.
    std::optional<Connection> accept(double timeout_s);
    int fd() const { return fd_; }
    uint16_t port() const { return port_; }   // tcp: the port bound (useful with port 0)
    std::string address() const;              // "unix:PATH" / "tcp:HOST:PORT" (the real port)
    const std::string& note() const { return note_; }  // e.g. "replaced a stale socket"

private:
    Endpoint ep_;
    int fd_ = -1;
    uint16_t port_ = 0;
    uint64_t dev_ = 0, ino_ = 0;  // the unix socket file this listener made
    std::string note_;
};

}  // namespace mind1024::link
