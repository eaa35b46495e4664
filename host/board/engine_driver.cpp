#include "host/board/engine_driver.h"

#include <algorithm>

#include <fmt/format.h>

#include "host/board/errors.h"
#include "sysc/engine/fixed_point_arith.h"
#include "sysc/engine/hebb.h"
#include "sysc/engine/stop_rules.h"
#include "sysc/engine/sweep.h"
#include "sysc/engine/timing_model.h"
#include "sysc/fixed_point.h"
#include "sysc/lfsr.h"

namespace mind1024::host {

// The chip's memories and counters as plain arrays, the engine's pieces beside.
struct EngineDriver::Impl {
    explicit Impl(const ChipParams& p)
        : p(p), syn(size_t{p.n_max} * p.n_max, 0), theta(p.n_max, 0), arith(p), timing(p) {}

    ChipParams p;
    std::vector<int16_t> syn;
    uint64_t version = 0;  // changes with every synapse write: the engine's narrow copy follows it
    std::vector<int32_t> theta, field;
    std::vector<int8_t> sigma;
    std::vector<uint8_t> clamp;
    uint64_t cycles = 0;
    Lfsr lfsr;
    FaultPlan faults;
    engine::FixedPointArith arith;
    engine::Sweeper<engine::FixedPointArith> sweeper;
    engine::TimingModel timing;

