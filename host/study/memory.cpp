#include "host/study/memory.h"

namespace mind1024::host {

WeightMatrix load_float_weights(ChipDriver& chip, const FloatMatrix& j, QuantReport* report, QuantizerOptions opt) {
    opt.wbits = chip.params().wbits;
    const QuantizedMatrix q = quantize_weights(j, opt);
    WeightMatrix w{static_cast<uint32_t>(j.rows), q.data};
    chip.load_weights(w);
    chip.load_thresholds(std::vector<int32_t>(j.rows, 0));
    if (report) *report = q.report;
    return w;
}

int64_t energy(const WeightMatrix& w, const std::vector<int8_t>& s, const std::vector<int32_t>& theta) {
    int64_t e2 = 0, t = 0;  // e2 = s'Js
    for (uint32_t i = 0; i < w.n; ++i) {
        int64_t h = 0;
        const int16_t* r = &w.w[size_t{i} * w.n];
        for (uint32_t k = 0; k < w.n; ++k) h += r[k] * s[k];
        e2 += h * s[i];
        if (i < theta.size()) t += int64_t{theta[i]} * s[i];
    }
    return -e2 / 2 + t;
}

}  // namespace mind1024::host
