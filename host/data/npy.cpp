#include "host/data/npy.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <new>

#include <fmt/format.h>

#include "host/data/atomic_file.h"

namespace fs = std::filesystem;

namespace mind1024::host {

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "npy.cpp assumes a little-endian host"
#endif

namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicLen = 6;
const char* const kSupported =
    "float32 'f4', float64 'f8', int8 'i1', int16 'i2', int32 'i4', int64 'i8', uint8 'u1', uint16 'u2', "
    "bool 'b1' (little- or big-endian)";

struct Header {
    NpyDtype dtype = NpyDtype::Float32;
    bool big_endian = false;
    bool fortran_order = false;
    std::vector<size_t> shape;
};

struct Descr {
    NpyDtype dtype;
    bool big_endian;
};

struct Preamble {
    unsigned major = 0;
    size_t header_len = 0;
    size_t data_start = 0;  // offset of the data (after the header text)
};

uint32_t le_u32(const unsigned char* p) {
    return uint32_t{p[0]} | (uint32_t{p[1]} << 8) | (uint32_t{p[2]} << 16) | (uint32_t{p[3]} << 24);
}

// Header text for a message: non-printable bytes as \xNN so that no control
// or escape sequence reaches the terminal, and at most `max` characters since
// a header may be megabytes.
std::string printable(const std::string& s, size_t max = 200) {
    std::string r;
    const size_t n = std::min(s.size(), max);
    for (size_t i = 0; i < n; ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x20 && c < 0x7f) r += static_cast<char>(c);
        else r += fmt::format("\\x{:02x}", c);
    }
    if (s.size() > max) r += fmt::format("... ({} bytes)", s.size());
    return r;
}

// The first bytes of a file: magic, version, header length. avail is how many
// bytes `p` holds, total the length of the whole file.
Preamble parse_preamble(const unsigned char* p, size_t avail, uint64_t total, const std::string& name) {
    if (total == 0) throw DataError(fmt::format("{}: empty file, expected a .npy header", name));
    if (avail < kMagicLen || std::memcmp(p, kMagic, kMagicLen) != 0)
        throw DataError(fmt::format("{}: bad magic: not a NumPy .npy file (expected \\x93NUMPY)", name));
    if (avail < 10) throw DataError(fmt::format("{}: truncated .npy header ({} bytes)", name, total));
    Preamble pre;
    pre.major = p[6];
    const unsigned minor = p[7];
    if ((pre.major < 1 || pre.major > 3) || minor != 0)
        throw DataError(fmt::format("{}: .npy format version {}.{} is not supported (1.0, 2.0, 3.0 are)",
                                    name, pre.major, minor));
    if (pre.major == 1) {
        pre.header_len = size_t{p[8]} | (size_t{p[9]} << 8);
        pre.data_start = 10 + pre.header_len;
    } else {
        if (avail < 12) throw DataError(fmt::format("{}: truncated .npy header ({} bytes)", name, total));
        pre.header_len = le_u32(p + 8);
        pre.data_start = 12 + pre.header_len;
    }
    // Checked before anything is allocated for it: NumPy writes a few KiB (and reads at most 10000 by default).
    if (pre.header_len > kMaxNpyHeaderBytes)
        throw DataError(fmt::format("{}: bad .npy header: it says its header is {} bytes long; a .npy header is a few "
                                    "KiB (this reader takes at most {})",
                                    name, pre.header_len, kMaxNpyHeaderBytes));
    if (pre.data_start > total)
        throw DataError(fmt::format("{}: truncated .npy header: it says {} bytes, the file ends after {}",
                                    name, pre.header_len, total - (pre.data_start - pre.header_len)));
    return pre;
}

