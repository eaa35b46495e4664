// libFuzzer harness for the host link's frame decoder (link/frame.h).
// The input is a byte stream as a board or a host would receive it: frames
// are taken one after another (header, its cap, then the payload) until the
// bytes run out or one is refused. Findings: crashes, sanitizer reports,
// leaks, over-allocation (-rss_limit_mb, -malloc_limit_mb), and any broken
// invariant below (__builtin_trap):
//   - a refusal always carries a message; an accepted header's length is
//     within its type's cap and kMaxPayloadBytes;
//   - an accepted frame re-encodes to exactly the bytes it came from;
//   - decode_frame over one frame's bytes agrees with header + payload;
//   - with an expected sequence number, only that number is accepted.
// Built by tests/fuzz/CMakeLists.txt (MIND1024_FUZZ) and run by scripts/fuzz.sh,
// seeds in tests/fuzz/corpus/frame_decoder/; by hand:
//   build-fuzz/tests/fuzz/fuzz_frame_decoder -max_total_time=60 -max_len=70000 \
//     -rss_limit_mb=2048 -malloc_limit_mb=64 CORPUS_DIR
#include <cstddef>
#include <cstdint>
#include <vector>

#include "link/frame.h"

using namespace mind1024::link;

namespace {

void check(bool ok) {
    if (!ok) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    size_t pos = 0;
    uint32_t expected = 0;
    for (int frames = 0; frames < 64 && pos < size; ++frames) {
        const uint8_t* p = data + pos;
        const size_t left = size - pos;
        Header h;
        const DecodeResult hr = decode_header(p, left, h);
        if (!hr.ok()) {
            check(!hr.message.empty());
            break;
        }
        check(h.length <= max_payload(static_cast<MsgType>(h.type)) && h.length <= kMaxPayloadBytes);
        if (left - kHeaderBytes < h.length) {
            // A stream that stops inside a payload: decode_frame must say truncated.
            Frame f;
            check(decode_frame(p, left, f).error == DecodeError::TruncatedPayload);
            break;
        }
        const size_t n = kHeaderBytes + h.length;
        Message m;
        const DecodeResult pr = decode_payload(h, p + kHeaderBytes, h.length, m);
        Frame f;
        const DecodeResult fr = decode_frame(p, n, f);
        check(pr.ok() == fr.ok() && pr.error == fr.error);
        if (!pr.ok()) {
            check(!pr.message.empty());
            break;
        }
        check(f.seq == h.seq && type_of(f.msg) == static_cast<MsgType>(h.type));
        const std::vector<uint8_t> again = encode_frame(f);
        check(again.size() == n);
        for (size_t i = 0; i < n; ++i) check(again[i] == p[i]);
        // Sequence checking: the frame's own number passes, any other is OutOfOrder.
        Frame g;
        check(decode_frame(p, n, g, h.seq).ok());
        check(decode_frame(p, n, g, h.seq + 1).error == DecodeError::OutOfOrder);
        if (frames > 0 && h.seq != expected) check(check_seq(h.seq, expected).error == DecodeError::OutOfOrder);
        expected = h.seq + 1;
        // One more byte is trailing.
        if (n < left) check(decode_frame(p, n + 1, g).error == DecodeError::TrailingBytes);
        pos += n;
    }
    return 0;
}
