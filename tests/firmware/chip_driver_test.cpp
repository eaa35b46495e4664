// The firmware's chip driver (firmware/lib/mind_chip.c), built for the host
// with -DMIND_BUS_MOCK, against two mock register spaces:
//  - ExpectBus, OpenTitan DIF style: the exact access sequence (read/write,
//    width, address, value) is listed up front and checked in order;
//  - ChipModel, a small behavioural chip: SYN_ADDR / THR_ADDR / FIELD_ADDR
//    auto-increment, the synapse window, BUSY going low after N polls,
//    IRQ_STATUS RW1C, CYCLES_LO latching CYCLES_HI, BAD_ARG and BUSY errors,
//    a wfi that delivers the chip's interrupt.
#include <gtest/gtest.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "mind_bus.h"
#include "mind_chip.h"

namespace {

constexpr uint32_t kBase = MIND_CHIP_BASE;
constexpr uint32_t kSyn = MIND_CHIP_SYN_BASE;

constexpr uint32_t config_word(uint32_t n_max, uint32_t wbits = 8, uint32_t abits = 24, uint32_t lanes = 16) {
    return (n_max << MIND_CONFIG_N_MAX_SHIFT) | (wbits << MIND_CONFIG_WBITS_SHIFT) |
           (abits << MIND_CONFIG_ABITS_SHIFT) | (lanes << MIND_CONFIG_LANES_SHIFT);
}
constexpr uint32_t kVersion = (MIND_HW_VERSION_MAJOR << 16) | MIND_HW_VERSION_MINOR;

// ------------------------------------------------------------------ the bus hooks

enum class Op { R32, W32, R16, W16, Wfi };

struct Access {
    Op op;
    uint32_t addr = 0, value = 0;
};

std::string describe(const Access& a) {
    static const char* names[] = {"read32", "write32", "read16", "write16", "wfi"};
    if (a.op == Op::Wfi) return "wfi";
    return fmt::format("{} 0x{:08X} = 0x{:X}", names[static_cast<int>(a.op)], a.addr, a.value);
}

class Bus {
public:
    virtual ~Bus() = default;
    virtual uint32_t access(Op op, uint32_t addr, uint32_t value) = 0;  // returns the read value
};

Bus* g_bus = nullptr;

uint32_t dispatch(Op op, uint32_t addr, uint32_t value) {
    if (!g_bus) {
        ADD_FAILURE() << "bus access with no mock installed: " << describe({op, addr, value});
        return 0;
    }
    return g_bus->access(op, addr, value);
}

}  // namespace

extern "C" {
uint32_t mind_mock_read32(uint32_t addr) { return dispatch(Op::R32, addr, 0); }
void mind_mock_write32(uint32_t addr, uint32_t value) { dispatch(Op::W32, addr, value); }
uint16_t mind_mock_read16(uint32_t addr) { return static_cast<uint16_t>(dispatch(Op::R16, addr, 0)); }
void mind_mock_write16(uint32_t addr, uint16_t value) { dispatch(Op::W16, addr, value); }
void mind_mock_wfi(void) { dispatch(Op::Wfi, 0, 0); }
}

namespace {

// ------------------------------------------------------------------ ExpectBus: the exact sequence

class ExpectBus : public Bus {
public:
    ExpectBus() { g_bus = this; }
    ~ExpectBus() override {
        g_bus = nullptr;
        for (const Expected& e : expected_) ADD_FAILURE() << "expected access never made: " << describe(e.a);
    }
    void read32(uint32_t off, uint32_t value) { expected_.push_back({{Op::R32, kBase + off, value}, {}}); }
    void write32(uint32_t off, uint32_t value) { expected_.push_back({{Op::W32, kBase + off, value}, {}}); }
    void read32_at(uint32_t addr, uint32_t value) { expected_.push_back({{Op::R32, addr, value}, {}}); }
    void write32_at(uint32_t addr, uint32_t value) { expected_.push_back({{Op::W32, addr, value}, {}}); }
    void write16_at(uint32_t addr, uint16_t value) { expected_.push_back({{Op::W16, addr, value}, {}}); }
    // A wfi, and what "happens" during it (e.g. the interrupt handler running).
    void wfi(std::function<void()> during = {}) { expected_.push_back({{Op::Wfi, 0, 0}, std::move(during)}); }
    // ID, VERSION, CONFIG as mind_chip_probe reads them.
    void probe(uint32_t config) {
        read32(MIND_REG_ID, MIND_ID_VALUE);
        read32(MIND_REG_VERSION, kVersion);
        read32(MIND_REG_CONFIG, config);
    }
    bool done() const { return expected_.empty(); }

    uint32_t access(Op op, uint32_t addr, uint32_t value) override {
        const Access got{op, addr, value};
        if (expected_.empty()) {
            ADD_FAILURE() << "unexpected access (none left): " << describe(got);
            return 0;
        }
        Expected e = std::move(expected_.front());
        expected_.pop_front();
        const bool read = op == Op::R32 || op == Op::R16;
        if (e.a.op != op || e.a.addr != addr || (!read && op != Op::Wfi && e.a.value != value)) {
            ADD_FAILURE() << "access #" << count_ << ": got " << describe(got) << ", expected " << describe(e.a);
        }
        ++count_;
        if (e.during) e.during();
        return read ? e.a.value : 0;
    }

private:
    struct Expected {
        Access a;
        std::function<void()> during;
    };
    std::deque<Expected> expected_;
    int count_ = 0;
};

// ------------------------------------------------------------------ ChipModel: behaviour

class ChipModel : public Bus {
public:
    explicit ChipModel(uint32_t n_max = 1024, uint32_t wbits = 8, uint32_t abits = 24, uint32_t lanes = 16)
        : n_max(n_max), wbits(wbits), abits(abits), lanes(lanes), syn(size_t{n_max} * n_max, 0), theta(n_max, 0),
          field(n_max, 0), state(32, 0), clamp(32, 0) {
        g_bus = this;
    }
    ~ChipModel() override { g_bus = nullptr; }

    // Configuration of the behaviour.
    uint32_t n_max, wbits, abits, lanes;
    uint32_t busy_polls = 3;     // STATUS reads a command stays BUSY for
    uint64_t run_cycles = 1000;  // cycles a command adds to CYCLES
    std::function<void()> isr;   // what the CPU runs when wfi sees the line high
    std::function<void()> after_cycles_lo;  // runs after each CYCLES_LO read

