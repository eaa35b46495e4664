// mind1024-train: the software baselines (libtorch float models, our spiking
// STDP network) and the training of the layered binary network for the chip.
// A program of its own so that mind1024 never loads libtorch.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "host/baselines/dataset.h"
#include "host/baselines/float_nets.h"
#include "host/data/idx_reader.h"
#include "host/baselines/layered_net.h"
#include "host/baselines/layered_qat.h"
#include "host/data/npy.h"
#include "host/report/output_file.h"
#include "host/baselines/stdp_network.h"
#include "host/cli/validators.h"
#include "mind1024_version.h"  // generated at build time: MIND1024_VERSION_STRING

namespace {

using namespace mind1024::host;
using namespace mind1024::host::baselines;

struct Options {
    std::string data, model, out;
    int epochs = 0, threads = 1;
    uint64_t seed = 1;
    size_t train_limit = 0, test_limit = 0;
    bool quiet = false;
    // layered
    size_t hidden = 230, crop = 28;
    unsigned wbits = 8;
    bool ptq = false, no_batch_norm = false;
    std::string scale_granularity = "layer", inputs_dir;
    double lr = LayeredOptions{}.lr;
    int shift = LayeredOptions{}.shift;
    size_t batch = LayeredOptions{}.batch;
    // stdp
    size_t neurons = StdpOptions{}.neurons;
    int steps = StdpOptions{}.steps;
};

std::string command_line(int argc, char** argv) {
    std::string c;
    for (int k = 0; k < argc; ++k) c += (k ? " " : "") + std::string(argv[k]);
    return c;
}

// OpenMP and OpenBLAS read their thread counts when they load, before main():
// if the environment does not already say `threads`, set it and start again.
void pin_threads(int threads, char** argv) {
    const std::string n = std::to_string(threads);
    auto is = [](const char* name, const std::string& v) {
        const char* e = std::getenv(name);
        return e && v == e;
    };
    // Spin-waiting OpenMP threads make a shared 2-core machine 10-30x slower.
    if (is("OMP_NUM_THREADS", n) && is("OPENBLAS_NUM_THREADS", n) && is("MKL_NUM_THREADS", n) &&
        is("OMP_WAIT_POLICY", "PASSIVE"))
        return;
    if (std::getenv("MIND1024_TRAIN_REEXEC")) return;  // once only
    setenv("OMP_NUM_THREADS", n.c_str(), 1);
    setenv("OPENBLAS_NUM_THREADS", n.c_str(), 1);
    setenv("MKL_NUM_THREADS", n.c_str(), 1);
    setenv("OMP_WAIT_POLICY", "PASSIVE", 1);
    setenv("MIND1024_TRAIN_REEXEC", "1", 1);
    execv("/proc/self/exe", argv);
    std::fprintf(stderr, "mind1024-train: warning: could not restart with %s threads in the environment\n", n.c_str());
}

nlohmann::json provenance(const Options& o, const std::string& cmd) {
    return {{"program", "mind1024-train"},
            {"version", MIND1024_VERSION_STRING},
            {"command_line", cmd},
            {"torch", torch_version()},
            {"threads", o.threads},
            {"seed", o.seed}};
}

nlohmann::json data_json(const MnistSet& train, const MnistSet& test) {
    return {{"train_images", train.images_path}, {"train_count", train.count},
            {"test_images", test.images_path},   {"test_count", test.count}};
}

void print_summary(const TrainResult& r) {
    std::printf("%s\n", fmt::format("{}: test accuracy {:.2f}%, training {:.1f} s, inference {:.1f} us/image, {} "
                                    "parameters",
                                    r.model, 100 * r.test_accuracy, r.train_seconds,
                                    1e6 * r.infer_seconds_per_image, r.parameters)
                            .c_str());
}

nlohmann::json result_json(const TrainResult& r) {
    nlohmann::json w = nlohmann::json::object();
    for (const auto& [name, a] : r.weights) w[name] = {{"file", name + ".npy"}, {"dtype", "float32"}, {"shape", a.shape}};
    return {{"model", r.model},
            {"settings", r.settings},
            {"parameters", r.parameters},
            {"test_accuracy", r.test_accuracy},
            {"train_seconds", r.train_seconds},
            {"infer_seconds_per_image", r.infer_seconds_per_image},
            {"epochs", epochs_json(r.epochs)},
            {"weights", w}};
}

void write_result(const std::string& dir, const TrainResult& r, const MnistSet& test, nlohmann::json j) {
    OutputSet out(dir);
    for (const auto& [name, a] : r.weights) write_npy<float>(out.path(name + ".npy"), a.shape, a.values);
    write_stream_atomic(out.path("predictions.csv"), [&](std::ostream& s) {
        s << "image,true_label,predicted_label\n";
        for (size_t i = 0; i < r.test_predictions.size(); ++i)
            s << i << ',' << int(test.labels[i]) << ',' << int(r.test_predictions[i]) << '\n';
    });
    write_text_atomic(out.path("result.json"), j.dump(2) + "\n");
    out.publish();
}

// Both splits as the network's inputs (its window of each image), for a
// `mind1024 layered --data` that feeds pixels to the inputs one to one.
void write_inputs(const Options& o, const InputCrop& crop, const MnistSet& train, const MnistSet& test) {
    if (o.inputs_dir.empty()) return;
    write_idx_splits(o.inputs_dir, crop.rows, crop.cols, crop.select(train.images, train.count), train.labels,
                     crop.select(test.images, test.count), test.labels);
    std::fprintf(stderr, "mind1024-train: wrote %s/{train,t10k}-{images-idx3,labels-idx1}-ubyte (%zu x %zu images)\n",
                 o.inputs_dir.c_str(), crop.rows, crop.cols);
}

int run_layered(const Options& o, const MnistSet& train, const MnistSet& test, const TrainOptions& to,
                const std::string& cmd) {
    LayeredOptions lo;
    lo.hidden = o.hidden;
    lo.wbits = o.wbits;
    lo.quantize_in_training = !o.ptq;
    lo.batch_norm = !o.no_batch_norm;
    lo.row_scales = o.scale_granularity == "row";
    lo.crop = InputCrop::centred(o.crop);
    lo.lr = o.lr;
    lo.shift = o.shift;
    lo.batch = o.batch;
    LayeredTrainResult r = train_layered(train, test, lo, to);
    const LayeredIntNet net = fold_layered(r.quantized);
    const auto t0 = std::chrono::steady_clock::now();
    const std::vector<uint8_t> pred = net.predict_images(net.crop.select(test.images, test.count), test.count);
    const double int_secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    size_t agree = 0;
    for (size_t i = 0; i < pred.size(); ++i) agree += pred[i] == r.fake_quantized_predictions[i];
    const double int_acc = accuracy(pred, test.labels);
    r.train.test_accuracy = int_acc;
    print_summary(r.train);
    std::printf("%s\n", fmt::format("layered {}-{}-{} wbits {}{}: integer {:.2f}% (fake-quantized {:.2f}%, float {:.2f}%, "
                                    "agreement {}/{}), max |t1| {}, accumulator {} bits",
                                    net.inputs, net.hidden, net.outputs, net.wbits, o.ptq ? " (post-training)" : "",
                                    100 * int_acc, 100 * r.fake_quantized_accuracy, 100 * r.float_accuracy, agree,
                                    pred.size(), net.max_abs_threshold(), net.accumulator_bits())
                            .c_str());
    if (o.out.empty()) return 0;
    LayeredExportInfo info;
    info.s1 = r.quantized.s1;
    info.s2 = r.quantized.s2;
    info.s1_rows = r.quantized.s1_rows;
    info.training = r.train.settings;
    info.training["seed"] = o.seed;
    info.training["threads"] = o.threads;
    info.training["train_seconds"] = r.train.train_seconds;
    info.training["epoch_log"] = epochs_json(r.train.epochs);
    info.accuracy = {{"integer", int_acc},
                     {"fake_quantized", r.fake_quantized_accuracy},
                     {"float", r.float_accuracy},
                     {"integer_agrees_with_fake_quantized", agree},
                     {"test_images", test.count},
                     {"integer_infer_seconds_per_image", int_secs / std::max<uint32_t>(1, test.count)},
                     {"integer_inference", "host, one image at a time, one thread"}};
    info.extra = {{"data", data_json(train, test)}, {"provenance", provenance(o, cmd)}};
    write_layered(o.out, net, info);
    std::fprintf(stderr, "mind1024-train: wrote %s/network.json, w1.npy, t1.npy, w2.npy, b2.npy\n", o.out.c_str());
    write_inputs(o, net.crop, train, test);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    const std::string cmd = command_line(argc, argv);
    Options o;
    CLI::App app{"mind1024-train: train the software baselines on MNIST (softmax, MLP, CNN with libtorch; a spiking "
                 "STDP network of ours) and the layered binary network for the chip, which it exports as integer "
                 ".npy files (docs/layered-network.md)"};
    app.set_version_flag("--version", std::string("mind1024-train ") + MIND1024_VERSION_STRING);
    app.add_option("--model", o.model, "softmax, mlp, cnn, stdp or layered")
        ->required()
        ->check(CLI::IsMember({"softmax", "mlp", "cnn", "stdp", "layered"}));
    app.add_option("--data", o.data, "the MNIST directory (IDX files, raw or .gz); default $MIND1024_DATA, else data/mnist");
    app.add_option("--epochs", o.epochs,
                   "epochs (default: softmax 10, mlp 20, cnn 6, layered 60, stdp 1 unsupervised pass)")
        ->check(whole_number(1, 10000));
    app.add_option("--seed", o.seed, "seed of the initialization, shuffles, augmentation and dropout")
        ->check(whole_number(0, UINT64_MAX));
    app.add_option("--threads", o.threads, "torch threads (results are reproducible at a fixed count)")
        ->check(whole_number(1, 64))
        ->capture_default_str();
    app.add_option("--train-limit", o.train_limit, "use only the first N training images (0: all)")
        ->check(whole_number(0, 1u << 30));
    app.add_option("--test-limit", o.test_limit, "use only the first N test images (0: all)")
        ->check(whole_number(0, 1u << 30));
    app.add_option("--out", o.out,
                   "output directory: result.json, predictions.csv and <weight>.npy files; for layered network.json, w1.npy, t1.npy, "
                   "w2.npy, b2.npy");
    app.add_flag("--quiet", o.quiet, "no per-epoch progress on stderr");
    app.add_option("--hidden", o.hidden, "layered: hidden sign units (inputs + H + 10 <= 1024: H <= 230 with all 784 "
                                         "pixels, <= 614 with --crop 20)")
        ->check(whole_number(1, 1014))
        ->capture_default_str();
    app.add_option("--crop", o.crop,
                   "layered: the inputs are the centred N x N window of the 28 x 28 image (top = left = (28 - N) / 2; "
                   "network.json input.crop); N^2 input neurons leave 1014 - N^2 for hidden units")
        ->check(whole_number(1, 28))
        ->capture_default_str();
    app.add_option("--scale-granularity", o.scale_granularity,
                   "layered: w1's fake-quantization scale, one per layer or one per row (hidden unit: folds into its "
                   "threshold, so the chip's integers need nothing more); w2 keeps one per layer")
        ->check(CLI::IsMember({"layer", "row"}))
        ->capture_default_str();
    app.add_option("--lr", o.lr, "layered: Adam's learning rate at the start of the cosine schedule")
        ->check(CLI::Range(1e-6, 1.0))
        ->capture_default_str();
    app.add_option("--shift", o.shift, "layered: training images shifted by up to ±N px (seeded, new every epoch)")
        ->check(whole_number(0, 8))
        ->capture_default_str();
    app.add_option("--batch", o.batch, "layered: mini-batch size")->check(whole_number(1, 60000))->capture_default_str();
    app.add_option("--write-inputs", o.inputs_dir,
                   "layered: also write the training and test splits as the network's inputs (its --crop window of "
                   "each image) as IDX files in this directory, for `mind1024 layered --data DIR`");
    app.add_option("--wbits", o.wbits, "layered: weight bits (two's complement codes)")
        ->check(whole_number(1, 8))
        ->capture_default_str();
    app.add_flag("--ptq", o.ptq, "layered: train float weights, quantize after training");
    app.add_flag("--no-batch-norm", o.no_batch_norm, "layered: a bias per hidden unit instead of batch norm");
    app.add_option("--neurons", o.neurons, "stdp: excitatory neurons")->check(whole_number(1, 10000))->capture_default_str();
    app.add_option("--steps", o.steps, "stdp: time steps per image")->check(whole_number(1, 1000))->capture_default_str();
    try {
        app.parse(argc, argv);
        const bool layered = o.model == "layered", stdp = o.model == "stdp";
        for (const char* opt : {"--hidden", "--wbits", "--ptq", "--no-batch-norm", "--crop", "--scale-granularity", "--lr",
                                "--shift", "--batch", "--write-inputs"})
            if (!layered && app.count(opt)) throw CLI::ValidationError(opt, "only for --model layered");
        if (layered && o.crop * o.crop + o.hidden + 10 > 1024)
            throw CLI::ValidationError("--hidden", fmt::format("{} inputs ({} x {}) + {} hidden + 10 outputs = {} neurons, "
                                                               "more than the chip's 1024",
                                                               o.crop * o.crop, o.crop, o.crop, o.hidden,
                                                               o.crop * o.crop + o.hidden + 10));
        for (const char* opt : {"--neurons", "--steps"})
            if (!stdp && app.count(opt)) throw CLI::ValidationError(opt, "only for --model stdp");
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    }
    pin_threads(o.threads, argv);
    try {
        // Everything that can fail is checked before the training.
        if (!o.out.empty())
            check_output_dir(o.out, o.model == "layered" ? layered_file_names() : std::vector<std::string>{"result.json", "predictions.csv"});
        if (!o.inputs_dir.empty())
            check_output_dir(o.inputs_dir, idx_split_file_names());
        const std::string dir = resolve_data_dir(o.data);
        MnistSet train = first_items(load_mnist_split(dir, Split::Train), o.train_limit);
        MnistSet test = first_items(load_mnist_split(dir, Split::Test), o.test_limit);
        check_same_geometry(train, test);
        check_labels(train, 1);
        if (train.rows * train.cols != 784)
            throw DataError(fmt::format("{}: the baselines take 28 x 28 images, not {} x {}", train.images_path,
                                        train.rows, train.cols));
        if (train.num_classes() > 10 || test.num_classes() > 10)
            throw DataError(fmt::format("{}: labels must be 0..9", train.labels_path));
        TrainOptions to;
        to.epochs = o.epochs;
        to.seed = o.seed;
        to.threads = o.threads;
        to.progress = !o.quiet;
        if (o.model == "layered") return run_layered(o, train, test, to, cmd);
        TrainResult r;
        if (o.model == "stdp") {
            StdpOptions so;
            so.neurons = o.neurons;
            so.steps = o.steps;
            set_torch_threads(1);
            r = train_stdp(train, test, so, to);
        } else {
            const FloatModel m = o.model == "softmax" ? FloatModel::Softmax
                                 : o.model == "mlp"   ? FloatModel::Mlp
                                                      : FloatModel::Cnn;
            r = train_float_model(m, train, test, to);
        }
        print_summary(r);
        if (!o.out.empty()) {
            nlohmann::json j = result_json(r);
            j["seed"] = o.seed;
            j["threads"] = o.threads;
            j["data"] = data_json(train, test);
            j["provenance"] = provenance(o, cmd);
            write_result(o.out, r, test, j);
            std::fprintf(stderr, "mind1024-train: wrote %s/result.json, predictions.csv and %zu weight file(s)\n", o.out.c_str(),
                         r.weights.size());
        }
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "mind1024-train: error: %s\n", e.what());
        return 1;
    }
}
