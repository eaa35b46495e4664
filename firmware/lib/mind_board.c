/* mind_board.c: the board runtime (see mind_board.h). */
#include "mind_board.h"

#include <stdio.h>

#include "mind1024_board.h"
#include "mind_bus.h"

/* ------------------------------------------------------------------ console */

void mind_putc(char c) { mind_write32(MIND_UART_BASE + MIND_UART_REG_DATA, (uint8_t)c); }

static int uart_put(char c, FILE *f) {
    (void)f;
    mind_putc(c);
    return (unsigned char)c;
}

/* A received byte (mind-board --uart-input): waits while more input may come;
 * EOF at the input's end (or when the board has none). */
int mind_getc(void) {
    for (;;) {
        const uint32_t st = mind_read32(MIND_UART_BASE + MIND_UART_REG_STATUS);
        if (st & MIND_UART_STATUS_RX_READY) {
            const uint32_t v = mind_read32(MIND_UART_BASE + MIND_UART_REG_RX);
            if (v & MIND_UART_RX_VALID) return (int)(v & 0xFFu);
        } else if (!(st & MIND_UART_STATUS_RX_OPEN)) {
            return -1;
        }
    }
}

static int uart_get(FILE *f) {
    (void)f;
    const int c = mind_getc();
    return c < 0 ? _FDEV_EOF : c;
}

/* picolibc: stdin/stdout/stderr are globals the program defines. One stream:
 * writes go to the UART, reads come from its receiver. */
static FILE uart_stream = FDEV_SETUP_STREAM(uart_put, uart_get, NULL, _FDEV_SETUP_RW);
FILE *const stdin = &uart_stream;
FILE *const stdout = &uart_stream;
FILE *const stderr = &uart_stream;

/* ------------------------------------------------------------------ exit */

void _exit(int code) __attribute__((noreturn));
void _exit(int code) {
    mind_write32(MIND_SYSCTRL_BASE + MIND_SYSCTRL_REG_EXIT, (uint32_t)code);
    for (;;) {
        /* the board has stopped; nothing runs past the write */
    }
}

void mind_exit(int code) { _exit(code); }

/* ------------------------------------------------------------------ timer */

uint64_t mind_timer_us(void) {
    const uint32_t lo = mind_read32(MIND_TIMER_BASE + MIND_TIMER_REG_TIME_LO); /* latches HI */
    const uint32_t hi = mind_read32(MIND_TIMER_BASE + MIND_TIMER_REG_TIME_HI);
    return ((uint64_t)hi << 32) | lo;
}

void mind_timer_alarm_at(uint64_t at_us) {
    mind_write32(MIND_TIMER_BASE + MIND_TIMER_REG_IRQ_EN, 0);
    /* HI first with LO at its maximum: no intermediate value lies before at_us. */
    mind_write32(MIND_TIMER_BASE + MIND_TIMER_REG_CMP_LO, 0xFFFFFFFFu);
    mind_write32(MIND_TIMER_BASE + MIND_TIMER_REG_CMP_HI, (uint32_t)(at_us >> 32));
    mind_write32(MIND_TIMER_BASE + MIND_TIMER_REG_CMP_LO, (uint32_t)at_us);
    mind_write32(MIND_TIMER_BASE + MIND_TIMER_REG_IRQ_STATUS, MIND_TIMER_IRQ_STATUS_CMP);
    mind_write32(MIND_TIMER_BASE + MIND_TIMER_REG_IRQ_EN, MIND_TIMER_IRQ_EN_CMP);
}

void mind_timer_alarm_off(void) {
    mind_write32(MIND_TIMER_BASE + MIND_TIMER_REG_IRQ_EN, 0);
    mind_write32(MIND_TIMER_BASE + MIND_TIMER_REG_IRQ_STATUS, MIND_TIMER_IRQ_STATUS_CMP);
}

uint32_t mind_irq_sources(void) { return mind_read32(MIND_SYSCTRL_BASE + MIND_SYSCTRL_REG_IRQ_SOURCES); }

/* ------------------------------------------------------------------ interrupts */

#define MSTATUS_MIE (1u << 3)
#define MIE_MEIE (1u << 11)
#define MIE_MSIE MIND_MIE_MSIE
#define MIE_MTIE MIND_MIE_MTIE

