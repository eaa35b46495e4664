#include "host/twin/float_twin.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include <fmt/format.h>

#include "sysc/engine/field_kernels.h"
#include "sysc/engine/untimed_run.h"
#include "host/board/errors.h"
#include "sysc/lfsr.h"

namespace mind1024::host {

namespace kernels = engine::kernels;

// The twin's arithmetic for the run engine (engine/sweep.h): float field
// sums in the twin's fixed order (float_twin.h), the chip's noise rescaled to
// float units, an exact-tie decision.
class FloatArith {
public:
    using Field = double;
    FloatArith(FloatTwin& t, double scale, bool sync)
        : t_(t), net_(t.net_), scale_(scale), sync_(sync), sf_(4 * size_t{t.groups_}, 0.0f) {}

    void before_update() {}  // no upsets in float
    void begin_sweep(const int8_t* src, uint32_t n) {
        n_ = n;
        for (uint32_t j = 0; j < n; ++j) sf_[j] = src[j];
        lanes_.resize(16 * size_t{groups(n)});
        // Only the row groups with an unclamped row: the rest are never updated.
        need_.assign(groups(n), 0);
        for (uint32_t i = 0; i < n; ++i) need_[i / 4] |= t_.clamp_[i] == 0;
        if (sync_) {
            hs_.resize(n);
            ordered_all(sf_.data(), hs_.data());
            return;
        }
        so_ = sf_;
        sync_fields(src);
    }
    engine::FieldOf<double> field(uint32_t i) const { return {sync_ ? hs_[i] : t_.h_[i], 0}; }
    double eta(int16_t draw, uint32_t temp) const { return static_cast<double>(draw) * temp / 32768.0 / scale_; }
    int8_t decide(uint32_t i, double h, double eta, int8_t current) {
        if (!sync_) {
            // |h_ - ordered float sum| <= 2 gamma A + (updates + 8) 2^-50 A: the ordered sum's
            // error bound (gamma for its longest add chain) twice (h_ started from one) plus
            // the double updates'; 2^-48 more for the two decisions' own roundings. NaN or
            // infinite terms leave it unsure.
            const double a = t_.row_abs_[i], th = net_.theta[i];
            const double margin = a * (2 * gamma_ + (t_.h_updates_ + 8) * 0x1p-50) +
                                  0x1p-48 * (a + std::fabs(th) + std::fabs(eta));
            const double d = h - th + eta;
            if (std::fabs(d) > margin) return d > 0 ? 1 : -1;
            h = ordered_row(i);
        }
        const double d = h - net_.theta[i] + eta;
        return d > 0 ? 1 : d < 0 ? -1 : current;
    }
    void flipped(uint32_t i, int8_t now) {
        sf_[i] = now;
        add_column(i, now);
        t_.base_[i] = now;
        ++t_.h_updates_;
    }
    // ASYNC: every update's field in the twin's order, from the state it saw:
    // neuron j's new value where j updated before it, its old one elsewhere.
    void end_sweep(engine::NeuronUpdate<double>* u, size_t count) {
        if (sync_) return;
        pos_.assign(4 * size_t{groups(n_)}, 0);
        for (size_t k = 0; k < count; ++k) pos_[u[k].neuron] = static_cast<int32_t>(k);
        const size_t gs = 16 * size_t{t_.chunks_};
        for_needed_groups([&](size_t g, size_t ng) {
            if (t_.int8_)
                kernels::rows_dot_f32x4_mixed(t_.blocks8_.data() + g * gs, gs, ng, n_ / 4, sf_.data(), so_.data(),
                                              pos_.data(), pos_.data() + 4 * g, lanes_.data() + 16 * g);
            else
                kernels::rows_dot_f32x4_mixed(t_.blocks_.data() + g * gs, gs, ng, n_ / 4, sf_.data(), so_.data(),
                                              pos_.data(), pos_.data() + 4 * g, lanes_.data() + 16 * g);
        });
        for (size_t k = 0; k < count; ++k) {
            const uint32_t r = u[k].neuron;
            const int32_t pr = pos_[r];
            u[k].h = finish(r, [&](uint32_t j) { return pos_[j] < pr ? sf_[j] : so_[j]; });
        }
    }

private:
    static uint32_t groups(uint32_t n) { return (n + 3) / 4; }
    // f(first group, groups) over each run of needed groups.
    template <class F>
    void for_needed_groups(F f) const {
        const size_t ng = need_.size();
        for (size_t g = 0; g < ng;) {
            if (!need_[g]) {
                ++g;
                continue;
            }
            size_t e = g;
            while (e < ng && need_[e]) ++e;
            f(g, e - g);
            g = e;
        }
    }
    void add_column(uint32_t k, int8_t sign) {
        const size_t at = size_t{k} * net_.n;
        if (t_.int8_) kernels::add_column_twice_f32(t_.h_.data(), &t_.cols8_[at], sign, n_);
        else kernels::add_column_twice_f32(t_.h_.data(), t_.symmetric_ ? &net_.w[at] : &t_.cols_[at], sign, n_);
    }
    // Lanes of `ng` row groups from group g on, over the state s.
    void dot(size_t g, size_t ng, const float* s) {
        const size_t gs = 16 * size_t{t_.chunks_};
        if (t_.int8_) kernels::rows_dot_f32x4(t_.blocks8_.data() + g * gs, gs, ng, n_ / 4, s, lanes_.data() + 16 * g);
        else kernels::rows_dot_f32x4(t_.blocks_.data() + g * gs, gs, ng, n_ / 4, s, lanes_.data() + 16 * g);
    }
    // Row r's field from its lanes: the remainder columns into lane 0, then the lanes in order.
    template <class S>
    double finish(uint32_t r, S state) const {
        const float* l = &lanes_[16 * size_t{r / 4} + 4 * (r % 4)];
        const float* w = &net_.w[size_t{r} * net_.n];
        float a0 = l[0];
        for (uint32_t j = n_ / 4 * 4; j < n_; ++j) a0 += w[j] * state(j);
        float h = a0 + 0.0f;
        h += l[1];
        h += l[2];
        h += l[3];
        return h;
    }
    void ordered_all(const float* s, double* out) {
        for_needed_groups([&](size_t g, size_t ng) { dot(g, ng, s); });
        for (uint32_t i = 0; i < n_; ++i)
            if (need_[i / 4]) out[i] = finish(i, [s](uint32_t j) { return s[j]; });
    }
    double ordered_row(uint32_t i) {
        dot(i / 4, 1, sf_.data());
        const float* s = sf_.data();
        return finish(i, [s](uint32_t j) { return s[j]; });
    }
    // Brings h_ to `src` over columns < n: the changed columns, or all again.
    void sync_fields(const int8_t* src) {
        const uint32_t n = n_;
        const double k = n / 4 + 8, u = 0x1p-24;
        gamma_ = k * u / (1 - k * u);
        if (t_.abs_n_ != n) {
            t_.row_abs_.assign(net_.n, 0.0);
            for (uint32_t i = 0; i < n; ++i) {
                double a = 0;
                const float* w = &net_.w[size_t{i} * net_.n];
                for (uint32_t j = 0; j < n; ++j) a += std::fabs(w[j]);
                t_.row_abs_[i] = a * (1 + 0x1p-20);  // covers this sum's own rounding
            }
            t_.abs_n_ = n;
        }
        uint32_t changed = 0;
        // h_ holds only the rows that were unclamped when it was computed.
        const bool same_clamp = std::equal(t_.clamp_.begin(), t_.clamp_.begin() + n, t_.h_clamp_.begin());
        if (t_.h_valid_ && t_.h_n_ == n && same_clamp && t_.h_updates_ < (uint64_t{1} << 24))
            for (uint32_t j = 0; j < n; ++j) changed += t_.base_[j] != src[j];
        else changed = n;
        if (3 * uint64_t{changed} > n) {
            ordered_all(sf_.data(), t_.h_.data());
            std::copy(src, src + n, t_.base_.begin());
            std::copy(t_.clamp_.begin(), t_.clamp_.begin() + n, t_.h_clamp_.begin());
            t_.h_valid_ = true;
            t_.h_n_ = n;
            t_.h_updates_ = 0;
            return;
        }
        for (uint32_t j = 0; j < n && changed; ++j)
            if (t_.base_[j] != src[j]) {
                add_column(j, src[j]);
                t_.base_[j] = src[j];
                ++t_.h_updates_;
                --changed;
            }
    }

