#include "host/data/npy.h"

#include <sys/resource.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "tests/host/data/temp_dir.h"

using namespace mind1024::host;
using mind1024::test::TempDir;

#if defined(__SANITIZE_ADDRESS__)
#define MIND1024_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MIND1024_TEST_ASAN 1
#endif
#endif
#ifndef MIND1024_TEST_ASAN
#define MIND1024_TEST_ASAN 0
#endif

namespace {

using mind1024::test::expect_data_error;

// A .npy file by hand, as NumPy writes it (version 1.0, header padded to 64).
std::string npy_bytes(const std::string& dict, const std::string& data, int major = 1) {
    std::string out("\x93NUMPY", 6);
    out += static_cast<char>(major);
    out += '\0';
    const size_t pre = major == 1 ? 10 : 12;
    size_t hlen = (pre + dict.size() + 1 + 63) / 64 * 64 - pre;
    for (size_t k = 0; k < (major == 1 ? 2u : 4u); ++k) out += static_cast<char>((hlen >> (8 * k)) & 0xFF);
    out += dict + std::string(hlen - dict.size() - 1, ' ') + "\n";
    return out + data;
}

std::string read_all(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), {});
}

// Peak resident memory of this process so far, in MiB.
long peak_rss_mib() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return u.ru_maxrss / 1024;
}

template <class T> void round_trip(const std::vector<size_t>& shape, const std::vector<T>& v) {
    TempDir d;
    write_npy<T>(d.file("a.npy"), shape, v);
    EXPECT_EQ(d.entries(), 1u);  // no temporary left behind
    const NpyArray a = read_npy(d.file("a.npy"));
    EXPECT_EQ(a.dtype, NpyDtypeOf<T>::value);
    EXPECT_EQ(a.shape, shape);
    EXPECT_EQ(a.values<T>(), v);
    EXPECT_EQ(a.source, d.file("a.npy"));
    const std::vector<double> dv = a.to_double();
    ASSERT_EQ(dv.size(), v.size());
    for (size_t i = 0; i < v.size(); ++i) EXPECT_EQ(dv[i], static_cast<double>(v[i]));
    // the header is 1.0, padded so that the data starts at a multiple of 64
    const std::string bytes = read_all(d.file("a.npy"));
    EXPECT_EQ(bytes[6], 1);
    EXPECT_EQ((bytes.size() - v.size() * sizeof(T)) % 64, 0u);
    EXPECT_EQ(bytes[bytes.size() - v.size() * sizeof(T) - 1], '\n');
}

}  // namespace

TEST(Npy, RoundTripEveryDtype) {
    round_trip<float>({2, 3}, {1.5f, -2.f, 0.f, 3.25f, -0.125f, 1e30f});
    round_trip<double>({3}, {1.0 / 3.0, -1e-300, 42.0});
    round_trip<int8_t>({2, 2, 2}, {-128, 127, 0, 1, -1, 5, 6, 7});
    round_trip<int16_t>({1, 4}, {-32768, 32767, 0, -5});
    round_trip<int32_t>({4, 1}, {-2147483647 - 1, 2147483647, 0, 17});
    round_trip<int64_t>({2}, {-(int64_t{1} << 40), 3});
    round_trip<uint8_t>({3}, {0, 128, 255});
    round_trip<uint16_t>({2}, {0, 65535});
    round_trip<float>({}, {7.f});       // scalar
    round_trip<int16_t>({0, 3}, {});    // empty
    round_trip<int8_t>({1, 1, 1, 1, 2}, {1, -1});
}

TEST(Npy, ExactBytesOfAKnownFile) {
    // np.save('x.npy', np.array([[1, -2], [3, 4]], dtype=np.int16))
    const std::string expect = npy_bytes("{'descr': '<i2', 'fortran_order': False, 'shape': (2, 2), }",
                                         std::string("\x01\x00\xfe\xff\x03\x00\x04\x00", 8));
    EXPECT_EQ(encode_npy(make_npy<int16_t>({2, 2}, {1, -2, 3, 4})), expect);
    const NpyArray a = decode_npy(expect, "mem");
    EXPECT_EQ(a.to_int64(), (std::vector<int64_t>{1, -2, 3, 4}));
}

