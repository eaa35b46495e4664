/* mind_fw: the board's command firmware. It serves the host through the
 * mailbox (HOSTIF registers and the 64 KiB buffer) with the protocol of
 * mind_fw_protocol.h (docs/host-protocol.md):
 *
 *   - sleeps (wfi) until the doorbell interrupt;
 *   - reads CMD and ARG[0..7], clears IRQ_STATUS.DOORBELL, executes;
 *   - writes RESULT[0..7], then RESP (response code and the CMD's tag), then READY = 1.
 *
 * It never exits and never faults on what the host sends: every argument is
 * checked before anything is touched, and a bad one gets an error response.
 * Chip operations wait for DONE on the chip's interrupt, bounded by a time
 * limit (the board timer's compare interrupt): past it the chip is aborted
 * and the answer is MIND_FW_E_TIMEOUT.
 *
 * The chip's interrupt is enabled only while the firmware waits for its own
 * command, so a host driving the chip in bare mode keeps the chip's IRQ bits
 * to itself while this firmware sleeps.
 *
 * CLASSIFY is the hot path: per image, the state words, SEED, START, the
 * interrupt, six counter reads, the label fields and an 8-word record.
 */
#include <stdint.h>
#include <stdio.h>

#include "mind1024_board.h"
#include "mind1024_regs.h"
#include "mind_board.h"
#include "mind_bus.h"
#include "mind_chip.h"
#include "mind_fw_protocol.h"

#define FW_VERSION ((1u << 16) | 0u) /* firmware 1.0 */
#define FW_CAPS                                                                                               \
    (MIND_FW_CAP_IRQ_WAIT | MIND_FW_CAP_CLASSIFY | MIND_FW_CAP_SELFTEST | MIND_FW_CAP_TIME_LIMIT |            \
     MIND_FW_CAP_TAGS | MIND_FW_CAP_NOISE)

/* The protocol's MODE bits are the chip's. */
_Static_assert(MIND_FW_MODE_ORDER_MASK == MIND_MODE_ORDER_MASK, "MODE.ORDER");
_Static_assert(MIND_FW_MODE_OVF_WRAP == MIND_MODE_OVF_WRAP, "MODE.OVF_WRAP");
_Static_assert(MIND_FW_MODE_NOISE_EN == MIND_MODE_NOISE_EN, "MODE.NOISE_EN");
_Static_assert(MIND_FW_BUF_BYTES == MIND_HOSTIF_BUF_SIZE, "buffer size");
_Static_assert(MIND_FW_ARGS == MIND_HOSTIF_REG_ARG_COUNT && MIND_FW_RESULTS == MIND_HOSTIF_REG_RESULT_COUNT,
               "mailbox");

/* After an ABORT (time limit), how long to wait for the chip's DONE. */
#define ABORT_WAIT_US 1000000u

/* ------------------------------------------------------------------ bus */

static inline uint32_t chip_rd(uint32_t off) { return mind_read32(MIND_CHIP_BASE + off); }
static inline void chip_wr(uint32_t off, uint32_t v) { mind_write32(MIND_CHIP_BASE + off, v); }
static inline uint32_t buf_rd(uint32_t off) { return mind_read32(MIND_HOSTIF_BUF_BASE + off); }
static inline void buf_wr(uint32_t off, uint32_t v) { mind_write32(MIND_HOSTIF_BUF_BASE + off, v); }
static inline uint32_t hostif_rd(uint32_t off) { return mind_read32(MIND_HOSTIF_BASE + off); }
static inline void hostif_wr(uint32_t off, uint32_t v) { mind_write32(MIND_HOSTIF_BASE + off, v); }
static inline uint32_t time_lo(void) { return mind_read32(MIND_TIMER_BASE + MIND_TIMER_REG_TIME_LO); }

/* ------------------------------------------------------------------ state */

static mind_chip_t chip;
static int probe_result;                 /* mind_chip_probe at boot */
static uint32_t buf_bytes;               /* the buffer the protocol uses */
static uint32_t limit_ms = MIND_FW_DEFAULT_LIMIT_MS;
static uint32_t res[MIND_FW_RESULTS];    /* RESULT[] of the command being served */
static volatile uint32_t doorbell_rung;  /* set by the interrupt handler */
static volatile uint32_t doorbells;      /* doorbell interrupts taken */
static volatile uint32_t alarm_fired;    /* the time limit passed */

/* LOAD_WEIGHTS / LOAD_THRESHOLDS stage the buffer in SRAM: the buffer is read
 * once (values checked on the way) and the chip is written from SRAM. */
static uint32_t stage[MIND_FW_BUF_BYTES / 4u];

/* ------------------------------------------------------------------ interrupts */

/* The chip's line reaches the CPU only while the firmware waits for a chip
 * operation of its own; otherwise a bare-mode host owns the chip and its IRQ
 * bits (SYSCTRL.IRQ_ENABLE masks the line, so the firmware sleeps on). */
