#include "sysc/engine/incremental_fields.h"

#include <algorithm>

#include "sysc/engine/field_kernels.h"

namespace mind1024::engine {

IncrementalFields::IncrementalFields(const ChipParams& p) {
    const size_t stride = (p.n_max + kernels::kAlign - 1) / kernels::kAlign * kernels::kAlign;
    h_.assign(stride, 0);
    base_.assign(p.n_max, 0);
    plus_.assign(stride, 0);
    valid_cols_.assign(stride, 0);
    sums_.assign((p.n_max + 3) / 4 * 4, 0);  // whole row groups
    valid_sums_.assign((p.n_max + 3) / 4 * 4, 0);
    sig_.assign(stride, 0);
    acc_.assign(stride, 0);
}

size_t IncrementalFields::padded(uint32_t n) const {
    return (n + kernels::kAlign - 1) / kernels::kAlign * kernels::kAlign;
}

void IncrementalFields::recompute(const NarrowWeights& w, uint64_t version, const int8_t* sigma, uint32_t n) {
    const size_t len = padded(n);
    if (w.is_int8()) {
        // sum_j w*s = 2 * sum_{+1} w - sum_{j<n} w, each from biased sums:
        // sum_{+1} (w + 128) - 128 * P  and  sum_{j<n} (w + 128) - 128 * n.
        if (!has_valid_sums_ || valid_n_ != n || valid_version_ != version) {
            std::fill(valid_cols_.begin(), valid_cols_.end(), uint8_t{0});
            std::fill(valid_cols_.begin(), valid_cols_.begin() + n, uint8_t{0xFF});
            kernels::selected_row_sums_u8x4(w.biased_rows8(), w.stride(), len, (n + 3) / 4, valid_cols_.data(), valid_sums_.data());
            has_valid_sums_ = true;
            valid_n_ = n;
            valid_version_ = version;
        }
        // Branch-free: a random state would mispredict every other neuron.
        int64_t plus = 0;
        std::fill(plus_.begin() + n, plus_.end(), uint8_t{0});
        for (uint32_t j = 0; j < n; ++j) {
            const uint8_t up = sigma[j] > 0;
            plus_[j] = static_cast<uint8_t>(-up);
            plus += up;
        }
        kernels::selected_row_sums_u8x4(w.biased_rows8(), w.stride(), len, (n + 3) / 4, plus_.data(), sums_.data());
        for (uint32_t i = 0; i < n; ++i)
            h_[i] = static_cast<int32_t>(2 * (static_cast<int64_t>(sums_[i]) - 128 * plus) -
                                         (static_cast<int64_t>(valid_sums_[i]) - 128 * int64_t{n}));
    } else {
        std::fill(sig_.begin(), sig_.end(), int8_t{0});
        std::copy(sigma, sigma + n, sig_.begin());
        for (uint32_t i = 0; i < n; ++i) h_[i] = static_cast<int32_t>(kernels::dot_i16(w.row16(i), sig_.data(), len));
    }
    std::copy(sigma, sigma + n, base_.begin());
    valid_ = true;
    n_ = n;
    version_ = version;
    ++recomputes_;
}

void IncrementalFields::sync(const NarrowWeights& w, uint64_t version, const int8_t* sigma, uint32_t n) {
    if (!valid_ || n != n_ || version != version_) return recompute(w, version, sigma, n);
    // Column updates cost about three times a row's share of a recompute
    // (32-bit fields against 8-bit weights): past n/3 changes, start again.
    uint32_t changed = 0;  // counted branch-free first: when most changed, listing them would mispredict
    for (uint32_t j = 0; j < n; ++j) changed += base_[j] != sigma[j];
    if (3 * changed > n) return recompute(w, version, sigma, n);
    if (changed == 0) return;
    // Listed branch-free too: which neurons changed is data. Every neuron is
    // written at the next free slot, changed or not, so one slot past the
    // changed ones must exist (after the last change, unchanged neurons still land there).
    up_.resize(changed + 1);
    down_.resize(changed + 1);
    size_t nu = 0, nd = 0;
    for (uint32_t j = 0; j < n; ++j) {
        const bool diff = base_[j] != sigma[j], up = sigma[j] > 0;
        up_[nu] = down_[nd] = j;
        nu += diff & up;
        nd += diff & !up;
    }
    up_.resize(nu);
    down_.resize(nd);
    if (!w.is_int8()) {
        for (uint32_t j : up_) flip(w, j, 1);
        for (uint32_t j : down_) flip(w, j, -1);
        return;
    }
    // int8: every changed column in one pass, kMaxBatchColumns at a time (exact in int16).
    const size_t len = padded(n);
    size_t u = 0, d = 0;
    while (u < up_.size() || d < down_.size()) {
        const size_t nu = std::min(up_.size() - u, kernels::kMaxBatchColumns);
        const size_t nd = std::min(down_.size() - d, kernels::kMaxBatchColumns - nu);
        kernels::sum_columns_i8(acc_.data(), w.cols8(), w.stride(), up_.data() + u, nu, down_.data() + d, nd, len);
        kernels::add_twice_i16(h_.data(), acc_.data(), len);
        u += nu;
        d += nd;
    }
    for (uint32_t j : up_) base_[j] = 1;
    for (uint32_t j : down_) base_[j] = -1;
    column_updates_ += up_.size() + down_.size();
}

void IncrementalFields::flip(const NarrowWeights& w, uint32_t k, int8_t now) {
    const size_t len = padded(n_);
    if (w.is_int8()) kernels::add_column_twice_i8(h_.data(), w.col8(k), now, len);
    else kernels::add_column_twice_i16(h_.data(), w.col16(k), now, len);
    base_[k] = now;
    ++column_updates_;
}

}  // namespace mind1024::engine
