#include "sysc/board/link_server.h"

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <optional>
#include <vector>

#include <fmt/format.h>
#include <systemc>
#include <tlm>

#include "sysc/board/host_port_driver.h"
#include "mind1024_board.h"
#include "mind1024_regs.h"
#include "sysc/board/platform.h"

namespace mind1024::board {

using namespace mind1024::link;

namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// Printable text for the log (a client name is the client's bytes).
std::string printable(const std::string& s) {
    std::string o;
    for (unsigned char c : s) o += (c >= 0x20 && c < 0x7F) ? static_cast<char>(c) : '?';
    return o;
}

Status from_tlm(tlm::tlm_response_status s) {
    switch (s) {
        case tlm::TLM_OK_RESPONSE: return Status::Ok;
        case tlm::TLM_ADDRESS_ERROR_RESPONSE: return Status::AddressError;
        case tlm::TLM_COMMAND_ERROR_RESPONSE: return Status::CommandError;
        case tlm::TLM_BURST_ERROR_RESPONSE: return Status::BurstError;
        case tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE: return Status::ByteEnableError;
        default: return Status::GenericError;  // generic, and a target that left it incomplete
    }
}

uint64_t to_ps(const sc_core::sc_time& t) {
    const double res_ps = sc_core::sc_get_time_resolution().to_seconds() * 1e12;
    if (res_ps >= 1) return static_cast<uint64_t>(t.value()) * static_cast<uint64_t>(std::llround(res_ps));
    return static_cast<uint64_t>(t.value()) / static_cast<uint64_t>(std::llround(1 / res_ps));
}

std::string seconds_text(uint64_t ps) { return fmt::format("{:g} s", static_cast<double>(ps) * 1e-12); }

struct Lingering {
    Connection conn;
    Clock::time_point until;
};

}  // namespace

struct LinkServer::Impl {
    Impl(Mind1024Board& b, HostPortDriver& d, LinkServerOptions o, const std::atomic<bool>& requested,
         LinkServerStats& s)
        : board(b), driver(d), opt(std::move(o)), listener(opt.listen), stop_requested(requested), stats(s) {
        if (!opt.log) opt.log = [](const std::string& s) { std::fprintf(stderr, "[link] %s\n", s.c_str()); };
        driver.set_interrupt_check([this] { return check_during_wait(); });
    }
    ~Impl() { driver.set_interrupt_check(nullptr); }

    Mind1024Board& board;
    HostPortDriver& driver;
    LinkServerOptions opt;
    Listener listener;
    const std::atomic<bool>& stop_requested;
    LinkServerStats& stats;

    // Why a wait was interrupted (HostPortDriver::Wait::Interrupted).
    enum class Interrupt { None, Stop, Gone, Timeout };
    Interrupt interrupted = Interrupt::None;
    bool aborting = false;  // the wait for an aborted run to end: only a stop interrupts it
    bool in_request = false;
    MsgType current = MsgType::None;
    Clock::time_point request_started, last_active;

    // The client being served.
    Connection client;
    uint64_t client_no = 0;
    bool hello_done = false;
    uint32_t next_seq = 1;
    uint64_t client_requests = 0;
    Clock::time_point accepted_at;
    std::string client_label;  // "client 3 (unix:... (pid 42), "name")"
    // Refused connections: their REFUSED is sent and their write side shut; they
    // are read until they close (so the refusal is not lost to a reset) or expire.
    std::vector<Lingering> lingering;
    std::string broken;  // why the simulation cannot go on

    void log(const std::string& s) const { opt.log(s); }

    bool stopping() const { return stop_requested.load() || (opt.stop && opt.stop->load()); }
    const std::atomic<bool>* cancel_flag() const { return opt.stop ? opt.stop : &stop_requested; }

