// GdbStub: a GDB remote serial protocol server over TCP for one RV32 DebugTarget.
// Protocol only (GDB manual, "Remote Protocol"): all-stop mode, one thread,
// software breakpoints, target.xml for riscv:rv32. No SystemC, no Unicorn.
//
//   GdbStub stub(cpu, "tcp:127.0.0.1:1234", std::cerr);
//   auto end = stub.serve();   // blocks until exit, kill, detach or disconnect
//
// Not thread-safe: one serve() at a time, from one thread.
#pragma once
#include <chrono>
#include <cstdint>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <tuple>

#include "sysc/board/gdb/debug_target.h"

namespace mind1024::board {

class GdbStub {
public:
    // spec "tcp:HOST:PORT": HOST a name or address (IPv6 in brackets; empty = all
    // interfaces, as gdbserver does), PORT 0 = pick a free port (see port()).
    // Binds and listens here; throws std::runtime_error with a clear message.
    GdbStub(DebugTarget& target, const std::string& listen_spec, std::ostream& log);
    ~GdbStub();
    GdbStub(const GdbStub&) = delete;
    GdbStub& operator=(const GdbStub&) = delete;

    uint16_t port() const { return port_; }

    // Waits for one debugger connection (throws std::runtime_error after
    // accept_timeout) and serves it until the target exits (W sent), the debugger
    // kills (k) or detaches (D), or the connection drops. Breakpoints GDB left
    // inserted are removed before returning, so the caller may let the target
    // run on. May be called again for the next connection.
    enum class End { TargetExited, Killed, Detached, Disconnected };
    End serve(std::optional<std::chrono::milliseconds> accept_timeout = std::nullopt);

    // Largest packet payload accepted from GDB (advertised as PacketSize).
    static constexpr size_t kMaxPacket = 4096;

private:
    enum class Read { Packet, Closed };
    Read read_packet(std::string& payload);
    int fill(int timeout_ms);  // 1: got bytes, 0: timeout, -1: connection gone
    void send_packet(const std::string& payload);
    void send_raw(const std::string& bytes);
    void close_connection();

    // Returns an End when the packet ends the session.
    std::optional<End> handle(const std::string& pkt);
    std::optional<End> resume(bool step);
    std::string handle_query(const std::string& pkt);
    std::string read_memory(uint32_t addr, uint32_t len);
    std::string stop_reply(const StopEvent& ev);
    bool poll_interrupt();

    DebugTarget& target_;
    std::ostream& log_;
    int listen_fd_ = -1;
    uint16_t port_ = 0;

    // Per connection.
    int fd_ = -1;
    bool closed_ = false;        // peer went away or a send failed
    std::string rx_;             // bytes received, not consumed yet
    bool no_ack_ = false;        // after QStartNoAckMode
    bool gdb_swbreak_ = false;   // GDB said swbreak+ in qSupported
    std::string last_sent_;      // framed, for retransmission on '-'
    int retransmits_ = 0;
    std::string last_stop_ = "S05";
    std::set<uint32_t> breakpoints_;  // inserted through Z, removed at session end
    std::set<std::tuple<int, uint32_t, uint32_t>> watchpoints_;  // (kind, address, length), likewise
    void refuse_second_client();  // a connection while a session runs: told why, closed
};

}  // namespace mind1024::board