static void own_chip_irq(int on) {
    mind_write32(MIND_SYSCTRL_BASE + MIND_SYSCTRL_REG_IRQ_ENABLE,
                 MIND_SYSCTRL_IRQ_ENABLE_HOSTIF | MIND_SYSCTRL_IRQ_ENABLE_TIMER | (on ? MIND_SYSCTRL_IRQ_ENABLE_CHIP : 0u));
}

static void on_interrupt(void) {
    /* Only the sources routed to the CPU: a host's pending chip DONE is not ours to clear. */
    const uint32_t src = mind_irq_sources() & mind_read32(MIND_SYSCTRL_BASE + MIND_SYSCTRL_REG_IRQ_ENABLE);
    if (src & MIND_SYSCTRL_IRQ_SOURCES_CHIP) mind_chip_isr(&chip); /* reads and clears IRQ_STATUS */
    if (src & MIND_SYSCTRL_IRQ_SOURCES_HOSTIF) {
        /* Masked until the command's CMD and ARGs are read (serve()). */
        hostif_wr(MIND_HOSTIF_REG_IRQ_EN, 0);
        doorbell_rung = 1;
        ++doorbells;
    }
    if (src & MIND_SYSCTRL_IRQ_SOURCES_TIMER) {
        mind_timer_alarm_off();
        alarm_fired = 1;
    }
}

/* The time limit of `ops` chip operations from now. */
static void arm_limit(uint32_t ops) {
    alarm_fired = 0;
    mind_timer_alarm_at(mind_timer_us() + (uint64_t)limit_ms * 1000u * ops);
}

static void disarm_limit(void) {
    mind_timer_alarm_off();
    alarm_fired = 0;
}

/* ------------------------------------------------------------------ helpers */

static uint32_t bad_arg(uint32_t index, uint32_t value) {
    res[MIND_FW_ERR_DETAIL] = index;
    res[MIND_FW_ERR_VALUE] = value;
    return MIND_FW_E_BAD_ARG;
}

static uint32_t chip_error(uint32_t status) {
    res[MIND_FW_ERR_DETAIL] = (status & MIND_STATUS_ERR_CODE_MASK) >> MIND_STATUS_ERR_CODE_SHIFT;
    res[MIND_FW_ERR_VALUE] = status;
    return MIND_FW_E_CHIP;
}

static int chip_busy(void) { return (chip_rd(MIND_REG_STATUS) & MIND_STATUS_BUSY) != 0; }

static int mode_ok(uint32_t mode) {
    return !(mode & ~MIND_FW_MODE_BITS) && (mode & MIND_FW_MODE_ORDER_MASK) <= MIND_FW_ORDER_MAX;
}

static uint64_t chip_cycles(void) {
    const uint32_t lo = chip_rd(MIND_REG_CYCLES_LO); /* latches CYCLES_HI */
    return ((uint64_t)chip_rd(MIND_REG_CYCLES_HI) << 32) | lo;
}

/* After register or memory writes: an ERR the chip raised for them (as the
 * host's bare-mode Board::check_error does). */
static uint32_t check_chip_error(void) {
    if (!(chip_rd(MIND_REG_IRQ_STATUS) & MIND_IRQ_STATUS_ERR)) return MIND_FW_OK;
    chip_wr(MIND_REG_IRQ_STATUS, MIND_IRQ_STATUS_ERR);
    return chip_error(chip_rd(MIND_REG_STATUS));
}

/* Issues a chip command (START, STEP, HEBB, CLEAR_SYN). The chip's DONE and
 * ERR interrupts must be enabled (IRQ_EN) by the caller. */
static void issue(uint32_t ctrl) {
    chip_wr(MIND_REG_IRQ_STATUS, MIND_IRQ_STATUS_DONE | MIND_IRQ_STATUS_ERR);
    chip.irq_seen = 0;
    chip_wr(MIND_REG_CTRL, ctrl);
}

/* Sleeps until the command just issued ends (DONE, or ERR with the chip idle)
 * or the time limit passes (then ABORT and a bounded wait for its DONE).
 * *status = STATUS at the end. */
static uint32_t wait_done(uint32_t *status) {
    for (;;) {
        const uint32_t seen = chip.irq_seen;
        if (seen & MIND_IRQ_STATUS_DONE) {
            *status = chip_rd(MIND_REG_STATUS);
            return (seen & MIND_IRQ_STATUS_ERR) ? chip_error(*status) : MIND_FW_OK;
        }
        if (seen & MIND_IRQ_STATUS_ERR) {
            /* ERR alone: refused (nothing runs), or a write while BUSY, the run going on to its DONE. */
            *status = chip_rd(MIND_REG_STATUS);
            if (!(*status & MIND_STATUS_BUSY)) return chip_error(*status);
        }
        if (alarm_fired) break;
        mind_wfi();
    }
    chip_wr(MIND_REG_CTRL, MIND_CTRL_ABORT);
    alarm_fired = 0;
    mind_timer_alarm_at(mind_timer_us() + ABORT_WAIT_US);
    while (!(chip.irq_seen & MIND_IRQ_STATUS_DONE) && !alarm_fired) mind_wfi();
    *status = chip_rd(MIND_REG_STATUS);
    res[MIND_FW_ERR_DETAIL] = limit_ms;
    res[MIND_FW_ERR_VALUE] = *status;
    return MIND_FW_E_TIMEOUT;
}

