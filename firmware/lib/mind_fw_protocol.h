/* mind_fw_protocol.h: the mailbox protocol between a host and the command
 * firmware (firmware/mind_fw/mind_fw.c), one source for both sides.
 *
 * Plain C99, no other header needed: the firmware includes it, and so does
 * the C++ host driver (host/board/firmware_driver.cpp). docs/host-protocol.md
 * describes the same protocol in prose.
 *
 * One command:
 *   host:     ARG[0..7], CMD = MIND_FW_CMD_WORD(code, tag), payload into the
 *             buffer (HOSTIF_BUF), READY = 0, DOORBELL = 1, then waits for READY;
 *   firmware: (doorbell interrupt) reads CMD and the ARGs, clears
 *             IRQ_STATUS.DOORBELL, executes, writes RESULT[0..7], then
 *             RESP = MIND_FW_RESP_WORD(response, tag), then READY = 1;
 *   host:     reads RESP (checks the tag), the RESULTs and the buffer.
 *
 * The tag (16 bits, chosen by the host) is echoed in RESP, so a host can tell
 * the answer to its command from a late answer to an earlier one.
 *
 * Bad arguments never fault and touch nothing: the firmware answers with an
 * error response code (MIND_FW_E_*), RESULT[0] saying which argument or value.
 */
#ifndef MIND_FW_PROTOCOL_H
#define MIND_FW_PROTOCOL_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- versions: major << 16 | minor. A host speaks to a firmware whose protocol major is its own. */
#define MIND_FW_PROTOCOL_MAJOR 1u
#define MIND_FW_PROTOCOL_MINOR 0u
#define MIND_FW_PROTOCOL_VERSION ((MIND_FW_PROTOCOL_MAJOR << 16) | MIND_FW_PROTOCOL_MINOR)
#define MIND_FW_VERSION_MAJOR(v) ((uint32_t)(v) >> 16)
#define MIND_FW_VERSION_MINOR(v) ((uint32_t)(v)&0xFFFFu)

/* ---- CMD and RESP words: [15:0] command / response code, [31:16] the host's tag */
#define MIND_FW_CODE_MASK 0xFFFFu
#define MIND_FW_TAG_SHIFT 16u
#define MIND_FW_CMD_WORD(code, tag) ((((uint32_t)(tag)&0xFFFFu) << MIND_FW_TAG_SHIFT) | ((uint32_t)(code)&MIND_FW_CODE_MASK))
#define MIND_FW_RESP_WORD(resp, tag) MIND_FW_CMD_WORD(resp, tag)
#define MIND_FW_WORD_CODE(w) ((uint32_t)(w)&MIND_FW_CODE_MASK)
#define MIND_FW_WORD_TAG(w) ((uint32_t)(w) >> MIND_FW_TAG_SHIFT)

#define MIND_FW_ARGS 8u    /* ARG[0..7] */
#define MIND_FW_RESULTS 8u /* RESULT[0..7] */

/* ---- commands ---- */
#define MIND_FW_CMD_VERSION 0x0001u         /* versions, capabilities, CONFIG, buffer size, limit */
#define MIND_FW_CMD_SELFTEST 0x0002u        /* non-destructive board check (the buffer is overwritten) */
#define MIND_FW_CMD_SET_LIMIT 0x0003u       /* time limit of a chip operation */
#define MIND_FW_CMD_LOAD_WEIGHTS 0x0010u    /* rows of J from the buffer */
#define MIND_FW_CMD_READ_WEIGHTS 0x0011u    /* rows of J into the buffer */
#define MIND_FW_CMD_LOAD_THRESHOLDS 0x0012u /* theta from the buffer */
#define MIND_FW_CMD_SET_STATE 0x0013u       /* STATE bits from the buffer */
#define MIND_FW_CMD_SET_CLAMP 0x0014u       /* CLAMP bits from the buffer */
#define MIND_FW_CMD_READ_STATE 0x0015u      /* STATE bits into the buffer */
#define MIND_FW_CMD_READ_FIELDS 0x0016u     /* FIELDs into the buffer */
#define MIND_FW_CMD_RUN 0x0020u             /* START, wait for DONE */
#define MIND_FW_CMD_STEP 0x0021u            /* STEP, wait for DONE */
#define MIND_FW_CMD_READ_COUNTERS 0x0022u   /* STATUS and the counters */
#define MIND_FW_CMD_HEBB 0x0023u            /* HEBB, wait for DONE */
#define MIND_FW_CMD_CLEAR_SYN 0x0024u       /* CLEAR_SYN, wait for DONE */
#define MIND_FW_CMD_SOFT_RESET 0x0025u      /* CTRL.SOFT_RESET */
#define MIND_FW_CMD_CLASSIFY 0x0030u        /* a batch of images through the classifier procedure */

