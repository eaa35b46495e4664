/* mind_chip.h: driver for the MIND 1024 chip (contract sections 1 and 2).
 *
 * Written only against the generated headers (mind1024_regs.h: the chip's
 * registers; mind1024_board.h: where the chip sits) and the bus abstraction
 * mind_bus.h, so it runs on the board and, built with -DMIND_BUS_MOCK, in
 * host unit tests (tests/firmware/chip_driver_test.cpp).
 *
 * Usage:
 *     mind_chip_t chip;
 *     if (mind_chip_probe_board(&chip) != MIND_OK) ...;  // ID, VERSION, CONFIG
 *     mind_chip_set_n_active(&chip, 64);
 *     mind_chip_write_state(&chip, pattern, 2);          // 64 neurons = 2 words
 *     mind_chip_hebb(&chip);
 *     mind_chip_wait_poll(&chip, 100000);                // or mind_chip_wait_irq
 *
 * Every function returning int returns MIND_OK (0) or a negative
 * mind_result_t; arguments are checked before anything is written, so a
 * rejected call leaves the chip untouched. Chip-side errors (ERR_CODE) are
 * reported by the wait functions for the command they waited for.
 *
 * Plain C99 (also usable from C++).
 */
#ifndef MIND_CHIP_H
#define MIND_CHIP_H

#include <stdint.h>

#include "mind1024_board.h"
#include "mind1024_regs.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum mind_result {
    MIND_OK = 0,
    MIND_E_NO_CHIP = -1,  /* ID is not MIND_ID_VALUE ("MIND") */
    MIND_E_VERSION = -2,  /* VERSION major is not MIND_HW_VERSION_MAJOR */
    MIND_E_CONFIG = -3,   /* CONFIG outside what this driver handles (see mind_chip_probe) */
    MIND_E_ARG = -4,      /* an argument out of range: nothing was written */
    MIND_E_RANGE = -5,    /* a weight or threshold does not fit WBITS / ABITS: nothing was written */
    MIND_E_TIMEOUT = -6,  /* the command had not ended within the poll / wake-up limit */
    MIND_E_CHIP = -7      /* the chip raised ERR for the command: chip->err_code is MIND_ERR_BUSY or MIND_ERR_BAD_ARG */
} mind_result_t;

/* A short name for a mind_result_t ("MIND_E_TIMEOUT", ...). */
const char *mind_result_name(int result);

typedef struct mind_chip {
    uint32_t base;     /* chip registers (MIND_CHIP_BASE on the board) */
    uint32_t syn_base; /* synapse window (MIND_CHIP_SYN_BASE) */
    /* Filled by mind_chip_probe: */
    uint32_t id, version, config;
    uint32_t n_max, wbits, abits, lanes; /* CONFIG fields */
    uint32_t state_words;                /* STATE / CLAMP words in use: ceil(n_max / 32) */
    /* Filled by the wait functions: */
    uint32_t status;   /* STATUS when the command ended (MIND_STATUS_CONVERGED, _CYCLE2, _OVF, ...) */
    uint32_t err_code; /* STATUS.ERR_CODE when a wait returned MIND_E_CHIP */
    /* IRQ_STATUS bits mind_chip_isr saw and cleared since the last command. */
    volatile uint32_t irq_seen;
} mind_chip_t;

typedef struct mind_counters {
    uint32_t sweeps;    /* SWEEPS: sweeps done by the last START/STEP */
    uint32_t flips;     /* FLIPS: neurons flipped in the last sweep */
    uint32_t ovf_count; /* OVF_COUNT: overflow events since the last START/STEP/HEBB */
    uint64_t cycles;    /* CYCLES: compute cycles since reset */
} mind_counters_t;

/* ---- probe and reset ---- */

/* Sets up *chip for the chip at `base` (registers) / `syn_base` (synapse
 * window) and reads ID, VERSION and CONFIG. MIND_E_CONFIG: N_MAX is 0 or more
 * than the 1024 neurons STATE/CLAMP and the window cover, WBITS outside
 * 1..16, ABITS 0, or LANES 0. */
int mind_chip_probe(mind_chip_t *chip, uint32_t base, uint32_t syn_base);

/* The chip of this board (mind1024_board.h). */
static inline int mind_chip_probe_board(mind_chip_t *chip) {
    return mind_chip_probe(chip, MIND_CHIP_BASE, MIND_CHIP_SYN_BASE);
}

/* CTRL.SOFT_RESET: registers, counters, state and clamp mask to their reset
 * values; synapses and thresholds are kept. */
int mind_chip_soft_reset(mind_chip_t *chip);

/* ---- configuration (all checked; MIND_E_ARG leaves the register alone) ---- */

