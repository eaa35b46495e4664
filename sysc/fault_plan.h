// Fault injection, in one place: what a user asks for (FaultSpec, parsed from
// `--faults SPEC`), expanded once per chip into concrete faulty sites
// (FaultPlan), and the rules every model applies them by. The reference model,
// the SystemC chip and (where it has a meaning) the float twin all take the
// same FaultPlan, so a faulty chip is still golden-checked bit for bit.
//
// Kinds (contract words: stored weight = the low WBITS bits of a synapse word):
//  - stuck synapse bits: each of the N_MAX x N_MAX x WBITS stored bits is stuck
//    at 0 with probability syn_stuck0, at 1 with syn_stuck1. A stuck bit holds
//    whatever is written (weight writes, HEBB, CLEAR_SYN) and reads back stuck.
//  - single-event upsets: `seu_count` stored bits, drawn uniformly, flip just
//    before neuron update number `seu_at` (counted over every run since the
//    plan was set; SOFT_RESET does not restart the count). A flipped bit stays
//    flipped until the word is written again; a stuck bit does not flip.
//  - stuck neurons: each neuron is stuck at +1 with probability neuron_plus, at
//    -1 with neuron_minus: its state reads and stays that value whatever is
//    written or decided (its field is still computed and readable).
//  - stuck accumulator bits: bits of the ABITS accumulator forced to 0 / 1
//    after every group addition (so the field of every neuron is affected).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "sysc/chip_params.h"

namespace mind1024 {

struct FaultSpec {
    double syn_stuck0 = 0, syn_stuck1 = 0;      // fraction of stored synapse bits
    uint32_t seu_count = 0;                     // upsets ...
    uint64_t seu_at = 0;                        // ... before this neuron update index
    double neuron_plus = 0, neuron_minus = 0;   // fraction of neurons stuck at +1 / -1
    uint32_t acc_stuck0 = 0, acc_stuck1 = 0;    // accumulator bit masks (within ABITS)
    uint64_t seed = 1;

    bool any() const;
    // "syn0=0.001,syn1=0.001,seu=4@1000,plus=0.01,minus=0.01,acc0=0x4,acc1=0x8,seed=7"
    // (any subset, any order; "none" or "" is no fault). std::invalid_argument
    // naming the item on a bad key, value or range.
    static FaultSpec parse(const std::string& spec);
    std::string to_string() const;  // parse(to_string()) == *this
};

// One synapse word with stuck bits: (raw & ~stuck0) | stuck1 over the low WBITS.
struct StuckWord {
    uint32_t word = 0;  // row * N_MAX + column
    uint16_t stuck0 = 0, stuck1 = 0;
};
struct Upset {
    uint64_t at = 0;  // neuron update index
    uint32_t word = 0;
    uint8_t bit = 0;
};

class FaultPlan {
public:
    FaultPlan() = default;  // no fault
    // Draws the faulty sites for a chip of these parameters (std::invalid_argument
    // if an accumulator mask has bits above ABITS). Same spec and params, same plan.
    static FaultPlan expand(const FaultSpec& s, const ChipParams& p);

    bool empty() const { return stuck_.empty() && upsets_.empty() && neurons_.empty() && !acc_stuck0_ && !acc_stuck1_; }
    const FaultSpec& spec() const { return spec_; }
    const std::vector<StuckWord>& stuck_words() const { return stuck_; }  // sorted by word
    const std::vector<Upset>& upsets() const { return upsets_; }          // sorted by update index
    // Stuck neurons: (index, +1 or -1), sorted by index.
    const std::vector<std::pair<uint32_t, int8_t>>& stuck_neurons() const { return neurons_; }
    bool accumulator_faulty() const { return acc_stuck0_ || acc_stuck1_; }
    // std::invalid_argument unless the plan is empty or was expanded for a chip
    // of these N_MAX, WBITS, ABITS and LANES (its sites are that chip's).
    void check_fits(const ChipParams& p) const;

    // ---- the rules, shared by every model
    // What synapse word `word` holds after `value` is written to it.
    int16_t store(uint32_t word, int16_t value) const;
    // Applies store() to every stuck word of a row-major N_MAX x N_MAX array.
    void store_all(int16_t* syn) const;
    // Flips the bit of an upset in the array (then the word's stuck bits win).
    void upset(int16_t* syn, const Upset& u) const;
    // A neuron's state after `s` is written or decided.
    int8_t state(uint32_t neuron, int8_t s) const;
    // Forces every stuck neuron's state in sigma (size N_MAX).
    void force_states(int8_t* sigma) const;
    // The accumulator after a group addition (ABITS, two's complement).
    int64_t accumulator(int64_t acc) const;
    // Field with the accumulator faults, always group by group (contract "Field").
    struct Field {
        int32_t h = 0;
        uint32_t overflows = 0;
    };
    Field field(const int16_t* row, const int8_t* sigma, uint32_t n, bool wrap) const;

private:
    FaultSpec spec_;
    ChipParams p_;
    std::vector<StuckWord> stuck_;
    std::vector<Upset> upsets_;
    std::vector<std::pair<uint32_t, int8_t>> neurons_;
    std::vector<int8_t> neuron_value_;  // N_MAX: 0 free, else the stuck value
    uint32_t acc_stuck0_ = 0, acc_stuck1_ = 0;
};

}  // namespace mind1024
