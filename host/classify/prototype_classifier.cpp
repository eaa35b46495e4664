#include "host/classify/prototype_classifier.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <random>

#include <Eigen/Dense>
#include <fmt/format.h>

#include "host/board/errors.h"
#include "sysc/fixed_point.h"
#include "host/classify/kmeans.h"
#include "sysc/engine/untimed_run.h"
#include "sysc/lfsr.h"

namespace mind1024::host {

using Mat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

std::vector<int8_t> encode_image(const uint8_t* img, uint32_t rows, uint32_t cols, const PixelCoding& c) {
    if (c.top + c.height > rows || c.left + c.width > cols)
        throw BadArgument(fmt::format("pixel crop {}x{} at ({}, {}) does not fit a {}x{} image", c.height, c.width,
                                      c.top, c.left, rows, cols));
    std::vector<int8_t> s(c.size());
    for (uint32_t y = 0; y < c.height; ++y)
        for (uint32_t x = 0; x < c.width; ++x)
            s[y * c.width + x] = img[(c.top + y) * cols + c.left + x] >= c.threshold ? 1 : -1;
    return s;
}

ClassifierLayout make_layout(const ClassifierConfig& cfg, uint32_t classes) {
    ClassifierLayout l;
    l.classes = classes;
    l.pixels = cfg.coding.size();
    l.first_proto = l.pixels;
    l.protos = classes * cfg.protos_per_class;
    l.first_label = l.first_proto + l.protos;
    l.labels = classes * cfg.label_reps;
    l.n = cfg.neurons;
    if (classes < 2) throw BadArgument(fmt::format("classifier: {} classes in the labels; need at least 2", classes));
    if (cfg.protos_per_class == 0 || cfg.label_reps == 0)
        throw BadArgument("classifier: prototypes per class and label neurons per class must be at least 1");
    if (uint64_t{l.first_label} + l.labels > l.n)
        throw BadArgument(fmt::format(
            "classifier: {} pixels + {} prototypes + {} label neurons = {} neurons, the chip has {}", l.pixels,
            l.protos, l.labels, uint64_t{l.first_label} + l.labels, l.n));
    return l;
}

namespace {

// One LVQ step of prototype m: `step` of the way toward image x (away if
// negative), kept in [-1, 1]; half_norm[m] follows.
template <class Row>
void lvq_step(Eigen::Map<Mat>& C, Eigen::VectorXf& half_norm, Eigen::Index m, const Row& x, float step) {
    C.row(m) = (C.row(m) + step * (x - C.row(m))).cwiseMax(-1.0f).cwiseMin(1.0f);
    half_norm[m] = 0.5f * C.row(m).squaredNorm();
}

// A new seeded order of 0..n-1 (own Fisher-Yates on the raw draws: the same on every library).
void shuffle(std::vector<size_t>& order, std::mt19937_64& rng) {
    for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng() % i]);
}

// The step size after `step` of `steps` steps: `rate` falling linearly to 0.
float decayed(double rate, size_t step, size_t steps) {
    return static_cast<float>(rate * (1.0 - static_cast<double>(step) / static_cast<double>(steps)));
}

// The best-scoring prototype of class y, -1 if it has none.
Eigen::Index best_of_class(const Eigen::VectorXf& s, const std::vector<uint32_t>& proto_class, uint32_t y) {
    Eigen::Index own = -1;
    for (Eigen::Index m = 0; m < static_cast<Eigen::Index>(proto_class.size()); ++m)
        if (proto_class[m] == y && (own < 0 || s[m] > s[own])) own = m;
    return own;
}

// The classifier's network in its 0/1 form and score units (see train_classifier),
// for the run engine: fields from the pixels' drive and counts of the neurons on,
// O(1) per update instead of a row of the matrix. Training's model of the chip's run.
class KwtaArith {
public:
    using Field = double;
    KwtaArith(const ClassifierLayout& L, const std::vector<uint32_t>& proto_class, uint32_t reps, double c, double a)
        : L_(L), cls_(proto_class), reps_(reps), c_(c), a_(a), drive_(L.protos), protos_on_(L.classes), labels_on_(L.classes) {}
    std::vector<double>& drive() { return drive_; }  // per prototype: score - offset - threshold

