// The layered binary network for the chip, in integers (format
// "mind1024-layered-v1", docs/layered-network.md):
//   I inputs x_j = ±1 (binarize_pixel: pixel > 127 is +1): the 784 pixels, or
//   a rows x cols window of them (InputCrop, network.json "input"."crop")
//   H hidden sign units: h_i = +1 iff sum_j w1[i][j] x_j > t1[i], else -1
//   10 outputs: prediction = argmax_k sum_i w2[k][i] h_i + b2[k] (ties: lowest k)
// Weights are WBITS-bit codes (two's complement range [-2^(B-1), 2^(B-1)-1]).
// Also the fold of a trained quantized network (codes, scales, batch norm)
// into that form, the export to a directory of .npy files and its loader.
// Torch-free, so the chip side can use it.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "host/data/npy.h"
#include "host/report/output_file.h"

namespace mind1024::host::baselines {

constexpr const char* kLayeredFormat = "mind1024-layered-v1";

// Which pixels are the inputs: the window rows x cols at (top, left) of an
// image_rows x image_cols image, row-major; input j = window pixel j. The
// whole image (the default) is the original layout.
struct InputCrop {
    size_t image_rows = 28, image_cols = 28, top = 0, left = 0, rows = 28, cols = 28;
    size_t inputs() const { return rows * cols; }
    size_t image_size() const { return image_rows * image_cols; }
    bool whole() const { return rows == image_rows && cols == image_cols; }
    // The centred n x n window of a 28 x 28 image (top = left = (28 - n) / 2).
    static InputCrop centred(size_t n);
    // All n pixels of a 1 x n image (a network of n != 784 inputs without a window).
    static InputCrop flat(size_t n);
    // Throws std::invalid_argument unless the window lies in the image.
    void validate() const;
    // The input pixels of `count` images of image_size() pixels each: count x inputs().
    std::vector<uint8_t> select(const std::vector<uint8_t>& images, size_t count) const;
};

struct LayeredIntNet {
    size_t inputs = 0, hidden = 0, outputs = 0;
    unsigned wbits = 8;
    InputCrop crop;           // crop.inputs() == inputs
    std::vector<int16_t> w1;  // hidden x inputs, row-major
    std::vector<int32_t> t1;  // hidden
    std::vector<int16_t> w2;  // outputs x hidden
    std::vector<int32_t> b2;  // outputs

