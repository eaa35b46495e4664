#include "host/classify/prototype_classifier.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <random>
#include <thread>

#include <Eigen/Dense>
#include <fmt/format.h>

#include "host/board/errors.h"
#include "sysc/fixed_point.h"
#include "host/classify/kmeans.h"
#include "sysc/engine/untimed_run.h"
#include "sysc/lfsr.h"

namespace mind1024::host {

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

// A new seeded order of 0..n-1 (own Fisher-Yates on the raw draws: the same on every library).
void shuffle(std::vector<size_t>& order, std::mt19937_64& rng) {
    for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng() % i]);
}

// The step size after `step` of `steps` steps: `rate` falling linearly to 0.
float decayed(double rate, size_t step, size_t steps) {
    return static_cast<float>(rate * (1.0 - static_cast<double>(step) / static_cast<double>(steps)));
}

// fn(begin, end, thread) over [0, n) cut into `threads` fixed contiguous parts.
// Callers write per-item results only, so the partition never changes a bit.
template <class F>
void parallel_chunks(unsigned threads, size_t n, F&& fn) {
    const size_t t = std::max<size_t>(1, std::min<size_t>(threads, n));
    if (t == 1) return fn(size_t{0}, n, 0u);
    std::vector<std::thread> pool;
    std::vector<std::exception_ptr> errors(t);
    for (size_t k = 1; k < t; ++k)
        pool.emplace_back([&, k] {
            try {
                fn(n * k / t, n * (k + 1) / t, static_cast<unsigned>(k));
            } catch (...) {
                errors[k] = std::current_exception();
            }
        });
    try {
        fn(size_t{0}, n / t, 0u);
    } catch (...) {
        errors[0] = std::current_exception();
    }
    for (auto& th : pool) th.join();
    for (auto& e : errors)
        if (e) std::rethrow_exception(e);
}

// ±1 images as the lists of their +1 pixels, ascending.
struct OnPixels {
    std::vector<uint32_t> start{0};
    std::vector<uint16_t> on;
    void add(const int8_t* s, uint32_t P) {
        for (uint32_t p = 0; p < P; ++p)
            if (s[p] > 0) on.push_back(static_cast<uint16_t>(p));
        start.push_back(static_cast<uint32_t>(on.size()));
    }
    size_t count() const { return start.size() - 1; }
    const uint16_t* of(size_t i) const { return on.data() + start[i]; }
    size_t size(size_t i) const { return start[i + 1] - start[i]; }
    // Image i as ±1 floats.
    void dense(size_t i, uint32_t P, float* x) const {
        std::fill(x, x + P, -1.0f);
        for (size_t k = start[i]; k < start[i + 1]; ++k) x[on[k]] = 1.0f;
    }
};

// The prototypes as columns (ct[p * M + m]) so that an image's M scores
// s_m = x.mu_m - |mu_m|^2/2 = 2 * (sum of mu_m over x's +1 pixels) - sum(mu_m) - |mu_m|^2/2
// are a sum of ~100 rows of ct (sum_rows: SIMD, the same bits in every thread).
struct Protos {
    uint32_t M = 0, P = 0;
    std::vector<float> ct;
    std::vector<float> bias;  // sum(mu_m) + |mu_m|^2/2
    std::vector<float> half;  // |mu_m|^2/2: score + half = x.mu_m

