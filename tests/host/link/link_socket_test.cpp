// The host link's sockets: specs, whole frames over socketpairs and real unix
// and TCP sockets, peers that vanish mid-frame, time limits, socket paths that
// exist or cannot be made; and SocketTransport against fake boards that
// refuse, speak another version or never answer (the real board is
// tests/sysc/board/link_server_test.cpp).
#include "link/link_socket.h"
#include "host/link/socket_transport.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>

#include "host/board/errors.h"

using namespace mind1024;
using namespace mind1024::link;
using Clock = std::chrono::steady_clock;

namespace {

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// A fresh directory under /tmp, removed with what is in it.
struct TempDir {
    std::string path;
    TempDir() {
        char tmpl[] = "/tmp/mind_link_XXXXXX";
        path = ::mkdtemp(tmpl);
    }
    ~TempDir() { std::system(("rm -rf '" + path + "'").c_str()); }
    std::string operator/(const std::string& name) const { return path + "/" + name; }
};

bool exists(const std::string& p) {
    struct stat st {};
    return ::lstat(p.c_str(), &st) == 0;
}

}  // namespace

// ---------------------------------------------------------------- specs

TEST(LinkSpec, ParsesUnixAndTcp) {
    Endpoint u = parse_endpoint("unix:/tmp/b.sock");
    EXPECT_EQ(u.kind, Endpoint::Kind::Unix);
    EXPECT_EQ(u.path, "/tmp/b.sock");
    EXPECT_EQ(u.describe(), "unix:/tmp/b.sock");
    Endpoint t = parse_endpoint("tcp:127.0.0.1:5555");
    EXPECT_EQ(t.kind, Endpoint::Kind::Tcp);
    EXPECT_EQ(t.host, "127.0.0.1");
    EXPECT_EQ(t.port, 5555);
    EXPECT_EQ(parse_endpoint("tcp:localhost:0").port, 0);
    Endpoint v6 = parse_endpoint("tcp:[::1]:80");
    EXPECT_EQ(v6.host, "::1");
    EXPECT_EQ(v6.describe(), "tcp:[::1]:80");
}

TEST(LinkSpec, RefusesBadSpecsNamingThem) {
    for (const char* bad : {"", "unix:", "/tmp/b.sock", "tcp:", "tcp:127.0.0.1", "tcp::80", "tcp:host:port",
                            "tcp:host:65536", "tcp:host:-1", "tcp:host:123456", "udp:1.2.3.4:5"}) {
        try {
            parse_endpoint(bad);
            ADD_FAILURE() << "accepted '" << bad << "'";
        } catch (const LinkError& e) {
            EXPECT_TRUE(contains(e.what(), std::string("'") + bad + "'")) << e.what();
            EXPECT_TRUE(contains(e.what(), "unix:PATH or tcp:HOST:PORT")) << e.what();
        }
    }
}

// ---------------------------------------------------------------- socketpair

TEST(LinkSocket, FramesCrossASocketpair) {
    auto [a, b] = Connection::pair();
    a.send_frame({1, Hello{kProtocolVersion, "pair"}}, 1.0);
    a.send_frame({2, Write32{0x40000000, 7}}, 1.0);
    Received r1 = b.recv_frame(1.0, 1);
    ASSERT_TRUE(r1.ok()) << r1.message;
    EXPECT_EQ(std::get<Hello>(r1.frame.msg).client, "pair");
    Received r2 = b.recv_frame(1.0, 2);
    ASSERT_TRUE(r2.ok()) << r2.message;
    EXPECT_EQ(std::get<Write32>(r2.frame.msg).value, 7u);
}

TEST(LinkSocket, ABlockOfTheLargestSizeCrosses) {
    auto [a, b] = Connection::pair();
    std::vector<uint8_t> data(kMaxBlockBytes);
    for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i ^ (i >> 8));
    std::thread sender([&, &a = a] { a.send_frame({1, WriteBlock{0x20000000, data}}, 10.0); });
    Received r = b.recv_frame(10.0, 1);
    sender.join();
    ASSERT_TRUE(r.ok()) << r.message;
    EXPECT_EQ(std::get<WriteBlock>(r.frame.msg).data, data);
}

