// Output files that never look complete when they are not: built in memory,
// then written through AtomicFile (host/data), which renames a finished
// temporary into place.
#pragma once
#include <functional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace mind1024::host {

// Calls fill(stream) and writes what it produced to `path` atomically.
void write_stream_atomic(const std::string& path, const std::function<void(std::ostream&)>& fill);
void write_text_atomic(const std::string& path, const std::string& text);
// Creates the directory (and parents); a ReportError if it cannot.
void ensure_directory(const std::string& dir);
// Checks, before any work and without creating anything, that `dir` is (or can
// be created as) a directory this process can write into, and that none of
// `names` is taken there by a directory; a ReportError naming the path if not.
void check_output_dir(const std::string& dir, const std::vector<std::string>& names = {});
// The same for one output file: its directory can take it and it is not a directory.
void check_output_file(const std::string& path);

struct ReportError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// The output files of one command run, published together or not at all.
// Each is written into a hidden staging directory under `dir`
// (".partial-PID-N"); publish() writes the new manifest there, then commits
// with one rename of the staging directory to ".publishing" and moves its
// files into `dir`, the manifest last, with SIGINT/SIGTERM/SIGHUP held off.
// A run killed after the commit is completed by the next run into `dir`
// (roll forward); one killed before it leaves `dir` as it was, and its
// staging directory is removed by the next run (and by a SIGINT/SIGTERM/SIGHUP
// handler, and on every other exit by the destructor). A lock on `dir`
// itself (flock) makes a second run into `dir` wait until the first is done,
// so two runs never mix their files. publish() also removes
// the files an earlier run's manifest named that this run did not write (e.g.
// frames_hebb_sync.png of a run with other options), so the directory holds
// one run's outputs; other files stay.
class OutputSet {
public:
    explicit OutputSet(std::string dir);  // creates dir, takes the lock, cleans up after killed runs, stages
    ~OutputSet();                         // removes the staging directory (and what was not published)
    OutputSet(const OutputSet&) = delete;
    OutputSet& operator=(const OutputSet&) = delete;

    // Where to write `name` now (a path in the staging directory).
    std::string path(const std::string& name);
    // Checks every final path can take a file, writes the manifest (with `about`,
    // e.g. the provenance), commits, moves the files into place, removes stale files.
    void publish(const nlohmann::json& about = nlohmann::json::object());
    // The stale files the last publish() removed.
    const std::vector<std::string>& removed() const { return removed_; }
    // What the constructor cleaned up after earlier, killed runs ("" if nothing).
    const std::string& recovered() const { return recovered_; }
    const std::string& staging() const { return staging_; }
    static constexpr const char* kManifest = "manifest.json";
    static constexpr const char* kPublishing = ".publishing";

private:
    std::string dir_, staging_, recovered_;
    std::vector<std::string> names_, removed_;
    int lock_fd_ = -1;
    int slot_ = -1;  // in the signal handler's list of staging directories
};

}  // namespace mind1024::host
