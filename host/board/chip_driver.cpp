#include "host/board/chip_driver.h"

#include <algorithm>
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

namespace {
void check_states(const std::vector<std::vector<int8_t>>& states, uint32_t n, const ChipParams& p, const RunParams& run,
                  const char* what) {
    if (n == 0 || n > p.n_max) throw BadArgument(fmt::format("{}: n = {} is outside 1..N_MAX = {}", what, n, p.n_max));
    RunParams r = run;
    if (!r.n_active) r.n_active = n;
    check_run_params(r, p);
    for (size_t k = 0; k < states.size(); ++k)
        if (states[k].size() != n)
            throw BadArgument(fmt::format("{}: state {} has {} neurons; the batch has n = {}", what, k,
                                          states[k].size(), n));
}
}  // namespace

void check_classify_batch(const ClassifyBatch& b, const ChipParams& p) {
    if (b.classes == 0 || b.classes > 0xFFFF || b.reps == 0 || b.reps > 0xFFFF)
        throw BadArgument(fmt::format("classify: {} classes x {} label neurons each; both must be in 1..65535",
                                      b.classes, b.reps));
    if (uint64_t{b.first_label} + uint64_t{b.classes} * b.reps > p.n_max)
        throw BadArgument(fmt::format("classify: label neurons {}..{} are beyond N_MAX = {}", b.first_label,
                                      uint64_t{b.first_label} + uint64_t{b.classes} * b.reps - 1, p.n_max));
    if (b.protos > b.first_label || b.protos > 0xFFFF)
        throw BadArgument(fmt::format("classify: {} prototype neurons below the first label neuron {}; at most {}",
                                      b.protos, b.first_label, std::min<uint32_t>(b.first_label, 0xFFFF)));
    check_states(b.states, b.n, p, b.run, "classify");
}

void check_run_many(const RunMany& b, const ChipParams& p) {
    if (uint64_t{b.first_field} + b.field_count > p.n_max)
        throw BadArgument(fmt::format("run_many: fields {}..{} are beyond N_MAX = {}", b.first_field,
                                      uint64_t{b.first_field} + b.field_count, p.n_max));
    check_states(b.states, b.n, p, b.run, "run_many");
}

std::vector<RunManyItem> ChipDriver::run_many(const RunMany& b) {
    check_run_many(b, params());
    std::vector<RunManyItem> out(b.states.size());
    RunParams p = b.run;
    if (!p.n_active) p.n_active = b.n;
    for (size_t k = 0; k < b.states.size(); ++k) {
        set_state(b.states[k]);
        p.seed = b.first_seed + static_cast<uint32_t>(k);
        out[k].run = run(p);
        out[k].fields = fields(b.first_field, b.field_count);
        if (b.read_state) out[k].state = state();
    }
    return out;
}

std::vector<ClassifyOutcome> ChipDriver::classify_batch(const ClassifyBatch& b) {
    check_classify_batch(b, params());
    RunMany m;
    m.n = b.n, m.run = b.run, m.first_seed = b.first_seed;
    m.run.n_active = b.n;  // a classification runs over the state's own neurons
    m.first_field = b.first_label, m.field_count = b.classes * b.reps;
    m.states = b.states;
    const std::vector<RunManyItem> runs = run_many(m);
    std::vector<ClassifyOutcome> out(runs.size());
    for (size_t k = 0; k < runs.size(); ++k) {
        out[k].run = runs[k].run;
        out[k].label = pick_label(runs[k].fields.data(), b.classes, b.reps, &out[k].tied);
    }
    if (!b.protos) return out;
    // The prototypes' fields matter only where the label sums tie (a few %): those
    // images run again — the same state, seed and network, so the same run — and
    // this time their prototype fields are read too (reading them for every image
    // would cost more than the runs). The last image then runs again, so the chip
    // ends as after the batch (only its cycle counter has counted the extra runs).
    RunMany again = m;
    again.first_field = b.first_label - b.protos, again.field_count = b.protos + b.classes * b.reps;
    size_t last = out.size();
    for (size_t k = 0; k < out.size(); ++k) {
        if (!out[k].tied) continue;
        again.states.assign(1, b.states[k]);
        again.first_seed = b.first_seed + static_cast<uint32_t>(k);
        const std::vector<RunManyItem> r = run_many(again);
        const int32_t* f = r.at(0).fields.data();
        out[k].label = pick_label(f + b.protos, f, b.protos, b.classes, b.reps);
        last = k;
    }
    if (last + 1 < out.size()) {
        m.states.assign(1, b.states.back());
        m.first_seed = b.first_seed + static_cast<uint32_t>(out.size() - 1);
        run_many(m);
    }
    return out;
}

}  // namespace mind1024::host
