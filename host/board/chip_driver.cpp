#include "chip_driver.h"

#include <fmt/format.h>

#include "errors.h"
#include "fixed_point.h"

namespace mind1024::host {

void check_weights(const WeightMatrix& m, const ChipParams& p) {
    if (m.n == 0 || m.n > p.n_max)
        throw BadArgument(fmt::format("weight matrix is {0}x{0}; the chip takes 1..{1} neurons", m.n, p.n_max));
    if (m.w.size() != size_t{m.n} * m.n)
        throw BadArgument(fmt::format("weight matrix holds {} values, {}x{} needs {}", m.w.size(), m.n, m.n,
                                      size_t{m.n} * m.n));
    const int64_t lo = fx::range_min(p.wbits), hi = fx::range_max(p.wbits);
    for (size_t k = 0; k < m.w.size(); ++k)
        if (m.w[k] < lo || m.w[k] > hi)
            throw BadArgument(fmt::format("weight J[{}][{}] = {} is outside the WBITS={} range [{}, {}]", k / m.n,
                                          k % m.n, m.w[k], p.wbits, lo, hi));
}

void check_thresholds(const std::vector<int32_t>& t, const ChipParams& p) {
    if (t.size() > p.n_max)
        throw BadArgument(fmt::format("{} thresholds given; the chip has {} neurons", t.size(), p.n_max));
    const int64_t lo = fx::range_min(p.abits), hi = fx::range_max(p.abits);
    for (size_t i = 0; i < t.size(); ++i)
        if (t[i] < lo || t[i] > hi)
            throw BadArgument(fmt::format("threshold[{}] = {} is outside the ABITS={} range [{}, {}]", i, t[i],
                                          p.abits, lo, hi));
}

void check_run_params(const RunParams& r, const ChipParams& p) {
    if (r.n_active > p.n_max)
        throw BadArgument(fmt::format("n_active = {} exceeds N_MAX = {}", r.n_active, p.n_max));
    if (r.max_sweeps < 1) throw BadArgument("max_sweeps must be at least 1");
}

}  // namespace mind1024::host
