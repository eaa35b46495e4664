#include "sysc/board/clint.h"

#include "mind1024_board.h"
#include "sysc/board/board_timer.h"

namespace mind1024::board {

Clint::Clint(sc_core::sc_module_name name) : RegisterDevice(name, MIND_CLINT_SIZE), mtip("mtip"), msip("msip") {
    SC_METHOD(update);
    sensitive << changed_;
}

uint64_t Clint::mtime(const sc_core::sc_time& t) const {
    return BoardTimer::micros(t) + static_cast<uint64_t>(offset_us_);
}

bool Clint::peek(uint32_t offset, uint32_t& value) {
    const uint64_t now = mtime(sc_core::sc_time_stamp());
    switch (offset) {
        case MIND_CLINT_REG_MSIP: value = msip_; return true;
        case MIND_CLINT_REG_MTIMECMP_LO: value = static_cast<uint32_t>(mtimecmp_); return true;
        case MIND_CLINT_REG_MTIMECMP_HI: value = static_cast<uint32_t>(mtimecmp_ >> 32); return true;
        case MIND_CLINT_REG_MTIME_LO: value = static_cast<uint32_t>(now); return true;
        case MIND_CLINT_REG_MTIME_HI: value = static_cast<uint32_t>(now >> 32); return true;
        default: return false;
    }
}

tlm::tlm_response_status Clint::read(uint32_t offset, uint32_t& value, const sc_core::sc_time& when) {
    const uint64_t now = mtime(when);
    if (offset == MIND_CLINT_REG_MTIME_LO) value = static_cast<uint32_t>(now);
    else if (offset == MIND_CLINT_REG_MTIME_HI) value = static_cast<uint32_t>(now >> 32);
    else return peek(offset, value) ? tlm::TLM_OK_RESPONSE : tlm::TLM_ADDRESS_ERROR_RESPONSE;
    return tlm::TLM_OK_RESPONSE;
}

tlm::tlm_response_status Clint::write(uint32_t offset, uint32_t value, const sc_core::sc_time& when) {
    const uint64_t now = mtime(when);
    const uint64_t us = BoardTimer::micros(when);
    switch (offset) {
        case MIND_CLINT_REG_MSIP: msip_ = value & MIND_CLINT_MSIP_MSIP; break;
        case MIND_CLINT_REG_MTIMECMP_LO: mtimecmp_ = (mtimecmp_ & ~uint64_t{0xFFFFFFFF}) | value; break;
        case MIND_CLINT_REG_MTIMECMP_HI: mtimecmp_ = (mtimecmp_ & 0xFFFFFFFFull) | (uint64_t{value} << 32); break;
        case MIND_CLINT_REG_MTIME_LO:
            offset_us_ = static_cast<int64_t>(((now & ~uint64_t{0xFFFFFFFF}) | value) - us);
            break;
        case MIND_CLINT_REG_MTIME_HI:
            offset_us_ = static_cast<int64_t>(((now & 0xFFFFFFFFull) | (uint64_t{value} << 32)) - us);
            break;
        default: return tlm::TLM_ADDRESS_ERROR_RESPONSE;
    }
    changed_.notify(sc_core::SC_ZERO_TIME);
    return tlm::TLM_OK_RESPONSE;
}

void Clint::update() {
    const sc_core::sc_time now = sc_core::sc_time_stamp();
    const bool t = timer_pending(now);
    if (!t) {
        // Wake at the simulated instant MTIME reaches MTIMECMP (a whole microsecond), if
        // SystemC can represent it.
        const uint64_t sim_us = mtimecmp_ - static_cast<uint64_t>(offset_us_);  // MTIMECMP in simulated us
        const uint64_t max_us = BoardTimer::micros(sc_core::sc_max_time());
        if (sim_us < max_us) {
            const sc_core::sc_time at(static_cast<double>(sim_us), sc_core::SC_US);
            if (at > now) changed_.notify(at - now);
        }
    }
    mtip.write(t);
    msip.write(software_pending());
}

}  // namespace mind1024::board
