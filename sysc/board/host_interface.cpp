#include "sysc/board/host_interface.h"

namespace mind1024::board {

HostInterface::HostInterface(sc_core::sc_module_name name, uint32_t buffer_bytes)
    : RegisterDevice(name, MIND_HOSTIF_SIZE), irq("irq"), buf_size_(buffer_bytes) {
    SC_METHOD(update);
    sensitive << changed_;
}

namespace {
// Index of `offset` in an array register at `first` with `count` words, or -1.
int index_in(uint32_t offset, uint32_t first, uint32_t count) {
    if (offset < first || offset >= first + 4 * count) return -1;
    return static_cast<int>((offset - first) / 4);
}
}  // namespace

bool HostInterface::peek(uint32_t offset, uint32_t& value) {
    if (int k = index_in(offset, MIND_HOSTIF_REG_ARG(0), MIND_HOSTIF_REG_ARG_COUNT); k >= 0) return value = arg_[k], true;
    if (int k = index_in(offset, MIND_HOSTIF_REG_RESULT(0), MIND_HOSTIF_REG_RESULT_COUNT); k >= 0)
        return value = result_[k], true;
    switch (offset) {
        case MIND_HOSTIF_REG_CMD: value = cmd_; return true;
        case MIND_HOSTIF_REG_IRQ_STATUS: value = irq_status_; return true;
        case MIND_HOSTIF_REG_IRQ_EN: value = irq_en_; return true;
        case MIND_HOSTIF_REG_RESP: value = resp_; return true;
        case MIND_HOSTIF_REG_READY: value = ready_; return true;
        case MIND_HOSTIF_REG_BUF_SIZE: value = buf_size_; return true;
        default: return false;  // DOORBELL is write-only
    }
}

tlm::tlm_response_status HostInterface::read(uint32_t offset, uint32_t& value, const sc_core::sc_time&) {
    return peek(offset, value) ? tlm::TLM_OK_RESPONSE : tlm::TLM_ADDRESS_ERROR_RESPONSE;
}

tlm::tlm_response_status HostInterface::write(uint32_t offset, uint32_t value, const sc_core::sc_time&) {
    if (int k = index_in(offset, MIND_HOSTIF_REG_ARG(0), MIND_HOSTIF_REG_ARG_COUNT); k >= 0) {
        arg_[k] = value;
        return tlm::TLM_OK_RESPONSE;
    }
    if (int k = index_in(offset, MIND_HOSTIF_REG_RESULT(0), MIND_HOSTIF_REG_RESULT_COUNT); k >= 0) {
        result_[k] = value;
        return tlm::TLM_OK_RESPONSE;
    }
    switch (offset) {
        case MIND_HOSTIF_REG_CMD: cmd_ = value; break;
        case MIND_HOSTIF_REG_RESP: resp_ = value; break;
        case MIND_HOSTIF_REG_READY:
            ready_ = value;
            if (value) ready_event_.notify(sc_core::SC_ZERO_TIME);
            break;
        case MIND_HOSTIF_REG_DOORBELL:
            irq_status_ |= MIND_HOSTIF_IRQ_STATUS_DOORBELL;
            doorbell_event_.notify(sc_core::SC_ZERO_TIME);
            changed_.notify(sc_core::SC_ZERO_TIME);
            break;
        case MIND_HOSTIF_REG_IRQ_STATUS:
            irq_status_ &= ~value;
            changed_.notify(sc_core::SC_ZERO_TIME);
            break;
        case MIND_HOSTIF_REG_IRQ_EN:
            irq_en_ = value & MIND_HOSTIF_IRQ_EN_DOORBELL;
            changed_.notify(sc_core::SC_ZERO_TIME);
            break;
        default: return tlm::TLM_ADDRESS_ERROR_RESPONSE;  // BUF_SIZE is read-only
    }
    return tlm::TLM_OK_RESPONSE;
}

void HostInterface::update() { irq.write((irq_status_ & irq_en_) != 0); }

}  // namespace mind1024::board
