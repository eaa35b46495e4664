// libFuzzer harness for the .npy reader (host/data/npy.h). The input is a
// .npy file; it is read both ways, from a file (read_npy, read_npy_header)
// and in memory (decode_npy, named by the same path), and the answers must
// agree: both refuse with the same message, or both accept with the same
// dtype, shape and bytes (and read_npy_header the same dtype and shape). An
// accepted array must re-encode (encode_npy) to bytes that decode to the same
// array; its conversions run (to_double, to_int64 may refuse with DataError).
// Findings: crashes, sanitizer reports, leaks, and any disagreement; no
// single allocation may exceed the file size + 256 KiB (the reader checks the
// length against the file before allocating), watched by a malloc hook; and
// with 1 GiB of sparse zeros behind the input, read_npy_header allocates no
// more than the header cap (kMaxNpyHeaderBytes) and some slack.
#include <unistd.h>

#include <cstring>
#include <string>

#include "tests/fuzz/fuzz_common.h"
#include "host/data/npy.h"

using namespace mind1024::host;
using namespace mind1024::fuzz;

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    AllocWatch::install();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string& path = temp_path("npy");
    write_file(path, data, size);
    const std::string bytes(reinterpret_cast<const char*>(data), size);

    AllocWatch w;
    w.arm();
    bool file_ok = false, mem_ok = false, head_ok = false;
    std::string file_err, mem_err;
    NpyArray fa, ma;
    NpyHeader h;
    try { fa = read_npy(path); file_ok = true; } catch (const DataError& e) { file_err = e.what(); }
    try { h = read_npy_header(path); head_ok = true; } catch (const DataError&) {}
    const size_t largest = w.disarm();
    if (largest > size + (256u << 10)) {
        std::fprintf(stderr, "over-allocation: %zu bytes for a %zu-byte .npy file\n", largest, size);
        __builtin_trap();
    }
    try { ma = decode_npy(bytes, path); mem_ok = true; } catch (const DataError& e) { mem_err = e.what(); }
    {
        // The header length has a bound of its own, not only the file's size (issue 21: a
        // 4 GiB sparse file made it allocate 4 GiB): behind the input, 1 GiB of sparse
        // zeros, and read_npy_header may still allocate no more than the cap and some slack.
        if (::truncate(path.c_str(), static_cast<off_t>(size + (size_t{1} << 30))) != 0) __builtin_trap();
        AllocWatch t;
        t.arm();
        try { (void)read_npy_header(path); } catch (const DataError&) {}
        const size_t head = t.disarm();
        if (head > kMaxNpyHeaderBytes + (64u << 10)) {
            std::fprintf(stderr, "over-allocation: %zu bytes for the header of a .npy file\n", head);
            __builtin_trap();
        }
    }

    check(file_ok == mem_ok, "file and in-memory readers disagree on acceptance");
    check(file_ok == head_ok, "read_npy and read_npy_header disagree on acceptance");
    if (!file_ok) {
        check(!file_err.empty() && file_err == mem_err, "file and in-memory readers give different messages");
        return 0;
    }
    check(fa.dtype == ma.dtype && fa.shape == ma.shape && fa.bytes == ma.bytes, "file and in-memory arrays differ");
    check(h.dtype == fa.dtype && h.shape == fa.shape && h.data_bytes == fa.bytes.size(), "header and array differ");
    check(fa.bytes.size() == fa.size() * npy_item_size(fa.dtype), "data length is not shape x item size");
    // Round trip.
    const NpyArray again = decode_npy(encode_npy(fa), "again");
    check(again.dtype == fa.dtype && again.shape == fa.shape && again.bytes == fa.bytes, "re-encoding changed it");
    // Conversions: values or a DataError, nothing else.
    if (fa.size() <= (1u << 16)) {
        check(fa.to_double().size() == fa.size(), "to_double size");
        try { check(fa.to_int64().size() == fa.size(), "to_int64 size"); } catch (const DataError&) {}
        if (fa.size() > 0) (void)fa.index_string(fa.size() - 1);
        (void)fa.shape_string();
    }
    return 0;
}
