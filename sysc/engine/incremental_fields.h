// Every neuron's field kept exact across flips, where no partial sum can
// overflow (fx::overflow_possible false: the field is then a plain integer
// dot product): a flip of neuron k to s adds 2*s*J[.][k] to every field, so a
// sweep that flips f neurons costs O(n*f), not O(n^2).
#pragma once
#include <cstdint>
#include <vector>

#include "sysc/chip_params.h"
#include "sysc/engine/narrow_weights.h"

namespace mind1024::engine {

class IncrementalFields {
public:
    explicit IncrementalFields(const ChipParams& p);

    // Makes field(i), i < n, the fields of `sigma` over columns 0..n-1: the
    // columns of the neurons that differ from the last state seen, or every
    // row again when the weights, n or too much of the state changed.
    void sync(const NarrowWeights& w, uint64_t version, const int8_t* sigma, uint32_t n);
    // Every row from scratch.
    void recompute(const NarrowWeights& w, uint64_t version, const int8_t* sigma, uint32_t n);
    // Neuron k is now `now` (it was -now).
    void flip(const NarrowWeights& w, uint32_t k, int8_t now);
    int32_t field(uint32_t i) const { return h_[i]; }

    uint64_t recomputes() const { return recomputes_; }
    uint64_t column_updates() const { return column_updates_; }

private:
    size_t padded(uint32_t n) const;

    std::vector<int32_t> h_;
    std::vector<int8_t> base_;            // the state h_ belongs to
    std::vector<uint8_t> plus_, valid_cols_;  // 0xFF where a state is +1 / a column is below n (8-bit kernel)
    std::vector<uint64_t> sums_;              // the kernel's row sums over plus_
    std::vector<uint64_t> valid_sums_;        // ... over valid_cols_, for valid_n_ and valid_version_
    uint32_t valid_n_ = 0;
    uint64_t valid_version_ = 0;
    bool has_valid_sums_ = false;
    std::vector<int8_t> sig_;             // the state, 0 past n (int16 kernel)
    std::vector<uint32_t> up_, down_;     // neurons now +1 / -1 since the last state seen
    std::vector<int16_t> acc_;            // their columns' sum
    bool valid_ = false;
    uint32_t n_ = 0;
    uint64_t version_ = 0;
    uint64_t recomputes_ = 0, column_updates_ = 0;
};

}  // namespace mind1024::engine
