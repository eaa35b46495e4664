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

// syn (stuck synapse bits, half at 0), seu (synapse upsets), neuron (stuck
// neurons, half at +1), acc (stuck accumulator bits).
const std::vector<std::string>& fault_kinds();
const char* fault_kind_title(const std::string& kind);

struct FaultCampaign {
    std::vector<std::string> kinds = fault_kinds();
    std::vector<double> rates{0, 1e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1};
    uint64_t fault_seed = 1, seu_at = 2000;
    bool recall = true;       // the Hebb memory beside MNIST
    uint32_t patterns = 40, probes = 20;
    double flip = 0.1;        // fraction of a probe's neurons flipped
    bool wrap = false;
};

// The SPEC of one kind at one rate (the fraction of its sites that are faulty) on chip p.
FaultSpec fault_spec_for(const std::string& kind, double rate, const FaultCampaign& c, const ChipParams& p);
// Faulty sites of a plan: stuck synapse bits, upsets, stuck neurons, stuck accumulator bits.
size_t faulty_sites(const FaultPlan& f);

struct FaultPoint {
    std::string kind, spec;
    double rate = 0;
    size_t sites = 0;
    double mnist_chip = 0, mnist_float = 0;    // fraction correct
    double recall_chip = 0, recall_float = 0;  // mean final overlap
};

// Every kind x rate on `chip` (which must take faults: takes_faults()); the
// classifier quantized as q; the chip is left fault-free.
std::vector<FaultPoint> run_fault_campaign(ChipDriver& chip, const TrainedClassifier& net, const ChipNetwork& q,
                                           const LabelledImages& data, const FaultCampaign& c,
                                           const std::function<void(size_t done)>& progress = {});

}  // namespace mind1024::host
