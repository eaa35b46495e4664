// Register semantics of the SystemC chip through its TLM sockets (contract
// section 2): reset values and access types from the generated table, RW1C and
// the IRQ line, auto-increment, SYN/THR storage width, CYCLES latching, BUSY and
// BAD_ARG errors, TLM error responses, the synapse window, SOFT_RESET, ABORT.
// One chip (default parameters) per process, reset between cases.
#include <cstdlib>
#include <fstream>
#include <map>
#include <random>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/sysc/bus.h"
#include "sysc/register_file.h"
#include "tests/sysc/scenario.h"

using namespace mind1024;
using namespace mind1024::test;

namespace {

// Every piece of architectural state, to check that an access "changes nothing".
struct Snapshot {
    uint32_t mode, n_active, max_sweeps, temp, seed, irq_en, irq_status, syn_addr, thr_addr, field_addr, hi_latch;
    bool busy, done, converged, cycle2, ovf, err;
    uint32_t err_code, sweeps, flips, ovf_count;
    uint64_t cycles;
    std::vector<int8_t> sigma;
    std::vector<uint8_t> clamp;
    std::vector<int32_t> theta, field;
    std::vector<int16_t> syn;

    explicit Snapshot(Bus& b) {
        const sysc::ChipState& s = b.chip.state();
        mode = s.mode, n_active = s.n_active, max_sweeps = s.max_sweeps, temp = s.temp, seed = s.seed;
        irq_en = s.irq_en, irq_status = s.irq_status, syn_addr = s.syn_addr, thr_addr = s.thr_addr;
        field_addr = s.field_addr, hi_latch = s.cycles_hi_latch;
        busy = s.busy, done = s.done, converged = s.converged, cycle2 = s.cycle2, ovf = s.ovf, err = s.err;
        err_code = s.err_code, sweeps = s.sweeps, flips = s.flips, ovf_count = s.ovf_count, cycles = s.cycles;
        sigma = s.sigma, clamp = s.clamp, theta = s.theta, field = s.field;
        const uint32_t n = b.params().n_max;
        syn.assign(b.chip.syn.row(0), b.chip.syn.row(0) + size_t{n} * n);
    }
    // Equal apart from the error record (ERR, ERR_CODE, IRQ_STATUS.ERR) when `ignore_err`.
    std::string diff(const Snapshot& o, bool ignore_err = false) const {
        std::ostringstream d;
#define CMP(f) if (f != o.f) d << #f " ";
        CMP(mode) CMP(n_active) CMP(max_sweeps) CMP(temp) CMP(seed) CMP(irq_en) CMP(syn_addr) CMP(thr_addr)
        CMP(field_addr) CMP(hi_latch) CMP(busy) CMP(done) CMP(converged) CMP(cycle2) CMP(ovf) CMP(sweeps)
        CMP(flips) CMP(ovf_count) CMP(cycles) CMP(sigma) CMP(clamp) CMP(theta) CMP(field) CMP(syn)
        if (!ignore_err) { CMP(err) CMP(err_code) CMP(irq_status) }
        else if ((irq_status & ~MIND_IRQ_STATUS_ERR) != (o.irq_status & ~MIND_IRQ_STATUS_ERR)) d << "irq_status ";
#undef CMP
        return d.str();
    }
};

Bus& fresh() {
    Bus& b = shared_bus();
    b.reset_all();
    return b;
}

const uint32_t kN = ChipParams{}.n_max;

nlohmann::json regs_json() {
    const char* src = std::getenv("MIND1024_SOURCE_DIR");
    const std::string dir = src ? src : MIND1024_SOURCE_DIR_FALLBACK;
    std::ifstream f(dir + "/sysc/regmap/mind1024_regs.json");
    if (!f) throw std::runtime_error("cannot open the register description under " + dir);
    return nlohmann::json::parse(f);
}

std::string slurp(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) throw std::runtime_error("cannot open " + path);
    std::ostringstream o;
    o << f.rdbuf();
    return o.str();
}

}  // namespace

// ---------------------------------------------------------------- reset values, access types

TEST(Registers, ResetValuesAndAccessTypesFollowTheGeneratedTable) {
    Bus& b = fresh();
    const nlohmann::json d = regs_json();
    std::map<std::string, nlohmann::json> by_name;
    for (const auto& r : d["registers"]) by_name[r["name"].get<std::string>()] = r;
    size_t count = 0;
    const sysc::RegInfo* table = sysc::RegisterFile::table(&count);
    ASSERT_EQ(count, by_name.size());
    const std::map<std::string, int> access = {{"RO", MIND_ACCESS_RO}, {"WO", MIND_ACCESS_WO},
                                               {"RW", MIND_ACCESS_RW}, {"RW1C", MIND_ACCESS_RW1C}};
    const ChipParams p = b.params();
    const uint32_t config = (p.n_max & 0x1FFF) | (p.wbits << 13) | (p.abits << 18) | (p.lanes << 24);
    for (size_t k = 0; k < count; ++k) {
        const sysc::RegInfo& r = table[k];
        SCOPED_TRACE(r.name);
        ASSERT_TRUE(by_name.count(r.name));
        const nlohmann::json& j = by_name[r.name];
        EXPECT_EQ(std::stoul(j["offset"].get<std::string>(), nullptr, 0), r.offset);
        EXPECT_EQ(access.at(j["access"].get<std::string>()), r.access);
        const std::string reset = j["reset"];
        const uint32_t expect = reset == "build" ? config : reset == "N_MAX" ? p.n_max
                                                                              : std::stoul(reset, nullptr, 0);
        for (uint32_t e = 0; e < r.count; ++e) {
            const uint32_t off = r.offset + e * r.stride;
            uint32_t v = 0xDEADBEEF;
            ASSERT_EQ(b.reg_read(off, v), tlm::TLM_OK_RESPONSE) << "offset " << off;
            EXPECT_EQ(v, r.access == MIND_ACCESS_WO ? 0u : expect) << "offset " << off;
        }
        // Access type.
        const uint32_t off = r.offset;
        const Snapshot before(b);
        switch (r.access) {
            case MIND_ACCESS_RO: {
                EXPECT_NE(b.reg_write(off, ~expect), tlm::TLM_OK_RESPONSE);
                EXPECT_EQ(Snapshot(b).diff(before), "");
                EXPECT_EQ(b.rd(off), expect);
                break;
            }
            case MIND_ACCESS_WO:
                EXPECT_EQ(b.rd(off), 0u);  // CTRL reads 0
                break;
            case MIND_ACCESS_RW1C:
                EXPECT_EQ(b.reg_write(off, 0xFFFFFFFF), tlm::TLM_OK_RESPONSE);
                EXPECT_EQ(b.rd(off), 0u);  // writing ones to clear bits that are clear sets nothing
                break;
            default:
                break;  // RW: per-register checks below
        }
    }
    // RW registers: what a write of all ones (or a test pattern) reads back as.
    const std::vector<std::pair<uint32_t, std::pair<uint32_t, uint32_t>>> rw = {
        {MIND_REG_IRQ_EN, {0xFFFFFFFF, 0x3}},
        {MIND_REG_MODE, {0xFFFFFFFF, 0xF}},
        {MIND_REG_N_ACTIVE, {0x1234, 0x1234}},  // any value stored; START checks the range
        {MIND_REG_MAX_SWEEPS, {0xFFFFFFFF, 0xFFFFFFFF}},
        {MIND_REG_TEMP, {0x89ABCDEF, 0x89ABCDEF}},
        {MIND_REG_SEED, {0x12345678, 0x12345678}},
        {MIND_REG_SYN_ADDR, {0xFFFFFFFF, 0xFFFFFFFFu % (kN * kN)}},  // wraps modulo N_MAX^2
        {MIND_REG_THR_ADDR, {kN + 7, 7}},                             // wraps modulo N_MAX
        {MIND_REG_FIELD_ADDR, {2 * kN + 3, 3}},
        {MIND_REG_STATE(5), {0xA5A5A5A5, 0xA5A5A5A5}},
        {MIND_REG_CLAMP(31), {0x5A5A5A5A, 0x5A5A5A5A}},
    };
    for (const auto& [off, wv] : rw) {
        SCOPED_TRACE(off);
        b.wr(off, wv.first);
        EXPECT_EQ(b.rd(off), wv.second);
    }
    // SYN_DATA and THR_DATA are RW through their address registers.
    b.wr(MIND_REG_SYN_ADDR, 77);
    b.wr(MIND_REG_SYN_DATA, 0x55);
    b.wr(MIND_REG_SYN_ADDR, 77);
    EXPECT_EQ(b.rd(MIND_REG_SYN_DATA), 0x55u);
    b.wr(MIND_REG_THR_ADDR, 9);
    b.wr(MIND_REG_THR_DATA, 0x1234);
    b.wr(MIND_REG_THR_ADDR, 9);
    EXPECT_EQ(b.rd(MIND_REG_THR_DATA), 0x1234u);
    EXPECT_EQ(b.status() & MIND_STATUS_ERR, 0u);
}

