// OutputSet (host/report/output_file.h): a run's files appear together or not
// at all. Issue 21, defect 3: an interrupted publish left new and old files
// side by side and a .partial-PID-0/ directory forever, and two runs into one
// directory could mix their files.
#include "host/report/output_file.h"
#include "host/report/plot.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>

#include <gtest/gtest.h>

namespace fs = std::filesystem;
using namespace mind1024::host;
using Clock = std::chrono::steady_clock;

namespace {

fs::path fresh_dir(const std::string& name) {
    const fs::path d = fs::path(::testing::TempDir()) / ("output_set_" + name + "_" + std::to_string(::getpid()));
    fs::remove_all(d);
    fs::create_directories(d);
    return d;
}

std::string slurp(const fs::path& p) {
    std::ifstream f(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(f), {}};
}

void put(const fs::path& p, const std::string& text) { std::ofstream(p, std::ios::binary) << text; }

size_t hidden_entries(const fs::path& d) {
    size_t n = 0;
    for (const auto& e : fs::directory_iterator(d)) n += e.path().filename().string()[0] == '.';
    return n;
}

// One run: files a and b with `tag`, published.
void run(const fs::path& d, const std::string& tag) {
    OutputSet out(d.string());
    put(out.path("a.txt"), "a " + tag);
    put(out.path("b.txt"), "b " + tag);
    out.publish({{"run", tag}});
}

}  // namespace

TEST(OutputSet, ARunKilledBeforeItsCommitLeavesTheOldRunAndTheNextCleansUp) {
    const fs::path d = fresh_dir("killed");
    run(d, "old");
    // A run killed while staging (SIGKILL: no handler runs): its staging directory stays...
    const pid_t child = ::fork();
    if (child == 0) {
        OutputSet out(d.string());
        put(out.path("a.txt"), "a new");
        ::raise(SIGKILL);
    }
    int st = 0;
    ::waitpid(child, &st, 0);
    ASSERT_TRUE(WIFSIGNALED(st));
    EXPECT_EQ(hidden_entries(d), 1u);
    EXPECT_EQ(slurp(d / "a.txt"), "a old");  // ...and the old run is whole
    // ...until the next run, which removes it.
    OutputSet next(d.string());
    EXPECT_NE(next.recovered().find("left by a killed run"), std::string::npos) << next.recovered();
    EXPECT_EQ(hidden_entries(d), 1u);  // only its own staging directory
}

TEST(OutputSet, ARunKilledAfterItsCommitIsCompletedByTheNext) {
    const fs::path d = fresh_dir("rollforward");
    run(d, "old");
    put(d / "c.txt", "c old");  // the old run's, per its manifest below
    put(d / "manifest.json", R"({"files": [{"name": "a.txt"}, {"name": "b.txt"}, {"name": "c.txt"}]})");
    put(d / "mine.txt", "the user's");
    // A publish killed after the commit: .publishing holds the new manifest, b.txt
    // not yet moved; a.txt already moved.
    fs::create_directory(d / ".publishing");
    put(d / ".publishing" / "manifest.json", R"({"run": "new", "files": [{"name": "a.txt"}, {"name": "b.txt"}]})");
    put(d / "a.txt", "a new");
    put(d / ".publishing" / "b.txt", "b new");
    OutputSet next(d.string());
    EXPECT_NE(next.recovered().find("completed the publish"), std::string::npos) << next.recovered();
    EXPECT_EQ(slurp(d / "a.txt"), "a new");
    EXPECT_EQ(slurp(d / "b.txt"), "b new");
    EXPECT_FALSE(fs::exists(d / "c.txt")) << "the old run's file the new one does not name";
    EXPECT_EQ(slurp(d / "mine.txt"), "the user's");
    EXPECT_NE(slurp(d / "manifest.json").find("\"new\""), std::string::npos);
    EXPECT_FALSE(fs::exists(d / ".publishing"));
}

TEST(OutputSet, SigtermWhileStagingRemovesTheStagingDirectory) {
    const fs::path d = fresh_dir("sigterm");
    int ready[2];
    ASSERT_EQ(::pipe(ready), 0);
    const pid_t child = ::fork();
    if (child == 0) {
        OutputSet out(d.string());
        put(out.path("a.txt"), "a");
        put(out.path("b.txt") + ".tmp-XYZ", "a temporary file of a writer");
        (void)!::write(ready[1], "x", 1);
        ::pause();
        std::_Exit(0);
    }
    char c;
    ASSERT_EQ(::read(ready[0], &c, 1), 1);
    EXPECT_EQ(hidden_entries(d), 1u);
    ::kill(child, SIGTERM);
    int st = 0;
    ::waitpid(child, &st, 0);
    EXPECT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM);  // it still dies of the signal
    EXPECT_EQ(hidden_entries(d), 0u) << "the staging directory was left behind";
}

