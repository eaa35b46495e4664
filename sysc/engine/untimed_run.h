// A START with nothing between the sweeps (no simulated time, no ABORT):
// each sweep computed and committed at once. The float twin's runs, and the
// run engine on its own (bench, tests); the SystemC chip interleaves its waits.
#pragma once
#include <cstdint>
#include <vector>

#include "sysc/engine/stop_rules.h"
#include "sysc/engine/sweep.h"
#include "sysc/lfsr.h"

namespace mind1024::engine {

struct UntimedRun {
    RunTally tally;
    uint64_t updates = 0;    // neuron updates over all sweeps
    uint64_t overflows = 0;  // accumulator overflow events
};

// Runs from `sigma` (changed in place) with the LFSR as loaded; fields[i]
// receives each updated neuron's field.
template <class Arith, class F>
UntimedRun run_untimed(Arith& a, Sweeper<Arith>& sweeper, const SweepSpec& spec, uint32_t max_sweeps,
                       std::vector<int8_t>& sigma, const uint8_t* clamp, Lfsr& lfsr, F* fields) {
    UntimedRun r;
    run_sweeps(
        spec.order, max_sweeps, sigma, r.tally,
        [&](uint32_t& flips) {
            const auto journal = sweeper.compute(a, spec, sigma, clamp, lfsr);
            flips = Sweeper<Arith>::commit(journal, journal.size(), true, sigma, fields, r.overflows);
            r.updates += journal.size();
            return SweepEnd::Complete;
        },
        [](const RunTally&) { return false; });
    return r;
}

}  // namespace mind1024::engine