TEST(LinkSocket, OutOfOrderSequenceIsMalformed) {
    auto [a, b] = Connection::pair();
    a.send_frame({5, TimeRequest{}}, 1.0);
    Received r = b.recv_frame(1.0, 4);
    EXPECT_EQ(r.status, RecvStatus::Malformed);
    EXPECT_EQ(r.error, DecodeError::OutOfOrder);
    ASSERT_TRUE(r.header);
    EXPECT_EQ(r.header->seq, 5u);
}

TEST(LinkSocket, PeerClosingBetweenFramesIsClosed) {
    auto [a, b] = Connection::pair();
    a.send_frame({1, Bye{}}, 1.0);
    a.close();
    EXPECT_TRUE(b.recv_frame(1.0).ok());
    Received r = b.recv_frame(1.0);
    EXPECT_EQ(r.status, RecvStatus::Closed);
}

TEST(LinkSocket, PeerClosingMidHeaderIsDisconnected) {
    auto [a, b] = Connection::pair();
    const std::vector<uint8_t> f = encode_frame({1, Read32{0}});
    a.send_bytes(f.data(), 7, 1.0);
    a.close();
    Received r = b.recv_frame(1.0);
    EXPECT_EQ(r.status, RecvStatus::Disconnected);
    EXPECT_TRUE(contains(r.message, "7 of the 16 header bytes")) << r.message;
}

TEST(LinkSocket, PeerClosingMidPayloadIsDisconnected) {
    auto [a, b] = Connection::pair();
    const std::vector<uint8_t> f = encode_frame({1, WriteBlock{0, std::vector<uint8_t>(100, 1)}});
    a.send_bytes(f.data(), kHeaderBytes + 30, 1.0);
    a.close();
    Received r = b.recv_frame(1.0);
    EXPECT_EQ(r.status, RecvStatus::Disconnected);
    EXPECT_TRUE(contains(r.message, "30 of the 108 payload bytes of a WRITE_BLOCK")) << r.message;
}

TEST(LinkSocket, SilenceIsATimeoutWithinTheLimit) {
    auto [a, b] = Connection::pair();
    auto t0 = Clock::now();
    Received r = b.recv_frame(0.2);
    EXPECT_EQ(r.status, RecvStatus::Timeout);
    EXPECT_GE(seconds_since(t0), 0.19);
    EXPECT_LT(seconds_since(t0), 2.0);
    // Half a frame, then nothing.
    const std::vector<uint8_t> f = encode_frame({1, Write32{0, 0}});
    a.send_bytes(f.data(), kHeaderBytes + 3, 1.0);
    t0 = Clock::now();
    r = b.recv_frame(0.2);
    EXPECT_EQ(r.status, RecvStatus::Timeout);
    EXPECT_TRUE(contains(r.message, "3 of the 8 payload bytes")) << r.message;
    EXPECT_LT(seconds_since(t0), 2.0);
    EXPECT_FALSE(b.wait_readable(0.05));
}

TEST(LinkSocket, GarbageAndHostileLengthsAreMalformedWithoutReadingOn) {
    auto [a, b] = Connection::pair();
    const std::string http = "GET / HTTP/1.0\r\n\r\n";
    a.send_bytes(reinterpret_cast<const uint8_t*>(http.data()), http.size(), 1.0);
    Received r = b.recv_frame(1.0);
    EXPECT_EQ(r.status, RecvStatus::Malformed);
    EXPECT_EQ(r.error, DecodeError::BadMagic);

    auto [c, d] = Connection::pair();
    Header h;
    h.type = static_cast<uint16_t>(MsgType::WriteBlock);
    h.length = 0xFFFFFFF0u;  // 4 GiB: refused from the header, nothing allocated
    uint8_t hb[kHeaderBytes];
    encode_header(h, hb);
    c.send_bytes(hb, sizeof hb, 1.0);
    r = d.recv_frame(1.0);
    EXPECT_EQ(r.status, RecvStatus::Malformed);
    EXPECT_EQ(r.error, DecodeError::Oversized);

    // A payload that lies about its fields is read whole (it is within the cap), then refused.
    auto [e, f] = Connection::pair();
    std::vector<uint8_t> frame = encode_frame({1, Read32{0}});
    frame[kHeaderBytes - 4] = 2;  // length 2: READ32 needs 4
    frame.resize(kHeaderBytes + 2);
    e.send_bytes(frame.data(), frame.size(), 1.0);
    r = f.recv_frame(1.0);
    EXPECT_EQ(r.status, RecvStatus::Malformed);
    EXPECT_EQ(r.error, DecodeError::TruncatedPayload);
}