    // What the client holding the board is doing, for a refusal.
    std::string holder_text() const {
        if (in_request)
            return fmt::format("{}, busy with {} for {:.0f} s", client_label, type_name(current), since(request_started));
        if (!hello_done) return fmt::format("{}, not past HELLO yet", client_label);
        return fmt::format("{}, idle for {:.0f} s{}", client_label, since(last_active),
                           opt.idle_timeout_s > 0 ? fmt::format(" (dropped at {:g} s)", opt.idle_timeout_s) : "");
    }

    // Between the slices of a wait: true ends it (the reason in `interrupted`).
    // A second client is refused here at once, not after the wait.
    bool check_during_wait() {
        if (aborting) return false;  // bounded: the neuron in flight finishes
        if (stopping()) {
            interrupted = Interrupt::Stop;
            return true;
        }
        if (client.peer_gone()) {
            interrupted = Interrupt::Gone;
            return true;
        }
        if (opt.request_timeout_s > 0 && since(request_started) >= opt.request_timeout_s) {
            interrupted = Interrupt::Timeout;
            return true;
        }
        std::vector<pollfd> fds;
        fds.push_back({listener.fd(), POLLIN, 0});
        for (const Lingering& l : lingering) fds.push_back({l.conn.fd(), POLLIN, 0});
        if (::poll(fds.data(), fds.size(), 0) >= 0) {
            service_lingering(fds, 1);
            if (fds[0].revents & POLLIN) accept_one(stats);
        }
        return false;
    }

    // A run the leaving client started must not hold the board: CTRL.ABORT (the
    // neuron in flight finishes), then the kernel runs until the chip is idle. Also
    // when the board stops, so the chip's thread is not left suspended mid-run.
    void abort_left_run() {
        if (!broken.empty()) return;
        try {
            if (!board.chip().state().busy) return;
            uint8_t v[4];
            for (int i = 0; i < 4; ++i) v[i] = static_cast<uint8_t>(uint32_t{MIND_CTRL_ABORT} >> (8 * i));
            driver.access(true, MIND_CHIP_BASE + MIND_REG_CTRL, v, 4);
            aborting = true;
            const HostPortDriver::Wait w = driver.wait_idle(limit_time(kNoLimit));
            aborting = false;
            ++stats.aborted;
            log(fmt::format("aborted the chip's run that {} left (at sweep {}){}", client_label,
                            board.chip().state().sweeps,
                            w == HostPortDriver::Wait::Done ? "" : "; the board stops before it ended"));
        } catch (const std::exception& e) {
            aborting = false;
            broken = e.what();
        }
    }

    uint64_t now_ps() const { return to_ps(driver.now()); }

    void send(Connection& c, const Frame& f) { c.send_frame(f, opt.send_timeout_s); }

    void drop_client(LinkServerStats& st, const std::string& why, bool error) {
        log(fmt::format("{} {}", client_label, why));
        if (error) ++st.dropped;
        client.close();
        hello_done = false;
        in_request = false;
        abort_left_run();
    }

    void refuse(Connection c, uint32_t seq, const std::string& reason, LinkServerStats& st) {
        ++st.refused;
        log(fmt::format("refused {}: {}", c.peer(), reason));
        try {
            Refused r;
            r.reason = reason;
            c.send_frame({seq, r}, 1.0);
        } catch (const LinkError&) {
            return;  // gone already
        }
        c.shutdown_write();
        if (lingering.size() >= 16) lingering.erase(lingering.begin());
        lingering.push_back({std::move(c), Clock::now() + std::chrono::seconds(2)});
    }

    // Answers a malformed or unexpected frame with BAD_REQUEST, then drops the client.
    void bad_request(LinkServerStats& st, uint32_t seq, MsgType req, const std::string& why) {
        Response r;
        r.request = is_request(req) ? req : MsgType::None;
        r.status = Status::BadRequest;
        r.time_ps = now_ps();
        r.message = why;
        try {
            send(client, {seq, r});
        } catch (const LinkError&) {
        }
        drop_client(st, fmt::format("dropped: {}", why), true);
    }

