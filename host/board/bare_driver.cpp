#include "host/board/bare_driver.h"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "host/board/errors.h"
#include "mind1024_regs.h"

namespace mind1024::host {

namespace {
constexpr uint32_t kRegisterNeurons = 32 * MIND_REG_STATE_COUNT;  // reachable through STATE/CLAMP

ChipParams params_from_config(Transport& t) {
    if (t.read32(MIND_REG_ID) != MIND_ID_VALUE)
        throw BoardError(fmt::format("no MIND 1024 on {}: ID register reads 0x{:08X}", t.name(), t.read32(MIND_REG_ID)));
    const uint32_t c = t.read32(MIND_REG_CONFIG);
    ChipParams p;
    p.n_max = (c & MIND_CONFIG_N_MAX_MASK) >> MIND_CONFIG_N_MAX_SHIFT;
    p.wbits = (c & MIND_CONFIG_WBITS_MASK) >> MIND_CONFIG_WBITS_SHIFT;
    p.abits = (c & MIND_CONFIG_ABITS_MASK) >> MIND_CONFIG_ABITS_SHIFT;
    p.lanes = (c & MIND_CONFIG_LANES_MASK) >> MIND_CONFIG_LANES_SHIFT;
    return p;
}
}  // namespace

BareDriver::BareDriver(Transport& t) : t_(t), params_(params_from_config(t)) {
    // Latency and clock are not in CONFIG: the board states them (the hello of a link).
    const ChipParams stated = t.chip_params();
    if (stated.n_max != params_.n_max || stated.wbits != params_.wbits || stated.abits != params_.abits ||
        stated.lanes != params_.lanes)
        throw BoardError(fmt::format("{}: CONFIG says {} but the board states {}", t.name(), params_.describe(),
                                     stated.describe()));
    params_ = stated;
    if (params_.n_max > kRegisterNeurons)
        throw BoardError(fmt::format("N_MAX = {} > {}: such a chip is driven through the C++ API, not the bus",
                                     params_.n_max, kRegisterNeurons));
}

void BareDriver::check_error(const char* what) {
    const uint32_t irq = t_.read32(MIND_REG_IRQ_STATUS);
    if (!(irq & MIND_IRQ_STATUS_ERR)) return;
    t_.write32(MIND_REG_IRQ_STATUS, MIND_IRQ_STATUS_ERR);
    const uint32_t code = (t_.read32(MIND_REG_STATUS) & MIND_STATUS_ERR_CODE_MASK) >> MIND_STATUS_ERR_CODE_SHIFT;
    if (code == MIND_ERR_BUSY) throw BusyError(fmt::format("{}: the chip was BUSY and ignored it", what));
    if (code == MIND_ERR_BAD_ARG) throw BadArgument(fmt::format("{}: the chip answered BAD_ARG", what));
    throw BoardError(fmt::format("{}: the chip reported error code {}", what, code));
}

void BareDriver::load_weights(const WeightMatrix& m) {
    check_weights(m, params_);
    // One burst per row through the synapse window (an odd tail goes as 16 bits).
    for (uint32_t i = 0; i < m.n; ++i) {
        const uint64_t base = MIND_SYN_WINDOW_OFFSET + uint64_t{i} * params_.n_max * 2;
        const int16_t* row = &m.w[size_t{i} * m.n];
        const uint32_t even = m.n & ~1u;
        if (even) t_.write_block(base, row, even * 2);
        if (m.n & 1u) t_.write_block(base + even * 2, row + even, 2);
    }
    check_error("loading weights");
}

WeightMatrix BareDriver::read_weights(uint32_t n) {
    if (n == 0 || n > params_.n_max)
        throw BadArgument(fmt::format("read_weights: n = {} is outside 1..{}", n, params_.n_max));
    WeightMatrix m{n, std::vector<int16_t>(size_t{n} * n)};
    for (uint32_t i = 0; i < n; ++i) {
        const uint64_t base = MIND_SYN_WINDOW_OFFSET + uint64_t{i} * params_.n_max * 2;
        int16_t* row = &m.w[size_t{i} * n];
        const uint32_t even = n & ~1u;
        if (even) t_.read_block(base, row, even * 2);
        if (n & 1u) t_.read_block(base + even * 2, row + even, 2);
    }
    return m;
}

void BareDriver::load_thresholds(const std::vector<int32_t>& t) {
    check_thresholds(t, params_);
    t_.write32(MIND_REG_THR_ADDR, 0);
    for (int32_t v : t) t_.write32(MIND_REG_THR_DATA, static_cast<uint32_t>(v));
    check_error("loading thresholds");
}

void BareDriver::write_bits(uint32_t base, const std::vector<uint8_t>& bits, const char* what) {
    if (bits.size() > params_.n_max)
        throw BadArgument(fmt::format("{}: {} values given; the chip has {} neurons", what, bits.size(), params_.n_max));
    const uint32_t words = static_cast<uint32_t>((bits.size() + 31) / 32);
    for (uint32_t k = 0; k < words; ++k) {
        // Keep the bits of neurons beyond the given vector as they are.
        uint32_t v = (k + 1) * 32 > bits.size() ? t_.read32(base + 4 * k) : 0;
        for (uint32_t b = 0; b < 32 && 32 * k + b < bits.size(); ++b)
            v = (v & ~(1u << b)) | uint32_t{bits[32 * k + b] != 0} << b;
        t_.write32(base + 4 * k, v);
    }
    check_error(what);
}

void BareDriver::set_state(const std::vector<int8_t>& s) {
    std::vector<uint8_t> bits(s.size());
    for (size_t i = 0; i < s.size(); ++i) bits[i] = s[i] > 0;
    write_bits(MIND_REG_STATE(0), bits, "set_state");
}

void BareDriver::set_clamp(const std::vector<uint8_t>& c) {
    for (size_t i = 0; i < c.size(); ++i)
        if (c[i] > 1) throw BadArgument(fmt::format("clamp[{}] = {}: a clamp mask holds 0 or 1", i, c[i]));
    write_bits(MIND_REG_CLAMP(0), c, "set_clamp");
}

std::vector<int8_t> BareDriver::state() {
    std::vector<int8_t> s(params_.n_max);
    for (uint32_t k = 0; k * 32 < params_.n_max; ++k) {
        const uint32_t v = t_.read32(MIND_REG_STATE(k));
        for (uint32_t b = 0; b < 32 && 32 * k + b < params_.n_max; ++b) s[32 * k + b] = (v >> b) & 1u ? 1 : -1;
    }
    return s;
}

std::vector<int32_t> BareDriver::fields(uint32_t first, uint32_t count) {
    if (uint64_t{first} + count > params_.n_max)
        throw BadArgument(fmt::format("fields {}..{} are beyond N_MAX = {}", first, uint64_t{first} + count, params_.n_max));
    std::vector<int32_t> h(count);
    t_.write32(MIND_REG_FIELD_ADDR, first);
    for (uint32_t k = 0; k < count; ++k) h[k] = static_cast<int32_t>(t_.read32(MIND_REG_FIELD_DATA));
    return h;
}

uint64_t BareDriver::cycles() {
    const uint32_t lo = t_.read32(MIND_REG_CYCLES_LO);
    return (uint64_t{t_.read32(MIND_REG_CYCLES_HI)} << 32) | lo;
}

RunResult BareDriver::command(uint32_t ctrl, const RunParams* p) {
    const double t0 = t_.now_seconds();
    const uint64_t c0 = cycles();
    if (p) {
        check_run_params(*p, params_);
        Mode m;
        m.order = p->order;
        m.wrap = p->wrap;
        m.noise = p->noise;
        t_.write32(MIND_REG_MODE, m.to_register());
        t_.write32(MIND_REG_N_ACTIVE, p->n_active ? p->n_active : params_.n_max);
        t_.write32(MIND_REG_MAX_SWEEPS, p->max_sweeps);
        t_.write32(MIND_REG_TEMP, p->temp);
        t_.write32(MIND_REG_SEED, p->seed);
    }
    t_.write32(MIND_REG_IRQ_STATUS, MIND_IRQ_STATUS_DONE | MIND_IRQ_STATUS_ERR);
    t_.write32(MIND_REG_CTRL, ctrl);
    check_error("command");
    t_.wait_idle();
    const uint32_t st = t_.read32(MIND_REG_STATUS);
    if (st & MIND_STATUS_BUSY) throw BoardError("the chip is still BUSY after the simulation went idle");
    RunResult r;
    r.converged = st & MIND_STATUS_CONVERGED;
    r.cycle2 = st & MIND_STATUS_CYCLE2;
    r.sweeps = t_.read32(MIND_REG_SWEEPS);
    r.flips = t_.read32(MIND_REG_FLIPS);
    r.ovf_count = t_.read32(MIND_REG_OVF_COUNT);
    r.cycles = cycles() - c0;
    r.sim_seconds = t_.now_seconds() - t0;
    return r;
}

RunResult BareDriver::run(const RunParams& p) { return command(MIND_CTRL_START, &p); }
RunResult BareDriver::step(const RunParams& p) { return command(MIND_CTRL_STEP, &p); }

void BareDriver::hebb(uint32_t n_active) {
    if (n_active > params_.n_max) throw BadArgument(fmt::format("hebb: n_active = {} exceeds N_MAX", n_active));
    t_.write32(MIND_REG_N_ACTIVE, n_active ? n_active : params_.n_max);
    command(MIND_CTRL_HEBB, nullptr);
}

void BareDriver::clear_synapses() { command(MIND_CTRL_CLEAR_SYN, nullptr); }

void BareDriver::soft_reset() {
    t_.write32(MIND_REG_CTRL, MIND_CTRL_SOFT_RESET);
    t_.wait_idle();
}

std::vector<RunManyItem> BareDriver::run_many(const RunMany& b) {
    check_run_many(b, params_);
    const uint32_t words = (b.n + 31) / 32, state_words = (params_.n_max + 31) / 32;
    auto reg = [](uint32_t off) { return static_cast<uint32_t>(MIND_CHIP_BASE + off); };
    std::vector<BusOp> ops;
    auto read = [&](uint32_t off) { ops.push_back({BusOp::Kind::Read32, reg(off), 0, 0}); };
    auto write = [&](uint32_t off, uint32_t v) { ops.push_back({BusOp::Kind::Write32, reg(off), v, 0}); };
    Mode m;
    m.order = b.run.order, m.wrap = b.run.wrap, m.noise = b.run.noise;
    // As set_state, run, fields and state do it: the same registers in the same order.
    for (size_t k = 0; k < b.states.size(); ++k) {
        const std::vector<int8_t>& s = b.states[k];
        for (uint32_t w = 0; w < words; ++w) {
            uint32_t v = 0, mask = 0;
            for (uint32_t i = 32 * w; i < std::min(b.n, 32 * w + 32); ++i)
                v |= uint32_t{s[i] > 0} << (i % 32), mask |= 1u << (i % 32);
            if (mask == ~0u) write(MIND_REG_STATE(w), v);
            else ops.push_back({BusOp::Kind::WriteMasked, reg(MIND_REG_STATE(w)), v, mask});
        }
        read(MIND_REG_IRQ_STATUS);
        ops.push_back({BusOp::Kind::Time});
        read(MIND_REG_CYCLES_LO), read(MIND_REG_CYCLES_HI);
        write(MIND_REG_MODE, m.to_register()), write(MIND_REG_N_ACTIVE, b.run.n_active ? b.run.n_active : b.n);
        write(MIND_REG_MAX_SWEEPS, b.run.max_sweeps);
        write(MIND_REG_TEMP, b.run.temp), write(MIND_REG_SEED, b.first_seed + static_cast<uint32_t>(k));
        write(MIND_REG_IRQ_STATUS, MIND_IRQ_STATUS_DONE | MIND_IRQ_STATUS_ERR);
        write(MIND_REG_CTRL, MIND_CTRL_START);
        read(MIND_REG_IRQ_STATUS);
        ops.push_back({BusOp::Kind::WaitIdle});
        read(MIND_REG_STATUS), read(MIND_REG_SWEEPS), read(MIND_REG_FLIPS), read(MIND_REG_OVF_COUNT);
        read(MIND_REG_CYCLES_LO), read(MIND_REG_CYCLES_HI);
        ops.push_back({BusOp::Kind::Time});
        write(MIND_REG_FIELD_ADDR, b.first_field);
        for (uint32_t i = 0; i < b.field_count; ++i) read(MIND_REG_FIELD_DATA);
        if (b.read_state)
            for (uint32_t w = 0; w < state_words; ++w) read(MIND_REG_STATE(w));
    }
    const BusAnswers a = t_.run_ops(ops);
    // IRQ, cycles, IRQ, STATUS, SWEEPS, FLIPS, OVF, cycles, the fields, the state words
    const size_t per = 10 + b.field_count + (b.read_state ? state_words : 0);
    if (a.reads.size() != per * b.states.size() || a.times.size() != 2 * b.states.size())
        throw BoardError(fmt::format("{}: a batch of {} runs answered {} reads and {} times", t_.name(),
                                     b.states.size(), a.reads.size(), a.times.size()));
    std::vector<RunManyItem> out(b.states.size());
    for (size_t k = 0; k < b.states.size(); ++k) {
        const uint32_t* r = &a.reads[per * k];
        // An error the chip flagged: reported as check_error would have at that point.
        if ((r[0] | r[3]) & MIND_IRQ_STATUS_ERR) check_error(r[0] & MIND_IRQ_STATUS_ERR ? "set_state" : "command");
        if (r[4] & MIND_STATUS_BUSY) throw BoardError("the chip is still BUSY after the simulation went idle");
        RunResult& run = out[k].run;
        run.converged = r[4] & MIND_STATUS_CONVERGED;
        run.cycle2 = r[4] & MIND_STATUS_CYCLE2;
        run.sweeps = r[5], run.flips = r[6], run.ovf_count = r[7];
        run.cycles = ((uint64_t{r[9]} << 32) | r[8]) - ((uint64_t{r[2]} << 32) | r[1]);
        run.sim_seconds = a.times[2 * k + 1] - a.times[2 * k];
        out[k].fields.assign(r + 10, r + 10 + b.field_count);
        if (!b.read_state) continue;
        out[k].state.resize(params_.n_max);
        for (uint32_t i = 0; i < params_.n_max; ++i)
            out[k].state[i] = (r[10 + b.field_count + i / 32] >> (i % 32)) & 1u ? 1 : -1;
    }
    return out;
}

}  // namespace mind1024::host
