/* mind_chip.c: driver for the MIND 1024 chip (see mind_chip.h). */
#include "mind_chip.h"

#include "mind_bus.h"

/* The STATE / CLAMP arrays and the synapse window cover this many neurons. */
#define MAX_NEURONS (MIND_REG_STATE_COUNT * 32u)

static uint32_t rd(const mind_chip_t *c, uint32_t off) { return mind_read32(c->base + off); }
static void wr(const mind_chip_t *c, uint32_t off, uint32_t v) { mind_write32(c->base + off, v); }

const char *mind_result_name(int result) {
    switch (result) {
        case MIND_OK: return "MIND_OK";
        case MIND_E_NO_CHIP: return "MIND_E_NO_CHIP";
        case MIND_E_VERSION: return "MIND_E_VERSION";
        case MIND_E_CONFIG: return "MIND_E_CONFIG";
        case MIND_E_ARG: return "MIND_E_ARG";
        case MIND_E_RANGE: return "MIND_E_RANGE";
        case MIND_E_TIMEOUT: return "MIND_E_TIMEOUT";
        case MIND_E_CHIP: return "MIND_E_CHIP";
        default: return "MIND_E_UNKNOWN";
    }
}

/* ------------------------------------------------------------------ probe, reset */

int mind_chip_probe(mind_chip_t *c, uint32_t base, uint32_t syn_base) {
    c->base = base;
    c->syn_base = syn_base;
    c->id = c->version = c->config = 0;
    c->n_max = c->wbits = c->abits = c->lanes = c->state_words = 0;
    c->status = c->err_code = 0;
    c->irq_seen = 0;

    c->id = rd(c, MIND_REG_ID);
    if (c->id != MIND_ID_VALUE) return MIND_E_NO_CHIP;
    c->version = rd(c, MIND_REG_VERSION);
    if (((c->version & MIND_VERSION_MAJOR_MASK) >> MIND_VERSION_MAJOR_SHIFT) != MIND_HW_VERSION_MAJOR)
        return MIND_E_VERSION;
    c->config = rd(c, MIND_REG_CONFIG);
    c->n_max = (c->config & MIND_CONFIG_N_MAX_MASK) >> MIND_CONFIG_N_MAX_SHIFT;
    c->wbits = (c->config & MIND_CONFIG_WBITS_MASK) >> MIND_CONFIG_WBITS_SHIFT;
    c->abits = (c->config & MIND_CONFIG_ABITS_MASK) >> MIND_CONFIG_ABITS_SHIFT;
    c->lanes = (c->config & MIND_CONFIG_LANES_MASK) >> MIND_CONFIG_LANES_SHIFT;
    if (c->n_max == 0 || c->n_max > MAX_NEURONS || c->wbits == 0 || c->wbits > 16 || c->abits == 0 ||
        c->lanes == 0)
        return MIND_E_CONFIG;
    c->state_words = (c->n_max + 31u) / 32u;
    return MIND_OK;
}

int mind_chip_soft_reset(mind_chip_t *c) {
    wr(c, MIND_REG_CTRL, MIND_CTRL_SOFT_RESET);
    c->irq_seen = 0;
    c->status = c->err_code = 0;
    return MIND_OK;
}

/* ------------------------------------------------------------------ configuration */

int mind_chip_set_n_active(mind_chip_t *c, uint32_t n) {
    if (n < 1 || n > c->n_max) return MIND_E_ARG;
    wr(c, MIND_REG_N_ACTIVE, n);
    return MIND_OK;
}

int mind_chip_set_max_sweeps(mind_chip_t *c, uint32_t sweeps) {
    if (sweeps < 1) return MIND_E_ARG;
    wr(c, MIND_REG_MAX_SWEEPS, sweeps);
    return MIND_OK;
}

#define MODE_BITS (MIND_MODE_ORDER_MASK | MIND_MODE_OVF_WRAP | MIND_MODE_NOISE_EN)

int mind_chip_set_mode(mind_chip_t *c, uint32_t mode) {
    if ((mode & ~MODE_BITS) || ((mode & MIND_MODE_ORDER_MASK) >> MIND_MODE_ORDER_SHIFT) > MIND_ORDER_ASYNC_PERM)
        return MIND_E_ARG;
    wr(c, MIND_REG_MODE, mode);
    return MIND_OK;
}

