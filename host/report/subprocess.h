// Runs another program to its end, as `mind1024 report` runs its steps
// (mind1024-train, and mind1024 itself for the chip: one SystemC board per
// process). Its stdout and stderr go to a log file, and each line is echoed
// on our stderr behind a prefix when asked; the last lines are kept for the
// error message of a step that fails.
#pragma once
#include <string>
#include <vector>

namespace mind1024::host {

struct ProcessResult {
    int exit_code = -1;   // when it exited
    int signal = 0;       // when a signal ended it
    double seconds = 0;   // wall time
    std::vector<std::string> tail;  // its last lines of output
    bool ok() const { return signal == 0 && exit_code == 0; }
    std::string describe() const;   // "exit code 1" / "killed by signal 9 (Killed)"
};

// argv[0] is a path to an executable. A ReportError if it cannot be started or
// the log cannot be written.
ProcessResult run_process(const std::vector<std::string>& argv, const std::string& log_path, bool echo,
                          const std::string& echo_prefix);

// The directory of the running executable (/proc/self/exe).
std::string own_directory();

}  // namespace mind1024::host
