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

constexpr const char* kKeys = "syn0, syn1, seu, upset, plus, minus, acc0, acc1, accp0, accp1, thr0, thr1, clamp0, clamp1, lfsr0, lfsr1, seed";

}  // namespace

uint32_t encode_word(uint32_t d, const ChipParams& p) {
    const uint32_t k = p.wbits;
    d &= k >= 32 ? ~0u : (1u << k) - 1;
    if (p.protect == 0) return d;
    if (p.protect == 1) return d | (static_cast<uint32_t>(__builtin_popcount(d) & 1) << k);
    // Extended Hamming: data at the positions 1..n that are not powers of two,
    // check bit 2^i the parity of the positions with bit i, bit 0 the overall parity.
    const uint32_t n = k + p.check_bits() - 1;
    uint32_t c = 0, syndrome = 0;
    for (uint32_t pos = 1, b = 0; pos <= n && b < k; ++pos) {
        if ((pos & (pos - 1)) == 0) continue;
        if ((d >> b++) & 1) c |= 1u << pos, syndrome ^= pos;
    }
    for (uint32_t i = 0; (1u << i) <= n; ++i)
        if ((syndrome >> i) & 1) c |= 1u << (1u << i);
    return c | static_cast<uint32_t>(__builtin_popcount(c) & 1);
}

bool decode_word(uint32_t c, const ChipParams& p, uint32_t& d) {
    const uint32_t k = p.wbits;
    if (p.protect == 0) {
        d = c;
        return true;
    }
    if (p.protect == 1) {
        d = c & ((1u << k) - 1);
        return (__builtin_popcount(c) & 1) == 0;
    }
    const uint32_t n = k + p.check_bits() - 1;
    uint32_t syndrome = 0;
    for (uint32_t pos = 1; pos <= n; ++pos)
        if ((c >> pos) & 1) syndrome ^= pos;
    const bool odd = __builtin_popcount(c) & 1;
    if (syndrome != 0 && !odd) return false;  // two errors
    if (odd && syndrome > n) return false;    // no such position: more than one error
    if (odd && syndrome != 0) c ^= 1u << syndrome;  // one error, corrected (syndrome 0: the overall parity bit)
    d = 0;
    for (uint32_t pos = 1, b = 0; pos <= n && b < k; ++pos) {
        if ((pos & (pos - 1)) == 0) continue;
        d |= ((c >> pos) & 1u) << b++;
    }
    return true;
}

