#include "sysc/board/register_device.h"

#include <cstring>

namespace mind1024::board {

RegisterDevice::RegisterDevice(sc_core::sc_module_name name, uint32_t size)
    : sc_module(name), socket("socket"), size_(size) {
    socket.register_b_transport(this, &RegisterDevice::b_transport);
    socket.register_transport_dbg(this, &RegisterDevice::transport_dbg);
}

void RegisterDevice::b_transport(tlm::tlm_generic_payload& tx, sc_core::sc_time& delay) {
    const uint64_t addr = tx.get_address();
    if (tx.get_byte_enable_ptr()) return tx.set_response_status(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
    if (tx.get_data_length() != 4 || tx.get_streaming_width() < 4)
        return tx.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
    if (addr % 4 || addr + 4 > size_) return tx.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    const sc_core::sc_time when = sc_core::sc_time_stamp() + delay;
    uint32_t v = 0;
    tlm::tlm_response_status r = tlm::TLM_COMMAND_ERROR_RESPONSE;
    if (tx.is_read()) {
        r = read(static_cast<uint32_t>(addr), v, when);
        if (r == tlm::TLM_OK_RESPONSE) std::memcpy(tx.get_data_ptr(), &v, 4);
    } else if (tx.is_write()) {
        std::memcpy(&v, tx.get_data_ptr(), 4);
        r = write(static_cast<uint32_t>(addr), v, when);
    }
    tx.set_response_status(r);
}

unsigned int RegisterDevice::transport_dbg(tlm::tlm_generic_payload& tx) {
    const uint64_t addr = tx.get_address();
    if (!tx.is_read() || tx.get_data_length() != 4 || addr % 4 || addr + 4 > size_) return 0;
    uint32_t v = 0;
    if (!peek(static_cast<uint32_t>(addr), v)) return 0;
    std::memcpy(tx.get_data_ptr(), &v, 4);
    return 4;
}

}  // namespace mind1024::board
