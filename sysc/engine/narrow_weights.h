// The synapse array as the field kernels read it: in the narrowest type that
// holds WBITS (8 bits up to WBITS 8, 16 above), row-major and transposed (the
// columns are what a flip adds to every field), padded to kernels::kAlign.
// 8-bit rows are stored biased (w + 128, unsigned: see selected_row_sums_u8),
// in groups of four rows interleaved by 64 bytes (selected_row_sums_u8x4);
// their padding is 128, a weight of 0. A copy of the synapse memory's int16 register view,
// refreshed when that view's version changes. Stuck synapse bits (faults)
// would be applied in refresh(), the one way weights reach the kernels.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "sysc/chip_params.h"

namespace mind1024::engine {

class NarrowWeights {
public:
    explicit NarrowWeights(const ChipParams& p);

    // Copies `w` (n_max x n_max, row-major) unless `version` is the one copied last.
    void refresh(const int16_t* w, uint64_t version);
    bool fresh(uint64_t version) const { return has_copy_ && version == version_; }

    bool is_int8() const { return int8_; }
    size_t stride() const { return stride_; }  // elements per padded row or column
    const uint8_t* biased_rows8() const { return rows8_.data(); }
    const int8_t* col8(uint32_t k) const { return &cols8_[k * stride_]; }
    const int8_t* cols8() const { return cols8_.data(); }
    const int16_t* row16(uint32_t i) const { return &rows16_[i * stride_]; }
    const int16_t* col16(uint32_t k) const { return &cols16_[k * stride_]; }

private:
    template <class R, class C>
    void copy(const int16_t* w, std::vector<R>& rows, std::vector<C>& cols, int bias);

    uint32_t n_max_;
    size_t stride_;
    bool int8_;
    bool has_copy_ = false;
    uint64_t version_ = 0;
    std::vector<uint8_t> rows8_;
    std::vector<int8_t> cols8_;
    std::vector<int16_t> rows16_, cols16_;
};

}  // namespace mind1024::engine