    void refresh(uint32_t m) {
        double s = 0, s2 = 0;
        for (uint32_t p = 0; p < P; ++p) {
            const double v = ct[size_t{p} * M + m];
            s += v, s2 += v * v;
        }
        bias[m] = static_cast<float>(s + 0.5 * s2);
        half[m] = static_cast<float>(0.5 * s2);
    }
    void set(const float* c_rows, uint32_t M_, uint32_t P_) {
        M = M_, P = P_;
        ct.assign(size_t{M} * P, 0.0f);
        bias.assign(M, 0.0f);
        half.assign(M, 0.0f);
        for (uint32_t m = 0; m < M; ++m)
            for (uint32_t p = 0; p < P; ++p) ct[size_t{p} * M + m] = c_rows[size_t{m} * P + p];
        for (uint32_t m = 0; m < M; ++m) refresh(m);
    }
    std::vector<float> rows() const {
        std::vector<float> c(size_t{M} * P);
        for (uint32_t m = 0; m < M; ++m)
            for (uint32_t p = 0; p < P; ++p) c[size_t{m} * P + p] = ct[size_t{p} * M + m];
        return c;
    }
    void scores(const OnPixels& X, size_t i, float* s) const {
        sum_rows(ct.data(), M, X.of(i), X.size(i), s);
        for (uint32_t m = 0; m < M; ++m) s[m] = 2.0f * s[m] - bias[m];
    }
    // `step` of the way toward x (away if negative), kept in [-1, 1].
    void lvq_step(uint32_t m, const float* x, float step) {
        for (uint32_t p = 0; p < P; ++p) {
            float& c = ct[size_t{p} * M + m];
            c = std::min(1.0f, std::max(-1.0f, c + step * (x[p] - c)));
        }
        refresh(m);
    }
};

// The best-scoring prototype of class y (the first on ties), -1 if it has none.
int64_t best_of_class(const float* s, const std::vector<uint32_t>& proto_class, uint32_t y) {
    int64_t own = -1;
    for (size_t m = 0; m < proto_class.size(); ++m)
        if (proto_class[m] == y && (own < 0 || s[m] > s[own])) own = static_cast<int64_t>(m);
    return own;
}

// One LVQ-with-margin epoch over `order` (see tune_prototypes). Returns the violations.
size_t lvq_epoch(Protos& C, const std::vector<uint32_t>& proto_class, const OnPixels& X, const std::vector<uint8_t>& y,
                 const std::vector<size_t>& order, double rate, double margin, size_t& step, size_t steps) {
    std::vector<float> s(C.M), x(C.P);
    std::vector<uint32_t> inside;
    size_t v = 0;
    for (size_t i : order) {
        const float eta = decayed(rate, step++, steps);
        C.scores(X, i, s.data());
        const int64_t own = best_of_class(s.data(), proto_class, y[i]);
        if (own < 0) continue;  // a class without prototypes
        inside.clear();
        for (uint32_t m = 0; m < C.M; ++m)
            if (proto_class[m] != y[i] && s[m] > s[own] - margin) inside.push_back(m);
        if (inside.empty()) continue;
        ++v;
        X.dense(i, C.P, x.data());
        C.lvq_step(static_cast<uint32_t>(own), x.data(), eta);
        for (uint32_t m : inside) C.lvq_step(m, x.data(), -eta);
    }
    return v;
}

// The prototypes that break ties of the label sums (ClassifyBatch::protos): all or none.
uint32_t tie_protos(const ClassifierLayout& L, const ClassifierConfig& cfg) { return cfg.prototype_ties ? L.protos : 0; }

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

