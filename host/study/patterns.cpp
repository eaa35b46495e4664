#include "host/study/patterns.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>

#include <fmt/format.h>

#include "host/board/errors.h"
#include "host/data/idx_reader.h"

namespace mind1024::host {

namespace {
using Shape = std::function<bool(int x, int y, int side)>;

const std::vector<std::pair<const char*, Shape>>& shapes() {
    static const std::vector<std::pair<const char*, Shape>> s = {
        {"checkerboard", [](int x, int y, int) { return ((x / 4) + (y / 4)) % 2 == 0; }},
        {"hstripes", [](int, int y, int) { return (y / 4) % 2 == 0; }},
        {"vstripes", [](int x, int, int) { return (x / 4) % 2 == 0; }},
        {"ring", [](int x, int y, int n) {
             const double r = std::hypot(x - n / 2.0 + 0.5, y - n / 2.0 + 0.5);
             return r > n * 0.22 && r < n * 0.40;
         }},
        {"cross", [](int x, int y, int n) { return std::abs(x - n / 2) < n / 8 || std::abs(y - n / 2) < n / 8; }},
        {"diagonal", [](int x, int y, int) { return ((x + y) / 4) % 2 == 0; }},
        {"frame", [](int x, int y, int n) { return x < n / 6 || y < n / 6 || x >= n - n / 6 || y >= n - n / 6; }},
        {"left_half", [](int x, int, int n) { return x < n / 2; }},
        {"blocks", [](int x, int y, int n) { return (x < n / 2) != (y < n / 2); }},
        {"triangle", [](int x, int y, int) { return x < y; }},
    };
    return s;
}
}  // namespace

Patterns make_patterns(const std::string& kind, size_t count, uint32_t side, uint64_t seed, const std::string& data_dir) {
    const size_t n = size_t{side} * side;
    Patterns p(n);
    if (kind == "random") {
        std::mt19937_64 rng(seed);
        for (size_t mu = 0; mu < count; ++mu) {
            std::vector<int8_t> v(n);
            for (auto& x : v) x = (rng() >> 63) ? 1 : -1;
            p.add(v);
        }
    } else if (kind == "shapes") {
        if (count > shapes().size())
            throw BadArgument(fmt::format("--count {}: there are {} generated shapes", count, shapes().size()));
        for (size_t mu = 0; mu < count; ++mu) {
            std::vector<int8_t> v(n);
            for (uint32_t y = 0; y < side; ++y)
                for (uint32_t x = 0; x < side; ++x) v[y * side + x] = shapes()[mu].second(x, y, side) ? 1 : -1;
            p.add(v);
        }
    } else if (kind == "mnist") {
        const MnistSet train = load_mnist_split(resolve_data_dir(data_dir), Split::Train);
        if (train.rows > side || train.cols > side)
            throw BadArgument(fmt::format("{}x{} images do not fit {}x{} neurons", train.rows, train.cols, side, side));
        if (count > train.num_classes())
            throw BadArgument(fmt::format("--count {}: MNIST has {} classes (one digit each)", count, train.num_classes()));
        const uint32_t oy = (side - train.rows) / 2, ox = (side - train.cols) / 2;
        for (size_t mu = 0; mu < count; ++mu) {
            size_t i = 0;
            while (i < train.count && train.labels[i] != mu) ++i;
            if (i == train.count) throw BadArgument(fmt::format("no training image of class {}", mu));
            std::vector<int8_t> v(n, -1);
            for (uint32_t y = 0; y < train.rows; ++y)
                for (uint32_t x = 0; x < train.cols; ++x)
                    v[(oy + y) * side + ox + x] = train.image(i)[y * train.cols + x] >= 128 ? 1 : -1;
            p.add(v);
        }
    } else {
        throw BadArgument(fmt::format("unknown pattern set '{}' (mnist, shapes, random)", kind));
    }
    return p;
}

std::vector<int8_t> corrupt(const int8_t* p, size_t n, double fraction, uint64_t seed) {
    if (!(fraction >= 0 && fraction <= 1)) throw BadArgument(fmt::format("flip fraction {} is outside [0, 1]", fraction));
    std::vector<int8_t> v(p, p + n);
    std::vector<size_t> idx(n);
    std::iota(idx.begin(), idx.end(), 0);
    std::mt19937_64 rng(seed);
    const size_t flips = static_cast<size_t>(std::llround(fraction * n));
    for (size_t k = 0; k < flips; ++k) {  // partial Fisher-Yates with our own index draws
        const size_t j = k + rng() % (n - k);
        std::swap(idx[k], idx[j]);
        v[idx[k]] = static_cast<int8_t>(-v[idx[k]]);
    }
    return v;
}

double overlap(const int8_t* a, const int8_t* b, size_t n) {
    long s = 0;
    for (size_t i = 0; i < n; ++i) s += a[i] * b[i];
    return n ? static_cast<double>(s) / n : 0.0;
}

}  // namespace mind1024::host
