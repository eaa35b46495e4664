// The layered binary network (docs/layered-network.md) on the chip: one block
// of neurons per layer, inputs 0..I-1 clamped, hidden I..I+H-1, outputs after
// them; J[hidden][input] = w1, J[output][hidden] = w2, every other weight 0.
// One ASYNC_SEQ sweep runs the layers in order (clamped inputs are skipped,
// each hidden unit sees only inputs, each output only hidden units), so the
// output fields are the host's sums exactly when no sum can leave ABITS.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "host/board/chip_driver.h"
#include "host/baselines/layered_net.h"
#include "host/learning/quantizer.h"

namespace mind1024::host {

struct LayeredLayout {
    uint32_t inputs = 0, hidden = 0, outputs = 0;
    uint32_t first_hidden() const { return inputs; }
    uint32_t first_output() const { return inputs + hidden; }
    uint32_t neurons() const { return inputs + hidden + outputs; }
};

// Checks, before any work, that the network fits chip p: I + H + O <= N_MAX,
// every weight within WBITS, thresholds t1 and -b2 within ABITS, and no field
// able to leave ABITS (largest sum of |weights| of a row). DataError naming the
// file (network.json, w1.npy, t1.npy, w2.npy or b2.npy in `dir`) and the element.
void check_layered_fits(const baselines::LayeredIntNet& net, const ChipParams& p, const std::string& dir);

struct LayeredChipNetwork {
    LayeredLayout layout;
    WeightMatrix weights;           // neurons x neurons
    std::vector<int32_t> thresholds; // 0 for inputs, t1, then -b2 (so an output's state is the sign of its f_k)
    std::vector<uint8_t> clamp;     // inputs clamped
    std::vector<int32_t> b2;        // added to the output fields on the host
};
// For a network check_layered_fits has accepted (so -b2 fits int32).
LayeredChipNetwork map_layered(const baselines::LayeredIntNet& net);
// soft reset, then weights, thresholds and clamp mask.
void load_layered(ChipDriver& chip, const LayeredChipNetwork& m);

struct LayeredAnswer {
    int label = -1;
    std::vector<int64_t> scores;  // output field + b2[k]
    RunResult run;
};
// One image (inputs pixels, binarized as the host does): inputs clamped to it,
// hidden and outputs start at -1 (a tie keeps -1, as the host's strict
// rule), one ASYNC_SEQ sweep, the output fields read back; the label is
// argmax(field + b2), ties to the lowest.
LayeredAnswer classify_layered(ChipDriver& chip, const LayeredChipNetwork& m, const uint8_t* pixels, bool wrap);
// `count` images, image k at pixels + k * stride, through one ChipDriver::run_many
// (one link BATCH on a board process in bare mode); with `hidden`, each image's
// hidden states (count x hidden, -1/+1) after the sweep.
std::vector<LayeredAnswer> classify_layered_many(ChipDriver& chip, const LayeredChipNetwork& m, const uint8_t* pixels,
                                                 size_t stride, size_t count, bool wrap,
                                                 std::vector<int8_t>* hidden = nullptr);

// How a float network was brought to integers (--quantize).
struct LayeredQuantization {
    QuantizerOptions options;
    QuantReport w1, w2;
    std::vector<double> s1;  // w1's scale per hidden unit (all equal with a per-layer scale)
    double s2 = 1;           // w2's one scale
    size_t t1_clipped = 0, b2_clipped = 0;  // thresholds clamped, biases saturated to int32
};
// A float (or integer) network's arrays to codes with the project's quantizer
// (opt: bits, scale range, rounding, granularity): q1 = Q(s1_i w1[i]) with s1_i
// the layer's or hidden unit i's scale (Granularity::Row: a sign unit's decision
// is unchanged by scaling its row and threshold together), t1 = floor(s1_i t1)
// (exact for the strict n > t1 rule on the integer sums), q2 = Q(s2 w2) and
// b2 = round(s2 b2) with one scale for the output layer whatever the
// granularity (the argmax compares the outputs, so they share a scale).
// With opt.wbits 1 and plus_minus_one the codes are ±1 and net.wbits is 2, the
// narrowest chip word that stores them.
baselines::LayeredIntNet quantize_layered(const baselines::LayeredArrays& a, const QuantizerOptions& opt,
                                          LayeredQuantization* info = nullptr);
// Per-layer max-abs scales, nearest rounding, to wbits (two's complement codes).
baselines::LayeredIntNet quantize_layered(const baselines::LayeredArrays& a, unsigned wbits,
                                          LayeredQuantization* info = nullptr);
// The network of a directory: its integers (a float weight that is not a whole
// number refused, naming the file and --quantize), or quantized with opt.
baselines::LayeredIntNet load_layered_network(const std::string& dir, bool quantize, const QuantizerOptions& opt,
                                              LayeredQuantization* info = nullptr);
// The same with per-layer max-abs scales and nearest rounding to wbits (the DSE's and the report's).
baselines::LayeredIntNet load_layered_network(const std::string& dir, bool quantize, unsigned wbits,
                                              LayeredQuantization* info = nullptr);
// The network's values as read (float or integer), in double precision on the
// host: the model before quantization. Predictions of the first `count` images
// (ties to the lowest label, as the integer model).
std::vector<uint8_t> predict_layered_arrays(const baselines::LayeredArrays& a, const std::vector<uint8_t>& pixels,
                                            size_t count);
// --save-quantized: dir/network.json (mind1024-layered-v1, loadable by `layered --net`), w1.npy, t1.npy, w2.npy,
// b2.npy (the integer codes), s1.npy (float64, one scale per hidden unit) and s2.npy (float64, (1,)): code = w * s.
void save_quantized_layered(const std::string& dir, const baselines::LayeredIntNet& net, const LayeredQuantization& q,
                            const nlohmann::json& about);

}  // namespace mind1024::host
