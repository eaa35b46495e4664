#include "sysc/board/uart.h"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "mind1024_board.h"

namespace mind1024::board {

Uart::Uart(sc_core::sc_module_name name) : RegisterDevice(name, MIND_UART_SIZE), irq("irq") {
    sink = [this](char c) {
        if (!error_.empty()) return;
        if (std::fputc(c, stdout) == EOF || (c == '\n' && std::fflush(stdout) != 0)) {
            error_ = std::string("the console (UART) cannot be written to standard output: ") + std::strerror(errno);
            std::clearerr(stdout);
            sc_core::sc_pause();
        }
    };
    SC_METHOD(poll_input);
    sensitive << poll_event_;
    dont_initialize();
    SC_METHOD(update);
    sensitive << changed_;
}

void Uart::set_input(int fd, sc_core::sc_time poll) {
    in_fd_ = fd;
    poll_period_ = poll;
    poll_event_.notify(sc_core::SC_ZERO_TIME);
}

void Uart::poll_input() {
    if (in_fd_ < 0) return;
    pollfd p{in_fd_, POLLIN, 0};
    while (::poll(&p, 1, 0) > 0) {
        unsigned char buf[256];
        const ssize_t n = ::read(in_fd_, buf, sizeof buf);
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) break;
        if (n <= 0) {  // the end of the input (or an error): nothing more will come
            in_fd_ = -1;
            break;
        }
        rx_.insert(rx_.end(), buf, buf + n);
        if (n < static_cast<ssize_t>(sizeof buf)) break;
    }
    changed_.notify(sc_core::SC_ZERO_TIME);
    if (in_fd_ >= 0) poll_event_.notify(poll_period_);
}

void Uart::update() { irq.write((irq_en_ & MIND_UART_IRQ_EN_RX) && !rx_.empty()); }

bool Uart::peek(uint32_t offset, uint32_t& value) {
    switch (offset) {
        case MIND_UART_REG_STATUS:
            value = MIND_UART_STATUS_TX_READY | (rx_.empty() ? 0u : MIND_UART_STATUS_RX_READY) |
                    (in_fd_ >= 0 ? MIND_UART_STATUS_RX_OPEN : 0u);
            return true;
        case MIND_UART_REG_RX: value = rx_.empty() ? 0u : (MIND_UART_RX_VALID | rx_.front()); return true;
        case MIND_UART_REG_IRQ_EN: value = irq_en_; return true;
        default: return false;
    }
}

tlm::tlm_response_status Uart::read(uint32_t offset, uint32_t& value, const sc_core::sc_time&) {
    if (!peek(offset, value)) return tlm::TLM_ADDRESS_ERROR_RESPONSE;
    if (offset == MIND_UART_REG_RX && !rx_.empty()) {
        rx_.pop_front();
        changed_.notify(sc_core::SC_ZERO_TIME);
    }
    return tlm::TLM_OK_RESPONSE;
}

tlm::tlm_response_status Uart::write(uint32_t offset, uint32_t value, const sc_core::sc_time&) {
    if (offset == MIND_UART_REG_IRQ_EN) {
        irq_en_ = value & MIND_UART_IRQ_EN_RX;
        changed_.notify(sc_core::SC_ZERO_TIME);
        return tlm::TLM_OK_RESPONSE;
    }
    if (offset != MIND_UART_REG_DATA) return tlm::TLM_ADDRESS_ERROR_RESPONSE;
    ++bytes_;
    if (sink) sink(static_cast<char>(value & 0xFF));
    return tlm::TLM_OK_RESPONSE;
}

}  // namespace mind1024::board
