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
//  - upsets in time: each stored synapse bit flips with probability
//    `upset_rate` at each neuron update (counted as seu_at is). The times and
//    bits are drawn from the seed as the updates happen (an endless sequence,
//    the same for every model and every copy of the plan); a flip stays until
//    the word is written again, as above.
//  - stuck neurons: each neuron is stuck at +1 with probability neuron_plus, at
//    -1 with neuron_minus: its state reads and stays that value whatever is
//    written or decided (its field is still computed and readable).
//  - stuck accumulator bits: bits of the ABITS accumulator forced to 0 / 1
//    after every group addition (so the field of every neuron is affected):
//    given as masks, or drawn per bit with a probability like the synapse bits.
//  - stuck threshold bits: each of the N_MAX x ABITS threshold register bits
//    stuck at 0 / 1 with probability thr_stuck0 / thr_stuck1 (holds through
//    THR_DATA writes, like a synapse bit).
//  - stuck clamp bits: each neuron's CLAMP bit stuck at 0 / 1 with probability
//    clamp_stuck0 / clamp_stuck1 (holds through writes and SOFT_RESET).
//  - stuck LFSR bits: each of the 32 LFSR bits stuck at 0 / 1 with probability
//    lfsr_stuck0 / lfsr_stuck1, forced at the seed load and after every step.
//  (The state register's stuck bits are the stuck neurons above.)
//
// Protection (chip parameter PROTECT): the stored word is a codeword of
// ChipParams::stored_word_bits() bits (the data, then parity or the SECDED
// check bits), and the stuck bits and upsets fall on every stored bit. A word
// reads as its decoded data: parity reads a word with an odd number of wrong
// bits as 0; SECDED corrects one wrong bit and reads two as 0. What is read
// is what the model keeps: a corrected upset is gone (the chip writes back
// what it corrects), a detected one leaves the word 0.
//
// Every rate means the same thing at every site: the probability that one
// site (one stored bit, one neuron) is faulty, drawn independently per site
// from the plan's seed. A small rate often draws no faulty site on a given
// chip: that is what repeats over seeds are for.
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
    double upset_rate = 0;                      // flips per stored synapse bit per neuron update
    double neuron_plus = 0, neuron_minus = 0;   // fraction of neurons stuck at +1 / -1
    uint32_t acc_stuck0 = 0, acc_stuck1 = 0;    // accumulator bit masks (within ABITS)
    double acc_p0 = 0, acc_p1 = 0;              // each accumulator bit stuck at 0 / 1 with this probability
    double thr_stuck0 = 0, thr_stuck1 = 0;      // each threshold bit ...
    double clamp_stuck0 = 0, clamp_stuck1 = 0;  // each neuron's clamp bit ...
    double lfsr_stuck0 = 0, lfsr_stuck1 = 0;    // each LFSR bit ...
    uint64_t seed = 1;

    bool any() const;
    // "syn0=0.001,syn1=0.001,seu=4@1000,plus=0.01,minus=0.01,acc0=0x4,acc1=0x8,accp0=0.01,accp1=0.01,seed=7"
    // (any subset, any order; "none" or "" is no fault). std::invalid_argument
    // naming the item on a bad key, value or range.
    static FaultSpec parse(const std::string& spec);
    std::string to_string() const;  // parse(to_string()) == *this
};

// One synapse word with stuck bits: (raw & ~stuck0) | stuck1 over the low WBITS.
struct StuckWord {
    uint32_t word = 0;  // row * N_MAX + column
    uint32_t stuck0 = 0, stuck1 = 0;  // over the stored codeword (ChipParams::stored_word_bits())
};
struct Upset {
    uint64_t at = 0;  // neuron update index
    uint32_t word = 0;
    uint8_t bit = 0;  // of the stored codeword
};
// The codeword of WBITS data bits under p.protect, and back (false: an error
// detected and not corrected). PROTECT 0: the data bits themselves.
uint32_t encode_word(uint32_t data, const ChipParams& p);
bool decode_word(uint32_t code, const ChipParams& p, uint32_t& data);

class FaultPlan {
public:
    FaultPlan() = default;  // no fault
    // Draws the faulty sites for a chip of these parameters (std::invalid_argument
    // if an accumulator mask has bits above ABITS). Same spec and params, same plan.
    static FaultPlan expand(const FaultSpec& s, const ChipParams& p);

