#include "sysc/reference_model.h"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

#include "sysc/fixed_point.h"

namespace mind1024 {

ReferenceModel::ReferenceModel(const ChipParams& p) : p_(p) {
    p_.validate();
    const size_t n = p_.n_max;
    syn_.assign(n * n, 0);
    theta_.assign(n, 0);
    soft_reset();
}

void ReferenceModel::soft_reset() {
    const size_t n = p_.n_max;
    mode_ = Mode{};
    n_active_ = p_.n_max;
    max_sweeps_ = 1;
    temp_ = 0;
    seed_ = 1;
    sigma_.assign(n, -1);
    faults_.force_states(sigma_.data());
    clamp_.assign(n, 0);
    faults_.force_clamps(clamp_.data());
    field_.assign(n, 0);
    order_.resize(n);
    lfsr_.load(1);
    st_ = RunStatus{};
}

void ReferenceModel::check_neuron(uint32_t i, const char* what) const {
    if (i >= p_.n_max)
        throw std::out_of_range(fmt::format("{}: neuron index {} is outside 0..{}", what, i, p_.n_max - 1));
}

void ReferenceModel::set_weight(uint32_t i, uint32_t j, int64_t v) {
    check_neuron(i, "weight row");
    check_neuron(j, "weight column");
    const uint32_t w = i * p_.n_max + j;
    syn_[w] = faults_.store(w, fx::store_weight(v, p_.wbits));
}
int16_t ReferenceModel::weight(uint32_t i, uint32_t j) const {
    check_neuron(i, "weight row");
    check_neuron(j, "weight column");
    return syn_[static_cast<size_t>(i) * p_.n_max + j];
}
void ReferenceModel::set_threshold(uint32_t i, int64_t v) {
    check_neuron(i, "threshold");
    theta_[i] = faults_.threshold(i, fx::store_threshold(v, p_.abits));
}
int32_t ReferenceModel::threshold(uint32_t i) const {
    check_neuron(i, "threshold");
    return theta_[i];
}
void ReferenceModel::set_state(uint32_t i, int s) {
    check_neuron(i, "state");
    sigma_[i] = faults_.state(i, s > 0 ? 1 : -1);
}

void ReferenceModel::set_faults(const FaultPlan& f) {
    f.check_fits(p_);
    faults_ = f;
    faults_.store_all(syn_.data());
    faults_.force_states(sigma_.data());
    faults_.force_thresholds(theta_.data());
    faults_.force_clamps(clamp_.data());
    lfsr_.set_stuck(faults_.lfsr_stuck0(), faults_.lfsr_stuck1());
    updates_ = 0;
    next_upset_ = 0;
}
int8_t ReferenceModel::state(uint32_t i) const {
    check_neuron(i, "state");
    return sigma_[i];
}
void ReferenceModel::set_clamp(uint32_t i, bool c) {
    check_neuron(i, "clamp");
    clamp_[i] = faults_.clamp(i, c);
}
bool ReferenceModel::clamp(uint32_t i) const {
    check_neuron(i, "clamp");
    return clamp_[i] != 0;
}
int32_t ReferenceModel::field(uint32_t i) const {
    check_neuron(i, "field");
    return field_[i];
}

void ReferenceModel::check_run_args() const {
    if (n_active_ < 1 || n_active_ > p_.n_max)
        throw std::invalid_argument(
            fmt::format("BAD_ARG: N_ACTIVE = {} is outside 1..{}", n_active_, p_.n_max));
    if (max_sweeps_ < 1)
        throw std::invalid_argument("BAD_ARG: MAX_SWEEPS = 0, must be at least 1");
    if (static_cast<uint32_t>(mode_.order) > 2)
        throw std::invalid_argument("BAD_ARG: MODE.ORDER = 3 is reserved");
}

void ReferenceModel::start(uint64_t update_budget) {
    check_run_args();
    run(max_sweeps_, update_budget);
}

void ReferenceModel::step(uint64_t update_budget) {
    check_run_args();
    run(1, update_budget);
}

void ReferenceModel::run(uint32_t max_sweeps, uint64_t budget) {
    st_.done = st_.converged = st_.cycle2 = false;
    st_.sweeps = st_.flips = st_.ovf_count = 0;
    lfsr_.load(seed_);
    std::vector<int8_t> two_back, one_back = sigma_;
    for (;;) {
        uint32_t flips = 0;
        two_back.swap(one_back);
        one_back = sigma_;
        if (!sweep(budget, flips)) break;  // aborted inside the sweep
        ++st_.sweeps;
        st_.flips = flips;
        if (flips == 0) {
            st_.converged = true;
            break;
        }
        if (mode_.order == Order::Sync && st_.sweeps >= 2 && sigma_ == two_back) {
            st_.cycle2 = true;
            break;
        }
        if (st_.sweeps >= max_sweeps) break;
    }
    st_.done = true;
}

bool ReferenceModel::sweep(uint64_t& budget, uint32_t& flips) {
    const uint32_t n = n_active_;
    const uint32_t g = p_.groups(n);
    const bool sync = mode_.order == Order::Sync;
    for (uint32_t k = 0; k < n; ++k) order_[k] = k;
    if (mode_.order == Order::AsyncPerm) {
        for (uint32_t k = n - 1; k >= 1; --k) {
            const uint32_t j = lfsr_.draw32() % (k + 1);
            std::swap(order_[k], order_[j]);
        }
    }
    // SYNC reads the sweep's start state and commits at the end; ASYNC works in place.
    std::vector<int8_t> next;
    if (sync) next = sigma_;
    const std::vector<int8_t>& src = sigma_;
    std::vector<int8_t>& dst = sync ? next : sigma_;
    uint64_t updates = 0;
    for (uint32_t pos = 0; pos < n; ++pos) {
        const uint32_t i = order_[pos];
        if (clamp_[i]) continue;
        if (budget == 0) {
            st_.cycles += updates * g + (updates ? p_.pipeline_latency() : 0);
            return false;
        }
        --budget;
        ++updates;
        // Upsets due before this update flip their bits first.
        for (const Upset* u; (u = faults_.upset_at(next_upset_)) && u->at <= updates_; ++next_upset_)
            faults_.upset(syn_.data(), *u);
        ++updates_;
        fx::Field f;
        if (faults_.accumulator_faulty()) {
            const FaultPlan::Field ff = faults_.field(row(i), src.data(), n, mode_.wrap);
            f.h = ff.h, f.overflows = ff.overflows;
        } else {
            f = fx::neuron_field(row(i), src.data(), n, p_.lanes, p_.wbits, p_.abits, mode_.wrap);
        }
        field_[i] = f.h;
        st_.ovf_count += f.overflows;
        if (f.overflows) st_.ovf = true;
        const int64_t eta = mode_.noise ? fx::noise_eta(lfsr_.draw16(), temp_) : 0;
        const int8_t s = faults_.state(i, fx::decide(f.h, theta_[i], eta, src[i]));
        if (s != src[i]) ++flips;
        dst[i] = s;
    }
    if (sync) sigma_.swap(next);
    st_.cycles += updates * g + p_.pipeline_latency() + (sync ? 2 : 0);
    return true;
}

void ReferenceModel::hebb() {
    if (n_active_ < 1 || n_active_ > p_.n_max)
        throw std::invalid_argument(
            fmt::format("BAD_ARG: N_ACTIVE = {} is outside 1..{}", n_active_, p_.n_max));
    const uint32_t n = n_active_;
    st_.ovf_count = 0;
    st_.converged = st_.cycle2 = false;
    for (uint32_t i = 0; i < n; ++i) {
        int16_t* r = &syn_[static_cast<size_t>(i) * p_.n_max];
        for (uint32_t j = 0; j < n; ++j) {
            if (i == j) continue;
            bool sat = false;
            r[j] = fx::hebb_update(r[j], sigma_[i], sigma_[j], p_.wbits, &sat);
            st_.ovf_count += sat;
        }
    }
    // Then every faulty word is written back with what it holds, as the SystemC chip and the
    // engine do: the same as a store per word without protection; with it, a word that reads 0
    // after a detected error is written again (docs/faults.md).
    faults_.store_all(syn_.data());
    if (st_.ovf_count) st_.ovf = true;
    st_.cycles += static_cast<uint64_t>(n) * p_.groups(n);
    st_.done = true;
}

void ReferenceModel::clear_syn() {
    std::fill(syn_.begin(), syn_.end(), 0);
    faults_.store_all(syn_.data());
    st_.converged = st_.cycle2 = false;
    st_.cycles += static_cast<uint64_t>(p_.n_max) * p_.groups(p_.n_max);
    st_.done = true;
}

}  // namespace mind1024
