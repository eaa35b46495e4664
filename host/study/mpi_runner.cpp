#include "host/study/mpi_runner.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "host/report/output_file.h"

#ifdef MIND1024_HAVE_MPI
#define OMPI_SKIP_MPICXX 1  // the C API only: the deprecated C++ bindings need a library we do not link
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>
#endif

extern char** environ;

namespace mind1024::host {

using json = nlohmann::json;

namespace {

bool env_above_one(const char* name) {
    const char* v = std::getenv(name);
    return v && std::atoi(v) > 1;
}

std::string last_lines(const std::string& path, size_t count) {
    std::ifstream in(path);
    std::vector<std::string> lines;
    std::string l;
    while (std::getline(in, l)) lines.push_back(l);
    std::string out;
    for (size_t i = lines.size() > count ? lines.size() - count : 0; i < lines.size(); ++i) out += "\n  " + lines[i];
    return out;
}

#ifdef MIND1024_HAVE_MPI
constexpr int kTagReady = 1, kTagJob = 2, kTagStop = 3, kTagResult = 4;

// Waits for a message without spinning a core (Open MPI's blocking probe
// polls): the cores belong to the points.
MPI_Status wait_message(int source) {
    MPI_Status st;
    for (;;) {
        int flag = 0;
        MPI_Iprobe(source, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st);
        if (flag) return st;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

std::string receive_text(const MPI_Status& st) {
    int count = 0;
    MPI_Get_count(&st, MPI_CHAR, &count);
    std::string s(size_t(count), '\0');
    MPI_Recv(s.data(), count, MPI_CHAR, st.MPI_SOURCE, st.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    return s;
}

void send_text(const std::string& s, int dest, int tag) {
    MPI_Send(s.data(), int(s.size()), MPI_CHAR, dest, tag, MPI_COMM_WORLD);
}
#endif

}  // namespace

bool mpi_launched() {
    return env_above_one("OMPI_COMM_WORLD_SIZE") || env_above_one("PMI_SIZE") || env_above_one("PMIX_SIZE");
}

bool mpi_available() {
#ifdef MIND1024_HAVE_MPI
    return true;
#else
    return false;
#endif
}

MpiSession::MpiSession() {
#ifdef MIND1024_HAVE_MPI
    MPI_Init(nullptr, nullptr);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
#else
    throw ReportError("started by mpirun, but this mind1024 was built without MPI (install libopenmpi-dev and "
                      "rebuild); run it without mpirun for the local pool");
#endif
}

void MpiSession::release_workers() {
#ifdef MIND1024_HAVE_MPI
    if (rank_ != 0 || released_) return;
    for (int r = 1; r < size_; ++r) send_text("", r, kTagStop);
#endif
    released_ = true;
}

MpiSession::~MpiSession() {
#ifdef MIND1024_HAVE_MPI
    release_workers();
    MPI_Finalize();
#endif
}

json run_program_for_json(const RankJob& j) {
    int fds[2];
    if (::pipe(fds) != 0) return {{"error", fmt::format("pipe: {}", std::strerror(errno))}};
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
    posix_spawn_file_actions_addclose(&fa, fds[0]);
    posix_spawn_file_actions_addclose(&fa, fds[1]);
    posix_spawn_file_actions_addopen(&fa, 2, j.log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    std::vector<char*> args;
    for (const auto& a : j.argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    pid_t pid = 0;
    const int e = posix_spawn(&pid, args[0], &fa, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    ::close(fds[1]);
    if (e != 0) {
        ::close(fds[0]);
        return {{"error", fmt::format("cannot start {}: {}", j.argv[0], std::strerror(e))}};
    }
    std::string out;
    char buf[65536];
    for (;;) {
        const ssize_t r = ::read(fds[0], buf, sizeof buf);
        if (r > 0) out.append(buf, size_t(r));
        else if (r == 0 || errno != EINTR) break;
    }
    ::close(fds[0]);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    const json parsed = json::parse(out, nullptr, false);
    const bool exited_ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (exited_ok && !parsed.is_discarded() && parsed.is_object()) return parsed;
    const std::string how = WIFSIGNALED(status) ? fmt::format("killed by signal {}", WTERMSIG(status))
                                                : fmt::format("exit code {}", WEXITSTATUS(status));
    if (!parsed.is_discarded() && parsed.is_object() && parsed.contains("error")) return parsed;
    return {{"error", fmt::format("{} ended with {} (log {}):{}", j.argv[0], how, j.log, last_lines(j.log, 5))}};
}

std::vector<json> run_on_ranks(MpiSession& s, size_t n, const std::function<RankJob(size_t)>& job,
                               const std::function<void(size_t, const json&)>& done) {
    std::vector<json> results(n);
#ifdef MIND1024_HAVE_MPI
    if (s.size() < 2) throw ReportError("the MPI runner needs at least 2 ranks (rank 0 hands out the jobs)");
    size_t next = 0;
    int stopped = 0;
    while (stopped < s.size() - 1) {
        const MPI_Status st = wait_message(MPI_ANY_SOURCE);
        const std::string text = receive_text(st);
        if (st.MPI_TAG == kTagResult) {
            const json r = json::parse(text, nullptr, false);
            if (r.is_discarded() || !r.contains("k")) throw ReportError(fmt::format("rank {} sent a bad result", st.MPI_SOURCE));
            const size_t k = r["k"];
            results[k] = r["result"];
            if (done) done(k, results[k]);
        }
        if (next < n) {
            const RankJob j = job(next);
            send_text(json{{"k", next}, {"argv", j.argv}, {"log", j.log}}.dump(), st.MPI_SOURCE, kTagJob);
            ++next;
        } else {
            send_text("", st.MPI_SOURCE, kTagStop);
            ++stopped;
        }
    }
    s.released_ = true;
#else
    (void)s, (void)job, (void)done;
    throw ReportError("this mind1024 was built without MPI");
#endif
    return results;
}

void serve_rank_jobs(const MpiSession& s) {
#ifdef MIND1024_HAVE_MPI
    (void)s;
    send_text("", 0, kTagReady);
    for (;;) {
        const MPI_Status st = wait_message(0);
        const std::string text = receive_text(st);
        if (st.MPI_TAG == kTagStop) return;
        const json j = json::parse(text);
        const RankJob rj{j["argv"].get<std::vector<std::string>>(), j["log"].get<std::string>()};
        send_text(json{{"k", j["k"]}, {"result", run_program_for_json(rj)}}.dump(), 0, kTagResult);
    }
#else
    (void)s;
#endif
}

}  // namespace mind1024::host
