#include "host/baselines/layered_qat.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

#include "host/baselines/float_nets.h"
#include "host/baselines/torch_helpers.h"

namespace mind1024::host::baselines {

namespace th = torch_helpers;

namespace {

// Round half away from zero (the project's Quantizer rounds so, torch::round to even).
torch::Tensor round_away(const torch::Tensor& x) { return torch::sign(x) * torch::floor(torch::abs(x) + 0.5); }

struct Quantized {
    torch::Tensor codes;  // float tensor of integer values
    torch::Tensor scale;  // 0-dim (per layer) or (rows, 1) (per row): real value per code
};

Quantized quantize(const torch::Tensor& w, unsigned bits, bool per_row = false) {
    const double top = std::max(1.0, std::ldexp(1.0, static_cast<int>(bits) - 1) - 1);
    torch::Tensor m = per_row ? std::get<0>(w.detach().abs().max(1, /*keepdim=*/true)) : w.detach().abs().max();
    torch::Tensor s = torch::where(m > 0, m / top, torch::ones_like(m));
    const double lo = -std::ldexp(1.0, static_cast<int>(bits) - 1), hi = std::ldexp(1.0, static_cast<int>(bits) - 1) - 1;
    return {round_away(w.detach() / s).clamp(lo, hi), s};
}

// x W^T (+ bias) with W (and the bias, in units of W's scale) quantized to
// codes, computed as scale * (x codes^T + bias codes): the integer sums are
// exact in float, so equal integer fields stay equal (ties break as on the
// host). Backward: straight through to W and the bias.
// Per row (no bias): output i is scaled by row i's scale.
torch::Tensor quantized_linear(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& bias,
                               unsigned bits, bool per_row = false) {
    Quantized q = quantize(w, bits, per_row);
    torch::Tensor wc = w / q.scale;
    torch::Tensor out = torch::matmul(x, (wc + (q.codes - wc).detach()).t());
    if (per_row) return out * q.scale.reshape({1, -1});
    if (bias.defined()) {
        torch::Tensor bc = bias / q.scale;
        out = out + (bc + (round_away(bc.detach()) - bc).detach());
    }
    return out * q.scale;
}

torch::Tensor sign_ste(const torch::Tensor& y) {
    torch::Tensor soft = torch::hardtanh(y);
    return soft + (torch::where(y > 0, torch::ones_like(y), -torch::ones_like(y)) - soft).detach();
}

struct LayeredNet : torch::nn::Module {
    torch::nn::Linear fc1{nullptr}, fc2{nullptr};
    torch::nn::BatchNorm1d bn{nullptr};
    unsigned bits;
    bool quantize_weights, batch_norm, row_scales;
    double no_bn_gain;
    InputCrop crop;

