#include "host/board/chip_driver.h"

#include <fmt/format.h>

#include "host/board/errors.h"
#include "sysc/fixed_point.h"

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

void check_classify_batch(const ClassifyBatch& b, const ChipParams& p) {
    if (b.n == 0 || b.n > p.n_max)
        throw BadArgument(fmt::format("classify: n = {} is outside 1..N_MAX = {}", b.n, p.n_max));
    if (b.classes == 0 || b.classes > 0xFFFF || b.reps == 0 || b.reps > 0xFFFF)
        throw BadArgument(fmt::format("classify: {} classes x {} label neurons each; both must be in 1..65535",
                                      b.classes, b.reps));
    if (uint64_t{b.first_label} + uint64_t{b.classes} * b.reps > p.n_max)
        throw BadArgument(fmt::format("classify: label neurons {}..{} are beyond N_MAX = {}", b.first_label,
                                      uint64_t{b.first_label} + uint64_t{b.classes} * b.reps - 1, p.n_max));
    RunParams r = b.run;
    r.n_active = b.n;  // the batch's own
    check_run_params(r, p);
    for (size_t k = 0; k < b.states.size(); ++k)
        if (b.states[k].size() != b.n)
            throw BadArgument(
                fmt::format("classify: image {} has a state of {} neurons; the batch has n = {}", k, b.states[k].size(), b.n));
}

std::vector<ClassifyOutcome> ChipDriver::classify_batch(const ClassifyBatch& b) {
    check_classify_batch(b, params());
    std::vector<ClassifyOutcome> out(b.states.size());
    RunParams p = b.run;
    p.n_active = b.n;
    for (size_t k = 0; k < b.states.size(); ++k) {
        set_state(b.states[k]);
        p.seed = b.first_seed + static_cast<uint32_t>(k);
        out[k].run = run(p);
        const std::vector<int32_t> h = fields(b.first_label, b.classes * b.reps);
        out[k].label = pick_label(h.data(), b.classes, b.reps, &out[k].tied);
    }
    return out;
}

}  // namespace mind1024::host
