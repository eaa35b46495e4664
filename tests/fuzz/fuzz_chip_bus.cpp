// libFuzzer harness for the chip's register interface: the input is decoded
// into a sequence of bus operations (register reads and writes at the offsets
// of the register map, synapse-window accesses of every size, CTRL commands
// START/STEP/HEBB/CLEAR_SYN/ABORT/SOFT_RESET alone and combined, and waits)
// driven into the SystemC chip (sysc/chip.h) through TLM b_transport, and
// mirrored on a shadow: the plain reference model (sysc/reference_model.h) for
// everything the chip computes, plus the register-level state the contract
// defines (IRQ_EN/IRQ_STATUS, ERR/ERR_CODE, the auto-increment pointers, the
// CYCLES_HI latch, BUSY). Findings (__builtin_trap, message on stderr):
//   - a TLM response or bus time (2 cycles a register, 1 per window word)
//     other than the contract's;
//   - a register read that differs from the shadow (while the chip is idle:
//     every register; while busy: those a run cannot change);
//   - whenever the chip is idle: any difference in states, clamps, thresholds,
//     fields, every synapse, the configuration registers, the STATUS flags,
//     SWEEPS/FLIPS/OVF_COUNT/CYCLES, the IRQ registers and the IRQ line;
//   - BUSY at a time other than [command, command + the reference's cycles),
//     an ABORT that does not stop a run after the neuron in flight (the
//     reference's update budget), a SOFT_RESET that does not drop the work;
//   - crashes, leaks and sanitizer reports in the chip (ASan follows SystemC's
//     coroutines through sysc/sanitizer/asan_fiber_fix.cpp: SHARED_LIBSAN in
//     tests/fuzz/CMakeLists.txt).
// One elaboration per process: four chips of different parameters (N_MAX 17..64,
// WBITS 1..16, ABITS 2..32, LANES 1..255, both engines) are built on the first
// input; the first byte picks one, which is put back to reset (SOFT_RESET, and
// synapses and thresholds zero) before the input's operations.
// Built by tests/fuzz/CMakeLists.txt (MIND1024_FUZZ), run by scripts/fuzz.sh,
// seeds in tests/fuzz/corpus/chip_bus/ (tests/fuzz/corpus/make_seeds.py); by hand:
//   build-fuzz/tests/fuzz/fuzz_chip_bus -max_total_time=60 -max_len=512 CORPUS_DIR
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "sysc/chip.h"
#include "mind1024_regs.h"
#include "sysc/reference_model.h"

using namespace mind1024;
using sc_core::sc_time;

// libFuzzer has the process's main(); libsystemc's main() refers to sc_main.
extern "C" int sc_main(int, char**) { return 0; }

