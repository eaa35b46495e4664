// Clint: the core-local interruptor (contract 3.1; SiFive layout, offsets from
// the memory-map description). MTIME counts simulated microseconds (plus the
// offset a firmware write to MTIME sets); the machine timer interrupt is
// pending while MTIME >= MTIMECMP, the software interrupt while MSIP bit 0 is 1.
// The CPU reads the pending state directly at its own local time (so its own
// write is seen before its next instruction); the two lines are for wfi
// wake-up and the VCD.
#pragma once
#include "sysc/board/register_device.h"

namespace mind1024::board {

class Clint : public RegisterDevice {
public:
    sc_core::sc_out<bool> mtip, msip;

    SC_HAS_PROCESS(Clint);
    explicit Clint(sc_core::sc_module_name name);

    uint64_t mtime(const sc_core::sc_time& t) const;
    bool timer_pending(const sc_core::sc_time& t) const { return mtime(t) >= mtimecmp_; }
    bool software_pending() const { return msip_ & 1; }
    uint64_t mtimecmp() const { return mtimecmp_; }

protected:
    tlm::tlm_response_status read(uint32_t offset, uint32_t& value, const sc_core::sc_time& when) override;
    tlm::tlm_response_status write(uint32_t offset, uint32_t value, const sc_core::sc_time& when) override;
    bool peek(uint32_t offset, uint32_t& value) override;

private:
    void update();  // the only writer of the lines

    uint32_t msip_ = 0;
    uint64_t mtimecmp_ = ~uint64_t{0};
    int64_t offset_us_ = 0;  // MTIME - simulated microseconds
    sc_core::sc_event changed_;
};

}  // namespace mind1024::board