int mind_chip_set_order(mind_chip_t *c, uint32_t order) {
    if (order > MIND_ORDER_ASYNC_PERM) return MIND_E_ARG;
    const uint32_t mode = rd(c, MIND_REG_MODE) & ~MIND_MODE_ORDER_MASK;
    wr(c, MIND_REG_MODE, mode | ((order << MIND_MODE_ORDER_SHIFT) & MIND_MODE_ORDER_MASK));
    return MIND_OK;
}

static int set_mode_bit(mind_chip_t *c, uint32_t bit, int on) {
    const uint32_t mode = rd(c, MIND_REG_MODE);
    wr(c, MIND_REG_MODE, on ? (mode | bit) : (mode & ~bit));
    return MIND_OK;
}

int mind_chip_set_noise(mind_chip_t *c, int enable) { return set_mode_bit(c, MIND_MODE_NOISE_EN, enable); }
int mind_chip_set_overflow_wrap(mind_chip_t *c, int wrap) { return set_mode_bit(c, MIND_MODE_OVF_WRAP, wrap); }

int mind_chip_set_temp(mind_chip_t *c, uint32_t temp) {
    wr(c, MIND_REG_TEMP, temp);
    return MIND_OK;
}

int mind_chip_set_seed(mind_chip_t *c, uint32_t seed) {
    wr(c, MIND_REG_SEED, seed);
    return MIND_OK;
}

/* ------------------------------------------------------------------ memories */

/* A block of rows x cols inside the n_max x n_max array, with a sane stride. */
static int check_block(const mind_chip_t *c, uint32_t row0, uint32_t rows, uint32_t cols, uint32_t stride,
                       const void *w) {
    if (!w || rows == 0 || cols == 0 || cols > c->n_max || stride < cols) return MIND_E_ARG;
    if (row0 >= c->n_max || rows > c->n_max - row0) return MIND_E_ARG;
    return MIND_OK;
}

static int check_weights(const mind_chip_t *c, uint32_t rows, uint32_t cols, const int16_t *w, uint32_t stride) {
    const int32_t hi = (int32_t)((1u << (c->wbits - 1u)) - 1u), lo = -hi - 1;
    uint32_t r, j;
    for (r = 0; r < rows; ++r)
        for (j = 0; j < cols; ++j) {
            const int32_t v = w[r * stride + j];
            if (v < lo || v > hi) return MIND_E_RANGE;
        }
    return MIND_OK;
}

int mind_chip_write_weights(mind_chip_t *c, uint32_t row0, uint32_t rows, uint32_t cols, const int16_t *w,
                            uint32_t stride) {
    int e = check_block(c, row0, rows, cols, stride, w);
    if (e == MIND_OK) e = check_weights(c, rows, cols, w, stride);
    if (e != MIND_OK) return e;
    uint32_t r, j;
    /* Whole rows follow one another in the flat index: one SYN_ADDR in all. */
    if (cols == c->n_max) wr(c, MIND_REG_SYN_ADDR, row0 * c->n_max);
    for (r = 0; r < rows; ++r) {
        if (cols != c->n_max) wr(c, MIND_REG_SYN_ADDR, (row0 + r) * c->n_max);
        for (j = 0; j < cols; ++j) wr(c, MIND_REG_SYN_DATA, (uint32_t)(int32_t)w[r * stride + j]);
    }
    return MIND_OK;
}

int mind_chip_write_weights_window(mind_chip_t *c, uint32_t row0, uint32_t rows, uint32_t cols, const int16_t *w,
                                   uint32_t stride) {
    int e = check_block(c, row0, rows, cols, stride, w);
    if (e == MIND_OK) e = check_weights(c, rows, cols, w, stride);
    if (e != MIND_OK) return e;
    uint32_t r;
    for (r = 0; r < rows; ++r) {
        const int16_t *src = w + r * stride;
        uint32_t addr = c->syn_base + (row0 + r) * c->n_max * 2u, j = 0;
        if ((addr & 2u) && j < cols) { /* odd n_max: the row starts mid-word */
            mind_write16(addr, (uint16_t)src[j]);
            addr += 2u;
            ++j;
        }
        for (; j + 1u < cols; j += 2u, addr += 4u) /* little-endian: J[i][j] in the low half */
            mind_write32(addr, (uint32_t)(uint16_t)src[j] | ((uint32_t)(uint16_t)src[j + 1u] << 16));
        if (j < cols) mind_write16(addr, (uint16_t)src[j]);
    }
    return MIND_OK;
}