    sc_core::sc_time limit_time(uint64_t limit_ps) const {
        const sc_core::sc_time room = sc_core::sc_max_time() - driver.now();
        if (limit_ps == kNoLimit) return room;
        const sc_core::sc_time t(static_cast<double>(limit_ps), sc_core::SC_PS);
        return t < room ? t : room;
    }

    HelloOk hello_ok() const {
        const BoardConfig& c = board.config();
        HelloOk h;
        h.chip = c.chip;
        h.cpu_clock_hz = board.cpu() ? c.cpu.clock_hz : 0.0;
        h.max_block = kMaxBlockBytes;
        h.time_ps = now_ps();
        h.firmware = opt.firmware_name;
        h.board = opt.board_name;
        return h;
    }

    // BATCH: each operation as its own request would run it, the answers
    // gathered; the first that fails ends it with its status and a message naming it.
    Response execute_batch(const Batch& b) {
        Response r;
        r.request = MsgType::Batch;
        r.data.reserve(b.ops.size() * 4);
        guarded(r, [&] {
            for (size_t k = 0; k < b.ops.size() && r.status == Status::Ok; ++k) {
                const BatchOp& op = b.ops[k];
                uint8_t v[4] = {};
                std::string why;
                switch (op.kind) {
                    case BatchOp::Kind::Read32:
                        r.status = from_tlm(driver.access(false, op.addr, v, 4));
                        if (r.status == Status::Ok) r.data.insert(r.data.end(), v, v + 4);
                        break;
                    case BatchOp::Kind::WriteMasked:
                        r.status = from_tlm(driver.access(false, op.addr, v, 4));
                        if (r.status != Status::Ok) break;
                        put32(v, (get32(v) & ~op.mask) | (op.value & op.mask));
                        r.status = from_tlm(driver.access(true, op.addr, v, 4));
                        break;
                    case BatchOp::Kind::Write32:
                        put32(v, op.value);
                        r.status = from_tlm(driver.access(true, op.addr, v, 4));
                        break;
                    case BatchOp::Kind::WaitIdle: r.status = wait_idle(op.limit_ps, why); break;
                    case BatchOp::Kind::Time: {
                        const uint64_t t = now_ps();
                        for (int i = 0; i < 8; ++i) r.data.push_back(static_cast<uint8_t>(t >> (8 * i)));
                        break;
                    }
                }
                if (r.status != Status::Ok)
                    r.message = fmt::format("operation {} ({} at 0x{:08X}): {}", k, batch_op_name(op.kind), op.addr,
                                            why.empty() ? status_name(r.status) : why);
            }
        });
        return r;
    }

    static void put32(uint8_t* v, uint32_t x) {
        for (int i = 0; i < 4; ++i) v[i] = static_cast<uint8_t>(x >> (8 * i));
    }
    static uint32_t get32(const uint8_t* v) {
        return uint32_t{v[0]} | (uint32_t{v[1]} << 8) | (uint32_t{v[2]} << 16) | (uint32_t{v[3]} << 24);
    }

    Status wait_idle(uint64_t limit_ps, std::string& why) {
        switch (driver.wait_idle(limit_time(limit_ps))) {
            case HostPortDriver::Wait::Done: return Status::Ok;
            case HostPortDriver::Wait::TimeLimit:
                why = fmt::format("the chip was still busy after {} of simulated time", seconds_text(limit_ps));
                return Status::Timeout;
            case HostPortDriver::Wait::NothingToWaitFor:
                why = "the chip is still BUSY but nothing in the simulation can finish its run";
                return Status::Stalled;
            case HostPortDriver::Wait::Interrupted:
                why = interrupt_text("the chip was still busy");
                return Status::Timeout;
        }
        return Status::Ok;
    }