TEST(LinkSocket, SendingToAClosedPeerIsAnErrorNotSigpipe) {
    auto [a, b] = Connection::pair();
    b.close();
    try {
        a.send_frame({1, TimeRequest{}}, 1.0);
        FAIL() << "sent to a closed peer";
    } catch (const LinkError& e) {
        EXPECT_TRUE(contains(e.what(), "closed")) << e.what();
    }
}

TEST(LinkSocket, SendingToAPeerThatDoesNotReadTimesOut) {
    auto [a, b] = Connection::pair();
    const auto t0 = Clock::now();
    try {
        for (int i = 0; i < 64; ++i) a.send_frame({1, WriteBlock{0, std::vector<uint8_t>(kMaxBlockBytes)}}, 0.2);
        FAIL() << "256 MiB into a socket nobody reads";
    } catch (const LinkError& e) {
        EXPECT_TRUE(contains(e.what(), "timed out")) << e.what();
    }
    EXPECT_LT(seconds_since(t0), 5.0);
}

// ---------------------------------------------------------------- real sockets

TEST(LinkSocket, UnixListenerServesAndRemovesItsSocket) {
    TempDir dir;
    const std::string path = dir / "b.sock";
    {
        Listener l("unix:" + path);
        EXPECT_EQ(l.address(), "unix:" + path);
        EXPECT_TRUE(exists(path));
        EXPECT_FALSE(l.accept(0.05));  // nobody yet
        Connection c = Connection::connect("unix:" + path, 1.0);
        std::optional<Connection> s = l.accept(1.0);
        ASSERT_TRUE(s);
        EXPECT_TRUE(contains(s->peer(), "pid")) << s->peer();
        c.send_frame({1, Read32{0x40000000}}, 1.0);
        Received r = s->recv_frame(1.0, 1);
        ASSERT_TRUE(r.ok()) << r.message;
        s->send_frame({1, Response{MsgType::Read32, Status::Ok, 5, {1, 2, 3, 4}, ""}}, 1.0);
        Received a = c.recv_frame(1.0, 1);
        ASSERT_TRUE(a.ok()) << a.message;
        EXPECT_EQ(std::get<Response>(a.frame.msg).data.size(), 4u);
        // The client killed mid-frame: the server side sees a clean error.
        const std::vector<uint8_t> f = encode_frame({2, Write32{1, 2}});
        c.send_bytes(f.data(), 10, 1.0);
        c.close();
        EXPECT_EQ(s->recv_frame(1.0).status, RecvStatus::Disconnected);
    }
    EXPECT_FALSE(exists(path)) << "the listener left its socket file";
}

TEST(LinkSocket, UnixListenerRefusesAnExistingPathThatIsNotASocket) {
    TempDir dir;
    const std::string file = dir / "plain";
    std::ofstream(file) << "data";
    try {
        Listener l("unix:" + file);
        FAIL() << "replaced a regular file";
    } catch (const LinkError& e) {
        EXPECT_TRUE(contains(e.what(), "exists and is not a socket")) << e.what();
        EXPECT_TRUE(contains(e.what(), "regular file")) << e.what();
        EXPECT_TRUE(contains(e.what(), file)) << e.what();
    }
    EXPECT_TRUE(exists(file));
    try {
        Listener l("unix:" + dir.path);
        FAIL() << "replaced a directory";
    } catch (const LinkError& e) {
        EXPECT_TRUE(contains(e.what(), "directory")) << e.what();
    }
}

