#include "host/study/runner.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <stdexcept>
#include <string>

#include <fmt/format.h>

#include "host/report/die_with_parent.h"
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

namespace mind1024::host {

namespace {
struct Child {
    size_t job;
    int fd;
    std::string text;
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

pid_t wait_for(pid_t pid, int* status) {
    pid_t w;
    do w = ::waitpid(pid, status, 0);
    while (w < 0 && errno == EINTR);
    return w;
}

// Kills and reaps whatever is still running when the parent leaves early
// (a failed fork, or a `done` callback that throws): no orphans, no open pipes.
struct Children {
    std::map<pid_t, Child> running;
    ~Children() {
        for (auto& [pid, c] : running) {
            ::kill(pid, SIGKILL);
            ::close(c.fd);
            int status = 0;
            wait_for(pid, &status);
        }
    }
};

nlohmann::json result_of(const std::string& text, int status) {
    if (!text.empty()) {
        nlohmann::json r = nlohmann::json::parse(text, nullptr, false);
        if (!r.is_discarded()) return r;
        return {{"error", "child sent an unreadable result"}};
    }
    if (WIFSIGNALED(status)) return {{"error", fmt::format("child process died with signal {}", WTERMSIG(status))}};
    return {{"error", fmt::format("child process exited with code {} and no result", WEXITSTATUS(status))}};
}
}  // namespace

std::vector<nlohmann::json> run_in_children(size_t jobs, unsigned parallel,
                                            const std::function<nlohmann::json(size_t)>& job,
                                            const std::function<void(size_t, const nlohmann::json&)>& done) {
    std::vector<nlohmann::json> results(jobs);
    Children kids;
    size_t next = 0;
    std::fflush(nullptr);  // children must not flush the parent's buffers again
    while (next < jobs || !kids.running.empty()) {
        while (next < jobs && kids.running.size() < std::max(1u, parallel)) {
            int fds[2];
            if (::pipe(fds) != 0) throw std::runtime_error(fmt::format("pipe: {}", std::strerror(errno)));
            const pid_t parent = ::getpid();
            const pid_t pid = ::fork();
            if (pid < 0) {
                const int e = errno;
                ::close(fds[0]);
                ::close(fds[1]);
                throw std::runtime_error(fmt::format("fork: {}", std::strerror(e)));
            }
            if (pid == 0) {
                die_with_parent(parent);
                ::close(fds[0]);
                nlohmann::json r;
                int code = 0;
                try {
                    r = job(next);
                } catch (const std::exception& e) {
                    r = {{"error", e.what()}};
                    code = 1;
                } catch (...) {
                    r = {{"error", "child job threw a non-standard exception"}};
                    code = 1;
                }
                write_all(fds[1], r.dump());
                ::close(fds[1]);
                std::fflush(nullptr);
                ::_exit(code);
            }
            ::close(fds[1]);
            kids.running[pid] = {next++, fds[0], {}};
        }
        // Drain every child's pipe as data comes (a full pipe would block it);
        // a child is reaped, by its own pid, once its pipe closes.
        std::vector<pollfd> pfds;
        std::vector<pid_t> pids;
        for (const auto& [pid, c] : kids.running) {
            pfds.push_back({c.fd, POLLIN, 0});
            pids.push_back(pid);
        }
        if (::poll(pfds.data(), pfds.size(), -1) < 0) {
            if (errno == EINTR) continue;
            throw std::runtime_error(fmt::format("poll: {}", std::strerror(errno)));
        }
        for (size_t k = 0; k < pfds.size(); ++k) {
            if (!(pfds[k].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            Child& c = kids.running.at(pids[k]);
            char buf[65536];
            const ssize_t r = ::read(c.fd, buf, sizeof buf);
            if (r < 0 && (errno == EINTR || errno == EAGAIN)) continue;
            if (r > 0) {
                c.text.append(buf, static_cast<size_t>(r));
                continue;
            }
            ::close(c.fd);
            int status = 0;
            wait_for(pids[k], &status);
            const Child finished = std::move(c);
            kids.running.erase(pids[k]);
            results[finished.job] = result_of(finished.text, status);
            if (done) done(finished.job, results[finished.job]);
        }
    }
    return results;
}

}  // namespace mind1024::host
