// The study layer below the process level: the chip spec and its parameter
// table, and each study on small synthetic data on the plain C++ chip model
// (no SystemC, so the runner's children may build chips of any parameters).
#include <algorithm>
#include <numeric>
#include <random>

#include <gtest/gtest.h>

#include "host/board/reference_driver.h"
#include "host/board/errors.h"
#include "host/study/capacity_study.h"
#include "host/study/chip_spec.h"
#include "host/study/classify_study.h"
#include "host/study/fault_study.h"
#include "host/study/layered_study.h"
#include "host/study/network_study.h"
#include "host/study/patterns.h"
#include "host/study/recall_study.h"
#include "sysc/chip_mode.h"

namespace mind1024::host {
namespace {

ChipSpec reference_spec(uint32_t n_max = 256, uint32_t wbits = 8) {
    ChipSpec s;
    s.model = "reference";
    s.params.n_max = n_max;
    s.params.wbits = wbits;
    return s;
}

// ---- The chip spec and the parameter table ------------------------------------------------

TEST(ChipSpec, RefusesContradictoryChoicesNamingTheOption) {
    auto refused = [](ChipSpec s, const std::string& words) {
        try {
            s.check();
            ADD_FAILURE() << "accepted; expected a refusal naming " << words;
        } catch (const BadArgument& e) {
            EXPECT_NE(std::string(e.what()).find(words), std::string::npos) << e.what();
        }
    };
    ChipSpec s = reference_spec();
    EXPECT_NO_THROW(s.check());
    s.vcd = "t.vcd";
    refused(s, "--vcd");
    s = reference_spec();
    s.datapath = "rtl";
    refused(s, "--datapath rtl");
    s = reference_spec();
    s.model = "spice";
    refused(s, "--model spice");
    s = ChipSpec{};
    s.board = "unix:/tmp/x";
    s.faults.neuron_plus = 0.1;
    refused(s, "--faults");
    s = ChipSpec{};
    s.params.wbits = 0;
    refused(s, "WBITS");
}

TEST(ChipSpec, ParamsJsonRoundTripsEveryTableEntry) {
    ChipParams p;
    p.n_max = 512, p.wbits = 5, p.abits = 13, p.lanes = 7, p.latency = 2, p.clock_hz = 3.5e7;
    const nlohmann::json j = params_json(p);
    EXPECT_EQ(j.size(), chip_param_table().size());
    for (const ChipParamInfo& k : chip_param_table()) EXPECT_TRUE(j.contains(k.member)) << k.member;
    EXPECT_TRUE(params_from_json(j, "t") == p);
    ChipParams q = p;
    q.lanes = 8;
    EXPECT_FALSE(params_from_json(j, "t") == q);
}

TEST(ChipSpec, ParamsFromJsonNamesTheKeyAndTheRange) {
    nlohmann::json j = params_json(ChipParams{});
    j["abits"] = 99;
    try {
        params_from_json(j, "runs/a.json");
        FAIL() << "abits 99 accepted";
    } catch (const DataError& e) {
        const std::string m = e.what();
        EXPECT_NE(m.find("runs/a.json"), std::string::npos) << m;
        EXPECT_NE(m.find("abits"), std::string::npos) << m;
    }
    j = params_json(ChipParams{});
    j.erase("lanes");
    EXPECT_THROW(params_from_json(j, "x"), DataError);
    j = params_json(ChipParams{});
    j["wbits"] = 4.5;
    EXPECT_THROW(params_from_json(j, "x"), DataError);
}

TEST(ChipParamTable, DefaultsLieInTheirRangesAndOptionsAreFound) {
    const ChipParams d;
    for (const ChipParamInfo& k : chip_param_table()) {
        EXPECT_GE(k.get(d), k.lo) << k.member;
        EXPECT_LE(k.get(d), k.hi) << k.member;
        const ChipParamInfo* found = find_chip_param(k.option);
        ASSERT_NE(found, nullptr) << k.option;
        EXPECT_EQ(std::string(found->member), std::string(k.member));
    }
    EXPECT_EQ(find_chip_param("no-such-option"), nullptr);
}

TEST(ChipSpec, OpenChipGivesTheReferenceModelWithTheSpecsParameters) {
    ChipSpec s = reference_spec(128, 6);
    auto chip = open_chip(s);
    EXPECT_TRUE(chip->params() == s.params);
    EXPECT_TRUE(chip->takes_faults());
}

// ---- Classification --------------------------------------------------------------------------

// Three classes of 12x12 pictures: a template each (bars in different places),
// every pixel flipped with probability 8%.
MnistSet synthetic_set(size_t per_class, uint64_t seed) {
    MnistSet s;
    s.rows = s.cols = 12;
    std::mt19937_64 rng(seed);
    for (size_t i = 0; i < 3 * per_class; ++i) {
        const uint8_t c = static_cast<uint8_t>(i % 3);
        for (uint32_t r = 0; r < 12; ++r)
            for (uint32_t q = 0; q < 12; ++q) {
                bool on = c == 0 ? (r >= 2 && r < 5) : c == 1 ? (q >= 7 && q < 10) : (r == q || r + 1 == q);
                if (rng() % 100 < 8) on = !on;
                s.images.push_back(on ? 255 : 0);
            }
        s.labels.push_back(c);
    }
    s.count = static_cast<uint32_t>(s.labels.size());
    return s;
}

ClassifierConfig small_config() {
    ClassifierConfig c;
    c.coding = PixelCoding{0, 0, 12, 12, 128};
    c.neurons = 256;
    c.protos_per_class = 3;
    c.kmeans_iters = 5;
    c.tune_epochs = 2;
    c.attractor_epochs = 1;
    c.seed = 3;
    return c;
}

struct Encoded {
    std::vector<std::vector<int8_t>> pixels;
    std::vector<uint8_t> labels;
    LabelledImages images() const { return {&pixels, &labels}; }
};

Encoded encode(const MnistSet& s, const PixelCoding& c) {
    Encoded e;
    for (size_t i = 0; i < s.count; ++i) e.pixels.push_back(encode_image(s.image(i), s.rows, s.cols, c));
    e.labels = s.labels;
    return e;
}

struct Trained {
    TrainedClassifier net;
    Encoded test;
};
const Trained& trained() {
    static const Trained t = [] {
        Trained r;
        r.net = train_classifier(synthetic_set(40, 1), small_config());
        r.test = encode(synthetic_set(20, 2), r.net.cfg.coding);
        return r;
    }();
    return t;
}

TEST(ClassifyStudy, SeparableClassesAreLearnedAndTheTalliesAddUp) {
    const Trained& t = trained();
    auto chip = open_chip(reference_spec());
    const ChipNetwork q = quantize_for(t.net, chip->params(), {});
    const ClassifierEval e = evaluate_classifier(*chip, t.net, q, t.test.images());
    ASSERT_EQ(e.chip.images(), t.test.pixels.size());
    ASSERT_TRUE(e.twin_run);
    EXPECT_GE(e.chip.accuracy(), 90.0);
    EXPECT_GE(e.twin.accuracy(), 90.0);
    EXPECT_EQ(e.classes, 3u);
    ASSERT_EQ(e.confusion.size(), 9u);
    EXPECT_EQ(std::accumulate(e.confusion.begin(), e.confusion.end(), size_t{0}), e.chip.images());
    EXPECT_EQ(e.confusion[0] + e.confusion[4] + e.confusion[8], e.chip.correct);
    ASSERT_EQ(e.chip.cycles.size(), e.chip.images());
    EXPECT_EQ(std::accumulate(e.chip.cycles.begin(), e.chip.cycles.end(), uint64_t{0}), e.chip.total_cycles);
    EXPECT_GT(e.chip.total_cycles, 0u);
    EXPECT_TRUE(e.twin.cycles.empty());
    const nlohmann::json point = chip_point_json(e.chip, q);
    EXPECT_DOUBLE_EQ(point["accuracy"].get<double>(), e.chip.accuracy());
}

TEST(ClassifyStudy, BatchesAndOneByOneGiveTheSameAnswers) {
    const Trained& t = trained();
    auto chip = open_chip(reference_spec());
    const ChipNetwork q = quantize_for(t.net, chip->params(), {});
    load_classifier_on_chip(*chip, t.net, q);
    ChipRunOptions batched;
    batched.batch = 7;
    const ClassifierRun a = classify_all_on_chip(*chip, t.net, t.test.images(), batched);
    ChipRunOptions single;
    single.examples = t.test.pixels.size();  // every image one by one, its final state kept
    std::vector<std::vector<int8_t>> states;
    const ClassifierRun b = classify_all_on_chip(*chip, t.net, t.test.images(), single, &states);
    EXPECT_EQ(a.predicted, b.predicted);
    EXPECT_EQ(a.sweeps, b.sweeps);
    EXPECT_EQ(a.cycles, b.cycles);
    EXPECT_EQ(states.size(), t.test.pixels.size());
}

TEST(ClassifyStudy, CoarseWeightsCostAccuracyTheTwinDoesNotSee) {
    const Trained& t = trained();
    auto fine = open_chip(reference_spec(256, 8));
    const ClassifierEval e8 = evaluate_classifier(*fine, t.net, quantize_for(t.net, fine->params(), {}),
                                                  t.test.images());
    ReferenceDriver coarse([] {
        ChipParams p;
        p.n_max = 256, p.wbits = 1;
        return p;
    }());
    ClassifierEvalOptions no_twin;
    no_twin.run_twin = false;
    const ClassifierEval e1 = evaluate_classifier(coarse, t.net, quantize_for(t.net, coarse.params(), {}),
                                                  t.test.images(), no_twin);
    EXPECT_FALSE(e1.twin_run);
    EXPECT_NE(e1.chip.predicted, e8.chip.predicted);
}

TEST(ClassifyStudy, OverChipsInChildrenEqualsTheSameStudyHere) {
    const Trained& t = trained();
    std::vector<ChipSpec> specs{reference_spec(256, 8), reference_spec(256, 3)};
    specs[1].params.abits = 12;
    std::vector<size_t> done;
    const auto results = classify_over_chips(t.net, t.test.images(), specs, {}, 2,
                                             [&](size_t k, const nlohmann::json&) { done.push_back(k); });
    ASSERT_EQ(results.size(), specs.size() + 1);
    std::sort(done.begin(), done.end());
    EXPECT_EQ(done, (std::vector<size_t>{0, 1, 2}));
    for (size_t k = 0; k < specs.size(); ++k) {
        ASSERT_FALSE(results[k].contains("error")) << results[k].dump();
        auto chip = open_chip(specs[k]);
        const ChipNetwork q = quantize_for(t.net, specs[k].params, {});
        ClassifierEvalOptions o;
        o.run_twin = false;
        const ClassifierEval here = evaluate_classifier(*chip, t.net, q, t.test.images(), o);
        EXPECT_EQ(results[k], chip_point_json(here.chip, q)) << "spec " << k;
    }
    EXPECT_TRUE(results.back().contains("accuracy"));
}

TEST(ClassifyStudy, ABadConfigurationIsAnErrorOfItsOwnNotOfTheSet) {
    const Trained& t = trained();
    std::vector<ChipSpec> specs{reference_spec(256, 8), reference_spec(64, 8)};  // 64 neurons: the net does not fit
    const auto results = classify_over_chips(t.net, t.test.images(), specs, {}, 2);
    ASSERT_EQ(results.size(), 3u);
    EXPECT_FALSE(results[0].contains("error"));
    ASSERT_TRUE(results[1].contains("error")) << results[1].dump();
    EXPECT_FALSE(results[1]["error"].get<std::string>().empty());
}

// ---- Faults ----------------------------------------------------------------------------------

TEST(FaultStudy, RateZeroIsTheFaultFreeChipAndTheChipIsLeftClean) {
    const Trained& t = trained();
    auto chip = open_chip(reference_spec());
    const ChipNetwork q = quantize_for(t.net, chip->params(), {});
    ClassifierEvalOptions o;
    o.run_twin = false;
    const ClassifierEval clean = evaluate_classifier(*chip, t.net, q, t.test.images(), o);

    FaultCampaign c;
    c.kinds = {"neuron", "syn"};
    c.rates = {0, 0.3};
    c.patterns = 4, c.probes = 3;
    const auto points = run_fault_campaign(*chip, t.net, q, t.test.images(), c);
    ASSERT_EQ(points.size(), 4u);
    for (const FaultPoint& p : points) {
        if (p.rate == 0) {
            EXPECT_EQ(p.sites, 0u) << p.kind;
            EXPECT_DOUBLE_EQ(p.mnist_chip, clean.chip.accuracy() / 100.0) << p.kind;
        } else {
            EXPECT_GT(p.sites, 0u) << p.kind;
            EXPECT_LE(p.mnist_chip, clean.chip.accuracy() / 100.0) << p.kind << " at " << p.rate;
            // A third of the synapse bits stuck breaks the classifier.
            if (p.kind == "syn") EXPECT_LT(p.mnist_chip, 0.8 * clean.chip.accuracy() / 100.0) << p.rate;
        }
    }
    const ClassifierEval after = evaluate_classifier(*chip, t.net, q, t.test.images(), o);
    EXPECT_EQ(after.chip.predicted, clean.chip.predicted);
    EXPECT_EQ(after.chip.cycles, clean.chip.cycles);
}

TEST(FaultStudy, SpecsScaleWithTheRateAndAreSeeded) {
    FaultCampaign c;
    ChipParams p;
    p.n_max = 256;
    const FaultSpec a = fault_spec_for("neuron", 0.1, c, p);
    EXPECT_DOUBLE_EQ(a.neuron_plus + a.neuron_minus, 0.1);
    const FaultPlan pa = FaultPlan::expand(a, p);
    const FaultPlan pb = FaultPlan::expand(fault_spec_for("neuron", 0.1, c, p), p);
    EXPECT_EQ(faulty_sites(pa), faulty_sites(pb));
    EXPECT_NEAR(double(faulty_sites(pa)), 25.6, 2.0);
}

// ---- Capacity and recall ---------------------------------------------------------------------

TEST(CapacityStudy, LowLoadsRecallHighLoadsDoNotOnEveryEngine) {
    CapacitySpec s;
    s.neurons = 100;
    s.loads = {30, 3};  // unsorted on purpose
    s.rules = {"hebb"};
    s.wbits = {8, 2};
    s.probes = 4;
    s.flip = 0.05;
    s.jobs = 2;
    s.chip = reference_spec(128);
    std::vector<size_t> done;
    const CapacityResult r = run_capacity_study(s, [&](size_t k) { done.push_back(k); });
    EXPECT_EQ(r.loads, (std::vector<uint32_t>{3, 30}));
    EXPECT_DOUBLE_EQ(r.alpha[0], 0.03);
    ASSERT_EQ(r.floats.size(), 1u);
    ASSERT_EQ(r.chips.size(), 2u);
    EXPECT_EQ(done.size(), 2u);
    EXPECT_GT(r.floats[0].overlap[0], 0.95);
    EXPECT_LT(r.floats[0].overlap[1], r.floats[0].overlap[0]);
    for (const auto& w : r.chips) {
        ASSERT_EQ(w.size(), 1u);
        ASSERT_EQ(w[0].overlap.size(), 2u);
        EXPECT_GT(w[0].overlap[0], 0.9);
        EXPECT_LT(w[0].overlap[1], w[0].overlap[0]);
    }
}

TEST(CapacityStudy, RefusesANetworkLargerThanTheChipNamingTheOption) {
    CapacitySpec s;
    s.neurons = 300;
    s.chip = reference_spec(256);
    try {
        run_capacity_study(s);
        FAIL() << "300 neurons on a 256-neuron chip accepted";
    } catch (const BadArgument& e) {
        EXPECT_NE(std::string(e.what()).find("--neurons"), std::string::npos) << e.what();
    }
}

TEST(AlphaC, InterpolatesAndFlagsBounds) {
    const std::vector<double> alpha{0.1, 0.2, 0.3};
    const AlphaC mid = alpha_c(alpha, {1.0, 0.9, 0.5}, 0.7);
    EXPECT_NEAR(mid.value, 0.25, 1e-12);
    EXPECT_FALSE(mid.lower_bound || mid.upper_bound);
    const AlphaC never = alpha_c(alpha, {1.0, 1.0, 0.99}, 0.7);
    EXPECT_TRUE(never.lower_bound);
    EXPECT_EQ(never.text(0), ">0.300");
    EXPECT_TRUE(never.json().is_null());
    const AlphaC always = alpha_c(alpha, {0.5, 0.4, 0.3}, 0.7);
    EXPECT_TRUE(always.upper_bound);
    EXPECT_EQ(always.text(0), "<0.100");
}

TEST(RecallStudy, StoredPatternsAreRecalledAndAsyncEnergyNeverRises) {
    const Patterns pats = make_patterns("random", 3, 10, 5);
    ReferenceDriver chip([] {
        ChipParams p;
        p.n_max = 128;
        return p;
    }());
    RecallSpec s;
    s.rules = {"hebb"};
    s.orders = {Order::AsyncSeq, Order::Sync};
    s.flip = 0.1;
    const auto runs = run_recall_study(chip, pats, s);
    ASSERT_EQ(runs.size(), 2u);
    for (const RecallRun& r : runs) {
        EXPECT_EQ(r.patterns.size(), 3u);
        EXPECT_EQ(r.recalled(), 3u) << order_name(r.order);
        EXPECT_DOUBLE_EQ(r.mean_final_overlap(), 1.0);
    }
    for (const PatternRecall& p : runs[0].patterns)
        for (size_t k = 1; k < p.energy.size(); ++k) EXPECT_LE(p.energy[k], p.energy[k - 1]);
}

// ---- Any network --------------------------------------------------------------------------

TEST(NetworkStudy, OneRunEqualsTheDriversOwn) {
    std::mt19937_64 rng(9);
    NetworkInputs in;
    const uint32_t n = 40;
    in.weights.n = n;
    in.weights.w.assign(n * n, 0);
    for (uint32_t i = 0; i < n; ++i)
        for (uint32_t j = i + 1; j < n; ++j)
            in.weights.w[i * n + j] = in.weights.w[j * n + i] = static_cast<int16_t>(int(rng() % 201) - 100);
    in.thresholds.assign(n, 3);
    for (uint32_t i = 0; i < n; ++i) in.state.push_back(rng() % 2 ? 1 : -1);
    in.clamp.assign(n, 0);
    in.clamp[0] = 1;
    ReferenceDriver chip([] {
        ChipParams p;
        p.n_max = 64;
        return p;
    }());
    RunParams rp;
    rp.max_sweeps = 20;
    const NetworkRun r = run_network(chip, in, rp);
    ASSERT_EQ(r.state.size(), n);
    EXPECT_EQ(r.state[0], in.state[0]);  // clamped
    EXPECT_TRUE(r.result.converged);

    ReferenceDriver direct(chip.params());
    direct.load_weights(in.weights);
    direct.load_thresholds(in.thresholds);
    direct.set_state(in.state);
    direct.set_clamp(in.clamp);
    rp.n_active = n;
    const RunResult d = direct.run(rp);
    std::vector<int8_t> s = direct.state();
    s.resize(n);
    EXPECT_EQ(r.state, s);
    EXPECT_EQ(r.result.sweeps, d.sweeps);
    EXPECT_EQ(r.result.flips, d.flips);
    EXPECT_EQ(r.result.cycles, d.cycles);
}

}  // namespace
}  // namespace mind1024::host