bool FaultSpec::any() const {
    return syn_stuck0 > 0 || syn_stuck1 > 0 || seu_count > 0 || upset_rate > 0 || neuron_plus > 0 || neuron_minus > 0 || acc_stuck0 ||
           acc_stuck1 || acc_p0 > 0 || acc_p1 > 0 || thr_stuck0 > 0 || thr_stuck1 > 0 || clamp_stuck0 > 0 ||
           clamp_stuck1 > 0 || lfsr_stuck0 > 0 || lfsr_stuck1 > 0;
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
                "--faults: '{}' is not KEY=VALUE (keys: {})", item, kKeys));
        const std::string k = item.substr(0, eq), v = item.substr(eq + 1);
        if (k == "syn0") s.syn_stuck0 = fraction(k, v);
        else if (k == "syn1") s.syn_stuck1 = fraction(k, v);
        else if (k == "plus") s.neuron_plus = fraction(k, v);
        else if (k == "minus") s.neuron_minus = fraction(k, v);
        else if (k == "acc0") s.acc_stuck0 = static_cast<uint32_t>(whole(k, v, 0xFFFFFFFFu));
        else if (k == "acc1") s.acc_stuck1 = static_cast<uint32_t>(whole(k, v, 0xFFFFFFFFu));
        else if (k == "upset") s.upset_rate = fraction(k, v);
        else if (k == "accp0") s.acc_p0 = fraction(k, v);
        else if (k == "accp1") s.acc_p1 = fraction(k, v);
        else if (k == "thr0") s.thr_stuck0 = fraction(k, v);
        else if (k == "thr1") s.thr_stuck1 = fraction(k, v);
        else if (k == "clamp0") s.clamp_stuck0 = fraction(k, v);
        else if (k == "clamp1") s.clamp_stuck1 = fraction(k, v);
        else if (k == "lfsr0") s.lfsr_stuck0 = fraction(k, v);
        else if (k == "lfsr1") s.lfsr_stuck1 = fraction(k, v);
        else if (k == "seed") s.seed = whole(k, v, UINT64_MAX);
        else if (k == "seu") {
            const size_t at = v.find('@');
            s.seu_count = static_cast<uint32_t>(whole(k, v.substr(0, at), 1u << 24));
            s.seu_at = at == std::string::npos ? 0 : whole("seu ...@", v.substr(at + 1), UINT64_MAX);
        } else {
            throw std::invalid_argument(fmt::format(
                "--faults: unknown fault '{}' (keys: {})", k, kKeys));
        }
    }
    if (s.syn_stuck0 + s.syn_stuck1 > 1)
        throw std::invalid_argument(fmt::format("--faults: syn0 + syn1 = {:g} is more than every bit", s.syn_stuck0 + s.syn_stuck1));
    if (s.neuron_plus + s.neuron_minus > 1)
        throw std::invalid_argument(fmt::format("--faults: plus + minus = {:g} is more than every neuron", s.neuron_plus + s.neuron_minus));
    for (const auto& [a, b, what] : {std::make_tuple(s.thr_stuck0, s.thr_stuck1, "thr0 + thr1"),
                                     std::make_tuple(s.clamp_stuck0, s.clamp_stuck1, "clamp0 + clamp1"),
                                     std::make_tuple(s.lfsr_stuck0, s.lfsr_stuck1, "lfsr0 + lfsr1")})
        if (a + b > 1) throw std::invalid_argument(fmt::format("--faults: {} = {:g} is more than every site", what, a + b));
    if (s.acc_p0 + s.acc_p1 > 1)
        throw std::invalid_argument(fmt::format("--faults: accp0 + accp1 = {:g} is more than every bit", s.acc_p0 + s.acc_p1));
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
    if (upset_rate > 0) add(fmt::format("upset={}", upset_rate));
    if (neuron_plus > 0) add(fmt::format("plus={}", neuron_plus));
    if (neuron_minus > 0) add(fmt::format("minus={}", neuron_minus));
    if (acc_stuck0) add(fmt::format("acc0=0x{:X}", acc_stuck0));
    if (acc_stuck1) add(fmt::format("acc1=0x{:X}", acc_stuck1));
    if (acc_p0 > 0) add(fmt::format("accp0={}", acc_p0));
    if (acc_p1 > 0) add(fmt::format("accp1={}", acc_p1));
    if (thr_stuck0 > 0) add(fmt::format("thr0={}", thr_stuck0));
    if (thr_stuck1 > 0) add(fmt::format("thr1={}", thr_stuck1));
    if (clamp_stuck0 > 0) add(fmt::format("clamp0={}", clamp_stuck0));
    if (clamp_stuck1 > 0) add(fmt::format("clamp1={}", clamp_stuck1));
    if (lfsr_stuck0 > 0) add(fmt::format("lfsr0={}", lfsr_stuck0));
    if (lfsr_stuck1 > 0) add(fmt::format("lfsr1={}", lfsr_stuck1));
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
    // Per accumulator bit, as per synapse bit: every bit drawn (a mask bit wins).
    if (s.acc_p0 > 0 || s.acc_p1 > 0) {
        std::mt19937_64 a(s.seed ^ 0x4143434249545321ull);
        for (uint32_t b = 0; b < p.abits; ++b) {
            const double x = unit(a);
            const uint32_t m = 1u << b;
            if ((s.acc_stuck0 | s.acc_stuck1) & m) continue;
            if (x < s.acc_p0) f.acc_stuck0_ |= m;
            else if (x < s.acc_p0 + s.acc_p1) f.acc_stuck1_ |= m;
        }
    }
    const uint32_t cw = p.stored_word_bits();  // stored bits per word, check bits included
    const uint64_t words = uint64_t{p.n_max} * p.n_max, bits = words * cw;

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
            const uint32_t w = static_cast<uint32_t>(b / cw);
            const uint32_t m = 1u << (b % cw);
            if (f.stuck_.empty() || f.stuck_.back().word != w) f.stuck_.push_back({w, 0, 0});
            (unit(r) * ps < s.syn_stuck0 ? f.stuck_.back().stuck0 : f.stuck_.back().stuck1) |= m;
        }
    }
    std::mt19937_64 u(s.seed ^ 0x5345555550534554ull);
    for (uint32_t k = 0; k < s.seu_count; ++k) {
        const uint32_t w = static_cast<uint32_t>(u() % words);
        f.upsets_.push_back({s.seu_at, w, static_cast<uint8_t>(u() % cw)});
    }
    if (s.upset_rate > 0) {
        f.next_pos_ = 0;
        f.draw_rate_upset();  // the first one's position
    }
    // Threshold, clamp and LFSR bits: one draw per site, in site order, a stream each.
    auto per_bit = [&](uint64_t salt, double p0, double p1, uint32_t bits, auto&& hit) {
        if (!(p0 > 0 || p1 > 0)) return;
        std::mt19937_64 g(s.seed ^ salt);
        for (uint32_t b = 0; b < bits; ++b) {
            const double x = unit(g);
            if (x < p0 + p1) hit(b, x < p0 ? 0 : 1);
        }
    };
    per_bit(0x5448524553484f4cull, s.thr_stuck0, s.thr_stuck1, p.n_max * p.abits, [&](uint32_t b, int v) {
        const uint32_t i = b / p.abits, m = 1u << (b % p.abits);
        if (f.thr_.empty() || f.thr_.back().neuron != i) f.thr_.push_back({i, 0, 0});
        (v ? f.thr_.back().stuck1 : f.thr_.back().stuck0) |= m;
    });
    f.clamp_value_.assign(p.n_max, -1);
    per_bit(0x434c414d50424954ull, s.clamp_stuck0, s.clamp_stuck1, p.n_max, [&](uint32_t i, int v) {
        f.clamps_.push_back({i, static_cast<uint8_t>(v)});
        f.clamp_value_[i] = static_cast<int8_t>(v);
    });
    per_bit(0x4c46535242495453ull, s.lfsr_stuck0, s.lfsr_stuck1, 32,
            [&](uint32_t b, int v) { (v ? f.lfsr_stuck1_ : f.lfsr_stuck0_) |= 1u << b; });
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

