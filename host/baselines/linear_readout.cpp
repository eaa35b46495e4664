#include "host/baselines/linear_readout.h"

#include <algorithm>
#include <cmath>

#include "host/baselines/dataset.h"
#include "host/baselines/training.h"

namespace mind1024::host::baselines {

LinearReadout::LinearReadout(size_t dims, size_t classes)
    : dims_(dims), classes_(classes), w_(dims * classes, 0.0f), b_(classes, 0.0f) {}

void LinearReadout::logits(const SparseFeatures& x, std::vector<double>& out) const {
    out.assign(b_.begin(), b_.end());
    for (const auto& [i, v] : x)
        for (size_t k = 0; k < classes_; ++k) out[k] += double{w_[k * dims_ + i]} * v;
}

double LinearReadout::train(const std::vector<SparseFeatures>& x, const std::vector<uint8_t>& y,
                            const ReadoutOptions& opt) {
    Rng rng(opt.seed ^ 0x7ead0c7ULL);
    const size_t n = std::min(x.size(), y.size());
    const size_t total = n * static_cast<size_t>(std::max(1, opt.epochs));
    size_t step = 0, correct = 0;
    std::vector<double> z;
    for (int e = 0; e < opt.epochs; ++e) {
        correct = 0;
        for (uint32_t idx : shuffled_order(n, rng)) {
            const double lr = cosine_lr(opt.lr, step++, total);
            logits(x[idx], z);
            const size_t best = static_cast<size_t>(std::max_element(z.begin(), z.end()) - z.begin());
            correct += best == y[idx];
            const double m = z[best];
            double sum = 0;
            for (double& v : z) sum += (v = std::exp(v - m));
            for (size_t k = 0; k < classes_; ++k) {
                const double g = z[k] / sum - (k == y[idx] ? 1.0 : 0.0);
                b_[k] -= static_cast<float>(lr * g);
                for (const auto& [i, v] : x[idx]) {
                    float& w = w_[k * dims_ + i];
                    w -= static_cast<float>(lr * (g * v + opt.l2 * w));
                }
            }
        }
    }
    return n ? static_cast<double>(correct) / static_cast<double>(n) : 0;
}

int LinearReadout::predict(const SparseFeatures& x) const {
    std::vector<double> z;
    logits(x, z);
    return static_cast<int>(std::max_element(z.begin(), z.end()) - z.begin());
}

std::vector<uint8_t> LinearReadout::predict_all(const std::vector<SparseFeatures>& x) const {
    std::vector<uint8_t> out(x.size());
    for (size_t i = 0; i < x.size(); ++i) out[i] = static_cast<uint8_t>(predict(x[i]));
    return out;
}

}  // namespace mind1024::host::baselines