// A network of a window takes its pixels from whole images; other sizes are refused by name.
TEST(LayeredStudy, InputsAreTheNetworksWindowOfWholeImages) {
    using mind1024::host::MnistSet;
    mind1024::host::baselines::LayeredIntNet net;
    net.crop = mind1024::host::baselines::InputCrop::centred(20);
    net.inputs = net.crop.inputs();
    MnistSet whole;
    whole.count = 2;
    whole.rows = whole.cols = 28;
    whole.images.resize(2 * 784);
    for (size_t i = 0; i < whole.images.size(); ++i) whole.images[i] = static_cast<uint8_t>(i % 251);
    whole.labels = {3, 7};
    const MnistSet cut = mind1024::host::layered_inputs(net, whole, "net");
    ASSERT_EQ(cut.image_size(), 400u);
    EXPECT_EQ(cut.images, net.crop.select(whole.images, 2));
    EXPECT_EQ(cut.labels, whole.labels);
    EXPECT_EQ(mind1024::host::layered_inputs(net, cut, "net").images, cut.images);  // already the window
    MnistSet odd = whole;
    odd.rows = odd.cols = 27;
    odd.images.resize(2 * 27 * 27);
    try {
        mind1024::host::layered_inputs(net, odd, "my/network.json");
        FAIL() << "27 x 27 images accepted";
    } catch (const mind1024::host::DataError& e) {
        EXPECT_NE(std::string(e.what()).find("my/network.json"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("400 inputs"), std::string::npos) << e.what();
    }
}
