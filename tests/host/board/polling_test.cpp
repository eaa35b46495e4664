// A host that writes START and then polls STATUS sees the run finish: every
// bus access costs simulated time during which the chip runs (contract
// section 4). And a VCD trace ends after the last change, with the IRQ line
// the chip drives. One board per process (each case runs on its own).
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <vector>

#include <gtest/gtest.h>

#include "host/board/bare_driver.h"
#include "sysc/chip.h"
#include "host/board/in_process_transport.h"
#include "mind1024_regs.h"
#include "host/board/reference_driver.h"

using namespace mind1024;
using namespace mind1024::host;

namespace {

ChipParams params() {
    ChipParams p;
    p.n_max = 128;
    p.lanes = 8;
    return p;
}

// The same random network and start state on any driver.
void load_network(ChipDriver& d) {
    const uint32_t n = d.params().n_max;
    std::mt19937 rng(11);
    std::uniform_int_distribution<int> wd(-60, 60);
    WeightMatrix w{n, std::vector<int16_t>(size_t{n} * n)};
    for (uint32_t i = 0; i < n; ++i)
        for (uint32_t j = i + 1; j < n; ++j) w.w[i * n + j] = w.w[j * n + i] = static_cast<int16_t>(wd(rng));
    d.load_weights(w);
    std::vector<int8_t> s(n);
    for (auto& x : s) x = rng() % 2 ? 1 : -1;
    d.set_state(s);
}

// Last value written for each VCD signal name.
std::map<std::string, std::string> last_values(const std::string& path, double* end_time_ns = nullptr) {
    std::ifstream f(path);
    std::map<std::string, std::string> code_to_name, last;
    std::vector<std::string> scope;
    std::string line;
    double t = 0;
    while (std::getline(f, line)) {
        std::istringstream in(line);
        std::string w;
        in >> w;
        if (w == "$scope") {
            std::string kind, name;
            in >> kind >> name;
            scope.push_back(name);
        } else if (w == "$upscope") {
            if (!scope.empty()) scope.pop_back();
        } else if (w == "$var") {
            std::string type, width, code, name, path;
            in >> type >> width >> code >> name;
            for (size_t k = 1; k < scope.size(); ++k) path += scope[k] + ".";  // below "SystemC"
            code_to_name[code] = path + name;
        } else if (!w.empty() && w[0] == '#') {
            t = std::stod(w.substr(1));
        } else if (!w.empty() && (w[0] == '0' || w[0] == '1') && code_to_name.count(w.substr(1))) {
            last[code_to_name[w.substr(1)]] = w.substr(0, 1);
        } else if (!w.empty() && w[0] == 'b') {
            std::string code;
            in >> code;
            if (code_to_name.count(code)) last[code_to_name[code]] = w.substr(1);
        }
    }
    if (end_time_ns) *end_time_ns = t;
    return last;
}

}  // namespace

TEST(Polling, HostThatPollsStatusSeesTheRunFinishWithTheReferenceCounters) {
    auto b = open_in_process_board(params());
    ReferenceDriver ref(params());
    load_network(*b);
    load_network(ref);
    RunParams rp;
    rp.order = Order::AsyncSeq;
    rp.max_sweeps = 20;
    const RunResult want = ref.run(rp);

    InProcessTransport& t = InProcessTransport::open(params());
    t.write32(MIND_REG_MODE, MIND_ORDER_ASYNC_SEQ);
    t.write32(MIND_REG_N_ACTIVE, params().n_max);
    t.write32(MIND_REG_MAX_SWEEPS, rp.max_sweeps);
    const double t0 = t.now_seconds();
    t.write32(MIND_REG_CTRL, MIND_CTRL_START);
    uint32_t polls = 0, status = 0;
    do {
        status = t.read32(MIND_REG_STATUS);
    } while ((status & MIND_STATUS_BUSY) && ++polls < 10'000'000);
    ASSERT_FALSE(status & MIND_STATUS_BUSY) << "the run never finished for a polling host";
    EXPECT_TRUE(status & MIND_STATUS_DONE);
    EXPECT_GT(polls, 10u);  // it was running while the host polled
    EXPECT_EQ(t.read32(MIND_REG_SWEEPS), want.sweeps);
    EXPECT_EQ(bool(status & MIND_STATUS_CONVERGED), want.converged);
    const uint64_t cycles = t.read32(MIND_REG_CYCLES_LO) | (uint64_t{t.read32(MIND_REG_CYCLES_HI)} << 32);
    EXPECT_EQ(cycles, want.cycles);
    // The polls (2 chip cycles each) overlap the run: simulated time covers each of them.
    const double elapsed = t.now_seconds() - t0;
    EXPECT_GE(elapsed, cycles / params().clock_hz * 0.999);
    EXPECT_GE(elapsed, 2.0 * polls / params().clock_hz * 0.999);
    EXPECT_EQ(b->state(), ref.state());
}

TEST(Polling, WaitIdleReturnsAtDoneAndTheTraceEndsAfterTheLastChange) {
    const std::string vcd = ::testing::TempDir() + "polling_trace.vcd";
    InProcessOptions o;
    o.vcd_path = vcd;
    InProcessTransport& t = InProcessTransport::open(params(), o);
    BareDriver b(t);
    load_network(b);
    t.write32(MIND_REG_IRQ_EN, MIND_IRQ_EN_DONE);
    RunParams rp;
    rp.max_sweeps = 20;
    const RunResult r = b.run(rp);
    EXPECT_GE(r.sweeps, 1u);
    // wait_idle came back at DONE, not at the end of time.
    EXPECT_LT(t.now_seconds(), 1.0);
    InProcessTransport::finish_trace(true);
    double end_ns = 0;
    const auto last = last_values(vcd, &end_ns);
    ASSERT_TRUE(last.count("board.chip.busy")) << "no busy signal in " << vcd;
    EXPECT_EQ(last.at("board.chip.busy"), "0") << "the trace ends with BUSY high";
    // The IRQ line the chip drives (DONE is enabled and pending), also as the CPU's external interrupt.
    EXPECT_EQ(last.at("board.chip_irq"), "1");
    EXPECT_EQ(last.at("board.cpu_ext_irq"), "1");
    std::string sweeps_bits;
    for (uint32_t v = r.sweeps; v; v >>= 1) sweeps_bits.insert(sweeps_bits.begin(), char('0' + (v & 1)));
    EXPECT_EQ(last.at("board.chip.sweep"), sweeps_bits);
    EXPECT_GE(end_ns, t.now_seconds() * 1e9 - 1e3);
}
