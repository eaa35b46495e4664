#include "sysc/register_file.h"

#include <algorithm>
#include <array>

#include "sysc/fixed_point.h"
#include "mind1024_regs.h"

namespace mind1024::sysc {

namespace {
#define MIND_REG_ENTRY(name, off, acc, count, stride) {#name, off, acc, count, stride},
const RegInfo kTable[] = {MIND_REGISTER_TABLE(MIND_REG_ENTRY)};
#undef MIND_REG_ENTRY

// Registers a write cannot change while the engine runs (ERR_CODE BUSY).
bool blocked_while_busy(uint32_t off) {
    switch (off) {
        case MIND_REG_MODE: case MIND_REG_N_ACTIVE: case MIND_REG_MAX_SWEEPS: case MIND_REG_TEMP:
        case MIND_REG_SEED: case MIND_REG_SYN_ADDR: case MIND_REG_SYN_DATA: case MIND_REG_THR_ADDR:
        case MIND_REG_THR_DATA:
            return true;
        default:
            return off >= MIND_REG_STATE(0) && off < MIND_REG_CLAMP(MIND_REG_CLAMP_COUNT);
    }
}
}  // namespace

const RegInfo* RegisterFile::table(size_t* count) {
    *count = sizeof(kTable) / sizeof(kTable[0]);
    return kTable;
}

namespace {
const RegInfo* scan(uint32_t offset) {
    for (const RegInfo& r : kTable) {
        if (offset < r.offset || offset >= r.offset + r.count * r.stride) continue;
        if ((offset - r.offset) % r.stride == 0) return &r;
    }
    return nullptr;
}
}  // namespace

const RegInfo* RegisterFile::decode(uint32_t offset) {
    // Every access decodes: look the word up in a table built once from the scan.
    static const std::array<const RegInfo*, MIND_REG_BLOCK_SIZE / 4> words = [] {
        std::array<const RegInfo*, MIND_REG_BLOCK_SIZE / 4> w{};
        for (uint32_t k = 0; k < w.size(); ++k) w[k] = scan(4 * k);
        return w;
    }();
    if (offset % 4) return scan(offset);
    return offset / 4 < words.size() ? words[offset / 4] : nullptr;
}

uint32_t RegisterFile::status_word() const {
    return (st_.busy ? MIND_STATUS_BUSY : 0u) | (st_.done ? MIND_STATUS_DONE : 0u) |
           (st_.converged ? MIND_STATUS_CONVERGED : 0u) | (st_.cycle2 ? MIND_STATUS_CYCLE2 : 0u) |
           (st_.ovf ? MIND_STATUS_OVF : 0u) | (st_.err ? MIND_STATUS_ERR : 0u) |
           ((st_.err_code << MIND_STATUS_ERR_CODE_SHIFT) & MIND_STATUS_ERR_CODE_MASK);
}

uint32_t RegisterFile::config_word() const {
    const ChipParams& p = st_.params;
    return ((p.n_max << MIND_CONFIG_N_MAX_SHIFT) & MIND_CONFIG_N_MAX_MASK) |
           ((p.wbits << MIND_CONFIG_WBITS_SHIFT) & MIND_CONFIG_WBITS_MASK) |
           ((p.abits << MIND_CONFIG_ABITS_SHIFT) & MIND_CONFIG_ABITS_MASK) |
           ((p.lanes << MIND_CONFIG_LANES_SHIFT) & MIND_CONFIG_LANES_MASK);
}

void RegisterFile::raise_error(uint32_t code) {
    st_.err = true;
    st_.err_code = code;
    st_.irq_status |= MIND_IRQ_STATUS_ERR;
    if (on_irq_change) on_irq_change();
}

tlm::tlm_response_status RegisterFile::read(uint32_t off, uint32_t& v) {
    const RegInfo* r = decode(off);
    if (!r) return tlm::TLM_ADDRESS_ERROR_RESPONSE;
    const uint32_t n_max = st_.params.n_max;
    v = 0;
    switch (r->offset) {
        case MIND_REG_ID: v = MIND_ID_VALUE; break;
        case MIND_REG_VERSION: v = (MIND_HW_VERSION_MAJOR << 16) | MIND_HW_VERSION_MINOR; break;
        case MIND_REG_CONFIG: v = config_word(); break;
        case MIND_REG_CTRL: v = 0; break;
        case MIND_REG_STATUS: v = status_word(); break;
        case MIND_REG_IRQ_EN: v = st_.irq_en; break;
        case MIND_REG_IRQ_STATUS: v = st_.irq_status; break;
        case MIND_REG_MODE: v = st_.mode; break;
        case MIND_REG_N_ACTIVE: v = st_.n_active; break;
        case MIND_REG_MAX_SWEEPS: v = st_.max_sweeps; break;
        case MIND_REG_TEMP: v = st_.temp; break;
        case MIND_REG_SEED: v = st_.seed; break;
        case MIND_REG_SWEEPS: v = st_.sweeps; break;
        case MIND_REG_FLIPS: v = st_.flips; break;
        case MIND_REG_CYCLES_LO:
            st_.cycles_hi_latch = static_cast<uint32_t>(st_.cycles >> 32);
            v = static_cast<uint32_t>(st_.cycles);
            break;
        case MIND_REG_CYCLES_HI: v = st_.cycles_hi_latch; break;
        case MIND_REG_OVF_COUNT: v = st_.ovf_count; break;
        case MIND_REG_SYN_ADDR: v = st_.syn_addr; break;
        case MIND_REG_SYN_DATA:
            v = static_cast<uint32_t>(static_cast<int32_t>(syn_.at(st_.syn_addr)));
            st_.syn_addr = static_cast<uint32_t>((uint64_t{st_.syn_addr} + 1) % (uint64_t{n_max} * n_max));
            break;
        case MIND_REG_THR_ADDR: v = st_.thr_addr; break;
        case MIND_REG_THR_DATA:
            v = static_cast<uint32_t>(st_.theta[st_.thr_addr]);
            st_.thr_addr = (st_.thr_addr + 1) % n_max;
            break;
        case MIND_REG_FIELD_ADDR: v = st_.field_addr; break;
        case MIND_REG_FIELD_DATA:
            v = static_cast<uint32_t>(st_.field[st_.field_addr]);
            st_.field_addr = (st_.field_addr + 1) % n_max;
            break;
        default: {  // STATE[k] / CLAMP[k]
            const bool state = r->offset == MIND_REG_STATE(0);
            const uint32_t base = (off - r->offset) / r->stride * 32;
            for (uint32_t b = 0; b < 32 && base + b < n_max; ++b) {
                const bool bit = state ? st_.sigma[base + b] > 0 : st_.clamp[base + b] != 0;
                v |= uint32_t{bit} << b;
            }
        }
    }
    return tlm::TLM_OK_RESPONSE;
}

tlm::tlm_response_status RegisterFile::write(uint32_t off, uint32_t v) {
    const RegInfo* r = decode(off);
    if (!r) return tlm::TLM_ADDRESS_ERROR_RESPONSE;
    if (r->access == MIND_ACCESS_RO) return tlm::TLM_COMMAND_ERROR_RESPONSE;
    if (st_.busy && blocked_while_busy(r->offset)) {
        raise_error(MIND_ERR_BUSY);  // ignored: the hardware keeps running
        return tlm::TLM_OK_RESPONSE;
    }
    const uint32_t n_max = st_.params.n_max;
    switch (r->offset) {
        case MIND_REG_CTRL:
            if (on_command) on_command(v);
            break;
        case MIND_REG_IRQ_EN:
            st_.irq_en = v & (MIND_IRQ_EN_DONE | MIND_IRQ_EN_ERR);
            if (on_irq_change) on_irq_change();
            break;
        case MIND_REG_IRQ_STATUS:
            st_.irq_status &= ~v;  // write 1 to clear
            if (on_irq_change) on_irq_change();
            break;
        case MIND_REG_MODE: st_.mode = v & (MIND_MODE_ORDER_MASK | MIND_MODE_OVF_WRAP | MIND_MODE_NOISE_EN); break;
        case MIND_REG_N_ACTIVE: st_.n_active = v; break;
        case MIND_REG_MAX_SWEEPS: st_.max_sweeps = v; break;
        case MIND_REG_TEMP: st_.temp = v; break;
        case MIND_REG_SEED: st_.seed = v; break;
        case MIND_REG_SYN_ADDR: st_.syn_addr = static_cast<uint32_t>(v % (uint64_t{n_max} * n_max)); break;
        case MIND_REG_SYN_DATA:
            syn_.store(st_.syn_addr, static_cast<int32_t>(v));
            st_.syn_addr = static_cast<uint32_t>((uint64_t{st_.syn_addr} + 1) % (uint64_t{n_max} * n_max));
            break;
        case MIND_REG_THR_ADDR: st_.thr_addr = v % n_max; break;
        case MIND_REG_THR_DATA:
            st_.theta[st_.thr_addr] =
                st_.written_threshold(st_.thr_addr, fx::store_threshold(static_cast<int32_t>(v), st_.params.abits));
            st_.thr_addr = (st_.thr_addr + 1) % n_max;
            break;
        case MIND_REG_FIELD_ADDR: st_.field_addr = v % n_max; break;
        default: {  // STATE[k] / CLAMP[k]
            const bool state = r->offset == MIND_REG_STATE(0);
            const uint32_t base = (off - r->offset) / r->stride * 32;
            // Words past N_MAX (N_MAX below 1024) hold no neuron: the write changes nothing.
            const uint32_t bits = base < n_max ? std::min<uint32_t>(32, n_max - base) : 0;
            if (state)
                for (uint32_t b = 0; b < bits; ++b)
                    st_.sigma[base + b] = st_.written_state(base + b, static_cast<int8_t>(2 * ((v >> b) & 1u) - 1));
            else
                for (uint32_t b = 0; b < bits; ++b) st_.clamp[base + b] = st_.written_clamp(base + b, (v >> b) & 1u);
        }
    }
    return tlm::TLM_OK_RESPONSE;
}

}  // namespace mind1024::sysc
