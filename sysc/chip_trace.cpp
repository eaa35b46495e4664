#include "sysc/chip.h"

namespace mind1024::sysc {

void Mind1024Chip::trace(sc_core::sc_trace_file* tf) const {
    const std::string p = std::string(name()) + ".";
    sc_core::sc_trace(tf, tv_.busy, p + "busy");
    sc_core::sc_trace(tf, tv_.irq, p + "irq");
    sc_core::sc_trace(tf, tv_.sweep, p + "sweep");
    sc_core::sc_trace(tf, tv_.flips, p + "flips");
    sc_core::sc_trace(tf, tv_.ovf, p + "ovf");
    sc_core::sc_trace(tf, tv_.ovf_count, p + "ovf_count");
    sc_core::sc_trace(tf, tv_.neuron, p + "neuron");
    sc_core::sc_trace(tf, tv_.cycles, p + "cycles");
}

}  // namespace mind1024::sysc