namespace {

[[noreturn]] void fail(const char* what, uint64_t got = 0, uint64_t want = 0) {
    std::fprintf(stderr, "fuzz_chip_bus: %s (chip %llu / 0x%llX, shadow %llu / 0x%llX)\n", what,
                 static_cast<unsigned long long>(got), static_cast<unsigned long long>(got),
                 static_cast<unsigned long long>(want), static_cast<unsigned long long>(want));
    __builtin_trap();
}
void expect(bool ok, const char* what) {
    if (!ok) fail(what);
}
void expect_eq(uint64_t got, uint64_t want, const char* what) {
    if (got != want) fail(what, got, want);
}

struct Initiator : sc_core::sc_module {
    tlm_utils::simple_initiator_socket<Initiator> reg, syn;
    explicit Initiator(sc_core::sc_module_name n) : sc_module(n), reg("reg"), syn("syn") {}
};

struct Rig {
    Rig(const char* name, const ChipParams& p, bool fine)
        : chip(name, p, sysc::ChipConfig{fine}), host(sc_core::sc_gen_unique_name("host")),
          irq(sc_core::sc_gen_unique_name("irq")) {
        host.reg.bind(chip.reg_socket);
        host.syn.bind(chip.syn.socket);
        chip.irq.bind(irq);
    }
    sysc::Mind1024Chip chip;
    Initiator host;
    sc_core::sc_signal<bool> irq;
};

ChipParams params(uint32_t n, uint32_t wbits, uint32_t abits, uint32_t lanes, uint32_t latency, double hz) {
    ChipParams p;
    p.n_max = n;
    p.wbits = wbits;
    p.abits = abits;
    p.lanes = lanes;
    p.latency = latency;
    p.clock_hz = hz;
    return p;
}

// Never destroyed (SystemC has no clean way to end a simulation at exit).
std::vector<std::unique_ptr<Rig>>& rigs() {
    static auto* r = new std::vector<std::unique_ptr<Rig>>([] {
        std::vector<std::unique_ptr<Rig>> v;
        v.push_back(std::make_unique<Rig>("chip0", params(64, 8, 24, 16, 5, 20e6), false));  // contract defaults
        v.push_back(std::make_unique<Rig>("chip1", params(40, 3, 7, 3, 2, 33e6), true));     // overflows often
        v.push_back(std::make_unique<Rig>("chip2", params(17, 16, 32, 1, 0, 10e6), false));  // one MAC a cycle
        v.push_back(std::make_unique<Rig>("chip3", params(33, 1, 2, 255, 11, 100e6), true));  // tiny accumulator
        sc_core::sc_report_handler::set_actions("/IEEE_Std_1666/deprecated", sc_core::SC_DO_NOTHING);
        sc_core::sc_report_handler::set_actions("no activity or clock movement for sc_start() invocation",
                                                sc_core::SC_DO_NOTHING);
        sc_core::sc_start(sc_core::SC_ZERO_TIME);  // end of elaboration
        return v;
    }());
    return *r;
}

// The input, byte by byte; zeros once it runs out.
struct Input {
    const uint8_t* d;
    size_t n, pos = 0;
    bool more() const { return pos < n; }
    uint8_t u8() { return pos < n ? d[pos++] : 0; }
    uint16_t u16() { return static_cast<uint16_t>(u8() | u8() << 8); }
    uint32_t u32() { return u16() | uint32_t{u16()} << 16; }
};

// Register offsets the decoder picks from: every register, a few array entries,
// unmapped words, a misaligned offset and the first word past the block.
const uint32_t kOffsets[] = {
    MIND_REG_ID, MIND_REG_VERSION, MIND_REG_CONFIG, MIND_REG_CTRL, MIND_REG_STATUS, MIND_REG_IRQ_EN,
    MIND_REG_IRQ_STATUS, MIND_REG_MODE, MIND_REG_N_ACTIVE, MIND_REG_MAX_SWEEPS, MIND_REG_TEMP, MIND_REG_SEED,
    MIND_REG_SWEEPS, MIND_REG_FLIPS, MIND_REG_CYCLES_LO, MIND_REG_CYCLES_HI, MIND_REG_OVF_COUNT,
    MIND_REG_SYN_ADDR, MIND_REG_SYN_DATA, MIND_REG_THR_ADDR, MIND_REG_THR_DATA, MIND_REG_FIELD_ADDR,
    MIND_REG_FIELD_DATA, MIND_REG_STATE(0), MIND_REG_STATE(1), MIND_REG_STATE(2), MIND_REG_STATE(31),
    MIND_REG_CLAMP(0), MIND_REG_CLAMP(1), MIND_REG_CLAMP(2), MIND_REG_CLAMP(31),
    0x00C, 0x034, 0x054, 0x078, 0x200, 0xFFC, 0x011, 0x1000, 0xFFFFFFFC};
constexpr size_t kNumOffsets = sizeof(kOffsets) / sizeof(kOffsets[0]);

struct RegSpec {
    bool mapped = false;
    int access = MIND_ACCESS_RO;
};
RegSpec spec(uint32_t off) {
    RegSpec s;
    if (off % 4 || off >= MIND_REG_BLOCK_SIZE) return s;
#define MIND_REG_ENTRY(name, o, acc, count, stride)                                      \
    if (off >= (o) && off < (o) + (count) * (stride) && (off - (o)) % (stride) == 0) { \
        s.mapped = true;                                                                 \
        s.access = acc;                                                                  \
        return s;                                                                        \
    }
    MIND_REGISTER_TABLE(MIND_REG_ENTRY)
#undef MIND_REG_ENTRY
    return s;
}

// Written while BUSY: ignored, ERR_CODE BUSY. The contract's "configuration,
// state or memory": MODE..SEED, the synapse and threshold ports, STATE and CLAMP
// (`off` is a mapped register).
bool config_or_memory(uint32_t off) {
    return (off >= MIND_REG_MODE && off <= MIND_REG_SEED) || (off >= MIND_REG_SYN_ADDR && off <= MIND_REG_THR_DATA) ||
           (off >= MIND_REG_STATE(0) && off < MIND_REG_CLAMP(MIND_REG_CLAMP_COUNT));
}

class Driver {
public:
    explicit Driver(Rig& r)
        : r_(r), c_(r.chip), p_(r.chip.params()), T_(r.chip.clock_period()), ref_(p_), before_(p_), full_(p_) {}

