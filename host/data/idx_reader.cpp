#include "idx_reader.h"

#include <algorithm>
#include <array>
#include <climits>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>
#include <zlib.h>

#include "data_paths.h"

namespace fs = std::filesystem;

namespace mind1024::host {
namespace {

constexpr unsigned kMaxIdxDims = 8;

class GzFile {
public:
    explicit GzFile(const std::string& path) : path_(path), f_(gzopen(path.c_str(), "rb")) {
        if (!f_) throw DataError(fmt::format("{}: cannot open for reading", path));
        gzbuffer(f_, 1 << 17);
    }
    ~GzFile() {
        if (f_) gzclose(f_);
    }
    GzFile(const GzFile&) = delete;
    GzFile& operator=(const GzFile&) = delete;

    // Reads up to n bytes; returns how many were read (fewer only at the end).
    size_t read(void* buf, size_t n) {
        auto* p = static_cast<unsigned char*>(buf);
        size_t done = 0;
        while (done < n) {
            const unsigned chunk = static_cast<unsigned>(std::min<size_t>(n - done, 1u << 30));
            const int r = gzread(f_, p + done, chunk);
            if (r < 0) {
                int err = 0;
                const char* msg = gzerror(f_, &err);
                throw DataError(fmt::format("{}: read error (corrupt or truncated gzip data?): {}",
                                            path_, msg ? msg : "unknown zlib error"));
            }
            if (r == 0) break;
            done += static_cast<size_t>(r);
        }
        return done;
    }

private:
    std::string path_;
    gzFile f_;
};

bool has_gzip_magic(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw DataError(fmt::format("{}: cannot open for reading", path));
    unsigned char b[2] = {0, 0};
    in.read(reinterpret_cast<char*>(b), 2);
    return in.gcount() == 2 && b[0] == 0x1f && b[1] == 0x8b;
}

// Length of the IDX content: the file size (raw) or the decompressed length
// (gzip, counted by streaming through a small buffer, nothing allocated).
uint64_t content_length(const std::string& path, bool gzip) {
    if (!gzip) {
        std::error_code ec;
        const auto size = fs::file_size(path, ec);
        if (ec) throw DataError(fmt::format("{}: cannot get the file size: {}", path, ec.message()));
        return size;
    }
    GzFile f(path);
    std::vector<unsigned char> buf(1 << 16);
    uint64_t total = 0;
    for (;;) {
        const size_t r = f.read(buf.data(), buf.size());
        total += r;
        if (r < buf.size()) break;
    }
    return total;
}

uint32_t be32(const unsigned char* p) {
    return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

const char* idx_type_name(unsigned t) {
    switch (t) {
        case 0x08: return "unsigned byte";
        case 0x09: return "signed byte";
        case 0x0B: return "int16";
        case 0x0C: return "int32";
        case 0x0D: return "float32";
        case 0x0E: return "float64";
        default: return "unknown";
    }
}

const char* magic_name(uint32_t m) {
    if (m == kIdxLabelsMagic) return "labels, 1 dimension";
    if (m == kIdxImagesMagic) return "images, 3 dimensions";
    return "uint8 IDX";
}

std::string dims_string(const std::vector<uint32_t>& d) {
    std::string s;
    for (size_t i = 0; i < d.size(); ++i) s += (i ? "x" : "") + std::to_string(d[i]);
    return s;
}

void check_regular_file(const std::string& path) {
    std::error_code ec;
    const auto st = fs::status(path, ec);
    if (ec || !fs::exists(st)) throw DataError(fmt::format("{}: no such file", path));
    if (!fs::is_regular_file(st)) throw DataError(fmt::format("{}: not a regular file", path));
}

}  // namespace

IdxArray read_idx(const std::string& path, uint32_t expected_magic) {
    check_regular_file(path);
    const bool gzip = has_gzip_magic(path);
    const char* kind = gzip ? "gzip IDX file" : "IDX file";
    const uint64_t total = content_length(path, gzip);
    if (total == 0) throw DataError(fmt::format("{}: empty file, expected an IDX header", path));
    if (total < 4)
        throw DataError(fmt::format("{}: only {} byte(s), too short for an IDX header", path, total));

    GzFile f(path);  // gzread reads raw files as they are
    unsigned char head[4];
    f.read(head, 4);
    const uint32_t magic = be32(head);
    if (head[0] != 0 || head[1] != 0)
        throw DataError(fmt::format("{}: bad magic 0x{:08X}: not an IDX file (expected {})", path, magic,
                                    expected_magic ? fmt::format("0x{:08X}", expected_magic)
                                                   : std::string("0x000008nn")));
    if (head[2] != 0x08)
        throw DataError(fmt::format("{}: magic 0x{:08X}: element type 0x{:02X} ({}) is not supported; "
                                    "only unsigned bytes (0x08) are read",
                                    path, magic, head[2], idx_type_name(head[2])));
    if (expected_magic != 0 && magic != expected_magic)
        throw DataError(fmt::format("{}: magic 0x{:08X} ({} dimension(s)), expected 0x{:08X} ({})", path,
                                    magic, head[3], expected_magic, magic_name(expected_magic)));
    const unsigned ndims = head[3];
    if (ndims == 0 || ndims > kMaxIdxDims)
        throw DataError(fmt::format("{}: magic 0x{:08X}: {} dimensions (expected 1..{})", path, magic,
                                    ndims, kMaxIdxDims));
    const uint64_t header = 4 + 4ull * ndims;
    if (total < header)
        throw DataError(fmt::format("{}: truncated header: {} byte(s), the {}-dimension header needs {}",
                                    path, total, ndims, header));
    std::array<unsigned char, 4 * kMaxIdxDims> raw{};
    f.read(raw.data(), 4 * ndims);
    IdxArray a;
    a.dims.resize(ndims);
    uint64_t elements = 1;
    bool overflow = false;
    for (unsigned i = 0; i < ndims; ++i) {
        a.dims[i] = be32(raw.data() + 4 * i);
        if (__builtin_mul_overflow(elements, uint64_t{a.dims[i]}, &elements)) overflow = true;
    }
    if (overflow || elements > UINT64_MAX - header)
        throw DataError(fmt::format("{}: header dimensions {} overflow (not a valid IDX file)", path,
                                    dims_string(a.dims)));
    const uint64_t need = header + elements;
    if (total < need)
        throw DataError(fmt::format("{}: truncated {}: dimensions {} need {} bytes, the {} holds {}", path,
                                    kind, dims_string(a.dims), need,
                                    gzip ? "decompressed stream" : "file", total));
    if (total > need)
        throw DataError(fmt::format("{}: {} is {} bytes longer than its dimensions {} say ({} bytes)",
                                    path, kind, total - need, dims_string(a.dims), need));
    if (elements > SIZE_MAX) throw DataError(fmt::format("{}: too large for this machine", path));
    a.data.resize(static_cast<size_t>(elements));
    const size_t got = f.read(a.data.data(), a.data.size());
    if (got != a.data.size())
        throw DataError(fmt::format("{}: truncated while reading: got {} of {} data bytes", path, got,
                                    a.data.size()));
    return a;
}

IdxImages read_idx_images(const std::string& path) {
    IdxArray a = read_idx(path, kIdxImagesMagic);
    IdxImages im;
    im.count = a.dims[0];
    im.rows = a.dims[1];
    im.cols = a.dims[2];
    if (im.rows == 0 || im.cols == 0)
        throw DataError(fmt::format("{}: images of {}x{} pixels (a side is zero)", path, im.rows, im.cols));
    im.pixels = std::move(a.data);
    return im;
}

std::vector<uint8_t> read_idx_labels(const std::string& path) {
    return std::move(read_idx(path, kIdxLabelsMagic).data);
}

uint32_t MnistSet::num_classes() const {
    if (labels.empty()) return 0;
    return uint32_t{*std::max_element(labels.begin(), labels.end())} + 1;
}

void check_same_geometry(const MnistSet& a, const MnistSet& b) {
    if (a.rows != b.rows || a.cols != b.cols)
        throw DataError(fmt::format("image sizes differ: {} holds {}x{} images, {} holds {}x{}", a.images_path,
                                    a.rows, a.cols, b.images_path, b.rows, b.cols));
}

void check_max_pixels(const MnistSet& s, size_t max_pixels, const std::string& why) {
    if (s.image_size() > max_pixels)
        throw DataError(fmt::format("{}: images of {}x{} = {} pixels do not fit: at most {} ({})", s.images_path,
                                    s.rows, s.cols, s.image_size(), max_pixels, why));
}

const char* to_string(Split s) { return s == Split::Train ? "train" : "test"; }

std::string images_file_name(Split s) {
    return s == Split::Train ? "train-images-idx3-ubyte" : "t10k-images-idx3-ubyte";
}
std::string labels_file_name(Split s) {
    return s == Split::Train ? "train-labels-idx1-ubyte" : "t10k-labels-idx1-ubyte";
}

namespace {
// dir/base or dir/base.gz, whichever exists first; empty if neither.
std::string try_find(const std::string& dir, const std::string& base) {
    for (const std::string& name : {base, base + ".gz"}) {
        const fs::path p = fs::path(dir) / name;
        std::error_code ec;
        if (fs::is_regular_file(p, ec)) return p.string();
    }
    return {};
}
}  // namespace

std::string find_data_file(const std::string& dir, const std::string& base_name) {
    std::string p = try_find(dir, base_name);
    if (p.empty())
        throw DataError(fmt::format("{}: neither {} nor {}.gz is there", dir, base_name, base_name));
    return p;
}

MnistSet load_mnist_split(const std::string& dir, Split split) {
    MnistSet s;
    s.images_path = find_data_file(dir, images_file_name(split));
    s.labels_path = find_data_file(dir, labels_file_name(split));
    IdxImages im = read_idx_images(s.images_path);
    s.labels = read_idx_labels(s.labels_path);
    if (im.count != s.labels.size())
        throw DataError(fmt::format("image and label counts differ in the {} split: {} holds {} images, "
                                    "{} holds {} labels",
                                    to_string(split), s.images_path, im.count, s.labels_path,
                                    s.labels.size()));
    if (im.count == 0)
        throw DataError(fmt::format("{}: the {} split holds no images", s.images_path, to_string(split)));
    s.count = im.count;
    s.rows = im.rows;
    s.cols = im.cols;
    s.images = std::move(im.pixels);
    return s;
}

std::string data_dir_candidate(const std::string& cli_value, std::string* source) {
    std::string dir, src;
    if (!cli_value.empty()) {
        dir = cli_value;
        src = "from --data";
    } else if (const char* env = std::getenv("MIND1024_DATA"); env && *env) {
        dir = env;
        src = "from the environment variable MIND1024_DATA";
    } else {
        dir = MIND1024_DEFAULT_DATA_DIR;
        src = "the default; set --data DIR or MIND1024_DATA to use another";
    }
    if (source) *source = src;
    return dir;
}

std::string resolve_data_dir(const std::string& cli_value) {
    std::string source;
    const std::string dir = data_dir_candidate(cli_value, &source);
    std::error_code ec;
    if (!fs::is_directory(dir, ec))
        throw DataError(fmt::format("data directory {} ({}) {}", dir, source,
                                    fs::exists(dir, ec) ? "is not a directory" : "does not exist"));
    std::vector<std::string> missing;
    for (Split s : {Split::Train, Split::Test})
        for (const std::string& base : {images_file_name(s), labels_file_name(s)})
            if (try_find(dir, base).empty()) missing.push_back(base);
    if (!missing.empty()) {
        std::string list;
        for (const auto& m : missing) list += fmt::format("\n  {0} or {0}.gz", m);
        throw DataError(fmt::format("data directory {} ({}) lacks {} of the 4 IDX files; looked for:{}\n"
                                    "(any directory holding train-images-idx3-ubyte, train-labels-idx1-ubyte, "
                                    "t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte, raw or .gz, works)",
                                    dir, source, missing.size(), list));
    }
    return dir;
}

}  // namespace mind1024::host
