#include "host/link/socket_transport.h"

#include <optional>

#include <cmath>
#include <cstring>
#include <stdexcept>

#include <fmt/format.h>

#include "host/board/errors.h"

namespace mind1024::host {

using namespace mind1024::link;

namespace {

// The TLM names, so messages read as the in-process transport's.
const char* tlm_name(Status s) {
    switch (s) {
        case Status::Ok: return "TLM_OK_RESPONSE";
        case Status::GenericError: return "TLM_GENERIC_ERROR_RESPONSE";
        case Status::AddressError: return "TLM_ADDRESS_ERROR_RESPONSE";
        case Status::CommandError: return "TLM_COMMAND_ERROR_RESPONSE";
        case Status::BurstError: return "TLM_BURST_ERROR_RESPONSE";
        case Status::ByteEnableError: return "TLM_BYTE_ENABLE_ERROR_RESPONSE";
        default: return status_name(s);
    }
}

bool is_bus_status(Status s) { return s >= Status::GenericError && s <= Status::ByteEnableError; }

uint64_t seconds_to_ps(double s) {
    if (!(s >= 0)) return 0;
    const double ps = s * 1e12;
    if (ps >= 1.8e19) return kNoLimit - 1;  // effectively unlimited, but a limit
    return static_cast<uint64_t>(std::llround(ps));
}

std::string access_text(bool write, uint32_t bytes, uint32_t addr) {
    return fmt::format("{} of {} bytes at board address 0x{:08X}", write ? "write" : "read", bytes, addr);
}

}  // namespace

SocketTransport::SocketTransport(const std::string& spec, const SocketTransportOptions& opt) : spec_(spec), opt_(opt) {
    try {
        conn_ = Connection::connect(spec, opt_.connect_timeout_s);
    } catch (const LinkError& e) {
        throw BoardError(fmt::format("cannot reach the board: {}", e.what()));
    }
    seq_ = 1;
    Hello h;
    h.client = opt_.client_name;
    try {
        conn_.send_frame({seq_, h}, opt_.timeout_s);
    } catch (const LinkError& e) {
        // A board that refused us may have answered and closed before our HELLO went out: read its reason.
        Received r = conn_.recv_frame(0.5);
        if (r.ok())
            if (auto* ref = std::get_if<Refused>(&r.frame.msg))
                throw BoardError(fmt::format("the board at {} refused the connection: {}", spec_, ref->reason));
        throw BoardError(fmt::format("the board at {} did not take the HELLO: {}", spec_, e.what()));
    }
    Received r = conn_.recv_frame(opt_.timeout_s);
    if (!r.ok()) {
        if (r.status == RecvStatus::Malformed && r.error == DecodeError::BadMagic)
            throw BoardError(fmt::format("{} is not a MIND 1024 board: {}", spec_, r.message));
        if (r.status == RecvStatus::Malformed && r.error == DecodeError::BadVersion && r.header)
            throw BoardError(fmt::format("the board at {} speaks link protocol version {}, this host speaks {}",
                                         spec_, r.header->version, kProtocolVersion));
        if (r.status == RecvStatus::Timeout)
            throw BoardError(fmt::format("the board at {} did not answer the HELLO within {:g} s", spec_,
                                         opt_.timeout_s));
        if (r.status == RecvStatus::Closed || r.status == RecvStatus::Disconnected)
            throw BoardError(fmt::format("the board at {} closed the connection during the HELLO", spec_));
        throw BoardError(fmt::format("the board at {} answered the HELLO with {}: {}", spec_,
                                     recv_status_name(r.status), r.message));
    }
    if (auto* ref = std::get_if<Refused>(&r.frame.msg))
        throw BoardError(fmt::format("the board at {} refused the connection: {}", spec_, ref->reason));
    if (auto* resp = std::get_if<Response>(&r.frame.msg))
        throw BoardError(fmt::format("the board at {} refused the HELLO ({}): {}", spec_, status_name(resp->status),
                                     resp->message));
    auto* ok = std::get_if<HelloOk>(&r.frame.msg);
    if (!ok)
        throw BoardError(fmt::format("the board at {} answered the HELLO with {}", spec_,
                                     type_name(type_of(r.frame.msg))));
    if (r.frame.seq != seq_)
        throw BoardError(fmt::format("the board at {} answered the HELLO (sequence {}) with sequence {}", spec_, seq_,
                                     r.frame.seq));
    if (ok->version != kProtocolVersion)
        throw BoardError(fmt::format("the board at {} speaks link protocol version {}, this host speaks {}", spec_,
                                     ok->version, kProtocolVersion));
    hello_ = *ok;
    params_ = ok->chip;
    try {
        params_.validate();
    } catch (const std::invalid_argument& e) {
        throw BoardError(fmt::format("the board at {} states chip parameters this host cannot take: {}", spec_,
                                     e.what()));
    }
    time_ps_ = ok->time_ps;
}

SocketTransport::~SocketTransport() {
    try {
        close();
    } catch (...) {
    }
}

void SocketTransport::close() {
    if (usable()) {
        const double saved = opt_.timeout_s;
        opt_.timeout_s = std::min(saved, 2.0);
        try {
            transact(Bye{});
        } catch (const std::exception&) {
        }
        opt_.timeout_s = saved;
    }
    conn_.close();
    if (broken_.empty()) broken_ = "the link was closed";
}

void SocketTransport::check_usable() const {
    if (!broken_.empty())
        throw BoardError(fmt::format("the link to the board at {} is down: {}", spec_, broken_));
}

void SocketTransport::fail(const std::string& what) {
    broken_ = what;
    conn_.close();
    throw BoardError(fmt::format("the board at {}: {}", spec_, what));
}

uint32_t SocketTransport::send(const Message& req) {
    check_usable();
    const uint32_t seq = ++seq_;
    try {
        conn_.send_frame({seq, req}, opt_.timeout_s);
    } catch (const LinkError& e) {
        fail(fmt::format("sending {}: {}", type_name(type_of(req)), e.what()));
    } catch (const std::length_error& e) {
        fail(e.what());
    }
    return seq;
}

Response SocketTransport::receive(MsgType type, uint32_t seq) {
    Received r = conn_.recv_frame(opt_.timeout_s, seq);
    switch (r.status) {
        case RecvStatus::Ok: break;
        case RecvStatus::Timeout:
            fail(fmt::format("no answer to {} within {:g} s (host time)", type_name(type), opt_.timeout_s));
        case RecvStatus::Closed:
        case RecvStatus::Disconnected:
            fail(fmt::format("the connection closed while waiting for the answer to {} ({})", type_name(type),
                             r.message));
        case RecvStatus::Malformed:
        case RecvStatus::IoError:
            fail(fmt::format("bad answer to {}: {}", type_name(type), r.message));
    }
    auto* resp = std::get_if<Response>(&r.frame.msg);
    if (!resp) fail(fmt::format("answered {} with {}", type_name(type), type_name(type_of(r.frame.msg))));
    if (resp->request != type && resp->status != Status::BadRequest)
        fail(fmt::format("answered {} with a response to {}", type_name(type), type_name(resp->request)));
    time_ps_ = resp->time_ps;
    if (resp->status == Status::SimError) fail(fmt::format("simulation error: {}", resp->message));
    if (resp->status == Status::BadRequest)
        fail(fmt::format("the board refused {} as a bad request: {}", type_name(type), resp->message));
    return std::move(*resp);
}

void SocketTransport::settle(size_t keep) {
    // After a failed write, the answers to the writes behind it are read too, so the
    // link stays in step; the first failure is the one reported.
    std::optional<std::pair<Response, PendingWrite>> failed;
    while (pending_.size() > keep || (failed && !pending_.empty())) {
        PendingWrite w = pending_.front();
        pending_.pop_front();
        Response r = receive(w.type, w.seq);
        if (r.status != Status::Ok && !failed) failed.emplace(std::move(r), std::move(w));
    }
    if (failed) check_status(failed->first, failed->second.addr, failed->second.what);
}

void SocketTransport::post_write(const Message& req, uint32_t addr, std::string what) {
    settle(kWriteWindow - 1);
    const MsgType type = type_of(req);
    pending_.push_back({type, send(req), addr, std::move(what)});
}

Response SocketTransport::transact(const Message& req) {
    settle(0);
    return receive(type_of(req), send(req));
}

void SocketTransport::check_status(const Response& r, uint32_t addr, const std::string& what) {
    if (r.status == Status::Ok) return;
    if (is_bus_status(r.status))
        throw BusError(fmt::format("{} failed: {}{}", what, tlm_name(r.status),
                                   r.message.empty() ? "" : " (" + r.message + ")"),
                       addr);
    throw BoardError(fmt::format("{} on the board at {}: {} ({})", what, spec_, r.message, status_name(r.status)));
}

uint32_t SocketTransport::chunk() const { return std::min(hello_.max_block, kMaxBlockBytes) & ~3u; }

uint32_t SocketTransport::board_read32(uint32_t addr) {
    const Response r = transact(Read32{addr});
    check_status(r, addr, access_text(false, 4, addr));
    if (r.data.size() != 4) fail(fmt::format("READ32 answered with {} data bytes", r.data.size()));
    return uint32_t{r.data[0]} | (uint32_t{r.data[1]} << 8) | (uint32_t{r.data[2]} << 16) |
           (uint32_t{r.data[3]} << 24);
}

void SocketTransport::board_write32(uint32_t addr, uint32_t v) {
    post_write(Write32{addr, v}, addr, access_text(true, 4, addr));
}

void SocketTransport::board_read_block(uint32_t addr, void* dst, uint32_t bytes) {
    if (uint64_t{addr} + bytes > (uint64_t{1} << 32))
        throw BusError(fmt::format("{} is beyond the board's 32-bit bus", access_text(false, bytes, addr)), addr);
    auto* out = static_cast<uint8_t*>(dst);
    for (uint32_t done = 0; done < bytes;) {
        const uint32_t n = std::min(bytes - done, chunk());
        const Response r = transact(ReadBlock{addr + done, n});
        check_status(r, addr + done, access_text(false, n, addr + done));
        if (r.data.size() != n) fail(fmt::format("READ_BLOCK of {} bytes answered with {}", n, r.data.size()));
        std::memcpy(out + done, r.data.data(), n);
        done += n;
    }
}

void SocketTransport::board_write_block(uint32_t addr, const void* src, uint32_t bytes) {
    if (uint64_t{addr} + bytes > (uint64_t{1} << 32))
        throw BusError(fmt::format("{} is beyond the board's 32-bit bus", access_text(true, bytes, addr)), addr);
    const auto* in = static_cast<const uint8_t*>(src);
    for (uint32_t done = 0; done < bytes;) {
        const uint32_t n = std::min(bytes - done, chunk());
        WriteBlock w;
        w.addr = addr + done;
        w.data.assign(in + done, in + done + n);
        post_write(w, addr + done, access_text(true, n, addr + done));
        done += n;
    }
}

void SocketTransport::wait_idle() {
    const Response r = transact(WaitIdle{kNoLimit});
    if (r.status == Status::Stalled)
        throw BoardError(fmt::format("the board at {}: {}", spec_, r.message));
    check_status(r, 0, "waiting for the chip to be idle");
}

void SocketTransport::wait_idle_for(double limit_s) {
    const Response r = transact(WaitIdle{seconds_to_ps(limit_s)});
    if (r.status == Status::Timeout)
        throw BoardError(fmt::format("the chip on the board at {} was still busy after {:g} s of simulated time",
                                     spec_, limit_s));
    if (r.status == Status::Stalled) throw BoardError(fmt::format("the board at {}: {}", spec_, r.message));
    check_status(r, 0, "waiting for the chip to be idle");
}

void SocketTransport::wait_ready(double limit_s) {
    const Response r = transact(WaitReady{seconds_to_ps(limit_s)});
    if (r.status == Status::Timeout)
        throw BoardError(fmt::format("the firmware did not answer within {:g} s of simulated time (board at {})",
                                     limit_s, spec_));
    if (r.status == Status::Stalled)
        throw BoardError(fmt::format("the firmware cannot answer (board at {}): {}", spec_, r.message));
    check_status(r, 0, "waiting for the firmware");
}

// A host BusOp is the link's BatchOp of the same name (kinds numbered from 1 on the wire).
static_assert(static_cast<int>(BatchOp::Kind::Read32) == static_cast<int>(BusOp::Kind::Read32) + 1 &&
              static_cast<int>(BatchOp::Kind::Write32) == static_cast<int>(BusOp::Kind::Write32) + 1 &&
              static_cast<int>(BatchOp::Kind::WriteMasked) == static_cast<int>(BusOp::Kind::WriteMasked) + 1 &&
              static_cast<int>(BatchOp::Kind::WaitIdle) == static_cast<int>(BusOp::Kind::WaitIdle) + 1 &&
              static_cast<int>(BatchOp::Kind::Time) == static_cast<int>(BusOp::Kind::Time) + 1);

BusAnswers SocketTransport::run_ops(const std::vector<BusOp>& ops) {
    BusAnswers a;
    for (size_t first = 0; first < ops.size();) {
        Batch b;
        uint64_t answer = 0;
        size_t end = first;
        for (; end < ops.size() && end - first < kMaxBatchOps; ++end) {
            const BusOp& op = ops[end];
            BatchOp x;
            x.kind = static_cast<BatchOp::Kind>(static_cast<int>(op.kind) + 1);
            x.addr = op.addr, x.value = op.value, x.mask = op.mask;
            if (answer + batch_answer_bytes(x.kind) > chunk()) break;
            answer += batch_answer_bytes(x.kind);
            b.ops.push_back(x);
        }
        const Response r = transact(b);
        if (r.status == Status::Stalled || r.status == Status::Timeout)
            throw BoardError(fmt::format("the board at {}: BATCH {}", spec_, r.message));
        check_status(r, 0, "BATCH");
        if (r.data.size() != answer)
            fail(fmt::format("BATCH of {} operations answered with {} data bytes, not {}", b.ops.size(), r.data.size(),
                             answer));
        size_t at = 0;
        for (const BatchOp& x : b.ops) {
            if (x.kind == BatchOp::Kind::Read32) {
                a.reads.push_back(uint32_t{r.data[at]} | (uint32_t{r.data[at + 1]} << 8) |
                                  (uint32_t{r.data[at + 2]} << 16) | (uint32_t{r.data[at + 3]} << 24));
            } else if (x.kind == BatchOp::Kind::Time) {
                uint64_t t = 0;
                for (int i = 0; i < 8; ++i) t |= uint64_t{r.data[at + i]} << (8 * i);
                a.times.push_back(static_cast<double>(t) * 1e-12);
            }
            at += batch_answer_bytes(x.kind);
        }
        first = end;
    }
    return a;
}

double SocketTransport::query_time() {
    const Response r = transact(TimeRequest{});
    check_status(r, 0, "TIME");
    return now_seconds();
}

}  // namespace mind1024::host
