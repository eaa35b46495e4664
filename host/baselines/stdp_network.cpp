#include "host/baselines/stdp_network.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

#include "host/baselines/dataset.h"

namespace mind1024::host::baselines {

namespace {

constexpr int kSide = 28;

std::vector<float> gaussian_kernel(double sigma) {
    const int r = static_cast<int>(std::ceil(3 * sigma));
    std::vector<float> k(2 * r + 1);
    double sum = 0;
    for (int i = -r; i <= r; ++i) sum += k[i + r] = static_cast<float>(std::exp(-i * i / (2 * sigma * sigma)));
    for (float& v : k) v = static_cast<float>(v / sum);
    return k;
}

// Separable blur of a 28 x 28 image, zero outside.
void blur(const float* in, float* out, const std::vector<float>& k) {
    const int r = static_cast<int>(k.size() / 2);
    float tmp[kSide * kSide];
    for (int y = 0; y < kSide; ++y)
        for (int x = 0; x < kSide; ++x) {
            float s = 0;
            for (int d = -r; d <= r; ++d)
                if (x + d >= 0 && x + d < kSide) s += k[d + r] * in[y * kSide + x + d];
            tmp[y * kSide + x] = s;
        }
    for (int y = 0; y < kSide; ++y)
        for (int x = 0; x < kSide; ++x) {
            float s = 0;
            for (int d = -r; d <= r; ++d)
                if (y + d >= 0 && y + d < kSide) s += k[d + r] * tmp[(y + d) * kSide + x];
            out[y * kSide + x] = s;
        }
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

nlohmann::json to_json(const StdpOptions& o) {
    return {{"inputs", StdpOptions::kInputs},
            {"encoding", "DoG (sigma 1 - sigma 2) ON/OFF channels, max-scaled, deterministic rate code"},
            {"neurons", o.neurons},
            {"steps", o.steps},
            {"max_rate", o.max_rate},
            {"membrane_decay", o.membrane_decay},
            {"threshold", o.threshold},
            {"theta_plus", o.theta_plus},
            {"theta_decay", o.theta_decay},
            {"refractory_plus", o.refractory_plus},
            {"trace_decay", o.trace_decay},
            {"eta", o.eta},
            {"weight_sum", o.weight_sum},
            {"stdp_epochs", o.epochs},
            {"inhibition", "hard winner-take-all, at most one spike per step, all membranes reset"},
            {"readout", {{"kind", "softmax regression on spike counts, SGD, cosine LR"},
                         {"epochs", o.readout.epochs},
                         {"lr", o.readout.lr},
                         {"l2", o.readout.l2}}}};
}

StdpNetwork::StdpNetwork(const StdpOptions& o, uint64_t seed)
    : opt_(o),
      w_(StdpOptions::kInputs * o.neurons),
      theta_(o.neurons, 0.0f),
      v_(o.neurons),
      thr_short_(o.neurons),
      trace_(StdpOptions::kInputs),
      phase_(StdpOptions::kInputs) {
    Rng rng(seed ^ 0x57d9ULL);
    for (float& w : w_) w = static_cast<float>(rng.uniform());
    for (size_t i = 0; i < o.neurons; ++i) normalize(i);
}

void StdpNetwork::normalize(size_t i) {
    const size_t n = opt_.neurons;
    double sum = 0;
    for (size_t j = 0; j < StdpOptions::kInputs; ++j) sum += w_[j * n + i];
    if (sum <= 0) return;
    const float f = static_cast<float>(opt_.weight_sum / sum);
    for (size_t j = 0; j < StdpOptions::kInputs; ++j) w_[j * n + i] *= f;
}

std::vector<float> StdpNetwork::encode(const uint8_t* image) {
    static const std::vector<float> k1 = gaussian_kernel(1.0), k2 = gaussian_kernel(2.0);
    float in[kSide * kSide], a[kSide * kSide], b[kSide * kSide];
    for (int p = 0; p < kSide * kSide; ++p) in[p] = image[p] / 255.0f;
    blur(in, a, k1);
    blur(in, b, k2);
    std::vector<float> out(StdpOptions::kInputs);
    float m = 0;
    for (int p = 0; p < kSide * kSide; ++p) {
        const float d = a[p] - b[p];
        out[p] = std::max(d, 0.0f);
        out[kSide * kSide + p] = std::max(-d, 0.0f);
        m = std::max({m, out[p], out[kSide * kSide + p]});
    }
    if (m > 0)
        for (float& v : out) v /= m;
    return out;
}

SparseFeatures StdpNetwork::present(const uint8_t* image, bool learn, double eta) {
    const size_t n = opt_.neurons, nin = StdpOptions::kInputs;
    const std::vector<float> x = encode(image);
    std::fill(v_.begin(), v_.end(), 0.0f);
    std::fill(thr_short_.begin(), thr_short_.end(), 0.0f);
    std::fill(trace_.begin(), trace_.end(), 0.0f);
    std::fill(phase_.begin(), phase_.end(), 0.0f);
    std::vector<uint32_t> counts(n, 0), spikes;
    spikes.reserve(nin);
    const float rate = static_cast<float>(opt_.max_rate), decay = static_cast<float>(opt_.membrane_decay);
    const float tdecay = static_cast<float>(opt_.trace_decay), base = static_cast<float>(opt_.threshold);
    for (int t = 0; t < opt_.steps; ++t) {
        spikes.clear();
        for (size_t j = 0; j < nin; ++j) {
            trace_[j] *= tdecay;
            if (x[j] <= 0) continue;
            phase_[j] += x[j] * rate;
            if (phase_[j] >= 1.0f) {
                phase_[j] -= 1.0f;
                trace_[j] = 1.0f;
                spikes.push_back(static_cast<uint32_t>(j));
            }
        }
        float* v = v_.data();
        for (size_t i = 0; i < n; ++i) v[i] *= decay;
        for (uint32_t j : spikes) {
            const float* wj = w_.data() + size_t{j} * n;
            for (size_t i = 0; i < n; ++i) v[i] += wj[i];
        }
        size_t winner = n;
        float best = 0;
        for (size_t i = 0; i < n; ++i) {
            const float over = v[i] - (base + theta_[i] + thr_short_[i]);
            if (over > best) best = over, winner = i;
        }
        if (winner == n) continue;
        ++counts[winner];
        std::fill(v_.begin(), v_.end(), 0.0f);
        thr_short_[winner] += static_cast<float>(opt_.refractory_plus);
        if (learn) {
            theta_[winner] += static_cast<float>(opt_.theta_plus);
            const float e = static_cast<float>(eta);
            for (size_t j = 0; j < nin; ++j) {
                float& w = w_[j * n + winner];
                w += e * (trace_[j] - w);
            }
            normalize(winner);
        }
    }
    if (learn)
        for (float& th : theta_) th *= static_cast<float>(opt_.theta_decay);
    SparseFeatures f;
    for (size_t i = 0; i < n; ++i)
        if (counts[i]) f.emplace_back(static_cast<uint32_t>(i), static_cast<float>(counts[i]));
    return f;
}

namespace {

std::vector<SparseFeatures> features(StdpNetwork& net, const MnistSet& s) {
    std::vector<SparseFeatures> f(s.count);
    for (size_t k = 0; k < s.count; ++k) f[k] = net.present(s.image(k), false, 0);
    return f;
}

// How the test images are coded: spikes and distinct neurons per image, silent images.
nlohmann::json code_stats(const std::vector<SparseFeatures>& f) {
    double spikes = 0, distinct = 0;
    size_t silent = 0;
    for (const auto& x : f) {
        distinct += static_cast<double>(x.size());
        silent += x.empty();
        for (const auto& [i, c] : x) spikes += c;
    }
    const double n = static_cast<double>(std::max<size_t>(1, f.size()));
    return {{"spikes_per_image", spikes / n}, {"neurons_per_image", distinct / n}, {"silent_images", silent}};
}

}  // namespace

TrainResult train_stdp(const MnistSet& train, const MnistSet& test, const StdpOptions& so_in, const TrainOptions& opt) {
    StdpOptions so = so_in;
    if (opt.epochs > 0) so.epochs = opt.epochs;
    so.readout.seed = opt.seed;
    if (train.rows != kSide || train.cols != kSide)
        throw DataError(train.images_path + ": the spiking network takes 28 x 28 images");
    StdpNetwork net(so, opt.seed);
    TrainResult res;
    res.model = "stdp";
    res.parameters = StdpOptions::kInputs * so.neurons + so.neurons + 11 * so.neurons;
    res.settings = to_json(so);
    res.settings["train_images"] = train.count;
    res.settings["test_images"] = test.count;
    Rng rng(opt.seed ^ 0x1eaf5ULL);
    const size_t total = train.count * static_cast<size_t>(so.epochs);
    size_t seen = 0;
    LinearReadout readout(so.neurons, 10);
    for (int e = 1; e <= so.epochs; ++e) {
        const auto t0 = std::chrono::steady_clock::now();
        EpochStats st;
        st.epoch = e;
        st.loss = std::numeric_limits<double>::quiet_NaN();
        st.learning_rate = so.eta * (1 - 0.9 * static_cast<double>(seen) / static_cast<double>(std::max<size_t>(1, total)));
        for (uint32_t k : shuffled_order(train.count, rng)) {
            const double eta = so.eta * (1 - 0.9 * static_cast<double>(seen++) / static_cast<double>(total));
            net.present(train.image(k), true, eta);
        }
        // Readout on the frozen network (timed as training: it is part of it).
        const std::vector<SparseFeatures> ftrain = features(net, train);
        readout = LinearReadout(so.neurons, 10);
        st.train_accuracy = readout.train(ftrain, train.labels, so.readout);
        st.seconds = seconds_since(t0);
        res.train_seconds += st.seconds;
        const auto t1 = std::chrono::steady_clock::now();
        const std::vector<SparseFeatures> ftest = features(net, test);
        res.test_predictions = readout.predict_all(ftest);
        res.infer_seconds_per_image = seconds_since(t1) / std::max<uint32_t>(1, test.count);
        st.test_accuracy = accuracy(res.test_predictions, test.labels);
        res.epochs.push_back(st);
        if (opt.progress) print_epoch(res.model, so.epochs, st);
        res.settings["test_code"] = code_stats(ftest);
    }
    res.test_accuracy = res.epochs.empty() ? 0 : res.epochs.back().test_accuracy;
    res.settings["inference"] = "one image at a time, single thread: encoding, simulation, readout";
    res.weights["w_in"] = {{StdpOptions::kInputs, so.neurons}, net.weights()};
    res.weights["theta"] = {{so.neurons}, net.theta()};
    res.weights["readout_w"] = {{10, so.neurons}, readout.weights()};
    res.weights["readout_b"] = {{10}, readout.biases()};
    return res;
}

}  // namespace mind1024::host::baselines
