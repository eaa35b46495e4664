#include "host/study/layered_study.h"

#include <chrono>

namespace mind1024::host {

namespace {
double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}
}  // namespace

LayeredEval evaluate_layered(ChipDriver& chip, const baselines::LayeredIntNet& net, const MnistSet& test, size_t images,
                             bool wrap, const std::function<void(size_t)>& progress) {
    LayeredEval e;
    const auto host0 = std::chrono::steady_clock::now();
    e.host_label = net.predict_images(test.images, images);
    e.host_wall_seconds = seconds_since(host0);
    const LayeredChipNetwork m = map_layered(net);
    e.layout = m.layout;
    load_layered(chip, m);
    e.chip_label.resize(images);
    e.cycles.resize(images);
    const auto chip0 = std::chrono::steady_clock::now();
    for (size_t i = 0; i < images; ++i) {
        const LayeredAnswer a = classify_layered(chip, m, test.image(i), wrap);
        e.chip_label[i] = a.label;
        e.cycles[i] = a.run.cycles;
        e.total_cycles += a.run.cycles;
        e.sim_seconds += a.run.sim_seconds;
        e.overflow_events += a.run.ovf_count;
        e.images_with_overflow += a.run.ovf_count != 0;
        e.correct += a.label == test.labels[i];
        e.host_correct += e.host_label[i] == test.labels[i];
        if (a.label == e.host_label[i]) ++e.agree;
        else e.disagreeing.push_back(i);
        if (progress && (i + 1) % 64 == 0) progress(i + 1);
    }
    if (progress) progress(images);
    e.chip_wall_seconds = seconds_since(chip0);
    return e;
}

}  // namespace mind1024::host
