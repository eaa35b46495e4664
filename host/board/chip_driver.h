// ChipDriver: what host programs need from a MIND 1024, in bulk operations.
// Implemented by BareDriver (register by register over a Transport), FirmwareDriver and ReferenceDriver
// (the plain C++ reference model), so every host algorithm runs on either.
#pragma once
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "sysc/chip_params.h"
#include "sysc/chip_mode.h"
#include "sysc/fault_plan.h"

namespace mind1024::host {

struct RunParams {
    Order order = Order::AsyncSeq;
    bool wrap = false;
    bool noise = false;
    uint32_t temp = 0;
    uint32_t seed = 1;
    uint32_t max_sweeps = 50;
    uint32_t n_active = 0;  // 0 = N_MAX
};

struct RunResult {
    uint32_t sweeps = 0, flips = 0, ovf_count = 0;
    bool converged = false, cycle2 = false;
    uint64_t cycles = 0;        // compute cycles of this run
    double sim_seconds = 0.0;   // simulated time of this call (bus + compute)
};

// A dense square weight block, row-major: w[i*n + j].
struct WeightMatrix {
    uint32_t n = 0;
    std::vector<int16_t> w;
};

// A batch of images through the classifier's per-image procedure (see
// ChipDriver::classify_batch). The network, thresholds and clamp mask are
// loaded before.
struct ClassifyBatch {
    uint32_t n = 0;            // neurons taking part: each state's size and N_ACTIVE (1..N_MAX)
    uint32_t first_label = 0;  // label neurons first_label .. first_label + classes * reps - 1
    uint32_t classes = 0, reps = 0;
    // Prototype neurons first_label - protos .. first_label - 1 (prototype m of
    // class m % classes): they break ties of the label sums (pick_label with
    // prototypes); 0: ties go to the lowest class.
    uint32_t protos = 0;
    RunParams run;             // order, wrap, noise, temp, max_sweeps (n_active and seed are set per image)
    uint32_t first_seed = 1;   // image k runs with SEED = first_seed + k
    std::vector<std::vector<int8_t>> states;  // initial states (size n each; > 0 is +1)
};
// Many runs from the same loaded network (ChipDriver::run_many): for each
// initial state k, set_state, run (seed = first_seed + k; n_active 0 is n), then
// the fields of neurons first_field .. first_field + field_count - 1 and, if
// asked, the final state (all N_MAX).
struct RunMany {
    uint32_t n = 0;            // each state's size (1..N_MAX)
    RunParams run;             // order, wrap, noise, temp, max_sweeps, n_active (0: n)
    uint32_t first_seed = 1;
    uint32_t first_field = 0, field_count = 0;
    bool read_state = false;
    std::vector<std::vector<int8_t>> states;
};
struct RunManyItem {
    RunResult run;
    std::vector<int32_t> fields;
    std::vector<int8_t> state;  // empty unless read_state
};

struct ClassifyOutcome {
    int label = -1;
    bool tied = false;  // the largest label sum was shared (pick_label)
    RunResult run;
};

class ChipDriver {
public:
    virtual ~ChipDriver() = default;
    virtual const ChipParams& params() const = 0;
    virtual std::string name() const = 0;

    // Writes the n x n block (n <= N_MAX); values are checked against WBITS.
    virtual void load_weights(const WeightMatrix& m) = 0;
    virtual WeightMatrix read_weights(uint32_t n) = 0;
    // Thresholds of neurons 0..size-1; values are checked against ABITS.
    virtual void load_thresholds(const std::vector<int32_t>& t) = 0;
    // State (+1/-1, anything > 0 is +1) and clamp mask (0/1) of neurons 0..size-1.
    virtual void set_state(const std::vector<int8_t>& s) = 0;
    virtual void set_clamp(const std::vector<uint8_t>& c) = 0;
    virtual std::vector<int8_t> state() = 0;                              // all N_MAX
    virtual std::vector<int32_t> fields(uint32_t first, uint32_t count) = 0;

