// The recall study: patterns stored by a learning rule (quantized onto the
// chip), each started from a corrupted copy and recalled one sweep at a time,
// per update order: the energy and the overlap after every sweep, the sweeps
// taken, 2-cycles. Results are values; `recall` writes them.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "host/board/chip_driver.h"
#include "host/learning/learning_rules.h"

namespace mind1024::host {

struct RecallSpec {
    std::vector<std::string> rules{"hebb", "storkey"};
    std::vector<Order> orders{Order::Sync, Order::AsyncSeq};
    double flip = 0.2;        // fraction of a probe's neurons flipped
    uint32_t max_sweeps = 20;
    uint64_t seed = 1;        // corruption (seed * 1000 + pattern) and sweep k's LFSR seed (seed + k)
    bool wrap = false;
    size_t keep_frames = 32;  // the states of every sweep are kept for the first patterns only
};

struct PatternRecall {
    std::vector<int64_t> energy;    // integer energy of the corrupted start, then after each sweep
    std::vector<double> overlaps;   // overlap with the pattern, the same points
    std::vector<std::vector<int8_t>> frames;  // pattern, corrupted start, each sweep (first patterns only)
    uint32_t sweeps = 0;
    bool cycle2 = false;            // SYNC only: a state repeating every second sweep
    bool exact = false;             // ended on the pattern
};

struct RecallRun {
    std::string rule;
    Order order = Order::Sync;
    double scale = 1, clipped_fraction = 0;  // the quantizer's
    std::vector<PatternRecall> patterns;
    double sim_seconds = 0;                  // simulated time of the chip's sweeps

    size_t recalled() const;
    size_t cycle2() const;
    double mean_final_overlap() const;
    double mean_sweeps() const;
    // Mean energy per neuron after sweep k (float units: E / (scale N)), k = 0..max_sweeps
    // (a recall that stopped early keeps its last value).
    std::vector<double> mean_energy(uint32_t max_sweeps, size_t n) const;
};

// Every rule x order, in that order. `progress(run, pattern)` after each pattern.
std::vector<RecallRun> run_recall_study(ChipDriver& chip, const Patterns& pats, const RecallSpec& spec,
                                        const std::function<void(size_t run, size_t done)>& progress = {});

}  // namespace mind1024::host