// A descr string: byte order ('<', '>', '=' native, '|' not applicable; none
// means native) then the type code and size.
Descr parse_descr(const std::string& d, const std::string& name) {
    const bool has_order = !d.empty() && (d[0] == '<' || d[0] == '>' || d[0] == '|' || d[0] == '=');
    const char order = has_order ? d[0] : '=';
    const std::string t = has_order ? d.substr(1) : d;
    static const struct { const char* code; NpyDtype dtype; } kTypes[] = {
        {"f4", NpyDtype::Float32}, {"f8", NpyDtype::Float64}, {"i1", NpyDtype::Int8},  {"i2", NpyDtype::Int16},
        {"i4", NpyDtype::Int32},   {"i8", NpyDtype::Int64},   {"u1", NpyDtype::UInt8}, {"u2", NpyDtype::UInt16},
        {"b1", NpyDtype::Bool},    {"?", NpyDtype::Bool},
    };
    for (const auto& k : kTypes) {
        if (t != k.code) continue;
        // '|' says byte order does not apply: only true of one-byte types.
        if (order == '|' && npy_item_size(k.dtype) > 1)
            throw DataError(fmt::format("{}: dtype '{}' has no byte order for a {}-byte type", name, printable(d),
                                        npy_item_size(k.dtype)));
        return {k.dtype, order == '>' && npy_item_size(k.dtype) > 1};
    }
    std::string what;
    if (t == "f2") what = " (float16: save with .astype(np.float32))";
    else if (t == "u4" || t == "u8") what = " (uint32/uint64: save with .astype(np.int64))";
    else if (!t.empty() && t[0] == 'c') what = " (complex)";
    throw DataError(fmt::format("{}: dtype '{}'{} is not supported; supported: {}", name, printable(d), what,
                                kSupported));
}

class HeaderParser {
public:
    HeaderParser(const std::string& text, const std::string& name) : s_(text), name_(name) {}

    Header parse() {
        Header h;
        bool have_descr = false, have_order = false, have_shape = false;
        ws();
        expect('{');
        for (;;) {
            ws();
            if (peek() == '}') { ++i_; break; }
            const std::string key = str();
            ws();
            expect(':');
            ws();
            if (key == "descr") {
                if (have_descr) fail("duplicate key 'descr'");
                if (peek() == '[') fail("structured (record) dtypes are not supported");
                const Descr d = parse_descr(str(), name_);
                h.dtype = d.dtype;
                h.big_endian = d.big_endian;
                have_descr = true;
            } else if (key == "fortran_order") {
                if (have_order) fail("duplicate key 'fortran_order'");
                if (word("True")) h.fortran_order = true;
                else if (!word("False")) fail("fortran_order is neither True nor False");
                have_order = true;
            } else if (key == "shape") {
                if (have_shape) fail("duplicate key 'shape'");
                h.shape = shape();
                have_shape = true;
            } else {
                fail(fmt::format("unexpected key '{}'", printable(key, 40)));
            }
            ws();
            if (peek() == ',') { ++i_; continue; }
            if (peek() == '}') { ++i_; break; }
            fail("expected ',' or '}'");
        }
        ws();
        if (i_ != s_.size()) fail("text after the closing '}'");
        if (!have_descr) fail("no 'descr' key");
        if (!have_order) fail("no 'fortran_order' key");
        if (!have_shape) fail("no 'shape' key");
        return h;
    }

private:
    [[noreturn]] void fail(const std::string& what) const {
        const size_t end = s_.find_last_not_of(" \n");  // drop the padding
        throw DataError(fmt::format("{}: bad .npy header ({}): {}", name_, what,
                                    printable(s_.substr(0, end == std::string::npos ? 0 : end + 1))));
    }
    char peek() const { return i_ < s_.size() ? s_[i_] : '\0'; }
    void ws() {
        while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\n' || s_[i_] == '\t' || s_[i_] == '\r')) ++i_;
    }
    void expect(char c) {
        if (peek() != c) fail(fmt::format("expected '{}'", c));
        ++i_;
    }
    bool word(const char* w) {
        const size_t n = std::strlen(w);
        if (s_.compare(i_, n, w) != 0) return false;
        i_ += n;
        return true;
    }
    std::string str() {
        const char q = peek();
        if (q != '\'' && q != '"') fail("expected a quoted string");
        const size_t end = s_.find(q, i_ + 1);
        if (end == std::string::npos) fail("unterminated string");
        std::string r = s_.substr(i_ + 1, end - i_ - 1);
        i_ = end + 1;
        return r;
    }
    std::vector<size_t> shape() {
        std::vector<size_t> r;
        expect('(');
        for (;;) {
            ws();
            if (peek() == ')') { ++i_; break; }
            if (peek() < '0' || peek() > '9') fail("shape entries must be non-negative integers");
            uint64_t v = 0;
            while (peek() >= '0' && peek() <= '9') {
                if (v > (std::numeric_limits<uint64_t>::max() - 9) / 10) fail("shape entry too large");
                v = v * 10 + static_cast<uint64_t>(peek() - '0');
                ++i_;
            }
            if (peek() == 'L') ++i_;  // Python 2 long
            if (v > std::numeric_limits<size_t>::max()) fail("shape entry too large");
            r.push_back(static_cast<size_t>(v));
            ws();
            if (peek() == ',') { ++i_; continue; }
            if (peek() == ')') { ++i_; break; }
            fail("expected ',' or ')' in the shape");
        }
        return r;
    }

