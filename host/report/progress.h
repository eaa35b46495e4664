// A progress bar on stderr for long runs (only when stderr is a terminal,
// else a line every 10%), with rate and time left.
#pragma once
#include <chrono>
#include <cstdint>
#include <string>

namespace mind1024::host {

class Progress {
public:
    Progress(std::string label, uint64_t total, bool enabled = true);
    void update(uint64_t done);
    void finish();

private:
    std::string label_;
    uint64_t total_, last_decile_ = 0;
    bool enabled_, tty_;
    std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace mind1024::host