TEST(Npy, ReadsVersion2AndVariants) {
    TempDir d;
    float v[2] = {1.f, -1.f};
    d.write("v2.npy", npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }",
                                std::string(reinterpret_cast<char*>(v), 8), 2));
    EXPECT_EQ(read_npy(d.file("v2.npy")).to_float(), (std::vector<float>{1.f, -1.f}));
    // double quotes, other key order, no trailing comma, Python 2 long
    d.write("q.npy", npy_bytes("{\"shape\": (2L,), \"fortran_order\": False, \"descr\": \"|i1\"}",
                               std::string("\x05\xfb", 2)));
    EXPECT_EQ(read_npy(d.file("q.npy")).to_int64(), (std::vector<int64_t>{5, -5}));
    d.write("i1.npy", npy_bytes("{'descr': '<i1', 'fortran_order': False, 'shape': (1,), }", "\x03"));
    EXPECT_EQ(read_npy(d.file("i1.npy")).dtype, NpyDtype::Int8);
}

TEST(Npy, Accessors) {
    NpyArray a = make_npy<float>({2, 2}, {1.f, -2.f, 0.5f, 3.f});
    a.source = "w.npy";
    EXPECT_EQ(a.as_int64(1), -2);
    EXPECT_EQ(a.as_double(2), 0.5);
    expect_data_error([&] { a.to_int64(); }, {"w.npy", "element 2", "not an integer"});
    expect_data_error([&] { a.values<int32_t>(); }, {"w.npy", "float32", "int32"});
    a.expect_shape({2, 2});
    a.expect_shape({NpyArray::kAny, 2});
    expect_data_error([&] { a.expect_shape({3, 3}); }, {"w.npy", "(2, 2)", "(3, 3)"});
    expect_data_error([&] { a.expect_rank(1); }, {"w.npy", "2 dimension"});
    expect_data_error([&] { a.expect_plus_minus_one(); }, {"w.npy", "element 1"});
    NpyArray s = make_npy<int8_t>({3}, {1, -1, 1});
    s.expect_plus_minus_one();
    expect_data_error([&] { s.expect_zero_one(); }, {"element 1", "0 or 1"});
    expect_data_error([&] { make_npy<int8_t>({2, 2}, {1, 2, 3}); }, {"4 elements", "3 values"});
    NpyArray w = make_npy<int32_t>({2, 3}, {1, -128, 127, 5, 200, 0});
    w.source = "W.npy";
    expect_data_error([&] { w.to_int64_in_range(-128, 127, "WBITS=8"); },
                      {"W.npy", "element 4 [1, 1]", "200", "WBITS=8", "[-128, 127]"});
    EXPECT_EQ(w.to_int64_in_range(-128, 200, "x").size(), 6u);
}

TEST(Npy, RefusesWrongDtype) {
    TempDir d;
    const std::string f8(16, '\0');
    d.write("f2.npy", npy_bytes("{'descr': '<f2', 'fortran_order': False, 'shape': (2,), }", f8.substr(12)));
    expect_data_error([&] { read_npy(d.file("f2.npy")); }, {d.file("f2.npy"), "'<f2'", "float16", "not supported"});
    d.write("u4.npy", npy_bytes("{'descr': '<u4', 'fortran_order': False, 'shape': (2,), }", f8.substr(8)));
    expect_data_error([&] { read_npy(d.file("u4.npy")); }, {d.file("u4.npy"), "uint32"});
    d.write("c8.npy", npy_bytes("{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }", f8));
    expect_data_error([&] { read_npy(d.file("c8.npy")); }, {d.file("c8.npy"), "complex"});
    d.write("bar.npy", npy_bytes("{'descr': '|i2', 'fortran_order': False, 'shape': (2,), }", f8.substr(12)));
    expect_data_error([&] { read_npy(d.file("bar.npy")); }, {d.file("bar.npy"), "byte order"});
    d.write("rec.npy", npy_bytes("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }", f8));
    expect_data_error([&] { read_npy(d.file("rec.npy")); }, {d.file("rec.npy"), "structured"});
}