/* ---- response codes (RESP[15:0]) ---- */
#define MIND_FW_OK 0u
#define MIND_FW_E_UNKNOWN_CMD 1u /* RESULT[0] = the code received */
#define MIND_FW_E_BAD_ARG 2u     /* RESULT[0] = index of the bad ARG, RESULT[1] = its value */
#define MIND_FW_E_RANGE 3u       /* a payload value does not fit WBITS / ABITS: RESULT[0] = its index, RESULT[1] = it */
#define MIND_FW_E_BUSY 4u        /* the chip was BUSY when the command came (a run not started by the firmware) */
#define MIND_FW_E_CHIP 5u        /* the chip raised ERR: RESULT[0] = ERR_CODE, RESULT[1] = STATUS */
#define MIND_FW_E_TIMEOUT 6u     /* the chip did not finish within the limit: aborted; RESULT[1] = STATUS */
#define MIND_FW_E_SELFTEST 7u    /* RESULT[0] = the failed check (MIND_FW_ST_*), RESULT[1] = checks passed */
#define MIND_FW_E_NO_CHIP 8u     /* the chip probe failed at boot: RESULT[0] = the driver's (negative) result */
/* On every error, RESULT[2] is the progress: images done for CLASSIFY, 0 otherwise. */
#define MIND_FW_ERR_DETAIL 0u
#define MIND_FW_ERR_VALUE 1u
#define MIND_FW_ERR_PROGRESS 2u

/* ---- capabilities (VERSION RESULT[2]) ---- */
#define MIND_FW_CAP_IRQ_WAIT (1u << 0)   /* waits for the chip's DONE by interrupt (wfi) */
#define MIND_FW_CAP_CLASSIFY (1u << 1)   /* CLASSIFY */
#define MIND_FW_CAP_SELFTEST (1u << 2)   /* SELFTEST */
#define MIND_FW_CAP_TIME_LIMIT (1u << 3) /* SET_LIMIT; E_TIMEOUT aborts the chip */
#define MIND_FW_CAP_TAGS (1u << 4)       /* RESP echoes the CMD tag */
#define MIND_FW_CAP_NOISE (1u << 5)      /* RUN / STEP / CLASSIFY take NOISE_EN and TEMP */

/* ---- MODE argument (RUN, STEP, CLASSIFY): the chip's MODE register bits */
#define MIND_FW_MODE_ORDER_MASK 0x3u /* 0 SYNC, 1 ASYNC_SEQ, 2 ASYNC_PERM (3 is refused) */
#define MIND_FW_MODE_OVF_WRAP 0x4u
#define MIND_FW_MODE_NOISE_EN 0x8u
#define MIND_FW_MODE_BITS (MIND_FW_MODE_ORDER_MASK | MIND_FW_MODE_OVF_WRAP | MIND_FW_MODE_NOISE_EN)
#define MIND_FW_ORDER_MAX 2u

/* ---- arguments ---- */
/* VERSION: none. RESULT: */
#define MIND_FW_VERSION_RES_FIRMWARE 0u /* firmware version, major << 16 | minor */
#define MIND_FW_VERSION_RES_PROTOCOL 1u /* MIND_FW_PROTOCOL_VERSION of the firmware */
#define MIND_FW_VERSION_RES_CAPS 2u     /* MIND_FW_CAP_* */
#define MIND_FW_VERSION_RES_CONFIG 3u   /* the chip's CONFIG: N_MAX, WBITS, ABITS, LANES */
#define MIND_FW_VERSION_RES_CHIP_ID 4u  /* the chip's ID */
#define MIND_FW_VERSION_RES_CHIP_VERSION 5u
#define MIND_FW_VERSION_RES_BUF_BYTES 6u /* buffer bytes the firmware uses (HOSTIF.BUF_SIZE, at most the region) */
#define MIND_FW_VERSION_RES_LIMIT_MS 7u  /* the chip time limit now, ms */

/* SELFTEST: none. RESULT[0] = checks passed, RESULT[1] = 0 (or E_SELFTEST). Checks: */
#define MIND_FW_ST_CHIP 1u      /* ID, VERSION major, CONFIG as at boot */
#define MIND_FW_ST_BUFFER 2u    /* every buffer word holds two patterns */
#define MIND_FW_ST_SRAM 3u      /* a scratch block of SRAM holds two patterns */
#define MIND_FW_ST_REGISTER 4u  /* TEMP reads back what was written (then restored) */
#define MIND_FW_ST_TIMER 5u     /* the microsecond timer advanced across the test */
#define MIND_FW_ST_DOORBELL 6u  /* the doorbell interrupt was taken */
#define MIND_FW_ST_COUNT 6u

