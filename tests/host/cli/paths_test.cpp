// The same answers four ways (contract section 4): bare mode in process, bare
// mode over the socket link, and firmware mode in process and over the link
// give identical predictions, sweeps and cycles on a slice of MNIST, and
// identical state, fields and counters on `mind1024 run` networks (and the
// reference model agrees). Each case starts its own `mind-board --listen`.
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcntl.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "tests/host/cli/cli_run.h"

#include "host/data/npy.h"

namespace fs = std::filesystem;
extern char** environ;

namespace {



// A board process serving a unix socket, killed at the end.
class BoardProcess {
public:
    explicit BoardProcess(const fs::path& dir, const std::vector<std::string>& extra = {}) : sock_(dir / "b.sock") {
        const std::string listen = "unix:" + sock_.string(), log = (dir / "board.log").string();
        std::vector<std::string> args = {MIND_BOARD_EXE, "--listen", listen};
        args.insert(args.end(), extra.begin(), extra.end());
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, 2, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
        if (posix_spawn(&pid_, MIND_BOARD_EXE, &fa, nullptr, argv.data(), environ) != 0) pid_ = -1;
        posix_spawn_file_actions_destroy(&fa);
        for (int k = 0; k < 1000 && pid_ > 0 && !fs::exists(sock_); ++k)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ~BoardProcess() {
        if (pid_ <= 0) return;
        ::kill(pid_, SIGTERM);
        int st = 0;
        for (int k = 0; k < 500 && ::waitpid(pid_, &st, WNOHANG) == 0; ++k)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &st, 0);
    }
    bool up() const { return pid_ > 0 && fs::exists(sock_); }
    std::string spec() const { return "unix:" + sock_.string(); }

private:
    fs::path sock_;
    pid_t pid_ = -1;
};

struct Path {
    const char* name;
    std::string flags;
};

std::vector<Path> four_paths(const BoardProcess& b) {
    return {{"inproc_bare", "--board inproc --mode bare"},
            {"inproc_firmware", "--board inproc --mode firmware"},
            {"socket_bare", "--board " + b.spec() + " --mode bare"},
            {"socket_firmware", "--board " + b.spec() + " --mode firmware"}};
}

}  // namespace

TEST(SameAnswers, MnistSliceGivesIdenticalPredictionsSweepsAndCyclesOnEveryPath) {
    const std::string data = mnist_dir();
    if (data.empty()) GTEST_SKIP() << "no MNIST (scripts/setup.sh data fetches it)";
    const fs::path d = fresh_cli_dir("mnist");
    BoardProcess board(d);
    ASSERT_TRUE(board.up()) << slurp(d / "board.log");
    std::string first;
    for (const Path& p : four_paths(board)) {
        const Result r = cli("mnist --data " + data + " --limit 300 --train-limit 6000 --no-float --no-progress " +
                             "--examples 3 --out " + (d / p.name).string() + " " + p.flags);
        ASSERT_EQ(r.code, 0) << p.name << ": " << r.out << slurp(d / "board.log");
        const std::string pred = slurp(d / p.name / "predictions.csv");
        ASSERT_GT(pred.size(), 300u * 10) << p.name;
        if (first.empty()) first = pred;
        else EXPECT_EQ(pred, first) << p.name << " differs from inproc_bare";
    }
}

TEST(SameAnswers, RunNetworksGiveIdenticalStateFieldsAndCountersOnEveryPath) {
    const fs::path d = fresh_cli_dir("run");
    BoardProcess board(d);
    ASSERT_TRUE(board.up()) << slurp(d / "board.log");
    const size_t n = 200;  // below N_MAX: neurons past N_ACTIVE keep their state
    std::mt19937 rng(17);
    std::uniform_int_distribution<int> wd(-127, 127), td(-300, 300);
    std::vector<int16_t> w(n * n);
    for (size_t i = 0; i < n; ++i)
        for (size_t j = i + 1; j < n; ++j) w[i * n + j] = w[j * n + i] = static_cast<int16_t>(wd(rng));
    std::vector<int8_t> s(n), c(n);
    std::vector<int32_t> t(n);
    for (size_t i = 0; i < n; ++i) s[i] = rng() % 2 ? 1 : -1, c[i] = i % 17 == 0, t[i] = td(rng);
    using mind1024::host::write_npy;
    write_npy<int16_t>((d / "W.npy").string(), {n, n}, w);
    write_npy<int8_t>((d / "S.npy").string(), {n}, s);
    write_npy<int8_t>((d / "C.npy").string(), {n}, c);
    write_npy<int32_t>((d / "T.npy").string(), {n}, t);
    const std::string net = "--weights " + (d / "W.npy").string() + " --thresholds " + (d / "T.npy").string() +
                            " --state " + (d / "S.npy").string() + " --clamp " + (d / "C.npy").string();
    for (const std::string run : {"--order sync --max-sweeps 30", "--order async --max-sweeps 30 --wrap",
                                  "--order perm --max-sweeps 12 --noise 900 --seed 7"}) {
        SCOPED_TRACE(run);
        std::vector<Path> paths = four_paths(board);
        paths.push_back({"reference", "--model reference"});
        for (const Path& p : paths) {
            const fs::path out = d / (std::string(p.name) + std::to_string(std::hash<std::string>{}(run) % 1000));
            const Result r = cli("run " + net + " " + run + " --out " + out.string() + " " + p.flags);
            ASSERT_EQ(r.code, 0) << p.name << ": " << r.out << slurp(d / "board.log");
            const fs::path ref = d / ("inproc_bare" + std::to_string(std::hash<std::string>{}(run) % 1000));
            for (const char* f : {"state.npy", "fields.npy", "counters.json"})
                EXPECT_EQ(comparable(out / f), comparable(ref / f)) << p.name << " " << f;
        }
    }
}

