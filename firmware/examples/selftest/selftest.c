/* selftest: the chip on this board, checked end to end from the firmware.
 *
 *  1. reset values: ID, VERSION, CONFIG, STATUS, N_ACTIVE = N_MAX, MAX_SWEEPS 1,
 *     SEED 1, the other registers and counters 0; SOFT_RESET restores them;
 *  2. two 64-neuron patterns stored by HEBB (after CLEAR_SYN), waiting by polling;
 *     the weights read back; CYCLES of each command as the timing model says;
 *  3. pattern 1 recalled from a copy with 6 of its 64 bits flipped (START,
 *     ASYNC_SEQ, MAX_SWEEPS 10), waiting on the chip's DONE interrupt (trap
 *     handler + wfi);
 *  4. the timer advanced, the run's CYCLES match the timing model.
 *
 * Each check prints one line. The program exits 0 when all pass, otherwise at
 * the first failure with that check's code (enum selftest_check below), after
 * printing "[FAIL] <check> ... (exit code N)".
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "mind_board.h"
#include "mind_bus.h"
#include "mind_chip.h"

/* Exit code of each check: 10 and up, clear of mind-board's own exit codes
 * (2..7: bad input, fault, limit, deadlock, ...) and of 1. */
enum selftest_check {
    CHECK_ID = 10,               /* ID reads "MIND" */
    CHECK_VERSION = 11,          /* VERSION major is the header's */
    CHECK_CONFIG = 12,           /* CONFIG fields inside the contract's ranges */
    CHECK_STATUS_RESET = 13,     /* STATUS 0 */
    CHECK_N_ACTIVE_RESET = 14,   /* N_ACTIVE = N_MAX */
    CHECK_MAX_SWEEPS_RESET = 15,
    CHECK_SEED_RESET = 16,
    CHECK_OTHER_RESET = 17,      /* MODE, TEMP, IRQ_EN, IRQ_STATUS, CTRL, STATE, CLAMP all 0 */
    CHECK_COUNTERS_RESET = 18,   /* SWEEPS, FLIPS, OVF_COUNT, CYCLES 0 */
    CHECK_SOFT_RESET = 19,       /* SOFT_RESET puts changed registers back */
    CHECK_CLEAR_SYN = 20,        /* CLEAR_SYN ends without error in N_MAX * ceil(N_MAX / LANES) cycles */
    CHECK_HEBB = 21,             /* each HEBB ends without error in n * ceil(n / LANES) cycles */
    CHECK_WEIGHTS = 22,          /* rows 0 and n-1 read back as the Hebb sum of the two patterns */
    CHECK_RUN = 23,              /* START ends by interrupt, without error, CONVERGED */
    CHECK_RECALL = 24,           /* the state is pattern 1 again */
    CHECK_IRQ = 25,              /* the handler ran, saw DONE, and cleared it */
    CHECK_TIMER = 26,            /* the microsecond timer advanced */
    CHECK_CYCLES = 27            /* the run's CYCLES = sweeps * (n * ceil(n / LANES) + latency) */
};

#define N 64u                       /* neurons taking part */
#define WORDS ((N + 31u) / 32u)     /* STATE words they fill */
#define POLL_LIMIT 10000000u        /* STATUS reads before a polled wait gives up */
#define WAKEUP_LIMIT 100u           /* interrupts before an interrupt wait gives up */

static mind_chip_t chip;

/* One line per check; the first failure ends the program with its code. */
static void check(int ok, enum selftest_check code, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    printf(ok ? "[ ok ] " : "[FAIL] ");
    vprintf(fmt, ap);
    va_end(ap);
    if (ok) {
        printf("\n");
        return;
    }
    printf(" (exit code %d)\n", (int)code);
    exit((int)code);
}

static uint32_t reg(uint32_t offset) { return mind_read32(chip.base + offset); }

