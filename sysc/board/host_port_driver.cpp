#include "sysc/board/host_port_driver.h"

#include <chrono>

#include "mind1024_board.h"
#include "mind1024_regs.h"
#include "sysc/board/platform.h"

namespace mind1024::board {

// Pauses the kernel when its event fires while armed.
class PauseOn : public sc_core::sc_module {
public:
    bool armed = false;
    SC_HAS_PROCESS(PauseOn);
    PauseOn(sc_core::sc_module_name n, const sc_core::sc_event& e) : sc_module(n) {
        SC_METHOD(fire);
        sensitive << e;
        dont_initialize();
    }

private:
    void fire() {
        if (armed) sc_core::sc_pause();
    }
};

HostPortDriver::HostPortDriver(Mind1024Board& board)
    : board_(board),
      done_waker_(new PauseOn("host_done_waker", board.chip().done_event())),
      ready_waker_(new PauseOn("host_ready_waker", board.host_interface().ready_event())),
      quantum_(kQuantumSeconds, sc_core::SC_SEC) {}

// The modules belong to the simulation's hierarchy; SystemC forbids deleting them while it runs.
HostPortDriver::~HostPortDriver() = default;

tlm::tlm_response_status HostPortDriver::access(bool write, uint32_t addr, void* data, uint32_t bytes) {
    // Catch up before observing anything that may be changing, and never run more than a
    // quantum ahead; a chip command starts at the bus's notion of now.
    if ((!write && sc_core::sc_pending_activity()) || pending_ >= quantum_ ||
        (write && addr == MIND_CHIP_BASE + MIND_REG_CTRL))
        sync();
    tx_.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
    tx_.set_address(addr);
    tx_.set_data_ptr(static_cast<unsigned char*>(data));
    tx_.set_data_length(bytes);
    tx_.set_streaming_width(bytes);
    tx_.set_byte_enable_ptr(nullptr);
    tx_.set_dmi_allowed(false);
    tx_.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    board_.host_port().socket->b_transport(tx_, pending_);
    return tx_.get_response_status();
}

void HostPortDriver::sync() {
    if (pending_ == sc_core::SC_ZERO_TIME) return;
    const sc_core::sc_time t = pending_;
    pending_ = sc_core::SC_ZERO_TIME;
    sc_core::sc_start(t);
}

void HostPortDriver::advance(const sc_core::sc_time& t) {
    sync();
    sc_core::sc_start(t);
}

template <class Pred>
HostPortDriver::Wait HostPortDriver::wait_for(PauseOn& waker, Pred done, const sc_core::sc_time& limit) {
    sync();
    if (done()) return Wait::Done;
    const sc_core::sc_time end = sc_core::sc_time_stamp() + limit;
    waker.armed = true;
    struct Disarm {
        PauseOn& w;
        ~Disarm() { w.armed = false; }
    } disarm{waker};
    using Clock = std::chrono::steady_clock;
    while (!done()) {
        if (!sc_core::sc_pending_activity()) return Wait::NothingToWaitFor;
        const sc_core::sc_time now = sc_core::sc_time_stamp();
        if (now >= end) return Wait::TimeLimit;
        if (!interrupt_) {
            sc_core::sc_start(end - now);  // returns at the pause, or at the limit
            continue;
        }
        if (interrupt_()) return Wait::Interrupted;
        // One slice; its simulated length follows the host time the last one took.
        const sc_core::sc_time step = std::min(slice_, end - now);
        const auto t0 = Clock::now();
        sc_core::sc_start(step);
        const double host_s = std::chrono::duration<double>(Clock::now() - t0).count();
        if (step == slice_ && sc_core::sc_time_stamp() >= now + step) {
            if (host_s < kSliceHostSeconds / 2 && slice_ < sc_core::sc_time(1, sc_core::SC_SEC)) slice_ = slice_ * 2;
            else if (host_s > kSliceHostSeconds * 2 && slice_ > sc_core::sc_time(1, sc_core::SC_NS)) slice_ = slice_ / 2;
        }
    }
    return Wait::Done;
}

HostPortDriver::Wait HostPortDriver::wait_idle(const sc_core::sc_time& limit) {
    return wait_for(*done_waker_, [this] { return !board_.chip().state().busy; }, limit);
}

HostPortDriver::Wait HostPortDriver::wait_ready(const sc_core::sc_time& limit) {
    return wait_for(*ready_waker_, [this] { return board_.host_interface().ready(); }, limit);
}

}  // namespace mind1024::board
