#include "child_jobs.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <stdexcept>
#include <string>

#include <fmt/format.h>
#include <sys/wait.h>
#include <unistd.h>

namespace mind1024::host {

namespace {
struct Child {
    size_t job;
    int fd;
};

void write_all(int fd, const std::string& s) {
    size_t off = 0;
    while (off < s.size()) {
        const ssize_t w = ::write(fd, s.data() + off, s.size() - off);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return;
        off += static_cast<size_t>(w);
    }
}

std::string read_all(int fd) {
    std::string s;
    char buf[65536];
    for (;;) {
        const ssize_t r = ::read(fd, buf, sizeof buf);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        s.append(buf, static_cast<size_t>(r));
    }
    return s;
}
}  // namespace

std::vector<nlohmann::json> run_in_children(size_t jobs, unsigned parallel,
                                            const std::function<nlohmann::json(size_t)>& job,
                                            const std::function<void(size_t, const nlohmann::json&)>& done) {
    std::vector<nlohmann::json> results(jobs);
    std::map<pid_t, Child> running;
    size_t next = 0;
    std::fflush(nullptr);  // children must not flush the parent's buffers again
    while (next < jobs || !running.empty()) {
        while (next < jobs && running.size() < std::max(1u, parallel)) {
            int fds[2];
            if (::pipe(fds) != 0) throw std::runtime_error(fmt::format("pipe: {}", std::strerror(errno)));
            const pid_t pid = ::fork();
            if (pid < 0) throw std::runtime_error(fmt::format("fork: {}", std::strerror(errno)));
            if (pid == 0) {
                ::close(fds[0]);
                nlohmann::json r;
                int code = 0;
                try {
                    r = job(next);
                } catch (const std::exception& e) {
                    r = {{"error", e.what()}};
                    code = 1;
                }
                write_all(fds[1], r.dump());
                ::close(fds[1]);
                std::fflush(nullptr);
                ::_exit(code);
            }
            ::close(fds[1]);
            running[pid] = {next++, fds[0]};
        }
        // Read whichever child finishes first (reading before waiting avoids a full pipe).
        pid_t pid = running.begin()->first;
        {
            int status = 0;
            const pid_t w = ::waitpid(-1, &status, WNOHANG);
            if (w > 0 && running.count(w)) pid = w;
        }
        Child c = running[pid];
        const std::string text = read_all(c.fd);
        ::close(c.fd);
        int status = 0;
        ::waitpid(pid, &status, 0);
        running.erase(pid);
        nlohmann::json r;
        if (!text.empty()) {
            r = nlohmann::json::parse(text, nullptr, false);
            if (r.is_discarded()) r = {{"error", "child sent an unreadable result"}};
        } else if (WIFSIGNALED(status)) {
            r = {{"error", fmt::format("child process died with signal {}", WTERMSIG(status))}};
        } else {
            r = {{"error", fmt::format("child process exited with code {} and no result", WEXITSTATUS(status))}};
        }
        results[c.job] = r;
        if (done) done(c.job, r);
    }
    return results;
}

}  // namespace mind1024::host
