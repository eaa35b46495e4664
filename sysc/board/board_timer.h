// BoardTimer: a 64-bit microsecond counter of simulated time with one compare
// interrupt (TIME >= CMP while IRQ_EN.CMP sets IRQ_STATUS.CMP). Reading
// TIME_LO latches TIME_HI, so a LO-then-HI read pair is consistent.
#pragma once
#include "sysc/board/register_device.h"

namespace mind1024::board {

class BoardTimer : public RegisterDevice {
public:
    sc_core::sc_out<bool> irq;

    SC_HAS_PROCESS(BoardTimer);
    explicit BoardTimer(sc_core::sc_module_name name);
    static uint64_t micros(const sc_core::sc_time& t);

protected:
    tlm::tlm_response_status read(uint32_t offset, uint32_t& value, const sc_core::sc_time& when) override;
    tlm::tlm_response_status write(uint32_t offset, uint32_t value, const sc_core::sc_time& when) override;
    bool peek(uint32_t offset, uint32_t& value) override;

private:
    void update();  // the only writer of `irq`

    uint64_t cmp_ = ~uint64_t{0};
    uint32_t hi_latch_ = 0, irq_en_ = 0, irq_status_ = 0;
    sc_core::sc_event changed_;
};

}  // namespace mind1024::board
