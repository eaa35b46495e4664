/* uart_echo: the UART receiver. Lines from stdin (mind-board --uart-input)
 * come back in upper case; the RX interrupt is counted; exits at the input's end. */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>

#include "mind1024_board.h"
#include "mind_board.h"
#include "mind_bus.h"

static volatile uint32_t rx_irqs;
static void on_irq(void) {
    if (mind_irq_sources() & MIND_SYSCTRL_IRQ_SOURCES_UART) {
        ++rx_irqs;
        mind_write32(MIND_UART_BASE + MIND_UART_REG_IRQ_EN, 0); /* the reader takes it from here */
    }
}

int main(void) {
    mind_irq_set_handler(on_irq);
    mind_write32(MIND_UART_BASE + MIND_UART_REG_IRQ_EN, MIND_UART_IRQ_EN_RX);
    mind_irq_enable();
    while (rx_irqs == 0 && (mind_read32(MIND_UART_BASE + MIND_UART_REG_STATUS) & MIND_UART_STATUS_RX_OPEN)) mind_wfi();
    char line[80];
    unsigned lines = 0;
    while (fgets(line, sizeof line, stdin)) {
        for (char *p = line; *p; ++p) *p = (char)toupper((unsigned char)*p);
        printf("echo: %s", line);
        ++lines;
    }
    printf("uart_echo: %u lines, %lu RX interrupts\n", lines, (unsigned long)rx_irqs);
    return 0;
}