TEST(LinkSocket, UnixListenerRefusesASocketInUseAndReplacesAStaleOne) {
    TempDir dir;
    const std::string path = dir / "b.sock";
    {
        Listener first("unix:" + path);
        try {
            Listener second("unix:" + path);
            FAIL() << "two listeners on one path";
        } catch (const LinkError& e) {
            EXPECT_TRUE(contains(e.what(), "another process is listening")) << e.what();
        }
        EXPECT_TRUE(exists(path));  // the first one's socket is untouched
        Connection c = Connection::connect("unix:" + path, 1.0);  // and still works
        EXPECT_TRUE(first.accept(1.0));
    }
    // A stale socket: bound, then its process went away without removing it.
    const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::strcpy(a.sun_path, path.c_str());
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    ::close(fd);
    ASSERT_TRUE(exists(path));
    Listener l("unix:" + path);
    EXPECT_EQ(l.note(), "replaced a stale socket");
    Connection c = Connection::connect("unix:" + path, 1.0);
    EXPECT_TRUE(l.accept(1.0));
}

TEST(LinkSocket, UnixListenerRefusesPathsThatCannotBeCreated) {
    try {
        Listener l("unix:/nonexistent-dir-mind1024/b.sock");
        FAIL();
    } catch (const LinkError& e) {
        EXPECT_TRUE(contains(e.what(), "cannot create the socket")) << e.what();
        EXPECT_TRUE(contains(e.what(), "does its directory exist")) << e.what();
    }
    try {
        Listener l("unix:/tmp/" + std::string(200, 'x'));
        FAIL();
    } catch (const LinkError& e) {
        EXPECT_TRUE(contains(e.what(), "at most 107")) << e.what();
    }
    if (::geteuid() != 0) {  // root may write anywhere
        try {
            Listener l("unix:/proc/b.sock");
            FAIL();
        } catch (const LinkError& e) {
            EXPECT_TRUE(contains(e.what(), "cannot create the socket")) << e.what();
        }
    }
}

TEST(LinkSocket, ConnectingToNothingIsAClearError) {
    TempDir dir;
    try {
        Connection::connect("unix:" + (dir / "none.sock"), 1.0);
        FAIL();
    } catch (const LinkError& e) {
        EXPECT_TRUE(contains(e.what(), "no board is listening")) << e.what();
    }
    uint16_t port;
    {
        Listener l("tcp:127.0.0.1:0");
        port = l.port();
    }
    try {
        Connection::connect("tcp:127.0.0.1:" + std::to_string(port), 1.0);
        FAIL();
    } catch (const LinkError& e) {
        EXPECT_TRUE(contains(e.what(), "no board is listening")) << e.what();
    }
}

TEST(LinkSocket, TcpListenerOnPortZeroReportsItsPort) {
    Listener l("tcp:127.0.0.1:0");
    ASSERT_NE(l.port(), 0);
    EXPECT_EQ(l.address(), "tcp:127.0.0.1:" + std::to_string(l.port()));
    try {
        Listener again("tcp:127.0.0.1:" + std::to_string(l.port()));
        FAIL() << "two listeners on one port";
    } catch (const LinkError& e) {
        EXPECT_TRUE(contains(e.what(), "cannot bind")) << e.what();
    }
    Connection c = Connection::connect(l.address(), 1.0);
    std::optional<Connection> s = l.accept(1.0);
    ASSERT_TRUE(s);
    EXPECT_TRUE(contains(s->peer(), "tcp:127.0.0.1:")) << s->peer();
    c.send_frame({1, WaitIdle{12345}}, 1.0);
    Received r = s->recv_frame(1.0, 1);
    ASSERT_TRUE(r.ok()) << r.message;
    EXPECT_EQ(std::get<WaitIdle>(r.frame.msg).limit_ps, 12345u);
    c.close();
    EXPECT_EQ(s->recv_frame(1.0).status, RecvStatus::Closed);
}

// ---------------------------------------------------------------- SocketTransport vs fake boards

namespace {

// A fake board on a unix socket: accepts one client and runs `script` on it.
struct FakeBoard {
    TempDir dir;
    std::string spec = "unix:" + (dir / "fake.sock");
    Listener listener{spec};
    std::thread th;
    template <class F>
    explicit FakeBoard(F script) {
        th = std::thread([this, script] {
            std::optional<Connection> c = listener.accept(5.0);
            if (c) script(*c);
        });
    }
    ~FakeBoard() { th.join(); }
};

HelloOk good_hello() {
    HelloOk h;
    h.chip.n_max = 96;
    h.chip.wbits = 6;
    h.chip.abits = 12;
    h.chip.lanes = 8;
    h.chip.latency = 3;
    h.chip.clock_hz = 10e6;
    h.cpu_clock_hz = 50e6;
    h.max_block = 64;
    h.time_ps = 1000;
    h.firmware = "fake.elf";
    h.board = "fake";
    return h;
}

}  // namespace

