#include "host/baselines/layered_net.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

#include "host/data/data_error.h"
#include "host/baselines/dataset.h"
#include "host/data/npy.h"
#include "host/report/output_file.h"

namespace mind1024::host::baselines {

namespace {

int64_t code_min(unsigned bits) { return -(int64_t{1} << (bits - 1)); }
int64_t code_max(unsigned bits) { return (int64_t{1} << (bits - 1)) - 1; }
int64_t magnitude(int64_t v) { return v < 0 ? -v : v; }

void check_codes(const std::vector<int32_t>& q, unsigned bits, const char* what) {
    for (size_t i = 0; i < q.size(); ++i)
        if (q[i] < code_min(bits) || q[i] > code_max(bits))
            throw DataError(fmt::format("layered network: {} code {} at index {} does not fit WBITS={} ([{}, {}])",
                                        what, q[i], i, bits, code_min(bits), code_max(bits)));
}

}  // namespace

InputCrop InputCrop::centred(size_t n) {
    if (n < 1 || n > 28) throw std::invalid_argument(fmt::format("a centred crop of {} x {} does not fit 28 x 28", n, n));
    InputCrop c;
    c.top = c.left = (28 - n) / 2;
    c.rows = c.cols = n;
    return c;
}

InputCrop InputCrop::flat(size_t n) {
    InputCrop c;
    c.image_rows = c.rows = 1;
    c.image_cols = c.cols = n;
    return c;
}

void InputCrop::validate() const {
    if (image_rows < 1 || image_cols < 1 || rows < 1 || cols < 1 || top + rows > image_rows || left + cols > image_cols)
        throw std::invalid_argument(fmt::format("the input window {} x {} at ({}, {}) does not lie in a {} x {} image",
                                                rows, cols, top, left, image_rows, image_cols));
}

std::vector<uint8_t> InputCrop::select(const std::vector<uint8_t>& images, size_t count) const {
    validate();
    if (images.size() < count * image_size())
        throw std::invalid_argument(fmt::format("{} images of {} pixels need {} bytes, not {}", count, image_size(),
                                                count * image_size(), images.size()));
    std::vector<uint8_t> out(count * inputs());
    for (size_t n = 0; n < count; ++n)
        for (size_t r = 0; r < rows; ++r)
            std::copy_n(images.begin() + static_cast<long>(n * image_size() + (top + r) * image_cols + left), cols,
                        out.begin() + static_cast<long>(n * inputs() + r * cols));
    return out;
}

std::vector<int8_t> LayeredIntNet::hidden_states(const int8_t* x) const {
    std::vector<int8_t> h(hidden);
    for (size_t i = 0; i < hidden; ++i) {
        const int16_t* row = w1.data() + i * inputs;
        int64_t n = 0;
        for (size_t j = 0; j < inputs; ++j) n += int64_t{row[j]} * x[j];
        h[i] = n > t1[i] ? 1 : -1;
    }
    return h;
}

std::vector<int64_t> LayeredIntNet::output_fields(const std::vector<int8_t>& h) const {
    std::vector<int64_t> f(outputs);
    for (size_t k = 0; k < outputs; ++k) {
        const int16_t* row = w2.data() + k * hidden;
        int64_t n = b2[k];
        for (size_t i = 0; i < hidden; ++i) n += int64_t{row[i]} * h[i];
        f[k] = n;
    }
    return f;
}

int LayeredIntNet::predict(const int8_t* x) const {
    const std::vector<int64_t> f = output_fields(hidden_states(x));
    return static_cast<int>(std::max_element(f.begin(), f.end()) - f.begin());  // first of equal maxima
}

std::vector<uint8_t> LayeredIntNet::predict_images(const std::vector<uint8_t>& pixels, size_t count) const {
    std::vector<uint8_t> out(count);
    std::vector<int8_t> x(inputs);
    for (size_t n = 0; n < count; ++n) {
        for (size_t j = 0; j < inputs; ++j) x[j] = binarize_pixel(pixels[n * inputs + j]);
        out[n] = static_cast<uint8_t>(predict(x.data()));
    }
    return out;
}

int32_t LayeredIntNet::max_abs_threshold() const {
    int64_t m = 0;
    for (int32_t t : t1) m = std::max<int64_t>(m, magnitude(t));
    return static_cast<int32_t>(m);
}

unsigned LayeredIntNet::accumulator_bits() const {
    // Largest magnitude any sum (or sum - threshold) reaches, then signed bits for it.
    int64_t worst = 0;
    for (size_t i = 0; i < hidden; ++i) {
        int64_t s = 0;
        for (size_t j = 0; j < inputs; ++j) s += std::abs(int64_t{w1[i * inputs + j]});
        worst = std::max(worst, s + magnitude(t1[i]));
    }
    for (size_t k = 0; k < outputs; ++k) {
        int64_t s = magnitude(b2[k]);
        for (size_t i = 0; i < hidden; ++i) s += std::abs(int64_t{w2[k * hidden + i]});
        worst = std::max(worst, s);
    }
    unsigned bits = 1;
    while (worst > code_max(bits)) ++bits;
    return bits;
}

LayeredIntNet fold_layered(const LayeredQuantized& q) {
    if (q.wbits < 1 || q.wbits > 16) throw DataError(fmt::format("layered network: WBITS {} is not in 1..16", q.wbits));
    if (q.q1.size() != q.hidden * q.inputs || q.q2.size() != q.outputs * q.hidden || q.b2q.size() != q.outputs)
        throw DataError("layered network: the code arrays do not match the layer sizes");
    if (q.batch_norm ? (q.gamma.size() != q.hidden || q.beta.size() != q.hidden || q.mean.size() != q.hidden ||
                        q.var.size() != q.hidden)
                     : q.b1.size() != q.hidden)
        throw DataError("layered network: the hidden layer's batch norm or bias does not match its size");
    if (!(q.s1 > 0) || !(q.s2 > 0)) throw DataError("layered network: the scales must be positive");
    if (!q.s1_rows.empty() && q.s1_rows.size() != q.hidden)
        throw DataError("layered network: the per-row scales of w1 do not match the hidden layer");
    for (double s : q.s1_rows)
        if (!(s > 0)) throw DataError("layered network: the per-row scales of w1 must be positive");
    if (!q.crop.whole() && q.crop.inputs() != q.inputs)
        throw DataError("layered network: the input window does not match the inputs");
    check_codes(q.q1, q.wbits, "w1");
    check_codes(q.q2, q.wbits, "w2");
    // A negated row must still fit: -(-2^(B-1)) does not.
    LayeredIntNet net;
    net.inputs = q.inputs;
    net.hidden = q.hidden;
    net.outputs = q.outputs;
    net.wbits = q.wbits;
    net.crop = q.crop.inputs() == q.inputs ? q.crop : InputCrop::flat(q.inputs);
    net.w1.resize(q.q1.size());
    net.t1.resize(q.hidden);
    for (size_t i = 0; i < q.hidden; ++i) {
        double gamma = 1, tau;
        const double s1 = q.s1_rows.empty() ? q.s1 : q.s1_rows[i];
        if (q.batch_norm) {
            gamma = q.gamma[i];
            const double sigma = std::sqrt(q.var[i] + q.eps);
            tau = gamma == 0 ? 0 : (q.mean[i] - q.beta[i] * sigma / gamma) / s1;
        } else {
            tau = -q.b1[i] / s1;
        }
        const int sign = gamma > 0 ? 1 : gamma < 0 ? -1 : 0;
        int64_t s = 0;
        for (size_t j = 0; j < q.inputs; ++j) {
            const int64_t c = sign * int64_t{q.q1[i * q.inputs + j]};
            if (c < code_min(q.wbits) || c > code_max(q.wbits))
                throw DataError(fmt::format("layered network: hidden unit {} has a negative batch-norm scale and its "
                                            "code {} cannot be negated within WBITS={}",
                                            i, q.q1[i * q.inputs + j], q.wbits));
            net.w1[i * q.inputs + j] = static_cast<int16_t>(c);
            s += magnitude(c);
        }
        int64_t t;
        if (sign == 0) {
            t = q.beta[i] > 0 ? -1 : 0;
        } else {
            const double bound = static_cast<double>(s) + 1;
            const double tt = std::floor(sign * tau);
            t = std::isnan(tt) ? 0 : static_cast<int64_t>(std::clamp(tt, -bound, bound));
            t = std::clamp<int64_t>(t, -s - 1, s);
        }
        net.t1[i] = static_cast<int32_t>(t);
    }
    net.w2.assign(q.q2.begin(), q.q2.end());
    net.b2 = q.b2q;
    return net;
}

std::vector<std::string> layered_file_names() { return {"network.json", "w1.npy", "t1.npy", "w2.npy", "b2.npy"}; }

void write_layered(const std::string& dir, const LayeredIntNet& net, const LayeredExportInfo& info) {
    nlohmann::json j = info.extra.is_object() ? info.extra : nlohmann::json::object();
    j["format"] = kLayeredFormat;
    j["layers"] = {net.inputs, net.hidden, net.outputs};
    j["wbits"] = net.wbits;
    if (info.s1_rows.empty())
        j["scales"] = {{"w1", info.s1}, {"w2", info.s2}};
    else
        j["scales"] = {{"w1", info.s1_rows}, {"w1_granularity", "row"}, {"w2", info.s2}};
    j["input"] = {{"binarization", fmt::format("x_j = +1 if pixel > {} else -1", kBinarizeAbove)},
                  {"order", "row-major 28 x 28, the IDX order"}};
    if (!net.crop.whole()) {
        const InputCrop& c = net.crop;
        j["input"]["order"] = fmt::format("row-major: input j is pixel (top + j / cols, left + j % cols) of the "
                                          "{} x {} image", c.image_rows, c.image_cols);
        j["input"]["crop"] = {{"image", {c.image_rows, c.image_cols}}, {"top", c.top}, {"left", c.left},
                              {"rows", c.rows}, {"cols", c.cols}};
    }
    j["hidden_rule"] = "h_i = +1 if sum_j w1[i][j] * x_j > t1[i] else -1";
    j["output_rule"] = "prediction = argmax_k (sum_i w2[k][i] * h_i + b2[k]), ties to the lowest k";
    j["files"] = {{"w1", {{"file", "w1.npy"}, {"dtype", "int16"}, {"shape", {net.hidden, net.inputs}}}},
                  {"t1", {{"file", "t1.npy"}, {"dtype", "int32"}, {"shape", {net.hidden}}}},
                  {"w2", {{"file", "w2.npy"}, {"dtype", "int16"}, {"shape", {net.outputs, net.hidden}}}},
                  {"b2", {{"file", "b2.npy"}, {"dtype", "int32"}, {"shape", {net.outputs}}}}};
    j["max_abs_threshold"] = net.max_abs_threshold();
    j["accumulator_bits"] = net.accumulator_bits();
    j["neurons"] = net.inputs + net.hidden + net.outputs;
    j["training"] = info.training;
    j["accuracy"] = info.accuracy;
    OutputSet out(dir);
    write_text_atomic(out.path("network.json"), j.dump(2) + "\n");
    write_layered_arrays(out, net);
    out.publish();
}

void write_layered_arrays(OutputSet& out, const LayeredIntNet& net) {
    write_npy<int16_t>(out.path("w1.npy"), {net.hidden, net.inputs}, net.w1);
    write_npy<int32_t>(out.path("t1.npy"), {net.hidden}, net.t1);
    write_npy<int16_t>(out.path("w2.npy"), {net.outputs, net.hidden}, net.w2);
    write_npy<int32_t>(out.path("b2.npy"), {net.outputs}, net.b2);
}

namespace {

std::string in_dir(const std::string& dir, const std::string& name) {
    return dir.empty() || dir.back() == '/' ? dir + name : dir + "/" + name;
}

size_t json_size(const nlohmann::json& v, const std::string& path, const char* what) {
    if (!v.is_number_unsigned() || v.get<uint64_t>() == 0 || v.get<uint64_t>() > 1u << 20)
        throw DataError(fmt::format("{}: {} must be a positive integer, not {}", path, what, v.dump()));
    return v.get<size_t>();
}

}  // namespace

std::string LayeredArrays::path(const char* file) const { return in_dir(dir, file); }

LayeredArrays read_layered_arrays(const std::string& dir) {
    const std::string jpath = in_dir(dir, "network.json");
    std::ifstream f(jpath);
    if (!f) throw DataError(fmt::format("{}: cannot open (a layered network directory holds {})", jpath,
                                        "network.json, w1.npy, t1.npy, w2.npy, b2.npy"));
    std::stringstream ss;
    ss << f.rdbuf();
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(ss.str());
    } catch (const nlohmann::json::exception& e) {
        throw DataError(fmt::format("{}: not valid JSON: {}", jpath, e.what()));
    }
    if (!j.is_object() || j.value("format", std::string()) != kLayeredFormat)
        throw DataError(fmt::format("{}: \"format\" must be \"{}\"", jpath, kLayeredFormat));
    if (!j.contains("layers") || !j["layers"].is_array() || j["layers"].size() != 3)
        throw DataError(fmt::format("{}: \"layers\" must be [inputs, hidden, outputs]", jpath));
    LayeredArrays a;
    a.dir = dir;
    a.inputs = json_size(j["layers"][0], jpath, "layers[0] (inputs)");
    a.hidden = json_size(j["layers"][1], jpath, "layers[1] (hidden)");
    a.outputs = json_size(j["layers"][2], jpath, "layers[2] (outputs)");
    // Without a window the inputs are the pixels, as before.
    a.crop = a.inputs == 784 ? InputCrop{} : InputCrop::flat(a.inputs);
    if (j.contains("input") && j["input"].is_object() && j["input"].contains("crop")) {
        const nlohmann::json& c = j["input"]["crop"];
        if (!c.is_object() || !c.contains("image") || !c["image"].is_array() || c["image"].size() != 2)
            throw DataError(fmt::format("{}: \"input\".\"crop\" must be {{\"image\": [rows, cols], \"top\", "
                                        "\"left\", \"rows\", \"cols\"}}", jpath));
        auto field = [&](const nlohmann::json& v, const char* what) -> size_t {
            if (!v.is_number_unsigned() || v.get<uint64_t>() > 1u << 20)
                throw DataError(fmt::format("{}: input.crop.{} must be a non-negative integer, not {}", jpath, what,
                                            v.dump()));
            return v.get<size_t>();
        };
        InputCrop cr;
        cr.image_rows = field(c["image"][0], "image[0]");
        cr.image_cols = field(c["image"][1], "image[1]");
        for (const char* k : {"top", "left", "rows", "cols"})
            if (!c.contains(k)) throw DataError(fmt::format("{}: input.crop lacks \"{}\"", jpath, k));
        cr.top = field(c["top"], "top");
        cr.left = field(c["left"], "left");
        cr.rows = field(c["rows"], "rows");
        cr.cols = field(c["cols"], "cols");
        try {
            cr.validate();
        } catch (const std::invalid_argument& e) {
            throw DataError(fmt::format("{}: input.crop: {}", jpath, e.what()));
        }
        if (cr.inputs() != a.inputs)
            throw DataError(fmt::format("{}: input.crop is {} x {} = {} pixels, layers[0] says {} inputs", jpath,
                                        cr.rows, cr.cols, cr.inputs(), a.inputs));
        a.crop = cr;
    }
    if (j.contains("wbits")) {
        if (!j["wbits"].is_number_unsigned() || j["wbits"].get<unsigned>() < 1 || j["wbits"].get<unsigned>() > 16)
            throw DataError(fmt::format("{}: \"wbits\" must be an integer in 1..16", jpath));
        a.wbits = j["wbits"].get<unsigned>();
    }
    // Every header before any data: a wrong shape is named before a large read.
    read_npy_header(a.path("w1.npy")).expect_shape({a.hidden, a.inputs});
    read_npy_header(a.path("t1.npy")).expect_shape({a.hidden});
    read_npy_header(a.path("w2.npy")).expect_shape({a.outputs, a.hidden});
    read_npy_header(a.path("b2.npy")).expect_shape({a.outputs});
    a.w1 = read_npy(a.path("w1.npy"));
    a.t1 = read_npy(a.path("t1.npy"));
    a.w2 = read_npy(a.path("w2.npy"));
    a.b2 = read_npy(a.path("b2.npy"));
    return a;
}

