// SystemControl: the exit register (a write ends the simulation with that
// code), the interrupt sources (the device lines now high) and their enables
// (which of them reach the CPU's external interrupt: firmware that leaves the
// chip to a bare-mode host masks the chip's line), and the CPU clock.
#pragma once
#include <functional>

#include "mind1024_board.h"
#include "sysc/board/register_device.h"

namespace mind1024::board {

class SystemControl : public RegisterDevice {
public:
    sc_core::sc_in<bool> chip_irq, hostif_irq, timer_irq, uart_irq;
    std::function<void(uint32_t code)> on_exit;

    SystemControl(sc_core::sc_module_name name, uint32_t cpu_hz);
    uint32_t irq_sources() const;
    uint32_t irq_enable() const { return irq_enable_; }
    // Notified when IRQ_ENABLE changes (the board recomputes the CPU's line).
    const sc_core::sc_event& enable_changed() const { return enable_changed_; }

protected:
    tlm::tlm_response_status read(uint32_t offset, uint32_t& value, const sc_core::sc_time& when) override;
    tlm::tlm_response_status write(uint32_t offset, uint32_t value, const sc_core::sc_time& when) override;
    bool peek(uint32_t offset, uint32_t& value) override;

private:
    uint32_t cpu_hz_;
    uint32_t irq_enable_ = kAllSources;
    sc_core::sc_event enable_changed_;
    static constexpr uint32_t kAllSources =
        MIND_SYSCTRL_IRQ_ENABLE_CHIP | MIND_SYSCTRL_IRQ_ENABLE_HOSTIF | MIND_SYSCTRL_IRQ_ENABLE_TIMER |
        MIND_SYSCTRL_IRQ_ENABLE_UART;
};

}  // namespace mind1024::board