    void reset() {
        // SOFT_RESET, unchecked: the shadow knows nothing of the previous input yet.
        settle();
        uint32_t v = MIND_CTRL_SOFT_RESET;
        transport(false, tlm::TLM_WRITE_COMMAND, MIND_REG_CTRL, &v, 4);
        sc_core::sc_start(pending_);
        pending_ = sc_core::SC_ZERO_TIME;
        settle();
        // Synapses and thresholds survive SOFT_RESET: zero them directly (cheap
        // at these sizes; CLEAR_SYN itself is fuzzed).
        c_.syn.clear();
        std::fill(c_.state().theta.begin(), c_.state().theta.end(), 0);
        ref_ = ReferenceModel(p_);
        sh_ = Shadow{};
        pend_ = Pending{};
        compare_idle();
    }

    void run(Input& in) {
        for (int ops = 0; ops < 256 && in.more(); ++ops) {
            const uint8_t op = in.u8();
            if (trace_) std::fprintf(stderr, "op %u at byte %zu, t=%s\n", op % 12, in.pos - 1, now().to_string().c_str());
            switch (op % 12) {
                case 0: case 1: {
                    const uint32_t off = kOffsets[in.u8() % kNumOffsets];
                    reg_write(off, in.u32());
                    break;
                }
                case 2: case 3: reg_read(kOffsets[in.u8() % kNumOffsets]); break;
                case 4: command(in.u8()); break;
                case 5: wait_op(in.u8()); break;
                case 6: window(in, true); break;
                case 7: window(in, false); break;
                case 8: load_row(in); break;
                case 9: odd_access(in); break;
                case 10: {  // a burst of register writes of one register (THR_DATA, SYN_DATA, STATE...)
                    const uint32_t off = kOffsets[in.u8() % kNumOffsets];
                    const unsigned k = 1 + in.u8() % 16;
                    for (unsigned i = 0; i < k; ++i) reg_write(off, in.u32());
                    break;
                }
                default: wait_idle(); break;
            }
        }
        // Leave it idle and compared.
        wait_idle();
        compare_idle();
    }

private:
    struct Shadow {
        uint32_t irq_en = 0, irq_status = 0, err_code = 0;
        bool err = false;
        uint32_t syn_addr = 0, thr_addr = 0, field_addr = 0, hi_latch = 0;
        bool latch_known = true;
    };
    // The operation the chip is running (the shadow's view of BUSY).
    struct Pending {
        bool active = false, aborted = false;
        uint32_t cmd = 0;
        sc_time t0, end;  // busy over [t0, end)
    };

    uint32_t n_max() const { return p_.n_max; }

    // ---------------------------------------------------------------- time
    // Simulate the pending bus time, then every delta cycle of the present
    // time (sc_start(t) stops before the processes of time t run), so the
    // shadow and the chip look at the same instant.
    void sync() {
        if (pending_ > sc_core::SC_ZERO_TIME) {
            sc_core::sc_start(pending_);
            pending_ = sc_core::SC_ZERO_TIME;
        }
        settle();
        resolve();
    }
    void settle() {
        for (int k = 0; k < 100 && sc_core::sc_pending_activity_at_current_time(); ++k)
            sc_core::sc_start(sc_core::SC_ZERO_TIME);
        expect(!sc_core::sc_pending_activity_at_current_time(), "delta cycles do not settle");
    }
    sc_time now() const { return sc_core::sc_time_stamp(); }
    sc_time cycles(uint64_t k) const { return sc_time::from_value(k * T_.value()); }
    void advance(uint64_t k) {
        pending_ += cycles(k);
        sync();
    }
    void wait_idle() {
        sync();
        if (pend_.active && pend_.end > now()) advance((pend_.end - now()).value() / T_.value());
        sync();
        expect(!pend_.active, "the operation did not end at the reference's cycle count");
    }
    void wait_op(uint8_t b) {
        if (b < 0x80) advance(b);
        else if (b < 0xF0) advance(uint64_t{b - 0x80u} * 61);
        else wait_idle();
    }

    // An operation ends (in the shadow) once its time has passed; the chip must agree.
    void resolve() {
        if (pend_.active && now() >= pend_.end) {
            ref_ = full_;
            pend_ = Pending{};
            sh_.irq_status |= MIND_IRQ_STATUS_DONE;
            expect(!c_.state().busy, "BUSY after the operation's cycles");
            compare_idle();
        } else if (pend_.active) {
            expect(c_.state().busy, "not BUSY before the operation's cycles have passed");
        } else {
            expect(!c_.state().busy, "BUSY with no operation running");
        }
        check_irq_line();
    }
    void check_irq_line() {
        expect_eq(r_.irq.read(), (sh_.irq_status & sh_.irq_en) != 0, "IRQ line");
    }

