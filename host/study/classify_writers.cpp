#include "host/study/classify_writers.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "host/report/output_file.h"
#include "host/report/plot.h"
#include "host/report/png.h"

namespace mind1024::host {

namespace {
// One example: the input, its binarized crop, the attractor it settled in
// (the mean of the prototypes left on), the prototype neurons' final state,
// and the label neurons (one column per class, the answer underlined).
std::vector<GreyImage> example_tiles(const MnistSet& test, size_t i, const TrainedClassifier& t,
                                     const std::vector<int8_t>& final_state, int label) {
    const ClassifierLayout& L = t.layout;
    const PixelCoding& c = t.cfg.coding;
    GreyImage input(static_cast<int>(test.cols), static_cast<int>(test.rows));
    std::copy(test.image(i), test.image(i) + test.image_size(), input.pixels.begin());
    GreyImage crop = state_image(final_state, 0, static_cast<int>(c.width), static_cast<int>(c.height));
    const int pw = static_cast<int>(L.classes) * 3, ph = static_cast<int>((L.protos + pw - 1) / pw);
    GreyImage protos = state_image(final_state, L.first_proto, pw, ph);
    GreyImage recalled(static_cast<int>(c.width), static_cast<int>(c.height));
    std::vector<double> mean(c.size(), 0.0);
    int on = 0;
    for (uint32_t m = 0; m < L.protos; ++m) {
        if (final_state[L.first_proto + m] <= 0) continue;
        ++on;
        for (uint32_t p = 0; p < c.size(); ++p) mean[p] += t.centroids[size_t{m} * c.size() + p];
    }
    for (uint32_t p = 0; p < c.size(); ++p)
        recalled.pixels[p] = static_cast<uint8_t>(std::lround(127.5 * (1.0 + (on ? mean[p] / on : -1.0))));
    GreyImage labels(static_cast<int>(L.classes) * 3, static_cast<int>(t.cfg.label_reps) * 3 + 2, 128);
    for (uint32_t k = 0; k < L.labels; ++k) {
        const int x = static_cast<int>(k / t.cfg.label_reps) * 3 + 1, y = static_cast<int>(k % t.cfg.label_reps) * 3 + 1;
        const uint8_t v = final_state[L.first_label + k] > 0 ? 255 : 0;
        labels.at(x, y) = v;
    }
    for (int x = 0; x < 3; ++x) labels.at(label * 3 + x, labels.height - 1) = 255;  // marks the answer
    // Pad everything to one tile size so they line up.
    const int side = std::max({input.width, input.height, crop.width, protos.width, protos.height, labels.width});
    auto pad = [side](const GreyImage& g) {
        GreyImage o(side, side, 64);
        for (int y = 0; y < g.height; ++y)
            for (int x = 0; x < g.width; ++x) o.at(x + (side - g.width) / 2, y + (side - g.height) / 2) = g.pixels[size_t(y) * g.width + x];
        return o;
    };
    return {pad(input), pad(crop), pad(recalled), pad(protos), pad(labels)};
}

}  // namespace

void write_confusion_csv(const std::string& path, const std::vector<size_t>& m, uint32_t K) {
    write_stream_atomic(path, [&](std::ostream& s) {
        s << "true\\predicted";
        for (uint32_t p = 0; p < K; ++p) s << ',' << p;
        s << '\n';
        for (uint32_t t = 0; t < K; ++t) {
            s << t;
            for (uint32_t p = 0; p < K; ++p) s << ',' << m[t * K + p];
            s << '\n';
        }
    });
}

void write_confusion_png(const std::string& path, const std::vector<size_t>& m, uint32_t classes,
                         const std::string& title) {
    MatrixSpec spec{title, "predicted label", "true label", "images (count, linear scale)", {}, {}, {}};
    for (uint32_t k = 0; k < classes; ++k) spec.row_labels.push_back(std::to_string(k));
    spec.col_labels = spec.row_labels;
    spec.values.assign(m.begin(), m.end());
    matrix_png(path, spec);
}

void write_predictions_csv(const std::string& path, const std::vector<uint8_t>& labels, const ClassifierEval& e,
                           size_t count, bool with_cycles) {
    // Without the float twin (--no-float) there is no float_label column.
    const bool fl = e.twin_run;
    write_stream_atomic(path, [&](std::ostream& s) {
        s << "image,true_label,chip_label" << (fl ? ",float_label" : "") << ",chip_sweeps"
          << (with_cycles ? ",chip_cycles" : "") << "\n";
        for (size_t i = 0; i < count; ++i) {
            s << i << ',' << int(labels[i]) << ',' << e.chip.predicted[i];
            if (fl) s << ',' << e.twin.predicted[i];
            s << ',' << e.chip.sweeps[i];
            if (with_cycles) s << ',' << e.chip.cycles[i];
            s << '\n';
        }
    });
}

void write_examples_png(const std::string& path, const MnistSet& test, const TrainedClassifier& net,
                        const ClassifierEval& e, const std::string& chip_name) {
    const auto& states = e.example_states;
    const auto& pred = e.chip.predicted;
    const auto& sweeps = e.chip.sweeps;
    std::vector<GreyImage> tiles;
    for (size_t i = 0; i < states.size(); ++i) {
        auto row = example_tiles(test, i, net, states[i], pred[i]);
        tiles.insert(tiles.end(), row.begin(), row.end());
    }
    const GreyImage grid = tile_images(tiles, 5, 5);
    ImageGridSpec spec{fmt::format("The first {} test images on the {} chip", states.size(), chip_name),
                       {"input\n28 x 28", "pixel neurons\n(clamped crop)", "recalled: mean\nof prototypes on",
                        fmt::format("{} prototype\nneurons (white: on)", net.layout.protos),
                        "label neurons:\nclass 0..9 left to right,\nthe answer underlined"},
                       {}};
    for (size_t i = 0; i < states.size(); ++i)
        spec.row_labels.push_back(fmt::format("true {}, chip {}\n{} sweep{}{}", int(test.labels[i]), pred[i], sweeps[i],
                                              sweeps[i] == 1 ? "" : "s",
                                              pred[i] == test.labels[i] ? "" : "\n(wrong)"));
    // Without gnuplot the tiles still go out, unlabelled.
    if (!image_grid_png(path, grid, spec)) write_png(path, grid);
}

}  // namespace mind1024::host
