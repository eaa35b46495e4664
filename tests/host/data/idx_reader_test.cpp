#include "host/data/idx_reader.h"

#include <sys/resource.h>

#include <array>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <zlib.h>

#include "data_paths.h"
#include "tests/host/data/temp_dir.h"

using namespace mind1024::host;
using mind1024::test::TempDir;

namespace {

std::string be32(uint32_t v) {
    std::string s(4, '\0');
    for (int k = 0; k < 4; ++k) s[k] = static_cast<char>((v >> (24 - 8 * k)) & 0xFF);
    return s;
}

std::string idx_images(uint32_t count, uint32_t rows, uint32_t cols, uint8_t seed = 0) {
    std::string s = be32(0x803) + be32(count) + be32(rows) + be32(cols);
    for (uint32_t i = 0; i < count * rows * cols; ++i) s += static_cast<char>((i * 7 + seed) & 0xFF);
    return s;
}

std::string idx_labels(uint32_t count) {
    std::string s = be32(0x801) + be32(count);
    for (uint32_t i = 0; i < count; ++i) s += static_cast<char>(i % 10);
    return s;
}

void write_gz(const std::string& path, const std::string& bytes) {
    gzFile f = gzopen(path.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    if (!bytes.empty()) {
        ASSERT_EQ(gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size())), static_cast<int>(bytes.size()));
    }
    gzclose(f);
}

std::string read_all(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), {});
}

// A gzip stream holding `prefix`, then blocks x 4 MiB of zeros, and no end:
// cheap to make because a block compressed after a full flush refers to nothing
// before it, so it decodes alike wherever it is repeated. A reader that goes
// to the end finds it truncated; one that stops early never sees that.
std::string gzip_bomb(const std::string& prefix, size_t blocks) {
    z_stream z{};
    EXPECT_EQ(deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 9, Z_DEFAULT_STRATEGY), Z_OK);
    auto run = [&](const std::string& in) {
        std::string out(deflateBound(&z, in.size()) + 1024, '\0');
        z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
        z.avail_in = static_cast<uInt>(in.size());
        z.next_out = reinterpret_cast<Bytef*>(out.data());
        z.avail_out = static_cast<uInt>(out.size());
        EXPECT_EQ(deflate(&z, Z_FULL_FLUSH), Z_OK);
        EXPECT_EQ(z.avail_in, 0u);
        out.resize(out.size() - z.avail_out);
        return out;
    };
    std::string r = run(prefix);
    const std::string zeros = run(std::string(4 << 20, '\0'));
    deflateEnd(&z);
    r.reserve(r.size() + blocks * zeros.size());
    for (size_t i = 0; i < blocks; ++i) r += zeros;
    return r;
}

// Peak resident memory of this process so far, in MiB.
long peak_rss_mib() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return u.ru_maxrss / 1024;
}

using mind1024::test::expect_data_error;

void write_split(const TempDir& d, mind1024::host::Split s, uint32_t n, bool gz) {
    const std::string im = idx_images(n, 3, 2), lb = idx_labels(n);
    if (gz) {
        write_gz(d.file(images_file_name(s) + ".gz"), im);
        write_gz(d.file(labels_file_name(s) + ".gz"), lb);
    } else {
        d.write(images_file_name(s), im);
        d.write(labels_file_name(s), lb);
    }
}

}  // namespace

TEST(IdxReader, ReadsRawImagesAndLabels) {
    TempDir d;
    d.write("im", idx_images(4, 3, 2));
    d.write("lb", idx_labels(4));
    const IdxImages im = read_idx_images(d.file("im"));
    EXPECT_EQ(im.count, 4u);
    EXPECT_EQ(im.rows, 3u);
    EXPECT_EQ(im.cols, 2u);
    ASSERT_EQ(im.pixels.size(), 24u);
    for (uint32_t i = 0; i < 24; ++i) EXPECT_EQ(im.pixels[i], (i * 7) & 0xFF);
    EXPECT_EQ(read_idx_labels(d.file("lb")), (std::vector<uint8_t>{0, 1, 2, 3}));
}

