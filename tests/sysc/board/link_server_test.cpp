// The host link end to end: `mind-board --listen` as a child process (the
// idle firmware, firmware/tests/idle.c, sleeping in wfi), driven by the host's
// Board over SocketTransport. Same state, fields and counters as the
// reference driver and the in-process board (and the same simulated time);
// a second client refused while the first goes on; a client killed mid-frame
// or gone mid-command, then the next one served; garbage, a wrong version,
// malformed frames; the mailbox through the firmware; bad listen specs;
// stopping by signal, by timeout and with the firmware.
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <random>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "host/board/bare_driver.h"
#include "host/board/in_process_transport.h"
#include "host/board/errors.h"
#include "link/link_socket.h"
#include "mind1024_board.h"
#include "mind1024_regs.h"
#include "host/board/reference_driver.h"
#include "host/link/socket_transport.h"

using namespace mind1024;
using namespace mind1024::host;
using namespace mind1024::link;
using Clock = std::chrono::steady_clock;

namespace {

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

std::string slurp(const std::string& p) {
    std::ifstream f(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(f), {}};
}

std::string firmware(const std::string& name) { return std::string(MIND1024_FIRMWARE_DIR) + "/" + name + ".elf"; }

// mind-board --listen in a child process, in its own directory; killed at the end if still running.
class BoardProcess {
public:
    explicit BoardProcess(std::vector<std::string> args, bool wait_serving = true) {
        char tmpl[] = "/tmp/mind_link_server_XXXXXX";
        dir_ = ::mkdtemp(tmpl);
        sock_ = dir_ + "/b.sock";
        for (std::string& a : args)
            if (a == "@SOCK") a = "unix:" + sock_;
        args.insert(args.begin(), MIND_BOARD_EXE);
        pid_ = ::fork();
        if (pid_ == 0) {
            std::freopen((dir_ + "/out").c_str(), "w", stdout);
            std::freopen((dir_ + "/err").c_str(), "w", stderr);
            std::vector<char*> argv;
            for (std::string& a : args) argv.push_back(a.data());
            argv.push_back(nullptr);
            ::execv(MIND_BOARD_EXE, argv.data());
            std::_Exit(127);
        }
        if (wait_serving) {
            const auto t0 = Clock::now();
            while (!contains(err(), "[board] serving the host link on")) {
                if (exited() || Clock::now() - t0 > std::chrono::seconds(30)) {
                    ADD_FAILURE() << "mind-board did not start serving: " << err();
                    break;
                }
                std::this_thread::sleep_for(std::chrono::milliseconds(5));
            }
        }
    }
    ~BoardProcess() {
        if (rc_ < 0 && !exited()) {
            ::kill(pid_, SIGTERM);
            if (wait_exit(10) < 0) {
                ::kill(pid_, SIGKILL);
                ::waitpid(pid_, nullptr, 0);
            }
        }
        std::system(("rm -rf '" + dir_ + "'").c_str());
    }
    std::string spec() const { return "unix:" + sock_; }
    const std::string& sock() const { return sock_; }
    const std::string& dir() const { return dir_; }
    std::string err() const { return slurp(dir_ + "/err"); }
    std::string out() const { return slurp(dir_ + "/out"); }
    pid_t pid() const { return pid_; }
    bool exited() {
        if (rc_ >= 0) return true;
        int st = 0;
        if (::waitpid(pid_, &st, WNOHANG) == pid_) {
            rc_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
            return true;
        }
        return false;
    }
    // The exit code, or -1 if it is still running after timeout_s.
    int wait_exit(double timeout_s) {
        const auto t0 = Clock::now();
        while (!exited()) {
            if (std::chrono::duration<double>(Clock::now() - t0).count() > timeout_s) return -1;
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        return rc_;
    }
    // Waits until the board's log holds `what` (true) or timeout_s passes.
    bool wait_log(const std::string& what, double timeout_s = 10) const {
        const auto t0 = Clock::now();
        while (!contains(err(), what)) {
            if (std::chrono::duration<double>(Clock::now() - t0).count() > timeout_s) return false;
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        return true;
    }

private:
    std::string dir_, sock_;
    pid_t pid_ = -1;
    int rc_ = -1;
};

std::vector<std::string> idle_board_args() { return {"--listen", "@SOCK", "--firmware", firmware("idle")}; }

WeightMatrix random_weights(uint32_t n, unsigned wbits, std::mt19937& rng) {
    std::uniform_int_distribution<int> d(-(1 << (wbits - 1)), (1 << (wbits - 1)) - 1);
    WeightMatrix m{n, std::vector<int16_t>(size_t{n} * n)};
    for (auto& v : m.w) v = static_cast<int16_t>(d(rng));
    return m;
}

// A raw client: connected and, with `hello`, past HELLO (next sequence number 2).
Connection raw_client(const BoardProcess& b, bool hello) {
    Connection c = Connection::connect(b.spec(), 5.0);
    if (hello) {
        c.send_frame({1, Hello{kProtocolVersion, "raw test client"}}, 5.0);
        Received r = c.recv_frame(5.0, 1);
        EXPECT_TRUE(r.ok() && std::holds_alternative<HelloOk>(r.frame.msg)) << r.message;
    }
    return c;
}

// The next frame must be a BAD_REQUEST response mentioning `what`, then the board closes the link.
void expect_bad_request_then_close(Connection& c, const std::string& what) {
    Received r = c.recv_frame(5.0);
    ASSERT_TRUE(r.ok()) << r.message;
    const auto* resp = std::get_if<Response>(&r.frame.msg);
    ASSERT_NE(resp, nullptr) << type_name(type_of(r.frame.msg));
    EXPECT_EQ(resp->status, Status::BadRequest);
    EXPECT_TRUE(contains(resp->message, what)) << resp->message;
    EXPECT_EQ(c.recv_frame(5.0).status, RecvStatus::Closed);
}

// The board still serves a well-behaved client.
void expect_serving(const BoardProcess& b) {
    SocketTransport t(b.spec());
    BareDriver board(t);
    EXPECT_EQ(board.read_reg(MIND_REG_ID), MIND_ID_VALUE);
}

}  // namespace

TEST(LinkServer, HelloStatesTheBoardAndItsChip) {
    BoardProcess b(idle_board_args());
    SocketTransport t(b.spec());
    const ChipParams p = t.chip_params(), d;
    EXPECT_EQ(p.n_max, d.n_max);
    EXPECT_EQ(p.wbits, d.wbits);
    EXPECT_EQ(p.abits, d.abits);
    EXPECT_EQ(p.lanes, d.lanes);
    EXPECT_EQ(p.latency, d.latency);
    EXPECT_EQ(p.clock_hz, d.clock_hz);
    EXPECT_EQ(t.hello().firmware, "idle.elf");
    EXPECT_EQ(t.hello().cpu_clock_hz, 50e6);
    EXPECT_EQ(t.hello().max_block, kMaxBlockBytes);
    EXPECT_FALSE(t.hello().board.empty());
    EXPECT_EQ(t.board_read32(MIND_CHIP_BASE + MIND_REG_ID), MIND_ID_VALUE);
    EXPECT_GT(t.now_seconds(), 0.0);  // every access costs bus time
    EXPECT_DOUBLE_EQ(t.query_time(), t.now_seconds());  // time stands still between requests
    // SRAM through the host port, one block over several chunks of the bus.
    std::vector<uint8_t> in(10000), out(10000);
    for (size_t i = 0; i < in.size(); ++i) in[i] = static_cast<uint8_t>(i * 13);
    t.board_write_block(MIND_SRAM_BASE + 0x10000, in.data(), static_cast<uint32_t>(in.size()));
    t.board_read_block(MIND_SRAM_BASE + 0x10000, out.data(), static_cast<uint32_t>(out.size()));
    EXPECT_EQ(in, out);
    t.close();
    EXPECT_TRUE(b.wait_log("said BYE")) << b.err();
}

TEST(LinkServer, SameAnswersAsTheReferenceDriverAndTheInProcessBoard) {
    BoardProcess proc(idle_board_args());
    SocketTransport t(proc.spec());
    BareDriver remote(t);
    ReferenceDriver ref(ChipParams{});
    InProcessOptions io;
    io.firmware_path = firmware("idle");  // the same board: CPU in wfi, the host in bare mode
    std::unique_ptr<BareDriver> local = open_in_process_board(ChipParams{}, io);
    EXPECT_EQ(remote.params().n_max, ref.params().n_max);
    std::mt19937 rng(2024);
    for (int trial = 0; trial < 6; ++trial) {
        const uint32_t n = 48 + 5 * trial;
        const WeightMatrix w = random_weights(n, remote.params().wbits, rng);
        std::vector<int32_t> th(n);
        std::vector<int8_t> s(n);
        std::vector<uint8_t> c(n);
        for (uint32_t i = 0; i < n; ++i) {
            th[i] = static_cast<int32_t>(rng() % 400) - 200;
            s[i] = rng() & 1 ? 1 : -1;
            c[i] = rng() % 6 == 0;
        }
        RunParams rp;
        rp.order = static_cast<Order>(trial % 3);
        rp.wrap = trial % 2;
        rp.noise = trial % 3 == 1;
        rp.temp = 500;
        rp.seed = 77 + trial;
        rp.max_sweeps = 15;
        rp.n_active = n;
        for (ChipDriver* d : std::initializer_list<ChipDriver*>{&remote, &ref, local.get()}) {
            d->soft_reset();
            d->load_weights(w);
            d->load_thresholds(th);
            d->set_state(s);
            d->set_clamp(c);
        }
        const RunResult rr = remote.run(rp), rf = ref.run(rp), rl = local->run(rp);
        const std::vector<int8_t> state = remote.state();
        const std::vector<int32_t> fields = remote.fields(0, n);
        EXPECT_EQ(state, ref.state()) << "trial " << trial;
        EXPECT_EQ(fields, ref.fields(0, n)) << "trial " << trial;
        EXPECT_EQ(state, local->state()) << "trial " << trial;
        EXPECT_EQ(fields, local->fields(0, n)) << "trial " << trial;
        for (const RunResult* x : {&rf, &rl}) {
            EXPECT_EQ(rr.sweeps, x->sweeps) << "trial " << trial;
            EXPECT_EQ(rr.flips, x->flips) << "trial " << trial;
            EXPECT_EQ(rr.ovf_count, x->ovf_count) << "trial " << trial;
            EXPECT_EQ(rr.converged, x->converged) << "trial " << trial;
            EXPECT_EQ(rr.cycle2, x->cycle2) << "trial " << trial;
            EXPECT_EQ(rr.cycles, x->cycles) << "trial " << trial;
        }
        const uint64_t cycles = remote.cycles();
        EXPECT_EQ(cycles, ref.cycles());
        EXPECT_EQ(cycles, local->cycles());
        EXPECT_EQ(remote.read_weights(n).w, w.w);
        EXPECT_EQ(local->read_weights(n).w, w.w);
        // Bus time and compute time are simulated alike on both paths.
        EXPECT_NEAR(rr.sim_seconds, rl.sim_seconds, 1e-12) << "trial " << trial;
        EXPECT_GT(rr.sim_seconds, rr.cycles / remote.params().clock_hz * 0.999);
    }
    // The same accesses, in the same order: the same simulated time on both paths.
    EXPECT_NEAR(t.now_seconds(), local->transport().now_seconds(), 1e-12);
}

TEST(LinkServer, ASecondClientIsRefusedAndTheFirstGoesOn) {
    BoardProcess b(idle_board_args());
    SocketTransport first(b.spec());
    BareDriver board(first);
    board.write_reg(MIND_REG_MAX_SWEEPS, 9);
    try {
        SocketTransport second(b.spec());
        FAIL() << "a second client was served";
    } catch (const BoardError& e) {
        EXPECT_TRUE(contains(e.what(), "refused the connection")) << e.what();
        EXPECT_TRUE(contains(e.what(), "another client is connected")) << e.what();
    }
    EXPECT_TRUE(b.wait_log("refused")) << b.err();
    EXPECT_EQ(board.read_reg(MIND_REG_MAX_SWEEPS), 9u);  // the first goes on
    EXPECT_EQ(board.read_reg(MIND_REG_ID), MIND_ID_VALUE);
    first.close();
    SocketTransport third(b.spec());  // the board is free again
    EXPECT_EQ(BareDriver(third).read_reg(MIND_REG_MAX_SWEEPS), 9u);
}

TEST(LinkServer, AClientKilledMidFrameLeavesTheBoardServingTheNext) {
    BoardProcess b(idle_board_args());
    const pid_t child = ::fork();
    if (child == 0) {
        Connection c = Connection::connect(b.spec(), 5.0);
        c.send_frame({1, Hello{kProtocolVersion, "doomed"}}, 5.0);
        c.recv_frame(5.0, 1);
        const std::vector<uint8_t> f = encode_frame({2, WriteBlock{MIND_SRAM_BASE, std::vector<uint8_t>(1000, 7)}});
        c.send_bytes(f.data(), 300, 5.0);  // a third of a frame
        ::raise(SIGKILL);
    }
    int st = 0;
    ::waitpid(child, &st, 0);
    ASSERT_TRUE(WIFSIGNALED(st));
    EXPECT_TRUE(b.wait_log("closed the connection after 284 of the 1008 payload bytes of a WRITE_BLOCK")) << b.err();
    expect_serving(b);
    EXPECT_TRUE(b.wait_log("dropped")) << b.err();
}

TEST(LinkServer, AClientGoneMidCommandLeavesTheBoardServingTheNext) {
    BoardProcess b(idle_board_args());
    {
        SocketTransport t(b.spec());
        BareDriver board(t);
        std::mt19937 rng(5);
        board.load_weights(random_weights(200, 8, rng));
        board.write_reg(MIND_REG_MAX_SWEEPS, 50);
        board.write_reg(MIND_REG_N_ACTIVE, 200);
    }
    {
        // START, then WAIT_IDLE, and gone before the answer.
        Connection c = raw_client(b, true);
        c.send_frame({2, Write32{MIND_CHIP_BASE + MIND_REG_CTRL, MIND_CTRL_START}}, 5.0);
        ASSERT_TRUE(c.recv_frame(5.0, 2).ok());
        c.send_frame({3, WaitIdle{kNoLimit}}, 5.0);
    }
    SocketTransport t(b.spec());
    BareDriver board(t);
    t.wait_idle();
    EXPECT_EQ(board.read_reg(MIND_REG_STATUS) & MIND_STATUS_BUSY, 0u);  // finished, or aborted as its client left
}

namespace {

// Sets the chip up for a run that would take days: 256 neurons, noise at a high
// temperature (it never settles), 2^32-1 sweeps. START it with start_endless_run.
void prepare_endless_run(const BoardProcess& b) {
    SocketTransport t(b.spec());
    BareDriver board(t);
    std::mt19937 rng(9);
    board.load_weights(random_weights(256, 8, rng));
    board.write_reg(MIND_REG_MODE, MIND_ORDER_SYNC | MIND_MODE_NOISE_EN);
    board.write_reg(MIND_REG_N_ACTIVE, 256);
    board.write_reg(MIND_REG_MAX_SWEEPS, 0xFFFFFFFFu);
    board.write_reg(MIND_REG_TEMP, 100000);
}

// A raw client that STARTs the run and sends WAIT_IDLE (no limit): the board is then busy with it.
Connection start_endless_run(const BoardProcess& b) {
    Connection c = raw_client(b, true);
    c.send_frame({2, Write32{MIND_CHIP_BASE + MIND_REG_CTRL, MIND_CTRL_START}}, 5.0);
    EXPECT_TRUE(c.recv_frame(5.0, 2).ok());
    c.send_frame({3, WaitIdle{kNoLimit}}, 5.0);
    return c;
}

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

}  // namespace

// Issue 21, defect 1: a client gone (EOF, or a reset) in the middle of an endless
// run has that run aborted and the board freed at once, not after the run.
TEST(LinkServer, AClientGoneMidRunHasItsRunAbortedAtOnce) {
    BoardProcess b(idle_board_args());
    prepare_endless_run(b);
    for (const bool reset : {false, true}) {
        {
            Connection c = start_endless_run(b);
            std::this_thread::sleep_for(std::chrono::milliseconds(300));
            if (reset) {  // RST instead of FIN
                const linger l{1, 0};
                ::setsockopt(c.fd(), SOL_SOCKET, SO_LINGER, &l, sizeof l);
            }
        }
        const auto t0 = Clock::now();
        SocketTransport t(b.spec());  // refused if the board still ran for nobody
        BareDriver board(t);
        EXPECT_LT(seconds_since(t0), 2.0);
        EXPECT_EQ(board.read_reg(MIND_REG_STATUS) & MIND_STATUS_BUSY, 0u);
        const uint32_t sweeps = board.read_reg(MIND_REG_SWEEPS);
        EXPECT_GT(sweeps, 0u);
        EXPECT_LT(sweeps, 0xFFFFFFFFu);
    }
    EXPECT_TRUE(contains(b.err(), "left during WAIT_IDLE")) << b.err();
    EXPECT_TRUE(contains(b.err(), "aborted the chip's run that client")) << b.err();
}

// A second client during a long request is refused at once, told who holds the
// board and what it is doing; one that holds it silently is dropped at --idle-timeout.
TEST(LinkServer, ARefusalNamesTheHolderAndASilentHolderIsDropped) {
    auto args = idle_board_args();
    args.insert(args.end(), {"--idle-timeout", "1"});
    BoardProcess b(args);
    prepare_endless_run(b);
    {
        Connection c = start_endless_run(b);
        const auto t0 = Clock::now();
        try {
            SocketTransport second(b.spec());
            FAIL() << "a second client was served";
        } catch (const BoardError& e) {
            EXPECT_TRUE(contains(e.what(), "another client is connected")) << e.what();
            EXPECT_TRUE(contains(e.what(), "\"raw test client\"")) << e.what();
            EXPECT_TRUE(contains(e.what(), "busy with WAIT_IDLE for")) << e.what();
        }
        EXPECT_LT(seconds_since(t0), 2.0);
    }
    // Silent after HELLO: refused while it holds the board ("idle for"), dropped after 1 s.
    Connection silent = raw_client(b, true);
    try {
        SocketTransport second(b.spec());
        FAIL() << "a second client was served";
    } catch (const BoardError& e) {
        EXPECT_TRUE(contains(e.what(), "idle for ")) << e.what();
        EXPECT_TRUE(contains(e.what(), " s (dropped at 1 s)")) << e.what();
    }
    EXPECT_TRUE(b.wait_log("dropped: silent for 1 s")) << b.err();
    EXPECT_EQ(silent.recv_frame(2.0).status, RecvStatus::Closed);
    expect_serving(b);
}

// A wait longer than --request-timeout (host time) is answered TIMEOUT, naming the
// option; the host's error says so, and the run it leaves behind is aborted.
TEST(LinkServer, AWaitIsBoundedByTheRequestTimeout) {
    auto args = idle_board_args();
    args.insert(args.end(), {"--request-timeout", "0.5"});
    BoardProcess b(args);
    prepare_endless_run(b);
    {
        SocketTransport t(b.spec());
        BareDriver board(t);
        const auto t0 = Clock::now();
        try {
            board.write_reg(MIND_REG_CTRL, MIND_CTRL_START);
            t.wait_idle();
            FAIL() << "an endless run ended";
        } catch (const BoardError& e) {
            EXPECT_TRUE(contains(e.what(), "--request-timeout")) << e.what();
            EXPECT_TRUE(contains(e.what(), "still busy after 0.5 s of host time")) << e.what();
        }
        EXPECT_LT(seconds_since(t0), 3.0);
    }
    EXPECT_TRUE(b.wait_log("aborted the chip's run")) << b.err();
    SocketTransport t(b.spec());
    EXPECT_EQ(BareDriver(t).read_reg(MIND_REG_STATUS) & MIND_STATUS_BUSY, 0u);
}

// SIGTERM and SIGINT end the board within a second at any moment: in the middle of an
// endless run, and with a client stuck in the middle of a frame; the socket file goes.
TEST(LinkServer, SignalsEndTheBoardWithinASecondAtAnyMoment) {
    for (const int sig : {SIGTERM, SIGINT}) {
        for (const bool mid_frame : {false, true}) {
            BoardProcess b(idle_board_args());
            Connection c;
            if (mid_frame) {
                c = raw_client(b, true);
                const std::vector<uint8_t> f = encode_frame({2, WriteBlock{MIND_SRAM_BASE, std::vector<uint8_t>(100, 1)}});
                c.send_bytes(f.data(), 30, 5.0);
                std::this_thread::sleep_for(std::chrono::milliseconds(200));  // the board waits for the rest
            } else {
                prepare_endless_run(b);
                c = start_endless_run(b);
                std::this_thread::sleep_for(std::chrono::milliseconds(300));
            }
            const auto t0 = Clock::now();
            ASSERT_EQ(::kill(b.pid(), sig), 0);
            EXPECT_EQ(b.wait_exit(5), 0) << b.err();
            EXPECT_LT(seconds_since(t0), 1.0) << (sig == SIGTERM ? "SIGTERM" : "SIGINT") << " mid_frame " << mid_frame;
            EXPECT_TRUE(contains(b.err(), sig == SIGTERM ? "SIGTERM received" : "SIGINT received")) << b.err();
            struct stat st {};
            EXPECT_NE(::lstat(b.sock().c_str(), &st), 0) << "the socket file was left behind";
        }
    }
}

TEST(LinkServer, GarbageGetsBadRequestAndTheBoardGoesOn) {
    BoardProcess b(idle_board_args());
    {
        Connection c = raw_client(b, false);
        const std::string http = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n";
        c.send_bytes(reinterpret_cast<const uint8_t*>(http.data()), http.size(), 5.0);
        expect_bad_request_then_close(c, "bad magic");
    }
    {
        // Random bytes, after a HELLO.
        Connection c = raw_client(b, true);
        std::mt19937 rng(1);
        std::vector<uint8_t> junk(4096);
        for (auto& x : junk) x = static_cast<uint8_t>(rng());
        c.send_bytes(junk.data(), junk.size(), 5.0);
        expect_bad_request_then_close(c, "magic");
    }
    EXPECT_TRUE(b.wait_log("dropped: bad magic")) << b.err();
    expect_serving(b);
}

TEST(LinkServer, AWrongProtocolVersionIsRefused) {
    BoardProcess b(idle_board_args());
    {
        // The header's version.
        Connection c = raw_client(b, false);
        std::vector<uint8_t> f = encode_frame({1, Hello{2, "from the future"}});
        f[4] = 2;
        c.send_bytes(f.data(), f.size(), 5.0);
        Received r = c.recv_frame(5.0);
        ASSERT_TRUE(r.ok()) << r.message;
        const auto* ref = std::get_if<Refused>(&r.frame.msg);
        ASSERT_NE(ref, nullptr);
        EXPECT_EQ(ref->version, kProtocolVersion);
        EXPECT_TRUE(contains(ref->reason, "protocol version 2 is not supported")) << ref->reason;
    }
    {
        // The HELLO's own version field.
        Connection c = raw_client(b, false);
        c.send_frame({1, Hello{9, "odd"}}, 5.0);
        Received r = c.recv_frame(5.0);
        ASSERT_TRUE(r.ok()) << r.message;
        ASSERT_TRUE(std::holds_alternative<Refused>(r.frame.msg));
        EXPECT_TRUE(contains(std::get<Refused>(r.frame.msg).reason, "version 9")) << std::get<Refused>(r.frame.msg).reason;
    }
    EXPECT_TRUE(b.wait_log("refused")) << b.err();
    expect_serving(b);
}

TEST(LinkServer, MalformedAndOutOfOrderFramesAreRefusedOneByOne) {
    BoardProcess b(idle_board_args());
    {
        Connection c = raw_client(b, false);
        c.send_frame({1, Read32{MIND_CHIP_BASE}}, 5.0);
        expect_bad_request_then_close(c, "the first message must be HELLO");
    }
    {
        Connection c = raw_client(b, true);
        c.send_frame({5, Read32{MIND_CHIP_BASE}}, 5.0);
        expect_bad_request_then_close(c, "sequence number 5, expected 2");
    }
    {
        Connection c = raw_client(b, true);
        Header h;
        h.type = static_cast<uint16_t>(MsgType::WriteBlock);
        h.seq = 2;
        h.length = 0x7FFFFFFF;
        uint8_t hb[kHeaderBytes];
        encode_header(h, hb);
        c.send_bytes(hb, sizeof hb, 5.0);
        expect_bad_request_then_close(c, "cap");
    }
    {
        Connection c = raw_client(b, true);
        HelloOk h;
        h.chip.clock_hz = 20e6;
        c.send_frame({2, h}, 5.0);
        expect_bad_request_then_close(c, "not a request");
    }
    {
        Connection c = raw_client(b, true);
        c.send_frame({2, Hello{}}, 5.0);
        expect_bad_request_then_close(c, "HELLO again");
    }
    {
        Connection c = raw_client(b, true);
        std::vector<uint8_t> f = encode_frame({2, Read32{0}});
        f.push_back(0);  // the payload says 4, the header 5: READ32's cap is 4
        f[12] = 5;
        c.send_bytes(f.data(), f.size(), 5.0);
        expect_bad_request_then_close(c, "READ32");
    }
    expect_serving(b);
}

TEST(LinkServer, ABatchRunsTheSameAccessesInOneRequest) {
    BoardProcess proc(idle_board_args());
    SocketTransport t(proc.spec());
    BareDriver remote(t);
    ReferenceDriver ref(ChipParams{});
    InProcessOptions io;
    io.firmware_path = firmware("idle");
    std::unique_ptr<BareDriver> local = open_in_process_board(ChipParams{}, io);
    std::mt19937 rng(5);
    const uint32_t n = 70;  // a last STATE word shared with neurons beyond n
    const WeightMatrix w = random_weights(n, remote.params().wbits, rng);
    ClassifyBatch b;
    b.n = n, b.first_label = 50, b.classes = 5, b.reps = 4, b.first_seed = 9;
    b.run.order = Order::AsyncPerm, b.run.noise = true, b.run.temp = 300, b.run.max_sweeps = 6;
    for (int k = 0; k < 40; ++k) {
        std::vector<int8_t> s(n);
        for (auto& v : s) v = rng() & 1 ? 1 : -1;
        b.states.push_back(s);
    }
    std::vector<int8_t> beyond(100, 1);  // neurons 70..99 hold +1: a batch must keep them
    for (ChipDriver* d : std::initializer_list<ChipDriver*>{&remote, &ref, local.get()}) {
        d->soft_reset();
        d->set_state(beyond);
        d->load_weights(w);
        d->load_thresholds(std::vector<int32_t>(n, 0));  // the in-process board is shared with other tests
        d->set_clamp(std::vector<uint8_t>(n, 0));
    }
    RunMany rm;
    rm.n = b.n, rm.run = b.run, rm.first_seed = b.first_seed, rm.first_field = 40, rm.field_count = 30;
    rm.read_state = true, rm.states = b.states;
    const double t0 = t.now_seconds(), l0 = local->transport().now_seconds();
    const auto batched = remote.run_many(rm);  // one BATCH
    const double t1 = t.now_seconds();
    const auto single = remote.ChipDriver::run_many(rm);  // a request per access
    const double t2 = t.now_seconds();
    const auto in_process = local->run_many(rm);
    const double l1 = local->transport().now_seconds();
    const auto oracle = ref.run_many(rm);
    int flipped = 0;
    for (size_t k = 0; k < b.states.size(); ++k) {
        for (const auto* x : {&single[k], &in_process[k], &oracle[k]}) {
            EXPECT_EQ(batched[k].fields, x->fields) << k;
            EXPECT_EQ(batched[k].state, x->state) << k;
            EXPECT_EQ(batched[k].run.sweeps, x->run.sweeps) << k;
            EXPECT_EQ(batched[k].run.flips, x->run.flips) << k;
            EXPECT_EQ(batched[k].run.cycles, x->run.cycles) << k;
            EXPECT_EQ(batched[k].run.converged, x->run.converged) << k;
        }
        EXPECT_NEAR(batched[k].run.sim_seconds, single[k].run.sim_seconds, 1e-12) << k;
        EXPECT_NEAR(batched[k].run.sim_seconds, in_process[k].run.sim_seconds, 1e-12) << k;
        flipped += batched[k].state != oracle[0].state;
    }
    EXPECT_GT(flipped, 0);
    // The same accesses: the same simulated time as the single requests and the in-process board.
    EXPECT_NEAR(t1 - t0, t2 - t1, 1e-12);
    EXPECT_NEAR(t1 - t0, l1 - l0, 1e-12);
    // classify_batch is run_many and the label rule: the reference's labels.
    const auto labels = remote.classify_batch(b), want = ref.classify_batch(b);
    int answered = 0;
    for (size_t k = 0; k < b.states.size(); ++k) {
        EXPECT_EQ(labels[k].label, want[k].label) << k;
        EXPECT_EQ(labels[k].tied, want[k].tied) << k;
        answered += !labels[k].tied;
    }
    EXPECT_GT(answered, 0);
    const std::vector<int8_t> st = remote.state();
    EXPECT_EQ(std::vector<int8_t>(st.begin() + n, st.begin() + 100), std::vector<int8_t>(30, 1));

    // The first failing operation ends the batch: those before it happened, none after.
    const uint32_t seed = MIND_CHIP_BASE + MIND_REG_SEED;
    try {
        t.run_ops({{BusOp::Kind::Write32, seed, 5, 0}, {BusOp::Kind::Read32, 0x60000000u, 0, 0},
                   {BusOp::Kind::Write32, seed, 9, 0}});
        ADD_FAILURE() << "no error";
    } catch (const BusError& e) {
        EXPECT_TRUE(contains(e.what(), "operation 1 (READ32 at 0x60000000)")) << e.what();
    }
    EXPECT_EQ(t.board_read32(seed), 5u);
}

TEST(LinkServer, BusErrorsCarryTheAddress) {
    BoardProcess b(idle_board_args());
    SocketTransport t(b.spec());
    try {
        t.board_read32(0x60000000);
        FAIL();
    } catch (const BusError& e) {
        EXPECT_EQ(e.address, 0x60000000u);
        EXPECT_TRUE(contains(e.what(), "TLM_ADDRESS_ERROR_RESPONSE")) << e.what();
    }
    BareDriver board(t);
    // Writes are posted (as on PCIe): a failed one is reported at the next read, naming its address.
    board.write_reg(MIND_REG_ID, 1);  // read-only
    try {
        board.read_reg(MIND_REG_STATUS);
        ADD_FAILURE() << "the failed write was never reported";
    } catch (const BusError& e) {
        EXPECT_EQ(e.address, MIND_CHIP_BASE + MIND_REG_ID);
        EXPECT_TRUE(contains(e.what(), "write of 4 bytes")) << e.what();
    }
    EXPECT_THROW(t.board_read_block(0xFFFFFF00u, nullptr, 0x200), BusError);  // beyond the bus, caught on the host
    EXPECT_EQ(board.read_reg(MIND_REG_ID), MIND_ID_VALUE);  // errors leave the link up
}

TEST(LinkServer, TheMailboxReachesTheFirmware) {
    BoardProcess b(idle_board_args());
    SocketTransport t(b.spec());
    t.board_write32(MIND_HOSTIF_CMD_ADDR, 0x42);
    t.board_write32(MIND_HOSTIF_ARG_ADDR(0), 41);
    const double t0 = t.now_seconds();
    t.board_write32(MIND_HOSTIF_DOORBELL_ADDR, 1);
    t.wait_ready(0.01);
    EXPECT_GT(t.now_seconds(), t0);
    EXPECT_EQ(t.board_read32(MIND_HOSTIF_RESP_ADDR), 0x42u);
    EXPECT_EQ(t.board_read32(MIND_HOSTIF_RESULT_ADDR(0)), 42u);
    EXPECT_EQ(t.board_read32(MIND_HOSTIF_READY_ADDR), 1u);
    t.board_write32(MIND_HOSTIF_READY_ADDR, 0);
    // No doorbell: the firmware sleeps and nothing can wake it.
    try {
        t.wait_ready(0.001);
        FAIL();
    } catch (const BoardError& e) {
        EXPECT_TRUE(contains(e.what(), "firmware")) << e.what();
    }
    // Again, with the time limit reached first (a chip run keeps the simulation busy).
    BareDriver board(t);
    std::mt19937 rng(3);
    board.load_weights(random_weights(300, 8, rng));
    board.write_reg(MIND_REG_N_ACTIVE, 300);
    board.write_reg(MIND_REG_MAX_SWEEPS, 100);
    board.write_reg(MIND_REG_CTRL, MIND_CTRL_START);
    try {
        t.wait_ready(1e-6);
        FAIL();
    } catch (const BoardError& e) {
        EXPECT_TRUE(contains(e.what(), "within 1e-06 s of simulated time")) << e.what();
    }
    t.wait_idle();
    EXPECT_EQ(t.board_read32(MIND_HOSTIF_READY_ADDR), 0u);
}

TEST(LinkServer, ServingEndsWithTheFirmware) {
    BoardProcess b({"--listen", "@SOCK", "--firmware", firmware("hello")});
    SocketTransport t(b.spec());
    // hello runs while the board serves a wait, prints, and exits 0.
    EXPECT_THROW(t.wait_ready(1.0), BoardError);
    EXPECT_EQ(b.wait_exit(20), 0) << b.err();
    EXPECT_TRUE(contains(b.out(), "Hello from the MIND 1024 board")) << b.out();
    EXPECT_TRUE(contains(b.err(), "link closed: the firmware stopped")) << b.err();
    EXPECT_THROW(t.board_read32(MIND_CHIP_BASE), BoardError);
}

TEST(LinkServer, ListensOnTcpPortZeroAndSaysWhichPort) {
    BoardProcess b({"--listen", "tcp:127.0.0.1:0", "--firmware", firmware("idle")});
    std::smatch m;
    const std::string err = b.err();
    ASSERT_TRUE(std::regex_search(err, m, std::regex("serving the host link on (tcp:127\\.0\\.0\\.1:[0-9]+)"))) << err;
    ASSERT_NE(m[1].str(), "tcp:127.0.0.1:0");
    SocketTransport t(m[1].str());
    EXPECT_EQ(BareDriver(t).read_reg(MIND_REG_ID), MIND_ID_VALUE);
}

TEST(LinkServer, RefusesListenPathsThatExistOrCannotBeMade) {
    char tmpl[] = "/tmp/mind_link_paths_XXXXXX";
    const std::string dir = ::mkdtemp(tmpl);
    const std::string file = dir + "/plain";
    std::ofstream(file) << "not a socket";
    {
        BoardProcess b({"--listen", "unix:" + file, "--firmware", firmware("idle")}, false);
        EXPECT_EQ(b.wait_exit(20), 2);
        EXPECT_TRUE(contains(b.err(), "exists and is not a socket")) << b.err();
    }
    EXPECT_EQ(slurp(file), "not a socket");
    {
        BoardProcess b({"--listen", "unix:" + dir + "/no/such/dir/b.sock", "--firmware", firmware("idle")}, false);
        EXPECT_EQ(b.wait_exit(20), 2);
        EXPECT_TRUE(contains(b.err(), "cannot create the socket")) << b.err();
    }
    {
        BoardProcess b({"--listen", "pipe:/tmp/x", "--firmware", firmware("idle")}, false);
        EXPECT_EQ(b.wait_exit(20), 2);
        EXPECT_TRUE(contains(b.err(), "unix:PATH or tcp:HOST:PORT")) << b.err();
    }
    {
        BoardProcess running(idle_board_args());
        BoardProcess b({"--listen", running.spec(), "--firmware", firmware("idle")}, false);
        EXPECT_EQ(b.wait_exit(20), 2);
        EXPECT_TRUE(contains(b.err(), "another process is listening")) << b.err();
        expect_serving(running);
    }
    {
        BoardProcess b({"--max-time", "1ms"}, false);  // neither --firmware nor --listen
        EXPECT_EQ(b.wait_exit(20), 2);
        EXPECT_TRUE(contains(b.err(), "--firmware is required")) << b.err();
    }
    std::system(("rm -rf '" + dir + "'").c_str());
}

TEST(LinkServer, StopsOnSigtermAndOnItsListenTimeout) {
    {
        BoardProcess b(idle_board_args());
        expect_serving(b);
        ASSERT_EQ(::kill(b.pid(), SIGTERM), 0);
        EXPECT_EQ(b.wait_exit(10), 0) << b.err();
        EXPECT_TRUE(contains(b.err(), "link closed: stopped")) << b.err();
        struct stat st {};
        EXPECT_NE(::lstat(b.sock().c_str(), &st), 0) << "the socket file was left behind";
    }
    {
        auto args = idle_board_args();
        args.push_back("--listen-timeout");
        args.push_back("0.3");
        BoardProcess b(args);
        EXPECT_EQ(b.wait_exit(10), 0) << b.err();
        EXPECT_TRUE(contains(b.err(), "no client for 0.3 s")) << b.err();
    }
}