// The run of one image through KwtaArith (the model of the chip's dynamics):
// its label and the prototypes left on.
class AttractorModel {
public:
    AttractorModel(const ClassifierLayout& L, const ClassifierConfig& cfg, const std::vector<uint32_t>& proto_class)
        : L_(L), cfg_(cfg), arith_(L, proto_class, cfg.label_reps, cfg.inhibition, cfg.label_gain),
          clamp_(L.n, 1), fields_(L.n, 0.0) {
        spec_.order = cfg.order;
        spec_.n = L.n;
        for (uint32_t f = 0; f < L.protos + L.labels; ++f) clamp_[L.first_proto + f] = 0;
    }
    // scores s (M) and half norms (s + half = x.mu), r = the ridge offset of the
    // image; lfsr_seed as the training's.
    int run(const float* s, const float* half, double r, uint32_t lfsr_seed) {
        for (uint32_t m = 0; m < L_.protos; ++m) arith_.drive()[m] = s[m] - r - cfg_.offset;
        sigma_.assign(L_.n, -1);
        Lfsr lfsr(lfsr_seed);
        engine::run_untimed(arith_, sweeper_, spec_, cfg_.max_sweeps, sigma_, clamp_.data(), lfsr, fields_.data());
        const uint32_t protos = tie_protos(L_, cfg_);
        bool tied = false;
        const int plain = pick_label(fields_.data() + L_.first_label, L_.classes, cfg_.label_reps, &tied);
        if (!tied || !protos) return plain;
        {
            // The chip's tie rule reads the prototypes' fields h (sigma domain, before
            // the threshold): x.mu_m - x.w (the same for all, left out), the inhibition
            // -c/2 from every other prototype, +a/2 from the class's label neurons and
            // -a/2 from the others'.
            int protos_sum = 0, labels_sum = 0;
            for (uint32_t m = 0; m < L_.protos; ++m) protos_sum += sigma_[L_.first_proto + m];
            for (uint32_t l = 0; l < L_.labels; ++l) labels_sum += sigma_[L_.first_label + l];
            h_.resize(L_.protos);
            for (uint32_t m = 0; m < L_.protos; ++m) {
                const uint32_t q = m % L_.classes;
                int own = 0;
                for (uint32_t k = 0; k < cfg_.label_reps; ++k) own += sigma_[L_.first_label + q * cfg_.label_reps + k];
                h_[m] = double{s[m]} + half[m] - cfg_.inhibition / 2 * (protos_sum - sigma_[L_.first_proto + m]) +
                        cfg_.label_gain / 2 * (2 * own - labels_sum);
            }
        }
        return pick_label(fields_.data() + L_.first_label, h_.data(), protos, L_.classes, cfg_.label_reps);
    }
    bool on(uint32_t m) const { return sigma_[L_.first_proto + m] > 0; }

private:
    const ClassifierLayout& L_;
    const ClassifierConfig& cfg_;
    KwtaArith arith_;
    engine::Sweeper<KwtaArith> sweeper_;
    engine::SweepSpec spec_;
    std::vector<uint8_t> clamp_;
    std::vector<int8_t> sigma_;
    std::vector<double> fields_, h_;
};