    FloatTwin& t_;
    const FloatNetwork& net_;
    double scale_;
    bool sync_;
    uint32_t n_ = 0;
    double gamma_ = 0;
    std::vector<float> sf_, so_;  // the state now / at the sweep's start, as floats
    std::vector<float> lanes_;
    std::vector<double> hs_;      // SYNC: the sweep's fields
    std::vector<int32_t> pos_;    // ASYNC: each neuron's place in the sweep
    std::vector<uint8_t> need_;   // row groups with an unclamped row
};

FloatTwin::FloatTwin(FloatNetwork net) : net_(std::move(net)) {
    if (net_.n == 0 || net_.w.size() != size_t{net_.n} * net_.n)
        throw BadArgument(fmt::format("float network: {} weights do not make an {}x{} matrix", net_.w.size(), net_.n, net_.n));
    if (net_.theta.empty()) net_.theta.assign(net_.n, 0.0f);
    if (net_.theta.size() != net_.n)
        throw BadArgument(fmt::format("float network: {} thresholds for {} neurons", net_.theta.size(), net_.n));
    sigma_.assign(net_.n, -1);
    clamp_.assign(net_.n, 0);
    field_.assign(net_.n, 0.0);
    const size_t n = net_.n;
    groups_ = (net_.n + 3) / 4;
    chunks_ = net_.n / 4;
    int8_ = std::all_of(net_.w.begin(), net_.w.end(), [](float x) { return x >= -128 && x <= 127 && x == std::trunc(x); });
    const auto interleave = [&](auto& blocks) {
        blocks.assign(size_t{groups_} * 16 * chunks_, 0);
        for (size_t i = 0; i < n; ++i)
            for (size_t j = 0; j < 4 * size_t{chunks_}; ++j)
                blocks[i / 4 * 16 * chunks_ + j / 4 * 16 + i % 4 * 4 + j % 4] =
                    static_cast<typename std::decay_t<decltype(blocks)>::value_type>(net_.w[i * n + j]);
    };
    h_.assign(net_.n, 0.0);
    base_.assign(net_.n, 0);
    h_clamp_.assign(net_.n, 0);
    if (int8_) {
        interleave(blocks8_);
        cols8_.resize(n * n);
        for (size_t i = 0; i < n; ++i)
            for (size_t j = 0; j < n; ++j) cols8_[j * n + i] = static_cast<int8_t>(net_.w[i * n + j]);
        return;
    }
    interleave(blocks_);
    symmetric_ = true;
    for (size_t i = 0; i < n && symmetric_; ++i)
        for (size_t j = 0; j < i; ++j)
            if (std::memcmp(&net_.w[i * n + j], &net_.w[j * n + i], sizeof(float)) != 0) {
                symmetric_ = false;
                break;
            }
    if (!symmetric_) {
        cols_.resize(n * n);
        for (size_t i = 0; i < n; ++i)
            for (size_t j = 0; j < n; ++j) cols_[j * n + i] = net_.w[i * n + j];
    }
}

void FloatTwin::set_state(const std::vector<int8_t>& s) {
    if (s.size() > net_.n) throw BadArgument(fmt::format("set_state: {} values for {} neurons", s.size(), net_.n));
    for (size_t i = 0; i < s.size(); ++i) sigma_[i] = s[i] > 0 ? 1 : -1;
}

void FloatTwin::set_clamp(const std::vector<uint8_t>& c) {
    if (c.size() > net_.n) throw BadArgument(fmt::format("set_clamp: {} values for {} neurons", c.size(), net_.n));
    for (size_t i = 0; i < c.size(); ++i) clamp_[i] = c[i] != 0;
}

double FloatTwin::energy() const {
    double e = 0;
    for (uint32_t i = 0; i < net_.n; ++i) {
        double h = 0;
        const float* r = &net_.w[size_t{i} * net_.n];
        for (uint32_t j = 0; j < net_.n; ++j) h += r[j] * sigma_[j];
        e += -0.5 * sigma_[i] * h + net_.theta[i] * sigma_[i];
    }
    return e;
}

RunResult FloatTwin::go(const RunParams& p, uint32_t max_sweeps) {
    const uint32_t n = p.n_active ? p.n_active : net_.n;
    if (n > net_.n) throw BadArgument(fmt::format("n_active = {} exceeds the twin's {} neurons", n, net_.n));
    if (max_sweeps < 1) throw BadArgument("max_sweeps must be at least 1");
    Lfsr lfsr(p.seed);
    FloatArith arith(*this, scale_, p.order == Order::Sync);
    engine::Sweeper<FloatArith> sweeper;
    engine::SweepSpec spec;
    spec.order = p.order;
    spec.n = n;
    spec.noise = p.noise;
    spec.temp = p.temp;
    const engine::RunTally t =
        engine::run_untimed(arith, sweeper, spec, max_sweeps, sigma_, clamp_.data(), lfsr, field_.data()).tally;
    RunResult r;
    r.sweeps = t.sweeps;
    r.flips = t.flips;
    r.converged = t.converged;
    r.cycle2 = t.cycle2;
    return r;
}

}  // namespace mind1024::host
