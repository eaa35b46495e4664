// Uart: the board console. A byte written to DATA goes to the sink at once
// (stdout by default, flushed at each newline and when the board stops).
// A write error on stdout (a full disk, /dev/full, a closed pipe with SIGPIPE
// ignored) is kept in error(), pauses the simulation (sc_pause) so its owner
// stops the board, and later bytes are dropped.
// Receiving (mind-board --uart-input FILE|-): the input is polled every
// `poll` of simulated time, without blocking, until its end; each byte waits in
// RX (STATUS.RX_READY), with an interrupt while IRQ_EN.RX is set; STATUS.RX_OPEN
// says more may come.
#pragma once
#include <deque>
#include <functional>
#include <string>

#include "sysc/board/register_device.h"

namespace mind1024::board {

class Uart : public RegisterDevice {
public:
    sc_core::sc_out<bool> irq;

    SC_HAS_PROCESS(Uart);
    explicit Uart(sc_core::sc_module_name name);
    std::function<void(char)> sink;  // default: stdout
    uint64_t bytes_out() const { return bytes_; }
    const std::string& error() const { return error_; }  // empty while the console writes
    // Before the simulation starts: receive from `fd` (read without blocking; closed by the caller).
    void set_input(int fd, sc_core::sc_time poll = sc_core::sc_time(100, sc_core::SC_US));

protected:
    tlm::tlm_response_status read(uint32_t offset, uint32_t& value, const sc_core::sc_time& when) override;
    tlm::tlm_response_status write(uint32_t offset, uint32_t value, const sc_core::sc_time& when) override;
    bool peek(uint32_t offset, uint32_t& value) override;

private:
    void poll_input();
    void update();  // the only writer of `irq`

    uint64_t bytes_ = 0;
    std::string error_;
    std::deque<uint8_t> rx_;
    uint32_t irq_en_ = 0;
    int in_fd_ = -1;
    sc_core::sc_time poll_period_;
    sc_core::sc_event poll_event_, changed_;
};

}  // namespace mind1024::board
