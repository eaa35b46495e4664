#include "sysc/fault_plan.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>

#include <fmt/format.h>

#include "sysc/fixed_point.h"

namespace mind1024 {

namespace {

// A uniform double in [0, 1) from 53 random bits: the same on every platform
// (std::uniform_real_distribution is implementation-defined).
double unit(std::mt19937_64& r) { return static_cast<double>(r() >> 11) * 0x1.0p-53; }

double fraction(const std::string& key, const std::string& v) {
    size_t used = 0;
    double x = 0;
    try {
        x = std::stod(v, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    if (used == 0 || used != v.size() || !(x >= 0 && x <= 1))
        throw std::invalid_argument(fmt::format("--faults: {}={}: expected a fraction between 0 and 1", key, v));
    return x;
}

uint64_t whole(const std::string& key, const std::string& v, uint64_t max) {
    size_t used = 0;
    uint64_t x = 0;
    const bool sign = !v.empty() && (v[0] == '-' || v[0] == '+' || v[0] == ' ');
    try {
        if (!sign) x = std::stoull(v, &used, 0);
    } catch (const std::exception&) {
        used = 0;
    }
    if (sign || used == 0 || used != v.size() || x > max)
        throw std::invalid_argument(fmt::format("--faults: {}={}: expected a whole number from 0 to {}", key, v, max));
    return x;
}

}  // namespace

bool FaultSpec::any() const {
    return syn_stuck0 > 0 || syn_stuck1 > 0 || seu_count > 0 || neuron_plus > 0 || neuron_minus > 0 || acc_stuck0 ||
           acc_stuck1;
}

FaultSpec FaultSpec::parse(const std::string& spec) {
    FaultSpec s;
    if (spec.empty() || spec == "none") return s;
    size_t pos = 0;
    while (pos <= spec.size()) {
        const size_t end = std::min(spec.find(',', pos), spec.size());
        const std::string item = spec.substr(pos, end - pos);
        pos = end + 1;
        const size_t eq = item.find('=');
        if (eq == std::string::npos || eq == 0)
            throw std::invalid_argument(fmt::format(
                "--faults: '{}' is not KEY=VALUE (keys: syn0, syn1, seu, plus, minus, acc0, acc1, seed)", item));
        const std::string k = item.substr(0, eq), v = item.substr(eq + 1);
        if (k == "syn0") s.syn_stuck0 = fraction(k, v);
        else if (k == "syn1") s.syn_stuck1 = fraction(k, v);
        else if (k == "plus") s.neuron_plus = fraction(k, v);
        else if (k == "minus") s.neuron_minus = fraction(k, v);
        else if (k == "acc0") s.acc_stuck0 = static_cast<uint32_t>(whole(k, v, 0xFFFFFFFFu));
        else if (k == "acc1") s.acc_stuck1 = static_cast<uint32_t>(whole(k, v, 0xFFFFFFFFu));
        else if (k == "seed") s.seed = whole(k, v, UINT64_MAX);
        else if (k == "seu") {
            const size_t at = v.find('@');
            s.seu_count = static_cast<uint32_t>(whole(k, v.substr(0, at), 1u << 24));
            s.seu_at = at == std::string::npos ? 0 : whole("seu ...@", v.substr(at + 1), UINT64_MAX);
        } else {
            throw std::invalid_argument(fmt::format(
                "--faults: unknown fault '{}' (syn0, syn1, seu, plus, minus, acc0, acc1, seed)", k));
        }
    }
    if (s.syn_stuck0 + s.syn_stuck1 > 1)
        throw std::invalid_argument(fmt::format("--faults: syn0 + syn1 = {:g} is more than every bit", s.syn_stuck0 + s.syn_stuck1));
    if (s.neuron_plus + s.neuron_minus > 1)
        throw std::invalid_argument(fmt::format("--faults: plus + minus = {:g} is more than every neuron", s.neuron_plus + s.neuron_minus));
    if (s.acc_stuck0 & s.acc_stuck1)
        throw std::invalid_argument(fmt::format("--faults: acc0 and acc1 share bits 0x{:X}", s.acc_stuck0 & s.acc_stuck1));
    return s;
}

std::string FaultSpec::to_string() const {
    std::string o;
    auto add = [&](const std::string& item) { o += (o.empty() ? "" : ",") + item; };
    if (syn_stuck0 > 0) add(fmt::format("syn0={}", syn_stuck0));
    if (syn_stuck1 > 0) add(fmt::format("syn1={}", syn_stuck1));
    if (seu_count) add(fmt::format("seu={}@{}", seu_count, seu_at));
    if (neuron_plus > 0) add(fmt::format("plus={}", neuron_plus));
    if (neuron_minus > 0) add(fmt::format("minus={}", neuron_minus));
    if (acc_stuck0) add(fmt::format("acc0=0x{:X}", acc_stuck0));
    if (acc_stuck1) add(fmt::format("acc1=0x{:X}", acc_stuck1));
    if (o.empty()) return "none";
    add(fmt::format("seed={}", seed));
    return o;
}

FaultPlan FaultPlan::expand(const FaultSpec& s, const ChipParams& p) {
    p.validate();
    FaultPlan f;
    f.spec_ = s;
    f.p_ = p;
    const uint64_t acc_mask = (uint64_t{1} << p.abits) - 1;
    if ((s.acc_stuck0 | s.acc_stuck1) & ~acc_mask)
        throw std::invalid_argument(fmt::format("--faults: accumulator mask 0x{:X} has bits above ABITS = {}",
                                                (s.acc_stuck0 | s.acc_stuck1) & ~acc_mask, p.abits));
    f.acc_stuck0_ = s.acc_stuck0;
    f.acc_stuck1_ = s.acc_stuck1;
    const uint64_t words = uint64_t{p.n_max} * p.n_max, bits = words * p.wbits;

    // Stuck bits: visit the faulty ones only, by geometric gaps between them.
    std::mt19937_64 r(s.seed ^ 0x5354554b534e4150ull);  // one stream per kind
    const double ps = s.syn_stuck0 + s.syn_stuck1;
    if (ps > 0) {
        const double log_q = std::log1p(-std::min(ps, 1.0));
        for (uint64_t b = 0;; ++b) {
            if (ps < 1) {
                const double gap = std::floor(std::log1p(-unit(r)) / log_q);
                if (!(gap < double(bits - b))) break;
                b += static_cast<uint64_t>(gap);
            }
            if (b >= bits) break;
            const uint32_t w = static_cast<uint32_t>(b / p.wbits);
            const uint16_t m = static_cast<uint16_t>(1u << (b % p.wbits));
            if (f.stuck_.empty() || f.stuck_.back().word != w) f.stuck_.push_back({w, 0, 0});
            (unit(r) * ps < s.syn_stuck0 ? f.stuck_.back().stuck0 : f.stuck_.back().stuck1) |= m;
        }
    }
    std::mt19937_64 u(s.seed ^ 0x5345555550534554ull);
    for (uint32_t k = 0; k < s.seu_count; ++k) {
        const uint32_t w = static_cast<uint32_t>(u() % words);
        f.upsets_.push_back({s.seu_at, w, static_cast<uint8_t>(u() % p.wbits)});
    }
    std::mt19937_64 n(s.seed ^ 0x4e4555524f4e5354ull);
    f.neuron_value_.assign(p.n_max, 0);
    if (s.neuron_plus > 0 || s.neuron_minus > 0)
        for (uint32_t i = 0; i < p.n_max; ++i) {
            const double x = unit(n);
            const int8_t v = x < s.neuron_plus ? 1 : x < s.neuron_plus + s.neuron_minus ? -1 : 0;
            if (v) f.neurons_.push_back({i, v}), f.neuron_value_[i] = v;
        }
    return f;
}

void FaultPlan::check_fits(const ChipParams& p) const {
    if (empty()) return;
    if (p.n_max != p_.n_max || p.wbits != p_.wbits || p.abits != p_.abits || p.lanes != p_.lanes)
        throw std::invalid_argument(fmt::format(
            "fault plan '{}' was drawn for N_MAX={} WBITS={} ABITS={} LANES={}, not this chip's N_MAX={} WBITS={} ABITS={} LANES={}",
            spec_.to_string(), p_.n_max, p_.wbits, p_.abits, p_.lanes, p.n_max, p.wbits, p.abits, p.lanes));
}

int16_t FaultPlan::store(uint32_t word, int16_t value) const {
    if (stuck_.empty()) return value;
    const auto it = std::lower_bound(stuck_.begin(), stuck_.end(), word,
                                     [](const StuckWord& s, uint32_t w) { return s.word < w; });
    if (it == stuck_.end() || it->word != word) return value;
    const uint64_t raw = (static_cast<uint16_t>(value) & ~uint32_t{it->stuck0}) | it->stuck1;
    return static_cast<int16_t>(fx::sign_extend(raw, p_.wbits));
}

void FaultPlan::store_all(int16_t* syn) const {
    for (const StuckWord& s : stuck_) syn[s.word] = store(s.word, syn[s.word]);
}

void FaultPlan::upset(int16_t* syn, const Upset& u) const {
    const uint64_t raw = static_cast<uint16_t>(syn[u.word]) ^ (1u << u.bit);
    syn[u.word] = store(u.word, static_cast<int16_t>(fx::sign_extend(raw, p_.wbits)));
}

int8_t FaultPlan::state(uint32_t neuron, int8_t s) const {
    if (neurons_.empty() || neuron >= neuron_value_.size() || !neuron_value_[neuron]) return s;
    return neuron_value_[neuron];
}

void FaultPlan::force_states(int8_t* sigma) const {
    for (const auto& [i, v] : neurons_) sigma[i] = v;
}

int64_t FaultPlan::accumulator(int64_t acc) const {
    if (!acc_stuck0_ && !acc_stuck1_) return acc;
    const uint64_t raw = (static_cast<uint64_t>(acc) & ~uint64_t{acc_stuck0_}) | acc_stuck1_;
    return fx::sign_extend(raw, p_.abits);
}

FaultPlan::Field FaultPlan::field(const int16_t* row, const int8_t* sigma, uint32_t n, bool wrap) const {
    Field f;
    int64_t acc = 0;
    for (uint32_t c = 0; c < n; c += p_.lanes) {
        const uint32_t end = std::min(c + p_.lanes, n);
        int64_t group = 0;
        for (uint32_t j = c; j < end; ++j) group += row[j] * sigma[j];
        bool ovf = false;
        acc = accumulator(fx::to_width(acc + group, p_.abits, wrap, &ovf));
        f.overflows += ovf;
    }
    f.h = static_cast<int32_t>(acc);
    return f;
}

}  // namespace mind1024
