// SocketTransport: the host's Transport over the link to a board process
// (`mind-board --listen unix:PATH | tcp:HOST:PORT`). Plain C++: no SystemC.
//
// Construction connects and says HELLO; the board's HELLO_OK gives the chip's
// parameters (chip_params()) and the simulated time. Every call is one request
// and its response (block transfers are chunked under the board's max_block),
// each with a host wall-clock time limit, so a board that never answers is a
// BoardError, not a hang. A TLM error status is a BusError with the address; a
// wait's simulated-time limit, a stalled wait and the board's own errors are
// BoardErrors. After a link failure (time limit, disconnect, malformed answer,
// the board's SIM_ERROR or BAD_REQUEST) the transport refuses further calls.
//
// Simulated time stands still on the board between requests, so now_seconds()
// is the time of the last answer without another round trip.
#pragma once
#include <cstdint>
#include <deque>
#include <string>

#include "link/frame.h"
#include "link/link_socket.h"
#include "host/board/transport.h"

namespace mind1024::host {

struct SocketTransportOptions {
    double timeout_s = 60.0;         // host wall-clock limit for each answer
    double connect_timeout_s = 10.0;
    std::string client_name = "mind1024 host";
};

class SocketTransport : public Transport {
public:
    // `spec`: unix:PATH or tcp:HOST:PORT. Throws BoardError naming the board and the cause.
    explicit SocketTransport(const std::string& spec, const SocketTransportOptions& opt = {});
    ~SocketTransport() override;  // says BYE (best effort, short limits)

    uint32_t board_read32(uint32_t addr) override;
    void board_write32(uint32_t addr, uint32_t v) override;
    void board_read_block(uint32_t addr, void* dst, uint32_t bytes) override;
    void board_write_block(uint32_t addr, const void* src, uint32_t bytes) override;
    void wait_idle() override;
    void wait_ready(double limit_s) override;
    double now_seconds() const override { return static_cast<double>(time_ps_) * 1e-12; }
    // One BATCH request per kMaxBatchOps operations (fewer if their answers would not fit).
    BusAnswers run_ops(const std::vector<BusOp>& ops) override;
    std::string name() const override { return spec_; }
    ChipParams chip_params() const override { return params_; }

    const link::HelloOk& hello() const { return hello_; }
    // Asks the board for its time (TIME); normally equal to now_seconds().
    double query_time();
    // Chip-only board waits: like wait_idle(), with a simulated-time limit (a BoardError naming it).
    void wait_idle_for(double limit_s);
    // Says BYE and closes; later calls are BoardErrors.
    void close();
    bool usable() const { return broken_.empty() && conn_.is_open(); }

    // Writes are pipelined: sent without waiting, their answers checked before the
    // next read, wait or close (a failed write is reported there, naming its address).
    static constexpr size_t kWriteWindow = 64;

private:
    struct PendingWrite {
        link::MsgType type;
        uint32_t seq, addr;
        std::string what;
    };
    link::Response transact(const link::Message& req);
    uint32_t send(const link::Message& req);
    link::Response receive(link::MsgType type, uint32_t seq);
    void post_write(const link::Message& req, uint32_t addr, std::string what);
    // Reads answers to pipelined writes until at most `keep` are outstanding; throws for a failed one.
    void settle(size_t keep);
    [[noreturn]] void fail(const std::string& what);
    void check_usable() const;
    // Throws for a response whose status is not OK (`what`: e.g. "read of 4 bytes at board address 0x...").
    void check_status(const link::Response& r, uint32_t addr, const std::string& what);
    uint32_t chunk() const;

    std::string spec_;
    SocketTransportOptions opt_;
    link::Connection conn_;
    link::HelloOk hello_;
    ChipParams params_;
    uint32_t seq_ = 0;
    uint64_t time_ps_ = 0;
    std::deque<PendingWrite> pending_;
    std::string broken_;
};

}  // namespace mind1024::host