/* One chip operation, waited for; RESULT as RUN's. */
static uint32_t operate(uint32_t ctrl) {
    const uint64_t c0 = chip_cycles();
    uint32_t status = 0, r;
    own_chip_irq(1);
    chip_wr(MIND_REG_IRQ_EN, MIND_IRQ_EN_DONE | MIND_IRQ_EN_ERR);
    arm_limit(1);
    issue(ctrl);
    r = wait_done(&status);
    chip_wr(MIND_REG_IRQ_EN, 0);
    own_chip_irq(0);
    disarm_limit();
    if (r != MIND_FW_OK) return r;
    const uint64_t cycles = chip_cycles() - c0;
    res[MIND_FW_RUN_RES_STATUS] = status;
    res[MIND_FW_RUN_RES_SWEEPS] = chip_rd(MIND_REG_SWEEPS);
    res[MIND_FW_RUN_RES_FLIPS] = chip_rd(MIND_REG_FLIPS);
    res[MIND_FW_RUN_RES_OVF_COUNT] = chip_rd(MIND_REG_OVF_COUNT);
    res[MIND_FW_RUN_RES_CYCLES_LO] = (uint32_t)cycles;
    res[MIND_FW_RUN_RES_CYCLES_HI] = (uint32_t)(cycles >> 32);
    return MIND_FW_OK;
}

/* ------------------------------------------------------------------ commands */

static uint32_t cmd_version(void) {
    res[MIND_FW_VERSION_RES_FIRMWARE] = FW_VERSION;
    res[MIND_FW_VERSION_RES_PROTOCOL] = MIND_FW_PROTOCOL_VERSION;
    res[MIND_FW_VERSION_RES_CAPS] = FW_CAPS;
    res[MIND_FW_VERSION_RES_CONFIG] = chip.config;
    res[MIND_FW_VERSION_RES_CHIP_ID] = chip.id;
    res[MIND_FW_VERSION_RES_CHIP_VERSION] = chip.version;
    res[MIND_FW_VERSION_RES_BUF_BYTES] = buf_bytes;
    res[MIND_FW_VERSION_RES_LIMIT_MS] = limit_ms;
    return probe_result == MIND_OK ? MIND_FW_OK : MIND_FW_E_NO_CHIP;
}

static uint32_t cmd_set_limit(const uint32_t *a) {
    limit_ms = a[MIND_FW_LIMIT_ARG_MS] ? a[MIND_FW_LIMIT_ARG_MS] : MIND_FW_DEFAULT_LIMIT_MS;
    res[0] = limit_ms;
    return MIND_FW_OK;
}

/* Two patterns through `words` words at `addr` (read back), then zeros. */
static int pattern_test(volatile uint32_t *p, uint32_t words) {
    uint32_t k, pass;
    for (pass = 0; pass < 2; ++pass) {
        const uint32_t x = pass ? 0xFFFFFFFFu : 0u;
        for (k = 0; k < words; ++k) p[k] = (k * 0x9E3779B9u ^ 0xA5A5A5A5u) ^ x;
        for (k = 0; k < words; ++k)
            if (p[k] != ((k * 0x9E3779B9u ^ 0xA5A5A5A5u) ^ x)) return 0;
    }
    for (k = 0; k < words; ++k) p[k] = 0;
    return 1;
}

static uint32_t cmd_selftest(void) {
    const uint64_t t0 = mind_timer_us();
    uint32_t passed = 0, failed = 0;
    mind_chip_t probe;
    /* 1. the chip answers as at boot */
    if (mind_chip_probe_board(&probe) == MIND_OK && probe.config == chip.config) ++passed;
    else failed = MIND_FW_ST_CHIP;
    /* 2. the buffer */
    if (!failed) {
        if (pattern_test((volatile uint32_t *)(uintptr_t)MIND_HOSTIF_BUF_BASE, buf_bytes / 4u)) ++passed;
        else failed = MIND_FW_ST_BUFFER;
    }
    /* 3. SRAM (the staging area) */
    if (!failed) {
        if (pattern_test(stage, sizeof stage / 4u)) ++passed;
        else failed = MIND_FW_ST_SRAM;
    }
    /* 4. a chip register, restored */
    if (!failed) {
        if (chip_busy()) return MIND_FW_E_BUSY;
        const uint32_t temp = chip_rd(MIND_REG_TEMP);
        chip_wr(MIND_REG_TEMP, 0xA5A55A5Au);
        const uint32_t a = chip_rd(MIND_REG_TEMP);
        chip_wr(MIND_REG_TEMP, ~0xA5A55A5Au);
        const uint32_t b = chip_rd(MIND_REG_TEMP);
        chip_wr(MIND_REG_TEMP, temp);
        if (a == 0xA5A55A5Au && b == ~0xA5A55A5Au && chip_rd(MIND_REG_TEMP) == temp) ++passed;
        else failed = MIND_FW_ST_REGISTER;
    }
    /* 5. time went on */
    if (!failed) {
        if (mind_timer_us() > t0) ++passed;
        else failed = MIND_FW_ST_TIMER;
    }
    /* 6. this command came by interrupt */
    if (!failed) {
        if (doorbells > 0) ++passed;
        else failed = MIND_FW_ST_DOORBELL;
    }
    if (failed) {
        res[0] = failed;
        res[1] = passed;
        return MIND_FW_E_SELFTEST;
    }
    res[0] = passed;
    return MIND_FW_OK;
}