/* SET_LIMIT: ARG[0] = the limit of each chip operation in ms of simulated time
 * (0: the default, MIND_FW_DEFAULT_LIMIT_MS). RESULT[0] = the limit now. A RUN,
 * STEP, HEBB or CLEAR_SYN not done by then is aborted (E_TIMEOUT); a CLASSIFY
 * batch of k images gets k times the limit. */
#define MIND_FW_LIMIT_ARG_MS 0u
#define MIND_FW_DEFAULT_LIMIT_MS 60000u

/* LOAD_WEIGHTS, READ_WEIGHTS: rows FIRST_ROW .. FIRST_ROW + ROWS - 1, columns
 * 0 .. COLS - 1, through the synapse window (row i at byte i * N_MAX * 2).
 * Buffer: row r at byte r * mind_fw_row_bytes(COLS), int16 little-endian, a
 * row padded to whole 32-bit words (an odd COLS leaves one int16 of padding:
 * ignored when loading, 0 when reading). LOAD checks every value against WBITS
 * before writing any (E_RANGE, RESULT[0] = r * COLS + j). */
#define MIND_FW_WEIGHTS_ARG_FIRST_ROW 0u
#define MIND_FW_WEIGHTS_ARG_ROWS 1u
#define MIND_FW_WEIGHTS_ARG_COLS 2u

/* LOAD_THRESHOLDS: theta[FIRST + k] = int32 k of the buffer, k < COUNT, each
 * checked against ABITS first (E_RANGE, RESULT[0] = k).
 * READ_FIELDS: int32 k of the buffer = FIELD of neuron FIRST + k. */
#define MIND_FW_RANGE_ARG_FIRST 0u
#define MIND_FW_RANGE_ARG_COUNT 1u

/* SET_STATE, SET_CLAMP: neurons 0 .. COUNT - 1 (COUNT 0..N_MAX; 0 does
 * nothing) from bit words in the buffer (bit b of word k is neuron 32k + b; state 1 =
 * +1, clamp 1 = clamped). Neurons from COUNT on in the last word keep their
 * bits. READ_STATE: the bit words of neurons 0 .. COUNT - 1 (COUNT 1..N_MAX;
 * bits from COUNT on in the last word as the chip has them). */
#define MIND_FW_BITS_ARG_COUNT 0u

/* RUN, STEP: */
#define MIND_FW_RUN_ARG_MODE 0u       /* MIND_FW_MODE_* */
#define MIND_FW_RUN_ARG_N_ACTIVE 1u   /* 1..N_MAX */
#define MIND_FW_RUN_ARG_MAX_SWEEPS 2u /* >= 1 */
#define MIND_FW_RUN_ARG_TEMP 3u
#define MIND_FW_RUN_ARG_SEED 4u
/* RESULT of RUN, STEP, HEBB, CLEAR_SYN: */
#define MIND_FW_RUN_RES_STATUS 0u    /* STATUS at DONE (MIND_STATUS_CONVERGED, _CYCLE2, _OVF ...) */
#define MIND_FW_RUN_RES_SWEEPS 1u
#define MIND_FW_RUN_RES_FLIPS 2u
#define MIND_FW_RUN_RES_OVF_COUNT 3u
#define MIND_FW_RUN_RES_CYCLES_LO 4u /* compute cycles of this operation */
#define MIND_FW_RUN_RES_CYCLES_HI 5u

/* HEBB: ARG[0] = N_ACTIVE (1..N_MAX). CLEAR_SYN, SOFT_RESET: none. */
#define MIND_FW_HEBB_ARG_N_ACTIVE 0u

/* READ_COUNTERS: none. RESULT: */
#define MIND_FW_CNT_RES_STATUS 0u
#define MIND_FW_CNT_RES_SWEEPS 1u
#define MIND_FW_CNT_RES_FLIPS 2u
#define MIND_FW_CNT_RES_CYCLES_LO 3u /* CYCLES since reset */
#define MIND_FW_CNT_RES_CYCLES_HI 4u
#define MIND_FW_CNT_RES_OVF_COUNT 5u

/* CLASSIFY: for image k < COUNT, the classifier's per-image procedure:
 *   STATE of neurons 0..N-1 = the image's bit words (buffer word k * W, W =
 *   mind_fw_bit_words(N); bits from N on in the last word kept); START with
 *   MODE, N_ACTIVE = N, MAX_SWEEPS, TEMP, SEED = FIRST_SEED + k; wait for
 *   DONE; read the FIELDs of the label neurons FIRST_LABEL ..
 *   FIRST_LABEL + CLASSES * REPS - 1; the label is the class c whose REPS
 *   neurons FIRST_LABEL + c * REPS .. have the largest summed field. Ties:
 *   with PROTOS > 0, the class of the prototype with the largest field among
 *   the tied classes' prototypes (prototype neurons FIRST_LABEL - PROTOS ..
 *   FIRST_LABEL - 1, prototype m of class m % CLASSES, equal fields to the
 *   lower m; their fields are read only on a tie); with PROTOS = 0, the lowest
 *   class. The clamp mask, weights and thresholds are the host's
 *   (SET_CLAMP, LOAD_WEIGHTS, LOAD_THRESHOLDS before).
 * Record k (MIND_FW_CLASSIFY_RECORD_WORDS words) at buffer byte
 * mind_fw_classify_results_offset(COUNT, N) + 32 * k. */
