// The MNIST data as the baselines use it: slices of a split, a seeded random
// generator that gives the same numbers on every platform, epoch shuffles,
// ±max_shift pixel translations for augmentation, and the ±1 binarization of
// the layered network. No torch here: the torch models and the spiking network
// share these.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "host/data/idx_reader.h"

namespace mind1024::host::baselines {

// The first `limit` items of s (all of them if limit is 0 or >= s.count).
MnistSet first_items(const MnistSet& s, size_t limit);

// SplitMix64: small, fast, and the same sequence on every compiler (unlike the
// standard distributions), so shuffles and augmentation depend on the seed only.
class Rng {
public:
    explicit Rng(uint64_t seed) : state_(seed) {}
    uint64_t next();
    uint64_t below(uint64_t n);  // uniform in [0, n), n > 0 (rejection, no modulo bias)
    double uniform();            // [0, 1), 53 bits
    int range(int lo, int hi);   // uniform in [lo, hi]

private:
    uint64_t state_;
};

// A random permutation of 0..n-1 (Fisher-Yates with rng).
std::vector<uint32_t> shuffled_order(size_t n, Rng& rng);

// Every image of s translated by its own random (dx, dy), each in
// [-max_shift, max_shift], the uncovered border filled with 0 (background).
// Returns count x rows x cols pixels; max_shift 0 copies them.
std::vector<uint8_t> shifted_images(const MnistSet& s, int max_shift, Rng& rng);

// The layered network's input: pixel > kBinarizeAbove is +1, else -1.
constexpr uint8_t kBinarizeAbove = 127;
inline int8_t binarize_pixel(uint8_t p) { return p > kBinarizeAbove ? 1 : -1; }

// Fraction of equal entries (0 if empty): accuracy of predictions against labels.
double accuracy(const std::vector<uint8_t>& predicted, const std::vector<uint8_t>& labels);

}  // namespace mind1024::host::baselines