/* The checks of a block of weight rows; MIND_FW_OK or an error response. */
static uint32_t check_rows(const uint32_t *a) {
    const uint32_t first = a[MIND_FW_WEIGHTS_ARG_FIRST_ROW], rows = a[MIND_FW_WEIGHTS_ARG_ROWS],
                   cols = a[MIND_FW_WEIGHTS_ARG_COLS];
    if (first >= chip.n_max) return bad_arg(MIND_FW_WEIGHTS_ARG_FIRST_ROW, first);
    if (cols == 0 || cols > chip.n_max) return bad_arg(MIND_FW_WEIGHTS_ARG_COLS, cols);
    if (rows == 0 || rows > chip.n_max - first || rows > mind_fw_max_rows(buf_bytes, cols))
        return bad_arg(MIND_FW_WEIGHTS_ARG_ROWS, rows);
    return MIND_FW_OK;
}

static uint32_t cmd_load_weights(const uint32_t *a) {
    uint32_t r = check_rows(a);
    if (r != MIND_FW_OK) return r;
    const uint32_t first = a[MIND_FW_WEIGHTS_ARG_FIRST_ROW], rows = a[MIND_FW_WEIGHTS_ARG_ROWS],
                   cols = a[MIND_FW_WEIGHTS_ARG_COLS];
    const uint32_t words = (cols + 1u) / 2u, odd = cols & 1u;
    uint32_t total = rows * words;
    if (chip_busy()) return MIND_FW_E_BUSY;
    /* Stage and check: v fits WBITS iff v + 2^(WBITS-1) is in [0, 2^WBITS - 1]. */
    const uint32_t half = 1u << (chip.wbits - 1u), span = (chip.wbits >= 16u) ? 0xFFFFu : (1u << chip.wbits) - 1u;
    uint32_t k, row = 0, col = 0;
    if (!odd) {
        /* No padding: stage everything, OR the offset halves together; look closer only if one is out. */
        uint32_t seen = 0;
        for (k = 0; k < total; ++k) {
            const uint32_t v = buf_rd(4u * k);
            stage[k] = v;
            seen |= (uint32_t)((int32_t)(int16_t)v + (int32_t)half) | (uint32_t)(((int32_t)v >> 16) + (int32_t)half);
        }
        if (!(seen & ~span)) total = 0; /* all fit: nothing to look at below */
    }
    for (k = 0; k < total; ++k) {
        const uint32_t v = buf_rd(4u * k);
        stage[k] = v;
        if ((uint32_t)((int32_t)(int16_t)v + (int32_t)half) > span) {
            res[MIND_FW_ERR_DETAIL] = row * cols + col;
            res[MIND_FW_ERR_VALUE] = (uint32_t)(int32_t)(int16_t)v;
            return MIND_FW_E_RANGE;
        }
        if (!(odd && col + 1u == cols) && (uint32_t)(((int32_t)v >> 16) + (int32_t)half) > span) {
            res[MIND_FW_ERR_DETAIL] = row * cols + col + 1u;
            res[MIND_FW_ERR_VALUE] = (uint32_t)((int32_t)v >> 16);
            return MIND_FW_E_RANGE;
        }
        col += 2u;
        if (col >= cols) col = 0, ++row;
    }
    /* Write through the synapse window, row i at (i * N_MAX) * 2. */
    const uint32_t *src = stage;
    for (row = 0; row < rows; ++row, src += words) {
        uint32_t dst = MIND_CHIP_SYN_BASE + (first + row) * chip.n_max * 2u;
        if (!(dst & 2u)) {
            for (k = 0; k + odd < words; ++k) mind_write32(dst + 4u * k, src[k]);
            if (odd) mind_write16(dst + 4u * k, (uint16_t)src[k]);
        } else { /* odd N_MAX: this row starts mid-word */
            for (col = 0; col < cols; ++col, dst += 2u)
                mind_write16(dst, (uint16_t)(src[col / 2u] >> (16u * (col & 1u))));
        }
    }
    return check_chip_error();
}

static uint32_t cmd_read_weights(const uint32_t *a) {
    uint32_t r = check_rows(a);
    if (r != MIND_FW_OK) return r;
    const uint32_t first = a[MIND_FW_WEIGHTS_ARG_FIRST_ROW], rows = a[MIND_FW_WEIGHTS_ARG_ROWS],
                   cols = a[MIND_FW_WEIGHTS_ARG_COLS];
    const uint32_t words = (cols + 1u) / 2u, odd = cols & 1u;
    uint32_t row, k, out = 0;
    for (row = 0; row < rows; ++row) {
        uint32_t src = MIND_CHIP_SYN_BASE + (first + row) * chip.n_max * 2u;
        if (!(src & 2u)) {
            for (k = 0; k + odd < words; ++k, out += 4u) buf_wr(out, mind_read32(src + 4u * k));
            if (odd) buf_wr(out, mind_read16(src + 4u * k)), out += 4u;
        } else {
            uint32_t col;
            for (col = 0; col < cols; col += 2u, out += 4u) {
                uint32_t v = mind_read16(src + 2u * col);
                if (col + 1u < cols) v |= (uint32_t)mind_read16(src + 2u * col + 2u) << 16;
                buf_wr(out, v);
            }
        }
    }
    return MIND_FW_OK;
}

