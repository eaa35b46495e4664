#include "engine/incremental_fields.h"

#include <algorithm>

#include "engine/field_kernels.h"

namespace mind1024::engine {

IncrementalFields::IncrementalFields(const ChipParams& p) {
    const size_t stride = (p.n_max + kernels::kAlign - 1) / kernels::kAlign * kernels::kAlign;
    h_.assign(stride, 0);
    base_.assign(p.n_max, 0);
    plus_.assign(stride, 0);
    minus_.assign(stride, 0);
    sig_.assign(stride, 0);
}

size_t IncrementalFields::padded(uint32_t n) const {
    return (n + kernels::kAlign - 1) / kernels::kAlign * kernels::kAlign;
}

void IncrementalFields::recompute(const NarrowWeights& w, uint64_t version, const int8_t* sigma, uint32_t n) {
    const size_t len = padded(n);
    std::fill(plus_.begin(), plus_.end(), uint8_t{0});
    std::fill(minus_.begin(), minus_.end(), uint8_t{0});
    std::fill(sig_.begin(), sig_.end(), int8_t{0});
    int64_t balance = 0;  // (+1 count) - (-1 count)
    for (uint32_t j = 0; j < n; ++j) {
        (sigma[j] > 0 ? plus_ : minus_)[j] = 0xFF;
        sig_[j] = sigma[j];
        balance += sigma[j];
    }
    for (uint32_t i = 0; i < n; ++i) {
        if (w.is_int8()) {
            // sum w*s = sum_{+1}(w + 128) - sum_{-1}(w + 128) - 128 * balance
            uint64_t sp = 0, sm = 0;
            kernels::split_sums_i8(w.row8(i), plus_.data(), minus_.data(), len, &sp, &sm);
            h_[i] = static_cast<int32_t>(static_cast<int64_t>(sp) - static_cast<int64_t>(sm) - 128 * balance);
        } else {
            h_[i] = static_cast<int32_t>(kernels::dot_i16(w.row16(i), sig_.data(), len));
        }
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
    uint32_t changed = 0;
    for (uint32_t j = 0; j < n; ++j) changed += base_[j] != sigma[j];
    if (3 * changed > n) return recompute(w, version, sigma, n);
    for (uint32_t j = 0; j < n && changed; ++j)
        if (base_[j] != sigma[j]) flip(w, j, sigma[j]), --changed;
}

void IncrementalFields::flip(const NarrowWeights& w, uint32_t k, int8_t now) {
    const size_t len = padded(n_);
    if (w.is_int8()) kernels::add_column_twice_i8(h_.data(), w.col8(k), now, len);
    else kernels::add_column_twice_i16(h_.data(), w.col16(k), now, len);
    base_[k] = now;
    ++column_updates_;
}

}  // namespace mind1024::engine
