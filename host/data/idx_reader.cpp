#include "host/data/idx_reader.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <new>

#include <fmt/format.h>
#include <zlib.h>

#include "data_paths.h"

namespace fs = std::filesystem;

namespace mind1024::host {
namespace {

constexpr unsigned kMaxIdxDims = 8;

bool has_gzip_magic(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw DataError(fmt::format("{}: cannot open for reading: {}", path, std::strerror(errno)));
    unsigned char b[2] = {0, 0};
    in.read(reinterpret_cast<char*>(b), 2);
    return in.gcount() == 2 && b[0] == 0x1f && b[1] == 0x8b;
}

// The content of an IDX file, raw or gunzipped, read on demand. Gzip goes
// through zlib's inflate, not gzread: gzread silently ignores bytes after the
// stream, and we want to refuse them like trailing bytes of a raw file.
class IdxInput {
public:
    IdxInput(const std::string& path, bool gzip) : path_(path), gzip_(gzip), in_(path, std::ios::binary) {
        if (!in_) throw DataError(fmt::format("{}: cannot open for reading: {}", path, std::strerror(errno)));
        if (gzip_) {
            inbuf_.resize(1 << 17);
            if (inflateInit2(&z_, 16 + MAX_WBITS) != Z_OK)
                throw DataError(fmt::format("{}: cannot start zlib: {}", path, z_.msg ? z_.msg : "out of memory"));
        }
    }
    ~IdxInput() {
        if (gzip_) inflateEnd(&z_);
    }
    IdxInput(const IdxInput&) = delete;
    IdxInput& operator=(const IdxInput&) = delete;

    // Reads up to n bytes; returns how many were read (fewer only at the end).
    size_t read(void* buf, size_t n) {
        auto* p = static_cast<unsigned char*>(buf);
        if (!gzip_) {
            size_t done = 0;
            while (done < n && in_) {
                const size_t chunk = std::min<size_t>(n - done, 1u << 30);
                in_.read(reinterpret_cast<char*>(p + done), static_cast<std::streamsize>(chunk));
                done += static_cast<size_t>(in_.gcount());
            }
            if (in_.bad()) throw DataError(fmt::format("{}: read error", path_));
            return done;
        }
        size_t done = 0;
        while (done < n && !ended_) {
            if (z_.avail_in == 0 && !eof_) refill();
            const uInt chunk = static_cast<uInt>(std::min<size_t>(n - done, 1u << 30));
            z_.next_out = p + done;
            z_.avail_out = chunk;
            const int r = inflate(&z_, Z_NO_FLUSH);
            done += chunk - z_.avail_out;
            if (r == Z_STREAM_END) {
                after_member();
            } else if (r == Z_BUF_ERROR && z_.avail_in == 0 && eof_) {
                throw DataError(fmt::format("{}: truncated gzip stream: the file ends inside the compressed data",
                                            path_));
            } else if (r != Z_OK && r != Z_BUF_ERROR) {
                throw DataError(fmt::format("{}: corrupt gzip data: {}", path_,
                                            z_.msg ? z_.msg : fmt::format("zlib error {}", r)));
            }
        }
        return done;
    }

private:
    // Moves the unread input to the front and reads more of the file after it.
    void refill() {
        if (z_.avail_in > 0 && z_.next_in != inbuf_.data()) std::memmove(inbuf_.data(), z_.next_in, z_.avail_in);
        in_.read(reinterpret_cast<char*>(inbuf_.data() + z_.avail_in),
                 static_cast<std::streamsize>(inbuf_.size() - z_.avail_in));
        if (in_.bad()) throw DataError(fmt::format("{}: read error", path_));
        const auto got = static_cast<uInt>(in_.gcount());
        file_read_ += got;
        z_.next_in = inbuf_.data();
        z_.avail_in += got;
        if (!in_) eof_ = true;
    }

    // A gzip member ended: another member may follow (concatenation is legal
    // gzip), anything else is refused.
    void after_member() {
        while (z_.avail_in < 2 && !eof_) refill();
        if (z_.avail_in == 0) {
            ended_ = true;
            return;
        }
        if (z_.avail_in >= 2 && z_.next_in[0] == 0x1f && z_.next_in[1] == 0x8b) {
            inflateReset(&z_);
            return;
        }
        std::error_code ec;
        const uint64_t at = file_read_ - z_.avail_in, size = fs::file_size(path_, ec);
        throw DataError(fmt::format("{}: {} trailing bytes after the gzip stream (from offset {}; not another "
                                    "gzip member)",
                                    path_, ec ? uint64_t{z_.avail_in} : size - at, at));
    }