static uint32_t cmd_load_thresholds(const uint32_t *a) {
    const uint32_t first = a[MIND_FW_RANGE_ARG_FIRST], count = a[MIND_FW_RANGE_ARG_COUNT];
    uint32_t k;
    if (first >= chip.n_max) return bad_arg(MIND_FW_RANGE_ARG_FIRST, first);
    if (count == 0 || count > chip.n_max - first || count > mind_fw_max_values(buf_bytes))
        return bad_arg(MIND_FW_RANGE_ARG_COUNT, count);
    if (chip_busy()) return MIND_FW_E_BUSY;
    for (k = 0; k < count; ++k) {
        const uint32_t v = buf_rd(4u * k);
        stage[k] = v;
        if (chip.abits < 32u) {
            const int64_t hi = ((int64_t)1 << (chip.abits - 1u)) - 1, lo = -hi - 1;
            if ((int32_t)v < lo || (int32_t)v > hi) {
                res[MIND_FW_ERR_DETAIL] = k;
                res[MIND_FW_ERR_VALUE] = v;
                return MIND_FW_E_RANGE;
            }
        }
    }
    chip_wr(MIND_REG_THR_ADDR, first);
    for (k = 0; k < count; ++k) chip_wr(MIND_REG_THR_DATA, stage[k]);
    return check_chip_error();
}

/* SET_STATE / SET_CLAMP: bit words from the buffer into STATE / CLAMP from `reg0`. */
static uint32_t cmd_set_bits(const uint32_t *a, uint32_t reg0) {
    const uint32_t count = a[MIND_FW_BITS_ARG_COUNT];
    if (count > chip.n_max) return bad_arg(MIND_FW_BITS_ARG_COUNT, count);
    if (count == 0) return MIND_FW_OK;
    if (chip_busy()) return MIND_FW_E_BUSY;
    const uint32_t words = mind_fw_bit_words(count), tail = count & 31u;
    uint32_t k;
    for (k = 0; k + 1u < words; ++k) chip_wr(reg0 + 4u * k, buf_rd(4u * k));
    uint32_t v = buf_rd(4u * k);
    if (tail) { /* neurons from `count` on keep their bits */
        const uint32_t mine = (1u << tail) - 1u;
        v = (v & mine) | (chip_rd(reg0 + 4u * k) & ~mine);
    }
    chip_wr(reg0 + 4u * k, v);
    return check_chip_error();
}

static uint32_t cmd_read_state(const uint32_t *a) {
    const uint32_t count = a[MIND_FW_BITS_ARG_COUNT];
    uint32_t k;
    if (count == 0 || count > chip.n_max) return bad_arg(MIND_FW_BITS_ARG_COUNT, count);
    for (k = 0; k < mind_fw_bit_words(count); ++k) buf_wr(4u * k, chip_rd(MIND_REG_STATE(k)));
    return MIND_FW_OK;
}

static uint32_t cmd_read_fields(const uint32_t *a) {
    const uint32_t first = a[MIND_FW_RANGE_ARG_FIRST], count = a[MIND_FW_RANGE_ARG_COUNT];
    uint32_t k;
    if (first >= chip.n_max) return bad_arg(MIND_FW_RANGE_ARG_FIRST, first);
    if (count == 0 || count > chip.n_max - first || count > mind_fw_max_values(buf_bytes))
        return bad_arg(MIND_FW_RANGE_ARG_COUNT, count);
    chip_wr(MIND_REG_FIELD_ADDR, first);
    for (k = 0; k < count; ++k) buf_wr(4u * k, chip_rd(MIND_REG_FIELD_DATA));
    return MIND_FW_OK;
}

static uint32_t cmd_run(const uint32_t *a, uint32_t ctrl) {
    const uint32_t mode = a[MIND_FW_RUN_ARG_MODE], n = a[MIND_FW_RUN_ARG_N_ACTIVE],
                   sweeps = a[MIND_FW_RUN_ARG_MAX_SWEEPS];
    if (!mode_ok(mode)) return bad_arg(MIND_FW_RUN_ARG_MODE, mode);
    if (n == 0 || n > chip.n_max) return bad_arg(MIND_FW_RUN_ARG_N_ACTIVE, n);
    if (sweeps == 0) return bad_arg(MIND_FW_RUN_ARG_MAX_SWEEPS, sweeps);
    if (chip_busy()) return MIND_FW_E_BUSY;
    chip_wr(MIND_REG_MODE, mode);
    chip_wr(MIND_REG_N_ACTIVE, n);
    chip_wr(MIND_REG_MAX_SWEEPS, sweeps);
    chip_wr(MIND_REG_TEMP, a[MIND_FW_RUN_ARG_TEMP]);
    chip_wr(MIND_REG_SEED, a[MIND_FW_RUN_ARG_SEED]);
    return operate(ctrl);
}

