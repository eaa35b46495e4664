// SystemControl: the exit register (a write ends the simulation with that
// code), the interrupt sources now driving the CPU's external interrupt, and
// the CPU clock.
#pragma once
#include <functional>

#include "register_device.h"

namespace mind1024::board {

class SystemControl : public RegisterDevice {
public:
    sc_core::sc_in<bool> chip_irq, hostif_irq, timer_irq;
    std::function<void(uint32_t code)> on_exit;

    SystemControl(sc_core::sc_module_name name, uint32_t cpu_hz);
    uint32_t irq_sources() const;

protected:
    tlm::tlm_response_status read(uint32_t offset, uint32_t& value, const sc_core::sc_time& when) override;
    tlm::tlm_response_status write(uint32_t offset, uint32_t value, const sc_core::sc_time& when) override;
    bool peek(uint32_t offset, uint32_t& value) override;

private:
    uint32_t cpu_hz_;
};

}  // namespace mind1024::board