/* The board's external interrupt: here only the chip can raise it. */
static void on_interrupt(void) {
    if (mind_irq_sources() & MIND_SYSCTRL_IRQ_SOURCES_CHIP) mind_chip_isr(&chip); /* clears IRQ_STATUS */
}

static int neuron(const uint32_t *words, uint32_t i) { return ((words[i / 32u] >> (i % 32u)) & 1u) ? 1 : -1; }

/* J[i][j] after HEBB with p1 then p2 from zero: each addition saturates at WBITS. */
static int expected_weight(const uint32_t *p1, const uint32_t *p2, uint32_t i, uint32_t j) {
    const int hi = (1 << (chip.wbits - 1u)) - 1, lo = -hi - 1;
    int w = 0, k;
    const uint32_t *p[2];
    p[0] = p1;
    p[1] = p2;
    if (i == j) return 0;
    for (k = 0; k < 2; ++k) {
        w += neuron(p[k], i) * neuron(p[k], j);
        if (w > hi) w = hi;
        if (w < lo) w = lo;
    }
    return w;
}

/* Failures of the reset values count as CHECK_SOFT_RESET once SOFT_RESET was used. */
static enum selftest_check code(int after_soft_reset, enum selftest_check c) {
    return after_soft_reset ? CHECK_SOFT_RESET : c;
}

/* The reset values of contract section 1, read straight from the registers. */
static void check_reset_values(int after_soft_reset) {
    const char *when = after_soft_reset ? "after SOFT_RESET" : "reset";
    const int s = after_soft_reset;
    mind_counters_t c;
    uint32_t k, other;

    check(reg(MIND_REG_STATUS) == 0, code(s, CHECK_STATUS_RESET), "%s: STATUS 0x%08x (want 0)", when,
          (unsigned)reg(MIND_REG_STATUS));
    check(reg(MIND_REG_N_ACTIVE) == chip.n_max, code(s, CHECK_N_ACTIVE_RESET), "%s: N_ACTIVE %u (want N_MAX %u)", when,
          (unsigned)reg(MIND_REG_N_ACTIVE), (unsigned)chip.n_max);
    check(reg(MIND_REG_MAX_SWEEPS) == 1, code(s, CHECK_MAX_SWEEPS_RESET), "%s: MAX_SWEEPS %u (want 1)", when,
          (unsigned)reg(MIND_REG_MAX_SWEEPS));
    check(reg(MIND_REG_SEED) == 1, code(s, CHECK_SEED_RESET), "%s: SEED %u (want 1)", when,
          (unsigned)reg(MIND_REG_SEED));

    other = reg(MIND_REG_MODE) | reg(MIND_REG_TEMP) | reg(MIND_REG_IRQ_EN) | reg(MIND_REG_IRQ_STATUS) | reg(MIND_REG_CTRL);
    for (k = 0; k < chip.state_words; ++k) other |= reg(MIND_REG_STATE(k)) | reg(MIND_REG_CLAMP(k));
    check(other == 0, code(s, CHECK_OTHER_RESET), "%s: MODE, TEMP, IRQ_EN, IRQ_STATUS, CTRL, STATE, CLAMP 0 (OR 0x%08x)",
          when, (unsigned)other);

    mind_chip_read_counters(&chip, &c);
    check(c.sweeps == 0 && c.flips == 0 && c.ovf_count == 0 && c.cycles == 0, code(s, CHECK_COUNTERS_RESET),
          "%s: SWEEPS %u, FLIPS %u, OVF_COUNT %u, CYCLES %u (want 0)", when, (unsigned)c.sweeps, (unsigned)c.flips,
          (unsigned)c.ovf_count, (unsigned)c.cycles);
}

