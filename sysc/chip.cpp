#include "sysc/chip.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include <fmt/format.h>

#include "sysc/engine/hebb.h"
#include "sysc/fixed_point.h"
#include "mind1024_regs.h"

namespace mind1024::sysc {

using sc_core::sc_time;

Mind1024Chip::Mind1024Chip(sc_core::sc_module_name name, const ChipParams& p, const ChipConfig& opt)
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
    // What the platform's configuration wires in: the datapath, then the faults.
    if (opt_.datapath) pipe_.set_datapath(opt_.datapath.get());
    if (!opt_.faults.empty()) set_faults(opt_.faults);
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

void Mind1024Chip::set_faults(const FaultPlan& f) {
    if (st_.busy) throw std::logic_error("set_faults while the chip is busy: faults are set between operations");
    f.check_fits(st_.params);
    faults_ = f;
    const FaultPlan* p = faults_.empty() ? nullptr : &faults_;
    st_.faults = p;
    syn.set_faults(p);
    if (p) p->force_states(st_.sigma.data()), p->force_thresholds(st_.theta.data()), p->force_clamps(st_.clamp.data());
    lfsr_.set_stuck(faults_.lfsr_stuck0(), faults_.lfsr_stuck1());
    pipe_.arith().set_faults(p, [this](const Upset& u) { syn.upset(u); });
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
    engine::RunTally tally;
    const engine::SweepEnd e = engine::run_sweeps(
        static_cast<Order>(st_.mode & MIND_MODE_ORDER_MASK), max_sweeps, st_.sigma, tally,
        [this](uint32_t& flips) { return sweep(flips); },
        [this](const engine::RunTally& t) {
            tv_.sweep = st_.sweeps = t.sweeps;
            tv_.flips = st_.flips = t.flips;
            st_.converged = t.converged;
            st_.cycle2 = t.cycle2;
            return abort_requested_;
        });
    if (e != engine::SweepEnd::Reset) finish();
}

engine::SweepEnd Mind1024Chip::sweep(uint32_t& flips) {
    engine::SweepSpec spec;
    spec.order = static_cast<Order>(st_.mode & MIND_MODE_ORDER_MASK);
    spec.n = st_.n_active;
    spec.noise = st_.mode & MIND_MODE_NOISE_EN;
    spec.temp = st_.temp;
    const bool sync = spec.order == Order::Sync;
    // Compute the whole sweep ahead into a journal; commit it (or the prefix
    // that ran before an ABORT) when its time has passed.
    engine::FixedPointArith& arith = pipe_.arith();
    arith.set_network(syn.data(), syn.version(), st_.theta.data(), st_.mode & MIND_MODE_OVF_WRAP);
    const Sweeper::Journal journal = sweeper_.compute(arith, spec, st_.sigma, st_.clamp.data(), lfsr_);
    const engine::TimingModel& timing = pipe_.timing();
    const uint64_t g = timing.update_cycles(spec.n);
    const uint64_t compute = journal.size() * g;
    const uint64_t total = timing.sweep_cycles(journal.size(), spec.n, sync);

    check_time_left(total);  // every wait of this sweep ends by t0 + total
    const sc_time t0 = sc_core::sc_time_stamp();
    uint64_t elapsed = 0;
    if (opt_.per_neuron_events) {
        for (const auto& u : journal) {
            tv_.neuron = u.neuron;
            const uint64_t e = wait_cycles(g);
            elapsed += e;
            if (e < g) break;
        }
        if (elapsed == compute) elapsed += wait_cycles(total - compute);
    } else {
        elapsed = wait_cycles(total);
    }
    if (reset_seen()) {  // the sweep's updates never happened, nor their upsets
        arith.rollback_to(arith.sweep_first_update());
        return engine::SweepEnd::Reset;
    }

    // ABORT finishes the neuron in flight; if that is the sweep's last neuron
    // the sweep completes in full (drain and SYNC commit), as the reference does.
    const size_t keep = elapsed < compute ? std::min<size_t>(journal.size(), elapsed / g + 1) : journal.size();
    const bool complete = keep == journal.size();
    // An ABORT during the drain lets the sweep complete.
    const uint64_t cost = complete ? total : timing.aborted_sweep_cycles(keep, spec.n);
    if (!wait_until(after(t0, cost))) {
        arith.rollback_to(arith.sweep_first_update());
        return engine::SweepEnd::Reset;
    }
    st_.cycles += cost;
    if (!complete) arith.rollback_to(arith.sweep_first_update() + keep);  // upsets of updates that did not happen
    uint64_t overflows = 0;
    flips = Sweeper::commit(journal, keep, !sync || complete, st_.sigma, st_.field.data(), overflows);
    st_.ovf_count += static_cast<uint32_t>(overflows);
    if (overflows) st_.ovf = true;
    tv_.ovf = st_.ovf;
    tv_.ovf_count = st_.ovf_count;
    tv_.cycles = st_.cycles;
    return complete ? engine::SweepEnd::Complete : engine::SweepEnd::Aborted;
}

void Mind1024Chip::hebb() {
    const uint32_t n = st_.n_active;
    const uint64_t cycles = pipe_.timing().hebb_cycles(n);
    check_time_left(cycles);
    if (!wait_until(after(sc_core::sc_time_stamp(), cycles))) return;
    st_.converged = st_.cycle2 = false;
    st_.ovf_count = syn.modify(
        [&](int16_t* w) { return engine::hebb(w, st_.params.n_max, n, st_.sigma.data(), st_.params.wbits); });
    if (st_.ovf_count) st_.ovf = true;
    st_.cycles += cycles;
    finish();
}

void Mind1024Chip::clear_syn() {
    const uint64_t cycles = pipe_.timing().clear_syn_cycles();
    check_time_left(cycles);
    if (!wait_until(after(sc_core::sc_time_stamp(), cycles))) return;
    syn.clear();
    st_.converged = st_.cycle2 = false;
    st_.cycles += cycles;
    finish();
}

}  // namespace mind1024::sysc
