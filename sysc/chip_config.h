// How one chip instance is built beyond its parameters: what the platform's
// configuration wires in at elaboration (faults, the datapath, the engine's
// event granularity). No SystemC here, so host code can fill it in.
#pragma once
#include <memory>

#include "sysc/engine/datapath.h"
#include "sysc/fault_plan.h"

namespace mind1024::sysc {

struct ChipConfig {
    bool per_neuron_events = false;  // one wait per neuron update (for tracing)
    FaultPlan faults;                // injected at elaboration; set_faults() changes them later
    // nullptr: the built-in C++ arithmetic (the engine's fast kernels); else, e.g., the
    // Verilated RTL unit (rtl/datapath_factory.h). Shared: the chip keeps it alive.
    std::shared_ptr<engine::Datapath> datapath;
};

}  // namespace mind1024::sysc