int main(void) {
    /* Two patterns of 64 neurons (bit = 1: +1) with a small overlap (4 / 64). */
    static const uint32_t p1[WORDS] = {0x9E3779B9u, 0x7F4A7C15u};
    static const uint32_t p2[WORDS] = {0xC2B2AE35u, 0x165667B1u};
    /* 6 of 64 bits (about 10%) to flip: neurons 3, 14, 25, 37, 48, 59. */
    static const uint32_t noise[WORDS] = {(1u << 3) | (1u << 14) | (1u << 25), (1u << 5) | (1u << 16) | (1u << 27)};
    static const int32_t zero_thresholds[N] = {0};
    uint32_t state[WORDS], corrupted[WORDS], k, i, j;
    mind_counters_t c;
    int r;

    printf("MIND 1024 board self-test\n");

    /* ---- 1. reset values ---- */
    r = mind_chip_probe_board(&chip);
    check(chip.id == MIND_ID_VALUE, CHECK_ID, "ID 0x%08x (want 0x%08x)", (unsigned)chip.id, (unsigned)MIND_ID_VALUE);
    check(r != MIND_E_VERSION, CHECK_VERSION, "VERSION %u.%u (driver for major %u)", (unsigned)(chip.version >> 16),
          (unsigned)(chip.version & 0xFFFFu), (unsigned)MIND_HW_VERSION_MAJOR);
    check(r == MIND_OK && chip.n_max >= N && chip.abits >= 2 && chip.abits <= 32 && chip.lanes >= 1, CHECK_CONFIG,
          "CONFIG 0x%08x: N_MAX %u (>= %u), WBITS %u (1..16), ABITS %u (2..32), LANES %u (>= 1)", (unsigned)chip.config,
          (unsigned)chip.n_max, (unsigned)N, (unsigned)chip.wbits, (unsigned)chip.abits, (unsigned)chip.lanes);
    check_reset_values(0);

    mind_chip_set_n_active(&chip, N);
    mind_chip_set_max_sweeps(&chip, 7);
    mind_chip_set_seed(&chip, 99);
    mind_chip_set_order(&chip, MIND_ORDER_ASYNC_SEQ);
    mind_chip_set_temp(&chip, 5);
    mind_chip_write_state(&chip, p1, WORDS);
    mind_chip_soft_reset(&chip);
    check_reset_values(1);

    /* ---- 2. store two patterns by HEBB (waiting by polling) ---- */
    const uint64_t t_begin = mind_timer_us();
    const uint32_t k_all = (chip.n_max + chip.lanes - 1u) / chip.lanes, k_n = (N + chip.lanes - 1u) / chip.lanes;
    uint64_t cyc = mind_chip_cycles(&chip), cyc_after;

    mind_chip_clear_syn(&chip);
    r = mind_chip_wait_poll(&chip, POLL_LIMIT);
    cyc_after = mind_chip_cycles(&chip);
    check(r == MIND_OK && cyc_after - cyc == (uint64_t)chip.n_max * k_all, CHECK_CLEAR_SYN,
          "CLEAR_SYN: %s, %u cycles (want N_MAX * ceil(N_MAX / LANES) = %u)", mind_result_name(r),
          (unsigned)(cyc_after - cyc), (unsigned)(chip.n_max * k_all));

    mind_chip_set_n_active(&chip, N);
    mind_chip_write_thresholds(&chip, 0, N, zero_thresholds);
    for (k = 0; k < 2; ++k) {
        cyc = cyc_after;
        mind_chip_write_state(&chip, k == 0 ? p1 : p2, WORDS);
        mind_chip_hebb(&chip);
        r = mind_chip_wait_poll(&chip, POLL_LIMIT);
        cyc_after = mind_chip_cycles(&chip);
        check(r == MIND_OK && cyc_after - cyc == (uint64_t)N * k_n, CHECK_HEBB,
              "HEBB pattern %u: %s, %u cycles (want n * ceil(n / LANES) = %u)", (unsigned)(k + 1), mind_result_name(r),
              (unsigned)(cyc_after - cyc), (unsigned)(N * k_n));
    }

    {
        static int16_t row[N];
        uint32_t bad = 0;
        const uint32_t rows[2] = {0, N - 1u};
        for (k = 0; k < 2; ++k) {
            i = rows[k];
            r = mind_chip_read_weights(&chip, i, 1, N, row, N);
            for (j = 0; j < N; ++j) bad += r != MIND_OK || row[j] != expected_weight(p1, p2, i, j);
        }
        check(bad == 0, CHECK_WEIGHTS, "weights J[0][*] and J[%u][*] are the Hebb sum (%u wrong)", (unsigned)(N - 1u),
              (unsigned)bad);
    }

    /* ---- 3. recall pattern 1 from a corrupted copy, waiting on the DONE interrupt ---- */
    mind_irq_set_handler(on_interrupt);
    mind_irq_enable();

    for (k = 0; k < WORDS; ++k) corrupted[k] = p1[k] ^ noise[k];
    mind_chip_write_state(&chip, corrupted, WORDS);
    mind_chip_set_order(&chip, MIND_ORDER_ASYNC_SEQ);
    mind_chip_set_max_sweeps(&chip, 10);
    cyc = mind_chip_cycles(&chip);
    const uint32_t irqs_before = mind_irq_count();
    const uint64_t t_run = mind_timer_us();

    mind_chip_start(&chip);
    r = mind_chip_wait_irq(&chip, WAKEUP_LIMIT);

    const uint64_t t_end = mind_timer_us();
    cyc_after = mind_chip_cycles(&chip);
    mind_chip_read_counters(&chip, &c);
    mind_irq_disable();
    check(r == MIND_OK && (chip.status & MIND_STATUS_CONVERGED), CHECK_RUN,
          "START (ASYNC_SEQ, MAX_SWEEPS 10): %s, STATUS 0x%08x, %u sweeps, last sweep %u flips", mind_result_name(r),
          (unsigned)chip.status, (unsigned)c.sweeps, (unsigned)c.flips);

    mind_chip_read_state(&chip, state, WORDS);
    check(state[0] == p1[0] && state[1] == p1[1], CHECK_RECALL,
          "recall: state %08x %08x, pattern 1 %08x %08x (corrupted %08x %08x)", (unsigned)state[1], (unsigned)state[0],
          (unsigned)p1[1], (unsigned)p1[0], (unsigned)corrupted[1], (unsigned)corrupted[0]);

    check(mind_irq_count() > irqs_before && (chip.irq_seen & MIND_IRQ_STATUS_DONE) && reg(MIND_REG_IRQ_STATUS) == 0,
          CHECK_IRQ, "interrupt: %u taken, handler saw IRQ_STATUS 0x%x, IRQ_STATUS now 0x%x",
          (unsigned)(mind_irq_count() - irqs_before), (unsigned)chip.irq_seen, (unsigned)reg(MIND_REG_IRQ_STATUS));

    /* ---- 4. time ---- */
    check(t_end > t_run && t_run > t_begin, CHECK_TIMER, "timer: %u us for the whole test, %u us for the run",
          (unsigned)(t_end - t_begin), (unsigned)(t_end - t_run));

    {
        /* A sweep of u unclamped neurons costs u * ceil(n / LANES) + latency
         * (ASYNC: no commit cycles); latency is a board parameter (default 5). */
        const uint64_t run = cyc_after - cyc, compute = (uint64_t)c.sweeps * N * k_n;
        const uint64_t extra = run >= compute ? run - compute : 0;
        const int ok = c.sweeps > 0 && run >= compute && extra % c.sweeps == 0 && extra / c.sweeps <= 1000u;
        check(ok, CHECK_CYCLES, "CYCLES: %u for %u sweeps = %u * (%u * %u + latency %u)", (unsigned)run,
              (unsigned)c.sweeps, (unsigned)c.sweeps, (unsigned)N, (unsigned)k_n,
              (unsigned)(c.sweeps ? extra / c.sweeps : 0));
    }

    printf("self-test passed\n");
    return 0;
}