    std::string path_;
    bool gzip_;
    std::ifstream in_;
    z_stream z_{};
    std::vector<unsigned char> inbuf_;
    uint64_t file_read_ = 0;  // compressed bytes read from the file so far
    bool eof_ = false;        // the whole file has been read into inbuf_
    bool ended_ = false;      // the last gzip member ended and nothing follows
};

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

// An open IDX file whose header has been read and checked; the data is read
// only by read_data, so callers can compare headers first.
class IdxFile {
public:
    IdxFile(const std::string& path, uint32_t expected_magic)
        : path_(path), gzip_((check_regular_file(path), has_gzip_magic(path))), in_(path, gzip_) {
        unsigned char head[4];
        const size_t got = in_.read(head, 4);
        if (got == 0) throw DataError(fmt::format("{}: empty file, expected an IDX header", path));
        if (got < 4)
            throw DataError(fmt::format("{}: only {} byte(s), too short for an IDX header", path, got));
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
        header_ = 4 + 4ull * ndims;
        std::array<unsigned char, 4 * kMaxIdxDims> raw{};
        const size_t got_dims = in_.read(raw.data(), 4 * ndims);
        if (got_dims < 4 * ndims)
            throw DataError(fmt::format("{}: truncated header: {} byte(s), the {}-dimension header needs {}",
                                        path, 4 + got_dims, ndims, header_));
        dims_.resize(ndims);
        bool overflow = false;
        for (unsigned i = 0; i < ndims; ++i) {
            dims_[i] = be32(raw.data() + 4 * i);
            if (__builtin_mul_overflow(elements_, uint64_t{dims_[i]}, &elements_)) overflow = true;
        }
        if (overflow || elements_ > UINT64_MAX - header_)
            throw DataError(fmt::format("{}: header dimensions {} overflow (not a valid IDX file)", path,
                                        dims_string(dims_)));
    }

    const std::vector<uint32_t>& dims() const { return dims_; }