static uint32_t cmd_hebb(const uint32_t *a) {
    const uint32_t n = a[MIND_FW_HEBB_ARG_N_ACTIVE];
    if (n == 0 || n > chip.n_max) return bad_arg(MIND_FW_HEBB_ARG_N_ACTIVE, n);
    if (chip_busy()) return MIND_FW_E_BUSY;
    chip_wr(MIND_REG_N_ACTIVE, n);
    return operate(MIND_CTRL_HEBB);
}

static uint32_t cmd_clear_syn(void) {
    if (chip_busy()) return MIND_FW_E_BUSY;
    return operate(MIND_CTRL_CLEAR_SYN);
}

static uint32_t cmd_soft_reset(void) {
    chip_wr(MIND_REG_CTRL, MIND_CTRL_SOFT_RESET);
    chip.irq_seen = 0;
    return MIND_FW_OK;
}

static uint32_t cmd_read_counters(void) {
    res[MIND_FW_CNT_RES_STATUS] = chip_rd(MIND_REG_STATUS);
    res[MIND_FW_CNT_RES_SWEEPS] = chip_rd(MIND_REG_SWEEPS);
    res[MIND_FW_CNT_RES_FLIPS] = chip_rd(MIND_REG_FLIPS);
    const uint64_t c = chip_cycles();
    res[MIND_FW_CNT_RES_CYCLES_LO] = (uint32_t)c;
    res[MIND_FW_CNT_RES_CYCLES_HI] = (uint32_t)(c >> 32);
    res[MIND_FW_CNT_RES_OVF_COUNT] = chip_rd(MIND_REG_OVF_COUNT);
    return MIND_FW_OK;
}

/* The summed field of the next `reps` neurons from FIELD_DATA. */
static int64_t label_sum(uint32_t reps) {
    int64_t sum = 0;
    uint32_t r;
    for (r = 0; r < reps; ++r) sum += (int32_t)chip_rd(MIND_REG_FIELD_DATA);
    return sum;
}

/* CLASSIFY's tie rule: the class of the largest-field prototype among the
 * classes whose label sum is `top` (marked in a bit set: classes * reps fit
 * below N_MAX, so at most MIND_FW_MAX_NEURONS classes). */
static uint32_t break_tie(uint32_t first_label, uint32_t protos, uint32_t classes, uint32_t reps, int64_t top,
                          uint32_t fallback) {
    static uint32_t tied[MIND_FW_MAX_NEURONS / 32u];
    uint32_t c, m, best = fallback, found = 0;
    int32_t best_field = 0;
    chip_wr(MIND_REG_FIELD_ADDR, first_label);
    for (c = 0; c < classes; ++c) {
        if (label_sum(reps) == top) tied[c / 32u] |= 1u << (c % 32u);
        else tied[c / 32u] &= ~(1u << (c % 32u));
    }
    chip_wr(MIND_REG_FIELD_ADDR, first_label - protos);
    for (m = 0, c = 0; m < protos; ++m) {
        const int32_t f = (int32_t)chip_rd(MIND_REG_FIELD_DATA);
        if ((tied[c / 32u] >> (c % 32u) & 1u) && (!found || f > best_field)) best = c, best_field = f, found = 1;
        if (++c == classes) c = 0;
    }
    return best;
}