    // State.
    std::vector<int16_t> syn;
    std::vector<int32_t> theta, field;
    std::vector<uint32_t> state, clamp;
    uint32_t mode = 0, n_active = 0, max_sweeps = 1, temp = 0, seed = 1, irq_en = 0, irq_status = 0;
    uint32_t syn_addr = 0, thr_addr = 0, field_addr = 0, sweeps = 0, flips = 0, ovf_count = 0;
    uint64_t cycles = 0;
    uint32_t cycles_hi_latch = 0;
    bool busy = false, done_flag = false, converged = false, err = false;
    uint32_t err_code = 0, polls_left = 0, last_ctrl = 0;
    int status_reads = 0, wfis = 0, wfis_idle = 0, syn_addr_writes = 0, ctrl_writes = 0;
    std::vector<Access> log;

    bool line() const { return (irq_status & irq_en) != 0; }
    void raise(uint32_t code) {
        err = true;
        err_code = code;
        irq_status |= MIND_IRQ_STATUS_ERR;
    }
    void finish() {
        busy = false;
        done_flag = converged = true;
        cycles += run_cycles;
        sweeps = 2;
        irq_status |= MIND_IRQ_STATUS_DONE;
    }
    uint32_t status() const {
        return (busy ? MIND_STATUS_BUSY : 0u) | (done_flag ? MIND_STATUS_DONE : 0u) |
               (converged ? MIND_STATUS_CONVERGED : 0u) | (err ? MIND_STATUS_ERR : 0u) |
               (err_code << MIND_STATUS_ERR_CODE_SHIFT);
    }
    int16_t store_weight(uint32_t v) const {  // low WBITS bits, sign-extended
        const uint32_t m = (1u << wbits) - 1u, low = v & m;
        return static_cast<int16_t>((low & (1u << (wbits - 1u))) ? static_cast<int32_t>(low | ~m) : static_cast<int32_t>(low));
    }
    int16_t J(uint32_t i, uint32_t j) const { return syn[size_t{i} * n_max + j]; }

    uint32_t access(Op op, uint32_t addr, uint32_t value) override {
        log.push_back({op, addr, value});
        if (op == Op::Wfi) return wfi();
        if (addr >= kSyn && addr < kSyn + 2u * n_max * n_max) return window(op, addr - kSyn, value);
        if (addr < kBase || addr >= kBase + MIND_REG_BLOCK_SIZE || op == Op::R16 || op == Op::W16) {
            ADD_FAILURE() << "access outside the chip's registers: " << describe({op, addr, value});
            return 0;
        }
        const uint32_t off = addr - kBase;
        return op == Op::R32 ? read(off) : (write(off, value), 0u);
    }

private:
    uint32_t wfi() {
        ++wfis;
        if (!line() && busy) finish();  // time passes while the CPU sleeps
        if (line() && isr) isr();
        else ++wfis_idle;
        return 0;
    }

    uint32_t window(Op op, uint32_t off, uint32_t value) {
        const size_t k = off / 2;
        switch (op) {
            case Op::W16: syn[k] = store_weight(value & 0xFFFFu); return 0;
            case Op::W32:
                EXPECT_EQ(off % 4, 0u) << "misaligned 32-bit window access";
                syn[k] = store_weight(value & 0xFFFFu);
                syn[k + 1] = store_weight(value >> 16);
                return 0;
            case Op::R16: return static_cast<uint16_t>(syn[k]);
            case Op::R32: return static_cast<uint16_t>(syn[k]) | (uint32_t{static_cast<uint16_t>(syn[k + 1])} << 16);
            default: return 0;
        }
    }

    uint32_t read(uint32_t off) {
        if (off >= MIND_REG_STATE(0) && off < MIND_REG_STATE(32)) return state[(off - MIND_REG_STATE(0)) / 4];
        if (off >= MIND_REG_CLAMP(0) && off < MIND_REG_CLAMP(32)) return clamp[(off - MIND_REG_CLAMP(0)) / 4];
        switch (off) {
            case MIND_REG_ID: return MIND_ID_VALUE;
            case MIND_REG_VERSION: return kVersion;
            case MIND_REG_CONFIG: return config_word(n_max, wbits, abits, lanes);
            case MIND_REG_STATUS:
                ++status_reads;
                if (busy && polls_left > 0 && --polls_left == 0) finish();
                return status();
            case MIND_REG_IRQ_EN: return irq_en;
            case MIND_REG_IRQ_STATUS: return irq_status;
            case MIND_REG_MODE: return mode;
            case MIND_REG_N_ACTIVE: return n_active;
            case MIND_REG_MAX_SWEEPS: return max_sweeps;
            case MIND_REG_TEMP: return temp;
            case MIND_REG_SEED: return seed;
            case MIND_REG_SWEEPS: return sweeps;
            case MIND_REG_FLIPS: return flips;
            case MIND_REG_OVF_COUNT: return ovf_count;
            case MIND_REG_CYCLES_LO: {
                cycles_hi_latch = static_cast<uint32_t>(cycles >> 32);
                const uint32_t lo = static_cast<uint32_t>(cycles);
                if (after_cycles_lo) after_cycles_lo();
                return lo;
            }
            case MIND_REG_CYCLES_HI: return cycles_hi_latch;
            case MIND_REG_SYN_DATA: {
                const uint32_t v = static_cast<uint32_t>(static_cast<int32_t>(syn[syn_addr]));
                syn_addr = (syn_addr + 1) % (n_max * n_max);
                return v;
            }
            case MIND_REG_THR_DATA: {
                const uint32_t v = static_cast<uint32_t>(theta[thr_addr]);
                thr_addr = (thr_addr + 1) % n_max;
                return v;
            }
            case MIND_REG_FIELD_DATA: {
                const uint32_t v = static_cast<uint32_t>(field[field_addr]);
                field_addr = (field_addr + 1) % n_max;
                return v;
            }
            case MIND_REG_SYN_ADDR: return syn_addr;
            case MIND_REG_THR_ADDR: return thr_addr;
            case MIND_REG_FIELD_ADDR: return field_addr;
            default: ADD_FAILURE() << fmt::format("read of unmodelled register 0x{:03X}", off); return 0;
        }
    }