// ---------------------------------------------------------------- RW1C and the IRQ line

TEST(Registers, IrqStatusIsWriteOneToClearAndDrivesTheIrqLine) {
    Bus& b = fresh();
    b.idle();
    EXPECT_FALSE(b.irq.read());
    // DONE from a one-neuron STEP, ERR from a BAD_ARG START.
    b.wr(MIND_REG_N_ACTIVE, 1);
    b.run(MIND_CTRL_STEP);
    b.wr(MIND_REG_N_ACTIVE, 0);
    b.run(MIND_CTRL_START);
    EXPECT_EQ(b.rd(MIND_REG_IRQ_STATUS), MIND_IRQ_STATUS_DONE | MIND_IRQ_STATUS_ERR);
    EXPECT_FALSE(b.irq.read()) << "nothing enabled";
    for (uint32_t en = 0; en < 4; ++en) {
        b.wr(MIND_REG_IRQ_EN, en);
        b.idle();
        EXPECT_EQ(b.irq.read(), en != 0) << "IRQ_EN " << en;
        EXPECT_EQ(b.chip.irq_level(), en != 0);
    }
    // Writing 0 clears nothing; writing 1 to DONE clears DONE only.
    b.wr(MIND_REG_IRQ_STATUS, 0);
    EXPECT_EQ(b.rd(MIND_REG_IRQ_STATUS), 3u);
    b.wr(MIND_REG_IRQ_STATUS, MIND_IRQ_STATUS_DONE);
    EXPECT_EQ(b.rd(MIND_REG_IRQ_STATUS), MIND_IRQ_STATUS_ERR);
    for (uint32_t en = 0; en < 4; ++en) {
        b.wr(MIND_REG_IRQ_EN, en);
        b.idle();
        EXPECT_EQ(b.irq.read(), (en & MIND_IRQ_EN_ERR) != 0) << "IRQ_EN " << en;
    }
    b.wr(MIND_REG_IRQ_STATUS, 0xFFFFFFFF);
    EXPECT_EQ(b.rd(MIND_REG_IRQ_STATUS), 0u);
    b.idle();
    EXPECT_FALSE(b.irq.read());
    // The STATUS ERR bit stays sticky after IRQ_STATUS.ERR is cleared.
    EXPECT_NE(b.status() & MIND_STATUS_ERR, 0u);

    // A run raises the line at its end, not before.
    b.wr(MIND_REG_IRQ_EN, MIND_IRQ_EN_DONE);
    b.wr(MIND_REG_N_ACTIVE, kN);
    b.ctrl(MIND_CTRL_STEP);
    b.advance(100);
    EXPECT_FALSE(b.irq.read());
    EXPECT_NE(b.status() & MIND_STATUS_BUSY, 0u);
    b.idle();
    EXPECT_TRUE(b.irq.read());
    // SOFT_RESET drops it (IRQ_EN and IRQ_STATUS back to 0).
    b.ctrl(MIND_CTRL_SOFT_RESET);
    b.idle();
    EXPECT_FALSE(b.irq.read());
}

// ---------------------------------------------------------------- address registers

