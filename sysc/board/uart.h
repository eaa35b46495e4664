// Uart: the board console. A byte written to DATA goes to the sink at once
// (stdout by default, flushed at each newline and when the board stops).
// A write error on stdout (a full disk, /dev/full, a closed pipe with SIGPIPE
// ignored) is kept in error(), pauses the simulation (sc_pause) so its owner
// stops the board, and later bytes are dropped.
#pragma once
#include <functional>
#include <string>

#include "sysc/board/register_device.h"

namespace mind1024::board {

class Uart : public RegisterDevice {
public:
    explicit Uart(sc_core::sc_module_name name);
    std::function<void(char)> sink;  // default: stdout
    uint64_t bytes_out() const { return bytes_; }
    const std::string& error() const { return error_; }  // empty while the console writes

protected:
    tlm::tlm_response_status read(uint32_t offset, uint32_t& value, const sc_core::sc_time& when) override;
    tlm::tlm_response_status write(uint32_t offset, uint32_t value, const sc_core::sc_time& when) override;
    bool peek(uint32_t offset, uint32_t& value) override;

private:
    uint64_t bytes_ = 0;
    std::string error_;
};

}  // namespace mind1024::board