    // ---------------------------------------------------------------- bus
    tlm::tlm_response_status transport(bool window, tlm::tlm_command cmd, uint64_t addr, void* data, unsigned len,
                                       unsigned char* be = nullptr, unsigned streaming = 0) {
        tlm::tlm_generic_payload tx;
        tx.set_command(cmd);
        tx.set_address(addr);
        tx.set_data_ptr(static_cast<unsigned char*>(data));
        tx.set_data_length(len);
        tx.set_streaming_width(streaming ? streaming : len);
        tx.set_byte_enable_ptr(be);
        tx.set_byte_enable_length(be ? len : 0);
        tx.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
        sc_time d = sc_core::SC_ZERO_TIME;
        if (window) r_.host.syn->b_transport(tx, d);
        else r_.host.reg->b_transport(tx, d);
        pending_ += d;
        last_delay_ = d;
        return tx.get_response_status();
    }

    void raise(uint32_t code) {
        sh_.err = true;
        sh_.err_code = code;
        sh_.irq_status |= MIND_IRQ_STATUS_ERR;
    }
    bool busy() const { return pend_.active; }

    // Values for a register write: raw 32 bits, except where a raw value would
    // only make the run long (MAX_SWEEPS) or miss the interesting range (N_ACTIVE).
    uint32_t shape(uint32_t off, uint32_t v) const {
        if (off == MIND_REG_MAX_SWEEPS) return v % 10;  // 0 (BAD_ARG) .. 9
        if (off == MIND_REG_N_ACTIVE) {
            const uint32_t k = v & 0xFF;
            if (k < 240) return k % (n_max() + 2);  // 0 (BAD_ARG), 1..N_MAX, N_MAX + 1 (BAD_ARG)
            return k < 248 ? n_max() : 0x80000000u | v;
        }
        return v;
    }

    void reg_write(uint32_t off, uint32_t raw) {
        const uint32_t v = shape(off, raw);
        if (off == MIND_REG_CTRL) sync();  // a command starts at the bus's now
        uint32_t data = v;
        const tlm::tlm_response_status r = transport(false, tlm::TLM_WRITE_COMMAND, off, &data, 4);
        expect_eq(last_delay_.value(), cycles(2).value(), "register write bus time");
        const RegSpec s = spec(off);
        if (!s.mapped) return expect_eq(r, tlm::TLM_ADDRESS_ERROR_RESPONSE, "write response (unmapped)");
        if (s.access == MIND_ACCESS_RO) return expect_eq(r, tlm::TLM_COMMAND_ERROR_RESPONSE, "write response (RO)");
        expect_eq(r, tlm::TLM_OK_RESPONSE, "write response");
        if (busy() && config_or_memory(off)) return raise(MIND_ERR_BUSY);
        const uint32_t n = n_max();
        switch (off) {
            case MIND_REG_CTRL: return on_ctrl(v);
            case MIND_REG_IRQ_EN: sh_.irq_en = v & (MIND_IRQ_EN_DONE | MIND_IRQ_EN_ERR); break;
            case MIND_REG_IRQ_STATUS: sh_.irq_status &= ~v; break;
            case MIND_REG_MODE: ref_.set_mode(Mode::from_register(v)); break;
            case MIND_REG_N_ACTIVE: ref_.set_n_active(v); break;
            case MIND_REG_MAX_SWEEPS: ref_.set_max_sweeps(v); break;
            case MIND_REG_TEMP: ref_.set_temp(v); break;
            case MIND_REG_SEED: ref_.set_seed(v); break;
            case MIND_REG_SYN_ADDR: sh_.syn_addr = v % (n * n); break;
            case MIND_REG_SYN_DATA:
                ref_.set_weight(sh_.syn_addr / n, sh_.syn_addr % n, static_cast<int32_t>(v));
                sh_.syn_addr = (sh_.syn_addr + 1) % (n * n);
                break;
            case MIND_REG_THR_ADDR: sh_.thr_addr = v % n; break;
            case MIND_REG_THR_DATA:
                ref_.set_threshold(sh_.thr_addr, static_cast<int32_t>(v));
                sh_.thr_addr = (sh_.thr_addr + 1) % n;
                break;
            case MIND_REG_FIELD_ADDR: sh_.field_addr = v % n; break;
            default: {  // STATE[k], CLAMP[k]
                const bool state = off < MIND_REG_CLAMP(0);
                const uint32_t base = (off - (state ? MIND_REG_STATE(0) : MIND_REG_CLAMP(0))) / 4 * 32;
                for (uint32_t b = 0; b < 32 && base + b < n; ++b) {
                    if (state) ref_.set_state(base + b, (v >> b) & 1u ? 1 : -1);
                    else ref_.set_clamp(base + b, (v >> b) & 1u);
                }
            }
        }
    }

