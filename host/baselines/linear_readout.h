// A linear classifier (softmax regression) on sparse non-negative features,
// trained with plain SGD and a cosine learning rate: the readout of the
// spiking network's spike counts. Plain C++, seeded and deterministic.
#pragma once
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace mind1024::host::baselines {

// One item's features: (index, value) pairs, indices < dims.
using SparseFeatures = std::vector<std::pair<uint32_t, float>>;

struct ReadoutOptions {
    int epochs = 30;
    double lr = 0.05;
    double l2 = 1e-5;
    uint64_t seed = 1;
};

class LinearReadout {
public:
    LinearReadout(size_t dims, size_t classes);
    // Trains on features / labels (same length); returns the last epoch's training accuracy.
    double train(const std::vector<SparseFeatures>& x, const std::vector<uint8_t>& y, const ReadoutOptions& opt);
    int predict(const SparseFeatures& x) const;
    std::vector<uint8_t> predict_all(const std::vector<SparseFeatures>& x) const;
    size_t dims() const { return dims_; }
    size_t classes() const { return classes_; }
    const std::vector<float>& weights() const { return w_; }  // classes x dims, row-major
    const std::vector<float>& biases() const { return b_; }

private:
    void logits(const SparseFeatures& x, std::vector<double>& out) const;
    size_t dims_, classes_;
    std::vector<float> w_, b_;
};

}  // namespace mind1024::host::baselines
