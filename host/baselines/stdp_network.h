// A spiking network with unsupervised STDP, ours (plain C++, no torch), after
// Diehl & Cook (2015), simplified for speed:
//
// Encoding: the image (pixel/255) filtered by a difference of Gaussians
//   (sigma 1 minus sigma 2), split into ON (positive part) and OFF (negative
//   part) channels: 2 x 784 = 1568 inputs, scaled so the largest is 1. Each
//   channel is a deterministic rate encoder over `steps` time steps: its phase
//   grows by value x max_rate per step and it spikes when the phase reaches 1.
// Excitatory layer: `neurons` leaky integrate-and-fire neurons, all-to-all
//   non-negative weights from the inputs, each neuron's weights normalized to a
//   fixed sum. Lateral inhibition is a hard winner-take-all: at each step at
//   most one neuron fires (the one furthest above its threshold), and every
//   membrane is reset. Thresholds are base + theta_i (adaptive: +theta_plus
//   per spike in training, slow decay: homeostasis) + a short-term part
//   (+refractory_plus per spike, cleared per image) that lets other neurons
//   win the later steps, so an image is coded by several neurons.
// STDP: when neuron i fires in training, w_ji += eta (x_j - w_ji), x_j the
//   input's presynaptic trace (1 at a spike, decaying by trace_decay per step):
//   potentiation for inputs that fired just before, depression for the silent
//   ones; then the row is renormalized. eta decays linearly over training.
// Readout: the spike counts per image, a linear softmax readout (LinearReadout)
//   trained on the training set's counts with the network frozen.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

#include "host/data/idx_reader.h"
#include "host/baselines/linear_readout.h"
#include "host/baselines/training.h"

namespace mind1024::host::baselines {

struct StdpOptions {
    size_t neurons = 400;
    int steps = 30;
    double max_rate = 0.5;         // input spikes per step of a channel at value 1
    double membrane_decay = 0.9;   // per step
    double threshold = 4.0;        // base threshold, in weight units
    double theta_plus = 0.02;      // homeostasis: per spike, in training
    double theta_decay = 0.9999;   // homeostasis: per training image
    double refractory_plus = 0.3;  // short-term threshold per spike within an image
    double trace_decay = 0.8;      // presynaptic trace per step
    double eta = 0.1;              // STDP rate at the start (decays linearly to eta / 10)
    double weight_sum = 78.0;      // each neuron's incoming weights sum to this
    int epochs = 1;                // unsupervised passes over the training set
    ReadoutOptions readout;
    static constexpr size_t kInputs = 2 * 784;
};

nlohmann::json to_json(const StdpOptions& o);

class StdpNetwork {
public:
    StdpNetwork(const StdpOptions& o, uint64_t seed);
    // ON/OFF DoG channels of one 28 x 28 image, in [0, 1].
    static std::vector<float> encode(const uint8_t* image);
    // Presents one image; returns the spike count per neuron (sparse). With
    // `learn`, STDP and homeostasis act.
    SparseFeatures present(const uint8_t* image, bool learn, double eta);
    const std::vector<float>& weights() const { return w_; }  // inputs x neurons (input-major)
    const std::vector<float>& theta() const { return theta_; }
    const StdpOptions& options() const { return opt_; }

private:
    void normalize(size_t i);
    StdpOptions opt_;
    std::vector<float> w_, theta_, v_, thr_short_, trace_, phase_;
};

// Unsupervised STDP over train (opt.epochs of StdpOptions, or TrainOptions'
// epochs if > 0), then the readout on the frozen network's counts, then test.
// TrainResult.epochs: one line per STDP epoch (test accuracy of a readout
// trained after that epoch), train_seconds includes the readout's training.
TrainResult train_stdp(const MnistSet& train, const MnistSet& test, const StdpOptions& so, const TrainOptions& opt);

}  // namespace mind1024::host::baselines