    // Runs f, turning a SystemC error into SIM_ERROR (after which the board serves no more
    // requests), and stamps the answer with the time.
    template <class F>
    void guarded(Response& r, F&& f) {
        try {
            f();
        } catch (const sc_core::sc_report& e) {
            broken = e.what();
            r.status = Status::SimError;
            r.message = fmt::format("SystemC stopped: {}", e.what());
            r.data.clear();
        } catch (const std::exception& e) {
            broken = e.what();
            r.status = Status::SimError;
            r.message = e.what();
            r.data.clear();
        }
        try {
            r.time_ps = now_ps();
        } catch (...) {
        }
    }

    std::string interrupt_text(const std::string& state) const {
        if (interrupted == Interrupt::Stop) return state + " when the board was told to stop";
        return fmt::format("{} after {:g} s of host time, the board's limit for one request (mind-board "
                           "--request-timeout), at {} of simulated time",
                           state, opt.request_timeout_s, seconds_text(now_ps()));
    }

    Response execute(const Message& m) {
        Response r;
        interrupted = Interrupt::None;
        r.request = type_of(m);
        const bool harmless = r.request == MsgType::Time || r.request == MsgType::Bye;
        if (!broken.empty() && !harmless) {
            r.status = Status::SimError;
            r.message = "the simulation stopped after an earlier error: " + broken;
            r.time_ps = now_ps();
            return r;
        }
        if (auto* b = std::get_if<Batch>(&m)) return execute_batch(*b);
        guarded(r, [&] {
            if (auto* x = std::get_if<Read32>(&m)) {
                uint8_t v[4] = {};
                r.status = from_tlm(driver.access(false, x->addr, v, 4));
                if (r.status == Status::Ok) r.data.assign(v, v + 4);
            } else if (auto* x = std::get_if<Write32>(&m)) {
                uint8_t v[4];
                put32(v, x->value);
                r.status = from_tlm(driver.access(true, x->addr, v, 4));
            } else if (auto* x = std::get_if<ReadBlock>(&m)) {
                r.data.resize(x->length);
                r.status = from_tlm(driver.access(false, x->addr, r.data.data(), x->length));
                if (r.status != Status::Ok) r.data.clear();
            } else if (auto* x = std::get_if<WriteBlock>(&m)) {
                std::vector<uint8_t> d = x->data;  // the target may not write, but the payload is not const
                r.status = from_tlm(driver.access(true, x->addr, d.data(), static_cast<uint32_t>(d.size())));
            } else if (auto* x = std::get_if<WaitIdle>(&m)) {
                r.status = wait_idle(x->limit_ps, r.message);
            } else if (auto* x = std::get_if<WaitReady>(&m)) {
                switch (driver.wait_ready(limit_time(x->limit_ps))) {
                    case HostPortDriver::Wait::Done: break;
                    case HostPortDriver::Wait::TimeLimit:
                        r.status = Status::Timeout;
                        r.message = fmt::format("the firmware did not set HOSTIF.READY within {} of simulated time",
                                                seconds_text(x->limit_ps));
                        break;
                    case HostPortDriver::Wait::NothingToWaitFor:
                        r.status = Status::Stalled;
                        r.message = "nothing on the board can set HOSTIF.READY (no firmware runs, it stopped, or it "
                                    "sleeps with no interrupt to come)";
                        break;
                    case HostPortDriver::Wait::Interrupted:
                        r.status = Status::Timeout;
                        r.message = interrupt_text("the firmware had not set HOSTIF.READY");
                        break;
                }
            }
            // TIME, BYE: nothing to do
        });
        return r;
    }