TEST(SocketTransport, TakesTheChipParametersFromHello) {
    FakeBoard fake([](Connection& c) {
        Received r = c.recv_frame(2.0, 1);
        ASSERT_TRUE(r.ok());
        EXPECT_EQ(std::get<Hello>(r.frame.msg).client, "unit test");
        c.send_frame({1, good_hello()}, 1.0);
        // A chunked block: 150 bytes in 64-byte requests, each answered at its address.
        uint32_t seq = 2;
        for (uint32_t off = 0; off < 150; off += 64) {
            Received q = c.recv_frame(2.0, seq);
            ASSERT_TRUE(q.ok()) << q.message;
            const auto& rb = std::get<ReadBlock>(q.frame.msg);
            EXPECT_EQ(rb.addr, 0x20000000u + off);
            EXPECT_EQ(rb.length, std::min(64u, 150 - off));
            Response resp{MsgType::ReadBlock, Status::Ok, 2000 + off, std::vector<uint8_t>(rb.length, uint8_t(off)), ""};
            c.send_frame({seq++, resp}, 1.0);
        }
        // A bus error.
        Received q = c.recv_frame(2.0, seq);
        ASSERT_TRUE(q.ok());
        c.send_frame({seq++, Response{MsgType::Read32, Status::AddressError, 3000, {}, ""}}, 1.0);
        Received bye = c.recv_frame(2.0, seq);
        ASSERT_TRUE(bye.ok());
        EXPECT_EQ(type_of(bye.frame.msg), MsgType::Bye);
        c.send_frame({seq, Response{MsgType::Bye, Status::Ok, 3000, {}, ""}}, 1.0);
    });
    host::SocketTransportOptions o;
    o.client_name = "unit test";
    host::SocketTransport t(fake.spec, o);
    const ChipParams p = t.chip_params();
    EXPECT_EQ(p.n_max, 96u);
    EXPECT_EQ(p.latency, 3u);
    EXPECT_EQ(p.clock_hz, 10e6);
    EXPECT_EQ(t.hello().firmware, "fake.elf");
    EXPECT_DOUBLE_EQ(t.now_seconds(), 1e-9);
    std::vector<uint8_t> buf(150);
    t.board_read_block(0x20000000, buf.data(), 150);
    EXPECT_EQ(buf[0], 0);
    EXPECT_EQ(buf[64], 64);
    EXPECT_EQ(buf[149], 128);
    try {
        t.board_read32(0x60000000);
        FAIL();
    } catch (const host::BusError& e) {
        EXPECT_EQ(e.address, 0x60000000u);
        EXPECT_TRUE(contains(e.what(), "TLM_ADDRESS_ERROR_RESPONSE")) << e.what();
        EXPECT_TRUE(contains(e.what(), "0x60000000")) << e.what();
    }
    EXPECT_DOUBLE_EQ(t.now_seconds(), 3e-9);
    t.close();
    EXPECT_THROW(t.board_read32(0), host::BoardError);
}

TEST(SocketTransport, ARefusalNamesTheBoardAndTheReason) {
    FakeBoard fake([](Connection& c) {
        c.send_frame({0, Refused{kProtocolVersion, "another client is connected (client 1)"}}, 1.0);
        c.shutdown_write();
        c.recv_frame(1.0);
    });
    try {
        host::SocketTransport t(fake.spec);
        FAIL();
    } catch (const host::BoardError& e) {
        EXPECT_TRUE(contains(e.what(), "refused the connection: another client is connected")) << e.what();
        EXPECT_TRUE(contains(e.what(), fake.spec)) << e.what();
    }
}

