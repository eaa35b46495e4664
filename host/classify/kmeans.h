// Lloyd's k-means with k-means++ seeding, deterministic for a seed (own
// uniform draws from mt19937_64, so results do not depend on the library's
// distributions).
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace mind1024::host {

// x: count rows of dim floats. Returns k centroids (k x dim, row-major).
std::vector<float> kmeans(const std::vector<float>& x, size_t count, size_t dim, size_t k, unsigned iterations,
                          uint64_t seed);

// The same for ±1 data (count rows of dim int8, each +1 or -1), with the same
// seeding draws: x.c is computed as 2 * (sum of c over x's +1 pixels) - sum(c),
// a sum of a few rows instead of a dot product. Centroids in [-1, 1].
std::vector<float> kmeans_pm1(const int8_t* x, size_t count, size_t dim, size_t k, unsigned iterations,
                              uint64_t seed);

// acc[m] = sum over k of rows[on[k] * width + m], m < width, added in the
// order of `on`: every lane is the same sum whatever the vector width, so the
// result is the same bits on every machine and in every thread.
void sum_rows(const float* rows, size_t width, const uint16_t* on, size_t n_on, float* acc);

}  // namespace mind1024::host