TEST(IdxReader, GzipDetectedByMagicNotName) {
    TempDir d;
    const std::string im = idx_images(5, 4, 4, 3);
    write_gz(d.file("a.gz"), im);
    write_gz(d.file("no_suffix"), im);  // gzip content, no .gz in the name
    d.write("raw", im);
    const IdxImages a = read_idx_images(d.file("a.gz")), b = read_idx_images(d.file("no_suffix")),
                    c = read_idx_images(d.file("raw"));
    EXPECT_EQ(a.pixels, c.pixels);
    EXPECT_EQ(b.pixels, c.pixels);
    EXPECT_EQ(a.count, 5u);
}

TEST(IdxReader, GenericReadAnyRank) {
    TempDir d;
    d.write("x", be32(0x802) + be32(2) + be32(3) + std::string("abcdef"));
    const IdxArray a = read_idx(d.file("x"));
    EXPECT_EQ(a.dims, (std::vector<uint32_t>{2, 3}));
    EXPECT_EQ(std::string(a.data.begin(), a.data.end()), "abcdef");
}

TEST(IdxReader, RefusesWrongMagic) {
    TempDir d;
    d.write("lb", idx_labels(3));
    expect_data_error([&] { read_idx_images(d.file("lb")); }, {d.file("lb"), "0x00000801", "0x00000803"});
    d.write("junk", "PK\x03\x04 this is a zip");
    expect_data_error([&] { read_idx_labels(d.file("junk")); }, {d.file("junk"), "bad magic", "not an IDX file"});
    d.write("float", be32(0x00000D01) + be32(1) + std::string(4, '\0'));
    expect_data_error([&] { read_idx(d.file("float")); }, {d.file("float"), "float32", "not supported"});
    d.write("zerodims", be32(0x00000800));
    expect_data_error([&] { read_idx(d.file("zerodims")); }, {d.file("zerodims"), "0 dimensions"});
}

TEST(IdxReader, RefusesTruncatedAndTooLong) {
    TempDir d;
    std::string im = idx_images(4, 3, 2);
    d.write("short", im.substr(0, im.size() - 1));
    expect_data_error([&] { read_idx_images(d.file("short")); }, {d.file("short"), "truncated", "4x3x2", "39", "40"});
    d.write("long", im + "x");
    expect_data_error([&] { read_idx_images(d.file("long")); }, {d.file("long"), "1 bytes longer"});
    d.write("header", im.substr(0, 10));
    expect_data_error([&] { read_idx_images(d.file("header")); }, {d.file("header"), "truncated header"});
    d.write("tiny", std::string("\0\0", 2));
    expect_data_error([&] { read_idx_images(d.file("tiny")); }, {d.file("tiny"), "too short"});
    // gzip: a truncated payload inside a valid stream, and a cut stream
    write_gz(d.file("short.gz"), im.substr(0, im.size() - 5));
    expect_data_error([&] { read_idx_images(d.file("short.gz")); }, {d.file("short.gz"), "truncated gzip IDX"});
    write_gz(d.file("full.gz"), im);
    std::ifstream in(d.file("full.gz"), std::ios::binary);
    std::string gz((std::istreambuf_iterator<char>(in)), {});
    d.write("cut.gz", gz.substr(0, gz.size() / 2));
    expect_data_error([&] { read_idx_images(d.file("cut.gz")); }, {d.file("cut.gz")});
}

TEST(IdxReader, RefusesEmptyFile) {
    TempDir d;
    d.write("empty", "");
    expect_data_error([&] { read_idx_labels(d.file("empty")); }, {d.file("empty"), "empty file"});
    write_gz(d.file("empty.gz"), "");
    expect_data_error([&] { read_idx_labels(d.file("empty.gz")); }, {d.file("empty.gz"), "empty file"});
}

TEST(IdxReader, RefusesOverflowingAndHugeDims) {
    TempDir d;
    // 2^32-1 cubed overflows 64 bits: refused from the header alone
    d.write("ovf", be32(0x803) + be32(0xFFFFFFFF) + be32(0xFFFFFFFF) + be32(0xFFFFFFFF) + "abc");
    expect_data_error([&] { read_idx_images(d.file("ovf")); }, {d.file("ovf"), "overflow"});
    // huge but representable: refused against the file length, nothing allocated
    d.write("huge", be32(0x803) + be32(0xFFFFFFFF) + be32(0xFFFF) + be32(0xFFFF) + "abc");
    expect_data_error([&] { read_idx_images(d.file("huge")); }, {d.file("huge"), "truncated", "need"});
    d.write("zero", be32(0x803) + be32(3) + be32(0) + be32(28));
    expect_data_error([&] { read_idx_images(d.file("zero")); }, {d.file("zero"), "zero"});
}

