#include "sysc/board/uart.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "mind1024_board.h"

namespace mind1024::board {

Uart::Uart(sc_core::sc_module_name name) : RegisterDevice(name, MIND_UART_SIZE) {
    sink = [this](char c) {
        if (!error_.empty()) return;
        if (std::fputc(c, stdout) == EOF || (c == '\n' && std::fflush(stdout) != 0)) {
            error_ = std::string("the console (UART) cannot be written to standard output: ") + std::strerror(errno);
            std::clearerr(stdout);
            sc_core::sc_pause();
        }
    };
}

bool Uart::peek(uint32_t offset, uint32_t& value) {
    if (offset != MIND_UART_REG_STATUS) return false;
    value = MIND_UART_STATUS_TX_READY;
    return true;
}

tlm::tlm_response_status Uart::read(uint32_t offset, uint32_t& value, const sc_core::sc_time&) {
    return peek(offset, value) ? tlm::TLM_OK_RESPONSE : tlm::TLM_ADDRESS_ERROR_RESPONSE;
}

tlm::tlm_response_status Uart::write(uint32_t offset, uint32_t value, const sc_core::sc_time&) {
    if (offset != MIND_UART_REG_DATA) return tlm::TLM_ADDRESS_ERROR_RESPONSE;
    ++bytes_;
    if (sink) sink(static_cast<char>(value & 0xFF));
    return tlm::TLM_OK_RESPONSE;
}

}  // namespace mind1024::board