    const std::string& s_;
    const std::string& name_;
    size_t i_ = 0;
};

// Bytes of data the header asks for; throws on overflow.
uint64_t data_bytes(const Header& h, const std::string& name) {
    uint64_t n = npy_item_size(h.dtype);
    for (size_t d : h.shape)
        if (__builtin_mul_overflow(n, uint64_t{d}, &n))
            throw DataError(fmt::format("{}: shape overflows (too many elements)", name));
    return n;
}

std::string shape_str(const std::vector<size_t>& shape) {
    if (shape.empty()) return "()";
    std::string s = "(";
    for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + (shape.size() == 1 ? ",)" : ")");
}

void check_length(const Header& h, uint64_t available, const std::string& name) {
    const uint64_t need = data_bytes(h, name);
    if (available < need)
        throw DataError(fmt::format("{}: truncated data: shape {} of {} needs {} bytes, the file holds {}",
                                    name, shape_str(h.shape), to_string(h.dtype), need, available));
    if (available > need)
        throw DataError(fmt::format("{}: {} bytes of trailing data after the {} data bytes that shape {} of {} "
                                    "needs",
                                    name, available - need, need, shape_str(h.shape), to_string(h.dtype)));
}

template <class T> T load(const uint8_t* p) {
    T v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

// The file's data as an NpyArray holds it: little-endian, C order, and every
// bool 0 or 1. Shared by the file and in-memory readers so they agree.
void normalize(const Header& h, std::vector<uint8_t>& bytes, const std::string& name) {
    const size_t item = npy_item_size(h.dtype);
    if (h.big_endian)
        for (size_t k = 0; k + item <= bytes.size(); k += item) std::reverse(bytes.begin() + k, bytes.begin() + k + item);
    if (h.fortran_order && h.shape.size() >= 2 && !bytes.empty()) {
        // Walk the C order with a multi-index and keep the Fortran offset of it
        // (first index fastest there) in step.
        const size_t rank = h.shape.size();
        std::vector<size_t> stride(rank), idx(rank, 0);
        stride[0] = 1;
        for (size_t d = 1; d < rank; ++d) stride[d] = stride[d - 1] * h.shape[d - 1];
        std::vector<uint8_t> c(bytes.size());
        const size_t count = bytes.size() / item;
        size_t off = 0;
        for (size_t flat = 0; flat < count; ++flat) {
            std::memcpy(c.data() + flat * item, bytes.data() + off * item, item);
            for (size_t d = rank; d-- > 0;) {
                if (++idx[d] < h.shape[d]) {
                    off += stride[d];
                    break;
                }
                off -= (h.shape[d] - 1) * stride[d];
                idx[d] = 0;
            }
        }
        bytes.swap(c);
    }
    // NumPy reads any nonzero byte as True; keep 0/1 so the values are what they mean.
    // (Not an error: read_npy_header, which reads no data, must accept what read_npy accepts.)
    if (h.dtype == NpyDtype::Bool)
        for (uint8_t& b : bytes) b = b != 0;
}

}  // namespace

const char* to_string(NpyDtype t) {
    switch (t) {
        case NpyDtype::Float32: return "float32";
        case NpyDtype::Float64: return "float64";
        case NpyDtype::Int8: return "int8";
        case NpyDtype::Int16: return "int16";
        case NpyDtype::Int32: return "int32";
        case NpyDtype::Int64: return "int64";
        case NpyDtype::UInt8: return "uint8";
        case NpyDtype::UInt16: return "uint16";
        case NpyDtype::Bool: return "bool";
    }
    return "?";
}

const char* npy_descr(NpyDtype t) {
    switch (t) {
        case NpyDtype::Float32: return "<f4";
        case NpyDtype::Float64: return "<f8";
        case NpyDtype::Int8: return "|i1";
        case NpyDtype::Int16: return "<i2";
        case NpyDtype::Int32: return "<i4";
        case NpyDtype::Int64: return "<i8";
        case NpyDtype::UInt8: return "|u1";
        case NpyDtype::UInt16: return "<u2";
        case NpyDtype::Bool: return "|b1";
    }
    return "?";
}