    // One frame from the client (it is readable).
    void serve_one(LinkServerStats& st) {
        Received in = client.recv_frame(opt.frame_timeout_s, next_seq);
        switch (in.status) {
            case RecvStatus::Ok: break;
            case RecvStatus::Closed:
                drop_client(st, fmt::format("closed the connection after {} requests", client_requests),
                            !hello_done);
                return;
            case RecvStatus::Timeout:
            case RecvStatus::Disconnected:
            case RecvStatus::IoError: drop_client(st, "dropped: " + in.message, true); return;
            case RecvStatus::Malformed: {
                // A header that is not ours carries no sequence number worth echoing.
                const uint32_t seq = in.header && in.error != DecodeError::BadMagic ? in.header->seq : 0;
                const MsgType t =
                    in.header && is_known_type(in.header->type) ? static_cast<MsgType>(in.header->type) : MsgType::None;
                if (in.error == DecodeError::BadVersion && !hello_done) {
                    Connection c = std::move(client);
                    hello_done = false;
                    refuse(std::move(c), seq, in.message, st);
                    return;
                }
                bad_request(st, seq, t, in.message);
                return;
            }
        }
        const Frame& f = in.frame;
        const MsgType t = type_of(f.msg);
        if (!is_request(t)) {
            bad_request(st, f.seq, t, fmt::format("{} is a board's message, not a request", type_name(t)));
            return;
        }
        if (!hello_done) {
            const auto* h = std::get_if<Hello>(&f.msg);
            if (!h) {
                bad_request(st, f.seq, t, fmt::format("the first message must be HELLO, not {}", type_name(t)));
                return;
            }
            if (h->version != kProtocolVersion) {
                Connection c = std::move(client);
                refuse(std::move(c), f.seq,
                       fmt::format("protocol version {} is not supported (this board speaks version {})", h->version,
                                   kProtocolVersion),
                       st);
                return;
            }
            client_label = fmt::format("client {} ({}, \"{}\")", client_no, client.peer(), printable(h->client));
            try {
                send(client, {f.seq, hello_ok()});
            } catch (const LinkError& e) {
                drop_client(st, fmt::format("dropped during HELLO: {}", e.what()), true);
                return;
            }
            hello_done = true;
            last_active = Clock::now();
            ++next_seq;
            ++st.clients;
            log(client_label + " connected");
            return;
        }
        if (t == MsgType::Hello) {
            bad_request(st, f.seq, t, "HELLO again on a link already open");
            return;
        }
        in_request = true;
        current = t;
        request_started = Clock::now();
        const Response r = execute(f.msg);
        in_request = false;
        ++next_seq;
        ++st.requests;
        ++client_requests;
        if (interrupted == Interrupt::Gone) {  // nobody to answer
            drop_client(st, fmt::format("left during {} ({:.1f} s into it)", type_name(t), since(request_started)),
                        true);
            return;
        }
        try {
            send(client, {f.seq, r});
        } catch (const LinkError& e) {
            drop_client(st, fmt::format("dropped while answering {}: {}", type_name(t), e.what()), true);
            return;
        }
        last_active = Clock::now();
        if (t == MsgType::Bye) drop_client(st, fmt::format("said BYE after {} requests", client_requests), false);
    }

    void accept_one(LinkServerStats& st) {
        std::optional<Connection> c;
        try {
            c = listener.accept(0);
        } catch (const LinkError& e) {
            log(e.what());
            return;
        }
        if (!c) return;
        if (client.is_open()) {
            refuse(std::move(*c), 0, fmt::format("another client is connected ({}); one client at a time", holder_text()),
                   st);
            return;
        }
        client = std::move(*c);
        client.set_cancel(cancel_flag());
        ++client_no;
        hello_done = false;
        next_seq = 1;
        client_requests = 0;
        accepted_at = Clock::now();
        client_label = fmt::format("client {} ({})", client_no, client.peer());
    }

