#include "link/frame.h"

#include <cmath>
#include <cstring>
#include <stdexcept>

#include <fmt/format.h>

namespace mind1024::link {

namespace {

// ---- little-endian writer
struct Writer {
    std::vector<uint8_t>& out;
    void u8(uint8_t v) { out.push_back(v); }
    void u16(uint16_t v) {
        for (int i = 0; i < 2; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
    }
    void u32(uint32_t v) {
        for (int i = 0; i < 4; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
    }
    void u64(uint64_t v) {
        for (int i = 0; i < 8; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
    }
    void f64(double d) {
        uint64_t v;
        std::memcpy(&v, &d, 8);
        u64(v);
    }
    void text(const std::string& s) {
        const size_t n = std::min<size_t>(s.size(), kMaxTextBytes);
        u16(static_cast<uint16_t>(n));
        out.insert(out.end(), s.begin(), s.begin() + static_cast<std::ptrdiff_t>(n));
    }
    void bytes(const std::vector<uint8_t>& b) { out.insert(out.end(), b.begin(), b.end()); }
    // A chip parameter by its type: uint32_t as u32, double as f64.
    void put(uint32_t v) { u32(v); }
    void put(double v) { f64(v); }
};

uint16_t get16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }
uint32_t get32(const uint8_t* p) {
    return uint32_t{p[0]} | (uint32_t{p[1]} << 8) | (uint32_t{p[2]} << 16) | (uint32_t{p[3]} << 24);
}
uint64_t get64(const uint8_t* p) { return uint64_t{get32(p)} | (uint64_t{get32(p + 4)} << 32); }

// ---- bounds-checked reader: the first failure sticks, later reads return zeros.
struct Reader {
    Reader(const uint8_t* p, size_t n, const char* what) : p(p), n(n), what(what) {}
    const uint8_t* p;
    size_t n;
    const char* what;  // the message type, for errors
    size_t pos = 0;
    DecodeResult err;

    bool fail(DecodeError e, std::string m) {
        if (err.ok()) err = {e, std::move(m)};
        return false;
    }
    bool need(size_t k, const char* field) {
        if (!err.ok()) return false;
        if (n - pos < k)
            return fail(DecodeError::TruncatedPayload,
                        fmt::format("{} payload ends inside its field '{}' ({} bytes, {} more needed)", what, field,
                                    n, pos + k - n));
        return true;
    }
    uint16_t u16(const char* f) {
        if (!need(2, f)) return 0;
        pos += 2;
        return get16(p + pos - 2);
    }
    uint32_t u32(const char* f) {
        if (!need(4, f)) return 0;
        pos += 4;
        return get32(p + pos - 4);
    }
    uint64_t u64(const char* f) {
        if (!need(8, f)) return 0;
        pos += 8;
        return get64(p + pos - 8);
    }
    double f64(const char* f) {
        const uint64_t v = u64(f);
        double d;
        std::memcpy(&d, &v, 8);
        return d;
    }
    void get(uint32_t& v, const char* f) { v = u32(f); }
    void get(double& v, const char* f) { v = f64(f); }
    std::string text(const char* f) {
        const uint16_t len = u16(f);
        if (!err.ok()) return {};
        if (len > kMaxTextBytes) {
            fail(DecodeError::BadField,
                 fmt::format("{} field '{}' is {} bytes long, the limit is {}", what, f, len, kMaxTextBytes));
            return {};
        }
        if (!need(len, f)) return {};
        pos += len;
        return std::string(reinterpret_cast<const char*>(p + pos - len), len);
    }
    std::vector<uint8_t> bytes(size_t len, const char* f) {
        if (!need(len, f)) return {};
        pos += len;
        return std::vector<uint8_t>(p + pos - len, p + pos);
    }
    DecodeResult finish() {
        if (err.ok() && pos != n)
            fail(DecodeError::TrailingBytes,
                 fmt::format("{} payload has {} bytes after its last field ({} of {} used)", what, n - pos, pos, n));
        return err;
    }
};

struct TypeInfo {
    MsgType type;
    const char* name;
    uint32_t max;  // payload cap
};

constexpr uint32_t kTextMax = 2 + kMaxTextBytes;
const TypeInfo kTypes[] = {
    {MsgType::Hello, "HELLO", 4 + kTextMax},
    {MsgType::HelloOk, "HELLO_OK", 6 * 4 + 2 * 8 + 4 + 8 + 2 * kTextMax},
    {MsgType::Refused, "REFUSED", 4 + kTextMax},
    {MsgType::Read32, "READ32", 4},
    {MsgType::Write32, "WRITE32", 8},
    {MsgType::ReadBlock, "READ_BLOCK", 8},
    {MsgType::WriteBlock, "WRITE_BLOCK", 8 + kMaxBlockBytes},
    {MsgType::WaitIdle, "WAIT_IDLE", 8},
    {MsgType::WaitReady, "WAIT_READY", 8},
    {MsgType::Time, "TIME", 0},
    {MsgType::Bye, "BYE", 0},
    {MsgType::Batch, "BATCH", 4 + kMaxBatchOps * (1 + 12)},
    {MsgType::Response, "RESPONSE", 2 + 2 + 8 + 4 + kMaxBlockBytes + kTextMax},
};

const TypeInfo* info(uint16_t raw) {
    for (const TypeInfo& t : kTypes)
        if (static_cast<uint16_t>(t.type) == raw) return &t;
    return nullptr;
}

bool is_known_status(uint16_t s) { return s <= 5 || (s >= 16 && s <= 19); }

DecodeResult ok() { return {}; }
DecodeResult bad(DecodeError e, std::string m) { return {e, std::move(m)}; }

}  // namespace

const char* type_name(MsgType t) { return type_name(static_cast<uint16_t>(t)); }

const char* batch_op_name(BatchOp::Kind k) {
    switch (k) {
        case BatchOp::Kind::Read32: return "READ32";
        case BatchOp::Kind::Write32: return "WRITE32";
        case BatchOp::Kind::WriteMasked: return "WRITE_MASKED";
        case BatchOp::Kind::WaitIdle: return "WAIT_IDLE";
        case BatchOp::Kind::Time: return "TIME";
    }
    return "unknown";
}
// The largest batch's answers (a TIME each) fit one response.
static_assert(uint64_t{kMaxBatchOps} * 8 <= kMaxBlockBytes, "a BATCH's answers must fit a RESPONSE");

uint32_t batch_answer_bytes(BatchOp::Kind k) {
    return k == BatchOp::Kind::Read32 ? 4 : k == BatchOp::Kind::Time ? 8 : 0;
}
const char* type_name(uint16_t raw) {
    if (raw == 0) return "NONE";
    const TypeInfo* i = info(raw);
    return i ? i->name : "unknown";
}

const char* status_name(Status s) {
    switch (s) {
        case Status::Ok: return "OK";
        case Status::GenericError: return "GENERIC_ERROR";
        case Status::AddressError: return "ADDRESS_ERROR";
        case Status::CommandError: return "COMMAND_ERROR";
        case Status::BurstError: return "BURST_ERROR";
        case Status::ByteEnableError: return "BYTE_ENABLE_ERROR";
        case Status::Timeout: return "TIMEOUT";
        case Status::BadRequest: return "BAD_REQUEST";
        case Status::SimError: return "SIM_ERROR";
        case Status::Stalled: return "STALLED";
    }
    return "unknown";
}

const char* decode_error_name(DecodeError e) {
    switch (e) {
        case DecodeError::None: return "none";
        case DecodeError::TruncatedHeader: return "truncated header";
        case DecodeError::BadMagic: return "bad magic";
        case DecodeError::BadVersion: return "unsupported protocol version";
        case DecodeError::UnknownType: return "unknown message type";
        case DecodeError::Oversized: return "oversized payload";
        case DecodeError::TruncatedPayload: return "truncated payload";
        case DecodeError::TrailingBytes: return "trailing bytes";
        case DecodeError::BadField: return "bad field";
        case DecodeError::OutOfOrder: return "out-of-order sequence number";
    }
    return "unknown";
}

bool is_known_type(uint16_t raw) { return info(raw) != nullptr; }

bool is_request(MsgType t) {
    switch (t) {
        case MsgType::Hello:
        case MsgType::Read32:
        case MsgType::Write32:
        case MsgType::ReadBlock:
        case MsgType::WriteBlock:
        case MsgType::WaitIdle:
        case MsgType::WaitReady:
        case MsgType::Time:
        case MsgType::Bye:
        case MsgType::Batch: return true;
        default: return false;
    }
}

uint32_t max_payload(MsgType t) {
    const TypeInfo* i = info(static_cast<uint16_t>(t));
    return i ? i->max : 0;
}

MsgType type_of(const Message& m) {
    struct V {
        MsgType operator()(const Hello&) const { return MsgType::Hello; }
        MsgType operator()(const HelloOk&) const { return MsgType::HelloOk; }
        MsgType operator()(const Refused&) const { return MsgType::Refused; }
        MsgType operator()(const Read32&) const { return MsgType::Read32; }
        MsgType operator()(const Write32&) const { return MsgType::Write32; }
        MsgType operator()(const ReadBlock&) const { return MsgType::ReadBlock; }
        MsgType operator()(const WriteBlock&) const { return MsgType::WriteBlock; }
        MsgType operator()(const WaitIdle&) const { return MsgType::WaitIdle; }
        MsgType operator()(const Batch&) const { return MsgType::Batch; }
        MsgType operator()(const WaitReady&) const { return MsgType::WaitReady; }
        MsgType operator()(const TimeRequest&) const { return MsgType::Time; }
        MsgType operator()(const Bye&) const { return MsgType::Bye; }
        MsgType operator()(const Response&) const { return MsgType::Response; }
    };
    return std::visit(V{}, m);
}

// ---------------------------------------------------------------- encoding

void encode_header(const Header& h, uint8_t out[kHeaderBytes]) {
    std::vector<uint8_t> v;
    Writer w{v};
    w.u32(h.magic);
    w.u16(h.version);
    w.u16(h.type);
    w.u32(h.seq);
    w.u32(h.length);
    std::memcpy(out, v.data(), kHeaderBytes);
}

void encode_frame(const Frame& f, std::vector<uint8_t>& out) {
    const size_t start = out.size();
    out.resize(start + kHeaderBytes);
    Writer w{out};
    const MsgType type = type_of(f.msg);
    auto check_block = [](size_t n, const char* what) {
        if (n > kMaxBlockBytes)
            throw std::length_error(fmt::format("{} of {} bytes: a frame carries at most {}", what, n, kMaxBlockBytes));
    };
    std::visit(
        [&](const auto& m) {
            using T = std::decay_t<decltype(m)>;
            if constexpr (std::is_same_v<T, Hello>) {
                w.u32(m.version);
                w.text(m.client);
            } else if constexpr (std::is_same_v<T, HelloOk>) {
                w.u32(m.version);
#define MIND1024_X(member, type, def, name, option, lo, hi, unit, help) w.put(m.chip.member);
                MIND1024_CHIP_PARAMETERS(MIND1024_X)
#undef MIND1024_X
                w.f64(m.cpu_clock_hz);
                w.u32(m.max_block);
                w.u64(m.time_ps);
                w.text(m.firmware);
                w.text(m.board);
            } else if constexpr (std::is_same_v<T, Refused>) {
                w.u32(m.version);
                w.text(m.reason);
            } else if constexpr (std::is_same_v<T, Read32>) {
                w.u32(m.addr);
            } else if constexpr (std::is_same_v<T, Write32>) {
                w.u32(m.addr);
                w.u32(m.value);
            } else if constexpr (std::is_same_v<T, ReadBlock>) {
                w.u32(m.addr);
                w.u32(m.length);
            } else if constexpr (std::is_same_v<T, WriteBlock>) {
                check_block(m.data.size(), "WRITE_BLOCK");
                w.u32(m.addr);
                w.u32(static_cast<uint32_t>(m.data.size()));
                w.bytes(m.data);
            } else if constexpr (std::is_same_v<T, WaitIdle> || std::is_same_v<T, WaitReady>) {
                w.u64(m.limit_ps);
            } else if constexpr (std::is_same_v<T, Batch>) {
                if (m.ops.empty() || m.ops.size() > kMaxBatchOps)
                    throw std::length_error(fmt::format("BATCH of {} operations: 1..{}", m.ops.size(), kMaxBatchOps));
                w.u32(static_cast<uint32_t>(m.ops.size()));
                for (const BatchOp& op : m.ops) {
                    w.u8(static_cast<uint8_t>(op.kind));
                    switch (op.kind) {
                        case BatchOp::Kind::Read32: w.u32(op.addr); break;
                        case BatchOp::Kind::Write32: w.u32(op.addr), w.u32(op.value); break;
                        case BatchOp::Kind::WriteMasked: w.u32(op.addr), w.u32(op.value), w.u32(op.mask); break;
                        case BatchOp::Kind::WaitIdle: w.u64(op.limit_ps); break;
                        case BatchOp::Kind::Time: break;
                    }
                }
            } else if constexpr (std::is_same_v<T, Response>) {
                check_block(m.data.size(), "RESPONSE data");
                w.u16(static_cast<uint16_t>(m.request));
                w.u16(static_cast<uint16_t>(m.status));
                w.u64(m.time_ps);
                w.u32(static_cast<uint32_t>(m.data.size()));
                w.bytes(m.data);
                w.text(m.message);
            }
            // TimeRequest, Bye: no payload
        },
        f.msg);
    Header h;
    h.type = static_cast<uint16_t>(type);
    h.seq = f.seq;
    h.length = static_cast<uint32_t>(out.size() - start - kHeaderBytes);
    encode_header(h, out.data() + start);
}

std::vector<uint8_t> encode_frame(const Frame& f) {
    std::vector<uint8_t> out;
    encode_frame(f, out);
    return out;
}

// ---------------------------------------------------------------- decoding

DecodeResult decode_header(const uint8_t* p, size_t n, Header& h) {
    if (n < kHeaderBytes)
        return bad(DecodeError::TruncatedHeader,
                   fmt::format("frame header is {} bytes, want {}", n, kHeaderBytes));
    h.magic = get32(p);
    h.version = get16(p + 4);
    h.type = get16(p + 6);
    h.seq = get32(p + 8);
    h.length = get32(p + 12);
    if (h.magic != kMagic)
        return bad(DecodeError::BadMagic,
                   fmt::format("bad magic 0x{:08X} (want 0x{:08X}, \"MLNK\"): not a MIND 1024 link frame", h.magic,
                               kMagic));
    if (h.version != kProtocolVersion)
        return bad(DecodeError::BadVersion,
                   fmt::format("protocol version {} is not supported (this end speaks version {})", h.version,
                               kProtocolVersion));
    const TypeInfo* t = info(h.type);
    if (!t) return bad(DecodeError::UnknownType, fmt::format("unknown message type 0x{:04X}", h.type));
    if (h.length > t->max)
        return bad(DecodeError::Oversized,
                   fmt::format("{} payload length {} is above its cap of {} bytes", t->name, h.length, t->max));
    return ok();
}

DecodeResult decode_payload(const Header& h, const uint8_t* p, size_t n, Message& m) {
    const TypeInfo* t = info(h.type);
    if (!t) return bad(DecodeError::UnknownType, fmt::format("unknown message type 0x{:04X}", h.type));
    if (n != h.length)
        return bad(n < h.length ? DecodeError::TruncatedPayload : DecodeError::TrailingBytes,
                   fmt::format("{} payload is {} bytes, its header says {}", t->name, n, h.length));
    Reader r(p, n, t->name);
    switch (t->type) {
        case MsgType::Hello: {
            Hello v;
            v.version = r.u32("version");
            v.client = r.text("client");
            m = std::move(v);
            break;
        }
        case MsgType::HelloOk: {
            HelloOk v;
            v.version = r.u32("version");
#define MIND1024_X(member, type, def, name, option, lo, hi, unit, help) r.get(v.chip.member, #member);
            MIND1024_CHIP_PARAMETERS(MIND1024_X)
#undef MIND1024_X
            v.cpu_clock_hz = r.f64("cpu_clock_hz");
            v.max_block = r.u32("max_block");
            v.time_ps = r.u64("time_ps");
            v.firmware = r.text("firmware");
            v.board = r.text("board");
            if (r.err.ok()) {
                if (!std::isfinite(v.chip.clock_hz) || v.chip.clock_hz <= 0)
                    r.fail(DecodeError::BadField, fmt::format("HELLO_OK chip clock {} Hz is not a positive number",
                                                              v.chip.clock_hz));
                else if (!std::isfinite(v.cpu_clock_hz) || v.cpu_clock_hz < 0)
                    r.fail(DecodeError::BadField,
                           fmt::format("HELLO_OK CPU clock {} Hz is not a number >= 0", v.cpu_clock_hz));
                else if (v.max_block < 4 || v.max_block > kMaxBlockBytes)
                    r.fail(DecodeError::BadField,
                           fmt::format("HELLO_OK max_block {} is outside 4..{}", v.max_block, kMaxBlockBytes));
            }
            m = std::move(v);
            break;
        }
        case MsgType::Refused: {
            Refused v;
            v.version = r.u32("version");
            v.reason = r.text("reason");
            m = std::move(v);
            break;
        }
        case MsgType::Read32: m = Read32{r.u32("addr")}; break;
        case MsgType::Write32: {
            Write32 v;
            v.addr = r.u32("addr");
            v.value = r.u32("value");
            m = v;
            break;
        }
        case MsgType::ReadBlock: {
            ReadBlock v;
            v.addr = r.u32("addr");
            v.length = r.u32("length");
            if (r.err.ok() && (v.length == 0 || v.length > kMaxBlockBytes))
                r.fail(DecodeError::BadField,
                       fmt::format("READ_BLOCK length {} is outside 1..{}", v.length, kMaxBlockBytes));
            m = v;
            break;
        }
        case MsgType::WriteBlock: {
            WriteBlock v;
            v.addr = r.u32("addr");
            const uint32_t len = r.u32("length");
            if (r.err.ok() && (len == 0 || len > kMaxBlockBytes))
                r.fail(DecodeError::BadField, fmt::format("WRITE_BLOCK length {} is outside 1..{}", len, kMaxBlockBytes));
            else if (r.err.ok() && len != n - r.pos)
                r.fail(len > n - r.pos ? DecodeError::TruncatedPayload : DecodeError::TrailingBytes,
                       fmt::format("WRITE_BLOCK says {} data bytes, its payload holds {}", len, n - r.pos));
            else
                v.data = r.bytes(len, "data");
            m = std::move(v);
            break;
        }
        case MsgType::WaitIdle: m = WaitIdle{r.u64("limit_ps")}; break;
        case MsgType::WaitReady: m = WaitReady{r.u64("limit_ps")}; break;
        case MsgType::Time: m = TimeRequest{}; break;
        case MsgType::Bye: m = Bye{}; break;
        case MsgType::Batch: {
            Batch v;
            const uint32_t count = r.u32("count");
            if (r.err.ok() && (count == 0 || count > kMaxBatchOps))
                r.fail(DecodeError::BadField, fmt::format("BATCH count {} is outside 1..{}", count, kMaxBatchOps));
            // Each operation takes at least its kind byte: a count the payload cannot hold is refused
            // before anything is allocated for it.
            else if (r.err.ok() && count > n - r.pos)
                r.fail(DecodeError::TruncatedPayload,
                       fmt::format("BATCH says {} operations, its payload holds at most {}", count, n - r.pos));
            if (r.err.ok()) v.ops.reserve(count);
            for (uint32_t k = 0; r.err.ok() && k < count; ++k) {
                BatchOp op;
                const uint8_t kind = r.need(1, "kind") ? r.p[r.pos++] : 0;
                if (!r.err.ok()) break;
                op.kind = static_cast<BatchOp::Kind>(kind);
                switch (op.kind) {
                    case BatchOp::Kind::Read32: op.addr = r.u32("addr"); break;
                    case BatchOp::Kind::Write32: op.addr = r.u32("addr"), op.value = r.u32("value"); break;
                    case BatchOp::Kind::WriteMasked:
                        op.addr = r.u32("addr"), op.value = r.u32("value"), op.mask = r.u32("mask");
                        break;
                    case BatchOp::Kind::WaitIdle: op.limit_ps = r.u64("limit_ps"); break;
                    case BatchOp::Kind::Time: break;
                    default:
                        r.fail(DecodeError::BadField, fmt::format("BATCH operation {} has unknown kind {}", k, kind));
                        continue;
                }
                v.ops.push_back(op);
            }
            m = std::move(v);
            break;
        }
        case MsgType::Response: {
            Response v;
            const uint16_t req = r.u16("request");
            const uint16_t st = r.u16("status");
            v.time_ps = r.u64("time_ps");
            const uint32_t len = r.u32("data_length");
            if (r.err.ok() && req != 0 && !(is_known_type(req) && is_request(static_cast<MsgType>(req))))
                r.fail(DecodeError::BadField, fmt::format("RESPONSE answers type 0x{:04X}, not a request", req));
            else if (r.err.ok() && !is_known_status(st))
                r.fail(DecodeError::BadField, fmt::format("RESPONSE status {} is unknown", st));
            else if (r.err.ok() && len > kMaxBlockBytes)
                r.fail(DecodeError::BadField,
                       fmt::format("RESPONSE data length {} is above the cap of {}", len, kMaxBlockBytes));
            v.request = static_cast<MsgType>(req);
            v.status = static_cast<Status>(st);
            v.data = r.bytes(len, "data");
            v.message = r.text("message");
            m = std::move(v);
            break;
        }
        case MsgType::None: break;
    }
    return r.finish();
}

DecodeResult check_seq(uint32_t seq, std::optional<uint32_t> expected_seq) {
    if (expected_seq && seq != *expected_seq)
        return bad(DecodeError::OutOfOrder, fmt::format("out-of-order sequence number {}, expected {}", seq, *expected_seq));
    return ok();
}

DecodeResult decode_frame(const uint8_t* p, size_t n, Frame& f, std::optional<uint32_t> expected_seq) {
    Header h;
    DecodeResult r = decode_header(p, n, h);
    if (!r) return r;
    const size_t have = n - kHeaderBytes;
    if (have < h.length)
        return bad(DecodeError::TruncatedPayload,
                   fmt::format("{} frame ends after {} of its {} payload bytes", type_name(h.type), have, h.length));
    if (have > h.length)
        return bad(DecodeError::TrailingBytes,
                   fmt::format("{} bytes after the end of a {} frame", have - h.length, type_name(h.type)));
    r = decode_payload(h, p + kHeaderBytes, h.length, f.msg);
    if (!r) return r;
    r = check_seq(h.seq, expected_seq);
    if (!r) return r;
    f.seq = h.seq;
    return ok();
}

}  // namespace mind1024::link
