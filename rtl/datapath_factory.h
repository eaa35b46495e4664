// The neuron datapaths a chip can be built with, by name: "cpp" (the built-in
// C++ arithmetic) or "rtl" (the Verilated unit, when this build has it).
// mind1024 and mind-board both go through here, so their --datapath agree.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "sysc/chip_params.h"
#include "sysc/engine/datapath.h"

namespace mind1024::rtl {

// nullptr for "cpp"; std::invalid_argument naming the reason otherwise (an
// unknown name, a build without Verilator, parameters the RTL was not built for).
std::shared_ptr<engine::Datapath> make_datapath(const std::string& name, const ChipParams& p);
std::vector<std::string> datapath_names();  // cpp, rtl
bool have_rtl_datapath();

}  // namespace mind1024::rtl
