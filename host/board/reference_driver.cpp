#include "host/board/reference_driver.h"

#include <fmt/format.h>

#include "host/board/errors.h"

namespace mind1024::host {

void ReferenceDriver::load_weights(const WeightMatrix& w) {
    check_weights(w, params());
    for (uint32_t i = 0; i < w.n; ++i)
        for (uint32_t j = 0; j < w.n; ++j) m_.set_weight(i, j, w.w[size_t{i} * w.n + j]);
}

WeightMatrix ReferenceDriver::read_weights(uint32_t n) {
    if (n == 0 || n > params().n_max)
        throw BadArgument(fmt::format("read_weights: n = {} is outside 1..{}", n, params().n_max));
    WeightMatrix w{n, std::vector<int16_t>(size_t{n} * n)};
    for (uint32_t i = 0; i < n; ++i)
        for (uint32_t j = 0; j < n; ++j) w.w[size_t{i} * n + j] = m_.weight(i, j);
    return w;
}

void ReferenceDriver::load_thresholds(const std::vector<int32_t>& t) {
    check_thresholds(t, params());
    for (uint32_t i = 0; i < t.size(); ++i) m_.set_threshold(i, t[i]);
}

void ReferenceDriver::set_state(const std::vector<int8_t>& s) {
    if (s.size() > params().n_max) throw BadArgument(fmt::format("set_state: {} values for {} neurons", s.size(), params().n_max));
    for (uint32_t i = 0; i < s.size(); ++i) m_.set_state(i, s[i]);
}

void ReferenceDriver::set_clamp(const std::vector<uint8_t>& c) {
    if (c.size() > params().n_max) throw BadArgument(fmt::format("set_clamp: {} values for {} neurons", c.size(), params().n_max));
    for (uint32_t i = 0; i < c.size(); ++i) {
        if (c[i] > 1) throw BadArgument(fmt::format("clamp[{}] = {}: a clamp mask holds 0 or 1", i, c[i]));
        m_.set_clamp(i, c[i] != 0);
    }
}

std::vector<int32_t> ReferenceDriver::fields(uint32_t first, uint32_t count) {
    if (uint64_t{first} + count > params().n_max)
        throw BadArgument(fmt::format("fields {}..{} are beyond N_MAX = {}", first, uint64_t{first} + count, params().n_max));
    return {m_.fields().begin() + first, m_.fields().begin() + first + count};
}

RunResult ReferenceDriver::go(const RunParams& p, bool single) {
    check_run_params(p, params());
    Mode mode;
    mode.order = p.order;
    mode.wrap = p.wrap;
    mode.noise = p.noise;
    m_.set_mode(mode);
    m_.set_n_active(p.n_active ? p.n_active : params().n_max);
    m_.set_max_sweeps(p.max_sweeps);
    m_.set_temp(p.temp);
    m_.set_seed(p.seed);
    const uint64_t c0 = m_.status().cycles;
    try {
        single ? m_.step() : m_.start();
    } catch (const std::invalid_argument& e) {
        throw BadArgument(e.what());
    }
    const RunStatus& s = m_.status();
    RunResult r;
    r.sweeps = s.sweeps;
    r.flips = s.flips;
    r.ovf_count = s.ovf_count;
    r.converged = s.converged;
    r.cycle2 = s.cycle2;
    r.cycles = s.cycles - c0;
    r.sim_seconds = static_cast<double>(r.cycles) / params().clock_hz;
    return r;
}

void ReferenceDriver::hebb(uint32_t n_active) {
    m_.set_n_active(n_active ? n_active : params().n_max);
    try {
        m_.hebb();
    } catch (const std::invalid_argument& e) {
        throw BadArgument(e.what());
    }
}

}  // namespace mind1024::host

namespace mind1024::host {

void ReferenceDriver::set_faults(const FaultPlan& plan) {
    try {
        m_.set_faults(plan);
    } catch (const std::invalid_argument& e) {
        throw BadArgument(e.what());
    }
}

}  // namespace mind1024::host