// The per-image offset: ridge regression of each training image's top score
// on its pixels and a constant. Z'Z holds counts (exact), factorized once.
class RidgeOffset {
public:
    RidgeOffset(const OnPixels& X, uint32_t P, double ridge, unsigned threads) : X_(X), P_(P), ridge_(ridge) {
        if (ridge <= 0) return;
        const size_t N = X.count(), words = (N + 63) / 64;
        // Pixel p's column as bits over the images: z_ip z_iq = 1 - 2 (b_ip xor b_iq).
        std::vector<uint64_t> bits(size_t{P} * words, 0);
        for (size_t i = 0; i < N; ++i)
            for (size_t k = X.start[i]; k < X.start[i + 1]; ++k) bits[size_t{X.on[k]} * words + i / 64] |= uint64_t{1} << (i % 64);
        Eigen::MatrixXd G(P + 1, P + 1);
        parallel_chunks(threads, P, [&](size_t b, size_t e, unsigned) {
            for (size_t p = b; p < e; ++p) {
                for (size_t q = 0; q <= p; ++q) {
                    uint64_t h = 0;
                    for (size_t w = 0; w < words; ++w) h += static_cast<uint64_t>(__builtin_popcountll(bits[p * words + w] ^ bits[q * words + w]));
                    G(p, q) = static_cast<double>(N) - 2.0 * static_cast<double>(h);
                }
                uint64_t ones = 0;
                for (size_t w = 0; w < words; ++w) ones += static_cast<uint64_t>(__builtin_popcountll(bits[p * words + w]));
                G(P, p) = 2.0 * static_cast<double>(ones) - static_cast<double>(N);
            }
        });
        G(P, P) = static_cast<double>(N);
        G = G.selfadjointView<Eigen::Lower>();
        G.diagonal().array() += ridge;
        ldlt_.compute(G);
    }
    // (w, w0) for the prototypes C, from every training image's top score.
    Eigen::VectorXd fit(const Protos& C, unsigned threads) const {
        Eigen::VectorXd w = Eigen::VectorXd::Zero(P_ + 1);
        if (ridge_ <= 0) return w;
        const size_t N = X_.count();
        std::vector<double> top(N);
        parallel_chunks(threads, N, [&](size_t b, size_t e, unsigned) {
            std::vector<float> s(C.M);
            for (size_t i = b; i < e; ++i) {
                C.scores(X_, i, s.data());
                top[i] = *std::max_element(s.begin(), s.end());
            }
        });
        // Z' top, in image order: sum_i z_ip top_i = 2 * (sum over images with p on) - sum_i top_i.
        Eigen::VectorXd rhs = Eigen::VectorXd::Zero(P_ + 1);
        double total = 0;
        for (size_t i = 0; i < N; ++i) {
            total += top[i];
            for (size_t k = X_.start[i]; k < X_.start[i + 1]; ++k) rhs[X_.on[k]] += top[i];
        }
        for (uint32_t p = 0; p < P_; ++p) rhs[p] = 2.0 * rhs[p] - total;
        rhs[P_] = total;
        return ldlt_.solve(rhs);
    }

private:
    const OnPixels& X_;
    uint32_t P_;
    double ridge_;
    Eigen::LDLT<Eigen::MatrixXd> ldlt_;
};

// The offset of image i: w0 + sum_p z_p w_p = w0 + 2 * (sum of w over its +1 pixels) - sum(w).
struct Offset {
    Eigen::VectorXd w;
    double wsum = 0;
    explicit Offset(Eigen::VectorXd w_) : w(std::move(w_)) { wsum = w.head(w.size() - 1).sum(); }
    double of(const OnPixels& X, size_t i) const {
        double a = 0;
        for (size_t k = X.start[i]; k < X.start[i + 1]; ++k) a += w[X.on[k]];
        return w[w.size() - 1] + 2.0 * a - wsum;
    }
};

// The attractor model's accuracy (%) on the held-out images (ids: their training indices, for the LFSR seed).
double heldout_accuracy(const Protos& C, const Offset& off, const OnPixels& V, const std::vector<uint8_t>& vy,
                        const std::vector<size_t>& ids, const ClassifierLayout& L, const ClassifierConfig& cfg,
                        const std::vector<uint32_t>& proto_class, unsigned threads) {
    std::vector<uint8_t> right(V.count(), 0);
    parallel_chunks(threads, V.count(), [&](size_t b, size_t e, unsigned) {
        AttractorModel model(L, cfg, proto_class);
        std::vector<float> s(C.M);
        for (size_t i = b; i < e; ++i) {
            C.scores(V, i, s.data());
            right[i] = model.run(s.data(), C.half.data(), off.of(V, i), static_cast<uint32_t>(ids[i] + 1)) == vy[i];
        }
    });
    size_t n = 0;
    for (uint8_t r : right) n += r;
    return V.count() ? 100.0 * static_cast<double>(n) / static_cast<double>(V.count()) : 0.0;
}

