#include "float_twin.h"

#include <algorithm>

#include <fmt/format.h>

#include "errors.h"
#include "lfsr.h"

namespace mind1024::host {

FloatTwin::FloatTwin(FloatNetwork net) : net_(std::move(net)) {
    if (net_.n == 0 || net_.w.size() != size_t{net_.n} * net_.n)
        throw BadArgument(fmt::format("float network: {} weights do not make an {}x{} matrix", net_.w.size(), net_.n, net_.n));
    if (net_.theta.empty()) net_.theta.assign(net_.n, 0.0f);
    if (net_.theta.size() != net_.n)
        throw BadArgument(fmt::format("float network: {} thresholds for {} neurons", net_.theta.size(), net_.n));
    sigma_.assign(net_.n, -1);
    sf_.assign(net_.n, -1.0f);
    clamp_.assign(net_.n, 0);
    field_.assign(net_.n, 0.0);
    order_.resize(net_.n);
}

void FloatTwin::set_state(const std::vector<int8_t>& s) {
    if (s.size() > net_.n) throw BadArgument(fmt::format("set_state: {} values for {} neurons", s.size(), net_.n));
    for (size_t i = 0; i < s.size(); ++i) sigma_[i] = s[i] > 0 ? 1 : -1, sf_[i] = sigma_[i];
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

bool FloatTwin::sweep(const RunParams& p, uint32_t n, Lfsr& lfsr, uint32_t& flips) {
    const bool sync = p.order == Order::Sync;
    for (uint32_t k = 0; k < n; ++k) order_[k] = k;
    if (p.order == Order::AsyncPerm)
        for (uint32_t k = n - 1; k >= 1; --k) std::swap(order_[k], order_[lfsr.draw32() % (k + 1)]);
    std::vector<int8_t> next;
    if (sync) next = sigma_;
    std::vector<int8_t>& dst = sync ? next : sigma_;
    for (uint32_t pos = 0; pos < n; ++pos) {
        const uint32_t i = order_[pos];
        if (clamp_[i]) continue;
        const float* r = &net_.w[size_t{i} * net_.n];
        const float* sf = sf_.data();
        float h = 0;  // float accumulation; the SIMD lanes fix one summation order
#pragma omp simd reduction(+ : h)
        for (uint32_t j = 0; j < n; ++j) h += r[j] * sf[j];
        field_[i] = h;
        const double eta = p.noise ? static_cast<double>(lfsr.draw16()) * p.temp / 32768.0 / scale_ : 0.0;
        const double d = static_cast<double>(h) - net_.theta[i] + eta;
        const int8_t s = d > 0 ? 1 : d < 0 ? -1 : sigma_[i];
        if (s != sigma_[i]) ++flips;
        dst[i] = s;
        if (!sync) sf_[i] = s;
    }
    if (sync) {
        sigma_.swap(next);
        for (uint32_t i = 0; i < n; ++i) sf_[i] = sigma_[i];
    }
    return true;
}

RunResult FloatTwin::go(const RunParams& p, uint32_t max_sweeps) {
    const uint32_t n = p.n_active ? p.n_active : net_.n;
    if (n > net_.n) throw BadArgument(fmt::format("n_active = {} exceeds the twin's {} neurons", n, net_.n));
    if (max_sweeps < 1) throw BadArgument("max_sweeps must be at least 1");
    Lfsr lfsr(p.seed);
    RunResult r;
    std::vector<int8_t> two_back, one_back = sigma_;
    for (;;) {
        two_back.swap(one_back);
        one_back = sigma_;
        uint32_t flips = 0;
        sweep(p, n, lfsr, flips);
        ++r.sweeps;
        r.flips = flips;
        if (flips == 0) { r.converged = true; break; }
        if (p.order == Order::Sync && r.sweeps >= 2 && sigma_ == two_back) { r.cycle2 = true; break; }
        if (r.sweeps >= max_sweeps) break;
    }
    return r;
}

}  // namespace mind1024::host
