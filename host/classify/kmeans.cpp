#include "host/classify/kmeans.h"

#include <algorithm>
#include <cstring>
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

namespace {
// Eight floats, read at any float's alignment.
using V8 = float __attribute__((vector_size(32), aligned(4), may_alias));
#define LOAD8(p) (*reinterpret_cast<const V8*>(p))
}  // namespace

// One clone per instruction set, chosen at load time; lanes never mix, so every clone gives the same bits.
// Blocks of 64 sums stay in registers while the rows stream past.
__attribute__((target_clones("avx512f", "avx2", "default")))
void sum_rows(const float* rows, size_t width, const uint16_t* on, size_t n_on, float* acc) {
    size_t m0 = 0;
    for (; m0 + 64 <= width; m0 += 64) {
        V8 a0{}, a1{}, a2{}, a3{}, a4{}, a5{}, a6{}, a7{};
        for (size_t k = 0; k < n_on; ++k) {
            const float* r = rows + size_t{on[k]} * width + m0;
            a0 += LOAD8(r), a1 += LOAD8(r + 8), a2 += LOAD8(r + 16), a3 += LOAD8(r + 24);
            a4 += LOAD8(r + 32), a5 += LOAD8(r + 40), a6 += LOAD8(r + 48), a7 += LOAD8(r + 56);
        }
        const V8 a[8] = {a0, a1, a2, a3, a4, a5, a6, a7};
        std::memcpy(acc + m0, a, sizeof a);
    }
    for (; m0 + 8 <= width; m0 += 8) {
        V8 a0{};
        for (size_t k = 0; k < n_on; ++k) a0 += LOAD8(rows + size_t{on[k]} * width + m0);
        std::memcpy(acc + m0, &a0, sizeof a0);
    }
#undef LOAD8
    std::fill(acc + m0, acc + width, 0.0f);
    for (size_t k = 0; k < n_on; ++k) {
        const float* r = rows + size_t{on[k]} * width;
        for (size_t m = m0; m < width; ++m) acc[m] += r[m];
    }
}

std::vector<float> kmeans_pm1(const int8_t* x, size_t count, size_t dim, size_t k, unsigned iterations,
                              uint64_t seed) {
    if (k == 0 || count < k)
        throw std::invalid_argument(fmt::format("k-means: {} samples cannot make {} clusters", count, k));
    if (dim > 65536) throw std::invalid_argument("k-means: more than 65536 dimensions");
    // Each row as its +1 pixels and as bits (for Hamming distances: |x - y|^2 = 4 * Hamming).
    const size_t words = (dim + 63) / 64;
    std::vector<uint64_t> bits(count * words, 0);
    std::vector<uint32_t> start(count + 1, 0);
    std::vector<uint16_t> on;
    for (size_t i = 0; i < count; ++i) {
        for (size_t p = 0; p < dim; ++p) {
            const int8_t v = x[i * dim + p];
            if (v != 1 && v != -1) throw std::invalid_argument("k-means: the data are not ±1");
            if (v > 0) on.push_back(static_cast<uint16_t>(p)), bits[i * words + p / 64] |= uint64_t{1} << (p % 64);
        }
        start[i + 1] = static_cast<uint32_t>(on.size());
    }
    auto d2_to = [&](size_t i, size_t j) {
        uint64_t h = 0;
        for (size_t w = 0; w < words; ++w) h += static_cast<uint64_t>(__builtin_popcountll(bits[i * words + w] ^ bits[j * words + w]));
        return 4.0 * static_cast<double>(h);
    };
    std::mt19937_64 rng(seed);
    auto uniform = [&] { return (rng() >> 11) * (1.0 / 9007199254740992.0); };

    // k-means++ as kmeans(): the same draws and, the distances being exact, the same centres.
    std::vector<size_t> centre(k);
    centre[0] = static_cast<size_t>(rng() % count);
    std::vector<double> d2(count);
    for (size_t i = 0; i < count; ++i) d2[i] = d2_to(i, centre[0]);
    for (size_t c = 1; c < k; ++c) {
        double total = 0;
        for (double v : d2) total += v;
        const double target = uniform() * total;
        double acc = 0;
        size_t pick = count - 1;
        for (size_t i = 0; i < count; ++i) {
            acc += d2[i];
            if (acc > target) { pick = i; break; }
        }
        centre[c] = pick;
        for (size_t i = 0; i < count; ++i) d2[i] = std::min(d2[i], d2_to(i, pick));
    }
    // Centroids as columns (ct[p * k + c]) so that a row's scores are a sum of rows of ct.
    std::vector<float> ct(dim * k);
    for (size_t c = 0; c < k; ++c)
        for (size_t p = 0; p < dim; ++p) ct[p * k + c] = x[centre[c] * dim + p];
    std::vector<size_t> assign(count), n(k);
    std::vector<uint32_t> ones(k * dim);
    std::vector<float> acc(k), cost(k);
    for (unsigned it = 0; it < iterations; ++it) {
        // |c|^2 - 2 x.c with x.c = 2 * acc - sum(c); the smallest, first on ties.
        for (size_t c = 0; c < k; ++c) {
            float s = 0, s2 = 0;
            for (size_t p = 0; p < dim; ++p) s += ct[p * k + c], s2 += ct[p * k + c] * ct[p * k + c];
            cost[c] = s2 + 2.0f * s;
        }
        for (size_t i = 0; i < count; ++i) {
            sum_rows(ct.data(), k, on.data() + start[i], start[i + 1] - start[i], acc.data());
            size_t best = 0;
            float best_v = cost[0] - 4.0f * acc[0];
            for (size_t c = 1; c < k; ++c) {
                const float v = cost[c] - 4.0f * acc[c];
                if (v < best_v) best_v = v, best = c;
            }
            assign[i] = best;
        }
        // Means of ±1 values from the counts of +1: exact.
        std::fill(n.begin(), n.end(), 0);
        std::fill(ones.begin(), ones.end(), 0);
        for (size_t i = 0; i < count; ++i) {
            ++n[assign[i]];
            for (uint32_t q = start[i]; q < start[i + 1]; ++q) ++ones[assign[i] * dim + on[q]];
        }
        for (size_t c = 0; c < k; ++c)
            if (n[c])  // empty clusters keep their centre
                for (size_t p = 0; p < dim; ++p)
                    ct[p * k + c] = static_cast<float>(2 * static_cast<int64_t>(ones[c * dim + p]) - static_cast<int64_t>(n[c])) /
                                    static_cast<float>(n[c]);
    }
    std::vector<float> out(k * dim);
    for (size_t c = 0; c < k; ++c)
        for (size_t p = 0; p < dim; ++p) out[c * dim + p] = ct[p * k + c];
    return out;
}

}  // namespace mind1024::host
