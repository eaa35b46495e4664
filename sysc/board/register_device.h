// RegisterDevice: a TLM target made of 32-bit registers (UART, timer, system
// control, host interface). The base checks what every such device refuses
// (sizes other than 32 bits, misaligned or out-of-range offsets, byte enables)
// and answers with the TLM error status, so a device only decodes offsets.
#pragma once
#include <cstdint>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

namespace mind1024::board {

class RegisterDevice : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<RegisterDevice> socket;

    RegisterDevice(sc_core::sc_module_name name, uint32_t size);

protected:
    // `when` is the access's simulated time: now plus the initiator's local offset.
    virtual tlm::tlm_response_status read(uint32_t offset, uint32_t& value, const sc_core::sc_time& when) = 0;
    virtual tlm::tlm_response_status write(uint32_t offset, uint32_t value, const sc_core::sc_time& when) = 0;
    // Debug reads (GDB, tests) must not have side effects; the default refuses them.
    virtual bool peek(uint32_t /*offset*/, uint32_t& /*value*/) { return false; }

private:
    void b_transport(tlm::tlm_generic_payload& tx, sc_core::sc_time& delay);
    unsigned int transport_dbg(tlm::tlm_generic_payload& tx);
    uint32_t size_;
};

}  // namespace mind1024::board
