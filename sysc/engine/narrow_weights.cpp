#include "sysc/engine/narrow_weights.h"

#include "sysc/engine/field_kernels.h"

namespace mind1024::engine {

NarrowWeights::NarrowWeights(const ChipParams& p)
    : n_max_(p.n_max),
      stride_((p.n_max + kernels::kAlign - 1) / kernels::kAlign * kernels::kAlign),
      int8_(p.wbits <= 8) {}

template <class R, class C>
void NarrowWeights::copy(const int16_t* w, std::vector<R>& rows, std::vector<C>& cols, int bias) {
    // 8-bit rows in groups of four interleaved by 64 bytes (selected_row_sums_u8x4).
    const bool grouped = sizeof(R) == 1;
    const size_t padded_rows = grouped ? (n_max_ + 3) / 4 * 4 : n_max_;
    rows.assign(padded_rows * stride_, static_cast<R>(bias));
    cols.assign(n_max_ * stride_, C{0});
    for (size_t i = 0; i < n_max_; ++i)
        for (size_t j = 0; j < n_max_; ++j) {
            const size_t at = grouped ? i / 4 * 4 * stride_ + j / 64 * 256 + i % 4 * 64 + j % 64 : i * stride_ + j;
            rows[at] = static_cast<R>(w[i * n_max_ + j] + bias);
        }
    // Transposed in tiles, so both sides stay in cache.
    constexpr size_t kTile = 64;
    for (size_t i0 = 0; i0 < n_max_; i0 += kTile)
        for (size_t j0 = 0; j0 < n_max_; j0 += kTile)
            for (size_t i = i0; i < i0 + kTile && i < n_max_; ++i)
                for (size_t j = j0; j < j0 + kTile && j < n_max_; ++j) cols[j * stride_ + i] = static_cast<C>(w[i * n_max_ + j]);
}

void NarrowWeights::refresh(const int16_t* w, uint64_t version) {
    if (fresh(version)) return;
    if (int8_) copy(w, rows8_, cols8_, 128);
    else copy(w, rows16_, cols16_, 0);
    has_copy_ = true;
    version_ = version;
}

}  // namespace mind1024::engine
