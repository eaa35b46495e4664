#include "host/baselines/float_nets.h"

#include <chrono>
#include <cmath>

#include "host/baselines/torch_helpers.h"

namespace mind1024::host::baselines {

namespace th = torch_helpers;

namespace {

struct SoftmaxNet : torch::nn::Module {
    torch::nn::Linear fc{nullptr};
    SoftmaxNet() { fc = register_module("fc", torch::nn::Linear(784, 10)); }
    torch::Tensor forward(const torch::Tensor& x) { return fc(x.flatten(1)); }
};

struct MlpNet : torch::nn::Module {
    torch::nn::Linear fc1{nullptr}, fc2{nullptr};
    torch::nn::Dropout drop{nullptr};
    MlpNet() {
        fc1 = register_module("fc1", torch::nn::Linear(784, 800));
        drop = register_module("drop", torch::nn::Dropout(0.3));
        fc2 = register_module("fc2", torch::nn::Linear(800, 10));
    }
    torch::Tensor forward(const torch::Tensor& x) { return fc2(drop(torch::relu(fc1(x.flatten(1))))); }
};

struct CnnNet : torch::nn::Module {
    torch::nn::Conv2d c1{nullptr}, c2{nullptr};
    torch::nn::BatchNorm2d bn1{nullptr}, bn2{nullptr};
    torch::nn::Linear fc1{nullptr}, fc2{nullptr};
    torch::nn::Dropout drop{nullptr};
    CnnNet() {
        c1 = register_module("c1", torch::nn::Conv2d(torch::nn::Conv2dOptions(1, 16, 3).padding(1).bias(false)));
        bn1 = register_module("bn1", torch::nn::BatchNorm2d(16));
        c2 = register_module("c2", torch::nn::Conv2d(torch::nn::Conv2dOptions(16, 32, 3).padding(1).bias(false)));
        bn2 = register_module("bn2", torch::nn::BatchNorm2d(32));
        fc1 = register_module("fc1", torch::nn::Linear(32 * 7 * 7, 128));
        drop = register_module("drop", torch::nn::Dropout(0.3));
        fc2 = register_module("fc2", torch::nn::Linear(128, 10));
    }
    torch::Tensor forward(const torch::Tensor& x) {
        torch::Tensor y = torch::max_pool2d(torch::relu(bn1(c1(x))), 2);
        y = torch::max_pool2d(torch::relu(bn2(c2(y))), 2);
        return fc2(drop(torch::relu(fc1(y.flatten(1)))));
    }
};

struct Recipe {
    double lr = 1e-3;
    size_t batch = 64;
    int shift = 0;
    nlohmann::json architecture;
};

Recipe recipe(FloatModel m) {
    switch (m) {
        case FloatModel::Softmax: return {1e-3, 64, 0, "784-10 linear, softmax cross-entropy"};
        case FloatModel::Mlp: return {1e-3, 64, 2, "784-800-10, ReLU, dropout 0.3 after the hidden layer"};
        case FloatModel::Cnn:
            return {1e-3, 64, 2,
                    "conv3x3 1->16 (no bias), BN, ReLU, maxpool 2; conv3x3 16->32 (no bias), BN, ReLU, maxpool 2; "
                    "1568-128 ReLU, dropout 0.3, 128-10"};
    }
    return {};
}

template <class Net>
TrainResult train_net(FloatModel m, std::shared_ptr<Net> net, const MnistSet& train, const MnistSet& test,
                      const TrainOptions& opt) {
    const Recipe r = recipe(m);
    const int epochs = opt.epochs > 0 ? opt.epochs : default_epochs(m);
    TrainResult res;
    res.model = to_string(m);
    for (const auto& p : net->parameters()) res.parameters += static_cast<size_t>(p.numel());
    res.settings = {{"architecture", r.architecture},
                    {"optimizer", "Adam"},
                    {"learning_rate", r.lr},
                    {"schedule", "cosine to 0 over all steps"},
                    {"batch", r.batch},
                    {"epochs", epochs},
                    {"shift_augmentation_px", r.shift},
                    {"input", "(pixel/255 - 0.1307) / 0.3081"},
                    {"train_images", train.count},
                    {"test_images", test.count}};
    torch::optim::Adam adam(net->parameters(), torch::optim::AdamOptions(r.lr));
    th::FitSpec spec{res.model, r.lr, r.batch, r.shift, epochs, th::Pixels::Normalized, opt.seed, opt.progress};
    th::fit(*net, [&](const torch::Tensor& x) { return net->forward(x); }, adam, train, test, spec, res);
    res.settings["inference"] = "eval mode, batches of 1000, time per image = pass time / test images";
    for (const auto& p : net->named_parameters()) res.weights[p.key()] = th::named_array(p.value());
    for (const auto& b : net->named_buffers())
        if (b.value().is_floating_point()) res.weights[b.key()] = th::named_array(b.value());
    return res;
}

}  // namespace

const char* to_string(FloatModel m) {
    switch (m) {
        case FloatModel::Softmax: return "softmax";
        case FloatModel::Mlp: return "mlp";
        case FloatModel::Cnn: return "cnn";
    }
    return "?";
}

int default_epochs(FloatModel m) {
    switch (m) {
        case FloatModel::Softmax: return 10;
        case FloatModel::Mlp: return 20;
        case FloatModel::Cnn: return 6;
    }
    return 1;
}

TrainResult train_float_model(FloatModel m, const MnistSet& train, const MnistSet& test, const TrainOptions& opt) {
    set_torch_threads(opt.threads);
    torch::manual_seed(opt.seed);
    switch (m) {
        case FloatModel::Softmax: return train_net(m, std::make_shared<SoftmaxNet>(), train, test, opt);
        case FloatModel::Mlp: return train_net(m, std::make_shared<MlpNet>(), train, test, opt);
        case FloatModel::Cnn: return train_net(m, std::make_shared<CnnNet>(), train, test, opt);
    }
    return {};
}

void set_torch_threads(int n) {
    torch::set_num_threads(std::max(1, n));
    static bool interop_set = false;  // settable once, before any inter-op work
    if (!interop_set) {
        torch::set_num_interop_threads(1);
        interop_set = true;
    }
}

std::string torch_version() { return TORCH_VERSION; }

}  // namespace mind1024::host::baselines
