#include "host/classify/kmeans.h"

#include <random>
#include <stdexcept>

#include <Eigen/Dense>
#include <fmt/format.h>

namespace mind1024::host {

using Mat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

std::vector<float> kmeans(const std::vector<float>& xv, size_t count, size_t dim, size_t k, unsigned iterations,
                          uint64_t seed) {
    if (k == 0 || count < k)
        throw std::invalid_argument(fmt::format("k-means: {} samples cannot make {} clusters", count, k));
    if (xv.size() != count * dim) throw std::invalid_argument("k-means: data size does not match count x dim");
    Eigen::Map<const Mat> X(xv.data(), count, dim);
    std::mt19937_64 rng(seed);
    auto uniform = [&] { return (rng() >> 11) * (1.0 / 9007199254740992.0); };

    // k-means++: each next centre drawn with probability proportional to d^2.
    Mat C(k, dim);
    C.row(0) = X.row(static_cast<Eigen::Index>(rng() % count));
    Eigen::VectorXd d2 = (X.rowwise() - C.row(0)).rowwise().squaredNorm().cast<double>();
    for (size_t c = 1; c < k; ++c) {
        const double target = uniform() * d2.sum();
        double acc = 0;
        size_t pick = count - 1;
        for (size_t i = 0; i < count; ++i) {
            acc += d2[i];
            if (acc > target) { pick = i; break; }
        }
        C.row(c) = X.row(pick);
        d2 = d2.cwiseMin((X.rowwise() - C.row(c)).rowwise().squaredNorm().cast<double>());
    }
    // Lloyd iterations: assign by the smallest |c|^2 - 2 x.c, then average.
    std::vector<size_t> assign(count);
    for (unsigned it = 0; it < iterations; ++it) {
        const Mat G = X * C.transpose();
        const Eigen::VectorXf c2 = C.rowwise().squaredNorm();
        for (size_t i = 0; i < count; ++i) {
            Eigen::Index best = 0;
            (c2.transpose() - 2.0f * G.row(i)).minCoeff(&best);
            assign[i] = static_cast<size_t>(best);
        }
        Mat sum = Mat::Zero(k, dim);
        std::vector<size_t> n(k, 0);
        for (size_t i = 0; i < count; ++i) {
            sum.row(assign[i]) += X.row(i);
            ++n[assign[i]];
        }
        for (size_t c = 0; c < k; ++c)
            if (n[c]) C.row(c) = sum.row(c) / static_cast<float>(n[c]);  // empty clusters keep their centre
    }
    return std::vector<float>(C.data(), C.data() + C.size());
}

}  // namespace mind1024::host