// The held-out share: per class, the same fraction (at most a tenth, leaving
// at least `keep` images), drawn by a seeded shuffle; the rest, in their order, trains.
void split_validation(const std::vector<uint8_t>& labels, uint32_t classes, size_t want, size_t keep, uint64_t seed,
                      std::vector<size_t>& train, std::vector<size_t>& held) {
    const size_t count = labels.size();
    const double share = std::min(0.1, count ? static_cast<double>(want) / static_cast<double>(count) : 0.0);
    std::vector<std::vector<size_t>> by_class(classes);
    for (size_t i = 0; i < count; ++i) by_class[labels[i]].push_back(i);
    std::vector<uint8_t> out(count, 0);
    std::mt19937_64 rng(seed);
    for (auto& idx : by_class) {
        const size_t n = std::min(static_cast<size_t>(std::llround(share * static_cast<double>(idx.size()))),
                                  idx.size() > keep ? idx.size() - keep : 0);
        shuffle(idx, rng);
        for (size_t k = 0; k < n; ++k) out[idx[k]] = 1;
    }
    train.clear(), held.clear();
    for (size_t i = 0; i < count; ++i) (out[i] ? held : train).push_back(i);
}

}  // namespace

unsigned resolve_threads(unsigned threads) {
    if (threads) return threads;
    const unsigned hw = std::thread::hardware_concurrency();
    return hw ? hw : 1;
}

std::vector<size_t> tune_prototypes(float* c, const std::vector<uint32_t>& proto_class, const float* x,
                                    const std::vector<uint8_t>& y, size_t dim, uint32_t epochs, double rate,
                                    double margin, uint64_t seed) {
    const size_t M = proto_class.size(), count = y.size();
    OnPixels X;
    std::vector<int8_t> s(dim);
    for (size_t i = 0; i < count; ++i) {
        for (size_t p = 0; p < dim; ++p) {
            const float v = x[i * dim + p];
            if (v != 1.0f && v != -1.0f) throw BadArgument("tune_prototypes: the images must be ±1");
            s[p] = v > 0 ? 1 : -1;
        }
        X.add(s.data(), static_cast<uint32_t>(dim));
    }
    Protos C;
    C.set(c, static_cast<uint32_t>(M), static_cast<uint32_t>(dim));
    std::mt19937_64 rng(seed);
    std::vector<size_t> order(count), violations;
    std::iota(order.begin(), order.end(), size_t{0});
    const size_t steps = size_t{epochs} * count;
    size_t step = 0;
    for (uint32_t e = 0; e < epochs; ++e) {
        shuffle(order, rng);
        violations.push_back(lvq_epoch(C, proto_class, X, y, order, rate, margin, step, steps));
    }
    const std::vector<float> rows = C.rows();
    std::copy(rows.begin(), rows.end(), c);
    return violations;
}

