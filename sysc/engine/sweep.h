// One sweep of the network dynamics (contract section 1, "Neuron update" and
// "Update orders"), generic over the arithmetic: the chip's fixed point
// (FixedArith) or the float twin's. The sweep is computed ahead into a
// journal, which commit() applies in full or, after an ABORT, its prefix.
//
// An Arith provides:
//   using Field;                                   // what FIELD holds
//   void begin_sweep(const int8_t* src, uint32_t n);  // fields read src[0..n)
//   FieldOf<Field> field(uint32_t i);              // field of neuron i from src
//   auto eta(int16_t draw, uint32_t temp);          // the noise term
//   int8_t decide(uint32_t i, Field h, eta, int8_t current);
//   void flipped(uint32_t i, int8_t now);          // ASYNC: src[i] just changed
//   void before_update();                          // an update starts (upsets due now happen)
//   void end_sweep(NeuronUpdate<Field>*, size_t);  // optional: may rewrite the journal's fields once
//                                                  // the sweep's states are known (the float twin's ASYNC)
// Faults (fault_plan.h) enter through the Arith: stuck neurons in decide(),
// stuck accumulator bits in field(), upsets in before_update().
#pragma once
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>
#include <vector>

#include "sysc/chip_mode.h"
#include "sysc/lfsr.h"
#include "sysc/engine/update_order.h"

namespace mind1024::engine {

template <class H>
struct FieldOf {
    H h{};
    uint32_t overflows = 0;  // accumulator additions that left ABITS
};

template <class H>
struct NeuronUpdate {
    uint32_t neuron = 0;
    H h{};
    uint32_t overflows = 0;
    // Not char: a char store may alias anything and would force the sweep
    // loop to reload every pointer after each entry.
    int16_t before = -1, after = -1;
};

template <class A, class = void>
struct HasEndSweep : std::false_type {};
template <class A>
struct HasEndSweep<A, std::void_t<decltype(std::declval<A&>().end_sweep(
                          static_cast<NeuronUpdate<typename A::Field>*>(nullptr), size_t{}))>> : std::true_type {};

struct SweepSpec {
    Order order = Order::Sync;
    uint32_t n = 0;  // N_ACTIVE
    bool noise = false;
    uint32_t temp = 0;
};

template <class Arith>
class Sweeper {
public:
    using Field = typename Arith::Field;
    using Update = NeuronUpdate<Field>;

    // The updates of one sweep, in update order (a view of the sweeper's buffer).
    struct Journal {
        const Update* first = nullptr;
        size_t count = 0;
        size_t size() const { return count; }
        const Update* begin() const { return first; }
        const Update* end() const { return first + count; }
        const Update& operator[](size_t k) const { return first[k]; }
    };

    // The sweep's updates, in update order, from `sigma` (left unchanged);
    // clamped neurons are skipped and draw nothing.
    Journal compute(Arith& a, const SweepSpec& s, const std::vector<int8_t>& sigma, const uint8_t* clamp, Lfsr& lfsr) {
        const bool sync = s.order == Order::Sync, perm = s.order == Order::AsyncPerm;
        const uint32_t n = s.n;
        if (perm) draw_update_order(s.order, n, lfsr, order_);  // the other orders are the identity
        // SYNC reads the sweep's start state; ASYNC works in place on a copy.
        if (!sync) work_ = sigma;
        const int8_t* src = sync ? sigma.data() : work_.data();
        a.begin_sweep(src, n);
        // Written in place: a temporary entry copied in whole stalls on its byte-sized fields.
        if (journal_.size() < n) journal_.resize(n);
        Update* out = journal_.data();
        // One loop per order and noise setting, each without the others' tests.
        if (sync) out = s.noise ? loop<true, true, false>(a, s, src, clamp, lfsr, out) : loop<true, false, false>(a, s, src, clamp, lfsr, out);
        else if (perm) out = s.noise ? loop<false, true, true>(a, s, src, clamp, lfsr, out) : loop<false, false, true>(a, s, src, clamp, lfsr, out);
        else out = s.noise ? loop<false, true, false>(a, s, src, clamp, lfsr, out) : loop<false, false, false>(a, s, src, clamp, lfsr, out);
        const size_t count = static_cast<size_t>(out - journal_.data());
        if constexpr (HasEndSweep<Arith>::value) a.end_sweep(journal_.data(), count);
        return {journal_.data(), count};
    }

    // Applies the first `keep` updates of `journal`: every field (into
    // fields[neuron]) and overflow count, and the states unless `states` is
    // false (a SYNC sweep cut short commits none). Returns the flips.
    template <class F>
    static uint32_t commit(const Journal& journal, size_t keep, bool states, std::vector<int8_t>& sigma, F* fields,
                           uint64_t& overflows) {
        uint32_t flips = 0;
        for (size_t k = 0; k < keep; ++k) {
            const Update& u = journal[k];
            fields[u.neuron] = u.h;
            overflows += u.overflows;
            flips += u.after != u.before;
            if (states) sigma[u.neuron] = static_cast<int8_t>(u.after);
        }
        return flips;
    }

private:
    template <bool kSync, bool kNoise, bool kPerm>
    Update* loop(Arith& a, const SweepSpec& s, const int8_t* src, const uint8_t* clamp, Lfsr& lfsr, Update* out) {
        using Eta = decltype(a.eta(0, 0));
        const uint32_t n = s.n, temp = s.temp;
        const uint32_t* order = order_.data();
        for (uint32_t pos = 0; pos < n; ++pos) {
            const uint32_t i = kPerm ? order[pos] : pos;
            if (clamp[i]) continue;
            a.before_update();
            const FieldOf<Field> f = a.field(i);
            const Eta eta = kNoise ? a.eta(lfsr.draw16(), temp) : Eta{0};
            const int8_t before = src[i], after = a.decide(i, f.h, eta, before);
            *out++ = Update{i, f.h, f.overflows, before, after};
            if (!kSync && after != before) {
                work_[i] = after;
                a.flipped(i, after);
            }
        }
        return out;
    }

    std::vector<uint32_t> order_;
    std::vector<int8_t> work_;
    std::vector<Update> journal_;
};

}  // namespace mind1024::engine