int mind_chip_read_weights(mind_chip_t *c, uint32_t row0, uint32_t rows, uint32_t cols, int16_t *w,
                           uint32_t stride) {
    const int e = check_block(c, row0, rows, cols, stride, w);
    if (e != MIND_OK) return e;
    uint32_t r, j;
    if (cols == c->n_max) wr(c, MIND_REG_SYN_ADDR, row0 * c->n_max);
    for (r = 0; r < rows; ++r) {
        if (cols != c->n_max) wr(c, MIND_REG_SYN_ADDR, (row0 + r) * c->n_max);
        for (j = 0; j < cols; ++j) w[r * stride + j] = (int16_t)(int32_t)rd(c, MIND_REG_SYN_DATA);
    }
    return MIND_OK;
}

int mind_chip_write_thresholds(mind_chip_t *c, uint32_t first, uint32_t count, const int32_t *theta) {
    uint32_t k;
    if (!theta || count == 0 || first >= c->n_max || count > c->n_max - first) return MIND_E_ARG;
    if (c->abits < 32u) {
        const int64_t hi = ((int64_t)1 << (c->abits - 1u)) - 1, lo = -hi - 1;
        for (k = 0; k < count; ++k)
            if (theta[k] < lo || theta[k] > hi) return MIND_E_RANGE;
    }
    wr(c, MIND_REG_THR_ADDR, first);
    for (k = 0; k < count; ++k) wr(c, MIND_REG_THR_DATA, (uint32_t)theta[k]);
    return MIND_OK;
}

static int write_words(mind_chip_t *c, uint32_t (*reg)(uint32_t), const uint32_t *v, uint32_t words) {
    uint32_t k;
    if (!v || words == 0 || words > c->state_words) return MIND_E_ARG;
    for (k = 0; k < words; ++k) wr(c, reg(k), v[k]);
    return MIND_OK;
}

static uint32_t state_reg(uint32_t k) { return MIND_REG_STATE(k); }
static uint32_t clamp_reg(uint32_t k) { return MIND_REG_CLAMP(k); }

int mind_chip_write_state(mind_chip_t *c, const uint32_t *state, uint32_t words) {
    return write_words(c, state_reg, state, words);
}

int mind_chip_write_clamp(mind_chip_t *c, const uint32_t *clamp, uint32_t words) {
    return write_words(c, clamp_reg, clamp, words);
}

int mind_chip_read_state(mind_chip_t *c, uint32_t *state, uint32_t words) {
    uint32_t k;
    if (!state || words == 0 || words > c->state_words) return MIND_E_ARG;
    for (k = 0; k < words; ++k) state[k] = rd(c, MIND_REG_STATE(k));
    return MIND_OK;
}

int mind_chip_read_fields(mind_chip_t *c, uint32_t first, uint32_t count, int32_t *h) {
    uint32_t k;
    if (!h || count == 0 || first >= c->n_max || count > c->n_max - first) return MIND_E_ARG;
    wr(c, MIND_REG_FIELD_ADDR, first);
    for (k = 0; k < count; ++k) h[k] = (int32_t)rd(c, MIND_REG_FIELD_DATA);
    return MIND_OK;
}

/* ------------------------------------------------------------------ commands */

static int command(mind_chip_t *c, uint32_t ctrl) {
    /* A stale DONE / ERR (from an earlier command or a polled run) must not
     * end this command's wait. */
    wr(c, MIND_REG_IRQ_STATUS, MIND_IRQ_STATUS_DONE | MIND_IRQ_STATUS_ERR);
    c->irq_seen = 0;
    c->status = c->err_code = 0;
    wr(c, MIND_REG_CTRL, ctrl);
    return MIND_OK;
}