    void on_ctrl(uint32_t v) {
        if (v & MIND_CTRL_SOFT_RESET) {
            pend_ = Pending{};  // a running operation is dropped: the reference does not run it
            ref_.soft_reset();
            sh_ = Shadow{};
            return;
        }
        if (v & MIND_CTRL_ABORT) {
            if (busy() && !pend_.aborted && (pend_.cmd == MIND_CTRL_START || pend_.cmd == MIND_CTRL_STEP)) abort_run();
            return;
        }
        const uint32_t op = v & (MIND_CTRL_START | MIND_CTRL_STEP | MIND_CTRL_HEBB | MIND_CTRL_CLEAR_SYN);
        if (!op) return;
        if (busy()) return raise(MIND_ERR_BUSY);
        const bool n_ok = ref_.n_active() >= 1 && ref_.n_active() <= n_max();
        const bool is_run = op & (MIND_CTRL_START | MIND_CTRL_STEP);
        const bool needs_n = op & (MIND_CTRL_START | MIND_CTRL_STEP | MIND_CTRL_HEBB);
        if ((needs_n && !n_ok) ||
            (is_run && (ref_.max_sweeps() < 1 || static_cast<uint32_t>(ref_.mode().order) > 2)))
            return raise(MIND_ERR_BAD_ARG);
        const uint32_t cmd = (op & MIND_CTRL_START) ? MIND_CTRL_START
                             : (op & MIND_CTRL_STEP) ? MIND_CTRL_STEP
                             : (op & MIND_CTRL_HEBB) ? MIND_CTRL_HEBB
                                                     : MIND_CTRL_CLEAR_SYN;
        before_ = ref_;
        full_ = ref_;
        try {
            switch (cmd) {
                case MIND_CTRL_START: full_.start(); break;
                case MIND_CTRL_STEP: full_.step(); break;
                case MIND_CTRL_HEBB: full_.hebb(); break;
                default: full_.clear_syn(); break;
            }
        } catch (const std::exception& e) {
            std::fprintf(stderr, "fuzz_chip_bus: the reference refused what the chip accepts: %s\n", e.what());
            __builtin_trap();
        }
        // The reference's DONE is false until the operation ends: STATUS reads
        // while BUSY are checked against `ref_` with done cleared.
        pend_.active = true;
        pend_.cmd = cmd;
        pend_.t0 = now();
        pend_.end = pend_.t0 + cycles(full_.status().cycles - ref_.status().cycles);
    }

    // ABORT stops a run after the neuron in flight: the reference's update budget.
    void abort_run() {
        const uint64_t o = (now() - pend_.t0).value() / T_.value();
        const uint32_t n = before_.n_active();
        uint64_t u = 0;
        for (uint32_t i = 0; i < n; ++i) u += !before_.clamp(i);
        const uint64_t g = p_.groups(n);
        const uint64_t tail = p_.latency + (before_.mode().order == Order::Sync ? 2 : 0);
        const uint64_t sweep = u * g + tail;
        uint64_t budget = ReferenceModel::kNoLimit;
        if (sweep > 0) {
            const uint64_t s = o / sweep, rem = o % sweep;
            budget = s * u + (rem < u * g ? rem / g + 1 : u);
        }
        ReferenceModel m = before_;
        if (pend_.cmd == MIND_CTRL_START) m.start(budget);
        else m.step(budget);
        full_ = m;
        pend_.aborted = true;  // the outcome is `full_` now
        pend_.end = pend_.t0 + cycles(m.status().cycles - before_.status().cycles);
        expect(pend_.end >= now(), "an ABORT's run ends before the ABORT");
    }

    void command(uint8_t b) {
        static const uint32_t kCmds[] = {MIND_CTRL_START, MIND_CTRL_STEP, MIND_CTRL_HEBB, MIND_CTRL_CLEAR_SYN,
                                         MIND_CTRL_ABORT, MIND_CTRL_SOFT_RESET};
        uint32_t v;
        if (b < 0xC0) v = kCmds[b % 6];
        else if (b < 0xF8) v = b & 0x3F;  // combinations
        else v = (b & 0x3F) | 0xFFFFFFC0u;  // undefined bits too
        reg_write(MIND_REG_CTRL, v);
    }