LayeredIntNet layered_from_arrays(const LayeredArrays& a) {
    if (a.wbits == 0)
        throw DataError(fmt::format("{}: \"wbits\" must be an integer in 1..16", a.path("network.json")));
    LayeredIntNet net;
    net.inputs = a.inputs;
    net.hidden = a.hidden;
    net.outputs = a.outputs;
    net.wbits = a.wbits;
    net.crop = a.crop;
    const std::string wr = fmt::format("WBITS={}", net.wbits);
    const int64_t i32lo = std::numeric_limits<int32_t>::min(), i32hi = std::numeric_limits<int32_t>::max();
    const auto w1 = a.w1.to_int64_in_range(code_min(net.wbits), code_max(net.wbits), wr);
    const auto t1 = a.t1.to_int64_in_range(i32lo, i32hi, "int32");
    const auto w2 = a.w2.to_int64_in_range(code_min(net.wbits), code_max(net.wbits), wr);
    const auto b2 = a.b2.to_int64_in_range(i32lo, i32hi, "int32");
    net.w1.assign(w1.begin(), w1.end());
    net.t1.assign(t1.begin(), t1.end());
    net.w2.assign(w2.begin(), w2.end());
    net.b2.assign(b2.begin(), b2.end());
    return net;
}

LayeredIntNet read_layered(const std::string& dir) { return layered_from_arrays(read_layered_arrays(dir)); }

