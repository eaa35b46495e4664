// Pattern sets for associative-memory experiments on N = side x side neurons:
// MNIST digits, generated pictures (checkerboard, stripes, ...), random.
#pragma once
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "host/learning/learning_rules.h"

namespace mind1024::host {

// kind: "mnist" (first training image of digits 0, 1, ...; needs data_dir),
// "shapes" (checkerboard, stripes, ring, cross, ...), "random" (unbiased).
Patterns make_patterns(const std::string& kind, size_t count, uint32_t side, uint64_t seed,
                       const std::string& data_dir = "");
// Flips exactly round(fraction * n) distinct neurons, chosen by seed.
std::vector<int8_t> corrupt(const int8_t* p, size_t n, double fraction, uint64_t seed);
double overlap(const int8_t* a, const int8_t* b, size_t n);  // (1/n) sum a_i b_i

}  // namespace mind1024::host
