// LinkServer inside the test process (a chip-only board; one per process), a
// SocketTransport client in a thread: its accept timeout, its stop flag, and
// a SystemC error in a request answered as SIM_ERROR, after which serve()
// returns. The board process end to end is link_server_test.cpp.
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <systemc>

#include "host/board/bare_driver.h"
#include "host/board/errors.h"
#include "sysc/board/host_port_driver.h"
#include "sysc/board/link_server.h"
#include "mind1024_board.h"
#include "mind1024_regs.h"
#include "sysc/board/platform.h"
#include "host/link/socket_transport.h"

using namespace mind1024;

namespace {

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// Raises an SC_REPORT_ERROR when the chip finishes an operation, while armed.
struct Boom : sc_core::sc_module {
    std::atomic<bool> armed{false};
    SC_HAS_PROCESS(Boom);
    Boom(sc_core::sc_module_name n, const sc_core::sc_event& e) : sc_module(n) {
        SC_METHOD(fire);
        sensitive << e;
        dont_initialize();
    }
    void fire() {
        if (armed) SC_REPORT_ERROR("mind1024/test", "the test's deliberate error");
    }
};

}  // namespace

TEST(LinkServerInProcess, AcceptTimeoutStopFlagAndSimError) {
    char tmpl[] = "/tmp/mind_link_inproc_XXXXXX";
    const std::string dir = ::mkdtemp(tmpl);
    board::BoardConfig cfg;
    cfg.with_cpu = false;
    cfg.chip.n_max = 64;
    cfg.chip.lanes = 8;
    board::Mind1024Board b("board", cfg);
    board::HostPortDriver port(b);
    Boom boom("boom", b.chip().done_event());
    std::atomic<bool> stop{false};
    std::vector<std::string> log;
    board::LinkServerOptions o;
    o.listen = "unix:" + dir + "/b.sock";
    o.accept_timeout_s = 2.0;  // room for the client threads to connect on a loaded machine
    o.stop = &stop;
    o.log = [&log](const std::string& s) { log.push_back(s); };
    board::LinkServer server(b, port, o);
    sc_core::sc_report_handler::set_actions("/IEEE_Std_1666/deprecated", sc_core::SC_DO_NOTHING);
    sc_core::sc_report_handler::set_actions("no activity or clock movement for sc_start() invocation",
                                            sc_core::SC_DO_NOTHING);
    sc_core::sc_start(sc_core::SC_ZERO_TIME);

    // 1. A client, BYE, then no client for the accept timeout.
    std::thread c1([&] {
        host::SocketTransport t(server.address());
        EXPECT_EQ(t.chip_params().n_max, 64u);
        EXPECT_EQ(t.hello().cpu_clock_hz, 0.0);  // chip-only
        EXPECT_EQ(t.hello().firmware, "");
        host::BareDriver hb(t);
        EXPECT_EQ(hb.read_reg(MIND_REG_ID), MIND_ID_VALUE);
    });
    EXPECT_EQ(server.serve(), "no client for 2 s");
    c1.join();
    EXPECT_EQ(server.stats().clients, 1u);
    ASSERT_GE(log.size(), 2u);
    EXPECT_TRUE(contains(log[0], "connected")) << log[0];
    EXPECT_TRUE(contains(log[1], "said BYE")) << log[1];

    // 2. The stop flag.
    stop = true;
    EXPECT_EQ(server.serve(), "stopped");
    stop = false;

    // 3. A SystemC error inside a request: SIM_ERROR, the link down, serve() returns.
    std::thread c2([&] {
        host::SocketTransport t(server.address());
        host::BareDriver hb(t);
        hb.write_reg(MIND_REG_MAX_SWEEPS, 3);
        boom.armed = true;
        hb.write_reg(MIND_REG_CTRL, MIND_CTRL_START);
        try {
            t.wait_idle();
            ADD_FAILURE() << "no error";
        } catch (const host::BoardError& e) {
            EXPECT_TRUE(contains(e.what(), "simulation error")) << e.what();
            EXPECT_TRUE(contains(e.what(), "the test's deliberate error")) << e.what();
        }
        EXPECT_THROW(t.board_read32(MIND_CHIP_BASE), host::BoardError);
    });
    const std::string why = server.serve();
    c2.join();
    EXPECT_TRUE(contains(why, "simulation error")) << why;
    EXPECT_TRUE(contains(why, "deliberate")) << why;
    std::system(("rm -rf '" + dir + "'").c_str());
}
