// Helpers shared by the two translation units that include <torch/torch.h>
// (float_nets.cpp, layered_qat.cpp): batches of MNIST as tensors, the
// learning-rate setter and test-set prediction. Include nowhere else: every
// file that includes torch costs about 25 s and 1 GB to compile.
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <vector>

#include <torch/torch.h>

#include "host/baselines/dataset.h"
#include "host/baselines/training.h"

namespace mind1024::host::baselines::torch_helpers {

enum class Pixels { Normalized, PlusMinusOne };  // (p/255 - 0.1307) / 0.3081, or binarize_pixel

// Images order[begin..end) of `pixels` (784 per image) as a (n, 1, 28, 28) float tensor.
inline torch::Tensor images(const std::vector<uint8_t>& pixels, size_t rows, size_t cols,
                            const std::vector<uint32_t>& order, size_t begin, size_t end, Pixels how) {
    const size_t n = end - begin, d = rows * cols;
    torch::Tensor t = torch::empty({static_cast<int64_t>(n), 1, static_cast<int64_t>(rows), static_cast<int64_t>(cols)});
    float* out = t.data_ptr<float>();
    for (size_t k = 0; k < n; ++k) {
        const uint8_t* p = pixels.data() + size_t{order[begin + k]} * d;
        float* o = out + k * d;
        if (how == Pixels::Normalized)
            for (size_t j = 0; j < d; ++j) o[j] = (static_cast<float>(p[j]) / 255.0f - 0.1307f) / 0.3081f;
        else
            for (size_t j = 0; j < d; ++j) o[j] = static_cast<float>(binarize_pixel(p[j]));
    }
    return t;
}

inline torch::Tensor labels(const std::vector<uint8_t>& labels, const std::vector<uint32_t>& order, size_t begin,
                            size_t end) {
    torch::Tensor t = torch::empty({static_cast<int64_t>(end - begin)}, torch::kLong);
    int64_t* out = t.data_ptr<int64_t>();
    for (size_t k = begin; k < end; ++k) out[k - begin] = labels[order[k]];
    return t;
}

inline std::vector<uint32_t> identity_order(size_t n) {
    std::vector<uint32_t> o(n);
    for (size_t i = 0; i < n; ++i) o[i] = static_cast<uint32_t>(i);
    return o;
}

template <class Optimizer> void set_learning_rate(Optimizer& opt, double lr) {
    for (auto& g : opt.param_groups()) g.options().set_lr(lr);
}

// Predictions (argmax of forward) of every image of s, in batches of `batch`,
// with no gradients; *seconds gets the wall time of the whole pass.
inline std::vector<uint8_t> predict(const std::function<torch::Tensor(const torch::Tensor&)>& forward,
                                    const MnistSet& s, Pixels how, size_t batch = 1000, double* seconds = nullptr) {
    torch::NoGradGuard no_grad;
    const auto order = identity_order(s.count);
    std::vector<uint8_t> out(s.count);
    const auto t0 = std::chrono::steady_clock::now();
    for (size_t b = 0; b < s.count; b += batch) {
        const size_t e = std::min<size_t>(s.count, b + batch);
        torch::Tensor p = forward(images(s.images, s.rows, s.cols, order, b, e, how)).argmax(1);
        const int64_t* pp = p.data_ptr<int64_t>();
        for (size_t k = b; k < e; ++k) out[k] = static_cast<uint8_t>(pp[k - b]);
    }
    if (seconds) *seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return out;
}

inline NamedArray named_array(const torch::Tensor& t) {
    torch::Tensor c = t.detach().to(torch::kFloat).contiguous();
    NamedArray a;
    for (int64_t s : c.sizes()) a.shape.push_back(static_cast<size_t>(s));
    a.values.assign(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
    return a;
}

inline double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace mind1024::host::baselines::torch_helpers

namespace mind1024::host::baselines::torch_helpers {

struct FitSpec {
    std::string name;  // in the progress lines
    double lr = 1e-3;  // base of the cosine schedule (per step, to 0)
    size_t batch = 64;
    int shift = 0;     // +-shift px random translations, new every epoch
    int epochs = 1;
    Pixels how = Pixels::Normalized;
    uint64_t seed = 1;  // shuffles and shifts (torch's own generator is seeded by the caller)
    bool progress = true;
};

// Trains net with cross-entropy on forward's outputs: per epoch new shifts and
// a new order, Adam steps with the cosine learning rate, after_step() after
// each step; then the test set in eval mode. Fills res.epochs, train_seconds,
// test_predictions (of the last epoch), test_accuracy and infer_seconds_per_image.
template <class Optimizer>
void fit(torch::nn::Module& net, const std::function<torch::Tensor(const torch::Tensor&)>& forward, Optimizer& opt,
         const MnistSet& train, const MnistSet& test, const FitSpec& spec, TrainResult& res,
         const std::function<void()>& after_step = {}) {
    Rng rng(spec.seed ^ 0x5eed0f10a7ULL);
    const size_t steps_per_epoch = (train.count + spec.batch - 1) / spec.batch;
    const size_t total = steps_per_epoch * static_cast<size_t>(spec.epochs);
    size_t step = 0;
    for (int e = 1; e <= spec.epochs; ++e) {
        const auto t0 = std::chrono::steady_clock::now();
        EpochStats st;
        st.epoch = e;
        st.learning_rate = cosine_lr(spec.lr, step, total);
        net.train();
        const std::vector<uint8_t> pixels = shifted_images(train, spec.shift, rng);
        const std::vector<uint32_t> order = shuffled_order(train.count, rng);
        double loss_sum = 0;
        size_t correct = 0;
        for (size_t b = 0; b < train.count; b += spec.batch, ++step) {
            const size_t end = std::min<size_t>(train.count, b + spec.batch);
            set_learning_rate(opt, cosine_lr(spec.lr, step, total));
            torch::Tensor x = images(pixels, train.rows, train.cols, order, b, end, spec.how);
            torch::Tensor y = labels(train.labels, order, b, end);
            opt.zero_grad();
            torch::Tensor out = forward(x);
            torch::Tensor loss = torch::nn::functional::cross_entropy(out, y);
            loss.backward();
            opt.step();
            if (after_step) after_step();
            loss_sum += loss.item<double>() * static_cast<double>(end - b);
            correct += static_cast<size_t>(out.argmax(1).eq(y).sum().item<int64_t>());
        }
        st.seconds = seconds_since(t0);
        res.train_seconds += st.seconds;
        st.loss = loss_sum / std::max<uint32_t>(1, train.count);
        st.train_accuracy = static_cast<double>(correct) / std::max<uint32_t>(1, train.count);
        net.eval();
        double secs = 0;
        res.test_predictions = predict(forward, test, spec.how, 1000, &secs);
        st.test_accuracy = accuracy(res.test_predictions, test.labels);
        res.infer_seconds_per_image = secs / std::max<uint32_t>(1, test.count);
        res.epochs.push_back(st);
        if (spec.progress) print_epoch(spec.name, spec.epochs, st);
    }
    res.test_accuracy = res.epochs.empty() ? 0 : res.epochs.back().test_accuracy;
}

}  // namespace mind1024::host::baselines::torch_helpers