namespace {

void put_be32(std::string& s, uint32_t v) {
    for (int k = 3; k >= 0; --k) s.push_back(static_cast<char>((v >> (8 * k)) & 0xff));
}

std::string idx_bytes(size_t count, size_t rows, size_t cols, const std::vector<uint8_t>& data, bool images) {
    if (data.size() != count * (images ? rows * cols : 1))
        throw std::invalid_argument("write_idx_splits: the images do not match the labels x rows x cols");
    std::string b;
    put_be32(b, images ? 0x00000803 : 0x00000801);
    put_be32(b, static_cast<uint32_t>(count));
    if (images) {
        put_be32(b, static_cast<uint32_t>(rows));
        put_be32(b, static_cast<uint32_t>(cols));
    }
    b.append(data.begin(), data.end());
    return b;
}

}  // namespace

std::vector<std::string> idx_split_file_names() {
    return {"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"};
}

void write_idx_splits(const std::string& dir, size_t rows, size_t cols, const std::vector<uint8_t>& train_images,
                      const std::vector<uint8_t>& train_labels, const std::vector<uint8_t>& test_images,
                      const std::vector<uint8_t>& test_labels) {
    const std::vector<std::string> names = idx_split_file_names();
    const std::string bytes[4] = {idx_bytes(train_labels.size(), rows, cols, train_images, true),
                                  idx_bytes(train_labels.size(), rows, cols, train_labels, false),
                                  idx_bytes(test_labels.size(), rows, cols, test_images, true),
                                  idx_bytes(test_labels.size(), rows, cols, test_labels, false)};
    OutputSet out(dir);
    for (size_t k = 0; k < 4; ++k) write_text_atomic(out.path(names[k]), bytes[k]);
    out.publish();
}

}  // namespace mind1024::host::baselines