// What np.save writes by default: int64 (the default integer), uint8, uint16,
// bool, big-endian dtypes; each read as it is, and written back.
TEST(Npy, ReadsWhatNumPyWritesByDefault) {
    TempDir d;
    // np.save('i8.npy', np.array([1, -2, 2**40]))
    const int64_t i8[3] = {1, -2, int64_t{1} << 40};
    d.write("i8.npy", npy_bytes("{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }",
                                std::string(reinterpret_cast<const char*>(i8), 24)));
    NpyArray a = read_npy(d.file("i8.npy"));
    EXPECT_EQ(a.dtype, NpyDtype::Int64);
    EXPECT_EQ(a.to_int64(), (std::vector<int64_t>{1, -2, int64_t{1} << 40}));
    // int64 is exact beyond 2^53, where a double would round
    const int64_t big = (int64_t{1} << 62) + 1;
    const NpyArray b = decode_npy(encode_npy(make_npy<int64_t>({1}, {big})), "big");
    EXPECT_EQ(b.as_int64(0), big);
    expect_data_error([&] { a.to_int64_in_range(-128, 127, "WBITS=8"); }, {"i8.npy", "element 2 [2]", "1099511627776", "WBITS=8"});
    d.write("u1.npy", npy_bytes("{'descr': '|u1', 'fortran_order': False, 'shape': (3,), }", std::string("\x00\x7f\xff", 3)));
    EXPECT_EQ(read_npy(d.file("u1.npy")).to_int64(), (std::vector<int64_t>{0, 127, 255}));
    d.write("u2.npy", npy_bytes("{'descr': '<u2', 'fortran_order': False, 'shape': (2,), }", std::string("\xff\xff\x01\x00", 4)));
    EXPECT_EQ(read_npy(d.file("u2.npy")).to_int64(), (std::vector<int64_t>{65535, 1}));
    d.write("b1.npy", npy_bytes("{'descr': '|b1', 'fortran_order': False, 'shape': (3,), }", std::string("\x01\x00\x01", 3)));
    const NpyArray m = read_npy(d.file("b1.npy"));
    EXPECT_EQ(m.dtype, NpyDtype::Bool);
    EXPECT_EQ(m.to_int64(), (std::vector<int64_t>{1, 0, 1}));
    m.expect_zero_one();
    d.write("b2.npy", npy_bytes("{'descr': '|b1', 'fortran_order': False, 'shape': (2, 2), }", std::string("\x01\x00\x00\x02", 4)));
    EXPECT_EQ(read_npy(d.file("b2.npy")).to_int64(), (std::vector<int64_t>{1, 0, 0, 1}));  // nonzero is True, as in NumPy
    // big-endian: swapped on reading, for every multi-byte type
    d.write("bf4.npy", npy_bytes("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", std::string("\x3f\x80\x00\x00\xc0\x00\x00\x00", 8)));
    EXPECT_EQ(read_npy(d.file("bf4.npy")).to_float(), (std::vector<float>{1.f, -2.f}));
    d.write("bi2.npy", npy_bytes("{'descr': '>i2', 'fortran_order': False, 'shape': (2,), }", std::string("\xff\xfe\x01\x00", 4)));
    EXPECT_EQ(read_npy(d.file("bi2.npy")).to_int64(), (std::vector<int64_t>{-2, 256}));
    d.write("bi8.npy", npy_bytes("{'descr': '>i8', 'fortran_order': False, 'shape': (1,), }", std::string("\xff\xff\xff\xff\xff\xff\xff\xfd", 8)));
    EXPECT_EQ(read_npy(d.file("bi8.npy")).to_int64(), (std::vector<int64_t>{-3}));
    d.write("bu2.npy", npy_bytes("{'descr': '>u2', 'fortran_order': False, 'shape': (1,), }", std::string("\x01\x02", 2)));
    EXPECT_EQ(read_npy(d.file("bu2.npy")).to_int64(), (std::vector<int64_t>{258}));
    EXPECT_TRUE(read_npy_header(d.file("bu2.npy")).big_endian);
    EXPECT_EQ(read_npy(d.file("bu2.npy")).bytes, decode_npy(read_all(d.file("bu2.npy")), "m").bytes);
    // written back little-endian, C order: the same values
    for (const char* f : {"i8.npy", "u1.npy", "u2.npy", "b1.npy", "bf4.npy", "bi8.npy"}) {
        const NpyArray x = read_npy(d.file(f));
        const NpyArray y = decode_npy(encode_npy(x), "again");
        EXPECT_EQ(y.dtype, x.dtype) << f;
        EXPECT_EQ(y.bytes, x.bytes) << f;
    }
}

