#include "host/baselines/dataset.h"

#include <algorithm>
#include <numeric>

namespace mind1024::host::baselines {

MnistSet first_items(const MnistSet& s, size_t limit) {
    if (limit == 0 || limit >= s.count) return s;
    MnistSet out;
    out.count = static_cast<uint32_t>(limit);
    out.rows = s.rows;
    out.cols = s.cols;
    out.images.assign(s.images.begin(), s.images.begin() + static_cast<std::ptrdiff_t>(limit * s.image_size()));
    out.labels.assign(s.labels.begin(), s.labels.begin() + static_cast<std::ptrdiff_t>(limit));
    out.images_path = s.images_path;
    out.labels_path = s.labels_path;
    return out;
}

uint64_t Rng::next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

uint64_t Rng::below(uint64_t n) {
    const uint64_t limit = ~uint64_t{0} - (~uint64_t{0} % n);  // largest multiple of n
    uint64_t x;
    do x = next();
    while (x >= limit);
    return x % n;
}

double Rng::uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

int Rng::range(int lo, int hi) { return lo + static_cast<int>(below(static_cast<uint64_t>(hi - lo + 1))); }

std::vector<uint32_t> shuffled_order(size_t n, Rng& rng) {
    std::vector<uint32_t> order(n);
    std::iota(order.begin(), order.end(), 0u);
    for (size_t i = n; i > 1; --i) std::swap(order[i - 1], order[rng.below(i)]);
    return order;
}

std::vector<uint8_t> shifted_images(const MnistSet& s, int max_shift, Rng& rng) {
    if (max_shift <= 0) return s.images;
    const int rows = static_cast<int>(s.rows), cols = static_cast<int>(s.cols);
    std::vector<uint8_t> out(s.images.size(), 0);
    for (size_t n = 0; n < s.count; ++n) {
        const int dx = rng.range(-max_shift, max_shift), dy = rng.range(-max_shift, max_shift);
        const uint8_t* src = s.image(n);
        uint8_t* dst = out.data() + n * s.image_size();
        for (int r = std::max(0, dy); r < std::min(rows, rows + dy); ++r) {
            const int c0 = std::max(0, dx), c1 = std::min(cols, cols + dx);
            std::copy(src + (r - dy) * cols + (c0 - dx), src + (r - dy) * cols + (c1 - dx), dst + r * cols + c0);
        }
    }
    return out;
}

double accuracy(const std::vector<uint8_t>& predicted, const std::vector<uint8_t>& labels) {
    const size_t n = std::min(predicted.size(), labels.size());
    if (n == 0) return 0;
    size_t ok = 0;
    for (size_t i = 0; i < n; ++i) ok += predicted[i] == labels[i];
    return static_cast<double>(ok) / static_cast<double>(n);
}

}  // namespace mind1024::host::baselines
