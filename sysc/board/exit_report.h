// The outcome of a mind-board run as JSON (--exit-report FILE.json), so a script
// never has to tell a firmware's exit code 3 from the board's fault code 3.
#pragma once
#include <optional>
#include <string>

namespace mind1024::board {

class RiscvCpu;

struct RunOutcome {
    std::string outcome;  // exit, fault, instruction_limit, time_limit, deadlock, killed, link_closed,
                          // bad_input, simulation_error
    int exit_code = 0;    // the process's
    std::string message;  // the board's one-line report, if any
    double host_s = 0;
};

// Writes the report; `cpu` may be null (nothing ran). Throws std::runtime_error naming the file.
void write_exit_report(const std::string& path, const RunOutcome& o, const RiscvCpu* cpu);
// Fails early (before the run) when the file cannot be written.
void check_exit_report_path(const std::string& path);

}  // namespace mind1024::board
