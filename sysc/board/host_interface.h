// HostInterface: the mailbox between the host and the firmware. The host
// writes CMD and ARG[], then DOORBELL, which sets IRQ_STATUS.DOORBELL (the
// CPU's external interrupt while IRQ_EN.DOORBELL); the firmware answers in
// RESP and RESULT[] and sets READY, which the host clears. Payloads travel in
// the separate 64 KiB buffer region. The protocol on top is the firmware's.
#pragma once
#include <array>

#include "mind1024_board.h"
#include "sysc/board/register_device.h"

namespace mind1024::board {

class HostInterface : public RegisterDevice {
public:
    sc_core::sc_out<bool> irq;

    SC_HAS_PROCESS(HostInterface);
    HostInterface(sc_core::sc_module_name name, uint32_t buffer_bytes);

    // Notified when READY is written non-zero and when the doorbell rings.
    const sc_core::sc_event& ready_event() const { return ready_event_; }
    const sc_core::sc_event& doorbell_event() const { return doorbell_event_; }
    bool ready() const { return ready_ != 0; }

protected:
    tlm::tlm_response_status read(uint32_t offset, uint32_t& value, const sc_core::sc_time& when) override;
    tlm::tlm_response_status write(uint32_t offset, uint32_t value, const sc_core::sc_time& when) override;
    bool peek(uint32_t offset, uint32_t& value) override;

private:
    void update();  // the only writer of `irq`

    uint32_t cmd_ = 0, resp_ = 0, ready_ = 0, irq_status_ = 0, irq_en_ = 0, buf_size_;
    std::array<uint32_t, MIND_HOSTIF_REG_ARG_COUNT> arg_{};
    std::array<uint32_t, MIND_HOSTIF_REG_RESULT_COUNT> result_{};
    sc_core::sc_event changed_, ready_event_, doorbell_event_;
};

}  // namespace mind1024::board