static uint32_t cmd_classify(const uint32_t *a) {
    const uint32_t count = a[MIND_FW_CLASSIFY_ARG_COUNT], n = a[MIND_FW_CLASSIFY_ARG_N],
                   first_arg = a[MIND_FW_CLASSIFY_ARG_FIRST_LABEL], labels = a[MIND_FW_CLASSIFY_ARG_LABELS],
                   mode = a[MIND_FW_CLASSIFY_ARG_MODE], sweeps = a[MIND_FW_CLASSIFY_ARG_MAX_SWEEPS],
                   seed0 = a[MIND_FW_CLASSIFY_ARG_FIRST_SEED];
    const uint32_t classes = labels & 0xFFFFu, reps = labels >> 16;
    const uint32_t first_label = first_arg & 0xFFFFu, protos = first_arg >> 16;
    if (count == 0 || (n && n <= chip.n_max && count > mind_fw_classify_max_images(buf_bytes, n)))
        return bad_arg(MIND_FW_CLASSIFY_ARG_COUNT, count);
    if (n == 0 || n > chip.n_max) return bad_arg(MIND_FW_CLASSIFY_ARG_N, n);
    if (first_label >= chip.n_max || protos > first_label) return bad_arg(MIND_FW_CLASSIFY_ARG_FIRST_LABEL, first_arg);
    if (classes == 0 || reps == 0 || classes * reps > chip.n_max - first_label)
        return bad_arg(MIND_FW_CLASSIFY_ARG_LABELS, labels);
    if (!mode_ok(mode)) return bad_arg(MIND_FW_CLASSIFY_ARG_MODE, mode);
    if (sweeps == 0) return bad_arg(MIND_FW_CLASSIFY_ARG_MAX_SWEEPS, sweeps);
    if (chip_busy()) return MIND_FW_E_BUSY;

    /* The run's parameters stay in the chip's registers for the whole batch; only SEED changes. */
    chip_wr(MIND_REG_MODE, mode);
    chip_wr(MIND_REG_N_ACTIVE, n);
    chip_wr(MIND_REG_MAX_SWEEPS, sweeps);
    chip_wr(MIND_REG_TEMP, a[MIND_FW_CLASSIFY_ARG_TEMP]);

    const uint32_t words = mind_fw_bit_words(n), last = MIND_REG_STATE(words - 1u), tail = n & 31u;
    const uint32_t mine = tail ? (1u << tail) - 1u : 0xFFFFFFFFu;
    const uint32_t rec0 = mind_fw_classify_results_offset(count, n);
    uint32_t src = MIND_HOSTIF_BUF_BASE, rec = MIND_HOSTIF_BUF_BASE + rec0, result = MIND_FW_OK, k;
    uint64_t cycles = chip_cycles();
    const uint32_t t_start = time_lo();
    uint32_t t_prev = t_start;

    own_chip_irq(1);
    chip_wr(MIND_REG_IRQ_EN, MIND_IRQ_EN_DONE | MIND_IRQ_EN_ERR);
    arm_limit(count);
    for (k = 0; k < count; ++k) {
        /* the image's initial state; neurons from n on in the last word keep theirs */
        uint32_t w, st = MIND_CHIP_BASE + MIND_REG_STATE(0);
        for (w = 0; w + 1u < words; ++w, src += 4u, st += 4u) mind_write32(st, mind_read32(src));
        uint32_t v = mind_read32(src);
        src += 4u;
        if (tail) v = (v & mine) | (chip_rd(last) & ~mine);
        chip_wr(last, v);
        chip_wr(MIND_REG_SEED, seed0 + k);
        issue(MIND_CTRL_START);
        uint32_t status;
        result = wait_done(&status);
        if (result != MIND_FW_OK) break;
        const uint32_t sw = chip_rd(MIND_REG_SWEEPS), fl = chip_rd(MIND_REG_FLIPS), ovf = chip_rd(MIND_REG_OVF_COUNT);
        const uint64_t c1 = chip_cycles(), run = c1 - cycles;
        cycles = c1;
        /* the label: the largest summed field over a class's reps neurons */
        chip_wr(MIND_REG_FIELD_ADDR, first_label);
        uint32_t c, best = 0, tie = 0;
        int64_t best_sum = 0;
        for (c = 0; c < classes; ++c) {
            const int64_t sum = label_sum(reps);
            if (c == 0 || sum > best_sum) best = c, best_sum = sum, tie = 0;
            else if (sum == best_sum) tie = 1;
        }
        if (tie && protos) best = break_tie(first_label, protos, classes, reps, best_sum, best);
        const uint32_t t = time_lo();
        mind_write32(rec + 4u * MIND_FW_REC_LABEL, best);
        mind_write32(rec + 4u * MIND_FW_REC_SWEEPS, sw);
        mind_write32(rec + 4u * MIND_FW_REC_FLIPS, fl);
        mind_write32(rec + 4u * MIND_FW_REC_OVF_COUNT, ovf);
        mind_write32(rec + 4u * MIND_FW_REC_FLAGS, ((status & MIND_STATUS_CONVERGED) ? MIND_FW_FLAG_CONVERGED : 0u) |
                                                       ((status & MIND_STATUS_CYCLE2) ? MIND_FW_FLAG_CYCLE2 : 0u) |
                                                       (tie ? MIND_FW_FLAG_TIED : 0u));
        mind_write32(rec + 4u * MIND_FW_REC_CYCLES_LO, (uint32_t)run);
        mind_write32(rec + 4u * MIND_FW_REC_CYCLES_HI, (uint32_t)(run >> 32));
        mind_write32(rec + 4u * MIND_FW_REC_TIME_US, t - t_prev);
        rec += 4u * MIND_FW_CLASSIFY_RECORD_WORDS;
        t_prev = t;
    }
    chip_wr(MIND_REG_IRQ_EN, 0);
    own_chip_irq(0);
    disarm_limit();
    if (result != MIND_FW_OK) {
        res[MIND_FW_ERR_PROGRESS] = k;
        return result;
    }
    res[MIND_FW_CLASSIFY_RES_DONE] = count;
    res[MIND_FW_CLASSIFY_RES_OFFSET] = rec0;
    res[MIND_FW_CLASSIFY_RES_TIME_US] = t_prev - t_start;
    return MIND_FW_OK;
}

/* ------------------------------------------------------------------ the loop */