// fortran_order True (np.save of a transposed or np.asfortranarray array): read in C order.
TEST(Npy, ReadsFortranOrderAsCOrder) {
    TempDir d;
    // a = [[1, 2, 3], [4, 5, 6]]; in Fortran order the data is 1 4 2 5 3 6
    const int16_t f[6] = {1, 4, 2, 5, 3, 6};
    d.write("f.npy", npy_bytes("{'descr': '<i2', 'fortran_order': True, 'shape': (2, 3), }",
                               std::string(reinterpret_cast<const char*>(f), 12)));
    const NpyArray a = read_npy(d.file("f.npy"));
    EXPECT_EQ(a.shape, (std::vector<size_t>{2, 3}));
    EXPECT_EQ(a.to_int64(), (std::vector<int64_t>{1, 2, 3, 4, 5, 6}));
    EXPECT_TRUE(read_npy_header(d.file("f.npy")).fortran_order);
    EXPECT_EQ(decode_npy(read_all(d.file("f.npy")), "m").bytes, a.bytes);
    // rank 3, big-endian at once: element (i, j, k) at i + 2 j + 4 k in the file
    std::string data;
    for (int k = 0; k < 2; ++k)
        for (int j = 0; j < 2; ++j)
            for (int i = 0; i < 2; ++i) {
                const int v = 100 * i + 10 * j + k;
                data += static_cast<char>(v >> 8);
                data += static_cast<char>(v & 0xff);
            }
    d.write("f3.npy", npy_bytes("{'descr': '>i2', 'fortran_order': True, 'shape': (2, 2, 2), }", data));
    EXPECT_EQ(read_npy(d.file("f3.npy")).to_int64(), (std::vector<int64_t>{0, 1, 10, 11, 100, 101, 110, 111}));
    // rank 1 and empty arrays are the same either way
    d.write("f1.npy", npy_bytes("{'descr': '|i1', 'fortran_order': True, 'shape': (3,), }", "\x01\x02\x03"));
    EXPECT_EQ(read_npy(d.file("f1.npy")).to_int64(), (std::vector<int64_t>{1, 2, 3}));
    d.write("f0.npy", npy_bytes("{'descr': '<f8', 'fortran_order': True, 'shape': (0, 4), }", ""));
    EXPECT_EQ(read_npy(d.file("f0.npy")).size(), 0u);
}

TEST(Npy, RefusesTruncatedAndTrailing) {
    TempDir d;
    const std::string good = encode_npy(make_npy<int32_t>({3, 2}, {1, 2, 3, 4, 5, 6}));
    d.write("t.npy", good.substr(0, good.size() - 3));
    expect_data_error([&] { read_npy(d.file("t.npy")); }, {d.file("t.npy"), "truncated", "(3, 2)", "24", "21"});
    d.write("x.npy", good + "zz");
    expect_data_error([&] { read_npy(d.file("x.npy")); }, {d.file("x.npy"), "trailing"});
    d.write("h.npy", good.substr(0, 40));
    expect_data_error([&] { read_npy(d.file("h.npy")); }, {d.file("h.npy"), "truncated .npy header"});
    d.write("e.npy", "");
    expect_data_error([&] { read_npy(d.file("e.npy")); }, {d.file("e.npy"), "empty"});
    // a shape whose byte count overflows: refused from the header, nothing allocated
    d.write("o.npy", npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296), }", ""));
    expect_data_error([&] { read_npy(d.file("o.npy")); }, {d.file("o.npy"), "overflow"});
    d.write("big.npy", npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (100000, 100000), }", "x"));
    expect_data_error([&] { read_npy(d.file("big.npy")); }, {d.file("big.npy"), "truncated data"});
}