TEST(OutputSet, TwoRunsIntoOneDirectoryDoNotMix) {
    const fs::path d = fresh_dir("concurrent");
    int ready[2];
    ASSERT_EQ(::pipe(ready), 0);
    const pid_t child = ::fork();
    if (child == 0) {
        OutputSet out(d.string());  // holds the directory's lock
        put(out.path("a.txt"), "a first");
        (void)!::write(ready[1], "x", 1);
        std::this_thread::sleep_for(std::chrono::milliseconds(600));
        put(out.path("b.txt"), "b first");
        out.publish({{"run", "first"}});
        std::_Exit(0);
    }
    char c;
    ASSERT_EQ(::read(ready[0], &c, 1), 1);
    const auto t0 = Clock::now();
    {
        OutputSet out(d.string());  // waits for the first run
        EXPECT_GT(std::chrono::duration<double>(Clock::now() - t0).count(), 0.3);
        EXPECT_EQ(slurp(d / "b.txt"), "b first");  // the first run is whole before the second starts
        put(out.path("a.txt"), "a second");
        put(out.path("b.txt"), "b second");
        out.publish({{"run", "second"}});
    }
    int st = 0;
    ::waitpid(child, &st, 0);
    EXPECT_EQ(slurp(d / "a.txt"), "a second");
    EXPECT_EQ(slurp(d / "b.txt"), "b second");
    EXPECT_NE(slurp(d / "manifest.json").find("\"second\""), std::string::npos);
    EXPECT_EQ(hidden_entries(d), 0u);
}

TEST(OutputSet, AFailedPublishLeavesTheOldRun) {
    const fs::path d = fresh_dir("failed");
    run(d, "old");
    {
        OutputSet out(d.string());
        put(out.path("a.txt"), "a new");
        out.path("b.txt");  // never written
        EXPECT_THROW(out.publish(), ReportError);
    }
    EXPECT_EQ(slurp(d / "a.txt"), "a old");
    EXPECT_EQ(slurp(d / "b.txt"), "b old");
    EXPECT_EQ(hidden_entries(d), 0u);
}

// Issue 21, defect 2: gnuplot's failures were swallowed (a 0-byte or cut PNG listed as
// written). A stand-in gnuplot on PATH: one that fails, one that writes half a PNG and
// exits 0, none at all (the only case that is a warning).
TEST(Plot, GnuplotFailuresAreErrorsNamingThePicture) {
    const fs::path d = fresh_dir("plot");
    const std::string old_path = std::getenv("PATH") ? std::getenv("PATH") : "";
    auto fake = [&](const std::string& body) {
        fs::remove_all(d / "bin");
        fs::create_directories(d / "bin");
        put(d / "bin" / "gnuplot", "#!/bin/sh\n" + body + "\n");
        fs::permissions(d / "bin" / "gnuplot", fs::perms::owner_all);
        ::setenv("PATH", (d / "bin").c_str(), 1);
    };
    PlotSpec ps{"t", "x", "y", false, {Series{"s", {1, 2}, {3, 4}}}, {}, 0, 0};
    const std::string png = (d / "p.png").string();
    fake("cat >/dev/null; echo 'gnuplot: cannot do that' >&2; exit 1");
    try {
        plot_png(png, ps);
        ADD_FAILURE() << "a failing gnuplot was not an error";
    } catch (const ReportError& e) {
        EXPECT_NE(std::string(e.what()).find(png + ": gnuplot failed (exit code 1)"), std::string::npos) << e.what();
    }
    // Half a PNG: what a full disk leaves (gnuplot says nothing and exits 0).
    fake("out=$(sed -n \"s/^set output \\\"\\(.*\\)\\\"$/\\1/p\"); printf '\\211PNG\\r\\n\\032\\nhalf' > \"$out\"; exit 0");
    try {
        plot_png(png, ps);
        ADD_FAILURE() << "a cut picture was put in place";
    } catch (const ReportError& e) {
        EXPECT_NE(std::string(e.what()).find("is missing or cut short"), std::string::npos) << e.what();
    }
    EXPECT_FALSE(fs::exists(png));
    fs::remove_all(d / "bin");  // no gnuplot at all: a warning and false, nothing thrown
    EXPECT_FALSE(plot_png(png, ps));
    ::setenv("PATH", old_path.c_str(), 1);
    size_t left = 0;
    for (const auto& e : fs::directory_iterator(d)) left += e.path().filename() != "bin";
    EXPECT_EQ(left, 0u) << "data files or pictures left behind";
}