#define MIND_FW_CLASSIFY_ARG_COUNT 0u
#define MIND_FW_CLASSIFY_ARG_N 1u           /* 1..N_MAX */
#define MIND_FW_CLASSIFY_ARG_FIRST_LABEL 2u /* FIRST_LABEL | PROTOS << 16, PROTOS <= FIRST_LABEL */
#define MIND_FW_CLASSIFY_ARG_LABELS 3u      /* CLASSES | REPS << 16, both >= 1 */
#define MIND_FW_CLASSIFY_ARG_MODE 4u
#define MIND_FW_CLASSIFY_ARG_MAX_SWEEPS 5u
#define MIND_FW_CLASSIFY_ARG_TEMP 6u
#define MIND_FW_CLASSIFY_ARG_FIRST_SEED 7u
#define MIND_FW_CLASSIFY_LABELS(classes, reps) (((uint32_t)(reps) << 16) | ((uint32_t)(classes)&0xFFFFu))
#define MIND_FW_CLASSIFY_FIRST_LABEL(first_label, protos) \
    (((uint32_t)(protos) << 16) | ((uint32_t)(first_label)&0xFFFFu))
#define MIND_FW_CLASSIFY_MAX_CLASSES 0xFFFFu
#define MIND_FW_CLASSIFY_MAX_REPS 0xFFFFu
/* RESULT of CLASSIFY: */
#define MIND_FW_CLASSIFY_RES_DONE 0u       /* images done */
#define MIND_FW_CLASSIFY_RES_OFFSET 1u     /* byte offset of record 0 in the buffer */
#define MIND_FW_CLASSIFY_RES_TIME_US 2u    /* the batch's simulated time on the board, us */
/* A record: */
#define MIND_FW_REC_LABEL 0u
#define MIND_FW_REC_SWEEPS 1u
#define MIND_FW_REC_FLIPS 2u
#define MIND_FW_REC_OVF_COUNT 3u
#define MIND_FW_REC_FLAGS 4u      /* MIND_FW_FLAG_* */
#define MIND_FW_REC_CYCLES_LO 5u  /* compute cycles of the image's run */
#define MIND_FW_REC_CYCLES_HI 6u
#define MIND_FW_REC_TIME_US 7u    /* simulated time of the image on the board, us */
#define MIND_FW_CLASSIFY_RECORD_WORDS 8u
#define MIND_FW_FLAG_CONVERGED 0x1u
#define MIND_FW_FLAG_CYCLE2 0x2u
#define MIND_FW_FLAG_TIED 0x4u /* the largest label sum was shared (see the tie rule above) */

/* ---- limits ---- */
#define MIND_FW_BUF_BYTES 65536u   /* the HOSTIF_BUF region (VERSION says what the firmware uses) */
#define MIND_FW_MAX_NEURONS 1024u  /* STATE / CLAMP cover 1024 neurons: N_MAX above is refused */

/* Bytes of one weight row of `cols` int16 in the buffer (whole 32-bit words). */
static inline uint32_t mind_fw_row_bytes(uint32_t cols) { return 4u * ((cols + 1u) / 2u); }
/* Weight rows of `cols` columns one LOAD_WEIGHTS / READ_WEIGHTS carries. */
static inline uint32_t mind_fw_max_rows(uint32_t buf_bytes, uint32_t cols) {
    return cols ? buf_bytes / mind_fw_row_bytes(cols) : 0u;
}
/* 32-bit words of the bits of n neurons. */
static inline uint32_t mind_fw_bit_words(uint32_t n) { return (n + 31u) / 32u; }
/* int32 values (thresholds, fields) one command carries. */
static inline uint32_t mind_fw_max_values(uint32_t buf_bytes) { return buf_bytes / 4u; }
/* Images of n neurons one CLASSIFY carries (bit words in, a record out). */
static inline uint32_t mind_fw_classify_max_images(uint32_t buf_bytes, uint32_t n) {
    return buf_bytes / (4u * (mind_fw_bit_words(n) + MIND_FW_CLASSIFY_RECORD_WORDS));
}
/* Where CLASSIFY's records start in the buffer: right after the images. */
static inline uint32_t mind_fw_classify_results_offset(uint32_t count, uint32_t n) {
    return 4u * count * mind_fw_bit_words(n);
}

#ifdef __cplusplus
}
#endif

#endif /* MIND_FW_PROTOCOL_H */