    // ---------------------------------------------------------------- reads
    void reg_read(uint32_t off) {
        uint32_t v = 0xDEADBEEF;
        const tlm::tlm_response_status r = transport(false, tlm::TLM_READ_COMMAND, off, &v, 4);
        expect_eq(last_delay_.value(), cycles(2).value(), "register read bus time");
        const RegSpec s = spec(off);
        if (!s.mapped) return expect_eq(r, tlm::TLM_ADDRESS_ERROR_RESPONSE, "read response (unmapped)");
        expect_eq(r, tlm::TLM_OK_RESPONSE, "read response");
        const uint32_t n = n_max();
        const bool idle = !busy();
        const bool run = pend_.cmd == MIND_CTRL_START || pend_.cmd == MIND_CTRL_STEP;
        const RunStatus& st = ref_.status();
        auto want = [&](uint32_t w, const char* what) { expect_eq(v, w, what); };
        switch (off) {
            case MIND_REG_ID: return want(MIND_ID_VALUE, "ID");
            case MIND_REG_VERSION: return want((MIND_HW_VERSION_MAJOR << 16) | MIND_HW_VERSION_MINOR, "VERSION");
            case MIND_REG_CONFIG:
                return want(p_.n_max | p_.wbits << 13 | p_.abits << 18 | p_.lanes << 24, "CONFIG");
            case MIND_REG_CTRL: return want(0, "CTRL reads 0");
            case MIND_REG_STATUS: {
                const uint32_t err = (sh_.err ? MIND_STATUS_ERR : 0u) | sh_.err_code << MIND_STATUS_ERR_CODE_SHIFT;
                if (!idle) {  // a run moves CONVERGED, CYCLE2 and OVF
                    const uint32_t known = MIND_STATUS_BUSY | MIND_STATUS_DONE | MIND_STATUS_ERR | MIND_STATUS_ERR_CODE_MASK;
                    return expect_eq(v & known, MIND_STATUS_BUSY | err, "STATUS while BUSY");
                }
                return want((st.done ? MIND_STATUS_DONE : 0u) | (st.converged ? MIND_STATUS_CONVERGED : 0u) |
                                (st.cycle2 ? MIND_STATUS_CYCLE2 : 0u) | (st.ovf ? MIND_STATUS_OVF : 0u) | err,
                            "STATUS");
            }
            case MIND_REG_IRQ_EN: return want(sh_.irq_en, "IRQ_EN");
            case MIND_REG_IRQ_STATUS: return want(sh_.irq_status, "IRQ_STATUS");
            case MIND_REG_MODE: return want(ref_.mode().to_register(), "MODE");
            case MIND_REG_N_ACTIVE: return want(ref_.n_active(), "N_ACTIVE");
            case MIND_REG_MAX_SWEEPS: return want(ref_.max_sweeps(), "MAX_SWEEPS");
            case MIND_REG_TEMP: return want(ref_.temp(), "TEMP");
            case MIND_REG_SEED: return want(ref_.seed(), "SEED");
            case MIND_REG_SWEEPS: if (idle) want(st.sweeps, "SWEEPS"); return;
            case MIND_REG_FLIPS: if (idle) want(st.flips, "FLIPS"); return;
            case MIND_REG_OVF_COUNT: if (idle) want(st.ovf_count, "OVF_COUNT"); return;
            case MIND_REG_CYCLES_LO:
                if (idle) {
                    want(static_cast<uint32_t>(st.cycles), "CYCLES_LO");
                    sh_.hi_latch = static_cast<uint32_t>(st.cycles >> 32);
                    sh_.latch_known = true;
                } else {
                    sh_.latch_known = false;
                }
                return;
            case MIND_REG_CYCLES_HI: if (sh_.latch_known) want(sh_.hi_latch, "CYCLES_HI (latched)"); return;
            case MIND_REG_SYN_ADDR: return want(sh_.syn_addr, "SYN_ADDR");
            case MIND_REG_SYN_DATA:
                if (idle || run)
                    want(static_cast<uint32_t>(int32_t{ref_.weight(sh_.syn_addr / n, sh_.syn_addr % n)}), "SYN_DATA");
                sh_.syn_addr = (sh_.syn_addr + 1) % (n * n);
                return;
            case MIND_REG_THR_ADDR: return want(sh_.thr_addr, "THR_ADDR");
            case MIND_REG_THR_DATA:
                want(static_cast<uint32_t>(ref_.threshold(sh_.thr_addr)), "THR_DATA");
                sh_.thr_addr = (sh_.thr_addr + 1) % n;
                return;
            case MIND_REG_FIELD_ADDR: return want(sh_.field_addr, "FIELD_ADDR");
            case MIND_REG_FIELD_DATA:
                if (idle) want(static_cast<uint32_t>(ref_.field(sh_.field_addr)), "FIELD_DATA");
                sh_.field_addr = (sh_.field_addr + 1) % n;
                return;
            default: {
                const bool state = off < MIND_REG_CLAMP(0);
                if (state && !idle) return;  // a run moves the state
                const uint32_t base = (off - (state ? MIND_REG_STATE(0) : MIND_REG_CLAMP(0))) / 4 * 32;
                uint32_t w = 0;
                for (uint32_t b = 0; b < 32 && base + b < n; ++b)
                    w |= uint32_t{state ? ref_.state(base + b) > 0 : ref_.clamp(base + b)} << b;
                return want(w, state ? "STATE[k]" : "CLAMP[k]");
            }
        }
    }