size_t npy_item_size(NpyDtype t) {
    switch (t) {
        case NpyDtype::Float32: return 4;
        case NpyDtype::Float64: return 8;
        case NpyDtype::Int8: return 1;
        case NpyDtype::Int16: return 2;
        case NpyDtype::Int32: return 4;
        case NpyDtype::Int64: return 8;
        case NpyDtype::UInt8: return 1;
        case NpyDtype::UInt16: return 2;
        case NpyDtype::Bool: return 1;
    }
    return 0;
}

size_t NpyArray::size() const {
    size_t n = 1;
    for (size_t d : shape) n *= d;
    return n;
}

std::string NpyArray::shape_string() const { return shape_str(shape); }

double NpyArray::as_double(size_t i) const {
    if (i >= size())
        throw DataError(fmt::format("{}: element {} out of range (size {})", source, i, size()));
    const uint8_t* p = bytes.data() + i * npy_item_size(dtype);
    switch (dtype) {
        case NpyDtype::Float32: return load<float>(p);
        case NpyDtype::Float64: return load<double>(p);
        case NpyDtype::Int8: return load<int8_t>(p);
        case NpyDtype::Int16: return load<int16_t>(p);
        case NpyDtype::Int32: return load<int32_t>(p);
        case NpyDtype::Int64: return static_cast<double>(load<int64_t>(p));
        case NpyDtype::UInt8: return load<uint8_t>(p);
        case NpyDtype::UInt16: return load<uint16_t>(p);
        case NpyDtype::Bool: return load<uint8_t>(p);
    }
    return 0;
}

int64_t NpyArray::as_int64(size_t i) const {
    if (dtype == NpyDtype::Float32 || dtype == NpyDtype::Float64) {
        const double v = as_double(i);
        if (!std::isfinite(v) || v != std::floor(v) || std::fabs(v) > 9.007199254740992e15)
            throw DataError(fmt::format("{}: element {} {} is {}, not an integer", source.empty() ? "array" : source,
                                        i, index_string(i), v));
        return static_cast<int64_t>(v);
    }
    if (dtype == NpyDtype::Int64) {
        if (i >= size()) as_double(i);  // the same out-of-range message
        return load<int64_t>(bytes.data() + i * 8);  // exact, unlike through a double
    }
    return static_cast<int64_t>(as_double(i));
}

std::vector<double> NpyArray::to_double() const {
    std::vector<double> r(size());
    for (size_t i = 0; i < r.size(); ++i) r[i] = as_double(i);
    return r;
}

std::vector<float> NpyArray::to_float() const {
    std::vector<float> r(size());
    for (size_t i = 0; i < r.size(); ++i) r[i] = static_cast<float>(as_double(i));
    return r;
}

std::vector<int64_t> NpyArray::to_int64() const {
    std::vector<int64_t> r(size());
    for (size_t i = 0; i < r.size(); ++i) r[i] = as_int64(i);
    return r;
}

std::vector<int64_t> NpyArray::to_int64_in_range(int64_t lo, int64_t hi, const std::string& range_name) const {
    std::vector<int64_t> r = to_int64();
    for (size_t i = 0; i < r.size(); ++i)
        if (r[i] < lo || r[i] > hi)
            throw DataError(fmt::format("{}: element {} {} is {}, out of the {} range [{}, {}]",
                                        source.empty() ? "array" : source, i, index_string(i), r[i], range_name,
                                        lo, hi));
    return r;
}

std::string NpyArray::index_string(size_t flat) const {
    std::vector<size_t> idx(shape.size());
    for (size_t d = shape.size(); d-- > 0;) {
        idx[d] = shape[d] ? flat % shape[d] : 0;
        flat = shape[d] ? flat / shape[d] : 0;
    }
    std::string s = "[";
    for (size_t d = 0; d < idx.size(); ++d) s += (d ? ", " : "") + std::to_string(idx[d]);
    return s + "]";
}

template <class T> std::vector<T> NpyArray::values() const {
    if (dtype != NpyDtypeOf<T>::value)
        throw DataError(fmt::format("{}: dtype {}, expected {}", source.empty() ? "array" : source,
                                    to_string(dtype), to_string(NpyDtypeOf<T>::value)));
    std::vector<T> r(size());
    if (!r.empty()) std::memcpy(r.data(), bytes.data(), r.size() * sizeof(T));
    return r;
}