    LayeredNet(size_t inputs, size_t hidden, size_t outputs, unsigned b, bool q, bool use_bn, bool rows,
               const InputCrop& c)
        : bits(b), quantize_weights(q), batch_norm(use_bn), row_scales(rows),
          no_bn_gain(1 / std::sqrt(static_cast<double>(inputs))), crop(c) {
        const auto in = static_cast<int64_t>(inputs), h = static_cast<int64_t>(hidden), out = static_cast<int64_t>(outputs);
        fc1 = register_module("fc1", torch::nn::Linear(torch::nn::LinearOptions(in, h).bias(!use_bn)));
        if (use_bn) bn = register_module("bn", torch::nn::BatchNorm1d(h));
        fc2 = register_module("fc2", torch::nn::Linear(h, out));
    }
    // x W^T, W quantized or not (the hidden layer; its bias, if any, becomes a threshold).
    torch::Tensor hidden_sums(const torch::Tensor& x) {
        return quantize_weights ? quantized_linear(x, fc1->weight, torch::Tensor(), bits, row_scales)
                                : torch::matmul(x, fc1->weight.t());
    }
    // The input window of a batch (n, 1, image rows, image cols), flattened row-major.
    torch::Tensor inputs(const torch::Tensor& x) const {
        if (crop.whole()) return x.flatten(1);
        const auto t = static_cast<int64_t>(crop.top), l = static_cast<int64_t>(crop.left);
        return x.slice(2, t, t + static_cast<int64_t>(crop.rows))
            .slice(3, l, l + static_cast<int64_t>(crop.cols))
            .flatten(1);
    }
    torch::Tensor forward(const torch::Tensor& x) {
        torch::Tensor a = hidden_sums(inputs(x));
        torch::Tensor y = batch_norm ? bn(a) : (a + fc1->bias) * no_bn_gain;
        torch::Tensor h = sign_ste(y);
        return quantize_weights ? quantized_linear(h, fc2->weight, fc2->bias, bits)
                                : torch::matmul(h, fc2->weight.t()) + fc2->bias;
    }
};

std::vector<int32_t> int_codes(const torch::Tensor& codes) {
    torch::Tensor c = codes.to(torch::kInt).contiguous();
    return std::vector<int32_t>(c.data_ptr<int32_t>(), c.data_ptr<int32_t>() + c.numel());
}

std::vector<double> doubles(const torch::Tensor& t) {
    torch::Tensor c = t.detach().to(torch::kDouble).contiguous();
    return std::vector<double>(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
}

}  // namespace

LayeredTrainResult train_layered(const MnistSet& train, const MnistSet& test, const LayeredOptions& lo,
                                 const TrainOptions& opt) {
    if (lo.wbits < 1 || lo.wbits > 8) throw std::invalid_argument(fmt::format("wbits {} is not in 1..8", lo.wbits));
    if (lo.hidden < 1) throw std::invalid_argument("the hidden layer needs at least one unit");
    lo.crop.validate();
    if (lo.crop.image_rows != train.rows || lo.crop.image_cols != train.cols)
        throw std::invalid_argument(fmt::format("the input window is of a {} x {} image, the images are {} x {}",
                                                lo.crop.image_rows, lo.crop.image_cols, train.rows, train.cols));
    set_torch_threads(opt.threads);
    torch::manual_seed(opt.seed);
    const size_t inputs = lo.crop.inputs(), outputs = 10;
    auto net = std::make_shared<LayeredNet>(inputs, lo.hidden, outputs, lo.wbits, lo.quantize_in_training, lo.batch_norm,
                                            lo.row_scales, lo.crop);
    const int epochs = opt.epochs > 0 ? opt.epochs : LayeredOptions::kDefaultEpochs;
    LayeredTrainResult r;
    TrainResult& res = r.train;
    res.model = "layered";
    for (const auto& p : net->parameters()) res.parameters += static_cast<size_t>(p.numel());
    res.settings = {{"architecture", fmt::format("{}-{}-{}: ±1 inputs, sign hidden units, output fields", inputs,
                                                 lo.hidden, outputs)},
                    {"wbits", lo.wbits},
                    {"quantization", lo.quantize_in_training ? "in training (fake quantization, straight-through)"
                                                             : "after training (post-training quantization)"},
                    {"weight_scale", lo.row_scales ? "w1 per row (hidden unit), w2 per layer, symmetric: max|W| / "
                                                     "max(1, 2^(wbits-1) - 1); round half away from 0"
                                                   : "per layer, symmetric: max|W| / max(1, 2^(wbits-1) - 1); "
                                                     "round half away from 0"},
                    {"input_window", {{"top", lo.crop.top}, {"left", lo.crop.left}, {"rows", lo.crop.rows},
                                      {"cols", lo.crop.cols}}},
                    {"hidden_normalization", lo.batch_norm ? "batch norm, folded into thresholds"
                                                           : "bias, pre-activation scaled by 1/sqrt(784) for the STE"},
                    {"sign_estimator", "hardtanh straight-through"},
                    {"optimizer", "Adam"},
                    {"learning_rate", lo.lr},
                    {"schedule", "cosine to 0 over all steps"},
                    {"batch", lo.batch},
                    {"epochs", epochs},
                    {"shift_augmentation_px", lo.shift},
                    {"input", fmt::format("x = +1 if pixel > {} else -1", kBinarizeAbove)},
                    {"train_images", train.count},
                    {"test_images", test.count}};
    torch::optim::Adam adam(net->parameters(), torch::optim::AdamOptions(lo.lr));
    // WBITS=1 codes are {-1, 0}: a row cannot be negated, so batch norm's scale stays positive.
    std::function<void()> after_step;
    if (lo.wbits == 1 && lo.batch_norm)
        after_step = [&] {
            torch::NoGradGuard g;
            net->bn->weight.clamp_min_(1e-4);
        };
    th::FitSpec spec{res.model, lo.lr, lo.batch, lo.shift, epochs, th::Pixels::PlusMinusOne, opt.seed, opt.progress};
    auto forward = [&](const torch::Tensor& x) { return net->forward(x); };
    th::fit(*net, forward, adam, train, test, spec, res, after_step);
    res.settings["inference"] = "torch, eval mode, batches of 1000, time per image = pass time / test images";
    r.float_accuracy = res.test_accuracy;

    net->eval();
    net->quantize_weights = true;  // PTQ: from here on the weights are quantized
    r.fake_quantized_predictions = th::predict(forward, test, th::Pixels::PlusMinusOne);
    r.fake_quantized_accuracy = accuracy(r.fake_quantized_predictions, test.labels);

    LayeredQuantized& q = r.quantized;
    q.inputs = inputs;
    q.hidden = lo.hidden;
    q.outputs = outputs;
    q.wbits = lo.wbits;
    q.crop = lo.crop;
    Quantized q1 = quantize(net->fc1->weight, lo.wbits, lo.row_scales), q2 = quantize(net->fc2->weight, lo.wbits);
    q.q1 = int_codes(q1.codes);
    if (lo.row_scales) {
        q.s1_rows = doubles(q1.scale.reshape({-1}));
        q.s1 = q.s1_rows.empty() ? 1 : *std::max_element(q.s1_rows.begin(), q.s1_rows.end());
    } else {
        q.s1 = q1.scale.item<double>();
    }
    q.q2 = int_codes(q2.codes);
    q.s2 = q2.scale.item<double>();
    q.b2q = int_codes(round_away(net->fc2->bias.detach() / q2.scale));
    q.batch_norm = lo.batch_norm;
    if (lo.batch_norm) {
        q.gamma = doubles(net->bn->weight);
        q.beta = doubles(net->bn->bias);
        q.mean = doubles(net->bn->running_mean);
        q.var = doubles(net->bn->running_var);
        q.eps = net->bn->options.eps();
    } else {
        // y = (s1 n + b1) / sqrt(784): the positive gain does not move the sign.
        q.b1 = doubles(net->fc1->bias);
    }
    for (const auto& p : net->named_parameters()) res.weights[p.key()] = th::named_array(p.value());
    return r;
}

}  // namespace mind1024::host::baselines
