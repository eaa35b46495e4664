#include "host/study/layered_study.h"

#include <algorithm>
#include <chrono>

#include <fmt/format.h>

#include "host/data/data_error.h"

namespace mind1024::host {

namespace {
double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}
}  // namespace

MnistSet layered_inputs(const baselines::LayeredIntNet& net, const MnistSet& test, const std::string& net_name) {
    if (test.image_size() == net.inputs) return test;
    if (!net.crop.whole() && test.rows == net.crop.image_rows && test.cols == net.crop.image_cols) {
        MnistSet cut = test;
        cut.images = net.crop.select(test.images, test.count);
        cut.rows = static_cast<uint32_t>(net.crop.rows);
        cut.cols = static_cast<uint32_t>(net.crop.cols);
        return cut;
    }
    throw DataError(fmt::format("{}: images of {} x {} = {} pixels, the network ({}) takes {} inputs", test.images_path,
                                test.rows, test.cols, test.image_size(), net_name, net.inputs));
}

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
    constexpr size_t kChunk = 64;  // images per run_many: one link BATCH each on a board process
    for (size_t i0 = 0; i0 < images; i0 += kChunk) {
        const size_t count = std::min(kChunk, images - i0);
        const std::vector<LayeredAnswer> answers =
            classify_layered_many(chip, m, test.image(i0), size_t{test.rows} * test.cols, count, wrap);
        for (size_t i = i0; i < i0 + count; ++i) {
            const LayeredAnswer& a = answers[i - i0];
            e.chip_label[i] = a.label;
            e.cycles[i] = a.run.cycles;
            e.total_cycles += a.run.cycles;
            e.sim_seconds += a.run.sim_seconds;
            e.overflow_events += a.run.ovf_count;
            e.images_with_overflow += a.run.ovf_count != 0;
            e.correct += a.label == test.labels[i];
            e.chip_unanswered += std::count(a.scores.begin(), a.scores.end(), a.scores[size_t(a.label)]) > 1;
            e.host_correct += e.host_label[i] == test.labels[i];
            if (a.label == e.host_label[i]) ++e.agree;
            else e.disagreeing.push_back(i);
        }
        if (progress) progress(i0 + count);
    }
    if (progress) progress(images);
    e.chip_wall_seconds = seconds_since(chip0);
    return e;
}

}  // namespace mind1024::host