TEST(Npy, RefusesBadMagicVersionAndHeader) {
    TempDir d;
    d.write("m.npy", "\x93NUMPZ\x01\x00\x10\x00{}              \n");
    expect_data_error([&] { read_npy(d.file("m.npy")); }, {d.file("m.npy"), "bad magic"});
    std::string v9 = npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (), }", "abcd");
    v9[6] = 9;
    d.write("v.npy", v9);
    expect_data_error([&] { read_npy(d.file("v.npy")); }, {d.file("v.npy"), "version 9.0"});
    const std::vector<std::pair<std::string, std::string>> bad = {
        {"{'descr': '<f4', 'shape': (1,), }", "no 'fortran_order'"},
        {"{'descr': '<f4', 'fortran_order': False, }", "no 'shape'"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 1}", "unexpected key"},
        {"{'descr': '<f4', 'fortran_order': Maybe, 'shape': (1,), }", "fortran_order"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }", "non-negative"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (1,) ", "expected ','"},
        {"'descr': '<f4'", "expected '{'"},
    };
    for (const auto& [dict, what] : bad) {
        d.write("b.npy", npy_bytes(dict, "abcd"));
        expect_data_error([&] { read_npy(d.file("b.npy")); }, {d.file("b.npy"), "bad .npy header", what});
    }
    expect_data_error([&] { read_npy(d.file("absent.npy")); }, {d.file("absent.npy"), "no such file"});
}

// Review finding: a (40000, 40000) int8 file was read whole (1.6 GB) before the
// caller could look at its shape.
TEST(Npy, ReadHeaderWithoutTheData) {
    TempDir d;
    const std::string head = npy_bytes("{'descr': '|i1', 'fortran_order': False, 'shape': (40000, 40000), }", "");
    d.write("big.npy", head);
    std::filesystem::resize_file(d.file("big.npy"), head.size() + 1600000000ull);  // sparse
    const long before = peak_rss_mib();
    const NpyHeader h = read_npy_header(d.file("big.npy"));
    EXPECT_LT(peak_rss_mib() - before, 50);
    EXPECT_EQ(h.dtype, NpyDtype::Int8);
    EXPECT_EQ(h.shape, (std::vector<size_t>{40000, 40000}));
    EXPECT_EQ(h.data_offset, head.size());
    EXPECT_EQ(h.header_len, head.size() - 10);
    EXPECT_EQ(h.data_bytes, 1600000000u);
    EXPECT_EQ(h.size(), 1600000000u);
    EXPECT_EQ(h.source, d.file("big.npy"));
    h.expect_rank(2);
    h.expect_shape({NpyArray::kAny, 40000});
    expect_data_error([&] { h.expect_shape({1024, 1024}); }, {d.file("big.npy"), "(40000, 40000)", "(1024, 1024)"});
    // the length must match exactly, as for read_npy
    std::filesystem::resize_file(d.file("big.npy"), head.size() + 1600000001ull);
    expect_data_error([&] { read_npy_header(d.file("big.npy")); }, {d.file("big.npy"), "1 bytes of trailing data"});
    expect_data_error([&] { read_npy(d.file("big.npy")); }, {d.file("big.npy"), "1 bytes of trailing data"});
    EXPECT_LT(peak_rss_mib() - before, 50);
    const std::string good = encode_npy(make_npy<int16_t>({2, 3}, {1, 2, 3, 4, 5, 6}));
    d.write("g.npy", good);
    const NpyHeader g = read_npy_header(d.file("g.npy"));
    EXPECT_EQ(g.shape_string(), "(2, 3)");
    EXPECT_EQ(g.data_offset + g.data_bytes, good.size());
    expect_data_error([&] { read_npy_header(d.file("none.npy")); }, {d.file("none.npy"), "no such file"});
}

// In a death-test child: read_npy with at most 1 GiB of address space; exits 0
// after printing the DataError, 1 if there was none.
void read_npy_under_1gib(const std::string& path) {
    rlimit lim{};
    lim.rlim_cur = lim.rlim_max = rlim_t{1} << 30;
    setrlimit(RLIMIT_AS, &lim);
    try {
        read_npy(path);
    } catch (const DataError& e) {
        std::fprintf(stderr, "%s\n", e.what());
        std::_Exit(0);
    }
    std::_Exit(1);
}

// Out of memory while loading names the file instead of a bare std::bad_alloc.
TEST(NpyDeathTest, OutOfMemoryNamesTheFile) {
    // Not under AddressSanitizer: it reserves terabytes of address space for its
    // shadow, so RLIMIT_AS stops ASan itself ("Failed to mmap"), and its operator
    // new reports an allocation it cannot make and aborts, where a plain build
    // throws std::bad_alloc, the case this test is about (the plain build runs it).
    if (MIND1024_TEST_ASAN) GTEST_SKIP() << "out of memory cannot be std::bad_alloc under AddressSanitizer";
    TempDir d;
    const std::string head = npy_bytes("{'descr': '|i1', 'fortran_order': False, 'shape': (40000, 40000), }", "");
    d.write("big.npy", head);
    std::filesystem::resize_file(d.file("big.npy"), head.size() + 1600000000ull);
    const std::string path = d.file("big.npy");
    EXPECT_EXIT(read_npy_under_1gib(path), ::testing::ExitedWithCode(0),
                "big.npy: out of memory for the 1600000000 data bytes of shape \\(40000, 40000\\)");
}