    void before_update() {}
    void begin_sweep(const int8_t* src, uint32_t) {
        src_ = src;
        std::fill(protos_on_.begin(), protos_on_.end(), 0);
        std::fill(labels_on_.begin(), labels_on_.end(), 0);
        protos_total_ = labels_total_ = 0;
        for (uint32_t m = 0; m < L_.protos; ++m)
            if (src[L_.first_proto + m] > 0) ++protos_on_[cls_[m]], ++protos_total_;
        for (uint32_t l = 0; l < L_.labels; ++l)
            if (src[L_.first_label + l] > 0) ++labels_on_[l / reps_], ++labels_total_;
    }
    engine::FieldOf<double> field(uint32_t i) const {
        if (i < L_.first_label) {
            const uint32_t m = i - L_.first_proto;
            const int others = protos_total_ - (src_[i] > 0);
            return {drive_[m] - c_ * others + a_ * (2 * labels_on_[cls_[m]] - labels_total_), 0};
        }
        const uint32_t q = (i - L_.first_label) / reps_;
        return {a_ * (2 * protos_on_[q] - protos_total_) - a_ / 2, 0};
    }
    double eta(int16_t, uint32_t) const { return 0; }
    int8_t decide(uint32_t, double h, double, int8_t current) const { return h > 0 ? 1 : h < 0 ? -1 : current; }
    void flipped(uint32_t i, int8_t now) {
        const int d = now > 0 ? 1 : -1;
        if (i < L_.first_label) protos_on_[cls_[i - L_.first_proto]] += d, protos_total_ += d;
        else labels_on_[(i - L_.first_label) / reps_] += d, labels_total_ += d;
    }

private:
    const ClassifierLayout& L_;
    const std::vector<uint32_t>& cls_;
    uint32_t reps_;
    double c_, a_;
    std::vector<double> drive_;
    std::vector<int> protos_on_, labels_on_;
    int protos_total_ = 0, labels_total_ = 0;
    const int8_t* src_ = nullptr;
};

}  // namespace

std::vector<size_t> tune_prototypes(float* c, const std::vector<uint32_t>& proto_class, const float* x,
                                    const std::vector<uint8_t>& y, size_t dim, uint32_t epochs, double rate,
                                    double margin, uint64_t seed) {
    const size_t M = proto_class.size(), count = y.size();
    Eigen::Map<Mat> C(c, static_cast<Eigen::Index>(M), static_cast<Eigen::Index>(dim));
    Eigen::Map<const Mat> X(x, static_cast<Eigen::Index>(count), static_cast<Eigen::Index>(dim));
    Eigen::VectorXf half_norm = 0.5f * C.rowwise().squaredNorm();
    std::mt19937_64 rng(seed);
    std::vector<size_t> order(count), violations;
    std::iota(order.begin(), order.end(), size_t{0});
    std::vector<Eigen::Index> inside;
    const size_t steps = size_t{epochs} * count;
    size_t step = 0;
    for (uint32_t e = 0; e < epochs; ++e) {
        shuffle(order, rng);
        size_t v = 0;
        for (size_t i : order) {
            const float eta = decayed(rate, step++, steps);
            const auto xi = X.row(static_cast<Eigen::Index>(i));
            const Eigen::VectorXf s = C * xi.transpose() - half_norm;
            const Eigen::Index own = best_of_class(s, proto_class, y[i]);
            if (own < 0) continue;  // a class without prototypes
            inside.clear();
            for (Eigen::Index m = 0; m < static_cast<Eigen::Index>(M); ++m)
                if (proto_class[m] != y[i] && s[m] > s[own] - margin) inside.push_back(m);
            if (inside.empty()) continue;
            ++v;
            lvq_step(C, half_norm, own, xi, eta);
            for (Eigen::Index m : inside) lvq_step(C, half_norm, m, xi, -eta);
        }
        violations.push_back(v);
    }
    return violations;
}

