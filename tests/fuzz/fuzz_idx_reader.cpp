// libFuzzer harness for the IDX reader (host/data/idx_reader.h): raw files,
// gzip, concatenated gzip members and trailing bytes. The first byte chooses
// the container and the entry point; the rest is the payload P:
//   mode 0: P is the file as it is (raw, or gzip if P starts with 1f 8b);
//   mode 1: the file is P gzipped (one member);
//   mode 2: P split into 2..5 pieces, each gzipped, members concatenated;
//   mode 3: P gzipped, then a few raw bytes of P appended (trailing garbage).
// Entry point: read_idx (any magic), read_idx_images or read_idx_labels.
// Findings: crashes, sanitizer reports, leaks, and broken invariants:
//   - an accepted file's data is exactly the product of its dimensions, and
//     for modes 1 and 2 exactly P after its header; mode 1/2 and the raw file P
//     give the same answer (accept/refuse, and the same dims and data);
//   - no single allocation exceeds what the input implies. The bound: the
//     raw file's size (the reader checks the header against the file size
//     before allocating), or for gzip twice the total decompressed length
//     (the buffer grows by doubling only as data arrives) with the reader's
//     1 MiB first step; plus 256 KiB for zlib's state, the 128 KiB input
//     buffer and streams. The harness measures the decompressed length itself
//     (inflating every member, capped at 64 MiB) and watches every malloc/new
//     through a sanitizer malloc hook (fuzz_common.h). -malloc_limit_mb=64 in
//     scripts/fuzz.sh is the coarse backstop that stops a huge allocation
//     before it happens; the hook is the input-relative check.
#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "tests/fuzz/fuzz_common.h"
#include "host/data/idx_reader.h"

using namespace mind1024::host;
using namespace mind1024::fuzz;

namespace {

std::vector<uint8_t> gzip(const uint8_t* p, size_t n, int level) {
    z_stream z{};
    if (deflateInit2(&z, level, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK) __builtin_trap();
    std::vector<uint8_t> out(deflateBound(&z, n) + 32);
    z.next_in = const_cast<uint8_t*>(p);
    z.avail_in = static_cast<uInt>(n);
    z.next_out = out.data();
    z.avail_out = static_cast<uInt>(out.size());
    if (deflate(&z, Z_FINISH) != Z_STREAM_END) __builtin_trap();
    out.resize(z.total_out);
    deflateEnd(&z);
    return out;
}

// Total decompressed bytes of every gzip member at the start of f (what the
// reader can possibly produce), capped.
uint64_t gunzipped_length(const std::vector<uint8_t>& f) {
    constexpr uint64_t kCap = uint64_t{64} << 20;
    uint64_t total = 0;
    size_t pos = 0;
    std::vector<uint8_t> sink(1 << 16);
    while (pos + 2 <= f.size() && f[pos] == 0x1f && f[pos + 1] == 0x8b && total < kCap) {
        z_stream z{};
        if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) __builtin_trap();
        z.next_in = const_cast<uint8_t*>(f.data() + pos);
        z.avail_in = static_cast<uInt>(f.size() - pos);
        int r = Z_OK;
        while (r == Z_OK && total < kCap) {
            z.next_out = sink.data();
            z.avail_out = static_cast<uInt>(sink.size());
            r = inflate(&z, Z_NO_FLUSH);
            total += sink.size() - z.avail_out;
            if (r == Z_BUF_ERROR) break;
        }
        const size_t used = f.size() - pos - z.avail_in;
        inflateEnd(&z);
        if (r != Z_STREAM_END || used == 0) break;
        pos += used;
    }
    return total;
}

struct Outcome {
    bool ok = false;
    std::vector<uint32_t> dims;
    std::vector<uint8_t> data;
};

Outcome read_as(int entry, const std::string& path) {
    Outcome o;
    try {
        if (entry == 0) {
            IdxArray a = read_idx(path);
            o.dims = a.dims;
            o.data = std::move(a.data);
        } else if (entry == 1) {
            IdxImages im = read_idx_images(path);
            o.dims = {im.count, im.rows, im.cols};
            o.data = std::move(im.pixels);
        } else {
            o.data = read_idx_labels(path);
            o.dims = {static_cast<uint32_t>(o.data.size())};
        }
        o.ok = true;
    } catch (const DataError& e) {
        check(std::strlen(e.what()) > 0, "a DataError without a message");
    }
    return o;
}

Outcome read_checked(int entry, const std::vector<uint8_t>& file, const std::string& path) {
    write_file(path, file.data(), file.size());
    const bool gz = file.size() >= 2 && file[0] == 0x1f && file[1] == 0x8b;
    const uint64_t bound = (gz ? (uint64_t{1} << 20) + 2 * gunzipped_length(file) : file.size()) + (256u << 10);
    AllocWatch w;
    w.arm();
    Outcome o = read_as(entry, path);
    const size_t largest = w.disarm();
    if (largest > bound) {
        std::fprintf(stderr, "over-allocation: %zu bytes for a %zu-byte %s file (bound %llu)\n", largest,
                     file.size(), gz ? "gzip" : "raw", static_cast<unsigned long long>(bound));
        __builtin_trap();
    }
    if (o.ok) {
        uint64_t n = 1;
        for (uint32_t d : o.dims) n *= d;
        check(n == o.data.size(), "data size is not the product of the dimensions");
    }
    return o;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    AllocWatch::install();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 2) return 0;
    const int mode = data[0] & 3, entry = (data[0] >> 2) % 3, level = 1 + (data[0] >> 4) % 9;
    const uint8_t* p = data + 2;
    const size_t n = size - 2;
    const std::string& path = temp_path("idx");
    std::vector<uint8_t> file;
    size_t tail = 0;
    if (mode == 0) {
        file.assign(p, p + n);
    } else if (mode == 1) {
        file = gzip(p, n, level);
    } else if (mode == 2) {
        const size_t pieces = 2 + data[1] % 4;
        size_t at = 0;
        for (size_t k = 0; k < pieces; ++k) {
            const size_t end = k + 1 == pieces ? n : std::min(n, at + (n / pieces) + (data[1] >> 2 & 7));
            const std::vector<uint8_t> g = gzip(p + at, end - at, level);
            file.insert(file.end(), g.begin(), g.end());
            at = end;
        }
    } else {
        file = gzip(p, n, level);
        tail = std::min<size_t>(n, 1 + data[1] % 8);
        file.insert(file.end(), p, p + tail);
    }
    const Outcome got = read_checked(entry, file, path);
    if (mode == 3) check(!got.ok || tail == 0, "trailing bytes after a gzip stream were accepted");
    if ((mode == 1 || mode == 2) && !(n >= 2 && p[0] == 0x1f && p[1] == 0x8b)) {
        // The same content raw must give the same answer.
        const Outcome raw = read_checked(entry, std::vector<uint8_t>(p, p + n), path);
        check(got.ok == raw.ok, "gzip and raw disagree on acceptance");
        if (got.ok) {
            check(got.dims == raw.dims && got.data == raw.data, "gzip and raw disagree on the content");
            check(got.data.size() <= n && std::equal(got.data.begin(), got.data.end(), p + (n - got.data.size())),
                  "the data is not the payload after the header");
        }
    }
    return 0;
}