// The rate's next upset at or after next_pos_ in the stream of (update,
// stored bit) pairs: a geometric gap, as the stuck bits are drawn. Each draw
// is a function of the seed and its ordinal only, so any copy of the plan
// continues the same sequence.
void FaultPlan::draw_rate_upset() const {
    if (next_pos_ == UINT64_MAX) return;
    const double p = spec_.upset_rate;
    if (p >= 1) return;  // every bit at every update: next_pos_ as it is
    std::mt19937_64 r(spec_.seed ^ 0x5550534554524154ull ^ (rate_draws_++ * 0x9E3779B97F4A7C15ull));
    const double gap = std::floor(std::log1p(-unit(r)) / std::log1p(-p));
    if (!(gap < double(UINT64_MAX - next_pos_) * 0.5)) {
        next_pos_ = UINT64_MAX;
        return;
    }
    next_pos_ += static_cast<uint64_t>(gap);
}

const Upset* FaultPlan::upset_at(size_t k) const {
    const uint32_t cw = p_.stored_word_bits();
    const uint64_t bits = uint64_t{p_.n_max} * p_.n_max * cw;
    while (seq_.size() <= k) {
        const bool fixed = next_fixed_ < upsets_.size();
        const bool rate = next_pos_ != UINT64_MAX;
        if (!fixed && !rate) return nullptr;
        const uint64_t rate_at = rate ? next_pos_ / bits : UINT64_MAX;
        if (fixed && upsets_[next_fixed_].at <= rate_at) {
            seq_.push_back(upsets_[next_fixed_++]);
            continue;
        }
        const uint64_t b = next_pos_ % bits;
        seq_.push_back({rate_at, static_cast<uint32_t>(b / cw), static_cast<uint8_t>(b % cw)});
        ++next_pos_;
        draw_rate_upset();
    }
    return &seq_[k];
}