TrainedClassifier train_classifier(const MnistSet& train, const ClassifierConfig& cfg) {
    const auto t0 = std::chrono::steady_clock::now();
    TrainedClassifier t;
    t.cfg = cfg;
    t.layout = make_layout(cfg, train.num_classes());
    const ClassifierLayout& L = t.layout;
    const uint32_t P = L.pixels, M = L.protos, K = cfg.protos_per_class, R = cfg.label_reps;

    // Encoded training images, grouped by class.
    std::vector<std::vector<float>> by_class(L.classes);
    Mat A(train.count, P);
    for (size_t i = 0; i < train.count; ++i) {
        const auto s = encode_image(train.image(i), train.rows, train.cols, cfg.coding);
        for (uint32_t p = 0; p < P; ++p) A(i, p) = s[p];
        by_class[train.labels[i]].insert(by_class[train.labels[i]].end(), s.begin(), s.end());
    }
    // 1. Prototypes: k-means per class; neuron first_proto + m has class m % classes
    //    (interleaved, so in-order updates favour no class).
    Mat C(M, P);
    std::vector<uint32_t> proto_class(M);
    for (uint32_t c = 0; c < L.classes; ++c) {
        const size_t count = by_class[c].size() / P;
        const auto cent = kmeans(by_class[c], count, P, K, cfg.kmeans_iters, cfg.seed + c);
        for (uint32_t k = 0; k < K; ++k) {
            const uint32_t m = k * L.classes + c;
            proto_class[m] = c;
            for (uint32_t p = 0; p < P; ++p) C(m, p) = cent[size_t{k} * P + p];
        }
    }
    // 1b. Discriminative tuning: wrong-class prototypes out of the margin below each image's best own one.
    if (cfg.tune_epochs)
        t.tune_violations = tune_prototypes(C.data(), proto_class, A.data(), train.labels, P, cfg.tune_epochs,
                                            cfg.tune_rate, cfg.tune_margin, cfg.seed + 1000);
    // 2. Score s_m = x.mu_m - |mu_m|^2 / 2: the largest is the nearest centroid.
    Eigen::VectorXf half_norm = 0.5f * C.rowwise().squaredNorm();
    // 3. A per-image offset: ridge regression of the top score on the pixels,
    //    subtracted from every prototype (ranking unchanged, threshold fits better).
    Eigen::VectorXd w = Eigen::VectorXd::Zero(P + 1);
    if (cfg.ridge > 0) {
        const Mat S = A * C.transpose();
        Eigen::VectorXd top(train.count);
        for (size_t i = 0; i < train.count; ++i) top[i] = (S.row(i).transpose() - half_norm).maxCoeff();
        Eigen::MatrixXd Z(train.count, P + 1);
        Z.leftCols(P) = A.cast<double>();
        Z.col(P).setOnes();
        Eigen::MatrixXd G = Z.transpose() * Z;
        G.diagonal().array() += cfg.ridge;
        w = G.ldlt().solve(Z.transpose() * top);
    }
    // 3b. Tuning on the attractor's own answers: run each training image through
    //     the network's dynamics (the run engine on KwtaArith); when the label is
    //     wrong, the best own-class prototype moves toward the image and every
    //     wrong-class prototype left on moves away. The offset w stays as fitted.
    if (cfg.attractor_epochs) {
        Eigen::Map<Mat> Cm(C.data(), M, P);
        Eigen::VectorXf hn = 0.5f * C.rowwise().squaredNorm();
        const Eigen::VectorXf r = (A * w.head(P).cast<float>()).array() + static_cast<float>(w[P]);
        KwtaArith arith(L, proto_class, R, cfg.inhibition, cfg.label_gain);
        engine::Sweeper<KwtaArith> sweeper;
        engine::SweepSpec spec;
        spec.order = cfg.order;
        spec.n = L.n;
        std::vector<uint8_t> clamp(L.n, 1);
        for (uint32_t f = 0; f < M + L.labels; ++f) clamp[L.first_proto + f] = 0;
        std::vector<int8_t> sigma;
        std::vector<double> fields(L.n, 0.0);
        std::mt19937_64 rng(cfg.seed + 2000);
        std::vector<size_t> order(train.count);
        std::iota(order.begin(), order.end(), size_t{0});
        const size_t steps = size_t{cfg.attractor_epochs} * train.count;
        size_t step = 0;
        for (uint32_t e = 0; e < cfg.attractor_epochs; ++e) {
            shuffle(order, rng);
            size_t errors = 0;
            for (size_t i : order) {
                const float eta = decayed(cfg.attractor_rate, step++, steps);
                const auto xi = A.row(static_cast<Eigen::Index>(i));
                const Eigen::VectorXf sc = C * xi.transpose() - hn;
                for (uint32_t m = 0; m < M; ++m) arith.drive()[m] = sc[m] - r[i] - cfg.offset;
                sigma.assign(L.n, -1);
                Lfsr lfsr(static_cast<uint32_t>(i + 1));
                engine::run_untimed(arith, sweeper, spec, cfg.max_sweeps, sigma, clamp.data(), lfsr, fields.data());
                const uint32_t y = train.labels[i];
                if (pick_label(fields.data() + L.first_label, L.classes, R) == static_cast<int>(y))
                    continue;
                ++errors;
                const Eigen::Index own = best_of_class(sc, proto_class, y);
                if (own >= 0) lvq_step(Cm, hn, own, xi, eta);
                for (uint32_t m = 0; m < M; ++m)
                    if (proto_class[m] != y && sigma[L.first_proto + m] > 0) lvq_step(Cm, hn, m, xi, -eta);
            }
            t.attractor_errors.push_back(errors);
        }
        half_norm = hn;
    }
    // 4. Couplings among free neurons in the 0/1 domain (b = (s+1)/2), score units.
    const uint32_t F = M + L.labels;
    Eigen::MatrixXd Ab = Eigen::MatrixXd::Zero(F, F);
    Ab.topLeftCorner(M, M).setConstant(-cfg.inhibition);
    for (uint32_t m = 0; m < M; ++m)
        for (uint32_t l = 0; l < L.labels; ++l) {
            const double v = proto_class[m] == l / R ? cfg.label_gain : -cfg.label_gain;
            Ab(m, M + l) = Ab(M + l, m) = v;
        }
    Ab.diagonal().setZero();
    t.bias.assign(F, 0.0);
    for (uint32_t m = 0; m < M; ++m) t.bias[m] = half_norm[m] + w[P] + cfg.offset;
    for (uint32_t l = 0; l < L.labels; ++l) t.bias[M + l] = cfg.label_gain / 2;

    // 5. To the ±1 domain: J = Ab / 2 among free neurons, theta = bias - rowsum(Ab) / 2.
    const uint32_t n = L.n;
    t.net.n = n;
    t.net.w.assign(size_t{n} * n, 0.0f);
    t.net.theta.assign(n, 0.0f);
    for (uint32_t f = 0; f < F; ++f) {
        const uint32_t i = L.first_proto + f;
        float* row = &t.net.w[size_t{i} * n];
        if (f < M)
            for (uint32_t p = 0; p < P; ++p) row[p] = C(f, p) - static_cast<float>(w[p]);
        for (uint32_t g = 0; g < F; ++g) row[L.first_proto + g] = static_cast<float>(Ab(f, g) / 2);
        t.net.theta[i] = static_cast<float>(t.bias[f] - Ab.row(f).sum() / 2);
    }
    t.centroids.assign(C.data(), C.data() + C.size());
    t.clamp.assign(n, 1);
    for (uint32_t f = 0; f < F; ++f) t.clamp[L.first_proto + f] = 0;
    t.train_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return t;
}