namespace {
void expect_rank_of(const std::vector<size_t>& shape, size_t r, const std::string& source) {
    if (shape.size() != r)
        throw DataError(fmt::format("{}: shape {} has {} dimension(s), expected {}",
                                    source.empty() ? "array" : source, shape_str(shape), shape.size(), r));
}

void expect_shape_of(const std::vector<size_t>& shape, const std::vector<size_t>& want, const std::string& source) {
    bool ok = want.size() == shape.size();
    for (size_t i = 0; ok && i < want.size(); ++i) ok = want[i] == NpyArray::kAny || want[i] == shape[i];
    if (!ok) {
        std::string w = "(";
        for (size_t i = 0; i < want.size(); ++i)
            w += (i ? ", " : "") + (want[i] == NpyArray::kAny ? std::string("any") : std::to_string(want[i]));
        w += want.size() == 1 ? ",)" : ")";
        throw DataError(fmt::format("{}: shape {}, expected {}", source.empty() ? "array" : source,
                                    shape_str(shape), w));
    }
}
}  // namespace

void NpyArray::expect_rank(size_t r) const { expect_rank_of(shape, r, source); }
void NpyArray::expect_shape(const std::vector<size_t>& want) const { expect_shape_of(shape, want, source); }

size_t NpyHeader::size() const {
    size_t n = 1;
    for (size_t d : shape) n *= d;
    return n;
}
std::string NpyHeader::shape_string() const { return shape_str(shape); }
void NpyHeader::expect_rank(size_t r) const { expect_rank_of(shape, r, source); }
void NpyHeader::expect_shape(const std::vector<size_t>& want) const { expect_shape_of(shape, want, source); }

void NpyArray::expect_plus_minus_one() const {
    const size_t n = size();
    for (size_t i = 0; i < n; ++i) {
        const double v = as_double(i);
        if (v != 1.0 && v != -1.0)
            throw DataError(fmt::format("{}: element {} is {}; states must be -1 or +1",
                                        source.empty() ? "array" : source, i, v));
    }
}

void NpyArray::expect_zero_one() const {
    const size_t n = size();
    for (size_t i = 0; i < n; ++i) {
        const double v = as_double(i);
        if (v != 0.0 && v != 1.0)
            throw DataError(fmt::format("{}: element {} is {}; a mask must be 0 or 1",
                                        source.empty() ? "array" : source, i, v));
    }
}

template <class T> NpyArray make_npy(std::vector<size_t> shape, const std::vector<T>& values) {
    NpyArray a;
    a.dtype = NpyDtypeOf<T>::value;
    a.shape = std::move(shape);
    if (a.size() != values.size())
        throw DataError(fmt::format("make_npy: shape {} holds {} elements, got {} values", a.shape_string(),
                                    a.size(), values.size()));
    a.bytes.resize(values.size() * sizeof(T));
    if (!values.empty()) std::memcpy(a.bytes.data(), values.data(), a.bytes.size());
    return a;
}

#define MIND1024_NPY_INSTANTIATE(T)                                                  \
    template std::vector<T> NpyArray::values<T>() const;                              \
    template NpyArray make_npy<T>(std::vector<size_t>, const std::vector<T>&);
MIND1024_NPY_INSTANTIATE(float)
MIND1024_NPY_INSTANTIATE(double)
MIND1024_NPY_INSTANTIATE(int8_t)
MIND1024_NPY_INSTANTIATE(int16_t)
MIND1024_NPY_INSTANTIATE(int32_t)
MIND1024_NPY_INSTANTIATE(int64_t)
MIND1024_NPY_INSTANTIATE(uint8_t)
MIND1024_NPY_INSTANTIATE(uint16_t)
#undef MIND1024_NPY_INSTANTIATE

namespace {
std::string encode(const NpyArray& a, const std::string& name) {
    if (a.bytes.size() != a.size() * npy_item_size(a.dtype))
        throw DataError(fmt::format("{}: {} data bytes for shape {} of {}", name, a.bytes.size(),
                                    a.shape_string(), to_string(a.dtype)));
    const std::string dict = fmt::format("{{'descr': '{}', 'fortran_order': False, 'shape': {}, }}",
                                         npy_descr(a.dtype), a.shape_string());
    // Pad with spaces so that the data starts on a 64-byte boundary; end with '\n'.
    // Version 1.0 unless the header does not fit its 16-bit length.
    auto header_len = [&](size_t pre) { return (pre + dict.size() + 1 + 63) / 64 * 64 - pre; };
    const bool v1 = header_len(10) <= 65535;
    const size_t hlen = header_len(v1 ? 10 : 12);
    std::string out(kMagic, kMagicLen);
    out += static_cast<char>(v1 ? 1 : 2);
    out += '\0';
    for (int k = 0; k < (v1 ? 2 : 4); ++k) out += static_cast<char>((hlen >> (8 * k)) & 0xFF);
    out += dict;
    out.append(hlen - dict.size() - 1, ' ');
    out += '\n';
    out.append(reinterpret_cast<const char*>(a.bytes.data()), a.bytes.size());
    return out;
}
}  // namespace

