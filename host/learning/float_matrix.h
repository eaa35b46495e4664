// A dense row-major float matrix: what the learning rules return and the
// quantizer takes. data[r * cols + c].
#pragma once
#include <cstddef>
#include <vector>

namespace mind1024::host {

struct FloatMatrix {
    size_t rows = 0, cols = 0;
    std::vector<float> data;

    FloatMatrix() = default;
    FloatMatrix(size_t r, size_t c, float fill = 0.0f) : rows(r), cols(c), data(r * c, fill) {}

    float& operator()(size_t r, size_t c) { return data[r * cols + c]; }
    float operator()(size_t r, size_t c) const { return data[r * cols + c]; }
    const float* row(size_t r) const { return data.data() + r * cols; }
};

}  // namespace mind1024::host
