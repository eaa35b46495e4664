#include "sysc/board/board_memory.h"

#include <algorithm>
#include <cstring>

namespace mind1024::board {

Memory::Memory(sc_core::sc_module_name name, uint32_t size, bool read_only)
    : sc_module(name), socket("socket"), bytes_(size, 0), read_only_(read_only) {
    socket.register_b_transport(this, &Memory::b_transport);
    socket.register_transport_dbg(this, &Memory::transport_dbg);
    socket.register_get_direct_mem_ptr(this, &Memory::get_direct_mem_ptr);
}

void Memory::clear() { std::fill(bytes_.begin(), bytes_.end(), 0); }

uint8_t* Memory::range(const tlm::tlm_generic_payload& tx) {
    const uint64_t a = tx.get_address(), n = tx.get_data_length();
    if (n == 0 || a >= bytes_.size() || n > bytes_.size() - a) return nullptr;
    return bytes_.data() + a;
}

void Memory::b_transport(tlm::tlm_generic_payload& tx, sc_core::sc_time& /*delay*/) {
    // Latency is the router's (from the memory map); memory itself adds none.
    if (tx.get_byte_enable_ptr() || tx.get_streaming_width() < tx.get_data_length())
        return tx.set_response_status(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
    uint8_t* p = range(tx);
    if (!p) return tx.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    if (tx.is_read()) {
        std::memcpy(tx.get_data_ptr(), p, tx.get_data_length());
    } else if (tx.is_write()) {
        if (read_only_) return tx.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
        std::memcpy(p, tx.get_data_ptr(), tx.get_data_length());
    } else {
        return tx.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
    }
    tx.set_dmi_allowed(true);
    tx.set_response_status(tlm::TLM_OK_RESPONSE);
}

unsigned int Memory::transport_dbg(tlm::tlm_generic_payload& tx) {
    uint8_t* p = range(tx);
    if (!p) return 0;
    if (tx.is_read()) std::memcpy(tx.get_data_ptr(), p, tx.get_data_length());
    else if (tx.is_write()) std::memcpy(p, tx.get_data_ptr(), tx.get_data_length());
    else return 0;
    return tx.get_data_length();
}

bool Memory::get_direct_mem_ptr(tlm::tlm_generic_payload& /*tx*/, tlm::tlm_dmi& dmi) {
    dmi.set_dmi_ptr(bytes_.data());
    dmi.set_start_address(0);
    dmi.set_end_address(bytes_.size() - 1);
    dmi.set_granted_access(read_only_ ? tlm::tlm_dmi::DMI_ACCESS_READ : tlm::tlm_dmi::DMI_ACCESS_READ_WRITE);
    dmi.set_read_latency(sc_core::SC_ZERO_TIME);
    dmi.set_write_latency(sc_core::SC_ZERO_TIME);
    return true;
}

}  // namespace mind1024::board
