/* mind_board.h: the board runtime for MIND 1024 board firmware.
 *
 * Linking mind_board.c gives a program:
 *   - stdio on the UART: printf, puts, putchar, fputs(stderr) ... write to the
 *     console (stdin reads EOF);
 *   - _exit(code) (so exit(), return from main, abort()) writing SYSCTRL EXIT:
 *     the simulation ends with that exit code;
 *   - the microsecond timer, its compare interrupt;
 *   - machine external interrupts: a trap entry in mtvec (direct mode, set
 *     before main) that calls one C handler.
 *
 * Interrupts. The board ORs the chip IRQ, the host interface doorbell and the
 * timer compare into the CPU's machine external interrupt (mcause 0x8000000B),
 * taken when mstatus.MIE and mie.MEIE are both set. mind_irq_sources() says
 * which devices drive the line now. The handler must clear the cause in the
 * device (e.g. the chip's IRQ_STATUS, RW1C) or the interrupt is taken again
 * at once after it returns. Exceptions (illegal instruction, ecall, bad
 * access) never reach the firmware: the board stops with a report.
 *
 * Plain C99 (also usable from C++).
 */
#ifndef MIND_BOARD_H
#define MIND_BOARD_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Exit code of a program the runtime itself stops: a trap other than the
 * external interrupt reached mtvec (the board should never let one through). */
#define MIND_EXIT_UNEXPECTED_TRAP 126

/* mcause of the machine external interrupt. */
#define MIND_MCAUSE_EXTERNAL 0x8000000Bu
/* mcause of the CLINT's software (MSIP) and timer (MTIME >= MTIMECMP) interrupts. */
#define MIND_MCAUSE_SOFTWARE 0x80000003u
#define MIND_MCAUSE_TIMER 0x80000007u
/* Their enable bits in mie. */
#define MIND_MIE_MSIE (1u << 3)
#define MIND_MIE_MTIE (1u << 7)

/* Exceptions (mcause < 0x80000000: ecall 11, illegal instruction 2, ebreak 3,
 * load/store faults 5/7, misaligned 4/6, ...). The handler gets mcause, mepc
 * (the exact pc of the instruction) and mtval, and returns the pc to resume
 * at (mepc + 4 skips the instruction). Without a handler, the runtime runs the
 * instruction again with mtvec = 0, so the board stops with its fault report. */
typedef uint32_t (*mind_exception_handler_t)(uint32_t mcause, uint32_t mepc, uint32_t mtval);
void mind_exception_set_handler(mind_exception_handler_t handler);

/* The CLINT (contract 3.1): MTIME in microseconds of simulated time, the timer
 * compare (the timer interrupt is pending while MTIME >= MTIMECMP) and MSIP. */
uint64_t mind_mtime(void);
void mind_mtimecmp_set(uint64_t at_us);
void mind_msip_set(int pending);

/* One character to the console (what stdout uses). */
void mind_putc(char c);
/* One received byte (what stdin uses; mind-board --uart-input FILE|-): waits
 * while more input may come, -1 at its end or when the board has none. */
int mind_getc(void);

/* Ends the simulation with `code` (0..255 by convention), as exit() does but
 * without running atexit handlers. Never returns. */
void mind_exit(int code) __attribute__((noreturn));

/* Simulated time in microseconds (TIMER: TIME_LO, then the HI word it latched). */
uint64_t mind_timer_us(void);

/* Timer compare interrupt: fires once the time reaches `at_us` (a source of the
 * external interrupt, SYSCTRL.IRQ_SOURCES.TIMER). Clears a pending compare
 * first. mind_timer_alarm_off() disables it and clears it. */
void mind_timer_alarm_at(uint64_t at_us);
void mind_timer_alarm_off(void);

/* Which devices drive the external interrupt now: MIND_SYSCTRL_IRQ_SOURCES_CHIP,
 * _HOSTIF, _TIMER bits of mind1024_board.h. */
uint32_t mind_irq_sources(void);

/* The handler called, from the trap entry, for each external interrupt (NULL:
 * none; an interrupt without a handler clears mie.MEIE so it cannot repeat). */
typedef void (*mind_irq_handler_t)(void);
void mind_irq_set_handler(mind_irq_handler_t handler);

/* Handlers for the CLINT's interrupts, called from the trap entry (NULL: the
 * interrupt is masked in mie when it comes). The timer handler must move
 * MTIMECMP (or clear MTIE), the software handler clear MSIP. */
void mind_timer_irq_set_handler(mind_irq_handler_t handler);
void mind_soft_irq_set_handler(mind_irq_handler_t handler);
/* Sets these mie bits (MIND_MIE_MSIE, MIND_MIE_MTIE) and mstatus.MIE. */
void mind_clint_irq_enable(unsigned mie_bits);

/* Sets mie.MEIE and mstatus.MIE (mtvec is already the trap entry). */
void mind_irq_enable(void);
/* Clears mstatus.MIE and mie.MEIE. */
void mind_irq_disable(void);

/* External interrupts taken since reset. */
uint32_t mind_irq_count(void);

/* Waits for an interrupt (the wfi instruction). Safe in the loop
 *     while (!flag_set_by_the_handler) mind_wfi();
 * with interrupts enabled: if the interrupt is taken between the test of the
 * flag and the wfi, the trap entry resumes after the wfi instead of on it, so
 * the loop re-tests the flag rather than sleeping on an interrupt already
 * served. With nothing left that can interrupt, the board reports a deadlock. */
void mind_wfi(void);

#ifdef __cplusplus
}
#endif

#endif /* MIND_BOARD_H */
