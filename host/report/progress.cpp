#include "host/report/progress.h"

#include <cstdio>

#include <fmt/format.h>
#include <unistd.h>

namespace mind1024::host {

Progress::Progress(std::string label, uint64_t total, bool enabled)
    : label_(std::move(label)), total_(total ? total : 1), enabled_(enabled), tty_(::isatty(2)),
      start_(std::chrono::steady_clock::now()), last_draw_(start_) {}

void Progress::update(uint64_t done) {
    if (!enabled_) return;
    const auto now = std::chrono::steady_clock::now();
    const double secs = std::chrono::duration<double>(now - start_).count();
    const double rate = secs > 0 ? done / secs : 0;
    const double left = rate > 0 ? (total_ - done) / rate : 0;
    if (tty_) {
        if (done != total_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
        last_draw_ = now;
        const int width = 30, fill = static_cast<int>(width * done / total_);
        std::fprintf(stderr, "\r%s [%s%s] %llu/%llu %.0f/s, %.0f s left ", label_.c_str(),
                     std::string(fill, '#').c_str(), std::string(width - fill, '.').c_str(),
                     static_cast<unsigned long long>(done), static_cast<unsigned long long>(total_), rate, left);
    } else {
        const uint64_t decile = done * 10 / total_;
        if (decile <= last_decile_) return;
        last_decile_ = decile;
        std::fprintf(stderr, "%s: %llu/%llu (%.0f/s, %.0f s left)\n", label_.c_str(),
                     static_cast<unsigned long long>(done), static_cast<unsigned long long>(total_), rate, left);
    }
}

void Progress::finish() {
    if (enabled_ && tty_) std::fprintf(stderr, "\n");
}

}  // namespace mind1024::host