TEST(SameAnswers, BoardOptionsAreCheckedBeforeAnyWork) {
    const fs::path d = fresh_cli_dir("bad");
    struct Bad {
        std::string args, msg;
    };
    const std::string nowhere = "unix:" + (d / "no.sock").string();
    for (const Bad& b : {Bad{"mnist --limit 1 --board udp:1 --out " + (d / "m").string(), "--board"},
                         Bad{"mnist --limit 1 --mode turbo --out " + (d / "m").string(), "--mode"},
                         Bad{"mnist --limit 1 --board " + nowhere + " --out " + (d / "m").string(), "no.sock"},
                         Bad{"mnist --limit 1 --model reference --mode firmware --out " + (d / "m").string(),
                             "--model reference"},
                         Bad{"sweep --bits 8 --board " + nowhere + " --out " + (d / "s").string(), "one chip"}}) {
        const Result r = cli(b.args);
        EXPECT_NE(r.code, 0) << b.args << ": " << r.out;
        EXPECT_NE(r.out.find(b.msg), std::string::npos) << b.args << ": " << r.out;
    }
}

// A board process with its own chip (mind-board --wbits ...): a host must ask for the
// same chip, and is told what the board has when it does not.
TEST(SameAnswers, ABoardProcessStatesItsChipAndAMismatchIsNamed) {
    const fs::path d = fresh_cli_dir("chip");
    BoardProcess board(d, {"--wbits", "6", "--abits", "20", "--lanes", "8"});
    ASSERT_TRUE(board.up()) << slurp(d / "board.log");
    const size_t n = 32;
    std::vector<int16_t> w(n * n, 0);
    for (size_t i = 0; i < n; ++i)
        for (size_t j = 0; j < n; ++j) w[i * n + j] = i == j ? 0 : static_cast<int16_t>(((i * 7 + j * 3) % 61) - 30);
    for (size_t i = 0; i < n; ++i)
        for (size_t j = 0; j < i; ++j) w[i * n + j] = w[j * n + i];
    std::vector<int8_t> s(n);
    for (size_t i = 0; i < n; ++i) s[i] = i % 3 ? 1 : -1;
    mind1024::host::write_npy<int16_t>((d / "W.npy").string(), {n, n}, w);
    mind1024::host::write_npy<int8_t>((d / "S.npy").string(), {n}, s);
    const std::string net = "run --weights " + (d / "W.npy").string() + " --state " + (d / "S.npy").string() +
                            " --order async --max-sweeps 20 ";
    const Result wrong = cli(net + "--out " + (d / "o1").string() + " --board " + board.spec());
    EXPECT_NE(wrong.code, 0);
    EXPECT_NE(wrong.out.find("WBITS=6"), std::string::npos) << wrong.out;
    const std::string chip = " --wbits 6 --abits 20 --lanes 8";
    const Result remote = cli(net + "--out " + (d / "remote").string() + " --board " + board.spec() + chip);
    ASSERT_EQ(remote.code, 0) << remote.out;
    const Result local = cli(net + "--out " + (d / "local").string() + chip);
    ASSERT_EQ(local.code, 0) << local.out;
    for (const char* f : {"state.npy", "fields.npy", "counters.json"})
        EXPECT_EQ(comparable(d / "remote" / f), comparable(d / "local" / f)) << f;
}
