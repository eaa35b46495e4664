// HostPortDriver: the host's bus master on the board and its notion of time,
// shared by the in-process host and the socket link's server.
//
// The host runs ahead of the kernel like a loosely-timed initiator: each
// access costs its bus time, added to a pending offset. Before a read, when
// something in the simulation is running, and whenever the offset reaches a
// quantum, the kernel catches up, so a host polling STATUS sees a run
// finish. Waits run the kernel until an event pauses it (the chip's DONE,
// the firmware's READY), never until the kernel runs out of events: with a
// CPU or a timer that never happens.
#pragma once
#include <cstdint>
#include <functional>

#include <systemc>
#include <tlm>

namespace mind1024::board {

class Mind1024Board;
class PauseOn;

class HostPortDriver {
public:
    // Construct during elaboration (before sc_start): it adds helper modules.
    explicit HostPortDriver(Mind1024Board& board);
    ~HostPortDriver();

    // One access through the host port; SystemC errors propagate (sc_core::sc_report).
    tlm::tlm_response_status access(bool write, uint32_t addr, void* data, uint32_t bytes);

    // Interrupted: the check set by set_interrupt_check() asked the wait to stop.
    enum class Wait { Done, TimeLimit, NothingToWaitFor, Interrupted };
    // Until the chip is idle / until HOSTIF.READY != 0, at most `limit` of simulated time.
    Wait wait_idle(const sc_core::sc_time& limit);
    Wait wait_ready(const sc_core::sc_time& limit);

    sc_core::sc_time now() const { return sc_core::sc_time_stamp() + pending_; }
    // Runs the kernel over the host's bus time not yet simulated.
    void sync();
    // Lets simulated time pass `t` beyond now (so a trace writes its last values).
    void advance(const sc_core::sc_time& t);

    // With a check, a wait runs the kernel in slices of about kSliceHostSeconds of host
    // time and asks `stop` between them (a server looks at its client and signals);
    // true ends the wait (Interrupted). Without one, a wait is one sc_start.
    void set_interrupt_check(std::function<bool()> stop) { interrupt_ = std::move(stop); }
    static constexpr double kSliceHostSeconds = 0.02;

    static constexpr double kQuantumSeconds = 10e-6;  // the host runs at most this far ahead

private:
    template <class Pred>
    Wait wait_for(PauseOn& waker, Pred done, const sc_core::sc_time& limit);

    Mind1024Board& board_;
    PauseOn* done_waker_;
    PauseOn* ready_waker_;
    sc_core::sc_time pending_ = sc_core::SC_ZERO_TIME;
    const sc_core::sc_time quantum_;
    tlm::tlm_generic_payload tx_;
    std::function<bool()> interrupt_;
    sc_core::sc_time slice_{1, sc_core::SC_US};  // simulated time per slice, adapted to the host time it costs
};

}  // namespace mind1024::board
