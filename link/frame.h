// The host link's framing: a fixed little-endian header, then the payload.
//
//   offset size field
//   0      4    magic    "MLNK" (0x4D 0x4C 0x4E 0x4B; u32 LE 0x4B4E4C4D)
//   4      2    version  protocol version (kProtocolVersion)
//   6      2    type     MsgType
//   8      4    seq      sequence number: a client numbers its requests 1, 2, 3, ...
//                        (HELLO is 1); a response carries its request's number
//   12     4    length   payload bytes that follow (at most max_payload(type))
//
// Encoding and decoding are pure functions over byte buffers. The decoder never
// throws on hostile bytes and never allocates more than the frame it is given:
// every refusal is a DecodeError with a message naming the field and its value.
// See docs/host-protocol.md, "The link (socket framing)".
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "sysc/chip_params.h"

namespace mind1024::link {

constexpr uint32_t kMagic = 0x4B4E4C4Du;  // "MLNK" on the wire
constexpr uint16_t kProtocolVersion = 1;
constexpr size_t kHeaderBytes = 16;
// One READ_BLOCK / WRITE_BLOCK moves at most this much; longer transfers are chunked.
constexpr uint32_t kMaxBlockBytes = 4u << 20;
// Text fields (names, reasons, messages) carry at most this many bytes; the
// encoder truncates longer text, the decoder refuses it.
constexpr uint32_t kMaxTextBytes = 4096;
// The largest payload of any message (a block plus its own fields and a message).
constexpr uint32_t kMaxPayloadBytes = kMaxBlockBytes + 64 + kMaxTextBytes;
// A wait with no simulated-time limit.
constexpr uint64_t kNoLimit = UINT64_MAX;
// One BATCH carries at most this many operations.
constexpr uint32_t kMaxBatchOps = 1u << 16;

enum class MsgType : uint16_t {
    None = 0,  // only in a Response that answers a frame whose type was not known
    Hello = 0x01,
    HelloOk = 0x02,
    Refused = 0x03,
    Read32 = 0x10,
    Write32 = 0x11,
    ReadBlock = 0x12,
    WriteBlock = 0x13,
    WaitIdle = 0x14,
    WaitReady = 0x15,
    Time = 0x16,
    Bye = 0x17,
    Batch = 0x18,
    Response = 0x80,
};

// Response status: the TLM response statuses, then the link's own.
enum class Status : uint16_t {
    Ok = 0,
    GenericError = 1,     // TLM_GENERIC_ERROR_RESPONSE (also an incomplete response)
    AddressError = 2,     // TLM_ADDRESS_ERROR_RESPONSE: nothing at that address
    CommandError = 3,     // TLM_COMMAND_ERROR_RESPONSE: e.g. a write to a read-only register
    BurstError = 4,       // TLM_BURST_ERROR_RESPONSE: a length the target does not take
    ByteEnableError = 5,  // TLM_BYTE_ENABLE_ERROR_RESPONSE
    Timeout = 16,         // a wait reached its simulated-time limit
    BadRequest = 17,      // the request was malformed or not allowed now (the board then drops the link)
    SimError = 18,        // the simulation raised an error (message); it cannot go on
    Stalled = 19,         // a wait can never end: nothing in the simulation can make it happen
};

struct Hello {
    uint32_t version = kProtocolVersion;
    std::string client;  // free text, for the board's log
};
struct HelloOk {
    uint32_t version = kProtocolVersion;
    ChipParams chip;           // every chip parameter, in the table's order (sysc/chip_params.h)
    double cpu_clock_hz = 0;   // the controller's clock; 0: a chip-only board
    uint32_t max_block = kMaxBlockBytes;  // the largest block this board takes in one request
    uint64_t time_ps = 0;                 // simulated time now
    std::string firmware;                 // the firmware's name, empty without one
    std::string board;                    // the board's name
};
struct Refused {
    uint32_t version = kProtocolVersion;  // the version the board speaks
    std::string reason;
};
struct Read32 {
    uint32_t addr = 0;
};
struct Write32 {
    uint32_t addr = 0, value = 0;
};
struct ReadBlock {
    uint32_t addr = 0, length = 0;  // 1..kMaxBlockBytes
};
struct WriteBlock {
    uint32_t addr = 0;
    std::vector<uint8_t> data;  // 1..kMaxBlockBytes
};
struct WaitIdle {
    uint64_t limit_ps = kNoLimit;  // simulated time
};
struct WaitReady {
    uint64_t limit_ps = kNoLimit;
};
struct TimeRequest {};
struct Bye {};
// A list of bus operations the board runs in order, as if each were its own
// request, answering once: a host's per-item sequence (state, START, wait,
// read-back) without a round trip per access. The answer's data holds, in
// order, 4 bytes per READ32 and 8 (time_ps) per TIME; the first operation that
// fails ends the batch, and the answer's status and message are its own.
struct BatchOp {
    enum class Kind : uint8_t { Read32 = 1, Write32 = 2, WriteMasked = 3, WaitIdle = 4, Time = 5 };
    Kind kind = Kind::Read32;
    uint32_t addr = 0, value = 0;
    uint32_t mask = 0;             // WRITE_MASKED: new = (old & ~mask) | (value & mask)
    uint64_t limit_ps = kNoLimit;  // WAIT_IDLE
};
struct Batch {
    std::vector<BatchOp> ops;  // 1..kMaxBatchOps; their answers at most kMaxBlockBytes
};
const char* batch_op_name(BatchOp::Kind k);
// The answer bytes an operation adds (READ32 4, TIME 8, else 0).
uint32_t batch_answer_bytes(BatchOp::Kind k);
struct Response {
    MsgType request = MsgType::None;  // the type of the request it answers
    Status status = Status::Ok;
    uint64_t time_ps = 0;        // simulated time after the request
    std::vector<uint8_t> data;   // READ32: 4 bytes, READ_BLOCK: the block; else empty
    std::string message;         // why, when the status is not OK
};

using Message = std::variant<Hello, HelloOk, Refused, Read32, Write32, ReadBlock, WriteBlock, WaitIdle, WaitReady,
                             TimeRequest, Bye, Batch, Response>;

struct Frame {
    uint32_t seq = 0;
    Message msg;
};

struct Header {
    uint32_t magic = kMagic;
    uint16_t version = kProtocolVersion;
    uint16_t type = 0;
    uint32_t seq = 0;
    uint32_t length = 0;
};

enum class DecodeError {
    None,
    TruncatedHeader,   // fewer than kHeaderBytes bytes
    BadMagic,
    BadVersion,
    UnknownType,
    Oversized,         // length above the type's cap
    TruncatedPayload,  // fewer bytes than the header's length, or than the payload's fields need
    TrailingBytes,     // bytes after the frame, or after the payload's fields
    BadField,          // a field out of its range (a status, a text too long, a zero length, ...)
    OutOfOrder,        // a sequence number other than the one expected
};

struct DecodeResult {
    DecodeError error = DecodeError::None;
    std::string message;
    bool ok() const { return error == DecodeError::None; }
    explicit operator bool() const { return ok(); }
};

const char* type_name(MsgType t);
const char* type_name(uint16_t raw);  // "unknown" for a type this version does not know
const char* status_name(Status s);
const char* decode_error_name(DecodeError e);
bool is_known_type(uint16_t raw);
bool is_request(MsgType t);  // a client's message (HELLO .. BYE)
MsgType type_of(const Message& m);
// The payload bytes a message of type `t` may have at most (the header's cap).
uint32_t max_payload(MsgType t);

// ---- encoding (the caller's own frames: a block longer than kMaxBlockBytes is a
// std::length_error; text longer than kMaxTextBytes is truncated)
void encode_frame(const Frame& f, std::vector<uint8_t>& out);  // appends
std::vector<uint8_t> encode_frame(const Frame& f);
// A raw header, for tests and for answering a frame of another version.
void encode_header(const Header& h, uint8_t out[kHeaderBytes]);

// ---- decoding
// The first kHeaderBytes of `p`: magic, version, a known type, the length cap.
// On BadVersion, UnknownType and Oversized, `h` still holds what was read.
DecodeResult decode_header(const uint8_t* p, size_t n, Header& h);
// The payload of a frame whose header decode_header accepted; exactly n == h.length bytes.
DecodeResult decode_payload(const Header& h, const uint8_t* p, size_t n, Message& m);
// One whole frame, exactly n bytes (no more, no less); with `expected_seq`, a
// different sequence number is OutOfOrder.
DecodeResult decode_frame(const uint8_t* p, size_t n, Frame& f, std::optional<uint32_t> expected_seq = std::nullopt);
DecodeResult check_seq(uint32_t seq, std::optional<uint32_t> expected_seq);

}  // namespace mind1024::link