ScalePolicy parse_scale_policy(const std::string& s) {
    if (s == "fit") return ScalePolicy::Fit;
    if (s == "weights") return ScalePolicy::WeightsOnly;
    if (s == "pixels") return ScalePolicy::Pixels;
    throw BadArgument(fmt::format("unknown scale policy '{}' (fit, weights, pixels)", s));
}

ChipNetwork quantize_classifier(const TrainedClassifier& t, unsigned wbits, unsigned abits, ScalePolicy policy,
                                Rounding rounding, uint64_t seed) {
    const ClassifierLayout& L = t.layout;
    FloatMatrix fm(L.n, L.n);
    fm.data = t.net.w;
    ChipNetwork c;
    // Scale: the largest weight on the top code; with Fit, also small enough
    // that thresholds and the largest possible field stay inside ABITS (2% margin
    // for rounding), so a narrow accumulator costs resolution, not everything.
    double max_w = 0, max_pixel = 0, max_theta = 0, max_row = 0;
    for (uint32_t i = 0; i < L.n; ++i) {
        double row = 0;
        for (uint32_t j = 0; j < L.n; ++j) {
            const double v = std::fabs(t.net.w[size_t{i} * L.n + j]);
            max_w = std::max(max_w, v);
            if (j < L.pixels) max_pixel = std::max(max_pixel, v);
            row += v;
        }
        max_row = std::max(max_row, row);
        max_theta = std::max(max_theta, std::fabs(double{t.net.theta[i]}));
    }
    const double acc_top = static_cast<double>(fx::range_max(abits)) * 0.98;
    const double top = std::max(1.0, static_cast<double>(fx::range_max(wbits)));
    double scale = top / (policy == ScalePolicy::Pixels ? max_pixel : max_w);
    c.scale_limited_by = "WBITS";
    if (policy != ScalePolicy::WeightsOnly) {
        if (acc_top / max_theta < scale) scale = acc_top / max_theta, c.scale_limited_by = "ABITS (thresholds)";
        if (acc_top / max_row < scale) scale = acc_top / max_row, c.scale_limited_by = "ABITS (fields)";
    }
    QuantizerOptions opt;
    opt.wbits = wbits;
    opt.scale_mode = ScaleMode::Given;
    opt.scale = scale;
    opt.rounding = rounding;
    opt.seed = seed;
    const QuantizedMatrix q = quantize_weights(fm, opt);
    c.weight_report = q.report;
    c.weights.n = L.n;
    c.weights.w = q.data;
    // Thresholds from the rounded couplings: theta_q = round(s * bias) - rowsum(J_q among free neurons).
    c.thresholds.assign(L.n, 0);
    const int64_t lo = fx::range_min(abits), hi = fx::range_max(abits);
    const uint32_t F = L.protos + L.labels;
    for (uint32_t f = 0; f < F; ++f) {
        const uint32_t i = L.first_proto + f;
        int64_t rowsum = 0;
        for (uint32_t g = 0; g < F; ++g) rowsum += c.weights.w[size_t{i} * L.n + L.first_proto + g];
        int64_t th = std::llround(q.report.scale * t.bias[f]) - rowsum;
        c.max_abs_threshold = std::max<int64_t>(c.max_abs_threshold, std::llabs(th));
        if (th < lo || th > hi) {
            ++c.thresholds_clipped;
            th = th < lo ? lo : hi;
        }
        c.thresholds[i] = static_cast<int32_t>(th);
    }
    return c;
}