    virtual RunResult run(const RunParams& p) = 0;   // START
    virtual RunResult step(const RunParams& p) = 0;  // STEP
    virtual void hebb(uint32_t n_active) = 0;
    virtual void clear_synapses() = 0;
    virtual void soft_reset() = 0;
    virtual uint64_t cycles() = 0;  // CYCLES since reset
    // Fault injection (sysc/fault_plan.h; an empty plan clears them). Only a
    // chip this process holds takes it (the reference model, an in-process
    // board); otherwise a BadArgument, which takes_faults() tells beforehand.
    virtual void set_faults(const FaultPlan& plan) = 0;
    virtual bool takes_faults() const = 0;

    // The runs of RunMany. This default makes the single calls above; BareDriver
    // hands the same accesses to its transport as one list (one link BATCH).
    virtual std::vector<RunManyItem> run_many(const RunMany& b);
    // For each image k: set_state(states[k]), run(run with n_active = n, seed =
    // first_seed + k), the fields of the prototype and label neurons, and the
    // label = the class with the largest summed field over its reps neurons,
    // ties broken by the prototypes or to the lowest class (pick_label). This default does exactly that through run_many
    // (a tied image runs again to read its prototypes' fields, then the last image, so the chip ends the same);
    // FirmwareDriver has the board's firmware do it (CLASSIFY), same results.
    virtual std::vector<ClassifyOutcome> classify_batch(const ClassifyBatch& b);
};

// Checks shared by every driver; throw BadArgument naming the value.
void check_weights(const WeightMatrix& m, const ChipParams& p);
void check_thresholds(const std::vector<int32_t>& t, const ChipParams& p);
void check_run_params(const RunParams& r, const ChipParams& p);
// n in 1..N_MAX, classes and reps in 1..65535, the label neurons below N_MAX,
// every state of size n, the run parameters.
void check_classify_batch(const ClassifyBatch& b, const ChipParams& p);
// n in 1..N_MAX, the fields below N_MAX, every state of size n, the run parameters.
void check_run_many(const RunMany& b, const ChipParams& p);
// The label rule, the one place it is written: the class c (0..classes-1) whose
// fields f[c*reps .. c*reps + reps - 1] have the largest sum; ties to the lowest
// class. Integer fields (the chip's) sum exactly in 64 bits, float ones (the twin's) in double.
// `tied` (if given) says whether another class had the same largest sum: no
// label neuron answered, the label is the rule's default.
template <class T>
int pick_label(const T* f, uint32_t classes, uint32_t reps, bool* tied = nullptr) {
    using Sum = std::conditional_t<std::is_integral<T>::value, int64_t, double>;
    int best = 0;
    Sum best_sum = 0;
    bool tie = false;
    for (uint32_t c = 0; c < classes; ++c) {
        Sum sum = 0;
        for (uint32_t r = 0; r < reps; ++r) sum += f[size_t{c} * reps + r];
        if (c == 0 || sum > best_sum) best = static_cast<int>(c), best_sum = sum, tie = false;
        else if (sum == best_sum) tie = true;
    }
    if (tied) *tied = tie;
    return best;
}
// The label rule of a network with prototype neurons: pick_label, and when the
// largest label sum is shared, the class of the prototype with the largest
// field among the tied classes' prototypes (the nearest of the prototypes the
// dynamics left in the running; prototype m is of class m % classes, equal
// fields to the lower m). `proto_f` holds the fields of the `protos`
// prototypes; protos == 0 is pick_label alone. `tied` says the label sums tied
// (whoever broke the tie).
template <class T>
int pick_label(const T* label_f, const T* proto_f, uint32_t protos, uint32_t classes, uint32_t reps,
               bool* tied = nullptr) {
    bool tie = false;
    const int plain = pick_label(label_f, classes, reps, &tie);
    if (tied) *tied = tie;
    if (!tie || protos == 0) return plain;
    using Sum = std::conditional_t<std::is_integral<T>::value, int64_t, double>;
    std::vector<Sum> sum(classes, 0);
    for (uint32_t c = 0; c < classes; ++c)
        for (uint32_t r = 0; r < reps; ++r) sum[c] += label_f[size_t{c} * reps + r];
    const Sum top = sum[static_cast<size_t>(plain)];
    int best = -1;
    for (uint32_t m = 0; m < protos; ++m)
        if (sum[m % classes] == top && (best < 0 || proto_f[m] > proto_f[best])) best = static_cast<int>(m);
    return best < 0 ? plain : static_cast<int>(static_cast<uint32_t>(best) % classes);
}

}  // namespace mind1024::host
