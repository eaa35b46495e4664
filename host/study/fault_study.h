// The fault campaign: for each fault kind and rate, the MNIST classifier's
// accuracy and a Hebb memory's recall on a chip with the faults, beside the
// float twin with the same faults where they mean something in float (stuck
// neurons; synapse bits as the weight change they cause). Seeded; results are
// values (FaultPoint), written by the faults command.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "host/board/chip_driver.h"
#include "host/study/classify_study.h"
#include "sysc/fault_plan.h"

namespace mind1024::host {

// syn (stuck synapse bits, half at 0), seu (synapse bits flipped once, at one
// update), upset (synapse upsets in time: per stored bit per neuron update),
// neuron (stuck neurons, half at +1), acc (stuck accumulator bits, half at 0),
// thr / clamp / lfsr (stuck threshold, clamp and LFSR bits, half at 0).
const std::vector<std::string>& fault_kinds();
const char* fault_kind_title(const std::string& kind);

struct FaultCampaign {
    std::vector<std::string> kinds = fault_kinds();
    std::vector<double> rates{0, 1e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1};
    // The upset kind's rates: flips per stored synapse bit per neuron update.
    std::vector<double> upset_rates{0, 1e-11, 1e-10, 1e-9, 1e-8};
    uint64_t fault_seed = 1, seu_at = 2000;
    uint32_t repeats = 1;     // fault maps per point: seeds fault_seed_for(fault_seed, 0..repeats-1)
    bool recall = true;       // the Hebb memory beside MNIST
    uint32_t patterns = 40, probes = 20;
    double flip = 0.1;        // fraction of a probe's neurons flipped
    bool wrap = false;
};

// The SPEC of one kind at one rate (the probability that one of its sites is
// faulty; for upset, that one stored bit flips at one neuron update) on chip p.
FaultSpec fault_spec_for(const std::string& kind, double rate, const FaultCampaign& c, const ChipParams& p);
// The seed of repeat k: the base seed itself for k = 0 (one repeat is the old
// single-seed point), then a splitmix64 scramble of (base, k).
uint64_t fault_seed_for(uint64_t base, uint32_t k);
// Mean and 95% interval of K values: Student's t over the K fault maps (the
// spread is between chips, not a binomial count); lo = hi = mean for K = 1.
struct Interval {
    double mean = 0, lo = 0, hi = 0;
};
Interval t_interval(const std::vector<double>& v);
// Faulty sites of a plan: stuck synapse bits, upsets, stuck neurons, stuck accumulator bits.
size_t faulty_sites(const FaultPlan& f);

struct FaultPoint {
    std::string kind, spec;  // spec: the first repeat's
    double rate = 0;
    size_t sites = 0;                          // rounded mean over the repeats
    double mnist_chip = 0, mnist_float = 0;    // fraction correct, mean over the repeats
    double recall_chip = 0, recall_float = 0;  // mean final overlap, mean over the repeats
    // Each repeat's values (one per fault map) and the 95% t intervals of their means.
    std::vector<uint64_t> seeds;
    std::vector<double> sites_runs, mnist_chip_runs, mnist_float_runs, recall_chip_runs, recall_float_runs;
    Interval mnist_chip_ci, mnist_float_ci, recall_chip_ci, recall_float_ci, sites_ci;
};

// The rates a kind is measured at: c.upset_rates for upset, else c.rates.
const std::vector<double>& campaign_rates(const FaultCampaign& c, const std::string& kind);
// Every kind x rate x repeat on `chip` (which must take faults: takes_faults());
// the classifier quantized as q; the chip is left fault-free.
std::vector<FaultPoint> run_fault_campaign(ChipDriver& chip, const TrainedClassifier& net, const ChipNetwork& q,
                                           const LabelledImages& data, const FaultCampaign& c,
                                           const std::function<void(size_t done)>& progress = {});

}  // namespace mind1024::host