std::string encode_npy(const NpyArray& a) { return encode(a, a.source.empty() ? "array" : a.source); }

NpyArray decode_npy(const std::string& bytes, const std::string& name) {
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
    const Preamble pre = parse_preamble(p, bytes.size(), bytes.size(), name);
    const std::string text = bytes.substr(pre.data_start - pre.header_len, pre.header_len);
    const Header h = HeaderParser(text, name).parse();
    check_length(h, bytes.size() - pre.data_start, name);
    NpyArray a;
    a.dtype = h.dtype;
    a.shape = h.shape;
    a.source = name;
    a.bytes.assign(p + pre.data_start, p + bytes.size());
    normalize(h, a.bytes, name);
    return a;
}

namespace {
// Opens path and reads and checks its header, leaving `in` at the data.
NpyHeader open_npy(const std::string& path, std::ifstream& in) {
    std::error_code ec;
    const auto st = fs::status(path, ec);
    if (ec || !fs::exists(st)) throw DataError(fmt::format("{}: no such file", path));
    if (!fs::is_regular_file(st)) throw DataError(fmt::format("{}: not a regular file", path));
    const uint64_t total = fs::file_size(path, ec);
    if (ec) throw DataError(fmt::format("{}: cannot get the file size: {}", path, ec.message()));
    in.open(path, std::ios::binary);
    if (!in) throw DataError(fmt::format("{}: cannot open for reading: {}", path, std::strerror(errno)));
    unsigned char head[12] = {};
    const size_t avail = static_cast<size_t>(std::min<uint64_t>(total, sizeof head));
    in.read(reinterpret_cast<char*>(head), static_cast<std::streamsize>(avail));
    const Preamble pre = parse_preamble(head, avail, total, path);
    std::string text(pre.header_len, '\0');
    in.clear();  // a file shorter than `head` left eof set
    in.seekg(static_cast<std::streamoff>(pre.data_start - pre.header_len));
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    if (!in) throw DataError(fmt::format("{}: read error in the .npy header", path));
    const Header h = HeaderParser(text, path).parse();
    check_length(h, total - pre.data_start, path);
    NpyHeader r;
    r.dtype = h.dtype;
    r.shape = h.shape;
    r.header_len = pre.header_len;
    r.data_offset = pre.data_start;
    r.data_bytes = total - pre.data_start;
    r.big_endian = h.big_endian;
    r.fortran_order = h.fortran_order;
    r.source = path;
    return r;
}
}  // namespace

NpyHeader read_npy_header(const std::string& path) {
    std::ifstream in;
    return open_npy(path, in);
}

NpyArray read_npy(const std::string& path) {
    std::ifstream in;
    const NpyHeader h = open_npy(path, in);  // the length is checked before allocating
    NpyArray a;
    a.dtype = h.dtype;
    a.shape = h.shape;
    a.source = path;
    if (h.data_bytes > SIZE_MAX) throw DataError(fmt::format("{}: too large for this machine", path));
    try {
        a.bytes.resize(static_cast<size_t>(h.data_bytes));
    } catch (const std::bad_alloc&) {
        throw DataError(fmt::format("{}: out of memory for the {} data bytes of shape {} of {}", path,
                                    h.data_bytes, shape_str(h.shape), to_string(h.dtype)));
    }
    in.read(reinterpret_cast<char*>(a.bytes.data()), static_cast<std::streamsize>(a.bytes.size()));
    if (static_cast<size_t>(in.gcount()) != a.bytes.size())
        throw DataError(fmt::format("{}: truncated while reading the data", path));
    Header hh;
    hh.dtype = h.dtype;
    hh.shape = h.shape;
    hh.big_endian = h.big_endian;
    hh.fortran_order = h.fortran_order;
    normalize(hh, a.bytes, path);
    return a;
}

void write_npy(const std::string& path, const NpyArray& a) {
    const std::string bytes = encode(a, path);
    AtomicFile f(path);
    f.write(bytes);
    f.commit();
}

}  // namespace mind1024::host
