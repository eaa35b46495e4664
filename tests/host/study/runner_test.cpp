// run_in_children: results come back by job index, whatever order the
// children end in; a throwing, dying or silent child is reported, not lost.
#include "host/study/runner.h"

#include <csignal>
#include <cstdio>
#include <string>
#include <cstdlib>
#include <set>
#include <stdexcept>

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

using mind1024::host::run_in_children;

TEST(ChildJobs, ResultsArriveByIndexWithFailuresNamed) {
    std::set<size_t> seen;
    const auto r = run_in_children(
        7, 3,
        [](size_t k) -> nlohmann::json {
            if (k == 1) throw std::runtime_error("job one failed");
            if (k == 2) throw 42;
            if (k == 3) ::raise(SIGKILL);
            if (k == 4) ::_exit(3);
            if (k == 5) return nlohmann::json{{"big", std::string(300000, 'x')}};  // more than a pipe holds
            ::usleep(static_cast<useconds_t>(1000 * (7 - k)));
            return nlohmann::json{{"k", k}};
        },
        [&](size_t k, const nlohmann::json&) { seen.insert(k); });
    ASSERT_EQ(r.size(), 7u);
    EXPECT_EQ(seen.size(), 7u);
    EXPECT_EQ(r[0].at("k"), 0);
    EXPECT_EQ(r[6].at("k"), 6);
    EXPECT_EQ(r[1].at("error"), "job one failed");
    EXPECT_NE(r[2].at("error").get<std::string>().find("non-standard"), std::string::npos);
    EXPECT_NE(r[3].at("error").get<std::string>().find("signal 9"), std::string::npos) << r[3].dump();
    EXPECT_NE(r[4].at("error").get<std::string>().find("code 3"), std::string::npos) << r[4].dump();
    EXPECT_EQ(r[5].at("big").get<std::string>().size(), 300000u);
}

TEST(ChildJobs, ACallbackThatThrowsLeavesNoChildBehind) {
    EXPECT_THROW(run_in_children(
                     4, 2, [](size_t k) { ::usleep(static_cast<useconds_t>(20000 * k)); return nlohmann::json(k); },
                     [](size_t, const nlohmann::json&) { throw std::runtime_error("stop"); }),
                 std::runtime_error);
    // Every child was reaped: none is left for a blanket wait.
    EXPECT_EQ(::waitpid(-1, nullptr, WNOHANG), -1);
}

// Issue 21: a child outlived its parent (a killed study computed on for nobody).
// The parent here is killed with SIGKILL while its child job sleeps; the child ends too.
TEST(ChildJobs, AChildEndsWithItsParent) {
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    const pid_t parent = ::fork();
    if (parent == 0) {
        ::close(fds[0]);
        run_in_children(1, 1, [&](size_t) -> nlohmann::json {
            const pid_t me = ::getpid();
            (void)!::write(fds[1], &me, sizeof me);
            ::sleep(30);
            return nullptr;
        });
        std::_Exit(0);
    }
    ::close(fds[1]);
    pid_t child = 0;
    ASSERT_EQ(::read(fds[0], &child, sizeof child), static_cast<ssize_t>(sizeof child));
    ::kill(parent, SIGKILL);
    ::waitpid(parent, nullptr, 0);
    // Gone: no process, or a zombie (an orphan waits for init to reap it).
    auto ended = [child] {
        FILE* f = std::fopen(("/proc/" + std::to_string(child) + "/stat").c_str(), "r");
        if (!f) return true;
        char state = 0;
        const int got = std::fscanf(f, "%*d (%*[^)]) %c", &state);
        std::fclose(f);
        return got == 1 && (state == 'Z' || state == 'X');
    };
    bool gone = false;
    for (int i = 0; i < 200 && !gone; ++i) {  // up to 2 s
        gone = ended();
        if (!gone) ::usleep(10000);
    }
    EXPECT_TRUE(gone) << "the child job outlived its killed parent";
    if (!gone) ::kill(child, SIGKILL);
}