    // The data: exactly what the dimensions need, checked against the file
    // length (raw) or read as it arrives (gzip) so that a lying header never
    // allocates more than the file holds; then nothing more may follow.
    std::vector<uint8_t> read_data() {
        const char* kind = gzip_ ? "gzip IDX file" : "IDX file";
        const uint64_t need = header_ + elements_;
        const std::string dims = dims_string(dims_);
        if (!gzip_) {
            std::error_code ec;
            const uint64_t total = fs::file_size(path_, ec);
            if (ec) throw DataError(fmt::format("{}: cannot get the file size: {}", path_, ec.message()));
            if (total < need)
                throw DataError(fmt::format("{}: truncated {}: dimensions {} need {} bytes, the file holds {}",
                                            path_, kind, dims, need, total));
            if (total > need)
                throw DataError(fmt::format("{}: {} is {} bytes longer than its dimensions {} say ({} bytes)",
                                            path_, kind, total - need, dims, need));
        }
        if (elements_ > kMaxIdxDataBytes)
            throw DataError(fmt::format("{}: dimensions {} imply {} bytes of data, more than the {} (2 GiB) "
                                        "this reader accepts for one file",
                                        path_, dims, elements_, kMaxIdxDataBytes));
        const auto n = static_cast<size_t>(elements_);
        std::vector<uint8_t> data;
        size_t have = 0;
        try {
            // Raw: the size is known to be real. Gzip: grow only as data arrives.
            while (have < n) {
                const size_t next = gzip_ ? std::min(n, std::max<size_t>(2 * have, 1 << 20)) : n;
                data.resize(next);
                const size_t got = in_.read(data.data() + have, next - have);
                have += got;
                if (have < next) break;
            }
        } catch (const std::bad_alloc&) {
            throw DataError(fmt::format("{}: out of memory for the {} data bytes of dimensions {}", path_, n,
                                        dims));
        }
        if (have < n)
            throw DataError(fmt::format("{}: truncated {}: dimensions {} need {} bytes, the {} holds {}", path_,
                                        kind, dims, need, gzip_ ? "decompressed stream" : "file", header_ + have));
        // At most a small chunk more: enough to refuse, never a whole bomb.
        std::array<unsigned char, 1 << 12> extra;
        const size_t more = in_.read(extra.data(), extra.size());
        if (more == extra.size())
            throw DataError(fmt::format("{}: {} is longer than its dimensions {} need ({} bytes; stopped reading "
                                        "{} bytes past them)",
                                        path_, kind, dims, need, more));
        if (more > 0)
            throw DataError(fmt::format("{}: {} is {} bytes longer than its dimensions {} say ({} bytes)", path_,
                                        kind, more, dims, need));
        return data;
    }

private:
    std::string path_;
    bool gzip_;
    IdxInput in_;
    std::vector<uint32_t> dims_;
    uint64_t header_ = 0, elements_ = 1;
};

void check_image_sides(const IdxFile& f, const std::string& path) {
    if (f.dims()[1] == 0 || f.dims()[2] == 0)
        throw DataError(fmt::format("{}: images of {}x{} pixels (a side is zero)", path, f.dims()[1], f.dims()[2]));
}

}  // namespace

IdxArray read_idx(const std::string& path, uint32_t expected_magic) {
    IdxFile f(path, expected_magic);
    IdxArray a;
    a.dims = f.dims();
    a.data = f.read_data();
    return a;
}

IdxImages read_idx_images(const std::string& path) {
    IdxFile f(path, kIdxImagesMagic);
    check_image_sides(f, path);
    IdxImages im;
    im.count = f.dims()[0];
    im.rows = f.dims()[1];
    im.cols = f.dims()[2];
    im.pixels = f.read_data();
    return im;
}

std::vector<uint8_t> read_idx_labels(const std::string& path) {
    return IdxFile(path, kIdxLabelsMagic).read_data();
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

void check_labels(const MnistSet& s, uint32_t min_per_class) {
    const std::string& labels_path = s.labels_path;
    if (s.labels.empty()) throw DataError(fmt::format("{}: no labels", labels_path));
    std::array<uint64_t, 256> count{};
    for (uint8_t l : s.labels) ++count[l];
    const unsigned max = *std::max_element(s.labels.begin(), s.labels.end());
    unsigned bad = 0;
    while (bad <= max && count[bad] >= min_per_class) ++bad;
    if (bad > max) return;
    // The likely culprit: the first item of a short class; if the short classes
    // are empty, the first label above the missing class (a stray large label).
    auto it = std::find_if(s.labels.begin(), s.labels.end(), [&](uint8_t l) { return count[l] < min_per_class; });
    if (it == s.labels.end()) it = std::find_if(s.labels.begin(), s.labels.end(), [&](uint8_t l) { return l > bad; });
    const size_t item = static_cast<size_t>(it - s.labels.begin());
    throw DataError(fmt::format("{}: labels run 0..{} but class {} has {} item(s); every class needs at least {} "
                                "(first offending item: {}, label {})",
                                labels_path, max, bad, count[bad], min_per_class, item, s.labels[item]));
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
// What stands at `p` when it is there but is no regular file (a FIFO, a device,
// a directory, a dangling symlink), for the message; "" if nothing is there or it is a regular file.
std::string not_a_file(const fs::path& p) {
    std::error_code ec;
    const fs::file_status l = fs::symlink_status(p, ec);
    if (ec || !fs::exists(l)) return {};
    const fs::file_status t = fs::status(p, ec);
    const std::string link = fs::is_symlink(l) ? "a symbolic link to " : "";
    if (ec || !fs::exists(t)) return "a symbolic link to nothing (dangling)";
    switch (t.type()) {
        case fs::file_type::regular: return {};
        case fs::file_type::directory: return link + "a directory";
        case fs::file_type::fifo: return link + "a FIFO (named pipe)";
        case fs::file_type::character: return link + "a character device";
        case fs::file_type::block: return link + "a block device";
        case fs::file_type::socket: return link + "a socket";
        default: return link + "not a regular file";
    }
}

// "" or, when base or base.gz is there but is no regular file, a sentence saying so.
std::string not_a_file_note(const std::string& dir, const std::string& base) {
    std::string note;
    for (const std::string& name : {base, base + ".gz"}) {
        const fs::path p = fs::path(dir) / name;
        const std::string what = not_a_file(p);
        if (!what.empty())
            note += fmt::format("{}{} is {}, not a regular file (the IDX reader reads regular files only: copy the data into one)",
                                note.empty() ? "" : "; ", p.string(), what);
    }
    return note;
}

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
    if (p.empty()) {
        const std::string note = not_a_file_note(dir, base_name);
        if (!note.empty()) throw DataError(note);
        throw DataError(fmt::format("{}: neither {} nor {}.gz is there", dir, base_name, base_name));
    }
    return p;
}

MnistSet load_mnist_split(const std::string& dir, Split split) {
    MnistSet s;
    s.images_path = find_data_file(dir, images_file_name(split));
    s.labels_path = find_data_file(dir, labels_file_name(split));
    // Both headers first: a count or size mismatch costs no data reading.
    IdxFile im(s.images_path, kIdxImagesMagic);
    IdxFile lb(s.labels_path, kIdxLabelsMagic);
    check_image_sides(im, s.images_path);
    const uint32_t images = im.dims()[0], labels = lb.dims()[0];
    if (images != labels)
        throw DataError(fmt::format("image and label counts differ in the {} split: {} holds {} images, "
                                    "{} holds {} labels",
                                    to_string(split), s.images_path, images, s.labels_path, labels));
    if (images == 0)
        throw DataError(fmt::format("{}: the {} split holds no images", s.images_path, to_string(split)));
    s.count = images;
    s.rows = im.dims()[1];
    s.cols = im.dims()[2];
    s.images = im.read_data();
    s.labels = lb.read_data();
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
    std::string not_files;
    for (Split s : {Split::Train, Split::Test})
        for (const std::string& base : {images_file_name(s), labels_file_name(s)})
            if (try_find(dir, base).empty()) {
                const std::string note = not_a_file_note(dir, base);
                if (note.empty()) missing.push_back(base);
                else not_files += "\n  " + note;
            }
    if (!not_files.empty())
        throw DataError(fmt::format("data directory {} ({}): an IDX file is there but cannot be read:{}", dir, source,
                                    not_files));
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