#define CSR_READ(csr)                                          \
    __extension__({                                            \
        uint32_t v_;                                           \
        __asm__ volatile("csrr %0, " #csr : "=r"(v_));         \
        v_;                                                    \
    })
#define CSR_WRITE(csr, v) __asm__ volatile("csrw " #csr ", %0" ::"r"((uint32_t)(v)))
#define CSR_SET(csr, v) __asm__ volatile("csrs " #csr ", %0" ::"r"((uint32_t)(v)))
#define CSR_CLEAR(csr, v) __asm__ volatile("csrc " #csr ", %0" ::"r"((uint32_t)(v)))

static volatile mind_irq_handler_t irq_handler;
static volatile uint32_t irq_taken;

/* The wfi of mind_wfi, at a known address (mind_wfi_insn) for the trap entry. */
extern const char mind_wfi_insn[];
__asm__(".section .text.mind_wfi,\"ax\",@progbits\n"
        ".globl mind_wfi\n"
        ".type mind_wfi, @function\n"
        ".p2align 2\n"
        "mind_wfi:\n"
        ".globl mind_wfi_insn\n"
        "mind_wfi_insn:\n"
        "    wfi\n"
        "    ret\n"
        ".size mind_wfi, .-mind_wfi\n"
        ".text\n");

/* A few characters straight to the UART (no stdio inside the trap). */
static void trap_puts(const char *s) {
    while (*s) mind_putc(*s++);
}
static void trap_puthex(uint32_t v) {
    int k;
    trap_puts("0x");
    for (k = 28; k >= 0; k -= 4) mind_putc("0123456789abcdef"[(v >> k) & 0xFu]);
}

static volatile mind_irq_handler_t clint_handler[2]; /* software (cause 3), timer (cause 7) */
static volatile mind_exception_handler_t exception_handler;

/* mtvec, direct mode: every trap comes here. GCC saves the registers this uses
 * (all caller-saved ones, since it calls the handlers) and ends with mret. */
void mind_trap_entry(void) __attribute__((interrupt("machine"), aligned(4), used));
void mind_trap_entry(void) {
    const uint32_t mcause = CSR_READ(mcause);
    if (mcause == MIND_MCAUSE_EXTERNAL) {
        /* Taken on the wfi itself (the interrupt came just before it): resume
         * after it, as if the wfi had woken up. */
        if (CSR_READ(mepc) == (uint32_t)(uintptr_t)mind_wfi_insn) CSR_WRITE(mepc, (uint32_t)(uintptr_t)mind_wfi_insn + 4u);
        ++irq_taken;
        const mind_irq_handler_t h = irq_handler;
        if (h)
            h();
        else
            CSR_CLEAR(mie, MIE_MEIE); /* nobody to clear the cause: stop it repeating */
        return;
    }
    if (mcause == MIND_MCAUSE_SOFTWARE || mcause == MIND_MCAUSE_TIMER) {
        if (CSR_READ(mepc) == (uint32_t)(uintptr_t)mind_wfi_insn) CSR_WRITE(mepc, (uint32_t)(uintptr_t)mind_wfi_insn + 4u);
        const unsigned k = mcause == MIND_MCAUSE_TIMER;
        const mind_irq_handler_t h = clint_handler[k];
        if (h)
            h();
        else
            CSR_CLEAR(mie, k ? MIE_MTIE : MIE_MSIE);
        return;
    }
    if (mcause & 0x80000000u) {
        trap_puts("\nmind_board: unexpected interrupt, mcause ");
        trap_puthex(mcause);
        trap_puts("\n");
        _exit(MIND_EXIT_UNEXPECTED_TRAP);
    }
    const mind_exception_handler_t e = exception_handler;
    if (e) {
        CSR_WRITE(mepc, e(mcause, CSR_READ(mepc), CSR_READ(mtval)));
        return;
    }
    /* No handler for this exception: run the instruction again with no trap
     * vector, so the board stops with its own fault report (cause, exact pc,
     * instruction, address). */
    CSR_WRITE(mtvec, 0);
}

/* Before main (picolibc's crt0 runs the constructors): a valid mtvec, the
 * external interrupt masked. */
static void __attribute__((constructor)) mind_board_init(void) {
    CSR_CLEAR(mstatus, MSTATUS_MIE);
    CSR_CLEAR(mie, MIE_MEIE | MIE_MSIE | MIE_MTIE);
    CSR_WRITE(mtvec, (uint32_t)(uintptr_t)&mind_trap_entry); /* aligned(4): mode bits 00, direct */
}

void mind_exception_set_handler(mind_exception_handler_t handler) { exception_handler = handler; }

/* ------------------------------------------------------------------ CLINT */

uint64_t mind_mtime(void) {
    uint32_t hi, lo;
    do { /* the high word did not change while the low word was read */
        hi = mind_read32(MIND_CLINT_MTIME_HI_ADDR);
        lo = mind_read32(MIND_CLINT_MTIME_LO_ADDR);
    } while (hi != mind_read32(MIND_CLINT_MTIME_HI_ADDR));
    return ((uint64_t)hi << 32) | lo;
}

void mind_mtimecmp_set(uint64_t at_us) {
    /* LO to all ones first: no intermediate value lies before at_us. */
    mind_write32(MIND_CLINT_MTIMECMP_LO_ADDR, 0xFFFFFFFFu);
    mind_write32(MIND_CLINT_MTIMECMP_HI_ADDR, (uint32_t)(at_us >> 32));
    mind_write32(MIND_CLINT_MTIMECMP_LO_ADDR, (uint32_t)at_us);
}

void mind_msip_set(int pending) { mind_write32(MIND_CLINT_MSIP_ADDR, pending ? 1u : 0u); }

void mind_timer_irq_set_handler(mind_irq_handler_t handler) { clint_handler[1] = handler; }
void mind_soft_irq_set_handler(mind_irq_handler_t handler) { clint_handler[0] = handler; }

void mind_clint_irq_enable(unsigned mie_bits) {
    CSR_WRITE(mtvec, (uint32_t)(uintptr_t)&mind_trap_entry);
    CSR_SET(mie, mie_bits & (MIE_MSIE | MIE_MTIE));
    CSR_SET(mstatus, MSTATUS_MIE);
}

void mind_irq_set_handler(mind_irq_handler_t handler) { irq_handler = handler; }

void mind_irq_enable(void) {
    CSR_WRITE(mtvec, (uint32_t)(uintptr_t)&mind_trap_entry);
    CSR_SET(mie, MIE_MEIE);
    CSR_SET(mstatus, MSTATUS_MIE);
}

void mind_irq_disable(void) {
    CSR_CLEAR(mstatus, MSTATUS_MIE);
    CSR_CLEAR(mie, MIE_MEIE);
}

uint32_t mind_irq_count(void) { return irq_taken; }