int mind_chip_start(mind_chip_t *c) { return command(c, MIND_CTRL_START); }
int mind_chip_step(mind_chip_t *c) { return command(c, MIND_CTRL_STEP); }
int mind_chip_hebb(mind_chip_t *c) { return command(c, MIND_CTRL_HEBB); }
int mind_chip_clear_syn(mind_chip_t *c) { return command(c, MIND_CTRL_CLEAR_SYN); }

int mind_chip_abort(mind_chip_t *c) {
    wr(c, MIND_REG_CTRL, MIND_CTRL_ABORT);
    return MIND_OK;
}

/* ------------------------------------------------------------------ waiting */

/* The command has ended with STATUS `status`; `err` says whether the chip raised ERR for it. */
static int finish(mind_chip_t *c, uint32_t status, int err) {
    c->status = status;
    if (err) {
        c->err_code = (status & MIND_STATUS_ERR_CODE_MASK) >> MIND_STATUS_ERR_CODE_SHIFT;
        return MIND_E_CHIP;
    }
    return MIND_OK;
}

int mind_chip_wait_poll(mind_chip_t *c, uint32_t max_polls) {
    uint32_t n;
    for (n = 0; n < max_polls; ++n) {
        const uint32_t status = rd(c, MIND_REG_STATUS);
        if (!(status & MIND_STATUS_BUSY)) {
            /* IRQ_STATUS.ERR was cleared when the command was issued (STATUS.ERR is sticky). */
            const uint32_t pending = rd(c, MIND_REG_IRQ_STATUS);
            return finish(c, status, (pending & MIND_IRQ_STATUS_ERR) != 0);
        }
    }
    c->status = MIND_STATUS_BUSY;
    return MIND_E_TIMEOUT;
}

uint32_t mind_chip_isr(mind_chip_t *c) {
    const uint32_t pending = rd(c, MIND_REG_IRQ_STATUS);
    if (pending) wr(c, MIND_REG_IRQ_STATUS, pending); /* RW1C: clear what we saw */
    c->irq_seen |= pending;
    return pending;
}

int mind_chip_wait_irq(mind_chip_t *c, uint32_t max_wakeups) {
    uint32_t wakeups = 0, status = 0;
    int result;
    wr(c, MIND_REG_IRQ_EN, MIND_IRQ_EN_DONE | MIND_IRQ_EN_ERR);
    for (;;) {
        const uint32_t seen = c->irq_seen;
        if (seen & MIND_IRQ_STATUS_DONE) {
            status = rd(c, MIND_REG_STATUS);
            result = finish(c, status, (seen & MIND_IRQ_STATUS_ERR) != 0);
            break;
        }
        if (seen & MIND_IRQ_STATUS_ERR) {
            /* ERR alone: a command refused (nothing runs), or a write while
             * BUSY during the run, which keeps going towards its DONE. */
            status = rd(c, MIND_REG_STATUS);
            if (!(status & MIND_STATUS_BUSY)) {
                result = finish(c, status, 1);
                break;
            }
        }
        if (wakeups >= max_wakeups) {
            c->status = MIND_STATUS_BUSY;
            result = MIND_E_TIMEOUT;
            break;
        }
        ++wakeups;
        mind_bus_wfi();
    }
    wr(c, MIND_REG_IRQ_EN, 0);
    return result;
}

/* ------------------------------------------------------------------ status, counters */

uint32_t mind_chip_status(mind_chip_t *c) { return rd(c, MIND_REG_STATUS); }

uint64_t mind_chip_cycles(mind_chip_t *c) {
    const uint32_t lo = rd(c, MIND_REG_CYCLES_LO); /* latches CYCLES_HI */
    const uint32_t hi = rd(c, MIND_REG_CYCLES_HI);
    return ((uint64_t)hi << 32) | lo;
}

void mind_chip_read_counters(mind_chip_t *c, mind_counters_t *out) {
    out->sweeps = rd(c, MIND_REG_SWEEPS);
    out->flips = rd(c, MIND_REG_FLIPS);
    out->ovf_count = rd(c, MIND_REG_OVF_COUNT);
    out->cycles = mind_chip_cycles(c);
}
