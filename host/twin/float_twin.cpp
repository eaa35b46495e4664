#include "host/twin/float_twin.h"

#include <fmt/format.h>

#include "sysc/engine/untimed_run.h"
#include "host/board/errors.h"
#include "sysc/lfsr.h"

namespace mind1024::host {

namespace {

// The twin's arithmetic for the run engine (engine/sweep.h): float field
// sums, the chip's noise rescaled to float units, an exact-tie decision.
class FloatArith {
public:
    using Field = double;
    FloatArith(const FloatNetwork& net, double scale) : net_(net), scale_(scale), sf_(net.n, -1.0f) {}

    void before_update() {}  // no upsets in float
    void begin_sweep(const int8_t* src, uint32_t n) {
        n_ = n;
        for (uint32_t j = 0; j < n; ++j) sf_[j] = src[j];
    }
    engine::FieldOf<double> field(uint32_t i) const {
        const float* r = &net_.w[size_t{i} * net_.n];
        const float* sf = sf_.data();
        float h = 0;  // float accumulation; the SIMD lanes fix one summation order
#pragma omp simd reduction(+ : h)
        for (uint32_t j = 0; j < n_; ++j) h += r[j] * sf[j];
        return {h, 0};
    }
    double eta(int16_t draw, uint32_t temp) const { return static_cast<double>(draw) * temp / 32768.0 / scale_; }
    int8_t decide(uint32_t i, double h, double eta, int8_t current) const {
        const double d = h - net_.theta[i] + eta;
        return d > 0 ? 1 : d < 0 ? -1 : current;
    }
    void flipped(uint32_t i, int8_t now) { sf_[i] = now; }

private:
    const FloatNetwork& net_;
    double scale_;
    std::vector<float> sf_;  // the state as floats, for the vectorized field sums
    uint32_t n_ = 0;
};

}  // namespace

FloatTwin::FloatTwin(FloatNetwork net) : net_(std::move(net)) {
    if (net_.n == 0 || net_.w.size() != size_t{net_.n} * net_.n)
        throw BadArgument(fmt::format("float network: {} weights do not make an {}x{} matrix", net_.w.size(), net_.n, net_.n));
    if (net_.theta.empty()) net_.theta.assign(net_.n, 0.0f);
    if (net_.theta.size() != net_.n)
        throw BadArgument(fmt::format("float network: {} thresholds for {} neurons", net_.theta.size(), net_.n));
    sigma_.assign(net_.n, -1);
    clamp_.assign(net_.n, 0);
    field_.assign(net_.n, 0.0);
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
    FloatArith arith(net_, scale_);
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
