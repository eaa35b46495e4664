// The TLM bus master of the SystemC tests and the bench: a module with a
// chip's two initiator sockets (registers, synapse window), and blocking
// transfers through any initiator port, raw (the response status returned)
// or checked (an error response throws, naming the access). One copy for
// tests/sysc/bus.h, the RTL co-simulation, the platform test and the bench.
#pragma once
#include <cstdint>
#include <sstream>
#include <stdexcept>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

namespace mind1024::test {

// What every initiator socket is: a port to a target's b_transport.
using TlmPort = sc_core::sc_port_b<tlm::tlm_fw_transport_if<>>;

struct TlmInitiator : sc_core::sc_module {
    tlm_utils::simple_initiator_socket<TlmInitiator> reg, syn;
    explicit TlmInitiator(sc_core::sc_module_name n) : sc_module(n), reg("reg"), syn("syn") {}

    // Both sockets to a Mind1024Chip (a template: this header needs no chip).
    template <class Chip>
    void bind_chip(Chip& chip) {
        reg.bind(chip.reg_socket);
        syn.bind(chip.syn.socket);
    }
};

// One b_transport; never throws. The target adds its annotated time to `delay`.
inline tlm::tlm_response_status transfer(TlmPort& port, tlm::tlm_command cmd, uint64_t addr, void* data,
                                         unsigned len, sc_core::sc_time& delay, unsigned char* be = nullptr,
                                         unsigned be_len = 0, unsigned streaming = 0) {
    tlm::tlm_generic_payload tx;
    tx.set_command(cmd);
    tx.set_address(addr);
    tx.set_data_ptr(static_cast<unsigned char*>(data));
    tx.set_data_length(len);
    tx.set_streaming_width(streaming ? streaming : len);
    tx.set_byte_enable_ptr(be);
    tx.set_byte_enable_length(be_len);
    tx.set_dmi_allowed(false);
    tx.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    port->b_transport(tx, delay);
    return tx.get_response_status();
}

// std::runtime_error "bus write of 4 bytes at 0x10 failed: TLM_ADDRESS_ERROR_RESPONSE" unless OK.
inline void check_response(tlm::tlm_response_status r, tlm::tlm_command cmd, uint64_t addr, unsigned len) {
    if (r == tlm::TLM_OK_RESPONSE) return;
    tlm::tlm_generic_payload tx;  // for its names of the status
    tx.set_response_status(r);
    std::ostringstream s;
    s << "bus " << (cmd == tlm::TLM_WRITE_COMMAND ? "write" : "read") << " of " << len << " bytes at 0x" << std::hex
      << std::uppercase << addr << " failed: " << tx.get_response_string();
    throw std::runtime_error(s.str());
}

// ---- checked transfers
inline void read_block(TlmPort& port, uint64_t addr, void* dst, unsigned len, sc_core::sc_time& delay) {
    check_response(transfer(port, tlm::TLM_READ_COMMAND, addr, dst, len, delay), tlm::TLM_READ_COMMAND, addr, len);
}
inline void write_block(TlmPort& port, uint64_t addr, const void* src, unsigned len, sc_core::sc_time& delay) {
    // A write only reads through the payload's pointer.
    check_response(transfer(port, tlm::TLM_WRITE_COMMAND, addr, const_cast<void*>(src), len, delay),
                   tlm::TLM_WRITE_COMMAND, addr, len);
}
inline uint32_t read32(TlmPort& port, uint64_t addr, sc_core::sc_time& delay) {
    uint32_t v = 0;
    read_block(port, addr, &v, 4, delay);
    return v;
}
inline void write32(TlmPort& port, uint64_t addr, uint32_t v, sc_core::sc_time& delay) {
    write_block(port, addr, &v, 4, delay);
}

}  // namespace mind1024::test
