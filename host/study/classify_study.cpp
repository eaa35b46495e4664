#include "host/study/classify_study.h"

#include <algorithm>
#include <chrono>
#include <exception>
#include <thread>

#include "host/classify/classifier_file.h"
#include "host/study/runner.h"

namespace mind1024::host {

namespace {
double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

void tally(ClassifierRun& r, const Classification& c, uint8_t label, bool chip) {
    r.predicted.push_back(c.label);
    r.sweeps.push_back(c.run.sweeps);
    r.correct += c.label == label;
    r.not_converged += !c.run.converged;
    r.unanswered += c.tied;
    if (!chip) return;
    r.cycles.push_back(c.run.cycles);
    r.total_cycles += c.run.cycles;
    r.sim_seconds += c.run.sim_seconds;
    r.overflow_events += c.run.ovf_count;
    r.images_with_overflow += c.run.ovf_count != 0;
    r.max_overflow_events = std::max<uint64_t>(r.max_overflow_events, c.run.ovf_count);
}
}  // namespace

double ClassifierRun::mean_sweeps() const {
    double s = 0;
    for (uint32_t v : sweeps) s += v;
    return sweeps.empty() ? 0.0 : s / double(sweeps.size());
}

std::vector<size_t> ClassifierRun::confusion(const std::vector<uint8_t>& labels, uint32_t classes) const {
    std::vector<size_t> m(size_t{classes} * classes, 0);
    for (size_t i = 0; i < predicted.size(); ++i) ++m[size_t{labels[i]} * classes + size_t(predicted[i])];
    return m;
}

FloatTwin make_twin(const TrainedClassifier& net) {
    FloatTwin twin(net.net);
    twin.set_clamp(net.clamp);
    return twin;
}

void load_classifier_on_chip(ChipDriver& chip, const TrainedClassifier& net, const ChipNetwork& q) {
    chip.soft_reset();
    chip.load_weights(q.weights);
    chip.load_thresholds(q.thresholds);
    chip.set_clamp(net.clamp);
}

ClassifierRun classify_all_on_chip(ChipDriver& chip, const TrainedClassifier& net, const LabelledImages& data,
                                   const ChipRunOptions& opt, std::vector<std::vector<int8_t>>* example_states) {
    const auto t0 = std::chrono::steady_clock::now();
    const auto& pixels = *data.pixels;
    const auto& labels = *data.labels;
    const size_t images = data.count();
    ClassifierRun r;
    const size_t batch = std::max<size_t>(1, opt.batch);
    for (size_t i = 0; i < images;) {
        std::vector<Classification> done;
        if (i < opt.examples) {
            done.push_back(classify_on_chip(chip, net, pixels[i], static_cast<uint32_t>(i + 1), opt.wrap));
            if (example_states) example_states->push_back(chip.state());
        } else {
            const size_t k = std::min(batch, images - i);
            const std::vector<std::vector<int8_t>> slice(pixels.begin() + static_cast<long>(i),
                                                         pixels.begin() + static_cast<long>(i + k));
            done = classify_batch_on_chip(chip, net, slice, static_cast<uint32_t>(i + 1), opt.wrap);
        }
        for (const Classification& c : done) tally(r, c, labels[i++], true);
        if (opt.progress) opt.progress(i);
    }
    r.wall_seconds = seconds_since(t0);
    return r;
}

ClassifierRun classify_all_on_twin(FloatTwin& twin, const TrainedClassifier& net, const LabelledImages& data,
                                   const std::vector<std::pair<uint32_t, int8_t>>* stuck,
                                   const std::atomic<bool>* stop) {
    const auto t0 = std::chrono::steady_clock::now();
    ClassifierRun r;
    for (size_t i = 0; i < data.count() && !(stop && *stop); ++i)
        tally(r, classify_on_twin(twin, net, (*data.pixels)[i], static_cast<uint32_t>(i + 1), stuck),
              (*data.labels)[i], false);
    r.wall_seconds = seconds_since(t0);
    return r;
}

ClassifierEval evaluate_classifier(ChipDriver& chip, const TrainedClassifier& net, const ChipNetwork& q,
                                   const LabelledImages& data, const ClassifierEvalOptions& opt) {
    ClassifierEval e;
    e.classes = net.layout.classes;
    load_classifier_on_chip(chip, net, q);
    // The float twin runs on the second core while the chip runs here.
    std::exception_ptr twin_error;
    std::atomic<bool> stop_twin{false};
    std::thread twin_thread([&] {
        if (!opt.run_twin) return;
        try {
            FloatTwin twin = make_twin(net);
            e.twin = classify_all_on_twin(twin, net, data, nullptr, &stop_twin);
        } catch (...) {
            twin_error = std::current_exception();
        }
    });
    // Joined on every way out, so an error on the chip side is reported, not std::terminate.
    struct Joiner {
        std::thread& t;
        std::atomic<bool>& stop;
        ~Joiner() {
            if (!t.joinable()) return;
            stop = true;
            t.join();
        }
    } joiner{twin_thread, stop_twin};
    e.chip = classify_all_on_chip(chip, net, data, opt.chip, &e.example_states);
    twin_thread.join();
    if (twin_error) std::rethrow_exception(twin_error);
    e.twin_run = opt.run_twin;
    e.confusion = e.chip.confusion(*data.labels, e.classes);
    return e;
}

ChipNetwork quantize_for(const TrainedClassifier& net, const ChipParams& p, const QuantizeOptions& q) {
    return quantize_classifier(net, p.wbits, p.abits, parse_scale_policy(q.scale), parse_rounding(q.rounding), q.seed);
}

nlohmann::json chip_point_json(const ClassifierRun& r, const ChipNetwork& q) {
    const double images = double(r.images());
    return {{"accuracy", r.accuracy()},
            {"mean_sweeps", r.mean_sweeps()},
            {"not_converged", r.not_converged},
            {"cycles_per_image", r.cycles_per_image()},
            {"overflow_events_per_image", double(r.overflow_events) / images},
            {"images_with_overflow", r.images_with_overflow},
            {"thresholds_clipped", q.thresholds_clipped},
            {"weights_clipped_fraction", q.weight_report.clipped_fraction},
            {"weight_rms_error", q.weight_report.rms_error},
            {"scale", q.weight_report.scale},
            {"scale_limited_by", q.scale_limited_by}};
}

std::vector<nlohmann::json> classify_over_chips(const TrainedClassifier& net, const LabelledImages& data,
                                                const std::vector<ChipSpec>& specs, const QuantizeOptions& qo,
                                                unsigned parallel,
                                                const std::function<void(size_t, const nlohmann::json&)>& done) {
    return run_in_children(
        specs.size() + 1, parallel,
        [&](size_t k) -> nlohmann::json {
            if (k == specs.size()) {
                FloatTwin twin = make_twin(net);
                const ClassifierRun r = classify_all_on_twin(twin, net, data);
                return {{"accuracy", r.accuracy()}, {"mean_sweeps", r.mean_sweeps()}, {"not_converged", r.not_converged}};
            }
            const ChipNetwork q = quantize_for(net, specs[k].params, qo);
            auto chip = open_chip(specs[k]);
            load_classifier_on_chip(*chip, net, q);
            ChipRunOptions co;
            co.wrap = specs[k].wrap;
            return chip_point_json(classify_all_on_chip(*chip, net, data, co), q);
        },
        done);
}

nlohmann::json chip_figures_json(const ClassifierRun& r) {
    const double images = double(r.images());
    return {
        {"images", r.images()},
        {"accuracy_fixed", r.accuracy()},
        {"mean_sweeps", r.mean_sweeps()},
        {"not_converged", r.not_converged},
        {"unanswered", r.unanswered},
        {"cycles_per_image", r.cycles_per_image()},
        {"sim_seconds_per_image", images ? r.sim_seconds / images : 0.0},
        {"overflow", {{"events", r.overflow_events}, {"images_with_overflow", r.images_with_overflow},
                      {"max_events_per_image", r.max_overflow_events}}},
    };
}

nlohmann::json quantization_json(const ChipNetwork& q, const std::string& scale_policy, const std::string& rounding) {
    return {{"scale", q.weight_report.scale},
            {"scale_policy", scale_policy},
            {"rounding", rounding},
            {"scale_limited_by", q.scale_limited_by},
            {"clipped_fraction", q.weight_report.clipped_fraction},
            {"max_abs_error", q.weight_report.max_abs_error},
            {"rms_error", q.weight_report.rms_error},
            {"max_abs_threshold", q.max_abs_threshold},
            {"thresholds_clipped", q.thresholds_clipped},
            {"nonzero_weights",
             std::count_if(q.weights.w.begin(), q.weights.w.end(), [](int16_t v) { return v != 0; })}};
}

nlohmann::json classifier_json(const TrainedClassifier& net) {
    const ClassifierConfig& cfg = net.cfg;
    return {{"method", "k-WTA prototype attractor"},
            {"protos_per_class", cfg.protos_per_class},
            {"label_neurons_per_class", cfg.label_reps},
            {"ties", cfg.prototype_ties ? "prototype" : "lowest"},
            {"order", order_name(cfg.order)},
            {"max_sweeps", cfg.max_sweeps},
            {"pixel_threshold", cfg.coding.threshold},
            {"crop", {cfg.coding.top, cfg.coding.left, cfg.coding.height, cfg.coding.width}},
            {"inhibition", cfg.inhibition},
            {"offset", cfg.offset},
            {"label_gain", cfg.label_gain},
            {"ridge", cfg.ridge},
            {"seed", cfg.seed},
            {"neurons", net.layout.first_label + net.layout.labels},
            {"tune", {{"epochs", cfg.tune_epochs}, {"rate", cfg.tune_rate}, {"margin", cfg.tune_margin},
                      {"violations_per_epoch", net.tune_violations}}},
            {"attractor_tune", {{"epochs", cfg.attractor_epochs}, {"rate", cfg.attractor_rate},
                                {"errors_per_epoch", net.attractor_errors}}},
            {"validation", validation_json(net)}};
}

}  // namespace mind1024::host