    void upset(const Upset& u) {
        faults.upset(syn.data(), u);
        ++version;
    }
    void reset() {  // SOFT_RESET: the memories and the faults stay
        sigma.assign(p.n_max, -1);
        faults.force_states(sigma.data());
        clamp.assign(p.n_max, 0);
        faults.force_clamps(clamp.data());
        field.assign(p.n_max, 0);
        lfsr.load(1);
        cycles = 0;
    }
};

EngineDriver::EngineDriver(const ChipParams& p) {
    try {
        p.validate();
    } catch (const std::invalid_argument& e) {
        throw BadArgument(e.what());
    }
    d_ = std::make_unique<Impl>(p);
    d_->reset();
    d_->arith.set_faults(nullptr, {});
}
EngineDriver::~EngineDriver() = default;

const ChipParams& EngineDriver::params() const { return d_->p; }

void EngineDriver::load_weights(const WeightMatrix& m) {
    check_weights(m, d_->p);
    const uint32_t n_max = d_->p.n_max;
    for (uint32_t i = 0; i < m.n; ++i)
        for (uint32_t j = 0; j < m.n; ++j) {
            const uint32_t w = i * n_max + j;
            d_->syn[w] = d_->faults.store(w, fx::store_weight(m.w[size_t{i} * m.n + j], d_->p.wbits));
        }
    ++d_->version;
}

WeightMatrix EngineDriver::read_weights(uint32_t n) {
    if (n == 0 || n > d_->p.n_max)
        throw BadArgument(fmt::format("read_weights: n = {} is outside 1..{}", n, d_->p.n_max));
    WeightMatrix w{n, std::vector<int16_t>(size_t{n} * n)};
    for (uint32_t i = 0; i < n; ++i)
        std::copy_n(&d_->syn[size_t{i} * d_->p.n_max], n, &w.w[size_t{i} * n]);
    return w;
}

void EngineDriver::load_thresholds(const std::vector<int32_t>& t) {
    check_thresholds(t, d_->p);
    for (size_t i = 0; i < t.size(); ++i)
        d_->theta[i] = d_->faults.threshold(static_cast<uint32_t>(i), fx::store_threshold(t[i], d_->p.abits));
}

void EngineDriver::set_state(const std::vector<int8_t>& s) {
    if (s.size() > d_->p.n_max)
        throw BadArgument(fmt::format("set_state: {} values for {} neurons", s.size(), d_->p.n_max));
    for (uint32_t i = 0; i < s.size(); ++i) d_->sigma[i] = d_->faults.state(i, s[i] > 0 ? 1 : -1);
}

void EngineDriver::set_clamp(const std::vector<uint8_t>& c) {
    if (c.size() > d_->p.n_max)
        throw BadArgument(fmt::format("set_clamp: {} values for {} neurons", c.size(), d_->p.n_max));
    for (uint32_t i = 0; i < c.size(); ++i) {
        if (c[i] > 1) throw BadArgument(fmt::format("clamp[{}] = {}: a clamp mask holds 0 or 1", i, c[i]));
        d_->clamp[i] = d_->faults.clamp(i, c[i]);
    }
}

std::vector<int8_t> EngineDriver::state() { return d_->sigma; }

std::vector<int32_t> EngineDriver::fields(uint32_t first, uint32_t count) {
    if (uint64_t{first} + count > d_->p.n_max)
        throw BadArgument(
            fmt::format("fields {}..{} are beyond N_MAX = {}", first, uint64_t{first} + count, d_->p.n_max));
    return {d_->field.begin() + first, d_->field.begin() + first + count};
}

RunResult EngineDriver::go(const RunParams& rp, uint32_t max_sweeps) {
    check_run_params(rp, d_->p);
    Impl& d = *d_;
    engine::SweepSpec spec;
    spec.order = rp.order;
    spec.n = rp.n_active ? rp.n_active : d.p.n_max;
    spec.noise = rp.noise;
    spec.temp = rp.temp;
    const bool sync = spec.order == Order::Sync;
    d.lfsr.load(rp.seed);
    engine::RunTally tally;
    uint64_t overflows = 0;
    const uint64_t c0 = d.cycles;
    engine::run_sweeps(
        spec.order, max_sweeps, d.sigma, tally,
        [&](uint32_t& flips) {
            d.arith.set_network(d.syn.data(), d.version, d.theta.data(), rp.wrap);
            const auto journal = d.sweeper.compute(d.arith, spec, d.sigma, d.clamp.data(), d.lfsr);
            d.cycles += d.timing.sweep_cycles(journal.size(), spec.n, sync);
            flips = engine::Sweeper<engine::FixedPointArith>::commit(journal, journal.size(), true, d.sigma,
                                                                     d.field.data(), overflows);
            return engine::SweepEnd::Complete;
        },
        [](const engine::RunTally&) { return false; });
    RunResult r;
    r.sweeps = tally.sweeps;
    r.flips = tally.flips;
    r.converged = tally.converged;
    r.cycle2 = tally.cycle2;
    r.ovf_count = static_cast<uint32_t>(overflows);
    r.cycles = d.cycles - c0;
    r.sim_seconds = static_cast<double>(r.cycles) / d.p.clock_hz;
    return r;
}

void EngineDriver::hebb(uint32_t n_active) {
    Impl& d = *d_;
    const uint32_t n = n_active ? n_active : d.p.n_max;
    if (n > d.p.n_max) throw BadArgument(fmt::format("hebb: n_active = {} exceeds N_MAX", n));
    engine::hebb(d.syn.data(), d.p.n_max, n, d.sigma.data(), d.p.wbits);
    d.faults.store_all(d.syn.data());
    ++d.version;
    d.cycles += d.timing.hebb_cycles(n);
}

void EngineDriver::clear_synapses() {
    std::fill(d_->syn.begin(), d_->syn.end(), 0);
    d_->faults.store_all(d_->syn.data());
    ++d_->version;
    d_->cycles += d_->timing.clear_syn_cycles();
}

void EngineDriver::soft_reset() { d_->reset(); }

uint64_t EngineDriver::cycles() { return d_->cycles; }

void EngineDriver::set_faults(const FaultPlan& plan) {
    try {
        plan.check_fits(d_->p);
    } catch (const std::invalid_argument& e) {
        throw BadArgument(e.what());
    }
    Impl& d = *d_;
    d.faults = plan;
    d.faults.store_all(d.syn.data());
    d.faults.force_states(d.sigma.data());
    d.faults.force_thresholds(d.theta.data());
    d.faults.force_clamps(d.clamp.data());
    d.lfsr.set_stuck(d.faults.lfsr_stuck0(), d.faults.lfsr_stuck1());
    ++d.version;
    d.arith.set_faults(&d.faults, [&d](const Upset& u) { d.upset(u); });
}

}  // namespace mind1024::host