TrainedClassifier train_classifier(const MnistSet& train, const ClassifierConfig& cfg, unsigned threads) {
    const auto t0 = std::chrono::steady_clock::now();
    threads = resolve_threads(threads);
    TrainedClassifier t;
    t.cfg = cfg;
    t.layout = make_layout(cfg, train.num_classes());
    const ClassifierLayout& L = t.layout;
    const uint32_t P = L.pixels, M = L.protos, K = cfg.protos_per_class;

    // The held-out images, then the encoded training images, grouped by class.
    std::vector<size_t> train_ids, held_ids;
    if (cfg.validation_images)
        split_validation(std::vector<uint8_t>(train.labels.begin(), train.labels.begin() + train.count), L.classes,
                         cfg.validation_images, K, cfg.seed + 3000, train_ids, held_ids);
    else
        train_ids.resize(train.count), std::iota(train_ids.begin(), train_ids.end(), size_t{0});
    t.validation_images = held_ids.size();
    const size_t N = train_ids.size();
    std::vector<std::vector<int8_t>> enc(train.count);
    parallel_chunks(threads, train.count, [&](size_t b, size_t e, unsigned) {
        for (size_t i = b; i < e; ++i) enc[i] = encode_image(train.image(i), train.rows, train.cols, cfg.coding);
    });
    OnPixels X, V;
    std::vector<uint8_t> y(N), vy(held_ids.size());
    std::vector<std::vector<int8_t>> by_class(L.classes);
    for (size_t k = 0; k < N; ++k) {
        const size_t i = train_ids[k];
        X.add(enc[i].data(), P);
        y[k] = train.labels[i];
        by_class[y[k]].insert(by_class[y[k]].end(), enc[i].begin(), enc[i].end());
    }
    for (size_t k = 0; k < held_ids.size(); ++k) V.add(enc[held_ids[k]].data(), P), vy[k] = train.labels[held_ids[k]];
    // 1. Prototypes: k-means per class (the classes in parallel); neuron first_proto + m
    //    has class m % classes (interleaved, so in-order updates favour no class).
    std::vector<float> rows(size_t{M} * P);
    std::vector<uint32_t> proto_class(M);
    for (uint32_t m = 0; m < M; ++m) proto_class[m] = m % L.classes;
    parallel_chunks(threads, L.classes, [&](size_t b, size_t e, unsigned) {
        for (size_t c = b; c < e; ++c) {
            const size_t count = by_class[c].size() / P;
            if (count < K)
                throw BadArgument(fmt::format("classifier: class {} has {} training images (after {} held out), fewer "
                                              "than its {} prototypes", c, count, t.validation_images, K));
            const auto cent = kmeans_pm1(by_class[c].data(), count, P, K, cfg.kmeans_iters, cfg.seed + c);
            for (uint32_t k = 0; k < K; ++k)
                std::copy_n(&cent[size_t{k} * P], P, &rows[(size_t{k} * L.classes + c) * P]);
        }
    });
    Protos C;
    C.set(rows.data(), M, P);
    const RidgeOffset ridge(X, P, cfg.ridge, threads);
    const bool validate = !held_ids.empty();
    auto validation = [&](const Protos& c) {
        const Offset off(ridge.fit(c, threads));
        return heldout_accuracy(c, off, V, vy, held_ids, L, cfg, proto_class, threads);
    };
    // A tuning's epochs, each validated. Kept at the end: the last epoch no worse than epoch 0 and
    // within the tolerance of the best (differences below it are the noise of the held-out sample,
    // and the schedule's later epochs have the smaller steps). After any other epoch, back to the
    // last kept epoch's prototypes with half the step.
    double held = validate ? validation(C) : 0.0;  // the held-out accuracy of the prototypes C
    auto tuning = [&](TuningTrace& trace, uint32_t epochs, double rate, auto&& epoch, auto&& score) {
        if (!validate) {
            for (uint32_t e = 0; e < epochs; ++e) epoch(rate);
            trace.kept = epochs;
            return;
        }
        const double start = held;
        double best = start;
        trace.accuracy = {start};
        Protos kept = C;
        for (uint32_t e = 1; e <= epochs; ++e) {
            trace.rate.push_back(rate);
            epoch(rate);
            const double a = score(C);
            trace.accuracy.push_back(a);
            best = std::max(best, a);
            if (a >= start && a >= best - cfg.validation_tolerance) {
                held = a, trace.kept = e, kept = C;  // within the noise of the best: the schedule goes on
            } else {
                C = kept;  // back to the last epoch kept, with a smaller step
                rate /= 2;
            }
        }
        C = kept;
    };
    // 1b. Discriminative tuning: wrong-class prototypes out of the margin below each image's best own one.
    {
        std::mt19937_64 rng(cfg.seed + 1000);
        std::vector<size_t> order(N);
        std::iota(order.begin(), order.end(), size_t{0});
        const size_t steps = size_t{cfg.tune_epochs} * N;
        size_t step = 0;
        tuning(t.tune_trace, cfg.tune_epochs, cfg.tune_rate,
               [&](double rate) {
                   shuffle(order, rng);
                   t.tune_violations.push_back(
                       lvq_epoch(C, proto_class, X, y, order, rate, cfg.tune_margin, step, steps));
               },
               validation);
    }
    // 2-3. Score s_m = x.mu_m - |mu_m|^2 / 2 (the largest is the nearest centroid), less a
    //      per-image offset: ridge regression of the top score on the pixels (ranking
    //      unchanged, the threshold fits better).
    Offset off(ridge.fit(C, threads));
    // 3b. Tuning on the attractor's own answers: run each training image through
    //     the network's dynamics (the run engine on KwtaArith); when the label is
    //     wrong, the best own-class prototype moves toward the image and every
    //     wrong-class prototype left on moves away. The offset w stays as fitted.
    {
        AttractorModel model(L, cfg, proto_class);
        std::vector<double> r(N);
        for (size_t k = 0; k < N; ++k) r[k] = off.of(X, k);
        std::mt19937_64 rng(cfg.seed + 2000);
        std::vector<size_t> order(N);
        std::iota(order.begin(), order.end(), size_t{0});
        const size_t steps = size_t{cfg.attractor_epochs} * N;
        size_t step = 0;
        std::vector<float> s(M), x(P);
        tuning(t.attractor_trace, cfg.attractor_epochs, cfg.attractor_rate,
               [&](double rate) {
                   shuffle(order, rng);
                   size_t errors = 0;
                   for (size_t k : order) {
                       const float eta = decayed(rate, step++, steps);
                       C.scores(X, k, s.data());
                       if (model.run(s.data(), C.half.data(), r[k], static_cast<uint32_t>(train_ids[k] + 1)) == y[k]) continue;
                       ++errors;
                       X.dense(k, P, x.data());
                       const int64_t own = best_of_class(s.data(), proto_class, y[k]);
                       if (own >= 0) C.lvq_step(static_cast<uint32_t>(own), x.data(), eta);
                       for (uint32_t m = 0; m < M; ++m)
                           if (proto_class[m] != y[k] && model.on(m)) C.lvq_step(m, x.data(), -eta);
                   }
                   t.attractor_errors.push_back(errors);
               },
               [&](const Protos& c) { return heldout_accuracy(c, off, V, vy, held_ids, L, cfg, proto_class, threads); });
    }
    const std::vector<float> Cr = C.rows();
    const Eigen::VectorXd& w = off.w;
    // 4. Couplings among free neurons in the 0/1 domain (b = (s+1)/2), score units.
    const uint32_t F = M + L.labels, R = cfg.label_reps;
    Eigen::MatrixXd Ab = Eigen::MatrixXd::Zero(F, F);
    Ab.topLeftCorner(M, M).setConstant(-cfg.inhibition);
    for (uint32_t m = 0; m < M; ++m)
        for (uint32_t l = 0; l < L.labels; ++l) {
            const double v = proto_class[m] == l / R ? cfg.label_gain : -cfg.label_gain;
            Ab(m, M + l) = Ab(M + l, m) = v;
        }
    Ab.diagonal().setZero();
    t.bias.assign(F, 0.0);
    for (uint32_t m = 0; m < M; ++m) t.bias[m] = double{C.half[m]} + w[P] + cfg.offset;
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
            for (uint32_t p = 0; p < P; ++p) row[p] = Cr[size_t{f} * P + p] - static_cast<float>(w[p]);
        for (uint32_t g = 0; g < F; ++g) row[L.first_proto + g] = static_cast<float>(Ab(f, g) / 2);
        t.net.theta[i] = static_cast<float>(t.bias[f] - Ab.row(f).sum() / 2);
    }
    t.centroids = Cr;
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
    const uint32_t protos = tie_protos(t.layout, t.cfg);
    if (c.tied && protos)  // the prototypes' fields only when they decide
        c.label = pick_label(h.data(), chip.fields(t.layout.first_proto, protos).data(), protos, t.layout.classes,
                             t.cfg.label_reps);
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
    b.protos = tie_protos(t.layout, t.cfg);
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
    c.label = pick_label(h.data() + t.layout.first_label, h.data() + t.layout.first_proto, tie_protos(t.layout, t.cfg),
                         t.layout.classes, t.cfg.label_reps, &c.tied);
    return c;
}

}  // namespace mind1024::host
