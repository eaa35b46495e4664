#include "sysc/board/system_control.h"

#include "mind1024_board.h"

namespace mind1024::board {

SystemControl::SystemControl(sc_core::sc_module_name name, uint32_t cpu_hz)
    : RegisterDevice(name, MIND_SYSCTRL_SIZE), chip_irq("chip_irq"), hostif_irq("hostif_irq"),
      timer_irq("timer_irq"), uart_irq("uart_irq"), cpu_hz_(cpu_hz) {}

uint32_t SystemControl::irq_sources() const {
    return (chip_irq.read() ? MIND_SYSCTRL_IRQ_SOURCES_CHIP : 0u) | (hostif_irq.read() ? MIND_SYSCTRL_IRQ_SOURCES_HOSTIF : 0u) |
           (timer_irq.read() ? MIND_SYSCTRL_IRQ_SOURCES_TIMER : 0u) | (uart_irq.read() ? MIND_SYSCTRL_IRQ_SOURCES_UART : 0u);
}

bool SystemControl::peek(uint32_t offset, uint32_t& value) {
    if (offset == MIND_SYSCTRL_REG_IRQ_SOURCES) value = irq_sources();
    else if (offset == MIND_SYSCTRL_REG_CPU_HZ) value = cpu_hz_;
    else if (offset == MIND_SYSCTRL_REG_IRQ_ENABLE) value = irq_enable_;
    else return false;
    return true;
}

tlm::tlm_response_status SystemControl::read(uint32_t offset, uint32_t& value, const sc_core::sc_time&) {
    return peek(offset, value) ? tlm::TLM_OK_RESPONSE : tlm::TLM_ADDRESS_ERROR_RESPONSE;
}

tlm::tlm_response_status SystemControl::write(uint32_t offset, uint32_t value, const sc_core::sc_time&) {
    if (offset == MIND_SYSCTRL_REG_IRQ_ENABLE) {
        irq_enable_ = value & kAllSources;
        enable_changed_.notify(sc_core::SC_ZERO_TIME);
        return tlm::TLM_OK_RESPONSE;
    }
    if (offset != MIND_SYSCTRL_REG_EXIT) return tlm::TLM_ADDRESS_ERROR_RESPONSE;
    if (on_exit) on_exit(value);
    return tlm::TLM_OK_RESPONSE;
}

}  // namespace mind1024::board