    // ---------------------------------------------------------------- window
    // The window's rules: 16-bit, 32-bit and longer 4-byte-multiple aligned
    // accesses inside N_MAX^2 int16; 1 bus cycle a word; writes while BUSY ignored.
    void window(Input& in, bool write) {
        const uint64_t bytes = uint64_t{n_max()} * n_max() * 2;
        const uint8_t kind = in.u8();
        uint64_t addr = in.u16() % (bytes + 8);
        if (kind & 0x80) addr &= ~uint64_t{3};
        static const unsigned kLens[] = {2, 4, 8, 16, 64, 128, 1, 3, 6, 0};
        unsigned len = kLens[kind % 10];
        if ((kind & 0x70) == 0x70) len = n_max() * 2;  // a row
        std::vector<uint8_t> buf(len + 1);
        for (unsigned k = 0; k < len; ++k) buf[k] = write ? in.u8() : 0xA5;
        access_window(write, addr, buf.data(), len);
    }
    void access_window(bool write, uint64_t addr, uint8_t* buf, unsigned len) {
        const uint64_t bytes = uint64_t{n_max()} * n_max() * 2;
        const tlm::tlm_response_status r =
            transport(true, write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND, addr, buf, len);
        tlm::tlm_response_status want = tlm::TLM_OK_RESPONSE;
        if (len == 0 || len % 2 || addr % 2 || (len != 2 && len % 4)) want = tlm::TLM_BURST_ERROR_RESPONSE;
        else if (addr >= bytes || len > bytes - addr) want = tlm::TLM_ADDRESS_ERROR_RESPONSE;
        expect_eq(r, want, "synapse window response");
        if (r != tlm::TLM_OK_RESPONSE) return expect_eq(last_delay_.value(), 0, "window bus time (error)");
        expect_eq(last_delay_.value(), cycles((len + 3) / 4).value(), "window bus time");
        const uint32_t n = n_max();
        for (unsigned k = 0; k < len / 2; ++k) {
            const uint64_t flat = addr / 2 + k;
            int16_t v;
            std::memcpy(&v, buf + 2 * k, 2);
            if (write) {
                if (busy()) break;
                ref_.set_weight(static_cast<uint32_t>(flat / n), static_cast<uint32_t>(flat % n), v);
            } else if (!busy() || pend_.cmd == MIND_CTRL_START || pend_.cmd == MIND_CTRL_STEP) {
                expect_eq(static_cast<uint16_t>(v),
                          static_cast<uint16_t>(ref_.weight(static_cast<uint32_t>(flat / n), static_cast<uint32_t>(flat % n))),
                          "synapse window read");
            }
        }
        if (write && busy()) raise(MIND_ERR_BUSY);
    }
    // Row i of J in one burst, values small or full range (what a test loads).
    void load_row(Input& in) {
        const uint32_t n = n_max(), i = in.u8() % n;
        const uint8_t how = in.u8();
        std::vector<uint8_t> buf(2 * n);
        for (uint32_t j = 0; j < n; ++j) {
            const int16_t v = static_cast<int16_t>(how & 1 ? static_cast<int8_t>(in.u8()) : (in.u8() % 5) - 2);
            std::memcpy(&buf[2 * j], &v, 2);
        }
        access_window(true, uint64_t{i} * n * 2, buf.data(), 2 * n);
    }

