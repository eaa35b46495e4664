// Mind1024Chip: the SystemC/TLM-2.0 model of the MIND 1024 chip.
//  - reg_socket: the 4 KiB register block (32-bit accesses only)
//  - syn.socket: the synapse window (CHIP_BASE + 0x100000)
//  - irq: high while (IRQ_STATUS & IRQ_EN) != 0 (binding is optional)
// The run engine is one SC_THREAD that computes a whole sweep at once and
// annotates its time with one wait (or one wait per neuron in fine mode), so
// no SystemC event is spent per synapse.
#pragma once
#include <cstdint>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include "sysc/chip_config.h"
#include "sysc/chip_state.h"
#include "sysc/engine/stop_rules.h"
#include "sysc/engine/sweep.h"
#include "sysc/lfsr.h"
#include "sysc/neuron_unit.h"
#include "sysc/register_file.h"
#include "sysc/synapse_memory.h"

namespace mind1024::sysc {


// Values a VCD trace shows; updated by the engine as it goes.
struct TraceView {
    bool busy = false, irq = false, ovf = false;
    uint32_t sweep = 0, flips = 0, ovf_count = 0, neuron = 0;
    uint64_t cycles = 0;
};

class Mind1024Chip : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<Mind1024Chip> reg_socket;
    SynapseMemory syn;
    sc_core::sc_port<sc_core::sc_signal_inout_if<bool>, 1, sc_core::SC_ZERO_OR_MORE_BOUND> irq;

    SC_HAS_PROCESS(Mind1024Chip);
    Mind1024Chip(sc_core::sc_module_name name, const ChipParams& p, const ChipConfig& opt = {});

    const ChipParams& params() const { return st_.params; }
    ChipState& state() { return st_; }
    const ChipState& state() const { return st_; }
    NeuronUnit& neuron_unit() { return pipe_; }
    RegisterFile& registers() { return regs_; }
    const TraceView& trace_view() const { return tv_; }
    bool irq_level() const { return (st_.irq_status & st_.irq_en) != 0; }
    sc_core::sc_time clock_period() const { return period_; }
    // SC_REPORT_ERROR message type raised (out of sc_start) when a run would
    // pass the last time SystemC can represent; the host turns it into an error.
    static constexpr const char* kTimeLimitMsg = "mind1024/simulated time limit";
    // Notified when an operation ends (DONE).
    const sc_core::sc_event& done_event() const { return done_event_; }

    // Fault injection (fault_plan.h): physical, not a register, so SOFT_RESET
    // keeps it. Stuck bits and stuck neurons apply at once; upsets are timed
    // from this call. Same rules as ReferenceModel::set_faults. Only while idle
    // (std::logic_error otherwise); std::invalid_argument for another chip's plan.
    void set_faults(const FaultPlan& f);
    const FaultPlan& faults() const { return faults_; }

    // Register VCD traces (BUSY, IRQ, sweep, flips, overflow...) in tf.
    void trace(sc_core::sc_trace_file* tf) const;

private:
    using Sweeper = engine::Sweeper<engine::FixedPointArith>;

    void b_transport(tlm::tlm_generic_payload& tx, sc_core::sc_time& delay);
    unsigned int transport_dbg(tlm::tlm_generic_payload& tx);
    tlm::tlm_response_status reg_access(tlm::tlm_generic_payload& tx);
    void command(uint32_t ctrl);
    void update_irq();
    void irq_method();
    void engine();
    void run(uint32_t max_sweeps);
    engine::SweepEnd sweep(uint32_t& flips);
    void hebb();
    void clear_syn();
    void finish();
    // Waits `cycles` unless ABORT or SOFT_RESET comes first; returns cycles elapsed.
    uint64_t wait_cycles(uint64_t cycles);
    // Waits until `end` through ABORTs; false if a SOFT_RESET came meanwhile.
    bool wait_until(const sc_core::sc_time& end);
    bool reset_seen() const { return generation_ != run_generation_; }

    ChipState st_;
    FaultPlan faults_;
    ChipConfig opt_;
    sc_core::sc_time period_;
    sc_core::sc_time access_delay_;  // the local time offset of the access being served
    sc_core::sc_time after(const sc_core::sc_time& t, uint64_t cycles) const;  // t + cycles clock periods
    // SC_REPORT_ERROR(kTimeLimitMsg) unless `cycles` from now fit in sc_time.
    void check_time_left(uint64_t cycles) const;
    RegisterFile regs_;
    NeuronUnit pipe_;
    Lfsr lfsr_;
    TraceView tv_;

    uint32_t pending_cmd_ = 0;
    bool abort_requested_ = false, cmd_pending_ = false;
    uint64_t generation_ = 0, run_generation_ = 0;
    sc_core::sc_event cmd_event_, abort_event_, irq_event_, done_event_;
    Sweeper sweeper_;
};

}  // namespace mind1024::sysc
