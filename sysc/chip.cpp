#include "chip.h"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "fixed_point.h"
#include "mind1024_regs.h"

namespace mind1024::sysc {

using sc_core::sc_time;

Mind1024Chip::Mind1024Chip(sc_core::sc_module_name name, const ChipParams& p, const ChipOptions& opt)
    : sc_module(name),
      reg_socket("reg_socket"),
      syn("syn", (p.validate(), p)),
      irq("irq"),
      st_(p),
      opt_(opt),
      period_(1.0 / p.clock_hz, sc_core::SC_SEC),
      regs_(st_, syn),
      pipe_(p) {
    st_.theta.assign(p.n_max, 0);
    st_.soft_reset();
    order_.resize(p.n_max);
    reg_socket.register_b_transport(this, &Mind1024Chip::b_transport);
    reg_socket.register_transport_dbg(this, &Mind1024Chip::transport_dbg);
    regs_.on_command = [this](uint32_t v) { command(v); };
    regs_.on_irq_change = [this] { update_irq(); };
    syn.is_busy = [this] { return st_.busy; };
    syn.on_busy_write = [this] { regs_.raise_error(MIND_ERR_BUSY); };
    SC_THREAD(engine);
    SC_METHOD(irq_method);
    sensitive << irq_event_;
    dont_initialize();
}

tlm::tlm_response_status Mind1024Chip::reg_access(tlm::tlm_generic_payload& tx) {
    const uint64_t addr = tx.get_address();
    if (tx.get_byte_enable_ptr()) return tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE;
    if (tx.get_data_length() != 4 || tx.get_streaming_width() < 4) return tlm::TLM_BURST_ERROR_RESPONSE;
    if (addr % 4 || addr >= MIND_REG_BLOCK_SIZE) return tlm::TLM_ADDRESS_ERROR_RESPONSE;
    uint32_t v = 0;
    if (tx.is_read()) {
        const tlm::tlm_response_status r = regs_.read(static_cast<uint32_t>(addr), v);
        if (r == tlm::TLM_OK_RESPONSE) std::memcpy(tx.get_data_ptr(), &v, 4);
        return r;
    }
    if (tx.is_write()) {
        std::memcpy(&v, tx.get_data_ptr(), 4);
        return regs_.write(static_cast<uint32_t>(addr), v);
    }
    return tlm::TLM_COMMAND_ERROR_RESPONSE;
}

void Mind1024Chip::b_transport(tlm::tlm_generic_payload& tx, sc_time& delay) {
    access_delay_ = delay;  // a command starts at the initiator's time, not at the last sync point
    tx.set_response_status(reg_access(tx));
    delay += 2 * period_;  // a register access takes 2 bus cycles
}

unsigned int Mind1024Chip::transport_dbg(tlm::tlm_generic_payload& tx) {
    // Debug reads must not disturb auto-increment pointers or latches: only plain registers.
    if (!tx.is_read() || tx.get_data_length() != 4 || tx.get_address() > 0xFFFFFFFFull) return 0;
    const uint32_t off = static_cast<uint32_t>(tx.get_address());
    if (off == MIND_REG_SYN_DATA || off == MIND_REG_THR_DATA || off == MIND_REG_FIELD_DATA || off == MIND_REG_CYCLES_LO)
        return 0;
    uint32_t v = 0;
    if (regs_.read(off, v) != tlm::TLM_OK_RESPONSE) return 0;
    std::memcpy(tx.get_data_ptr(), &v, 4);
    return 4;
}

void Mind1024Chip::command(uint32_t ctrl) {
    if (ctrl & MIND_CTRL_SOFT_RESET) {
        ++generation_;  // a running operation sees this and drops its work
        cmd_pending_ = false;
        abort_event_.notify(sc_core::SC_ZERO_TIME);
        abort_requested_ = false;
        st_.soft_reset();
        tv_ = TraceView{};
        update_irq();
        return;
    }
    if (ctrl & MIND_CTRL_ABORT) {
        if (st_.busy) {
            abort_requested_ = true;
            abort_event_.notify(sc_core::SC_ZERO_TIME);
        }
        return;
    }
    const uint32_t op = ctrl & (MIND_CTRL_START | MIND_CTRL_STEP | MIND_CTRL_HEBB | MIND_CTRL_CLEAR_SYN);
    if (!op) return;
    if (st_.busy) {
        regs_.raise_error(MIND_ERR_BUSY);
        return;
    }
    const bool n_ok = st_.n_active >= 1 && st_.n_active <= st_.params.n_max;
    const bool run = op & (MIND_CTRL_START | MIND_CTRL_STEP);
    // CLEAR_SYN alone works on the whole array: it does not depend on N_ACTIVE.
    const bool needs_n = op & (MIND_CTRL_START | MIND_CTRL_STEP | MIND_CTRL_HEBB);
    if ((needs_n && !n_ok) ||
        (run && (st_.max_sweeps < 1 || (st_.mode & MIND_MODE_ORDER_MASK) > MIND_ORDER_ASYNC_PERM))) {
        regs_.raise_error(MIND_ERR_BAD_ARG);
        return;
    }
    // Priority when several bits are set: START, STEP, HEBB, CLEAR_SYN.
    pending_cmd_ = (op & MIND_CTRL_START) ? MIND_CTRL_START
                   : (op & MIND_CTRL_STEP) ? MIND_CTRL_STEP
                   : (op & MIND_CTRL_HEBB) ? MIND_CTRL_HEBB
                                           : MIND_CTRL_CLEAR_SYN;
    st_.busy = tv_.busy = true;
    st_.done = false;
    abort_requested_ = false;
    cmd_pending_ = true;
    cmd_event_.notify(access_delay_);
}

void Mind1024Chip::update_irq() { irq_event_.notify(sc_core::SC_ZERO_TIME); }

void Mind1024Chip::irq_method() {
    tv_.irq = irq_level();
    if (irq.size()) irq->write(tv_.irq);
}

sc_time Mind1024Chip::after(const sc_time& t, uint64_t cycles) const {
    return t + static_cast<double>(cycles) * period_;
}

void Mind1024Chip::check_time_left(uint64_t cycles) const {
    // sc_time is 64 bits of the time resolution; past its end the waits would
    // wrap and the run would look aborted. Stop the simulation with an error
    // instead (0.999: room for the bus time around the operation).
    const double now = sc_core::sc_time_stamp().to_seconds(), max = sc_core::sc_max_time().to_seconds();
    const double end = now + static_cast<double>(cycles) * period_.to_seconds();
    if (end >= 0.999 * max)
        SC_REPORT_ERROR(kTimeLimitMsg, fmt::format("{} cycles at {:g} Hz from t = {} s would end at {:g} s, past "
                                                   "SystemC's last representable time ({:g} s)",
                                                   cycles, st_.params.clock_hz, now, end, max)
                                           .c_str());
}

bool Mind1024Chip::wait_until(const sc_time& end) {
    while (sc_core::sc_time_stamp() < end && !reset_seen()) wait(end - sc_core::sc_time_stamp(), abort_event_);
    return !reset_seen();
}

uint64_t Mind1024Chip::wait_cycles(uint64_t cycles) {
    const sc_time start = sc_core::sc_time_stamp();
    const sc_time end = after(start, cycles);
    while (sc_core::sc_time_stamp() < end && !abort_requested_ && !reset_seen())
        wait(end - sc_core::sc_time_stamp(), abort_event_);
    return static_cast<uint64_t>((sc_core::sc_time_stamp() - start) / period_ + 1e-9);
}

void Mind1024Chip::engine() {
    for (;;) {
        if (!cmd_pending_) wait(cmd_event_);
        if (!cmd_pending_) continue;
        cmd_pending_ = false;
        run_generation_ = generation_;
        switch (pending_cmd_) {
            case MIND_CTRL_START: run(st_.max_sweeps); break;
            case MIND_CTRL_STEP: run(1); break;
            case MIND_CTRL_HEBB: hebb(); break;
            case MIND_CTRL_CLEAR_SYN: clear_syn(); break;
            default: break;
        }
    }
}

void Mind1024Chip::finish() {
    if (reset_seen()) return;  // SOFT_RESET already put everything back
    st_.busy = tv_.busy = false;
    st_.done = true;
    abort_requested_ = false;
    st_.irq_status |= MIND_IRQ_STATUS_DONE;
    tv_.cycles = st_.cycles;
    update_irq();
    done_event_.notify(sc_core::SC_ZERO_TIME);
}

void Mind1024Chip::run(uint32_t max_sweeps) {
    st_.converged = st_.cycle2 = false;
    st_.sweeps = st_.flips = st_.ovf_count = 0;
    tv_.sweep = tv_.flips = tv_.ovf_count = 0;
    lfsr_.load(st_.seed);
    const bool sync = (st_.mode & MIND_MODE_ORDER_MASK) == MIND_ORDER_SYNC;
    std::vector<int8_t> two_back, one_back = st_.sigma;
    for (;;) {
        two_back.swap(one_back);
        one_back = st_.sigma;
        uint32_t flips = 0;
        const Outcome o = sweep(flips);
        if (o == Outcome::Reset) return;
        if (o == Outcome::Aborted) break;
        tv_.sweep = ++st_.sweeps;
        tv_.flips = st_.flips = flips;
        if (flips == 0) {
            st_.converged = true;
            break;
        }
        if (sync && st_.sweeps >= 2 && st_.sigma == two_back) {
            st_.cycle2 = true;
            break;
        }
        if (st_.sweeps >= max_sweeps || abort_requested_) break;
    }
    finish();
}

Mind1024Chip::Outcome Mind1024Chip::sweep(uint32_t& flips) {
    const uint32_t n = st_.n_active;
    const uint32_t order = st_.mode & MIND_MODE_ORDER_MASK;
    const bool sync = order == MIND_ORDER_SYNC;
    const bool wrap = st_.mode & MIND_MODE_OVF_WRAP, noise = st_.mode & MIND_MODE_NOISE_EN;
    for (uint32_t k = 0; k < n; ++k) order_[k] = k;
    if (order == MIND_ORDER_ASYNC_PERM) {
        for (uint32_t k = n - 1; k >= 1; --k) std::swap(order_[k], order_[lfsr_.draw32() % (k + 1)]);
    }
    // Compute the whole sweep ahead into a journal; commit it (or the prefix
    // that ran before an ABORT) when its time has passed.
    work_ = st_.sigma;
    journal_.clear();
    const int8_t* src = sync ? st_.sigma.data() : work_.data();
    for (uint32_t pos = 0; pos < n; ++pos) {
        const uint32_t i = order_[pos];
        if (st_.clamp[i]) continue;
        const NeuronUpdate u = pipe_.update(i, syn.row(i), src, n, st_.theta[i], wrap, noise, st_.temp, lfsr_);
        work_[i] = u.after;
        journal_.push_back(u);
    }
    const uint64_t g = pipe_.update_cycles(n);
    const uint64_t compute = journal_.size() * g;
    const uint64_t total = compute + pipe_.latency() + (sync ? 2 : 0);

    check_time_left(total);  // every wait of this sweep ends by t0 + total
    const sc_time t0 = sc_core::sc_time_stamp();
    uint64_t elapsed = 0;
    if (opt_.per_neuron_events) {
        for (const NeuronUpdate& u : journal_) {
            tv_.neuron = u.neuron;
            const uint64_t e = wait_cycles(g);
            elapsed += e;
            if (e < g) break;
        }
        if (elapsed == compute) elapsed += wait_cycles(total - compute);
    } else {
        elapsed = wait_cycles(total);
    }
    if (reset_seen()) return Outcome::Reset;

    // ABORT finishes the neuron in flight; if that is the sweep's last neuron
    // the sweep completes in full (drain and SYNC commit), as the reference does.
    const size_t keep = elapsed < compute ? std::min<size_t>(journal_.size(), elapsed / g + 1) : journal_.size();
    if (keep < journal_.size()) {  // drain, commit nothing more
        const uint64_t cost = keep * g + pipe_.latency();
        if (!wait_until(after(t0, cost))) return Outcome::Reset;
        st_.cycles += cost;
    } else {
        // An ABORT during the drain lets the sweep complete.
        if (!wait_until(after(t0, total))) return Outcome::Reset;
        st_.cycles += total;
    }
    for (size_t k = 0; k < keep; ++k) {
        const NeuronUpdate& u = journal_[k];
        st_.field[u.neuron] = u.h;
        st_.ovf_count += u.overflows;
        if (u.overflows) st_.ovf = true;
        if (u.after != u.before) ++flips;
        if (!sync || keep == journal_.size()) st_.sigma[u.neuron] = u.after;
    }
    tv_.ovf = st_.ovf;
    tv_.ovf_count = st_.ovf_count;
    tv_.cycles = st_.cycles;
    return keep == journal_.size() ? Outcome::Complete : Outcome::Aborted;
}

void Mind1024Chip::hebb() {
    const uint32_t n = st_.n_active;
    const uint64_t cycles = uint64_t{n} * st_.params.groups(n);
    check_time_left(cycles);
    if (!wait_until(after(sc_core::sc_time_stamp(), cycles))) return;
    st_.ovf_count = 0;
    st_.converged = st_.cycle2 = false;
    for (uint32_t i = 0; i < n; ++i) {
        int16_t* r = syn.row(i);
        for (uint32_t j = 0; j < n; ++j) {
            if (i == j) continue;
            bool sat = false;
            r[j] = fx::hebb_update(r[j], st_.sigma[i], st_.sigma[j], st_.params.wbits, &sat);
            st_.ovf_count += sat;
        }
    }
    if (st_.ovf_count) st_.ovf = true;
    st_.cycles += cycles;
    finish();
}

void Mind1024Chip::clear_syn() {
    const uint64_t cycles = uint64_t{st_.params.n_max} * st_.params.groups(st_.params.n_max);
    check_time_left(cycles);
    if (!wait_until(after(sc_core::sc_time_stamp(), cycles))) return;
    syn.clear();
    st_.converged = st_.cycle2 = false;
    st_.cycles += cycles;
    finish();
}

}  // namespace mind1024::sysc