static uint32_t execute(uint32_t code, const uint32_t *a) {
    switch (code) {
        case MIND_FW_CMD_VERSION: return cmd_version();
        case MIND_FW_CMD_SET_LIMIT: return cmd_set_limit(a);
        default: break;
    }
    if (probe_result != MIND_OK) {
        switch (code) {
            case MIND_FW_CMD_SELFTEST: case MIND_FW_CMD_LOAD_WEIGHTS: case MIND_FW_CMD_READ_WEIGHTS:
            case MIND_FW_CMD_LOAD_THRESHOLDS: case MIND_FW_CMD_SET_STATE: case MIND_FW_CMD_SET_CLAMP:
            case MIND_FW_CMD_READ_STATE: case MIND_FW_CMD_READ_FIELDS: case MIND_FW_CMD_RUN: case MIND_FW_CMD_STEP:
            case MIND_FW_CMD_READ_COUNTERS: case MIND_FW_CMD_HEBB: case MIND_FW_CMD_CLEAR_SYN:
            case MIND_FW_CMD_SOFT_RESET: case MIND_FW_CMD_CLASSIFY:
                res[MIND_FW_ERR_DETAIL] = (uint32_t)probe_result;
                return MIND_FW_E_NO_CHIP;
            default: break;
        }
    }
    switch (code) {
        case MIND_FW_CMD_SELFTEST: return cmd_selftest();
        case MIND_FW_CMD_LOAD_WEIGHTS: return cmd_load_weights(a);
        case MIND_FW_CMD_READ_WEIGHTS: return cmd_read_weights(a);
        case MIND_FW_CMD_LOAD_THRESHOLDS: return cmd_load_thresholds(a);
        case MIND_FW_CMD_SET_STATE: return cmd_set_bits(a, MIND_REG_STATE(0));
        case MIND_FW_CMD_SET_CLAMP: return cmd_set_bits(a, MIND_REG_CLAMP(0));
        case MIND_FW_CMD_READ_STATE: return cmd_read_state(a);
        case MIND_FW_CMD_READ_FIELDS: return cmd_read_fields(a);
        case MIND_FW_CMD_RUN: return cmd_run(a, MIND_CTRL_START);
        case MIND_FW_CMD_STEP: return cmd_run(a, MIND_CTRL_STEP);
        case MIND_FW_CMD_READ_COUNTERS: return cmd_read_counters();
        case MIND_FW_CMD_HEBB: return cmd_hebb(a);
        case MIND_FW_CMD_CLEAR_SYN: return cmd_clear_syn();
        case MIND_FW_CMD_SOFT_RESET: return cmd_soft_reset();
        case MIND_FW_CMD_CLASSIFY: return cmd_classify(a);
        default:
            res[MIND_FW_ERR_DETAIL] = code;
            return MIND_FW_E_UNKNOWN_CMD;
    }
}

static void serve(void) {
    uint32_t a[MIND_FW_ARGS], k;
    const uint32_t cmd = hostif_rd(MIND_HOSTIF_REG_CMD);
    for (k = 0; k < MIND_FW_ARGS; ++k) a[k] = hostif_rd(MIND_HOSTIF_REG_ARG(k));
    hostif_wr(MIND_HOSTIF_REG_IRQ_STATUS, MIND_HOSTIF_IRQ_STATUS_DOORBELL);
    hostif_wr(MIND_HOSTIF_REG_IRQ_EN, MIND_HOSTIF_IRQ_EN_DOORBELL);
    for (k = 0; k < MIND_FW_RESULTS; ++k) res[k] = 0;
    const uint32_t resp = execute(MIND_FW_WORD_CODE(cmd), a);
    for (k = 0; k < MIND_FW_RESULTS; ++k) hostif_wr(MIND_HOSTIF_REG_RESULT(k), res[k]);
    hostif_wr(MIND_HOSTIF_REG_RESP, MIND_FW_RESP_WORD(resp, MIND_FW_WORD_TAG(cmd)));
    hostif_wr(MIND_HOSTIF_REG_READY, 1);
}

int main(void) {
    probe_result = mind_chip_probe_board(&chip);
    buf_bytes = hostif_rd(MIND_HOSTIF_REG_BUF_SIZE);
    if (buf_bytes > MIND_HOSTIF_BUF_SIZE) buf_bytes = MIND_HOSTIF_BUF_SIZE;
    buf_bytes &= ~3u;
    printf("mind_fw %u.%u: protocol %u.%u, chip %s (N_MAX %u, WBITS %u, ABITS %u, LANES %u), buffer %u bytes\n",
           (unsigned)(FW_VERSION >> 16), (unsigned)(FW_VERSION & 0xFFFFu), (unsigned)MIND_FW_PROTOCOL_MAJOR,
           (unsigned)MIND_FW_PROTOCOL_MINOR, probe_result == MIND_OK ? "ok" : mind_result_name(probe_result),
           (unsigned)chip.n_max, (unsigned)chip.wbits, (unsigned)chip.abits, (unsigned)chip.lanes,
           (unsigned)buf_bytes);
    mind_irq_set_handler(on_interrupt);
    own_chip_irq(0);
    hostif_wr(MIND_HOSTIF_REG_IRQ_EN, MIND_HOSTIF_IRQ_EN_DOORBELL);
    mind_irq_enable();
    for (;;) {
        while (!doorbell_rung) mind_wfi();
        doorbell_rung = 0;
        serve();
    }
}