std::vector<int8_t> initial_state(const TrainedClassifier& t, const std::vector<int8_t>& pixels) {
    std::vector<int8_t> s(t.layout.n, -1);
    std::copy(pixels.begin(), pixels.end(), s.begin());
    return s;
}

RunParams run_params(const TrainedClassifier& t, uint32_t seed, bool wrap) {
    RunParams p;
    p.order = t.cfg.order;
    p.max_sweeps = t.cfg.max_sweeps;
    p.seed = seed;
    p.wrap = wrap;
    p.n_active = t.layout.n;
    return p;
}

Classification classify_on_chip(ChipDriver& chip, const TrainedClassifier& t, const std::vector<int8_t>& pixels,
                                uint32_t seed, bool wrap) {
    chip.set_state(initial_state(t, pixels));
    Classification c;
    c.run = chip.run(run_params(t, seed, wrap));
    const auto h = chip.fields(t.layout.first_label, t.layout.labels);
    c.label = pick_label(h.data(), t.layout.classes, t.cfg.label_reps, &c.tied);
    return c;
}

std::vector<Classification> classify_batch_on_chip(ChipDriver& chip, const TrainedClassifier& t,
                                                   const std::vector<std::vector<int8_t>>& pixels,
                                                   uint32_t first_seed, bool wrap) {
    ClassifyBatch b;
    b.n = t.layout.n;
    b.first_label = t.layout.first_label;
    b.classes = t.layout.classes;
    b.reps = t.cfg.label_reps;
    b.run = run_params(t, first_seed, wrap);
    b.first_seed = first_seed;
    b.states.reserve(pixels.size());
    for (const auto& p : pixels) b.states.push_back(initial_state(t, p));
    const std::vector<ClassifyOutcome> o = chip.classify_batch(b);
    std::vector<Classification> out(o.size());
    for (size_t k = 0; k < o.size(); ++k) out[k].label = o[k].label, out[k].tied = o[k].tied, out[k].run = o[k].run;
    return out;
}

Classification classify_on_twin(FloatTwin& twin, const TrainedClassifier& t, const std::vector<int8_t>& pixels,
                                uint32_t seed, const std::vector<std::pair<uint32_t, int8_t>>* stuck) {
    std::vector<int8_t> s = initial_state(t, pixels);
    if (stuck)
        for (const auto& [i, v] : *stuck)
            if (i < s.size()) s[i] = v;
    twin.set_state(s);
    Classification c;
    c.run = twin.run(run_params(t, seed));
    const auto& h = twin.fields();
    c.label = pick_label(h.data() + t.layout.first_label, t.layout.classes, t.cfg.label_reps, &c.tied);
    return c;
}

}  // namespace mind1024::host