int mind_chip_set_n_active(mind_chip_t *chip, uint32_t n);       /* 1..n_max */
int mind_chip_set_max_sweeps(mind_chip_t *chip, uint32_t sweeps); /* >= 1 */
int mind_chip_set_mode(mind_chip_t *chip, uint32_t mode);         /* whole MODE: ORDER | OVF_WRAP | NOISE_EN */
int mind_chip_set_order(mind_chip_t *chip, uint32_t order);       /* MIND_ORDER_SYNC, _ASYNC_SEQ, _ASYNC_PERM */
int mind_chip_set_noise(mind_chip_t *chip, int enable);           /* MODE.NOISE_EN */
int mind_chip_set_overflow_wrap(mind_chip_t *chip, int wrap);     /* MODE.OVF_WRAP (0: saturate) */
int mind_chip_set_temp(mind_chip_t *chip, uint32_t temp);         /* noise amplitude */
int mind_chip_set_seed(mind_chip_t *chip, uint32_t seed);         /* LFSR seed */

/* ---- memories ---- */

/* J[row0 + r][j] = w[r * stride + j] for r < rows, j < cols, through
 * SYN_ADDR / SYN_DATA (auto-increment: one SYN_ADDR write per row, or one in
 * all when cols == n_max). Every value must fit WBITS (else MIND_E_RANGE). */
int mind_chip_write_weights(mind_chip_t *chip, uint32_t row0, uint32_t rows, uint32_t cols,
                            const int16_t *w, uint32_t stride);

/* The same through the synapse window (J as int16 at (i * n_max + j) * 2):
 * two weights per 32-bit store where aligned, 16-bit stores otherwise. */
int mind_chip_write_weights_window(mind_chip_t *chip, uint32_t row0, uint32_t rows, uint32_t cols,
                                   const int16_t *w, uint32_t stride);

/* w[r * stride + j] = J[row0 + r][j], through SYN_ADDR / SYN_DATA (sign-extended). */
int mind_chip_read_weights(mind_chip_t *chip, uint32_t row0, uint32_t rows, uint32_t cols,
                           int16_t *w, uint32_t stride);

/* theta[first + k] = theta[k] for k < count (THR_ADDR / THR_DATA); each must fit ABITS. */
int mind_chip_write_thresholds(mind_chip_t *chip, uint32_t first, uint32_t count, const int32_t *theta);

/* STATE[k] / CLAMP[k] for k < words (bit b of word k is neuron 32k + b; state
 * 1 = +1, clamp 1 = clamped); words <= chip->state_words. */
int mind_chip_write_state(mind_chip_t *chip, const uint32_t *state, uint32_t words);
int mind_chip_read_state(mind_chip_t *chip, uint32_t *state, uint32_t words);
int mind_chip_write_clamp(mind_chip_t *chip, const uint32_t *clamp, uint32_t words);

/* h[k] = field of neuron first + k (FIELD_ADDR / FIELD_DATA, sign-extended). */
int mind_chip_read_fields(mind_chip_t *chip, uint32_t first, uint32_t count, int32_t *h);

/* ---- commands: each clears the chip's IRQ_STATUS and chip->irq_seen first, so
 * a wait sees only its own command's DONE / ERR ---- */

int mind_chip_start(mind_chip_t *chip);     /* sweeps until converged, 2-cycle or MAX_SWEEPS */
int mind_chip_step(mind_chip_t *chip);      /* one sweep */
int mind_chip_hebb(mind_chip_t *chip);      /* J[i][j] += s_i s_j, i != j < N_ACTIVE */
int mind_chip_clear_syn(mind_chip_t *chip); /* all synapses to 0 */
int mind_chip_abort(mind_chip_t *chip);     /* stop the run after the neuron in flight */

/* ---- waiting for the end of a command ---- */

/* Reads STATUS up to max_polls times until BUSY is clear (MIND_E_TIMEOUT
 * otherwise; max_polls 0 times out at once). Then MIND_E_CHIP if the chip
 * raised ERR for the command (chip->err_code), else MIND_OK; chip->status
 * holds the final STATUS either way. */
int mind_chip_wait_poll(mind_chip_t *chip, uint32_t max_polls);

/* Interrupt service routine for the chip: reads IRQ_STATUS, clears the bits
 * set (RW1C), records them in chip->irq_seen and returns them. Call it from
 * the board's external interrupt handler (mind_irq_set_handler). */
uint32_t mind_chip_isr(mind_chip_t *chip);

/* Enables the chip's DONE and ERR interrupts and sleeps (wfi) until
 * mind_chip_isr saw DONE, or ERR with the chip idle, waking at most
 * max_wakeups times (MIND_E_TIMEOUT otherwise); disables them again. Needs
 * mind_chip_isr routed from the interrupt handler and CPU interrupts enabled
 * (mind_irq_enable). Results as mind_chip_wait_poll. */
int mind_chip_wait_irq(mind_chip_t *chip, uint32_t max_wakeups);

/* ---- status and counters ---- */

uint32_t mind_chip_status(mind_chip_t *chip); /* STATUS now */
uint64_t mind_chip_cycles(mind_chip_t *chip); /* CYCLES_LO (latches HI), then CYCLES_HI */
void mind_chip_read_counters(mind_chip_t *chip, mind_counters_t *out);

#ifdef __cplusplus
}
#endif

#endif /* MIND_CHIP_H */