// Review finding: 32 GiB of zeros after a labels file's 60000 labels were all
// decompressed (78 s) before the length was refused.
TEST(IdxReader, GzipBombStopsAfterTheDimensions) {
    TempDir d;
    const std::string lb = idx_labels(60000);
    d.write("bomb.gz", gzip_bomb(lb, 1024));  // 4 GiB of zeros after the labels, ~4 MB on disk
    const auto t0 = std::chrono::steady_clock::now();
    expect_data_error([&] { read_idx_labels(d.file("bomb.gz")); },
                      {d.file("bomb.gz"), "gzip IDX file is longer than its dimensions 60000 need (60008 bytes"});
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(1));
    // a small excess is counted exactly
    write_gz(d.file("long.gz"), lb + "xyz");
    expect_data_error([&] { read_idx_labels(d.file("long.gz")); }, {d.file("long.gz"), "3 bytes longer"});
}

// Review finding: a gzip header claiming 3,221,225,472 labels forced a 3.2 GB
// allocation before the counts were compared.
TEST(IdxReader, LyingGzipHeaderAllocatesNothing) {
    TempDir d;
    const std::string huge = be32(0x801) + be32(3221225472u);
    write_gz(d.file("huge.gz"), huge + std::string(1000, '\1'));
    expect_data_error([&] { read_idx_labels(d.file("huge.gz")); },
                      {d.file("huge.gz"), "3221225472 bytes of data", "2 GiB"});
    // raw: the same header on a sparse 3 GiB file is refused from the header too
    d.write("huge", huge);
    std::filesystem::resize_file(d.file("huge"), 8 + 3221225472ull);
    expect_data_error([&] { read_idx_labels(d.file("huge")); }, {d.file("huge"), "3221225472 bytes of data"});
    // under the cap: the buffer grows only with the data that really arrives
    const long before = peak_rss_mib();
    write_gz(d.file("big.gz"), be32(0x801) + be32(2000000000u) + std::string(10, '\1'));
    expect_data_error([&] { read_idx_labels(d.file("big.gz")); },
                      {d.file("big.gz"), "truncated gzip IDX file", "2000000008", "holds 18"});
    EXPECT_LT(peak_rss_mib() - before, 100);
}

// Review finding: gzread ignored bytes after the gzip stream.
TEST(IdxReader, GzipTrailingBytesRefusedMembersRead) {
    TempDir d;
    const std::string im = idx_images(4, 3, 2);
    write_gz(d.file("a.gz"), im.substr(0, 10));
    write_gz(d.file("b.gz"), im.substr(10));
    const std::string a = read_all(d.file("a.gz")), b = read_all(d.file("b.gz"));
    d.write("two.gz", a + b);  // concatenated members are legal gzip
    d.write("raw", im);
    EXPECT_EQ(read_idx_images(d.file("two.gz")).pixels, read_idx_images(d.file("raw")).pixels);
    d.write("junk.gz", a + b + "JUNKJUNK");
    expect_data_error([&] { read_idx_images(d.file("junk.gz")); },
                      {d.file("junk.gz"), "8 trailing bytes after the gzip stream"});
    d.write("one.gz", a + b + "\x1f");  // half a gzip magic is no member
    expect_data_error([&] { read_idx_images(d.file("one.gz")); }, {d.file("one.gz"), "1 trailing bytes"});
    d.write("cut2.gz", a + b.substr(0, b.size() - 4));  // second member cut in its trailer
    expect_data_error([&] { read_idx_images(d.file("cut2.gz")); }, {d.file("cut2.gz"), "truncated gzip stream"});
    std::string bad = a + b;
    bad[bad.size() - 6] ^= 0x55;  // CRC of the second member
    d.write("crc.gz", bad);
    expect_data_error([&] { read_idx_images(d.file("crc.gz")); }, {d.file("crc.gz"), "corrupt gzip data"});
}