TEST(SocketTransport, AWrongVersionOrMagicIsNamed) {
    {
        FakeBoard fake([](Connection& c) {
            c.recv_frame(2.0);
            Header h;
            h.version = 7;
            h.type = static_cast<uint16_t>(MsgType::HelloOk);
            uint8_t b[kHeaderBytes];
            encode_header(h, b);
            c.send_bytes(b, sizeof b, 1.0);
        });
        try {
            host::SocketTransport t(fake.spec);
            FAIL();
        } catch (const host::BoardError& e) {
            EXPECT_TRUE(contains(e.what(), "protocol version 7")) << e.what();
        }
    }
    {
        FakeBoard fake([](Connection& c) {
            c.recv_frame(2.0);
            const std::string s = "SSH-2.0-OpenSSH_9.2\r\n";
            c.send_bytes(reinterpret_cast<const uint8_t*>(s.data()), s.size(), 1.0);
        });
        try {
            host::SocketTransport t(fake.spec);
            FAIL();
        } catch (const host::BoardError& e) {
            EXPECT_TRUE(contains(e.what(), "is not a MIND 1024 board")) << e.what();
        }
    }
    {
        FakeBoard fake([](Connection& c) {
            c.recv_frame(2.0);
            HelloOk h = good_hello();
            h.chip.wbits = 99;
            c.send_frame({1, h}, 1.0);
        });
        try {
            host::SocketTransport t(fake.spec);
            FAIL();
        } catch (const host::BoardError& e) {
            EXPECT_TRUE(contains(e.what(), "chip parameters")) << e.what();
        }
    }
}

TEST(SocketTransport, ABoardThatNeverAnswersIsAnErrorNotAHang) {
    host::SocketTransportOptions o;
    o.timeout_s = 0.3;
    {
        FakeBoard fake([](Connection& c) {
            c.wait_readable(3.0);
            std::this_thread::sleep_for(std::chrono::milliseconds(600));
        });
        const auto t0 = Clock::now();
        try {
            host::SocketTransport t(fake.spec, o);
            FAIL();
        } catch (const host::BoardError& e) {
            EXPECT_TRUE(contains(e.what(), "did not answer the HELLO within 0.3 s")) << e.what();
        }
        EXPECT_LT(seconds_since(t0), 2.0);
    }
    {
        FakeBoard fake([](Connection& c) {
            c.recv_frame(2.0);
            c.send_frame({1, good_hello()}, 1.0);
            c.recv_frame(2.0);  // the READ32, never answered
            std::this_thread::sleep_for(std::chrono::milliseconds(600));
        });
        host::SocketTransport t(fake.spec, o);
        const auto t0 = Clock::now();
        try {
            t.board_read32(0x40000000);
            FAIL();
        } catch (const host::BoardError& e) {
            EXPECT_TRUE(contains(e.what(), "no answer to READ32 within 0.3 s")) << e.what();
        }
        EXPECT_LT(seconds_since(t0), 2.0);
        // The link is down after that: a late answer can never be taken for the next one.
        try {
            t.board_read32(0x40000000);
            FAIL();
        } catch (const host::BoardError& e) {
            EXPECT_TRUE(contains(e.what(), "is down")) << e.what();
        }
    }
}

TEST(SocketTransport, ABoardThatVanishesMidAnswerIsAnError) {
    FakeBoard fake([](Connection& c) {
        c.recv_frame(2.0);
        c.send_frame({1, good_hello()}, 1.0);
        c.recv_frame(2.0);
        const std::vector<uint8_t> f = encode_frame({2, Response{MsgType::Read32, Status::Ok, 0, {1, 2, 3, 4}, ""}});
        c.send_bytes(f.data(), 20, 1.0);
        c.close();
    });
    host::SocketTransport t(fake.spec);
    try {
        t.board_read32(0x40000000);
        FAIL();
    } catch (const host::BoardError& e) {
        EXPECT_TRUE(contains(e.what(), "closed")) << e.what();
    }
}

TEST(SocketTransport, NoBoardAtTheAddressIsAnError) {
    TempDir dir;
    try {
        host::SocketTransport t("unix:" + (dir / "nothing.sock"));
        FAIL();
    } catch (const host::BoardError& e) {
        EXPECT_TRUE(contains(e.what(), "cannot reach the board")) << e.what();
        EXPECT_TRUE(contains(e.what(), "no board is listening")) << e.what();
    }
    EXPECT_THROW(host::SocketTransport("bogus:spec"), host::BoardError);
}