    // The hidden states (±1) of one input vector x (±1, `inputs` long).
    std::vector<int8_t> hidden_states(const int8_t* x) const;
    // The output fields sum_i w2[k][i] h_i + b2[k].
    std::vector<int64_t> output_fields(const std::vector<int8_t>& h) const;
    int predict(const int8_t* x) const;
    // Predictions of input vectors (uint8 pixels, `inputs` per image: crop.select of the images), binarized
    // by binarize_pixel.
    std::vector<uint8_t> predict_images(const std::vector<uint8_t>& pixels, size_t count) const;
    int32_t max_abs_threshold() const;
    // Bits a signed accumulator needs for every hidden sum and its threshold (and the outputs).
    unsigned accumulator_bits() const;
};

// A trained network as quantized codes and real scales, before folding: what
// the training hands over. Hidden unit i's real pre-activation is
// a_i = s1 * sum_j q1[i][j] x_j (+ b1[i] without batch norm), its state
// sign(y_i) with y_i = gamma_i (a_i - mean_i) / sqrt(var_i + eps) + beta_i
// (batch norm, eval mode) or y_i = a_i; output k is s2 (sum_i q2[k][i] h_i + b2q[k]).
struct LayeredQuantized {
    size_t inputs = 0, hidden = 0, outputs = 0;
    unsigned wbits = 8;
    InputCrop crop;
    std::vector<int32_t> q1;  // hidden x inputs
    double s1 = 1;            // real weight = s1 * code
    std::vector<double> s1_rows;  // per-row scales (hidden), replacing s1 when not empty
    bool batch_norm = true;
    std::vector<double> b1;   // without batch norm
    std::vector<double> gamma, beta, mean, var;
    double eps = 1e-5;
    std::vector<int32_t> q2;  // outputs x hidden
    double s2 = 1;
    std::vector<int32_t> b2q; // output biases in units of s2
};

// Folds batch norm (or the bias) into one integer threshold per hidden unit:
// with tau_i = (mean_i - beta_i sqrt(var_i + eps) / gamma_i) / s1 (s1 of row i
// with per-row scales: a positive scale per sign unit folds away), unit i fires
// iff n_i = sum_j q1[i][j] x_j > tau_i when gamma_i > 0, i.e. n_i > floor(tau_i);
// when gamma_i < 0 iff n_i < tau_i, i.e. -n_i > floor(-tau_i): its row is
// negated; gamma_i = 0 is a constant unit (zero row, threshold -1 if beta_i > 0
// else 0). Thresholds are clamped to [-S_i - 1, S_i], S_i = sum_j |q1[i][j]|,
// which changes no state (n_i is always in [-S_i, S_i]). Codes must fit wbits.
LayeredIntNet fold_layered(const LayeredQuantized& q);

struct LayeredExportInfo {
    nlohmann::json training;   // settings the network was trained with
    nlohmann::json accuracy;   // e.g. {"integer": 0.98, "fake_quantized": 0.98}
    nlohmann::json extra;      // merged into network.json's top level (provenance, ...)
    double s1 = 0, s2 = 0;     // the per-layer scales (real weight per code)
    std::vector<double> s1_rows;  // per-row scales of w1 instead of s1, if not empty
};

// The file names of the layout.
std::vector<std::string> layered_file_names();  // network.json w1.npy t1.npy w2.npy b2.npy
// Writes dir/network.json, w1.npy (int16, (H, 784)), t1.npy (int32, (H,)),
// w2.npy (int16, (10, H)), b2.npy (int32, (10,)); all or none (OutputSet).
void write_layered(const std::string& dir, const LayeredIntNet& net, const LayeredExportInfo& info);
// The four integer arrays (w1, t1, w2, b2 .npy) of `net` into a staged output set.
void write_layered_arrays(OutputSet& out, const LayeredIntNet& net);
// The layout's four arrays as read, before any conversion: network.json's
// format name and layer sizes checked, and each file's shape against them
// (DataError naming the file). wbits is 0 when network.json gives none (a
// float network made elsewhere, to be quantized).
struct LayeredArrays {
    std::string dir;
    size_t inputs = 0, hidden = 0, outputs = 0;
    unsigned wbits = 0;
    InputCrop crop;  // network.json "input"."crop", else the whole 28 x 28 image
    NpyArray w1, t1, w2, b2;
    std::string path(const char* file) const;  // dir/file
};
LayeredArrays read_layered_arrays(const std::string& dir);
// The integer network of those arrays: every weight an integer within wbits
// (which must be given), thresholds and biases integers within int32.
LayeredIntNet layered_from_arrays(const LayeredArrays& a);
// Reads that layout back, checking the format name, the shapes against
// network.json's layer sizes, and that every weight fits wbits; DataError
// naming the file otherwise.
LayeredIntNet read_layered(const std::string& dir);

// Writes a training and a test split of rows x cols images as the four IDX
// files `mind1024 --data dir` reads (train-images-idx3-ubyte,
// train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte),
// all or none. Image counts are the label counts.
void write_idx_splits(const std::string& dir, size_t rows, size_t cols, const std::vector<uint8_t>& train_images,
                      const std::vector<uint8_t>& train_labels, const std::vector<uint8_t>& test_images,
                      const std::vector<uint8_t>& test_labels);
// The four file names write_idx_splits writes.
std::vector<std::string> idx_split_file_names();

}  // namespace mind1024::host::baselines
