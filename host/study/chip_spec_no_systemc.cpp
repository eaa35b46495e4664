// open_chip's SystemC branch where SystemC must not be loaded (the Python
// module: SystemC elaborates once per process and its fatal errors end it).
// Such programs reach the SystemC chip through a board process instead.
#include "host/board/errors.h"
#include "host/study/chip_spec.h"

namespace mind1024::host {

std::unique_ptr<ChipDriver> open_in_process_chip(const ChipSpec&, const FaultPlan&) {
    throw BadArgument("this program does not load SystemC: run the SystemC chip in a board process "
                      "(mind-board --listen; in Python, backend='systemc'), or use the reference or engine model");
}

}  // namespace mind1024::host