    void write(uint32_t off, uint32_t v) {
        const bool config = off == MIND_REG_MODE || off == MIND_REG_N_ACTIVE || off == MIND_REG_MAX_SWEEPS ||
                            off == MIND_REG_TEMP || off == MIND_REG_SEED || off == MIND_REG_SYN_ADDR ||
                            off == MIND_REG_SYN_DATA || off == MIND_REG_THR_ADDR || off == MIND_REG_THR_DATA ||
                            (off >= MIND_REG_STATE(0) && off < MIND_REG_CLAMP(32));
        if (busy && config) return raise(MIND_ERR_BUSY);
        if (off >= MIND_REG_STATE(0) && off < MIND_REG_STATE(32)) { state[(off - MIND_REG_STATE(0)) / 4] = v; return; }
        if (off >= MIND_REG_CLAMP(0) && off < MIND_REG_CLAMP(32)) { clamp[(off - MIND_REG_CLAMP(0)) / 4] = v; return; }
        switch (off) {
            case MIND_REG_CTRL: return command(v);
            case MIND_REG_IRQ_EN: irq_en = v & 3u; return;
            case MIND_REG_IRQ_STATUS: irq_status &= ~v; return;
            case MIND_REG_MODE: mode = v; return;
            case MIND_REG_N_ACTIVE: n_active = v; return;
            case MIND_REG_MAX_SWEEPS: max_sweeps = v; return;
            case MIND_REG_TEMP: temp = v; return;
            case MIND_REG_SEED: seed = v; return;
            case MIND_REG_SYN_ADDR: ++syn_addr_writes; syn_addr = v % (n_max * n_max); return;
            case MIND_REG_SYN_DATA: syn[syn_addr] = store_weight(v); syn_addr = (syn_addr + 1) % (n_max * n_max); return;
            case MIND_REG_THR_ADDR: thr_addr = v % n_max; return;
            case MIND_REG_THR_DATA: theta[thr_addr] = static_cast<int32_t>(v); thr_addr = (thr_addr + 1) % n_max; return;
            case MIND_REG_FIELD_ADDR: field_addr = v % n_max; return;
            default: ADD_FAILURE() << fmt::format("write of read-only or unmodelled register 0x{:03X}", off);
        }
    }