TEST(IdxReader, MissingFile) {
    expect_data_error([&] { read_idx_labels("/nonexistent/file-idx1-ubyte"); },
                      {"/nonexistent/file-idx1-ubyte", "no such file"});
}

TEST(MnistSplit, LoadsRawAndGzipDirectories) {
    for (bool gz : {false, true}) {
        TempDir d;
        write_split(d, Split::Train, 7, gz);
        write_split(d, Split::Test, 3, gz);
        const MnistSet tr = load_mnist_split(d.path().string(), Split::Train);
        EXPECT_EQ(tr.count, 7u);
        EXPECT_EQ(tr.rows, 3u);
        EXPECT_EQ(tr.cols, 2u);
        EXPECT_EQ(tr.images.size(), 42u);
        EXPECT_EQ(tr.labels.size(), 7u);
        EXPECT_EQ(tr.image(1)[0], 42u);  // element 6: 6*7
        EXPECT_EQ(tr.num_classes(), 7u);
        EXPECT_EQ(tr.images_path.size() > 3 && tr.images_path.substr(tr.images_path.size() - 3) == ".gz", gz);
        const MnistSet te = load_mnist_split(d.path().string(), Split::Test);
        EXPECT_EQ(te.count, 3u);
        EXPECT_EQ(resolve_data_dir(d.path().string()), d.path().string());
    }
}

TEST(MnistSplit, GeometryChecks) {
    TempDir d;
    write_split(d, Split::Train, 2, false);
    d.write(images_file_name(Split::Test), idx_images(2, 4, 4));
    d.write(labels_file_name(Split::Test), idx_labels(2));
    const MnistSet tr = load_mnist_split(d.path().string(), Split::Train);
    const MnistSet te = load_mnist_split(d.path().string(), Split::Test);
    expect_data_error([&] { check_same_geometry(tr, te); }, {"3x2", "4x4", images_file_name(Split::Test)});
    check_same_geometry(tr, tr);
    check_max_pixels(tr, 6, "six");
    expect_data_error([&] { check_max_pixels(te, 6, "six neurons"); }, {"16 pixels", "at most 6", "six neurons"});
}

TEST(MnistSplit, RefusesCountMismatch) {
    TempDir d;
    d.write(images_file_name(Split::Train), idx_images(5, 2, 2));
    d.write(labels_file_name(Split::Train), idx_labels(4));
    expect_data_error([&] { load_mnist_split(d.path().string(), Split::Train); },
                      {"counts differ", images_file_name(Split::Train), "5 images", "4 labels"});
}

TEST(MnistSplit, HeadersComparedBeforeTheData) {
    TempDir d;
    d.write(images_file_name(Split::Train), idx_images(5, 2, 2));
    write_gz(d.file(labels_file_name(Split::Train) + ".gz"), be32(0x801) + be32(3221225472u) + "abc");
    expect_data_error([&] { load_mnist_split(d.path().string(), Split::Train); },
                      {"counts differ", "5 images", "3221225472 labels"});
    // a zero image side is refused from the header as well
    d.write(images_file_name(Split::Test), be32(0x803) + be32(2) + be32(0) + be32(4));
    d.write(labels_file_name(Split::Test), idx_labels(2) + "junk");
    expect_data_error([&] { load_mnist_split(d.path().string(), Split::Test); },
                      {images_file_name(Split::Test), "a side is zero"});
}