TEST(Registers, AddressRegistersAutoIncrementAndWrap) {
    Bus& b = fresh();
    // SYN: writes and reads of SYN_DATA advance, reads of SYN_ADDR do not; wrap at N_MAX^2.
    b.wr(MIND_REG_SYN_ADDR, kN * kN - 2);
    b.wr(MIND_REG_SYN_DATA, 11);
    b.wr(MIND_REG_SYN_DATA, 12);
    EXPECT_EQ(b.rd(MIND_REG_SYN_ADDR), 0u);
    EXPECT_EQ(b.rd(MIND_REG_SYN_ADDR), 0u);
    b.wr(MIND_REG_SYN_DATA, 13);
    EXPECT_EQ(b.rd(MIND_REG_SYN_ADDR), 1u);
    b.wr(MIND_REG_SYN_ADDR, kN * kN - 1);
    EXPECT_EQ(b.rd(MIND_REG_SYN_DATA), 12u);
    EXPECT_EQ(b.rd(MIND_REG_SYN_DATA), 13u);
    EXPECT_EQ(b.rd(MIND_REG_SYN_ADDR), 1u);
    EXPECT_EQ(b.chip.syn.row(kN - 1)[kN - 2], 11);
    EXPECT_EQ(b.chip.syn.row(kN - 1)[kN - 1], 12);
    EXPECT_EQ(b.chip.syn.row(0)[0], 13);
    // Flat index i*N_MAX + j.
    b.wr(MIND_REG_SYN_ADDR, 3 * kN + 5);
    b.wr(MIND_REG_SYN_DATA, 42);
    EXPECT_EQ(b.chip.syn.row(3)[5], 42);

    // THR: both directions advance, wrap at N_MAX.
    b.wr(MIND_REG_THR_ADDR, kN - 1);
    b.wr(MIND_REG_THR_DATA, 100);
    EXPECT_EQ(b.rd(MIND_REG_THR_ADDR), 0u);
    b.wr(MIND_REG_THR_DATA, 101);
    b.wr(MIND_REG_THR_ADDR, kN - 1);
    EXPECT_EQ(b.rd(MIND_REG_THR_DATA), 100u);
    EXPECT_EQ(b.rd(MIND_REG_THR_DATA), 101u);
    EXPECT_EQ(b.rd(MIND_REG_THR_ADDR), 1u);

    // FIELD: reads advance and wrap; FIELD_DATA is read-only (a write is an error and does not advance).
    b.chip.state().field[kN - 1] = -5;
    b.chip.state().field[0] = 7;
    b.wr(MIND_REG_FIELD_ADDR, kN - 1);
    EXPECT_EQ(b.rd(MIND_REG_FIELD_DATA), static_cast<uint32_t>(-5));
    EXPECT_EQ(b.rd(MIND_REG_FIELD_ADDR), 0u);
    EXPECT_NE(b.reg_write(MIND_REG_FIELD_DATA, 1), tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(b.rd(MIND_REG_FIELD_ADDR), 0u);
    EXPECT_EQ(b.rd(MIND_REG_FIELD_DATA), 7u);
    EXPECT_EQ(b.rd(MIND_REG_FIELD_ADDR), 1u);
}

TEST(Registers, SynDataStoresLowWbitsAndReadsSignExtended) {
    Bus& b = fresh();
    const uint32_t wbits = b.params().wbits;
    const int64_t values[] = {0, 1, -1, 127, 128, -128, -129, 0x17F, 0x12345, 0x7FFFFFFF, -0x7FFFFFFF - 1, 0xFF};
    for (int64_t v : values) {
        b.wr(MIND_REG_SYN_ADDR, 1000);
        b.wr(MIND_REG_SYN_DATA, static_cast<uint32_t>(v));
        b.wr(MIND_REG_SYN_ADDR, 1000);
        const int32_t got = static_cast<int32_t>(b.rd(MIND_REG_SYN_DATA));
        EXPECT_EQ(got, fx::store_weight(v, wbits)) << v;
        EXPECT_GE(got, fx::range_min(wbits));
        EXPECT_LE(got, fx::range_max(wbits));
        // The window shows the same int16.
        int16_t w = 0;
        b.syn_read(2000, &w, 2);
        EXPECT_EQ(w, got);
    }
    // Window writes keep the low WBITS bits as well.
    const int16_t raw = 0x0180;
    b.syn_write(2000, &raw, 2);
    b.wr(MIND_REG_SYN_ADDR, 1000);
    EXPECT_EQ(static_cast<int32_t>(b.rd(MIND_REG_SYN_DATA)), fx::store_weight(0x180, wbits));
    // THR_DATA keeps the low ABITS bits.
    const uint32_t abits = b.params().abits;
    for (int64_t v : {int64_t{0x7FFFFF}, int64_t{0x800000}, int64_t{-1}, int64_t{0x1234567}, int64_t{-0x800001}}) {
        b.wr(MIND_REG_THR_ADDR, 3);
        b.wr(MIND_REG_THR_DATA, static_cast<uint32_t>(v));
        b.wr(MIND_REG_THR_ADDR, 3);
        EXPECT_EQ(static_cast<int32_t>(b.rd(MIND_REG_THR_DATA)), fx::store_threshold(v, abits)) << v;
    }
}

// ---------------------------------------------------------------- CYCLES

TEST(Registers, CyclesLoLatchesHi) {
    Bus& b = fresh();
    sysc::ChipState& s = b.chip.state();
    s.cycles = 0x0000000500000007ull;
    EXPECT_EQ(b.rd(MIND_REG_CYCLES_HI), 0u) << "HI shows the latch, not the live counter";
    EXPECT_EQ(b.rd(MIND_REG_CYCLES_LO), 7u);
    s.cycles = 0x00000009FFFFFFF0ull;
    EXPECT_EQ(b.rd(MIND_REG_CYCLES_HI), 5u) << "HI latched by the LO read";
    EXPECT_EQ(b.rd(MIND_REG_CYCLES_HI), 5u);
    EXPECT_EQ(b.rd(MIND_REG_CYCLES_LO), 0xFFFFFFF0u);
    EXPECT_EQ(b.rd(MIND_REG_CYCLES_HI), 9u);
    // A real run counts u*ceil(n/LANES)+latency on top (ASYNC_SEQ, n = N_MAX, nothing clamped).
    b.wr(MIND_REG_MODE, MIND_ORDER_ASYNC_SEQ);
    b.run(MIND_CTRL_STEP);
    const ChipParams p = b.params();
    EXPECT_EQ(b.cycles(), 0x00000009FFFFFFF0ull + uint64_t{kN} * p.groups(kN) + p.latency);
    b.ctrl(MIND_CTRL_SOFT_RESET);
    b.idle();
    EXPECT_EQ(b.cycles(), 0u);
}

// ---------------------------------------------------------------- BUSY

TEST(Registers, WritesWhileBusyAreIgnoredWithErrBusy) {
    Bus& b = fresh();
    std::mt19937 rng(5);
    Scenario sc = random_scenario(b.params(), rng, 300);
    sc.mode = MIND_ORDER_ASYNC_SEQ;
    sc.max_sweeps = 3;
    load(b, sc);
    ReferenceModel m(b.params());
    load(m, sc);
    m.start();
    b.ctrl(MIND_CTRL_START);
    b.advance(500);  // inside the first sweep
    ASSERT_NE(b.status() & MIND_STATUS_BUSY, 0u);
    const uint32_t blocked[] = {MIND_REG_MODE, MIND_REG_N_ACTIVE, MIND_REG_MAX_SWEEPS, MIND_REG_TEMP, MIND_REG_SEED,
                                MIND_REG_SYN_ADDR, MIND_REG_SYN_DATA, MIND_REG_THR_ADDR, MIND_REG_THR_DATA,
                                MIND_REG_STATE(0), MIND_REG_STATE(9), MIND_REG_CLAMP(0), MIND_REG_CLAMP(31)};
    for (uint32_t off : blocked) {
        SCOPED_TRACE(off);
        const Snapshot before(b);
        EXPECT_EQ(b.reg_write(off, 0x5A5A5A5A), tlm::TLM_OK_RESPONSE);
        EXPECT_EQ(Snapshot(b).diff(before, true), "");
        EXPECT_EQ(b.err_code(), MIND_ERR_BUSY);
        EXPECT_NE(b.status() & MIND_STATUS_ERR, 0u);
        EXPECT_NE(b.rd(MIND_REG_IRQ_STATUS) & MIND_IRQ_STATUS_ERR, 0u);
    }
    // Synapse window writes too (served, ignored, ERR_CODE BUSY).
    {
        const Snapshot before(b);
        const int32_t two = 0x00030003;
        EXPECT_EQ(b.raw(true, tlm::TLM_WRITE_COMMAND, 4, const_cast<int32_t*>(&two), 4), tlm::TLM_OK_RESPONSE);
        EXPECT_EQ(Snapshot(b).diff(before, true), "");
    }
    // Run commands while BUSY.
    for (uint32_t c : {MIND_CTRL_START, MIND_CTRL_STEP, MIND_CTRL_HEBB, MIND_CTRL_CLEAR_SYN}) {
        b.wr(MIND_REG_IRQ_STATUS, MIND_IRQ_STATUS_ERR);
        const Snapshot before(b);
        b.ctrl(c);
        EXPECT_EQ(Snapshot(b).diff(before, true), "") << "CTRL " << c;
        EXPECT_EQ(b.err_code(), MIND_ERR_BUSY);
        EXPECT_NE(b.rd(MIND_REG_IRQ_STATUS) & MIND_IRQ_STATUS_ERR, 0u);
    }
    // Reads, IRQ_EN and FIELD_ADDR still work while BUSY.
    EXPECT_EQ(b.rd(MIND_REG_MODE), sc.mode);
    b.wr(MIND_REG_IRQ_EN, MIND_IRQ_EN_DONE);
    EXPECT_EQ(b.rd(MIND_REG_IRQ_EN), MIND_IRQ_EN_DONE);
    b.idle();
    // The run was undisturbed: same result as the reference model; ERR stays sticky.
    const uint32_t st = b.status();
    EXPECT_NE(st & MIND_STATUS_ERR, 0u);
    EXPECT_EQ(b.err_code(), MIND_ERR_BUSY);
    b.wr(MIND_REG_IRQ_STATUS, MIND_IRQ_STATUS_ERR);
    EXPECT_EQ(b.rd(MIND_REG_IRQ_STATUS), MIND_IRQ_STATUS_DONE);
    // (expect_same also checks ERR clear, so compare the rest by hand.)
    EXPECT_EQ(b.rd(MIND_REG_SWEEPS), m.status().sweeps);
    EXPECT_EQ(b.rd(MIND_REG_FLIPS), m.status().flips);
    EXPECT_EQ(b.cycles(), m.status().cycles);
    EXPECT_EQ(b.read_state(), m.states());
    EXPECT_EQ(b.read_fields(kN), m.fields());
}

// ---------------------------------------------------------------- BAD_ARG

TEST(Registers, StartOrStepOutOfRangeIsBadArgAndRunsNothing) {
    Bus& b = fresh();
    b.wr(MIND_REG_IRQ_EN, MIND_IRQ_EN_ERR);
    b.wr(MIND_REG_STATE(0), 0x0F0F0F0F);
    struct Case { uint32_t n, sweeps, ctrl; };
    const Case cases[] = {{0, 5, MIND_CTRL_START}, {0, 5, MIND_CTRL_STEP}, {kN + 1, 5, MIND_CTRL_START},
                          {kN + 1, 1, MIND_CTRL_STEP}, {0xFFFFFFFF, 1, MIND_CTRL_START}, {kN, 0, MIND_CTRL_START},
                          {10, 0, MIND_CTRL_STEP}};
    for (const Case& c : cases) {
        SCOPED_TRACE("n=" + std::to_string(c.n) + " sweeps=" + std::to_string(c.sweeps) + " ctrl=" + std::to_string(c.ctrl));
        b.wr(MIND_REG_N_ACTIVE, c.n);
        b.wr(MIND_REG_MAX_SWEEPS, c.sweeps);
        b.wr(MIND_REG_IRQ_STATUS, 3);
        b.idle();
        EXPECT_FALSE(b.irq.read());
        const Snapshot before(b);
        const sc_core::sc_time t0 = b.now();
        b.ctrl(c.ctrl);
        b.idle();
        EXPECT_EQ(Snapshot(b).diff(before, true), "");
        EXPECT_EQ(b.err_code(), MIND_ERR_BAD_ARG);
        const uint32_t st = b.status();
        EXPECT_EQ(st & (MIND_STATUS_BUSY | MIND_STATUS_DONE), 0u);
        EXPECT_NE(st & MIND_STATUS_ERR, 0u);
        EXPECT_EQ(b.cycles(), 0u);
        EXPECT_EQ(b.rd(MIND_REG_IRQ_STATUS), MIND_IRQ_STATUS_ERR) << "ERR, and no DONE";
        EXPECT_TRUE(b.irq.read());
        EXPECT_LE(b.now() - t0, 2 * b.period()) << "only the CTRL write's bus time passed";
    }
    // A good START afterwards works and leaves ERR sticky.
    b.wr(MIND_REG_N_ACTIVE, 8);
    b.wr(MIND_REG_MAX_SWEEPS, 1);
    b.run(MIND_CTRL_START);
    EXPECT_NE(b.status() & MIND_STATUS_DONE, 0u);
    EXPECT_EQ(b.rd(MIND_REG_SWEEPS), 1u);
    EXPECT_NE(b.status() & MIND_STATUS_ERR, 0u);
}

// ---------------------------------------------------------------- TLM error responses

TEST(Registers, UnservableRegisterAccessesEndInTlmErrorsAndChangeNothing) {
    Bus& b = fresh();
    b.wr(MIND_REG_MODE, 5);
    b.wr(MIND_REG_SYN_ADDR, 9);
    b.wr(MIND_REG_THR_ADDR, 9);
    b.wr(MIND_REG_FIELD_ADDR, 9);
    const Snapshot before(b);
    auto nothing_changed = [&](const std::string& what) { EXPECT_EQ(Snapshot(b).diff(before), "") << what; };
    // Unmapped offsets (inside and beyond the 4 KiB block).
    std::vector<uint32_t> unmapped = {0x00C, 0x034, 0x038, 0x03C, 0x054, 0x058, 0x05C, 0x078, 0x07C, 0x080,
                                      0x0FC, 0x200, 0x204, 0x800, 0xFFC, 0x1000, 0x1004, 0xFFFFC};
    for (uint32_t off : unmapped) {
        uint32_t v = 0x12345678;
        EXPECT_EQ(b.reg_read(off, v), tlm::TLM_ADDRESS_ERROR_RESPONSE) << std::hex << off;
        EXPECT_EQ(b.reg_write(off, 0xFFFFFFFF), tlm::TLM_ADDRESS_ERROR_RESPONSE) << std::hex << off;
        nothing_changed("unmapped");
    }
    // Misaligned 32-bit accesses.
    for (uint32_t off : {0x001u, 0x002u, 0x023u, 0x066u}) {
        uint32_t v = 0;
        EXPECT_NE(b.reg_read(off, v), tlm::TLM_OK_RESPONSE) << off;
        EXPECT_NE(b.reg_write(off, 0xFFFFFFFF), tlm::TLM_OK_RESPONSE) << off;
        nothing_changed("misaligned");
    }
    // Sizes other than 32 bits, including on the auto-incrementing and command registers.
    for (uint32_t off : {MIND_REG_MODE, MIND_REG_SYN_DATA, MIND_REG_THR_DATA, MIND_REG_FIELD_DATA, MIND_REG_CTRL,
                         MIND_REG_CYCLES_LO, MIND_REG_ID}) {
        for (unsigned len : {1u, 2u, 3u, 8u, 16u}) {
            uint8_t buf[16];
            std::memset(buf, 0xFF, sizeof buf);
            EXPECT_NE(b.raw(false, tlm::TLM_READ_COMMAND, off, buf, len), tlm::TLM_OK_RESPONSE) << off << "/" << len;
            EXPECT_NE(b.raw(false, tlm::TLM_WRITE_COMMAND, off, buf, len), tlm::TLM_OK_RESPONSE) << off << "/" << len;
            nothing_changed("size");
        }
        // Streaming width below the length.
        uint32_t v = 0xFFFFFFFF;
        EXPECT_NE(b.raw(false, tlm::TLM_WRITE_COMMAND, off, &v, 4, nullptr, 0, 2), tlm::TLM_OK_RESPONSE);
        nothing_changed("streaming");
    }
    // Byte enables (even all-enabled ones).
    for (uint32_t off : {MIND_REG_MODE, MIND_REG_SYN_DATA, MIND_REG_STATE(0)}) {
        unsigned char be[4] = {0xFF, 0xFF, 0xFF, 0xFF};
        uint32_t v = 0xFFFFFFFF;
        EXPECT_EQ(b.raw(false, tlm::TLM_WRITE_COMMAND, off, &v, 4, be, 4), tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
        EXPECT_EQ(b.raw(false, tlm::TLM_READ_COMMAND, off, &v, 4, be, 4), tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
        nothing_changed("byte enables");
    }
    // Writes to read-only registers.
    for (uint32_t off : {MIND_REG_ID, MIND_REG_VERSION, MIND_REG_CONFIG, MIND_REG_STATUS, MIND_REG_SWEEPS,
                         MIND_REG_FLIPS, MIND_REG_CYCLES_LO, MIND_REG_CYCLES_HI, MIND_REG_OVF_COUNT,
                         MIND_REG_FIELD_DATA}) {
        EXPECT_EQ(b.reg_write(off, 0xFFFFFFFF), tlm::TLM_COMMAND_ERROR_RESPONSE) << off;
        nothing_changed("RO write");
    }
    // TLM_IGNORE_COMMAND is not something a register serves.
    uint32_t v = 0;
    EXPECT_NE(b.raw(false, tlm::TLM_IGNORE_COMMAND, MIND_REG_MODE, &v, 4), tlm::TLM_OK_RESPONSE);
    nothing_changed("ignore");
    // Bus errors are not chip errors: no ERR.
    EXPECT_EQ(b.status() & MIND_STATUS_ERR, 0u);
}

// ---------------------------------------------------------------- synapse window

TEST(Registers, SynapseWindowServesSixteenAndThirtyTwoBitAccesses) {
    Bus& b = fresh();
    const uint64_t bytes = uint64_t{kN} * kN * 2;
    EXPECT_EQ(b.chip.syn.window_bytes(), bytes);
    // 16-bit: J[i][j] at (i*N+j)*2.
    const int16_t v16 = -77;
    b.syn_write((uint64_t{5} * kN + 6) * 2, &v16, 2);
    b.wr(MIND_REG_SYN_ADDR, 5 * kN + 6);
    EXPECT_EQ(static_cast<int32_t>(b.rd(MIND_REG_SYN_DATA)), -77);
    // 32-bit: two neighbours, little-endian (the lower address is the low half).
    const uint32_t v32 = 0x0003FFFE;  // J[7][8] = -2, J[7][9] = 3
    b.syn_write((uint64_t{7} * kN + 8) * 2, &v32, 4);
    EXPECT_EQ(b.chip.syn.row(7)[8], -2);
    EXPECT_EQ(b.chip.syn.row(7)[9], 3);
    uint32_t r32 = 0;
    b.syn_read((uint64_t{7} * kN + 8) * 2, &r32, 4);
    EXPECT_EQ(r32, v32);
    int16_t r16 = 0;
    b.syn_read((uint64_t{7} * kN + 9) * 2, &r16, 2);
    EXPECT_EQ(r16, 3);
    // The last synapse.
    const int16_t last = 55;
    b.syn_write(bytes - 2, &last, 2);
    EXPECT_EQ(b.chip.syn.row(kN - 1)[kN - 1], 55);
    // Bus time: one cycle per 32-bit word (a 16-bit access is one word).
    const sc_core::sc_time t = b.bus_time();
    b.syn_read(0, &r16, 2);
    EXPECT_EQ(b.bus_time() - t, b.period());
    b.syn_read(0, &r32, 4);
    EXPECT_EQ(b.bus_time() - t, 2 * b.period());
    uint32_t burst[8];
    b.syn_read(64, burst, sizeof burst);  // the model's longer burst extension
    EXPECT_EQ(b.bus_time() - t, 10 * b.period());

    // Accesses it cannot serve.
    const Snapshot before(b);
    uint8_t buf[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    struct Bad { uint64_t addr; unsigned len; tlm::tlm_response_status want; };
    const Bad bad[] = {
        {bytes, 2, tlm::TLM_ADDRESS_ERROR_RESPONSE},       // just past the window
        {bytes, 4, tlm::TLM_ADDRESS_ERROR_RESPONSE},
        {bytes - 2, 4, tlm::TLM_ADDRESS_ERROR_RESPONSE},   // straddles the end
        {bytes + 0x1000, 4, tlm::TLM_ADDRESS_ERROR_RESPONSE},
        {~uint64_t{0} - 3, 4, tlm::TLM_ADDRESS_ERROR_RESPONSE},
        {1, 2, tlm::TLM_BURST_ERROR_RESPONSE},             // odd address
        {0, 1, tlm::TLM_BURST_ERROR_RESPONSE},             // 8-bit
        {0, 3, tlm::TLM_BURST_ERROR_RESPONSE},
        {0, 6, tlm::TLM_BURST_ERROR_RESPONSE},             // neither 16 bits nor whole words
        {0, 0, tlm::TLM_BURST_ERROR_RESPONSE},
    };
    for (const Bad& x : bad) {
        EXPECT_EQ(b.raw(true, tlm::TLM_WRITE_COMMAND, x.addr, buf, x.len), x.want) << x.addr << "/" << x.len;
        EXPECT_EQ(b.raw(true, tlm::TLM_READ_COMMAND, x.addr, buf, x.len), x.want) << x.addr << "/" << x.len;
    }
    unsigned char be[4] = {0xFF, 0, 0xFF, 0};
    EXPECT_EQ(b.raw(true, tlm::TLM_WRITE_COMMAND, 0, buf, 4, be, 4), tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
    EXPECT_EQ(b.raw(true, tlm::TLM_WRITE_COMMAND, 0, buf, 4, nullptr, 0, 2), tlm::TLM_BURST_ERROR_RESPONSE);
    EXPECT_EQ(b.raw(true, tlm::TLM_IGNORE_COMMAND, 0, buf, 4), tlm::TLM_COMMAND_ERROR_RESPONSE);
    EXPECT_EQ(Snapshot(b).diff(before), "");
    EXPECT_EQ(std::memcmp(buf, "\1\2\3\4\5\6\7\10", 8), 0) << "failed reads leave the buffer alone";
}

// ---------------------------------------------------------------- SOFT_RESET

TEST(Registers, SoftResetRestoresResetValuesAndKeepsSynapsesAndThresholds) {
    Bus& b = fresh();
    std::mt19937 rng(11);
    Scenario sc = random_scenario(b.params(), rng, 100);
    for (auto& t : sc.theta) t = static_cast<int32_t>(rng() % 2001) - 1000;
    sc.clamp[3] = sc.clamp[40] = true;
    sc.mode = MIND_ORDER_ASYNC_PERM | MIND_MODE_NOISE_EN;
    sc.temp = 50;
    sc.seed = 99;
    sc.max_sweeps = 4;
    load(b, sc);
    b.wr(MIND_REG_IRQ_EN, 3);
    b.run(MIND_CTRL_START);
    b.wr(MIND_REG_N_ACTIVE, 0);
    b.run(MIND_CTRL_STEP);  // ERR
    b.wr(MIND_REG_FIELD_ADDR, 5);
    b.wr(MIND_REG_SYN_ADDR, 5);
    (void)b.rd(MIND_REG_CYCLES_LO);
    ASSERT_NE(b.cycles(), 0u);
    const Snapshot before(b);

    b.ctrl(MIND_CTRL_SOFT_RESET);
    b.idle();
    const Snapshot after(b);
    EXPECT_EQ(after.syn, before.syn) << "synapses kept";
    EXPECT_EQ(after.theta, before.theta) << "thresholds kept";
    EXPECT_EQ(after.sigma, std::vector<int8_t>(kN, -1));
    EXPECT_EQ(after.clamp, std::vector<uint8_t>(kN, 0));
    EXPECT_EQ(after.field, std::vector<int32_t>(kN, 0));
    EXPECT_EQ(b.rd(MIND_REG_STATUS), 0u);
    EXPECT_EQ(b.rd(MIND_REG_MODE), 0u);
    EXPECT_EQ(b.rd(MIND_REG_N_ACTIVE), kN);
    EXPECT_EQ(b.rd(MIND_REG_MAX_SWEEPS), 1u);
    EXPECT_EQ(b.rd(MIND_REG_SEED), 1u);
    EXPECT_EQ(b.rd(MIND_REG_TEMP), 0u);
    EXPECT_EQ(b.rd(MIND_REG_IRQ_EN), 0u);
    EXPECT_EQ(b.rd(MIND_REG_IRQ_STATUS), 0u);
    for (uint32_t r : {MIND_REG_SWEEPS, MIND_REG_FLIPS, MIND_REG_CYCLES_LO, MIND_REG_CYCLES_HI, MIND_REG_OVF_COUNT,
                       MIND_REG_SYN_ADDR, MIND_REG_THR_ADDR, MIND_REG_FIELD_ADDR})
        EXPECT_EQ(b.rd(r), 0u) << r;
    EXPECT_FALSE(b.irq.read());

    // A SOFT_RESET mid-run drops the run: no DONE, nothing committed, counters at zero.
    sc.mode = MIND_ORDER_ASYNC_SEQ;
    sc.max_sweeps = 50;
    load(b, sc);
    b.wr(MIND_REG_IRQ_EN, 1);
    b.ctrl(MIND_CTRL_START);
    b.advance(300);
    ASSERT_NE(b.status() & MIND_STATUS_BUSY, 0u);
    b.ctrl(MIND_CTRL_SOFT_RESET | MIND_CTRL_START);  // SOFT_RESET wins over everything
    b.idle();
    EXPECT_EQ(b.status(), 0u);
    EXPECT_EQ(b.cycles(), 0u);
    EXPECT_EQ(b.rd(MIND_REG_SWEEPS), 0u);
    EXPECT_EQ(b.read_state(), std::vector<int8_t>(kN, -1));
    EXPECT_EQ(b.read_fields(kN), std::vector<int32_t>(kN, 0));
    EXPECT_FALSE(b.irq.read());
    EXPECT_EQ(Snapshot(b).syn, before.syn);
    // SOFT_RESET and a new command at the same instant, while the old run is still
    // in its wait: the old run is dropped and the new one runs from reset values.
    {
        load(b, sc);
        b.ctrl(MIND_CTRL_START);
        b.advance(300);
        ASSERT_TRUE(b.chip.state().busy);
        uint32_t v = MIND_CTRL_SOFT_RESET;
        ASSERT_EQ(b.raw(false, tlm::TLM_WRITE_COMMAND, MIND_REG_CTRL, &v, 4), tlm::TLM_OK_RESPONSE);
        v = MIND_CTRL_STEP;
        ASSERT_EQ(b.raw(false, tlm::TLM_WRITE_COMMAND, MIND_REG_CTRL, &v, 4), tlm::TLM_OK_RESPONSE);
        b.idle();
        ReferenceModel r(b.params());
        load(r, sc);
        r.soft_reset();  // keeps synapses and thresholds
        r.step();
        expect_same(b, r, "STEP right after a mid-run SOFT_RESET");
        b.ctrl(MIND_CTRL_SOFT_RESET);
        b.idle();
    }
    // ...and the chip runs normally afterwards.
    ReferenceModel m(b.params());
    load(m, sc);
    load(b, sc);
    m.start();
    b.run(MIND_CTRL_START);
    expect_same(b, m, "run after a mid-run SOFT_RESET");
}

// ---------------------------------------------------------------- CTRL priority, HEBB / CLEAR_SYN

TEST(Registers, CtrlPriorityAndDoneForHebbAndClearSyn) {
    Bus& b = fresh();
    b.wr(MIND_REG_N_ACTIVE, 16);
    b.wr(MIND_REG_STATE(0), 0x0000FFFF);
    // START wins over STEP, HEBB and CLEAR_SYN.
    b.wr(MIND_REG_MAX_SWEEPS, 3);
    b.run(MIND_CTRL_START | MIND_CTRL_STEP | MIND_CTRL_HEBB | MIND_CTRL_CLEAR_SYN);
    EXPECT_EQ(b.chip.syn.row(0)[1], 0) << "no HEBB";
    EXPECT_NE(b.status() & MIND_STATUS_DONE, 0u);
    // ABORT with START while idle: ABORT wins, nothing runs.
    const uint64_t c0 = b.cycles();
    b.wr(MIND_REG_IRQ_STATUS, 3);
    b.run(MIND_CTRL_ABORT | MIND_CTRL_START);
    EXPECT_EQ(b.cycles(), c0);
    EXPECT_EQ(b.rd(MIND_REG_IRQ_STATUS), 0u);
    // HEBB then CLEAR_SYN each end with DONE and IRQ_STATUS.DONE, and cost their cycles.
    const ChipParams p = b.params();
    b.wr(MIND_REG_IRQ_EN, MIND_IRQ_EN_DONE);
    b.run(MIND_CTRL_HEBB | MIND_CTRL_CLEAR_SYN);
    EXPECT_EQ(b.chip.syn.row(0)[1], 1);
    EXPECT_EQ(b.chip.syn.row(0)[0], 0) << "diagonal untouched";
    EXPECT_EQ(b.chip.syn.row(0)[16], 0) << "outside N_ACTIVE untouched";
    EXPECT_NE(b.status() & MIND_STATUS_DONE, 0u);
    EXPECT_TRUE(b.irq.read());
    EXPECT_EQ(b.cycles(), c0 + 16u * p.groups(16));
    b.wr(MIND_REG_IRQ_STATUS, 3);
    b.idle();
    EXPECT_FALSE(b.irq.read());
    b.ctrl(MIND_CTRL_CLEAR_SYN);
    EXPECT_EQ(b.status() & (MIND_STATUS_BUSY | MIND_STATUS_DONE), MIND_STATUS_BUSY);
    b.idle();
    EXPECT_EQ(b.chip.syn.row(0)[1], 0);
    EXPECT_NE(b.status() & MIND_STATUS_DONE, 0u);
    EXPECT_TRUE(b.irq.read());
    EXPECT_EQ(b.cycles(), c0 + 16u * p.groups(16) + uint64_t{kN} * p.groups(kN));
    // CLEAR_SYN does not depend on N_ACTIVE.
    b.wr(MIND_REG_N_ACTIVE, 0);
    b.run(MIND_CTRL_CLEAR_SYN);
    EXPECT_EQ(b.status() & MIND_STATUS_ERR, 0u);
    // HEBB does: BAD_ARG.
    b.run(MIND_CTRL_HEBB);
    EXPECT_EQ(b.err_code(), MIND_ERR_BAD_ARG);
    // ABORT does not stop HEBB or CLEAR_SYN: they complete, with their full cycles.
    b.wr(MIND_REG_N_ACTIVE, 16);
    uint64_t c1 = b.cycles();
    b.ctrl(MIND_CTRL_HEBB);
    b.advance(5);
    ASSERT_TRUE(b.chip.state().busy);
    b.ctrl(MIND_CTRL_ABORT);
    b.idle();
    EXPECT_EQ(b.chip.syn.row(0)[1], 1);
    EXPECT_EQ(b.cycles(), c1 + 16u * p.groups(16));
    EXPECT_NE(b.status() & MIND_STATUS_DONE, 0u);
    c1 = b.cycles();
    b.ctrl(MIND_CTRL_CLEAR_SYN);
    b.advance(100);
    ASSERT_TRUE(b.chip.state().busy);
    b.ctrl(MIND_CTRL_ABORT);
    b.idle();
    EXPECT_EQ(b.chip.syn.row(0)[1], 0);
    EXPECT_EQ(b.cycles(), c1 + uint64_t{kN} * p.groups(kN));
}

// ---------------------------------------------------------------- ABORT

namespace {
// Updates done by `o` cycles into a run whose sweeps all cost D = u*g + tail.
uint64_t updates_by(uint64_t o, uint64_t u, uint64_t g, uint64_t tail) {
    const uint64_t d = u * g + tail;
    const uint64_t s = o / d, r = o % d;
    return s * u + (r < u * g ? r / g + 1 : u);
}
}  // namespace

TEST(Registers, AbortStopsAfterTheNeuronInFlightLikeTheReferenceBudget) {
    Bus& b = fresh();
    const ChipParams p = b.params();
    std::mt19937 rng(1234);
    int aborted_mid_sweep = 0, sync_mid = 0;
    for (int trial = 0; trial < 30; ++trial) {
        const uint32_t n = 40 + rng() % 200;
        Scenario sc = random_scenario(p, rng, n);
        sc.mode = trial % 3 | ((trial / 3) % 2 ? MIND_MODE_NOISE_EN : 0u);
        sc.temp = 200;
        sc.seed = rng();
        sc.max_sweeps = 20;
        for (uint32_t i = 0; i < n; ++i) sc.clamp[i] = rng() % 5 == 0;
        b.ctrl(MIND_CTRL_SOFT_RESET);
        b.idle();
        load(b, sc);
        const uint64_t g = p.groups(n);
        uint64_t u = 0;
        for (uint32_t i = 0; i < n; ++i) u += !sc.clamp[i];
        const uint64_t tail = p.latency + ((sc.mode & 3) == MIND_ORDER_SYNC ? 2 : 0);
        const uint64_t sweep = u * g + tail;
        // Abort somewhere in the first three sweeps, off the sweep boundaries.
        uint64_t o = std::max<uint64_t>(2, rng() % (3 * sweep));  // >= the START write's 2 bus cycles
        if (o % sweep == 0) ++o;
        b.ctrl(MIND_CTRL_START);
        const sc_core::sc_time t0 = b.now();
        b.advance_to(t0 + static_cast<double>(o) * b.period());
        ASSERT_EQ(b.now(), t0 + static_cast<double>(o) * b.period());
        const bool busy = b.chip.state().busy;  // (no bus access: it would take time)
        b.ctrl(MIND_CTRL_ABORT);
        b.idle();
        ReferenceModel m(p);
        load(m, sc);
        const uint64_t budget = updates_by(o, u, g, tail);
        m.start(budget);
        const std::string what = sc.describe() + " abort at cycle " + std::to_string(o) + " budget " +
                                 std::to_string(budget) + (busy ? "" : " (after the run)");
        expect_same(b, m, what);
        if (busy && o % sweep < u * g) {
            ++aborted_mid_sweep;
            EXPECT_FALSE(b.status() & MIND_STATUS_CONVERGED) << what;
            if ((sc.mode & 3) == MIND_ORDER_SYNC) ++sync_mid;
        }
        // The run took exactly CYCLES (the chip does not stop the clock early).
        EXPECT_EQ(b.now() - t0, static_cast<double>(b.cycles()) * b.period()) << what;
    }
    EXPECT_GT(aborted_mid_sweep, 5);
    EXPECT_GT(sync_mid, 1);
}

TEST(Registers, AbortedSyncSweepCommitsNoState) {
    Bus& b = fresh();
    std::mt19937 rng(77);
    Scenario sc = random_scenario(b.params(), rng, 256);
    sc.mode = MIND_ORDER_SYNC;
    load(b, sc);
    b.ctrl(MIND_CTRL_STEP);
    b.advance(200 * b.params().groups(256));  // 200 of 256 neurons done
    b.ctrl(MIND_CTRL_ABORT);
    b.idle();
    EXPECT_EQ(b.read_state(), sc.sigma) << "the aborted SYNC sweep committed nothing";
    EXPECT_EQ(b.rd(MIND_REG_SWEEPS), 0u);
    const uint32_t st = b.status();
    EXPECT_NE(st & MIND_STATUS_DONE, 0u);
    EXPECT_EQ(st & (MIND_STATUS_CONVERGED | MIND_STATUS_BUSY), 0u);
    // ABORT while idle does nothing.
    const Snapshot before(b);
    b.run(MIND_CTRL_ABORT);
    EXPECT_EQ(Snapshot(b).diff(before), "");
}

// An ABORT that lands while the sweep's last neuron is in flight lets that
// sweep complete: full drain, SYNC's commit cycles, the sweep counted.
TEST(Registers, AbortInTheLastNeuronCompletesTheSweep) {
    Bus& b = fresh();
    const ChipParams p = b.params();
    std::mt19937 rng(4242);
    for (uint32_t order = MIND_ORDER_SYNC; order <= MIND_ORDER_ASYNC_PERM; ++order) {
        const uint32_t n = 96;
        Scenario sc = random_scenario(p, rng, n);
        sc.mode = order;
        sc.max_sweeps = 10;
        b.ctrl(MIND_CTRL_SOFT_RESET);
        b.idle();
        load(b, sc);
        const uint64_t g = p.groups(n), u = n;
        const uint64_t tail = p.latency + (order == MIND_ORDER_SYNC ? 2 : 0);
        b.ctrl(MIND_CTRL_START);
        const sc_core::sc_time t0 = b.now();
        const uint64_t o = u * g - 1;  // inside the last neuron of sweep 1
        b.advance_to(t0 + static_cast<double>(o) * b.period());
        b.ctrl(MIND_CTRL_ABORT);
        b.idle();
        ReferenceModel m(p);
        load(m, sc);
        m.start(u);
        const std::string what = sc.describe() + " abort in the last neuron";
        expect_same(b, m, what);
        EXPECT_EQ(b.rd(MIND_REG_SWEEPS), 1u) << what;
        EXPECT_EQ(b.cycles(), u * g + tail) << what;
        EXPECT_EQ(b.now() - t0, static_cast<double>(b.cycles()) * b.period()) << what;
    }
}

// The debug transport (what a debugger's memory view uses) reads plain registers
// only: no latch, no auto-increment, nothing outside the 32-bit register space.
TEST(Registers, DebugReadsArePlainAndChangeNothing) {
    Bus& b = fresh();
    auto dbg = [&](uint64_t addr, bool write = false) {
        uint32_t v = 0;
        tlm::tlm_generic_payload tx;
        tx.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
        tx.set_address(addr);
        tx.set_data_ptr(reinterpret_cast<unsigned char*>(&v));
        tx.set_data_length(4);
        const unsigned n = b.host.reg->transport_dbg(tx);
        return std::make_pair(n, v);
    };
    const Snapshot before(b);
    EXPECT_EQ(dbg(MIND_REG_ID), std::make_pair(4u, uint32_t{MIND_ID_VALUE}));
    EXPECT_EQ(dbg(MIND_REG_ID | (uint64_t{1} << 32)).first, 0u) << "the address must not wrap onto ID";
    EXPECT_EQ(dbg(MIND_REG_CYCLES_LO).first, 0u) << "reading CYCLES_LO latches HI";
    EXPECT_EQ(dbg(MIND_REG_SYN_DATA).first, 0u) << "SYN_DATA auto-increments";
    EXPECT_EQ(dbg(MIND_REG_MODE, true).first, 0u) << "debug writes are not served";
    EXPECT_EQ(dbg(0x1000).first, 0u);
    EXPECT_EQ(Snapshot(b).diff(before), "");
}

// ---------------------------------------------------------------- docs/registers.md

TEST(Registers, DocsRegistersMdIsTheGeneratedTable) {
    const char* src = std::getenv("MIND1024_SOURCE_DIR");
    const char* bin = std::getenv("MIND1024_BINARY_DIR");
    const std::string s = src ? src : MIND1024_SOURCE_DIR_FALLBACK, bdir = bin ? bin : MIND1024_BINARY_DIR_FALLBACK;
    EXPECT_EQ(slurp(s + "/docs/registers.md"), slurp(bdir + "/generated/registers.md"))
        << "docs/registers.md is stale: copy build/generated/registers.md over it";
}

// N_MAX below 1024: STATE/CLAMP words past the last neuron hold nothing; a write
// there changes nothing and reads back 0 (a write used to run past the state
// array: found by fuzz_chip_bus at N_MAX 17).
TEST(Registers, StateAndClampWordsPastNmaxAreInert) {
    mind1024::test::in_child_process([] {
        ChipParams p;
        p.n_max = 40;
        mind1024::test::Bus b(p);
        b.wr(MIND_REG_STATE(1), 0xFFFFFFFFu);  // neurons 32..39 exist, the rest of the word does not
        b.wr(MIND_REG_STATE(5), 0xFFFFFFFFu);  // no neuron at all
        b.wr(MIND_REG_CLAMP(31), 0xFFFFFFFFu);
        EXPECT_EQ(b.rd(MIND_REG_STATE(1)), 0xFFu);
        EXPECT_EQ(b.rd(MIND_REG_STATE(5)), 0u);
        EXPECT_EQ(b.rd(MIND_REG_CLAMP(31)), 0u);
        std::vector<int8_t> want(40, -1);
        for (int i = 32; i < 40; ++i) want[i] = 1;
        EXPECT_EQ(b.read_state(), want);
    });
}