void FaultPlan::check_fits(const ChipParams& p) const {
    if (empty()) return;
    if (p.n_max != p_.n_max || p.wbits != p_.wbits || p.abits != p_.abits || p.lanes != p_.lanes ||
        p.protect != p_.protect)
        throw std::invalid_argument(fmt::format(
            "fault plan '{}' was drawn for N_MAX={} WBITS={} ABITS={} LANES={} PROTECT={}, not this chip's N_MAX={} "
            "WBITS={} ABITS={} LANES={} PROTECT={}",
            spec_.to_string(), p_.n_max, p_.wbits, p_.abits, p_.lanes, p_.protect, p.n_max, p.wbits, p.abits, p.lanes,
            p.protect));
}

const StuckWord* FaultPlan::stuck_word(uint32_t word) const {
    const auto it = std::lower_bound(stuck_.begin(), stuck_.end(), word,
                                     [](const StuckWord& s, uint32_t w) { return s.word < w; });
    return it == stuck_.end() || it->word != word ? nullptr : &*it;
}

int16_t FaultPlan::store(uint32_t word, int16_t value) const {
    if (stuck_.empty()) return value;
    const StuckWord* s = stuck_word(word);
    if (!s) return value;
    if (p_.protect == 0) {
        const uint64_t raw = (static_cast<uint16_t>(value) & ~s->stuck0) | s->stuck1;
        return static_cast<int16_t>(fx::sign_extend(raw, p_.wbits));
    }
    uint32_t d = 0;
    const uint32_t c = (encode_word(static_cast<uint16_t>(value), p_) & ~s->stuck0) | s->stuck1;
    return decode_word(c, p_, d) ? static_cast<int16_t>(fx::sign_extend(d, p_.wbits)) : int16_t{0};
}

void FaultPlan::store_all(int16_t* syn) const {
    for (const StuckWord& s : stuck_) syn[s.word] = store(s.word, syn[s.word]);
}

void FaultPlan::upset(int16_t* syn, const Upset& u) const {
    if (p_.protect == 0) {
        const uint64_t raw = static_cast<uint16_t>(syn[u.word]) ^ (1u << u.bit);
        syn[u.word] = store(u.word, static_cast<int16_t>(fx::sign_extend(raw, p_.wbits)));
        return;
    }
    // The stored codeword of what the word reads (its stuck bits in place), one bit flipped, read again.
    const StuckWord* s = stuck_.empty() ? nullptr : stuck_word(u.word);
    uint32_t c = encode_word(static_cast<uint16_t>(syn[u.word]), p_);
    if (s) c = (c & ~s->stuck0) | s->stuck1;
    c ^= 1u << u.bit;
    if (s) c = (c & ~s->stuck0) | s->stuck1;
    uint32_t d = 0;
    syn[u.word] = decode_word(c, p_, d) ? static_cast<int16_t>(fx::sign_extend(d, p_.wbits)) : int16_t{0};
}

int8_t FaultPlan::state(uint32_t neuron, int8_t s) const {
    if (neurons_.empty() || neuron >= neuron_value_.size() || !neuron_value_[neuron]) return s;
    return neuron_value_[neuron];
}

int32_t FaultPlan::threshold(uint32_t neuron, int32_t stored) const {
    if (thr_.empty()) return stored;
    const auto it = std::lower_bound(thr_.begin(), thr_.end(), neuron,
                                     [](const StuckThreshold& t, uint32_t i) { return t.neuron < i; });
    if (it == thr_.end() || it->neuron != neuron) return stored;
    const uint64_t raw = (static_cast<uint64_t>(static_cast<uint32_t>(stored)) & ~uint64_t{it->stuck0}) | it->stuck1;
    return static_cast<int32_t>(fx::sign_extend(raw, p_.abits));
}

void FaultPlan::force_thresholds(int32_t* theta) const {
    for (const StuckThreshold& t : thr_) theta[t.neuron] = threshold(t.neuron, theta[t.neuron]);
}

uint8_t FaultPlan::clamp(uint32_t neuron, uint8_t c) const {
    if (clamps_.empty() || neuron >= clamp_value_.size() || clamp_value_[neuron] < 0) return c;
    return static_cast<uint8_t>(clamp_value_[neuron]);
}

void FaultPlan::force_clamps(uint8_t* clamp) const {
    for (const auto& [i, v] : clamps_) clamp[i] = v;
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