// Issue 21, defect 4: a v2 header length of 0xFFFFFFF0 on a 4 GiB sparse file cost
// 8.4 GB and a minute before "bad .npy header" (or ended as "out of memory" with no
// file named). It is refused from the preamble, naming the file, before allocating.
TEST(NpyDeathTest, AHugeHeaderLengthIsRefusedBeforeAllocating) {
    if (MIND1024_TEST_ASAN) GTEST_SKIP() << "RLIMIT_AS stops AddressSanitizer itself";
    TempDir d;
    std::string head("\x93NUMPY\x02\x00\xF0\xFF\xFF\xFF", 12);
    d.write("huge.npy", head);
    std::filesystem::resize_file(d.file("huge.npy"), (uint64_t{1} << 32) + 64);  // sparse: no disk used
    EXPECT_EXIT(read_npy_under_1gib(d.file("huge.npy")), ::testing::ExitedWithCode(0),
                "huge.npy: bad .npy header: it says its header is 4294967280 bytes long");
}

// Review finding: a bad header was quoted whole (5 MB on stderr), control bytes included.
TEST(Npy, BadHeaderQuotedShortAndEscaped) {
    TempDir d;
    const std::string pad(60000, 'A');  // a header may be 64 KiB at most
    d.write("long.npy", npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x" + pad + "': 1}", "abcd", 2));
    try {
        read_npy(d.file("long.npy"));
        FAIL() << "no DataError";
    } catch (const DataError& e) {
        const std::string msg = e.what();
        EXPECT_LT(msg.size(), 600u);
        EXPECT_NE(msg.find("unexpected key 'xAAAA"), std::string::npos) << msg;
        EXPECT_NE(msg.find("... (600" ), std::string::npos) << msg;
        EXPECT_NE(msg.find(" bytes)"), std::string::npos) << msg;
    }
    const std::string ctl = std::string("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }\x1b[2J\x07") +
                            std::string(1, '\0') + "\xff";
    d.write("ctl.npy", npy_bytes(ctl, "abcd"));
    try {
        read_npy(d.file("ctl.npy"));
        FAIL() << "no DataError";
    } catch (const DataError& e) {
        const std::string msg = e.what();
        EXPECT_NE(msg.find("text after the closing '}'"), std::string::npos) << msg;
        EXPECT_NE(msg.find("}\\x1b[2J\\x07\\x00\\xff"), std::string::npos) << msg;
        for (char c : msg) EXPECT_TRUE(c >= 0x20 && c < 0x7f) << "raw byte " << int(static_cast<unsigned char>(c));
    }
    d.write("dt.npy", npy_bytes("{'descr': '<x\x1b[31m', 'fortran_order': False, 'shape': (1,), }", "abcd"));
    expect_data_error([&] { read_npy(d.file("dt.npy")); }, {d.file("dt.npy"), "dtype '<x\\x1b[31m'"});
}

TEST(Npy, FailedWriteLeavesNothing) {
    TempDir d;
    expect_data_error([&] { write_npy<float>(d.file("nodir/a.npy"), {1}, {1.f}); }, {d.file("nodir/a.npy")});
    NpyArray broken = make_npy<float>({2}, {1.f, 2.f});
    broken.bytes.pop_back();
    expect_data_error([&] { write_npy(d.file("b.npy"), broken); }, {d.file("b.npy")});
    EXPECT_EQ(d.entries(), 0u);
    // overwrite keeps the old file until the new one is complete
    write_npy<int8_t>(d.file("c.npy"), {1}, {1});
    write_npy<int8_t>(d.file("c.npy"), {2}, {1, -1});
    EXPECT_EQ(read_npy(d.file("c.npy")).size(), 2u);
    EXPECT_EQ(d.entries(), 1u);
}
