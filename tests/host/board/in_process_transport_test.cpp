// The in-process transport when SystemC itself cannot go on: a run that would
// pass the last representable simulated time ends in a BoardError naming the
// limit (not a silently shortened run), and the board refuses further use.
// Its own binary: the board here has a 1 Hz clock (one board per process).
#include "host/board/in_process_transport.h"

#include <random>

#include <gtest/gtest.h>

#include "host/board/bare_driver.h"
#include "host/board/errors.h"

using namespace mind1024;
using namespace mind1024::host;

TEST(InProcessTransport, RunPastTheEndOfSimulatedTimeIsAnErrorNotAShortRun) {
    ChipParams p;
    p.n_max = 256;
    p.lanes = 1;
    p.clock_hz = 1.0;  // 65,541 s per sweep: SystemC's 2^64 ps run out after about 281 sweeps
    auto b = open_in_process_board(p);
    std::mt19937 rng(5);
    std::uniform_int_distribution<int> wd(-100, 100);
    WeightMatrix w{256, std::vector<int16_t>(256 * 256)};
    for (uint32_t i = 0; i < 256; ++i)
        for (uint32_t j = i + 1; j < 256; ++j) w.w[i * 256 + j] = w.w[j * 256 + i] = static_cast<int16_t>(wd(rng));
    b->load_weights(w);
    std::vector<int8_t> s(256);
    for (auto& x : s) x = rng() % 2 ? 1 : -1;
    b->set_state(s);
    RunParams rp;
    rp.noise = true;
    rp.temp = 50000;  // no quiet sweep: the run wants all its sweeps
    rp.max_sweeps = 100;
    const RunResult first = b->run(rp);  // 6.6e6 s: fits
    EXPECT_EQ(first.sweeps, 100u);
    rp.max_sweeps = 1000;
    try {
        b->run(rp);
        ADD_FAILURE() << "a run past SystemC's time limit returned normally";
    } catch (const BoardError& e) {
        EXPECT_NE(std::string(e.what()).find("simulated time limit"), std::string::npos) << e.what();
    }
    try {
        b->read_reg(0);
        ADD_FAILURE() << "the board was used again after the kernel stopped";
    } catch (const BoardError& e) {
        EXPECT_NE(std::string(e.what()).find("earlier error"), std::string::npos) << e.what();
    }
}