    bool empty() const {
        return stuck_.empty() && upsets_.empty() && spec_.upset_rate <= 0 && neurons_.empty() && !acc_stuck0_ &&
               !acc_stuck1_ && thr_.empty() && clamps_.empty() && !lfsr_stuck0_ && !lfsr_stuck1_;
    }
    const FaultSpec& spec() const { return spec_; }
    const std::vector<StuckWord>& stuck_words() const { return stuck_; }  // sorted by word
    const std::vector<Upset>& upsets() const { return upsets_; }  // the seu= ones, sorted by update index
    // The k-th upset in time order (seu= and upset= merged), nullptr if there
    // is none: the rate's are drawn as they are asked for.
    const Upset* upset_at(size_t k) const;
    // Stuck neurons: (index, +1 or -1), sorted by index.
    const std::vector<std::pair<uint32_t, int8_t>>& stuck_neurons() const { return neurons_; }
    bool accumulator_faulty() const { return acc_stuck0_ || acc_stuck1_; }
    // The accumulator bits stuck at 0 / 1: the spec's masks and the bits drawn by accp0 / accp1.
    uint32_t acc_stuck0() const { return acc_stuck0_; }
    uint32_t acc_stuck1() const { return acc_stuck1_; }
    // Stuck threshold bits: (neuron, stuck0 mask, stuck1 mask) sorted by neuron;
    // stuck clamp bits: (neuron, value) sorted by neuron; the LFSR's masks.
    struct StuckThreshold {
        uint32_t neuron = 0, stuck0 = 0, stuck1 = 0;
    };
    const std::vector<StuckThreshold>& stuck_thresholds() const { return thr_; }
    const std::vector<std::pair<uint32_t, uint8_t>>& stuck_clamps() const { return clamps_; }
    uint32_t lfsr_stuck0() const { return lfsr_stuck0_; }
    uint32_t lfsr_stuck1() const { return lfsr_stuck1_; }
    // std::invalid_argument unless the plan is empty or was expanded for a chip
    // of these N_MAX, WBITS, ABITS and LANES (its sites are that chip's).
    void check_fits(const ChipParams& p) const;

    // ---- the rules, shared by every model
    // What synapse word `word` reads after `value` is written to it.
    int16_t store(uint32_t word, int16_t value) const;
    // Applies store() to every stuck word of a row-major N_MAX x N_MAX array.
    void store_all(int16_t* syn) const;
    // Flips the bit of an upset in the array (then the word's stuck bits win).
    void upset(int16_t* syn, const Upset& u) const;
    // A neuron's state after `s` is written or decided.
    int8_t state(uint32_t neuron, int8_t s) const;
    // Forces every stuck neuron's state in sigma (size N_MAX).
    void force_states(int8_t* sigma) const;
    // What threshold register i holds after `stored` (already ABITS wide) is written.
    int32_t threshold(uint32_t neuron, int32_t stored) const;
    void force_thresholds(int32_t* theta) const;  // size N_MAX
    // What clamp bit i holds after `c` is written.
    uint8_t clamp(uint32_t neuron, uint8_t c) const;
    void force_clamps(uint8_t* clamp) const;  // size N_MAX
    // The accumulator after a group addition (ABITS, two's complement).
    int64_t accumulator(int64_t acc) const;
    // Field with the accumulator faults, always group by group (contract "Field").
    struct Field {
        int32_t h = 0;
        uint32_t overflows = 0;
    };
    Field field(const int16_t* row, const int8_t* sigma, uint32_t n, bool wrap) const;

private:
    const StuckWord* stuck_word(uint32_t word) const;
    FaultSpec spec_;
    ChipParams p_;
    std::vector<StuckWord> stuck_;
    std::vector<Upset> upsets_;
    // The merged sequence so far and the rate's generator (a position in the
    // stream of (update, stored bit) pairs; UINT64_MAX: no more).
    mutable std::vector<Upset> seq_;
    mutable size_t next_fixed_ = 0;
    mutable uint64_t next_pos_ = UINT64_MAX;
    mutable uint64_t rate_draws_ = 0;
    void draw_rate_upset() const;
    std::vector<std::pair<uint32_t, int8_t>> neurons_;
    std::vector<int8_t> neuron_value_;  // N_MAX: 0 free, else the stuck value
    uint32_t acc_stuck0_ = 0, acc_stuck1_ = 0;
    std::vector<StuckThreshold> thr_;
    std::vector<std::pair<uint32_t, uint8_t>> clamps_;
    std::vector<int8_t> clamp_value_;  // N_MAX: -1 free, else the stuck value
    uint32_t lfsr_stuck0_ = 0, lfsr_stuck1_ = 0;
};

}  // namespace mind1024
