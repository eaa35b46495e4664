// open_chip's SystemC branch: a board in this process (one per process), with
// its faults and datapath given at elaboration. Linked into the programs that
// elaborate SystemC (mind1024_study); the Python module links
// chip_spec_no_systemc.cpp instead.
#include <fmt/format.h>

#include "host/board/bare_driver.h"
#include "host/board/errors.h"
#include "host/board/firmware_driver.h"
#include "host/board/in_process_transport.h"
#include "host/study/chip_spec.h"
#include "rtl/datapath_factory.h"

namespace mind1024::host {

std::unique_ptr<ChipDriver> open_in_process_chip(const ChipSpec& s, const FaultPlan& plan) {
    const bool fw = s.mode == "firmware";
    InProcessOptions io;
    io.vcd_path = s.vcd;
    io.chip.per_neuron_events = s.per_neuron_events;
    io.chip.faults = plan;
    try {
        io.chip.datapath = rtl::make_datapath(s.datapath, s.params);
    } catch (const std::invalid_argument& e) {
        throw BadArgument(fmt::format("--datapath {}: {}", s.datapath, e.what()));
    }
    if (fw) io.firmware_path = s.firmware.empty() ? MIND1024_DEFAULT_FIRMWARE : s.firmware;
    InProcessTransport& t = InProcessTransport::open(s.params, io);
    if (fw) return std::make_unique<FirmwareDriver>(t);
    return std::make_unique<BareDriver>(t);
}

}  // namespace mind1024::host
