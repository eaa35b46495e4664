#include "host/report/subprocess.h"

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "host/report/die_with_parent.h"
#include "host/report/output_file.h"

namespace mind1024::host {

std::string ProcessResult::describe() const {
    if (signal) return fmt::format("killed by signal {} ({})", signal, strsignal(signal));
    return fmt::format("exit code {}", exit_code);
}

ProcessResult run_process(const std::vector<std::string>& argv, const std::string& log_path, bool echo,
                          const std::string& echo_prefix) {
    if (argv.empty()) throw ReportError("run_process: no program");
    std::ofstream log(log_path, std::ios::trunc);
    if (!log) throw ReportError(fmt::format("{}: cannot write the log", log_path));
    for (const auto& a : argv) log << (&a == &argv[0] ? "" : " ") << a;
    log << "\n" << std::flush;
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    int fds[2];
    if (::pipe(fds) != 0) throw ReportError(fmt::format("cannot start {}: pipe: {}", argv[0], std::strerror(errno)));
    const auto t0 = std::chrono::steady_clock::now();
    std::fflush(nullptr);
    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid < 0) {
        ::close(fds[0]);
        ::close(fds[1]);
        throw ReportError(fmt::format("cannot start {}: fork: {}", argv[0], std::strerror(errno)));
    }
    if (pid == 0) {
        die_with_parent(parent);  // a killed `mind1024 report` takes its trainer with it
        ::dup2(fds[1], 1);
        ::dup2(fds[1], 2);
        ::close(fds[0]);
        ::close(fds[1]);
        ::execv(args[0], args.data());
        std::fprintf(stderr, "cannot start %s: %s\n", args[0], std::strerror(errno));
        ::_exit(127);
    }
    ::close(fds[1]);
    ProcessResult r;
    std::deque<std::string> tail;
    std::string line;
    char buf[4096];
    auto flush_line = [&] {
        log << line << '\n';
        if (echo) std::fprintf(stderr, "%s%s\n", echo_prefix.c_str(), line.c_str());
        tail.push_back(line);
        if (tail.size() > 12) tail.pop_front();
        line.clear();
    };
    for (;;) {
        const ssize_t n = ::read(fds[0], buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        for (ssize_t i = 0; i < n; ++i) {
            if (buf[i] == '\n') flush_line();
            else if (buf[i] != '\r') line += buf[i];
        }
    }
    if (!line.empty()) flush_line();
    ::close(fds[0]);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) r.signal = WTERMSIG(status);
    r.tail.assign(tail.begin(), tail.end());
    log << fmt::format("[{}, {:.1f} s]\n", r.describe(), r.seconds);
    if (!log) throw ReportError(fmt::format("{}: write error", log_path));
    return r;
}

std::string own_directory() {
    std::error_code ec;
    const auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (ec) throw ReportError(fmt::format("cannot find this program's directory: /proc/self/exe: {}", ec.message()));
    return p.parent_path().string();
}

}  // namespace mind1024::host