    // Accesses the register block must refuse: other sizes, byte enables, short
    // streaming width, the IGNORE command. Nothing changes; the bus time is spent.
    void odd_access(Input& in) {
        const uint8_t k = in.u8();
        const uint32_t off = kOffsets[in.u8() % kNumOffsets];
        uint8_t data[8] = {};
        unsigned char be[8] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
        tlm::tlm_response_status r, want;
        const tlm::tlm_command cmd = k & 1 ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND;
        switch ((k >> 1) % 4) {
            case 0: r = transport(false, cmd, off, data, 4, be); want = tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE; break;
            case 1: r = transport(false, cmd, off, data, (k & 4) ? 8 : 2); want = tlm::TLM_BURST_ERROR_RESPONSE; break;
            case 2: r = transport(false, cmd, off, data, 4, nullptr, 2); want = tlm::TLM_BURST_ERROR_RESPONSE; break;
            default: {
                r = transport(false, tlm::TLM_IGNORE_COMMAND, off, data, 4);
                // Refused: the command error, or the address error where the offset is not mapped.
                want = spec(off).mapped || r == tlm::TLM_ADDRESS_ERROR_RESPONSE ? tlm::TLM_COMMAND_ERROR_RESPONSE : r;
                if (r == tlm::TLM_ADDRESS_ERROR_RESPONSE && !spec(off).mapped) want = r;
            }
        }
        expect_eq(r, want, "refused register access response");
        expect_eq(last_delay_.value(), cycles(2).value(), "refused register access bus time");
    }

    // ---------------------------------------------------------------- idle comparison
    void ctrl(uint32_t v) { reg_write(MIND_REG_CTRL, v); }

    void compare_idle() {
        if (busy()) return;
        const sysc::ChipState& s = c_.state();
        const RunStatus& st = ref_.status();
        const uint32_t n = n_max();
        expect(!s.busy, "BUSY while idle");
        expect_eq(s.done, st.done, "STATUS.DONE");
        expect_eq(s.converged, st.converged, "STATUS.CONVERGED");
        expect_eq(s.cycle2, st.cycle2, "STATUS.CYCLE2");
        expect_eq(s.ovf, st.ovf, "STATUS.OVF");
        expect_eq(s.err, sh_.err, "STATUS.ERR");
        expect_eq(s.err_code, sh_.err_code, "STATUS.ERR_CODE");
        expect_eq(s.sweeps, st.sweeps, "SWEEPS");
        expect_eq(s.flips, st.flips, "FLIPS");
        expect_eq(s.ovf_count, st.ovf_count, "OVF_COUNT");
        expect_eq(s.cycles, st.cycles, "CYCLES");
        expect_eq(s.mode, ref_.mode().to_register(), "MODE");
        expect_eq(s.n_active, ref_.n_active(), "N_ACTIVE");
        expect_eq(s.max_sweeps, ref_.max_sweeps(), "MAX_SWEEPS");
        expect_eq(s.temp, ref_.temp(), "TEMP");
        expect_eq(s.seed, ref_.seed(), "SEED");
        expect_eq(s.irq_en, sh_.irq_en, "IRQ_EN");
        expect_eq(s.irq_status, sh_.irq_status, "IRQ_STATUS");
        expect_eq(s.syn_addr, sh_.syn_addr, "SYN_ADDR");
        expect_eq(s.thr_addr, sh_.thr_addr, "THR_ADDR");
        expect_eq(s.field_addr, sh_.field_addr, "FIELD_ADDR");
        for (uint32_t i = 0; i < n; ++i) {
            if (s.sigma[i] != ref_.state(i)) fail("state of a neuron", i, ref_.state(i));
            if ((s.clamp[i] != 0) != ref_.clamp(i)) fail("clamp of a neuron", i, ref_.clamp(i));
            if (s.theta[i] != ref_.threshold(i)) fail("threshold of a neuron", i, ref_.threshold(i));
            if (s.field[i] != ref_.field(i)) fail("FIELD of a neuron", i, static_cast<uint32_t>(ref_.field(i)));
            const int16_t* row = c_.syn.row(i);
            const int16_t* want = ref_.row(i);
            if (std::memcmp(row, want, n * sizeof(int16_t)) != 0) fail("a synapse row", i);
        }
    }

    // FUZZ_CHIP_BUS_TRACE=1: print each operation (to read a reproducer).
    const bool trace_ = std::getenv("FUZZ_CHIP_BUS_TRACE") != nullptr;
    Rig& r_;
    sysc::Mind1024Chip& c_;
    ChipParams p_;
    sc_time T_;
    ReferenceModel ref_, before_, full_;
    Shadow sh_;
    Pending pend_;
    sc_time pending_ = sc_core::SC_ZERO_TIME, last_delay_ = sc_core::SC_ZERO_TIME;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    auto& all = rigs();
    Input in{data, size};
    Rig& rig = *all[in.u8() % all.size()];
    Driver d(rig);
    d.reset();
    d.run(in);
    return 0;
}