// Review finding: one stray label (50 or 200) only showed up as confusing errors downstream.
TEST(MnistSplit, CheckLabelsNamesTheShortClass) {
    MnistSet s;
    s.labels_path = "lb";
    for (int k = 0; k < 3; ++k)
        for (uint8_t c = 0; c < 10; ++c) s.labels.push_back(c);
    check_labels(s, 3);
    expect_data_error([&] { check_labels(s, 4); },
                      {"lb: labels run 0..9 but class 0 has 3 item(s); every class needs at least 4",
                       "first offending item: 0, label 0"});
    s.labels[17] = 50;  // class 7 keeps 2
    expect_data_error([&] { check_labels(s, 2); },
                      {"lb: labels run 0..50 but class 10 has 0 item(s)", "at least 2", "item: 17, label 50"});
    check_labels(s, 0);
    s.labels[17] = 7;
    s.labels[4] = 3;  // class 4 keeps 2, class 3 has 4
    check_labels(s, 2);
    expect_data_error([&] { check_labels(s, 3); }, {"class 4 has 2 item(s)", "item: 14, label 4"});
    s.labels.assign(5, 200);
    expect_data_error([&] { check_labels(s, 1); }, {"0..200", "class 0 has 0", "item: 0, label 200"});
    s.labels.clear();
    expect_data_error([&] { check_labels(s, 1); }, {"lb: no labels"});
}

TEST(MnistSplit, RefusesEmptySplitAndMissingFile) {
    TempDir d;
    d.write(images_file_name(Split::Test), idx_images(0, 2, 2));
    d.write(labels_file_name(Split::Test), idx_labels(0));
    expect_data_error([&] { load_mnist_split(d.path().string(), Split::Test); }, {"no images"});
    expect_data_error([&] { load_mnist_split(d.path().string(), Split::Train); },
                      {d.path().string(), "train-images-idx3-ubyte", "train-images-idx3-ubyte.gz"});
}

TEST(DataDir, ResolutionOrderAndErrors) {
    TempDir a, b;
    write_split(a, Split::Train, 2, false);
    write_split(a, Split::Test, 2, true);
    write_split(b, Split::Train, 2, true);  // b lacks the test split
    const std::string A = a.path().string(), B = b.path().string();
    ::setenv("MIND1024_DATA", A.c_str(), 1);
    EXPECT_EQ(resolve_data_dir(""), A);          // env
    EXPECT_EQ(resolve_data_dir(A), A);           // --data wins
    expect_data_error([&] { resolve_data_dir(B); },
                      {B, "--data", "t10k-images-idx3-ubyte or t10k-images-idx3-ubyte.gz",
                       "t10k-labels-idx1-ubyte"});
    ::setenv("MIND1024_DATA", B.c_str(), 1);
    expect_data_error([&] { resolve_data_dir(""); }, {B, "MIND1024_DATA"});
    expect_data_error([&] { resolve_data_dir(B + "/nope"); }, {B + "/nope", "does not exist"});
    ::unsetenv("MIND1024_DATA");
    std::string src;
    EXPECT_EQ(data_dir_candidate("", &src), MIND1024_DEFAULT_DATA_DIR);
    EXPECT_NE(src.find("default"), std::string::npos);
}

// Contract section 5: the real MNIST files.
TEST(MnistReal, ContractFacts) {
    const std::string dir = MIND1024_DEFAULT_DATA_DIR;
    std::error_code ec;
    if (!std::filesystem::exists(std::filesystem::path(dir) / "train-labels-idx1-ubyte", ec) &&
        !std::filesystem::exists(std::filesystem::path(dir) / "train-labels-idx1-ubyte.gz", ec))
        GTEST_SKIP() << "MNIST not found in " << dir << " (scripts/setup.sh fetches it)";
    ASSERT_EQ(resolve_data_dir(dir), dir);
    const MnistSet tr = load_mnist_split(dir, Split::Train);
    EXPECT_EQ(tr.count, 60000u);
    EXPECT_EQ(tr.rows, 28u);
    EXPECT_EQ(tr.cols, 28u);
    EXPECT_EQ(tr.images.size(), 60000u * 784u);
    const std::vector<uint8_t> first(tr.labels.begin(), tr.labels.begin() + 10);
    EXPECT_EQ(first, (std::vector<uint8_t>{5, 0, 4, 1, 9, 2, 1, 3, 1, 4}));
    const MnistSet te = load_mnist_split(dir, Split::Test);
    EXPECT_EQ(te.count, 10000u);
    EXPECT_EQ(te.rows, 28u);
    EXPECT_EQ(te.cols, 28u);
    EXPECT_EQ(te.num_classes(), 10u);
    std::array<int, 10> counts{};
    for (uint8_t l : te.labels) ++counts.at(l);
    EXPECT_EQ(counts, (std::array<int, 10>{980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009}));
}
