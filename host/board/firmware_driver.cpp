#include "host/board/firmware_driver.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "host/board/bare_driver.h"
#include "host/board/errors.h"
#include "mind1024_board.h"
#include "mind1024_regs.h"
#include "firmware/lib/mind_fw_protocol.h"

// Plain C++ over a Transport: no SystemC here, so a host that reaches a board
// over the link can use this driver without the simulation.

namespace mind1024::host {

namespace {

const char* command_name(uint32_t code) {
    switch (code) {
        case MIND_FW_CMD_VERSION: return "VERSION";
        case MIND_FW_CMD_SELFTEST: return "SELFTEST";
        case MIND_FW_CMD_SET_LIMIT: return "SET_LIMIT";
        case MIND_FW_CMD_LOAD_WEIGHTS: return "LOAD_WEIGHTS";
        case MIND_FW_CMD_READ_WEIGHTS: return "READ_WEIGHTS";
        case MIND_FW_CMD_LOAD_THRESHOLDS: return "LOAD_THRESHOLDS";
        case MIND_FW_CMD_SET_STATE: return "SET_STATE";
        case MIND_FW_CMD_SET_CLAMP: return "SET_CLAMP";
        case MIND_FW_CMD_READ_STATE: return "READ_STATE";
        case MIND_FW_CMD_READ_FIELDS: return "READ_FIELDS";
        case MIND_FW_CMD_RUN: return "RUN";
        case MIND_FW_CMD_STEP: return "STEP";
        case MIND_FW_CMD_READ_COUNTERS: return "READ_COUNTERS";
        case MIND_FW_CMD_HEBB: return "HEBB";
        case MIND_FW_CMD_CLEAR_SYN: return "CLEAR_SYN";
        case MIND_FW_CMD_SOFT_RESET: return "SOFT_RESET";
        case MIND_FW_CMD_CLASSIFY: return "CLASSIFY";
        default: return nullptr;
    }
}

std::string command_label(uint32_t code) {
    const char* n = command_name(code);
    return n ? fmt::format("firmware command {}", n) : fmt::format("firmware command 0x{:04X}", code);
}

const char* selftest_check_name(uint32_t check) {
    switch (check) {
        case MIND_FW_ST_CHIP: return "the chip's ID, VERSION and CONFIG";
        case MIND_FW_ST_BUFFER: return "the mailbox buffer";
        case MIND_FW_ST_SRAM: return "SRAM";
        case MIND_FW_ST_REGISTER: return "a chip register read-back";
        case MIND_FW_ST_TIMER: return "the timer";
        case MIND_FW_ST_DOORBELL: return "the doorbell interrupt";
        default: return "an unknown check";
    }
}

// Little-endian words in a byte buffer (the board's byte order, whatever the host's).
void put32(uint8_t* p, uint32_t v) {
    p[0] = static_cast<uint8_t>(v);
    p[1] = static_cast<uint8_t>(v >> 8);
    p[2] = static_cast<uint8_t>(v >> 16);
    p[3] = static_cast<uint8_t>(v >> 24);
}
uint32_t get32(const uint8_t* p) {
    return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}

uint32_t mode_word(const RunParams& p) {
    Mode m;
    m.order = p.order;
    m.wrap = p.wrap;
    m.noise = p.noise;
    return m.to_register();
}

RunResult run_result(uint32_t status, uint32_t sweeps, uint32_t flips, uint32_t ovf, uint32_t lo, uint32_t hi) {
    RunResult r;
    r.converged = status & MIND_STATUS_CONVERGED;
    r.cycle2 = status & MIND_STATUS_CYCLE2;
    r.sweeps = sweeps;
    r.flips = flips;
    r.ovf_count = ovf;
    r.cycles = (uint64_t{hi} << 32) | lo;
    return r;
}

// The error a response code stands for, naming the command.
[[noreturn]] void throw_response(uint32_t code, const FirmwareDriver::Reply& r) {
    const std::string what = command_label(code);
    const auto& x = r.result;
    switch (r.code) {
        case MIND_FW_E_UNKNOWN_CMD:
            throw BadArgument(fmt::format("{}: the firmware does not know command 0x{:04X}", what, x[0]));
        case MIND_FW_E_BAD_ARG:
            throw BadArgument(fmt::format("{}: the firmware refused ARG[{}] = {}", what, x[0], x[1]));
        case MIND_FW_E_RANGE:
            throw BadArgument(fmt::format("{}: payload value {} = {} does not fit the chip's width", what, x[0],
                                          static_cast<int32_t>(x[1])));
        case MIND_FW_E_BUSY:
            throw BusyError(fmt::format("{}: the chip was BUSY (a run the firmware did not start); nothing done", what));
        case MIND_FW_E_CHIP:
            if (x[0] == MIND_ERR_BUSY)
                throw BusyError(fmt::format("{}: the chip was BUSY and ignored it (STATUS 0x{:08X})", what, x[1]));
            if (x[0] == MIND_ERR_BAD_ARG)
                throw BadArgument(fmt::format("{}: the chip answered BAD_ARG (STATUS 0x{:08X})", what, x[1]));
            throw BoardError(fmt::format("{}: the chip reported error code {} (STATUS 0x{:08X})", what, x[0], x[1]));
        case MIND_FW_E_TIMEOUT:
            throw BoardError(fmt::format(
                "{}: the chip had not finished within the firmware's limit of {} ms of simulated time; the firmware "
                "aborted it (STATUS 0x{:08X}{})",
                what, x[0], x[1], code == MIND_FW_CMD_CLASSIFY ? fmt::format(", {} images done", x[2]) : ""));
        case MIND_FW_E_SELFTEST:
            throw BoardError(fmt::format("{}: check {} ({}) failed after {} passed", what, x[0],
                                         selftest_check_name(x[0]), x[1]));
        case MIND_FW_E_NO_CHIP:
            throw BoardError(fmt::format("{}: the firmware found no usable chip at boot (driver result {})", what,
                                         static_cast<int32_t>(x[0])));
        default:
            throw BoardError(fmt::format("{}: unknown response code {}", what, r.code));
    }
}

}  // namespace

FirmwareDriver::FirmwareDriver(Transport& t, const FirmwareOptions& opt) : t_(t), opt_(opt) {
    if (!(opt_.limit_s > 0) || !std::isfinite(opt_.limit_s))
        throw BadArgument(fmt::format("firmware driver: the time limit must be a positive number of seconds, not {}",
                                      opt_.limit_s));
    const Reply v = exchange(MIND_FW_CMD_VERSION, nullptr, 0, nullptr, 0, MIND_FW_RESULTS, limit_for(0));
    info_.firmware_version = v.result[MIND_FW_VERSION_RES_FIRMWARE];
    info_.protocol_version = v.result[MIND_FW_VERSION_RES_PROTOCOL];
    info_.capabilities = v.result[MIND_FW_VERSION_RES_CAPS];
    info_.config = v.result[MIND_FW_VERSION_RES_CONFIG];
    info_.chip_id = v.result[MIND_FW_VERSION_RES_CHIP_ID];
    info_.chip_version = v.result[MIND_FW_VERSION_RES_CHIP_VERSION];
    info_.buf_bytes = v.result[MIND_FW_VERSION_RES_BUF_BYTES];
    info_.limit_ms = v.result[MIND_FW_VERSION_RES_LIMIT_MS];
    if (MIND_FW_VERSION_MAJOR(info_.protocol_version) != MIND_FW_PROTOCOL_MAJOR)
        throw BoardError(fmt::format("the firmware on {} speaks mailbox protocol {}.{}; this host speaks {}.{}", t_.name(),
                                     MIND_FW_VERSION_MAJOR(info_.protocol_version),
                                     MIND_FW_VERSION_MINOR(info_.protocol_version), MIND_FW_PROTOCOL_MAJOR,
                                     MIND_FW_PROTOCOL_MINOR));
    if (v.code != MIND_FW_OK) throw_response(MIND_FW_CMD_VERSION, v);
    params_ = t_.chip_params();
    const uint32_t c = info_.config;
    const uint32_t n_max = (c & MIND_CONFIG_N_MAX_MASK) >> MIND_CONFIG_N_MAX_SHIFT,
                   wbits = (c & MIND_CONFIG_WBITS_MASK) >> MIND_CONFIG_WBITS_SHIFT,
                   abits = (c & MIND_CONFIG_ABITS_MASK) >> MIND_CONFIG_ABITS_SHIFT,
                   lanes = (c & MIND_CONFIG_LANES_MASK) >> MIND_CONFIG_LANES_SHIFT;
    const uint32_t n_max_field = MIND_CONFIG_N_MAX_MASK >> MIND_CONFIG_N_MAX_SHIFT;
    if (n_max != (params_.n_max & n_max_field) || wbits != params_.wbits || abits != params_.abits ||
        lanes != params_.lanes)
        throw BoardError(fmt::format("the firmware on {} reports CONFIG N_MAX={} WBITS={} ABITS={} LANES={}, but the "
                                     "board states {}",
                                     t_.name(), n_max, wbits, abits, lanes, params_.describe()));
    if (params_.n_max > MIND_FW_MAX_NEURONS)
        throw BoardError(fmt::format("N_MAX = {} > {}: such a chip is driven through the C++ API, not the mailbox",
                                     params_.n_max, MIND_FW_MAX_NEURONS));
    const uint32_t need = std::max(mind_fw_row_bytes(params_.n_max),
                                   4 * (mind_fw_bit_words(params_.n_max) + MIND_FW_CLASSIFY_RECORD_WORDS));
    if (info_.buf_bytes % 4 || info_.buf_bytes < need || info_.buf_bytes > MIND_HOSTIF_BUF_SIZE)
        throw BoardError(fmt::format("the firmware on {} uses a {}-byte buffer; the protocol needs {}..{} bytes, whole words",
                                     t_.name(), info_.buf_bytes, need, MIND_HOSTIF_BUF_SIZE));
    // The firmware's own limit for a chip operation: the host's.
    const double ms = std::ceil(opt_.limit_s * 1000.0);
    const Reply l = call(MIND_FW_CMD_SET_LIMIT, {static_cast<uint32_t>(std::min(ms, 4294967295.0))}, nullptr, 0, 1);
    info_.limit_ms = l.result[0];
}

double FirmwareDriver::limit_for(uint32_t ops) const {
    // Moving a full buffer (SELFTEST's pattern passes, LOAD_WEIGHTS' 64 KiB) takes a few ms of
    // simulated time whatever the limit; the firmware aborts a chip operation at ops x limit
    // and answers right after. The host waits a little longer than both.
    constexpr double kTransfer_s = 0.5;
    return std::max(uint32_t{1}, ops) * opt_.limit_s * 1.05 + kTransfer_s;
}

void FirmwareDriver::resync() {
    if (!outstanding_) return;
    // An earlier command the host stopped waiting for: its answer must come before anything else is sent.
    try {
        t_.wait_ready(std::max(outstanding_wait_s_, limit_for(1)));
    } catch (const BoardError& e) {
        throw BoardError(fmt::format("{} (tag {}) has still not been answered; the board cannot take another command: {}",
                                     command_label(outstanding_code_), outstanding_tag_, e.what()));
    }
    const uint32_t resp = t_.board_read32(MIND_HOSTIF_RESP_ADDR);
    if (MIND_FW_WORD_TAG(resp) != outstanding_tag_)
        throw BoardError(fmt::format("{} (tag {}) was answered with tag {}: the mailbox is out of step",
                                     command_label(outstanding_code_), outstanding_tag_, MIND_FW_WORD_TAG(resp)));
    outstanding_ = false;
}

FirmwareDriver::Reply FirmwareDriver::exchange(uint32_t code, const uint32_t* args, uint32_t nargs, const void* payload,
                                               uint32_t bytes, uint32_t results, double limit_s) {
    if (nargs > MIND_FW_ARGS)
        throw BadArgument(fmt::format("{}: {} arguments; the mailbox has {}", command_label(code), nargs, MIND_FW_ARGS));
    if (bytes > MIND_HOSTIF_BUF_SIZE)
        throw BadArgument(fmt::format("{}: a {}-byte payload; the buffer holds {}", command_label(code), bytes,
                                      MIND_HOSTIF_BUF_SIZE));
    if (code > MIND_FW_CODE_MASK)
        throw BadArgument(fmt::format("firmware command 0x{:X}: codes are 16 bits", code));
    resync();
    for (uint32_t k = 0; k < nargs; ++k) t_.board_write32(MIND_HOSTIF_ARG_ADDR(k), args[k]);
    tag_ = static_cast<uint16_t>(tag_ + 1);
    t_.board_write32(MIND_HOSTIF_CMD_ADDR, MIND_FW_CMD_WORD(code, tag_));
    if (bytes) t_.board_write_block(MIND_HOSTIF_BUF_BASE, payload, bytes);
    t_.board_write32(MIND_HOSTIF_READY_ADDR, 0);
    t_.board_write32(MIND_HOSTIF_DOORBELL_ADDR, 1);
    outstanding_ = true;
    outstanding_tag_ = tag_;
    outstanding_code_ = code;
    outstanding_wait_s_ = limit_s;
    try {
        t_.wait_ready(limit_s);
    } catch (const BusError&) {
        throw;
    } catch (const BoardError& e) {
        throw BoardError(fmt::format("{}: no answer from the firmware: {}", command_label(code), e.what()));
    }
    const uint32_t resp = t_.board_read32(MIND_HOSTIF_RESP_ADDR);
    if (MIND_FW_WORD_TAG(resp) != tag_)
        throw BoardError(fmt::format("{} (tag {}): the firmware answered with tag {}: the mailbox is out of step",
                                     command_label(code), tag_, MIND_FW_WORD_TAG(resp)));
    outstanding_ = false;
    Reply r;
    r.code = MIND_FW_WORD_CODE(resp);
    // Errors carry their details in RESULT[0..2].
    const uint32_t n = r.code == MIND_FW_OK ? results : std::max(results, 3u);
    for (uint32_t k = 0; k < n && k < MIND_FW_RESULTS; ++k) r.result[k] = t_.board_read32(MIND_HOSTIF_RESULT_ADDR(k));
    return r;
}

FirmwareDriver::Reply FirmwareDriver::call(uint32_t code, std::initializer_list<uint32_t> args, const void* payload,
                                           uint32_t bytes, uint32_t results, uint32_t ops) {
    const Reply r = exchange(code, args.begin(), static_cast<uint32_t>(args.size()), payload, bytes, results,
                             limit_for(ops));
    if (r.code != MIND_FW_OK) throw_response(code, r);
    return r;
}

FirmwareDriver::Reply FirmwareDriver::command(uint32_t code, const std::vector<uint32_t>& args, const void* payload,
                                              uint32_t bytes, double limit_s) {
    const Reply r = exchange(code, args.data(), static_cast<uint32_t>(args.size()), payload, bytes, MIND_FW_RESULTS,
                             limit_s > 0 ? limit_s : limit_for(1));
    if (r.code != MIND_FW_OK) throw_response(code, r);
    return r;
}

// ---- ChipDriver

void FirmwareDriver::load_weights(const WeightMatrix& m) {
    check_weights(m, params_);
    const uint32_t n = m.n, words = (n + 1) / 2, per = mind_fw_max_rows(info_.buf_bytes, n);
    for (uint32_t r0 = 0; r0 < n; r0 += per) {
        const uint32_t rows = std::min(per, n - r0);
        io_.assign(size_t{rows} * words * 4, 0);
        for (uint32_t r = 0; r < rows; ++r) {
            const int16_t* row = &m.w[size_t{r0 + r} * n];
            uint8_t* out = &io_[size_t{r} * words * 4];
            for (uint32_t j = 0; j < n; j += 2) {
                const uint32_t lo = static_cast<uint16_t>(row[j]), hi = j + 1 < n ? static_cast<uint16_t>(row[j + 1]) : 0;
                put32(out + 2 * j, lo | hi << 16);
            }
        }
        call(MIND_FW_CMD_LOAD_WEIGHTS, {r0, rows, n}, io_.data(), static_cast<uint32_t>(io_.size()));
    }
}

WeightMatrix FirmwareDriver::read_weights(uint32_t n) {
    if (n == 0 || n > params_.n_max)
        throw BadArgument(fmt::format("read_weights: n = {} is outside 1..{}", n, params_.n_max));
    WeightMatrix m{n, std::vector<int16_t>(size_t{n} * n)};
    const uint32_t words = (n + 1) / 2, per = mind_fw_max_rows(info_.buf_bytes, n);
    for (uint32_t r0 = 0; r0 < n; r0 += per) {
        const uint32_t rows = std::min(per, n - r0);
        call(MIND_FW_CMD_READ_WEIGHTS, {r0, rows, n});
        io_.resize(size_t{rows} * words * 4);
        t_.board_read_block(MIND_HOSTIF_BUF_BASE, io_.data(), static_cast<uint32_t>(io_.size()));
        for (uint32_t r = 0; r < rows; ++r) {
            int16_t* row = &m.w[size_t{r0 + r} * n];
            const uint8_t* in = &io_[size_t{r} * words * 4];
            for (uint32_t j = 0; j < n; j += 2) {
                const uint32_t v = get32(in + 2 * j);
                row[j] = static_cast<int16_t>(v & 0xFFFF);
                if (j + 1 < n) row[j + 1] = static_cast<int16_t>(v >> 16);
            }
        }
    }
    return m;
}

void FirmwareDriver::load_thresholds(const std::vector<int32_t>& t) {
    check_thresholds(t, params_);
    const uint32_t count = static_cast<uint32_t>(t.size()), per = mind_fw_max_values(info_.buf_bytes);
    for (uint32_t k0 = 0; k0 < count; k0 += per) {
        const uint32_t n = std::min(per, count - k0);
        io_.resize(size_t{n} * 4);
        for (uint32_t k = 0; k < n; ++k) put32(&io_[size_t{k} * 4], static_cast<uint32_t>(t[k0 + k]));
        call(MIND_FW_CMD_LOAD_THRESHOLDS, {k0, n}, io_.data(), n * 4);
    }
}

void FirmwareDriver::send_bits(uint32_t code, const std::vector<uint8_t>& bits) {
    const uint32_t count = static_cast<uint32_t>(bits.size()), words = mind_fw_bit_words(count);
    if (count == 0) return;
    io_.assign(size_t{words} * 4, 0);
    for (uint32_t i = 0; i < count; ++i)
        if (bits[i]) io_[i / 8] |= static_cast<uint8_t>(1u << (i % 8));  // bit b of word k is neuron 32k + b
    call(code, {count}, io_.data(), words * 4);
}

void FirmwareDriver::set_state(const std::vector<int8_t>& s) {
    if (s.size() > params_.n_max)
        throw BadArgument(fmt::format("set_state: {} values given; the chip has {} neurons", s.size(), params_.n_max));
    std::vector<uint8_t> bits(s.size());
    for (size_t i = 0; i < s.size(); ++i) bits[i] = s[i] > 0;
    send_bits(MIND_FW_CMD_SET_STATE, bits);
}

void FirmwareDriver::set_clamp(const std::vector<uint8_t>& c) {
    for (size_t i = 0; i < c.size(); ++i)
        if (c[i] > 1) throw BadArgument(fmt::format("clamp[{}] = {}: a clamp mask holds 0 or 1", i, c[i]));
    if (c.size() > params_.n_max)
        throw BadArgument(fmt::format("set_clamp: {} values given; the chip has {} neurons", c.size(), params_.n_max));
    send_bits(MIND_FW_CMD_SET_CLAMP, c);
}

std::vector<int8_t> FirmwareDriver::state() {
    const uint32_t n = params_.n_max, words = mind_fw_bit_words(n);
    call(MIND_FW_CMD_READ_STATE, {n});
    io_.resize(size_t{words} * 4);
    t_.board_read_block(MIND_HOSTIF_BUF_BASE, io_.data(), words * 4);
    std::vector<int8_t> s(n);
    for (uint32_t i = 0; i < n; ++i) s[i] = (io_[i / 8] >> (i % 8)) & 1u ? 1 : -1;
    return s;
}

std::vector<int32_t> FirmwareDriver::fields(uint32_t first, uint32_t count) {
    if (uint64_t{first} + count > params_.n_max)
        throw BadArgument(fmt::format("fields {}..{} are beyond N_MAX = {}", first, uint64_t{first} + count, params_.n_max));
    std::vector<int32_t> h(count);
    const uint32_t per = mind_fw_max_values(info_.buf_bytes);
    for (uint32_t k0 = 0; k0 < count; k0 += per) {
        const uint32_t n = std::min(per, count - k0);
        call(MIND_FW_CMD_READ_FIELDS, {first + k0, n});
        io_.resize(size_t{n} * 4);
        t_.board_read_block(MIND_HOSTIF_BUF_BASE, io_.data(), n * 4);
        for (uint32_t k = 0; k < n; ++k) h[k0 + k] = static_cast<int32_t>(get32(&io_[size_t{k} * 4]));
    }
    return h;
}

RunResult FirmwareDriver::go(uint32_t code, const RunParams& p) {
    check_run_params(p, params_);
    const double t0 = t_.now_seconds();
    const Reply r = call(code, {mode_word(p), p.n_active ? p.n_active : params_.n_max, p.max_sweeps, p.temp, p.seed},
                         nullptr, 0, 6, 1);
    RunResult out = run_result(r.result[MIND_FW_RUN_RES_STATUS], r.result[MIND_FW_RUN_RES_SWEEPS],
                               r.result[MIND_FW_RUN_RES_FLIPS], r.result[MIND_FW_RUN_RES_OVF_COUNT],
                               r.result[MIND_FW_RUN_RES_CYCLES_LO], r.result[MIND_FW_RUN_RES_CYCLES_HI]);
    out.sim_seconds = t_.now_seconds() - t0;
    return out;
}

RunResult FirmwareDriver::run(const RunParams& p) { return go(MIND_FW_CMD_RUN, p); }
RunResult FirmwareDriver::step(const RunParams& p) { return go(MIND_FW_CMD_STEP, p); }

void FirmwareDriver::hebb(uint32_t n_active) {
    if (n_active > params_.n_max) throw BadArgument(fmt::format("hebb: n_active = {} exceeds N_MAX", n_active));
    call(MIND_FW_CMD_HEBB, {n_active ? n_active : params_.n_max}, nullptr, 0, 0, 1);
}

void FirmwareDriver::clear_synapses() { call(MIND_FW_CMD_CLEAR_SYN, {}, nullptr, 0, 0, 1); }

void FirmwareDriver::soft_reset() { call(MIND_FW_CMD_SOFT_RESET, {}); }

uint64_t FirmwareDriver::cycles() {
    const Reply r = call(MIND_FW_CMD_READ_COUNTERS, {}, nullptr, 0, MIND_FW_CNT_RES_CYCLES_HI + 1);
    return (uint64_t{r.result[MIND_FW_CNT_RES_CYCLES_HI]} << 32) | r.result[MIND_FW_CNT_RES_CYCLES_LO];
}

uint32_t FirmwareDriver::selftest() {
    // The buffer pattern test: 3 passes over 16 Ki words, far below a second of simulated time.
    return call(MIND_FW_CMD_SELFTEST, {}, nullptr, 0, 1).result[0];
}

std::vector<RunManyItem> FirmwareDriver::run_many(const RunMany& b) {
    check_run_many(b, params_);
    return BareDriver(t_).run_many(b);
}

std::vector<ClassifyOutcome> FirmwareDriver::classify_batch(const ClassifyBatch& b) {
    if (!(info_.capabilities & MIND_FW_CAP_CLASSIFY)) return ChipDriver::classify_batch(b);
    check_classify_batch(b, params_);
    std::vector<ClassifyOutcome> out(b.states.size());
    const uint32_t words = mind_fw_bit_words(b.n), per = mind_fw_classify_max_images(info_.buf_bytes, b.n);
    const uint32_t total = static_cast<uint32_t>(b.states.size());
    const uint32_t mode = mode_word(b.run), labels = MIND_FW_CLASSIFY_LABELS(b.classes, b.reps);
    for (uint32_t k0 = 0; k0 < total; k0 += per) {
        const uint32_t count = std::min(per, total - k0);
        io_.assign(size_t{count} * words * 4, 0);
        for (uint32_t k = 0; k < count; ++k) {
            const std::vector<int8_t>& s = b.states[k0 + k];
            uint8_t* bits = &io_[size_t{k} * words * 4];
            for (uint32_t i = 0; i < b.n; ++i)
                if (s[i] > 0) bits[i / 8] |= static_cast<uint8_t>(1u << (i % 8));
        }
        const Reply r = call(MIND_FW_CMD_CLASSIFY,
                             {count, b.n, MIND_FW_CLASSIFY_FIRST_LABEL(b.first_label, b.protos), labels, mode,
                              b.run.max_sweeps, b.run.temp, b.first_seed + k0},
                             io_.data(), static_cast<uint32_t>(io_.size()), 3, count);
        const uint32_t offset = r.result[MIND_FW_CLASSIFY_RES_OFFSET];
        if (r.result[MIND_FW_CLASSIFY_RES_DONE] != count || offset != mind_fw_classify_results_offset(count, b.n))
            throw BoardError(fmt::format("{}: the firmware answered {} images with records at byte {}; expected {} at {}",
                                         command_label(MIND_FW_CMD_CLASSIFY), r.result[MIND_FW_CLASSIFY_RES_DONE],
                                         offset, count, mind_fw_classify_results_offset(count, b.n)));
        const uint32_t rec_bytes = 4 * MIND_FW_CLASSIFY_RECORD_WORDS;
        io_.resize(size_t{count} * rec_bytes);
        t_.board_read_block(MIND_HOSTIF_BUF_BASE + offset, io_.data(), count * rec_bytes);
        for (uint32_t k = 0; k < count; ++k) {
            const uint8_t* rec = &io_[size_t{k} * rec_bytes];
            auto word = [rec](uint32_t i) { return get32(rec + 4 * i); };
            const uint32_t flags = word(MIND_FW_REC_FLAGS);
            ClassifyOutcome& o = out[k0 + k];
            o.label = static_cast<int>(word(MIND_FW_REC_LABEL));
            o.tied = (flags & MIND_FW_FLAG_TIED) != 0;
            o.run = run_result((flags & MIND_FW_FLAG_CONVERGED ? MIND_STATUS_CONVERGED : 0u) |
                                   (flags & MIND_FW_FLAG_CYCLE2 ? MIND_STATUS_CYCLE2 : 0u),
                               word(MIND_FW_REC_SWEEPS), word(MIND_FW_REC_FLIPS), word(MIND_FW_REC_OVF_COUNT),
                               word(MIND_FW_REC_CYCLES_LO), word(MIND_FW_REC_CYCLES_HI));
            o.run.sim_seconds = word(MIND_FW_REC_TIME_US) * 1e-6;
            if (o.label < 0 || static_cast<uint32_t>(o.label) >= b.classes)
                throw BoardError(fmt::format("{}: image {} came back with label {} of {} classes",
                                             command_label(MIND_FW_CMD_CLASSIFY), k0 + k, o.label, b.classes));
        }
    }
    return out;
}

}  // namespace mind1024::host
