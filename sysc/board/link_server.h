// LinkServer: the board's end of the host link (`mind-board --listen`).
//
// Serves one client at a time on a listen spec (unix:PATH, tcp:HOST:PORT),
// answering each request through the HostPortDriver: bare-mode bus accesses
// (chip registers, synapse window, SRAM, mailbox and buffer), waits for the
// chip's idle and the firmware's READY with a simulated-time limit, the time.
// The loop runs in the caller's thread outside sc_start: simulated time stands
// still while no request is being served.
//
// - A second client while one is served gets REFUSED with the reason, and the
//   first goes on (the listening socket is polled between requests).
// - A client that disconnects mid-frame or mid-command leaves the board
//   serving the next one; one that stalls mid-frame is dropped after
//   frame_timeout_s, one silent between requests after idle_timeout_s.
// - Every request is bounded: a wait runs the kernel in slices and between
//   them looks at the client (gone: the wait ends), the stop flag, the
//   listener (a second client is refused at once, told what the first is
//   doing) and request_timeout_s (the wait is answered TIMEOUT).
// - A client that leaves (BYE, EOF, reset, keepalive, dropped) while the chip
//   is BUSY has its run aborted (CTRL.ABORT), so the next one finds it idle.
// - Malformed frames get BAD_REQUEST where a reply can be framed, a wrong
//   protocol version REFUSED; then that connection is dropped.
// - A SystemC error (sc_report) in a request becomes SIM_ERROR with its
//   message; the simulation cannot go on after it, so serve() returns
//   ("simulation error: ...") once that answer is sent.
// - One line per connection, refusal and drop goes to the log (stderr).
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "link/frame.h"
#include "link/link_socket.h"

namespace mind1024::board {

class Mind1024Board;
class HostPortDriver;

struct LinkServerOptions {
    std::string listen;                 // unix:PATH | tcp:HOST:PORT
    double accept_timeout_s = -1;       // serve() returns once no client has been connected this long (< 0: never)
    double frame_timeout_s = 10;        // a client silent this long in the middle of a frame is dropped
    double send_timeout_s = 10;         // a client that does not take an answer this long is dropped
    double idle_timeout_s = 300;        // a client silent this long between requests is dropped (<= 0: never)
    double request_timeout_s = 55;      // host time a wait may take; then it is answered TIMEOUT (<= 0: never)
    double poll_interval_s = 0.1;       // how often `stop` is looked at while idle
    const std::atomic<bool>* stop = nullptr;  // serve() returns soon after it becomes true
    std::function<void(const std::string&)> log;  // one line per event; default: stderr, "[link] ..."
    std::string firmware_name;          // stated in HELLO_OK ("" without firmware)
    std::string board_name = "MIND 1024 virtual board (SystemC)";
    // Asked after each request; a non-empty answer (why) ends serve(), e.g. "the firmware exited".
    std::function<std::string()> board_stopped;
};

struct LinkServerStats {
    uint64_t clients = 0;   // HELLOs answered
    uint64_t refused = 0;   // refused connections (second client, wrong version)
    uint64_t dropped = 0;   // connections dropped on an error (not BYE or a clean close)
    uint64_t requests = 0;  // requests answered after HELLO
    uint64_t aborted = 0;   // chip runs aborted because their client left
};

class LinkServer {
public:
    // Listens at once (a LinkError names the spec and the cause). Construct the
    // driver before sc_start; the server itself may come later.
    LinkServer(Mind1024Board& board, HostPortDriver& driver, LinkServerOptions opt);
    ~LinkServer();

    std::string address() const;  // the real address (tcp: the port bound)
    uint16_t port() const;
    // Serves until `stop`, the accept timeout, request_stop(), board_stopped or a
    // SIM_ERROR; returns why ("stopped", "no client for 5 s", board_stopped's
    // answer, "simulation error: ..."). It may be called again (not after a SIM_ERROR).
    std::string serve();
    void request_stop() { stop_requested_ = true; }  // async-signal-safe
    const LinkServerStats& stats() const { return stats_; }

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
    std::atomic<bool> stop_requested_{false};
    LinkServerStats stats_;
};

}  // namespace mind1024::board
