// The runner's MPI backend: jobs spread over the ranks of an `mpirun`, on one
// machine or many. Rank 0 hands out jobs and gathers their results; every
// other rank runs each job it is given as a program of its own, started with
// posix_spawn (exec at once: no fork of an MPI process, and one SystemC board
// per process), and sends back what the program printed on stdout as JSON.
// Without MPI at build time, mpi_launched() still sees an mpirun and the
// session refuses with a message instead of running every job on every rank.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace mind1024::host {

// True when this process is one of several ranks started by mpirun/srun
// (OMPI_COMM_WORLD_SIZE, PMI_SIZE or PMIX_SIZE above 1).
bool mpi_launched();
// Whether this program was built with MPI.
bool mpi_available();

struct RankJob {
    std::vector<std::string> argv;  // argv[0]: the program's path
    std::string log;                // its stderr goes here
};

class MpiSession {
public:
    MpiSession();  // MPI_Init; a ReportError if built without MPI
    ~MpiSession();  // MPI_Finalize
    MpiSession(const MpiSession&) = delete;
    MpiSession& operator=(const MpiSession&) = delete;
    int rank() const { return rank_; }
    int size() const { return size_; }

    // Rank 0 leaving without run_on_ranks (an error first): tell the others to stop, so none waits forever.
    void release_workers();

private:
    int rank_ = 0, size_ = 1;
    bool released_ = false;
    friend std::vector<nlohmann::json> run_on_ranks(MpiSession&, size_t, const std::function<RankJob(size_t)>&,
                                                    const std::function<void(size_t, const nlohmann::json&)>&);
};

// Rank 0: jobs 0..n-1, job(k) run on the other ranks; done(k, result) as each
// ends; the results in order. A program that fails or prints no JSON gives
// {"error": ...} with its exit status and the log's last lines. Needs 2 or
// more ranks. Other ranks: call serve_rank_jobs instead.
std::vector<nlohmann::json> run_on_ranks(MpiSession& s, size_t n, const std::function<RankJob(size_t)>& job,
                                         const std::function<void(size_t, const nlohmann::json&)>& done = {});
// Ranks 1..size-1: run the jobs rank 0 sends until it says stop.
void serve_rank_jobs(const MpiSession& s);

// Runs one program to its end: its stdout parsed as JSON, its stderr into `log`.
nlohmann::json run_program_for_json(const RankJob& j);

}  // namespace mind1024::host