    void service_lingering(const std::vector<pollfd>& fds, size_t first) {
        const auto now = Clock::now();
        std::vector<Lingering> keep;
        for (size_t i = 0; i < lingering.size(); ++i) {
            Lingering& l = lingering[i];
            bool done = now >= l.until;
            if (!done && (fds[first + i].revents & (POLLIN | POLLHUP | POLLERR))) {
                uint8_t sink[4096];
                const ssize_t k = ::recv(l.conn.fd(), sink, sizeof sink, MSG_DONTWAIT);
                if (k == 0 || (k < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) done = true;
            }
            if (!done) keep.push_back(std::move(l));
        }
        lingering = std::move(keep);
    }
};

LinkServer::LinkServer(Mind1024Board& board, HostPortDriver& driver, LinkServerOptions opt)
    : impl_(std::make_unique<Impl>(board, driver, std::move(opt), stop_requested_, stats_)) {
    if (!impl_->listener.note().empty()) impl_->log(fmt::format("{}: {}", impl_->listener.address(), impl_->listener.note()));
}

LinkServer::~LinkServer() = default;

std::string LinkServer::address() const { return impl_->listener.address(); }
uint16_t LinkServer::port() const { return impl_->listener.port(); }

std::string LinkServer::serve() {
    Impl& s = *impl_;
    auto idle_since = Clock::now();
    for (;;) {
        if (s.stopping()) {
            if (s.client.is_open()) s.drop_client(stats_, "disconnected: the board stops serving", false);
            else s.abort_left_run();
            return "stopped";
        }
        if (!s.client.is_open() && s.opt.accept_timeout_s >= 0 && since(idle_since) >= s.opt.accept_timeout_s) {
            return fmt::format("no client for {:g} s", s.opt.accept_timeout_s);
        }
        double wait_s = s.opt.poll_interval_s;
        if (!s.client.is_open() && s.opt.accept_timeout_s >= 0)
            wait_s = std::max(0.0, std::min(wait_s, s.opt.accept_timeout_s - since(idle_since)));

        std::vector<pollfd> fds;
        fds.push_back({s.client.is_open() ? s.client.fd() : -1, POLLIN, 0});
        fds.push_back({s.listener.fd(), POLLIN, 0});
        for (const Lingering& l : s.lingering) fds.push_back({l.conn.fd(), POLLIN, 0});
        const int n = link::poll_spinning(fds.data(), fds.size(), static_cast<int>(std::ceil(wait_s * 1000)));
        if (n < 0) {
            if (errno == EINTR) continue;
            return fmt::format("poll: {}", std::strerror(errno));
        }
        s.service_lingering(fds, 2);
        // The client first: one that says BYE makes room for a waiting one.
        if (s.client.is_open() && (fds[0].revents & (POLLIN | POLLHUP | POLLERR))) {
            s.serve_one(stats_);
            if (!s.client.is_open()) idle_since = Clock::now();
            // The answer (SIM_ERROR) is out; the simulation cannot go on, so neither does the board.
            if (!s.broken.empty()) {
                if (s.client.is_open()) s.drop_client(stats_, "disconnected: the simulation stopped", false);
                return "simulation error: " + s.broken;
            }
            if (s.opt.board_stopped) {
                const std::string why = s.opt.board_stopped();
                if (!why.empty()) {
                    if (s.client.is_open()) s.drop_client(stats_, "disconnected: " + why, false);
                    return why;
                }
            }
        }
        // A client that never says HELLO, or says nothing for long, does not hold the board.
        if (s.client.is_open() && !s.hello_done && since(s.accepted_at) >= s.opt.frame_timeout_s) {
            s.drop_client(stats_, fmt::format("dropped: no HELLO within {:g} s", s.opt.frame_timeout_s), true);
            idle_since = Clock::now();
        }
        if (s.client.is_open() && s.hello_done && s.opt.idle_timeout_s > 0 &&
            since(s.last_active) >= s.opt.idle_timeout_s) {
            s.drop_client(stats_,
                          fmt::format("dropped: silent for {:g} s after its last request (--idle-timeout)",
                                      s.opt.idle_timeout_s),
                          true);
            idle_since = Clock::now();
        }
        if (fds[1].revents & POLLIN) s.accept_one(stats_);
    }
}

}  // namespace mind1024::board