    void command(uint32_t v) {
        ++ctrl_writes;
        last_ctrl = v;
        if (v & MIND_CTRL_SOFT_RESET) {
            busy = done_flag = converged = err = false;
            err_code = 0;
            mode = temp = irq_en = irq_status = 0;
            n_active = n_max, max_sweeps = 1, seed = 1;
            return;
        }
        if (v & MIND_CTRL_ABORT) return;
        if (busy) return raise(MIND_ERR_BUSY);
        const bool needs_n = v & (MIND_CTRL_START | MIND_CTRL_STEP | MIND_CTRL_HEBB);
        if (needs_n && (n_active < 1 || n_active > n_max)) return raise(MIND_ERR_BAD_ARG);
        busy = true;
        done_flag = converged = false;
        polls_left = busy_polls;
    }
};

// A probed driver on a model.
struct Modelled {
    explicit Modelled(uint32_t n_max = 1024, uint32_t wbits = 8, uint32_t abits = 24) : m(n_max, wbits, abits) {
        EXPECT_EQ(mind_chip_probe(&chip, kBase, kSyn), MIND_OK);
        m.n_active = n_max;
        m.isr = [this] { mind_chip_isr(&chip); };
        m.log.clear();
    }
    ChipModel m;
    mind_chip_t chip{};
};

// A probed driver on an ExpectBus (n_max 8 unless given).
struct Strict {
    explicit Strict(uint32_t config = config_word(8)) {
        bus.probe(config);
        EXPECT_EQ(mind_chip_probe(&chip, kBase, kSyn), MIND_OK);
        EXPECT_TRUE(bus.done());
    }
    ExpectBus bus;
    mind_chip_t chip{};
};

// ------------------------------------------------------------------ probe

TEST(ChipProbe, ReadsIdVersionConfigInOrder) {
    ExpectBus bus;
    bus.probe(config_word(1024, 8, 24, 16));
    mind_chip_t chip;
    ASSERT_EQ(mind_chip_probe(&chip, kBase, kSyn), MIND_OK);
    EXPECT_EQ(chip.id, MIND_ID_VALUE);
    EXPECT_EQ(chip.version, kVersion);
    EXPECT_EQ(chip.n_max, 1024u);
    EXPECT_EQ(chip.wbits, 8u);
    EXPECT_EQ(chip.abits, 24u);
    EXPECT_EQ(chip.lanes, 16u);
    EXPECT_EQ(chip.state_words, 32u);
    EXPECT_EQ(chip.base, kBase);
    EXPECT_EQ(chip.syn_base, kSyn);
}

TEST(ChipProbe, BoardProbeUsesTheBoardHeaderBases) {
    ExpectBus bus;
    bus.read32_at(MIND_CHIP_BASE + MIND_REG_ID, MIND_ID_VALUE);
    bus.read32_at(MIND_CHIP_BASE + MIND_REG_VERSION, kVersion);
    bus.read32_at(MIND_CHIP_BASE + MIND_REG_CONFIG, config_word(64));
    mind_chip_t chip;
    ASSERT_EQ(mind_chip_probe_board(&chip), MIND_OK);
    EXPECT_EQ(chip.syn_base, MIND_CHIP_SYN_BASE);
}

TEST(ChipProbe, AnotherBaseIsUsedForEveryAccess) {
    ExpectBus bus;
    const uint32_t base = 0x10000000u;
    bus.read32_at(base + MIND_REG_ID, MIND_ID_VALUE);
    bus.read32_at(base + MIND_REG_VERSION, kVersion);
    bus.read32_at(base + MIND_REG_CONFIG, config_word(64));
    bus.write32_at(base + MIND_REG_TEMP, 9);
    mind_chip_t chip;
    ASSERT_EQ(mind_chip_probe(&chip, base, 0x20000000u), MIND_OK);
    EXPECT_EQ(mind_chip_set_temp(&chip, 9), MIND_OK);
}

TEST(ChipProbe, WrongIdStopsAfterTheId) {
    ExpectBus bus;
    bus.read32(MIND_REG_ID, 0xFFFFFFFFu);
    mind_chip_t chip;
    EXPECT_EQ(mind_chip_probe(&chip, kBase, kSyn), MIND_E_NO_CHIP);
    EXPECT_EQ(chip.id, 0xFFFFFFFFu);
}

TEST(ChipProbe, WrongMajorVersion) {
    ExpectBus bus;
    bus.read32(MIND_REG_ID, MIND_ID_VALUE);
    bus.read32(MIND_REG_VERSION, (MIND_HW_VERSION_MAJOR + 1u) << 16);
    mind_chip_t chip;
    EXPECT_EQ(mind_chip_probe(&chip, kBase, kSyn), MIND_E_VERSION);
}

TEST(ChipProbe, AnotherMinorVersionIsAccepted) {
    ExpectBus bus;
    bus.read32(MIND_REG_ID, MIND_ID_VALUE);
    bus.read32(MIND_REG_VERSION, (MIND_HW_VERSION_MAJOR << 16) | 7u);
    bus.read32(MIND_REG_CONFIG, config_word(16));
    mind_chip_t chip;
    EXPECT_EQ(mind_chip_probe(&chip, kBase, kSyn), MIND_OK);
}

TEST(ChipProbe, ConfigOutsideTheDriversRange) {
    const uint32_t bad[] = {config_word(0), config_word(1025), config_word(64, 0), config_word(64, 17),
                            config_word(64, 8, 0), config_word(64, 8, 24, 0)};
    for (uint32_t config : bad) {
        ExpectBus bus;
        bus.probe(config);
        mind_chip_t chip;
        EXPECT_EQ(mind_chip_probe(&chip, kBase, kSyn), MIND_E_CONFIG) << fmt::format("CONFIG 0x{:08X}", config);
    }
}

TEST(ChipProbe, StateWordsRoundUp) {
    Strict s(config_word(33));
    EXPECT_EQ(s.chip.state_words, 2u);
}

// ------------------------------------------------------------------ reset, configuration

TEST(ChipConfig, SoftResetWritesCtrl) {
    Strict s;
    s.bus.write32(MIND_REG_CTRL, MIND_CTRL_SOFT_RESET);
    EXPECT_EQ(mind_chip_soft_reset(&s.chip), MIND_OK);
}

TEST(ChipConfig, NActiveChecked) {
    Strict s;  // n_max 8
    s.bus.write32(MIND_REG_N_ACTIVE, 1);
    s.bus.write32(MIND_REG_N_ACTIVE, 8);
    EXPECT_EQ(mind_chip_set_n_active(&s.chip, 0), MIND_E_ARG);
    EXPECT_EQ(mind_chip_set_n_active(&s.chip, 1), MIND_OK);
    EXPECT_EQ(mind_chip_set_n_active(&s.chip, 8), MIND_OK);
    EXPECT_EQ(mind_chip_set_n_active(&s.chip, 9), MIND_E_ARG);
}

TEST(ChipConfig, MaxSweepsZeroRejected) {
    Strict s;
    s.bus.write32(MIND_REG_MAX_SWEEPS, 10);
    EXPECT_EQ(mind_chip_set_max_sweeps(&s.chip, 0), MIND_E_ARG);
    EXPECT_EQ(mind_chip_set_max_sweeps(&s.chip, 10), MIND_OK);
}

TEST(ChipConfig, SetOrderKeepsTheOtherModeBits) {
    Strict s;
    s.bus.read32(MIND_REG_MODE, MIND_MODE_NOISE_EN | MIND_ORDER_ASYNC_PERM);
    s.bus.write32(MIND_REG_MODE, MIND_MODE_NOISE_EN | MIND_ORDER_ASYNC_SEQ);
    EXPECT_EQ(mind_chip_set_order(&s.chip, MIND_ORDER_ASYNC_SEQ), MIND_OK);
    EXPECT_EQ(mind_chip_set_order(&s.chip, 3), MIND_E_ARG);  // reserved order: no access
}

TEST(ChipConfig, SetModeRejectsReservedValues) {
    Strict s;
    s.bus.write32(MIND_REG_MODE, MIND_ORDER_ASYNC_PERM | MIND_MODE_OVF_WRAP | MIND_MODE_NOISE_EN);
    EXPECT_EQ(mind_chip_set_mode(&s.chip, 3), MIND_E_ARG);
    EXPECT_EQ(mind_chip_set_mode(&s.chip, 0x10), MIND_E_ARG);
    EXPECT_EQ(mind_chip_set_mode(&s.chip, MIND_ORDER_ASYNC_PERM | MIND_MODE_OVF_WRAP | MIND_MODE_NOISE_EN), MIND_OK);
}

TEST(ChipConfig, NoiseAndWrapAreReadModifyWrite) {
    Strict s;
    s.bus.read32(MIND_REG_MODE, MIND_ORDER_ASYNC_SEQ);
    s.bus.write32(MIND_REG_MODE, MIND_ORDER_ASYNC_SEQ | MIND_MODE_NOISE_EN);
    s.bus.read32(MIND_REG_MODE, MIND_ORDER_ASYNC_SEQ | MIND_MODE_NOISE_EN | MIND_MODE_OVF_WRAP);
    s.bus.write32(MIND_REG_MODE, MIND_ORDER_ASYNC_SEQ | MIND_MODE_NOISE_EN);
    EXPECT_EQ(mind_chip_set_noise(&s.chip, 1), MIND_OK);
    EXPECT_EQ(mind_chip_set_overflow_wrap(&s.chip, 0), MIND_OK);
}

TEST(ChipConfig, TempAndSeed) {
    Strict s;
    s.bus.write32(MIND_REG_TEMP, 300);
    s.bus.write32(MIND_REG_SEED, 0xDEADBEEFu);
    EXPECT_EQ(mind_chip_set_temp(&s.chip, 300), MIND_OK);
    EXPECT_EQ(mind_chip_set_seed(&s.chip, 0xDEADBEEFu), MIND_OK);
}

// ------------------------------------------------------------------ weights

TEST(ChipWeights, FullRowsNeedOneSynAddr) {
    Strict s;  // n_max 8
    std::vector<int16_t> w(16);
    for (size_t k = 0; k < w.size(); ++k) w[k] = static_cast<int16_t>(static_cast<int>(k) - 8);
    s.bus.write32(MIND_REG_SYN_ADDR, 2 * 8);
    for (int16_t v : w) s.bus.write32(MIND_REG_SYN_DATA, static_cast<uint32_t>(int32_t{v}));
    EXPECT_EQ(mind_chip_write_weights(&s.chip, 2, 2, 8, w.data(), 8), MIND_OK);
}

TEST(ChipWeights, PartialRowsNeedOneSynAddrEach) {
    Strict s;
    const int16_t w[] = {1, 2, 3, 99, 4, 5, 6, 99};  // stride 4, 3 columns
    s.bus.write32(MIND_REG_SYN_ADDR, 5 * 8);
    s.bus.write32(MIND_REG_SYN_DATA, 1);
    s.bus.write32(MIND_REG_SYN_DATA, 2);
    s.bus.write32(MIND_REG_SYN_DATA, 3);
    s.bus.write32(MIND_REG_SYN_ADDR, 6 * 8);
    s.bus.write32(MIND_REG_SYN_DATA, 4);
    s.bus.write32(MIND_REG_SYN_DATA, 5);
    s.bus.write32(MIND_REG_SYN_DATA, 6);
    EXPECT_EQ(mind_chip_write_weights(&s.chip, 5, 2, 3, w, 4), MIND_OK);
}

TEST(ChipWeights, RangeCheckedBeforeAnyAccess) {
    Strict s;  // WBITS 8: -128..127
    const int16_t too_big[] = {0, 127, 128};
    const int16_t too_small[] = {-128, -129, 0};
    EXPECT_EQ(mind_chip_write_weights(&s.chip, 0, 1, 3, too_big, 3), MIND_E_RANGE);
    EXPECT_EQ(mind_chip_write_weights_window(&s.chip, 0, 1, 3, too_small, 3), MIND_E_RANGE);
    s.bus.write32(MIND_REG_SYN_ADDR, 0);
    s.bus.write32(MIND_REG_SYN_DATA, static_cast<uint32_t>(-128));
    s.bus.write32(MIND_REG_SYN_DATA, 127);
    const int16_t edges[] = {-128, 127};
    EXPECT_EQ(mind_chip_write_weights(&s.chip, 0, 1, 2, edges, 2), MIND_OK);
}

TEST(ChipWeights, BlocksOutsideTheArrayRejected) {
    Strict s;  // n_max 8
    const int16_t w[64] = {};
    EXPECT_EQ(mind_chip_write_weights(&s.chip, 7, 2, 8, w, 8), MIND_E_ARG);   // rows past n_max
    EXPECT_EQ(mind_chip_write_weights(&s.chip, 8, 1, 8, w, 8), MIND_E_ARG);   // first row past n_max
    EXPECT_EQ(mind_chip_write_weights(&s.chip, 0, 1, 9, w, 9), MIND_E_ARG);   // columns past n_max
    EXPECT_EQ(mind_chip_write_weights(&s.chip, 0, 2, 4, w, 3), MIND_E_ARG);   // stride < cols
    EXPECT_EQ(mind_chip_write_weights(&s.chip, 0, 0, 4, w, 4), MIND_E_ARG);   // nothing
    EXPECT_EQ(mind_chip_write_weights(&s.chip, 0, 1, 4, nullptr, 4), MIND_E_ARG);
    int16_t out[8];
    EXPECT_EQ(mind_chip_read_weights(&s.chip, 0, 1, 9, out, 9), MIND_E_ARG);
}

TEST(ChipWeights, AutoIncrementFillsTheModelsRows) {
    Modelled d;  // n_max 1024
    std::vector<int16_t> w(3 * 1024);
    for (size_t k = 0; k < w.size(); ++k) w[k] = static_cast<int16_t>(static_cast<int>(k * 7 % 255) - 127);
    ASSERT_EQ(mind_chip_write_weights(&d.chip, 5, 3, 1024, w.data(), 1024), MIND_OK);
    EXPECT_EQ(d.m.syn_addr_writes, 1);
    for (uint32_t r = 0; r < 3; ++r)
        for (uint32_t j = 0; j < 1024; ++j) ASSERT_EQ(d.m.J(5 + r, j), w[r * 1024 + j]) << r << "," << j;
    EXPECT_EQ(d.m.J(4, 1023), 0);
    EXPECT_EQ(d.m.J(8, 0), 0);

    std::vector<int16_t> back(3 * 10, 0);
    ASSERT_EQ(mind_chip_read_weights(&d.chip, 5, 3, 10, back.data(), 10), MIND_OK);
    for (uint32_t r = 0; r < 3; ++r)
        for (uint32_t j = 0; j < 10; ++j) EXPECT_EQ(back[r * 10 + j], w[r * 1024 + j]);
}

TEST(ChipWeights, ReadBackIsSignExtended) {
    Modelled d(16, 4);  // WBITS 4: -8..7
    const int16_t w[] = {-8, -3, 7, 0};
    ASSERT_EQ(mind_chip_write_weights(&d.chip, 1, 1, 4, w, 4), MIND_OK);
    int16_t back[4] = {};
    ASSERT_EQ(mind_chip_read_weights(&d.chip, 1, 1, 4, back, 4), MIND_OK);
    for (int k = 0; k < 4; ++k) EXPECT_EQ(back[k], w[k]);
}

TEST(ChipWeights, WindowPacksTwoWeightsPerWord) {
    Strict s;  // n_max 8: row 1 starts at byte 16
    const int16_t w[] = {1, -1, 2, -2, 3, -3, 4, -4};
    for (int k = 0; k < 8; k += 2)
        s.bus.write32_at(kSyn + 16 + 2 * k, uint32_t{static_cast<uint16_t>(w[k])} |
                                                 (uint32_t{static_cast<uint16_t>(w[k + 1])} << 16));
    EXPECT_EQ(mind_chip_write_weights_window(&s.chip, 1, 1, 8, w, 8), MIND_OK);
}

TEST(ChipWeights, WindowUses16BitStoresAtUnalignedEdges) {
    Strict s(config_word(5));  // row 1 starts at byte 10 (mid-word), 5 columns
    const int16_t w[] = {10, 11, 12, 13, 14};
    s.bus.write16_at(kSyn + 10, 10);
    s.bus.write32_at(kSyn + 12, 11u | (12u << 16));
    s.bus.write32_at(kSyn + 16, 13u | (14u << 16));
    EXPECT_EQ(mind_chip_write_weights_window(&s.chip, 1, 1, 5, w, 5), MIND_OK);

    const int16_t v[] = {20, 21, 22};  // row 2 starts at byte 20 (aligned), 3 columns: a pair and a tail
    s.bus.write32_at(kSyn + 20, 20u | (21u << 16));
    s.bus.write16_at(kSyn + 24, 22);
    EXPECT_EQ(mind_chip_write_weights_window(&s.chip, 2, 1, 3, v, 3), MIND_OK);
}

TEST(ChipWeights, WindowAndRegisterPathsStoreTheSame) {
    for (uint32_t n_max : {1024u, 1023u}) {
        Modelled a(n_max), b(n_max);
        std::vector<int16_t> w(4 * size_t{n_max});
        for (size_t k = 0; k < w.size(); ++k) w[k] = static_cast<int16_t>(static_cast<int>(k * 31 % 256) - 128);
        g_bus = &a.m;
        ASSERT_EQ(mind_chip_write_weights(&a.chip, 100, 4, n_max, w.data(), n_max), MIND_OK);
        g_bus = &b.m;
        ASSERT_EQ(mind_chip_write_weights_window(&b.chip, 100, 4, n_max, w.data(), n_max), MIND_OK);
        EXPECT_EQ(a.m.syn, b.m.syn) << "n_max " << n_max;
        g_bus = nullptr;
    }
}

// ------------------------------------------------------------------ thresholds, state, fields

TEST(ChipMemories, ThresholdsThroughAutoIncrement) {
    Strict s;
    const int32_t t[] = {-5, 0, 1000};
    s.bus.write32(MIND_REG_THR_ADDR, 4);
    s.bus.write32(MIND_REG_THR_DATA, static_cast<uint32_t>(-5));
    s.bus.write32(MIND_REG_THR_DATA, 0);
    s.bus.write32(MIND_REG_THR_DATA, 1000);
    EXPECT_EQ(mind_chip_write_thresholds(&s.chip, 4, 3, t), MIND_OK);
    EXPECT_EQ(mind_chip_write_thresholds(&s.chip, 6, 3, t), MIND_E_ARG);  // past n_max 8
}

TEST(ChipMemories, ThresholdsFitAbits) {
    Strict s;  // ABITS 24
    const int32_t hi = (1 << 23) - 1, lo = -(1 << 23);
    const int32_t bad_hi[] = {hi + 1}, bad_lo[] = {lo - 1}, ok[] = {lo, hi};
    EXPECT_EQ(mind_chip_write_thresholds(&s.chip, 0, 1, bad_hi), MIND_E_RANGE);
    EXPECT_EQ(mind_chip_write_thresholds(&s.chip, 0, 1, bad_lo), MIND_E_RANGE);
    s.bus.write32(MIND_REG_THR_ADDR, 0);
    s.bus.write32(MIND_REG_THR_DATA, static_cast<uint32_t>(lo));
    s.bus.write32(MIND_REG_THR_DATA, static_cast<uint32_t>(hi));
    EXPECT_EQ(mind_chip_write_thresholds(&s.chip, 0, 2, ok), MIND_OK);
}

TEST(ChipMemories, ThirtyTwoBitAccumulatorTakesAnyThreshold) {
    Strict s(config_word(8, 8, 32));
    const int32_t t[] = {INT32_MIN, INT32_MAX};
    s.bus.write32(MIND_REG_THR_ADDR, 0);
    s.bus.write32(MIND_REG_THR_DATA, 0x80000000u);
    s.bus.write32(MIND_REG_THR_DATA, 0x7FFFFFFFu);
    EXPECT_EQ(mind_chip_write_thresholds(&s.chip, 0, 2, t), MIND_OK);
}

TEST(ChipMemories, StateAndClampWords) {
    Strict s(config_word(64));
    const uint32_t st[] = {0x12345678u, 0x9ABCDEF0u}, cl[] = {0xFFu};
    s.bus.write32(MIND_REG_STATE(0), st[0]);
    s.bus.write32(MIND_REG_STATE(1), st[1]);
    s.bus.write32(MIND_REG_CLAMP(0), cl[0]);
    s.bus.read32(MIND_REG_STATE(0), 0xAu);
    s.bus.read32(MIND_REG_STATE(1), 0xBu);
    EXPECT_EQ(mind_chip_write_state(&s.chip, st, 2), MIND_OK);
    EXPECT_EQ(mind_chip_write_clamp(&s.chip, cl, 1), MIND_OK);
    uint32_t back[2] = {};
    EXPECT_EQ(mind_chip_read_state(&s.chip, back, 2), MIND_OK);
    EXPECT_EQ(back[0], 0xAu);
    EXPECT_EQ(back[1], 0xBu);
}

TEST(ChipMemories, MoreWordsThanNeuronsRejected) {
    Strict s(config_word(64));  // 2 words
    uint32_t w[3] = {};
    EXPECT_EQ(mind_chip_write_state(&s.chip, w, 3), MIND_E_ARG);
    EXPECT_EQ(mind_chip_write_clamp(&s.chip, w, 3), MIND_E_ARG);
    EXPECT_EQ(mind_chip_read_state(&s.chip, w, 3), MIND_E_ARG);
    EXPECT_EQ(mind_chip_write_state(&s.chip, w, 0), MIND_E_ARG);
}

TEST(ChipMemories, FieldsThroughAutoIncrementSignExtended) {
    Strict s;
    s.bus.write32(MIND_REG_FIELD_ADDR, 2);
    s.bus.read32(MIND_REG_FIELD_DATA, 0xFFFFFFFDu);
    s.bus.read32(MIND_REG_FIELD_DATA, 77);
    int32_t h[2] = {};
    EXPECT_EQ(mind_chip_read_fields(&s.chip, 2, 2, h), MIND_OK);
    EXPECT_EQ(h[0], -3);
    EXPECT_EQ(h[1], 77);
    EXPECT_EQ(mind_chip_read_fields(&s.chip, 7, 2, h), MIND_E_ARG);
}

TEST(ChipMemories, FieldsFromTheModel) {
    Modelled d(32);
    for (int k = 0; k < 32; ++k) d.m.field[k] = (k - 16) * 1000;
    std::vector<int32_t> h(32);
    ASSERT_EQ(mind_chip_read_fields(&d.chip, 0, 32, h.data()), MIND_OK);
    for (int k = 0; k < 32; ++k) EXPECT_EQ(h[k], (k - 16) * 1000);
}

// ------------------------------------------------------------------ commands

TEST(ChipCommands, EachClearsStaleInterruptsThenWritesCtrl) {
    Strict s;
    const struct {
        int (*fn)(mind_chip_t*);
        uint32_t ctrl;
    } cmds[] = {{mind_chip_start, MIND_CTRL_START},
                {mind_chip_step, MIND_CTRL_STEP},
                {mind_chip_hebb, MIND_CTRL_HEBB},
                {mind_chip_clear_syn, MIND_CTRL_CLEAR_SYN}};
    for (const auto& c : cmds) {
        s.bus.write32(MIND_REG_IRQ_STATUS, MIND_IRQ_STATUS_DONE | MIND_IRQ_STATUS_ERR);
        s.bus.write32(MIND_REG_CTRL, c.ctrl);
        s.chip.irq_seen = MIND_IRQ_STATUS_DONE;
        EXPECT_EQ(c.fn(&s.chip), MIND_OK);
        EXPECT_EQ(s.chip.irq_seen, 0u);
    }
}

TEST(ChipCommands, AbortOnlyWritesCtrl) {
    Strict s;
    s.bus.write32(MIND_REG_CTRL, MIND_CTRL_ABORT);
    EXPECT_EQ(mind_chip_abort(&s.chip), MIND_OK);
}

// ------------------------------------------------------------------ waiting by polling

TEST(ChipWaitPoll, ReadsStatusUntilBusyIsClear) {
    Strict s;
    s.bus.read32(MIND_REG_STATUS, MIND_STATUS_BUSY);
    s.bus.read32(MIND_REG_STATUS, MIND_STATUS_BUSY);
    s.bus.read32(MIND_REG_STATUS, MIND_STATUS_DONE | MIND_STATUS_CONVERGED);
    s.bus.read32(MIND_REG_IRQ_STATUS, MIND_IRQ_STATUS_DONE);
    EXPECT_EQ(mind_chip_wait_poll(&s.chip, 10), MIND_OK);
    EXPECT_EQ(s.chip.status, MIND_STATUS_DONE | MIND_STATUS_CONVERGED);
}

TEST(ChipWaitPoll, BusyGoesLowAfterNPolls) {
    Modelled d;
    d.m.busy_polls = 37;
    ASSERT_EQ(mind_chip_start(&d.chip), MIND_OK);
    EXPECT_EQ(mind_chip_wait_poll(&d.chip, 1000), MIND_OK);
    EXPECT_EQ(d.m.status_reads, 37);
    EXPECT_TRUE(d.chip.status & MIND_STATUS_DONE);
    EXPECT_TRUE(d.chip.status & MIND_STATUS_CONVERGED);
}

TEST(ChipWaitPoll, GivesUpAfterTheLimit) {
    Modelled d;
    d.m.busy_polls = 0;  // never ends
    ASSERT_EQ(mind_chip_start(&d.chip), MIND_OK);
    EXPECT_EQ(mind_chip_wait_poll(&d.chip, 500), MIND_E_TIMEOUT);
    EXPECT_EQ(d.m.status_reads, 500);
    EXPECT_TRUE(d.chip.status & MIND_STATUS_BUSY);
}

TEST(ChipWaitPoll, ZeroLimitTimesOutWithoutAccess) {
    Strict s;
    EXPECT_EQ(mind_chip_wait_poll(&s.chip, 0), MIND_E_TIMEOUT);
}

TEST(ChipWaitPoll, RefusedCommandIsAChipError) {
    Modelled d;
    d.m.n_active = 0;  // START with N_ACTIVE out of range: BAD_ARG, nothing runs
    ASSERT_EQ(mind_chip_start(&d.chip), MIND_OK);
    EXPECT_EQ(mind_chip_wait_poll(&d.chip, 10), MIND_E_CHIP);
    EXPECT_EQ(d.chip.err_code, MIND_ERR_BAD_ARG);
    EXPECT_EQ(d.m.status_reads, 1);
}

TEST(ChipWaitPoll, AnEarlierErrorDoesNotFailTheNextCommand) {
    Modelled d;
    d.m.n_active = 0;
    ASSERT_EQ(mind_chip_start(&d.chip), MIND_OK);
    ASSERT_EQ(mind_chip_wait_poll(&d.chip, 10), MIND_E_CHIP);
    ASSERT_EQ(mind_chip_set_n_active(&d.chip, 64), MIND_OK);
    ASSERT_EQ(mind_chip_hebb(&d.chip), MIND_OK);
    EXPECT_EQ(mind_chip_wait_poll(&d.chip, 10), MIND_OK);  // STATUS.ERR is sticky; IRQ_STATUS.ERR was cleared
    EXPECT_TRUE(d.chip.status & MIND_STATUS_ERR);
}

// ------------------------------------------------------------------ interrupts

TEST(ChipIsr, ClearsWhatItSaw) {
    Strict s;
    s.bus.read32(MIND_REG_IRQ_STATUS, MIND_IRQ_STATUS_DONE | MIND_IRQ_STATUS_ERR);
    s.bus.write32(MIND_REG_IRQ_STATUS, MIND_IRQ_STATUS_DONE | MIND_IRQ_STATUS_ERR);
    EXPECT_EQ(mind_chip_isr(&s.chip), MIND_IRQ_STATUS_DONE | MIND_IRQ_STATUS_ERR);
    EXPECT_EQ(s.chip.irq_seen, MIND_IRQ_STATUS_DONE | MIND_IRQ_STATUS_ERR);
}

TEST(ChipIsr, NothingPendingWritesNothing) {
    Strict s;
    s.bus.read32(MIND_REG_IRQ_STATUS, 0);
    EXPECT_EQ(mind_chip_isr(&s.chip), 0u);
    EXPECT_EQ(s.chip.irq_seen, 0u);
}

TEST(ChipWaitIrq, EnablesSleepsHandlesAndDisables) {
    Strict s;
    s.bus.write32(MIND_REG_IRQ_EN, MIND_IRQ_EN_DONE | MIND_IRQ_EN_ERR);
    s.bus.wfi([&] { mind_chip_isr(&s.chip); });  // the interrupt arrives during the wfi
    s.bus.read32(MIND_REG_IRQ_STATUS, MIND_IRQ_STATUS_DONE);
    s.bus.write32(MIND_REG_IRQ_STATUS, MIND_IRQ_STATUS_DONE);
    s.bus.read32(MIND_REG_STATUS, MIND_STATUS_DONE | MIND_STATUS_CONVERGED);
    s.bus.write32(MIND_REG_IRQ_EN, 0);
    EXPECT_EQ(mind_chip_wait_irq(&s.chip, 5), MIND_OK);
    EXPECT_EQ(s.chip.status, MIND_STATUS_DONE | MIND_STATUS_CONVERGED);
}

TEST(ChipWaitIrq, InterruptAlreadyTakenMeansNoWfi) {
    Strict s;
    s.chip.irq_seen = MIND_IRQ_STATUS_DONE;  // the handler ran before the wait began
    s.bus.write32(MIND_REG_IRQ_EN, MIND_IRQ_EN_DONE | MIND_IRQ_EN_ERR);
    s.bus.read32(MIND_REG_STATUS, MIND_STATUS_DONE);
    s.bus.write32(MIND_REG_IRQ_EN, 0);
    EXPECT_EQ(mind_chip_wait_irq(&s.chip, 5), MIND_OK);
}

TEST(ChipWaitIrq, RunEndsDuringTheWfi) {
    Modelled d;
    d.m.busy_polls = 0;  // only time (the wfi) ends it
    ASSERT_EQ(mind_chip_start(&d.chip), MIND_OK);
    EXPECT_EQ(mind_chip_wait_irq(&d.chip, 10), MIND_OK);
    EXPECT_EQ(d.m.wfis, 1);
    EXPECT_EQ(d.m.irq_status, 0u);  // cleared by the ISR (RW1C)
    EXPECT_EQ(d.m.irq_en, 0u);
    EXPECT_TRUE(d.chip.status & MIND_STATUS_CONVERGED);
    EXPECT_TRUE(d.chip.irq_seen & MIND_IRQ_STATUS_DONE);
}

TEST(ChipWaitIrq, StaleDoneFromAPolledRunIsNotTaken) {
    Modelled d;
    ASSERT_EQ(mind_chip_start(&d.chip), MIND_OK);
    ASSERT_EQ(mind_chip_wait_poll(&d.chip, 100), MIND_OK);
    ASSERT_TRUE(d.m.irq_status & MIND_IRQ_STATUS_DONE);  // nobody cleared it
    d.m.busy_polls = 0;
    ASSERT_EQ(mind_chip_step(&d.chip), MIND_OK);
    EXPECT_EQ(d.m.irq_status, 0u);  // the command cleared it before CTRL
    EXPECT_TRUE(d.m.busy);
    EXPECT_EQ(mind_chip_wait_irq(&d.chip, 10), MIND_OK);
    EXPECT_EQ(d.m.wfis, 1);
    EXPECT_FALSE(d.m.busy);
}

TEST(ChipWaitIrq, GivesUpAfterMaxWakeups) {
    Modelled d;
    d.m.isr = nullptr;  // the interrupt never reaches the driver
    d.m.busy_polls = 0;
    ASSERT_EQ(mind_chip_start(&d.chip), MIND_OK);
    EXPECT_EQ(mind_chip_wait_irq(&d.chip, 4), MIND_E_TIMEOUT);
    EXPECT_EQ(d.m.wfis, 4);
    EXPECT_EQ(d.m.irq_en, 0u);
}

TEST(ChipWaitIrq, RefusedCommandEndsTheWait) {
    Modelled d;
    d.m.n_active = 0;
    ASSERT_EQ(mind_chip_start(&d.chip), MIND_OK);
    EXPECT_EQ(mind_chip_wait_irq(&d.chip, 10), MIND_E_CHIP);
    EXPECT_EQ(d.chip.err_code, MIND_ERR_BAD_ARG);
    EXPECT_EQ(d.m.wfis, 1);
}

TEST(ChipWaitIrq, ErrorDuringTheRunWaitsForDone) {
    Modelled d;
    d.m.busy_polls = 0;
    ASSERT_EQ(mind_chip_start(&d.chip), MIND_OK);
    ASSERT_EQ(mind_chip_set_temp(&d.chip, 3), MIND_OK);  // written while BUSY: ERR_CODE BUSY, the run goes on
    ASSERT_TRUE(d.m.busy);
    EXPECT_EQ(mind_chip_wait_irq(&d.chip, 10), MIND_E_CHIP);
    EXPECT_EQ(d.chip.err_code, MIND_ERR_BUSY);
    EXPECT_FALSE(d.m.busy);
    EXPECT_EQ(d.m.wfis, 2);  // ERR woke it while BUSY, DONE ended it
    EXPECT_TRUE(d.chip.irq_seen & MIND_IRQ_STATUS_DONE);
}

// ------------------------------------------------------------------ counters

TEST(ChipCounters, CyclesReadLowThenHigh) {
    Strict s;
    s.bus.read32(MIND_REG_CYCLES_LO, 0x89ABCDEFu);
    s.bus.read32(MIND_REG_CYCLES_HI, 0x01234567u);
    EXPECT_EQ(mind_chip_cycles(&s.chip), 0x0123456789ABCDEFull);
}

TEST(ChipCounters, CyclesUseTheLatchedHighWord) {
    Modelled d;
    d.m.cycles = 0x1FFFFFFF0ull;
    d.m.after_cycles_lo = [&] { d.m.cycles += 0x20; };  // the counter carries between the two reads
    EXPECT_EQ(mind_chip_cycles(&d.chip), 0x1FFFFFFF0ull);
    EXPECT_EQ(mind_chip_cycles(&d.chip), 0x200000010ull);
}

TEST(ChipCounters, AllCountersInOrder) {
    Strict s;
    s.bus.read32(MIND_REG_SWEEPS, 3);
    s.bus.read32(MIND_REG_FLIPS, 0);
    s.bus.read32(MIND_REG_OVF_COUNT, 9);
    s.bus.read32(MIND_REG_CYCLES_LO, 783);
    s.bus.read32(MIND_REG_CYCLES_HI, 1);
    mind_counters_t c;
    mind_chip_read_counters(&s.chip, &c);
    EXPECT_EQ(c.sweeps, 3u);
    EXPECT_EQ(c.flips, 0u);
    EXPECT_EQ(c.ovf_count, 9u);
    EXPECT_EQ(c.cycles, (1ull << 32) | 783u);
}

TEST(ChipCounters, StatusIsOneRead) {
    Strict s;
    s.bus.read32(MIND_REG_STATUS, MIND_STATUS_BUSY);
    EXPECT_EQ(mind_chip_status(&s.chip), MIND_STATUS_BUSY);
}

TEST(ChipResult, EveryCodeHasAName) {
    EXPECT_STREQ(mind_result_name(MIND_OK), "MIND_OK");
    EXPECT_STREQ(mind_result_name(MIND_E_NO_CHIP), "MIND_E_NO_CHIP");
    EXPECT_STREQ(mind_result_name(MIND_E_VERSION), "MIND_E_VERSION");
    EXPECT_STREQ(mind_result_name(MIND_E_CONFIG), "MIND_E_CONFIG");
    EXPECT_STREQ(mind_result_name(MIND_E_ARG), "MIND_E_ARG");
    EXPECT_STREQ(mind_result_name(MIND_E_RANGE), "MIND_E_RANGE");
    EXPECT_STREQ(mind_result_name(MIND_E_TIMEOUT), "MIND_E_TIMEOUT");
    EXPECT_STREQ(mind_result_name(MIND_E_CHIP), "MIND_E_CHIP");
    EXPECT_STREQ(mind_result_name(12345), "MIND_E_UNKNOWN");
}

// ------------------------------------------------------------------ the whole self-test flow

TEST(ChipFlow, HebbThenRecallOnTheModel) {
    Modelled d(64);
    const uint32_t p[2] = {0x9E3779B9u, 0x7F4A7C15u};
    ASSERT_EQ(mind_chip_set_n_active(&d.chip, 64), MIND_OK);
    ASSERT_EQ(mind_chip_write_state(&d.chip, p, 2), MIND_OK);
    ASSERT_EQ(mind_chip_hebb(&d.chip), MIND_OK);
    ASSERT_EQ(mind_chip_wait_poll(&d.chip, 100), MIND_OK);
    ASSERT_EQ(mind_chip_set_order(&d.chip, MIND_ORDER_ASYNC_SEQ), MIND_OK);
    ASSERT_EQ(mind_chip_set_max_sweeps(&d.chip, 10), MIND_OK);
    const uint64_t before = mind_chip_cycles(&d.chip);
    ASSERT_EQ(mind_chip_start(&d.chip), MIND_OK);
    ASSERT_EQ(mind_chip_wait_irq(&d.chip, 10), MIND_OK);
    EXPECT_EQ(mind_chip_cycles(&d.chip) - before, d.m.run_cycles);
    EXPECT_EQ(d.m.mode, MIND_ORDER_ASYNC_SEQ);
    EXPECT_EQ(d.m.max_sweeps, 10u);
    EXPECT_EQ(d.m.last_ctrl, MIND_CTRL_START);
    EXPECT_EQ(d.m.wfis_idle, 0);
}

}  // namespace
