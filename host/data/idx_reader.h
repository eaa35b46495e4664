// IDX files (the MNIST format), raw or gzip, and the MNIST-like data directory.
//
// An IDX file is: magic (00 00 type ndims), ndims big-endian uint32 dimensions,
// then the data. Only unsigned bytes (type 0x08) are read. Labels are
// 0x00000801 (1 dimension), images 0x00000803 (count, rows, cols).
// Gzip is detected by its magic bytes (1f 8b), not by the name, and inflated
// with zlib; concatenated gzip members are read, any other bytes after the
// stream are refused. The header is read first and checked (no zero image
// side, no overflow, at most kMaxIdxDataBytes of data); then exactly the bytes
// the dimensions need are read (raw: checked against the file size before
// allocating; gzip: the buffer grows only as decompressed data arrives), and
// nothing more may follow (gzip: at most a few KiB past them are read to see
// that). Every error is a DataError naming the file.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "host/data/data_error.h"

namespace mind1024::host {

constexpr uint32_t kIdxLabelsMagic = 0x00000801;
constexpr uint32_t kIdxImagesMagic = 0x00000803;
// Largest data part of one IDX file read (2 GiB): a header claiming more is
// refused before anything is allocated or decompressed.
constexpr uint64_t kMaxIdxDataBytes = uint64_t{1} << 31;

// Any uint8 IDX file: dims as in the header, data in C order.
struct IdxArray {
    std::vector<uint32_t> dims;
    std::vector<uint8_t> data;
};

// Reads any uint8 IDX file. If expected_magic != 0 the magic must equal it.
IdxArray read_idx(const std::string& path, uint32_t expected_magic = 0);

struct IdxImages {
    uint32_t count = 0, rows = 0, cols = 0;
    std::vector<uint8_t> pixels;  // count x rows x cols
};
IdxImages read_idx_images(const std::string& path);  // magic 0x00000803
std::vector<uint8_t> read_idx_labels(const std::string& path);  // magic 0x00000801

// One split of an MNIST-like set: images (uint8, count x rows x cols, row-major)
// and their labels.
struct MnistSet {
    uint32_t count = 0, rows = 0, cols = 0;
    std::vector<uint8_t> images;
    std::vector<uint8_t> labels;
    std::string images_path, labels_path;  // the files it came from

    size_t image_size() const { return size_t{rows} * cols; }
    const uint8_t* image(size_t i) const { return images.data() + i * image_size(); }
    // Largest label + 1 (10 for MNIST and Fashion-MNIST); 0 if empty. One stray
    // label makes it large: check_labels says so.
    uint32_t num_classes() const;
};

// DataError naming the files unless both sets have images of the same size.
void check_same_geometry(const MnistSet& a, const MnistSet& b);
// DataError naming the images file unless an image has at most max_pixels
// pixels; `why` says what limits it (e.g. "the chip's 1024 neurons less 40 for labels").
void check_max_pixels(const MnistSet& s, size_t max_pixels, const std::string& why);

// DataError naming s.labels_path unless every class 0..max label has at least
// min_per_class items (e.g. "labels run 0..50 but class 10 has 0 item(s); every
// class needs at least 2 (first offending item: 1234, label 50)"), or if there
// are no labels. The offending item is the first of a short class, or if the
// short classes are empty, the first label above the missing class.
void check_labels(const MnistSet& s, uint32_t min_per_class);

enum class Split { Train, Test };
const char* to_string(Split s);  // "train" / "test"

// Standard base names: train-images-idx3-ubyte / train-labels-idx1-ubyte and
// t10k-images-idx3-ubyte / t10k-labels-idx1-ubyte.
std::string images_file_name(Split s);
std::string labels_file_name(Split s);

// The path of `base_name` in dir: dir/base_name if it exists, else
// dir/base_name.gz. Throws DataError listing both if neither exists.
std::string find_data_file(const std::string& dir, const std::string& base_name);

// Loads one split from dir (each file raw or .gz). Reads both headers first and
// checks that the image and label counts agree and that the split is not
// empty before reading any data.
MnistSet load_mnist_split(const std::string& dir, Split split);

// Where the data is: cli_value (--data) if non-empty, else the environment
// variable MIND1024_DATA if set and non-empty, else MIND1024_DEFAULT_DATA_DIR
// (data/mnist in the source tree). Throws DataError, naming the directory, where
// it came from and every file looked for, if it does not hold the four files.
std::string resolve_data_dir(const std::string& cli_value = "");

// Where resolve_data_dir would look, without checking the files.
std::string data_dir_candidate(const std::string& cli_value = "", std::string* source = nullptr);

}  // namespace mind1024::host
