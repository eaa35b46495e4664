// Run control (contract section 1): sweeps until one flips nothing
// (CONVERGED), a SYNC state repeats the one two sweeps back (CYCLE2), or
// MAX_SWEEPS is reached. The caller's sweep may end early (ABORT, SOFT_RESET).
#pragma once
#include <cstdint>
#include <vector>

#include "sysc/chip_mode.h"

namespace mind1024::engine {

enum class SweepEnd { Complete, Aborted, Reset };

struct RunTally {
    uint32_t sweeps = 0, flips = 0;
    bool converged = false, cycle2 = false;
};

// `sweep(uint32_t& flips) -> SweepEnd` runs one sweep on `sigma`;
// `after(const RunTally&) -> bool` sees the counters after each complete
// sweep and returns true to stop there (an ABORT that came between neurons).
// Returns Complete unless a sweep ended early (then that sweep's end).
template <class SweepFn, class AfterFn>
SweepEnd run_sweeps(Order order, uint32_t max_sweeps, const std::vector<int8_t>& sigma, RunTally& t,
                    SweepFn&& sweep, AfterFn&& after) {
    std::vector<int8_t> two_back, one_back = sigma;
    for (;;) {
        two_back.swap(one_back);
        one_back = sigma;
        uint32_t flips = 0;
        const SweepEnd e = sweep(flips);
        if (e != SweepEnd::Complete) return e;
        ++t.sweeps;
        t.flips = flips;
        t.converged = flips == 0;
        t.cycle2 = !t.converged && order == Order::Sync && t.sweeps >= 2 && sigma == two_back;
        const bool stop_now = after(static_cast<const RunTally&>(t));
        if (t.converged || t.cycle2 || t.sweeps >= max_sweeps || stop_now) return SweepEnd::Complete;
    }
}

}  // namespace mind1024::engine
