// The layered network study: a trained layered binary network on the chip,
// one sweep per image, compared image by image with the host's integer
// inference of the same network. Results are values; `layered` writes them.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "host/board/chip_driver.h"
#include "host/classify/layered_chip.h"
#include "host/data/idx_reader.h"

namespace mind1024::host {

struct LayeredEval {
    LayeredLayout layout;
    std::vector<int> chip_label;
    std::vector<uint8_t> host_label;  // the host's integer model: the reference the chip must equal
    std::vector<uint64_t> cycles;
    size_t correct = 0, host_correct = 0, agree = 0, images_with_overflow = 0;
    size_t chip_unanswered = 0;  // images whose top output score is shared (a tie: labelled the lowest of them)
    uint64_t total_cycles = 0, overflow_events = 0;
    std::vector<size_t> disagreeing;
    double sim_seconds = 0, chip_wall_seconds = 0, host_wall_seconds = 0;

    size_t images() const { return chip_label.size(); }
    double accuracy_chip() const { return 100.0 * double(correct) / double(images()); }
    double accuracy_host() const { return 100.0 * double(host_correct) / double(images()); }
    double cycles_per_image() const { return double(total_cycles) / double(images()); }
};

// The network's input pixels of `test`: the images themselves when they have
// net.inputs pixels, the window of network.json's input.crop when they are whole
// images of the size it was cut from; DataError naming both (and `net_name`) otherwise.
MnistSet layered_inputs(const baselines::LayeredIntNet& net, const MnistSet& test, const std::string& net_name);

// The first `images` test images (net.inputs pixels each) on the chip and on the host.
LayeredEval evaluate_layered(ChipDriver& chip, const baselines::LayeredIntNet& net, const MnistSet& test, size_t images,
                             bool wrap, const std::function<void(size_t done)>& progress = {});

}  // namespace mind1024::host
