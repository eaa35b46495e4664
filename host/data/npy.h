// NumPy .npy files: read format versions 1.0, 2.0 (and 3.0, which only differs
// in the header's text encoding), write 1.0 (2.0 only if the header would not
// fit 1.0's 64 KiB). Data types: float32 ('f4'), float64 ('f8'), int8 ('i1'),
// int16 ('i2'), int32 ('i4'), int64 ('i8', NumPy's default integer), uint8
// ('u1'), uint16 ('u2') and bool ('b1'; a nonzero byte is 1), little- or
// big-endian ('<', '>', '=' or '|'); any rank, including 0 (a scalar). What
// NumPy writes by default is read as it is: a big-endian file is byte-swapped
// and a fortran_order True file transposed on reading, so an NpyArray always
// holds C order, little-endian. Refused with a DataError naming the file: a
// bad magic or version, a malformed header, an unknown dtype (float16,
// complex, uint32/64, structured), a data length that does not match the
// shape exactly.
// read_npy_header reads and checks all that without reading the data, so a
// caller can check the shape of a large file before loading it; read_npy checks
// the length against the file size before allocating.
// Writing goes through AtomicFile: the final file appears complete or not at all
// (always little-endian, C order).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "host/data/data_error.h"

namespace mind1024::host {

enum class NpyDtype { Float32, Float64, Int8, Int16, Int32, Int64, UInt8, UInt16, Bool };

const char* to_string(NpyDtype t);    // "float32", ..., "bool"
const char* npy_descr(NpyDtype t);    // "<f4", "<f8", "|i1", "<i2", "<i4", "<i8", "|u1", "<u2", "|b1"
size_t npy_item_size(NpyDtype t);     // 4, 8, 1, 2, 4, 8, 1, 2, 1

// The C++ type of each dtype: float, double, int8_t, int16_t, int32_t,
// int64_t, uint8_t, uint16_t (bool has none: std::vector<bool> is packed; read
// bools with as_int64 / to_int64).
template <class T> struct NpyDtypeOf;
// The longest .npy header a reader takes (NumPy writes a few KiB); longer is refused
// from the preamble alone, before anything is allocated for it.
constexpr size_t kMaxNpyHeaderBytes = 65536;

template <> struct NpyDtypeOf<float> { static constexpr NpyDtype value = NpyDtype::Float32; };
template <> struct NpyDtypeOf<double> { static constexpr NpyDtype value = NpyDtype::Float64; };
template <> struct NpyDtypeOf<int8_t> { static constexpr NpyDtype value = NpyDtype::Int8; };
template <> struct NpyDtypeOf<int16_t> { static constexpr NpyDtype value = NpyDtype::Int16; };
template <> struct NpyDtypeOf<int32_t> { static constexpr NpyDtype value = NpyDtype::Int32; };
template <> struct NpyDtypeOf<int64_t> { static constexpr NpyDtype value = NpyDtype::Int64; };
template <> struct NpyDtypeOf<uint8_t> { static constexpr NpyDtype value = NpyDtype::UInt8; };
template <> struct NpyDtypeOf<uint16_t> { static constexpr NpyDtype value = NpyDtype::UInt16; };

struct NpyArray {
    static constexpr size_t kAny = static_cast<size_t>(-1);  // wildcard for expect_shape

    NpyDtype dtype = NpyDtype::Float32;
    std::vector<size_t> shape;   // empty = scalar (one element)
    std::vector<uint8_t> bytes;  // the elements, C order, little-endian
    std::string source;          // the file it was read from (for messages); may be empty

    size_t rank() const { return shape.size(); }
    size_t size() const;  // number of elements (product of shape; 1 for a scalar)
    std::string shape_string() const;  // "(3, 4)", "(5,)", "()"

    // Element i (flat, C order) converted. as_int64 of a float element throws
    // DataError (naming the file and the element) if it is not finite or not an
    // integer; of an integer element it is exact. as_double of an int64 beyond
    // 2^53 rounds.
    double as_double(size_t i) const;
    int64_t as_int64(size_t i) const;

    std::vector<double> to_double() const;
    std::vector<float> to_float() const;
    std::vector<int64_t> to_int64() const;  // throws like as_int64
    // to_int64, and every value in [lo, hi]; else DataError naming the file, the
    // element (flat and multi-index), its value and `range_name` (e.g. "WBITS=8").
    std::vector<int64_t> to_int64_in_range(int64_t lo, int64_t hi, const std::string& range_name) const;
    std::string index_string(size_t flat) const;  // "[2, 5]" for flat index 2*cols+5

    // The elements as T; the dtype must be exactly T's (else DataError).
    template <class T> std::vector<T> values() const;

    // Throw DataError naming the file unless the rank / shape match
    // (kAny matches any extent).
    void expect_rank(size_t r) const;
    void expect_shape(const std::vector<size_t>& want) const;
    // All elements are -1 or +1 (states) / 0 or 1 (masks); DataError names the first bad one.
    void expect_plus_minus_one() const;
    void expect_zero_one() const;
};

// Makes an array of dtype NpyDtypeOf<T> from values (size must equal the
// product of shape; throws DataError otherwise).
template <class T> NpyArray make_npy(std::vector<size_t> shape, const std::vector<T>& values);

// What a .npy file's header says, checked as read_npy checks it (including that
// the file holds exactly the data bytes the shape needs); the data is not read.
struct NpyHeader {
    NpyDtype dtype = NpyDtype::Float32;
    std::vector<size_t> shape;  // empty = scalar
    size_t header_len = 0;      // length of the header text (the dict and its padding)
    size_t data_offset = 0;     // where the data starts: magic, version, length, header text
    uint64_t data_bytes = 0;    // product of shape x item size
    bool big_endian = false;    // the file's byte order (the array read is little-endian)
    bool fortran_order = false; // the file's layout (the array read is C order)
    std::string source;         // the file

    size_t rank() const { return shape.size(); }
    size_t size() const;                // number of elements
    std::string shape_string() const;   // "(3, 4)", "(5,)", "()"
    // As NpyArray's: DataError naming the file unless the rank / shape match.
    void expect_rank(size_t r) const;
    void expect_shape(const std::vector<size_t>& want) const;
};

NpyHeader read_npy_header(const std::string& path);
NpyArray read_npy(const std::string& path);
void write_npy(const std::string& path, const NpyArray& a);

template <class T> void write_npy(const std::string& path, std::vector<size_t> shape,
                                  const std::vector<T>& values) {
    write_npy(path, make_npy<T>(std::move(shape), values));
}

// The raw bytes of a .npy file (what write_npy writes) and their parser
// (what read_npy reads); `name` is used in messages.
std::string encode_npy(const NpyArray& a);
NpyArray decode_npy(const std::string& bytes, const std::string& name);

}  // namespace mind1024::host
