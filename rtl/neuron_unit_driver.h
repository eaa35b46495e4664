// Cycle driver for a Verilated neuron_unit (rtl/neuron_unit.v): packs groups
// of weights and states into the ports, clocks the model and reads results.
// Header-only, templated on the Verilated class so every build (WBITS, ABITS,
// LANES) uses the same code. Used by the RTL tests, the co-simulation datapath
// and the VCD writer.
#pragma once
#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include <verilated.h>

namespace mind1024::rtl {

namespace detail {
// Copy a little-endian word buffer into a Verilated port of any width.
inline void put(CData& p, const uint32_t* w) { p = static_cast<CData>(w[0]); }
inline void put(SData& p, const uint32_t* w) { p = static_cast<SData>(w[0]); }
inline void put(IData& p, const uint32_t* w) { p = w[0]; }
inline void put(QData& p, const uint32_t* w) { p = w[0] | (static_cast<QData>(w[1]) << 32); }
template <std::size_t N>
inline void put(VlWide<N>& p, const uint32_t* w) {
    for (std::size_t i = 0; i < N; ++i) p[i] = w[i];
}
inline int64_t sext(uint64_t v, unsigned bits) {
    const uint64_t mask = bits >= 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1;
    const uint64_t sign = uint64_t{1} << (bits - 1);
    return static_cast<int64_t>(((v & mask) ^ sign) - sign);
}
}  // namespace detail

struct UnitResult {
    int32_t h = 0;
    uint32_t ovf_count = 0;
    bool ovf = false;
    int8_t state = -1;  // +1 / -1
};

// Pipeline depth of the unit: done comes this many cycles after the cycle
// that carried the last group.
constexpr unsigned kUnitLatency = 3;
constexpr unsigned kEtaBits = 33;

template <class Model>
class NeuronUnitDriver {
public:
    NeuronUnitDriver(unsigned wbits, unsigned abits, unsigned lanes, VerilatedContext* ctx = nullptr)
        : wbits_(wbits), abits_(abits), lanes_(lanes) {
        if (!ctx) {
            own_ctx_ = std::make_unique<VerilatedContext>();
            ctx = own_ctx_.get();
        }
        ctx_ = ctx;
        m_ = std::make_unique<Model>(ctx, "neuron_unit");
        words_.assign((lanes_ * wbits_ + 31) / 32 + 2, 0);
        sbits_.assign((lanes_ + 31) / 32 + 2, 0);
        m_->clk = 0;
        m_->rst = 1;
        idle_inputs();
        m_->eval();
        tick();
        tick();
        m_->rst = 0;
    }
    ~NeuronUnitDriver() { m_->final(); }
    NeuronUnitDriver(const NeuronUnitDriver&) = delete;
    NeuronUnitDriver& operator=(const NeuronUnitDriver&) = delete;

    unsigned wbits() const { return wbits_; }
    unsigned abits() const { return abits_; }
    unsigned lanes() const { return lanes_; }
    Model& model() { return *m_; }
    VerilatedContext& context() { return *ctx_; }
    uint64_t cycles() const { return cycles_; }

    // Present one group for the next clock edge: `w` and `s` hold `lanes()`
    // entries (entries at or above `count` are don't-care and are driven as
    // given, so tests can check they are ignored). s[k] is +1 or -1.
    void group(const int16_t* w, const int8_t* s, unsigned count, bool start, bool last) {
        std::fill(words_.begin(), words_.end(), 0u);
        std::fill(sbits_.begin(), sbits_.end(), 0u);
        const uint32_t wmask = (uint32_t{1} << wbits_) - 1;
        for (unsigned k = 0; k < lanes_; ++k) {
            const uint32_t v = static_cast<uint16_t>(w[k]) & wmask;
            const unsigned bit = k * wbits_;
            words_[bit / 32] |= v << (bit % 32);
            if (bit % 32 + wbits_ > 32) words_[bit / 32 + 1] |= v >> (32 - bit % 32);
            if (s[k] > 0) sbits_[k / 32] |= uint32_t{1} << (k % 32);
        }
        detail::put(m_->in_w, words_.data());
        detail::put(m_->in_s, sbits_.data());
        m_->in_count = count;
        m_->in_valid = 1;
        m_->in_start = start;
        m_->in_last = last;
    }
    // Per-neuron inputs, sampled with the group that has start set.
    void neuron(bool wrap, int64_t theta, int64_t eta, int8_t state) {
        m_->wrap = wrap;
        m_->theta = static_cast<uint32_t>(static_cast<uint64_t>(theta) & mask(abits_));
        m_->eta = static_cast<QData>(static_cast<uint64_t>(eta) & mask(kEtaBits));
        m_->state_in = state > 0;
    }
    void idle_inputs() {
        m_->in_valid = 0;
        m_->in_start = 0;
        m_->in_last = 0;
    }
    // One clock cycle: rising edge (inputs sampled), then the falling edge.
    void tick() {
        m_->clk = 1;
        m_->eval();
        if (on_eval) on_eval(2 * cycles_ + 1);
        m_->clk = 0;
        m_->eval();
        ++cycles_;
        if (on_eval) on_eval(2 * cycles_);
    }
    // Called after every eval with the half-cycle count (for waveform dumps).
    std::function<void(uint64_t)> on_eval;
    bool done() const { return m_->done; }
    UnitResult result() const {
        UnitResult r;
        r.h = static_cast<int32_t>(detail::sext(m_->h, abits_));
        r.ovf_count = m_->ovf_count;
        r.ovf = m_->ovf;
        r.state = m_->state_out ? 1 : -1;
        return r;
    }

    // Whole update, unpipelined: columns 0..n-1 of row / sigma.
    UnitResult update(const int16_t* row, const int8_t* sigma, uint32_t n, bool wrap, int64_t theta = 0,
                      int64_t eta = 0, int8_t state = -1) {
        if (n == 0) throw std::invalid_argument("neuron_unit: n must be >= 1");
        neuron(wrap, theta, eta, state);
        pad_w_.resize(lanes_);
        pad_s_.resize(lanes_);
        for (uint32_t c = 0; c < n; c += lanes_) {
            const unsigned count = n - c < lanes_ ? n - c : lanes_;
            const int16_t* w = row + c;
            const int8_t* s = sigma + c;
            if (count < lanes_) {  // short last group: never read past n
                std::fill(pad_w_.begin(), pad_w_.end(), int16_t{0});
                std::fill(pad_s_.begin(), pad_s_.end(), int8_t{1});
                std::copy(w, w + count, pad_w_.begin());
                std::copy(s, s + count, pad_s_.begin());
                w = pad_w_.data();
                s = pad_s_.data();
            }
            group(w, s, count, c == 0, c + count >= n);
            tick();
        }
        idle_inputs();
        for (unsigned k = 0; k < kUnitLatency + 2; ++k) {
            tick();
            if (done()) return result();
        }
        throw std::runtime_error("neuron_unit: no done after the pipeline latency");
    }

private:
    static uint64_t mask(unsigned bits) { return bits >= 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1; }

    unsigned wbits_, abits_, lanes_;
    std::unique_ptr<VerilatedContext> own_ctx_;
    VerilatedContext* ctx_ = nullptr;
    std::unique_ptr<Model> m_;
    std::vector<uint32_t> words_, sbits_;
    std::vector<int16_t> pad_w_;
    std::vector<int8_t> pad_s_;
    uint64_t cycles_ = 0;
};

}  // namespace mind1024::rtl
