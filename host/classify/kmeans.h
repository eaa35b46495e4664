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

}  // namespace mind1024::host
