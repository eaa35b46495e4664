#include "sysc/board/board_timer.h"

#include "mind1024_board.h"

namespace mind1024::board {

BoardTimer::BoardTimer(sc_core::sc_module_name name) : RegisterDevice(name, MIND_TIMER_SIZE), irq("irq") {
    SC_METHOD(update);
    sensitive << changed_;
}

uint64_t BoardTimer::micros(const sc_core::sc_time& t) {
    return t.value() / sc_core::sc_time(1, sc_core::SC_US).value();
}

bool BoardTimer::peek(uint32_t offset, uint32_t& value) {
    switch (offset) {
        case MIND_TIMER_REG_CMP_LO: value = static_cast<uint32_t>(cmp_); return true;
        case MIND_TIMER_REG_CMP_HI: value = static_cast<uint32_t>(cmp_ >> 32); return true;
        case MIND_TIMER_REG_IRQ_EN: value = irq_en_; return true;
        case MIND_TIMER_REG_IRQ_STATUS: value = irq_status_; return true;
        case MIND_TIMER_REG_TIME_HI: value = hi_latch_; return true;
        default: return false;
    }
}

tlm::tlm_response_status BoardTimer::read(uint32_t offset, uint32_t& value, const sc_core::sc_time& when) {
    if (offset == MIND_TIMER_REG_TIME_LO) {
        const uint64_t us = micros(when);
        hi_latch_ = static_cast<uint32_t>(us >> 32);
        value = static_cast<uint32_t>(us);
        return tlm::TLM_OK_RESPONSE;
    }
    return peek(offset, value) ? tlm::TLM_OK_RESPONSE : tlm::TLM_ADDRESS_ERROR_RESPONSE;
}

tlm::tlm_response_status BoardTimer::write(uint32_t offset, uint32_t value, const sc_core::sc_time&) {
    switch (offset) {
        case MIND_TIMER_REG_CMP_LO: cmp_ = (cmp_ & ~uint64_t{0xFFFFFFFF}) | value; break;
        case MIND_TIMER_REG_CMP_HI: cmp_ = (cmp_ & 0xFFFFFFFFull) | (uint64_t{value} << 32); break;
        case MIND_TIMER_REG_IRQ_EN: irq_en_ = value & MIND_TIMER_IRQ_EN_CMP; break;
        case MIND_TIMER_REG_IRQ_STATUS: irq_status_ &= ~value; break;
        default: return tlm::TLM_ADDRESS_ERROR_RESPONSE;  // TIME is read-only
    }
    changed_.notify(sc_core::SC_ZERO_TIME);
    return tlm::TLM_OK_RESPONSE;
}

void BoardTimer::update() {
    const uint64_t now = micros(sc_core::sc_time_stamp());
    if (irq_en_) {
        if (now >= cmp_) {
            irq_status_ |= MIND_TIMER_IRQ_STATUS_CMP;
        } else {
            // Wake up at the compare time, if SystemC can represent it.
            const uint64_t max_us = micros(sc_core::sc_max_time());
            if (cmp_ < max_us) changed_.notify(sc_core::sc_time(static_cast<double>(cmp_ - now), sc_core::SC_US));
        }
    }
    irq.write((irq_status_ & irq_en_) != 0);
}

}  // namespace mind1024::board
