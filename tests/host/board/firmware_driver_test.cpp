// Firmware mode in process: the board with its controller running the command
// firmware (firmware/mind_fw), driven by FirmwareDriver through the mailbox,
// against the reference model (ReferenceDriver): the same state, fields,
// counters and cycles, bit for bit; CLASSIFY against the per-image procedure;
// bad arguments refused without a fault. One board per process (SystemC):
// gtest_discover_tests runs each case on its own, so each case picks its chip.
#include "host/board/firmware_driver.h"

#include <chrono>
#include <cstdio>
#include <cstring>
#include <random>
#include <set>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "host/board/bare_driver.h"
#include "host/board/errors.h"
#include "host/board/in_process_transport.h"
#include "mind1024_board.h"
#include "mind1024_regs.h"
#include "firmware/lib/mind_fw_protocol.h"
#include "sysc/board/platform.h"
#include "host/classify/prototype_classifier.h"
#include "host/board/reference_driver.h"

#ifndef MIND_FW_ELF
#error "MIND_FW_ELF (the path of mind_fw.elf) must be defined by the build"
#endif

using namespace mind1024;
using namespace mind1024::host;

namespace {

InProcessTransport& firmware_board(const ChipParams& p) {
    InProcessOptions o;
    o.firmware_path = MIND_FW_ELF;
    return InProcessTransport::open(p, o);
}

ChipParams params(uint32_t n_max, uint32_t wbits, uint32_t abits, uint32_t lanes) {
    ChipParams p;
    p.n_max = n_max;
    p.wbits = wbits;
    p.abits = abits;
    p.lanes = lanes;
    return p;
}

// The CPU is still serving: no fault, no exit.
void expect_cpu_serving(InProcessTransport& t) {
    board::RiscvCpu* cpu = t.board().cpu();
    ASSERT_NE(cpu, nullptr);
    EXPECT_EQ(cpu->halt_reason(), board::HaltReason::None) << cpu->halt_report();
}

WeightMatrix random_weights(uint32_t n, uint32_t wbits, std::mt19937& rng, bool symmetric) {
    std::uniform_int_distribution<int> d(-(1 << (wbits - 1)), (1 << (wbits - 1)) - 1);
    WeightMatrix m{n, std::vector<int16_t>(size_t{n} * n)};
    for (uint32_t i = 0; i < n; ++i)
        for (uint32_t j = 0; j < n; ++j) {
            if (symmetric && j < i) m.w[size_t{i} * n + j] = m.w[size_t{j} * n + i];
            else m.w[size_t{i} * n + j] = i == j && symmetric ? 0 : static_cast<int16_t>(d(rng));
        }
    return m;
}

std::vector<int32_t> random_thresholds(uint32_t n, int32_t amp, std::mt19937& rng) {
    std::uniform_int_distribution<int32_t> d(-amp, amp);
    std::vector<int32_t> t(n);
    for (auto& v : t) v = d(rng);
    return t;
}

std::vector<int8_t> random_state(uint32_t n, std::mt19937& rng) {
    std::vector<int8_t> s(n);
    for (auto& v : s) v = rng() % 2 ? 1 : -1;
    return s;
}

std::vector<uint8_t> random_clamp(uint32_t n, unsigned percent, std::mt19937& rng) {
    std::vector<uint8_t> c(n);
    for (auto& v : c) v = rng() % 100 < percent ? 1 : 0;
    return c;
}

void expect_same_run(const RunResult& a, const RunResult& b, const std::string& where) {
    EXPECT_EQ(a.sweeps, b.sweeps) << where;
    EXPECT_EQ(a.flips, b.flips) << where;
    EXPECT_EQ(a.ovf_count, b.ovf_count) << where;
    EXPECT_EQ(a.converged, b.converged) << where;
    EXPECT_EQ(a.cycle2, b.cycle2) << where;
    EXPECT_EQ(a.cycles, b.cycles) << where;
}

void expect_same_chip(ChipDriver& a, ChipDriver& b, const std::string& where) {
    EXPECT_EQ(a.state(), b.state()) << where;
    const uint32_t n = a.params().n_max;
    EXPECT_EQ(a.fields(0, n), b.fields(0, n)) << where;
    EXPECT_EQ(a.cycles(), b.cycles()) << where;
}

// Both drivers get the same call.
template <class F>
void both(ChipDriver& a, ChipDriver& b, F f) {
    f(a);
    f(b);
}

// Random networks through every order, wrap and noise, clamps, N_ACTIVE below N_MAX,
// weight blocks smaller than N_MAX, HEBB, CLEAR_SYN, SOFT_RESET.
void random_networks(const ChipParams& p, uint32_t seed, int32_t theta_amp, bool expect_overflow) {
    InProcessTransport& t = firmware_board(p);
    FirmwareDriver fw(t);
    ReferenceDriver ref(p);
    std::mt19937 rng(seed);
    int trial = 0;
    uint64_t flips = 0, ovf = 0;  // the runs did something
    for (uint32_t order = 0; order < 3; ++order)
        for (int wrap = 0; wrap < 2; ++wrap)
            for (int noise = 0; noise < 2; ++noise, ++trial) {
                const std::string where = fmt::format("trial {} (order {}, wrap {}, noise {})", trial, order, wrap, noise);
                const uint32_t n = p.n_max / 2 + static_cast<uint32_t>(rng() % (p.n_max / 2 + 1));
                const WeightMatrix w = random_weights(n, p.wbits, rng, trial % 2 == 0);
                const auto th = random_thresholds(n, theta_amp, rng);
                const auto s = random_state(p.n_max, rng);
                const auto c = random_clamp(1 + static_cast<uint32_t>(rng() % p.n_max), 15, rng);
                both(fw, ref, [&](ChipDriver& d) {
                    d.load_weights(w);
                    d.load_thresholds(th);
                    d.set_state(s);
                    d.set_clamp(c);
                });
                RunParams rp;
                rp.order = static_cast<Order>(order);
                rp.wrap = wrap;
                rp.noise = noise;
                rp.temp = static_cast<uint32_t>(rng() % 4000);
                rp.seed = static_cast<uint32_t>(rng());
                rp.max_sweeps = 1 + static_cast<uint32_t>(rng() % 12);
                rp.n_active = trial % 3 == 0 ? 0 : 1 + static_cast<uint32_t>(rng() % p.n_max);
                const RunResult r = fw.run(rp);
                expect_same_run(r, ref.run(rp), where + " run");
                flips += r.flips + (r.sweeps > 1 || !r.converged);
                ovf += r.ovf_count;
                expect_same_chip(fw, ref, where + " after run");
                // A partial state over the first neurons: the others keep theirs.
                const auto s2 = random_state(1 + static_cast<uint32_t>(rng() % p.n_max), rng);
                both(fw, ref, [&](ChipDriver& d) { d.set_state(s2); });
                rp.seed = static_cast<uint32_t>(rng());
                expect_same_run(fw.step(rp), ref.step(rp), where + " step");
                expect_same_chip(fw, ref, where + " after step");
                EXPECT_EQ(fw.read_weights(n).w, ref.read_weights(n).w) << where;
            }
    EXPECT_GT(flips, 0u);
    if (expect_overflow) {
        EXPECT_GT(ovf, 0u);
    }
    // HEBB on the current state, then the weights; CLEAR_SYN; SOFT_RESET.
    const uint32_t hn = p.n_max - 3;
    both(fw, ref, [&](ChipDriver& d) { d.hebb(hn); });
    both(fw, ref, [&](ChipDriver& d) { d.hebb(0); });
    EXPECT_EQ(fw.read_weights(p.n_max).w, ref.read_weights(p.n_max).w) << "after HEBB";
    expect_same_chip(fw, ref, "after HEBB");
    both(fw, ref, [&](ChipDriver& d) { d.clear_synapses(); });
    EXPECT_EQ(fw.read_weights(p.n_max).w, ref.read_weights(p.n_max).w) << "after CLEAR_SYN";
    expect_same_chip(fw, ref, "after CLEAR_SYN");
    both(fw, ref, [&](ChipDriver& d) { d.soft_reset(); });
    expect_same_chip(fw, ref, "after SOFT_RESET");
    expect_cpu_serving(t);
}

}  // namespace

TEST(FirmwareDriver, VersionSelftestAndInfo) {
    const ChipParams p = params(256, 8, 24, 16);
    InProcessTransport& t = firmware_board(p);
    FirmwareDriver fw(t);
    EXPECT_EQ(fw.name(), "firmware/systemc");
    EXPECT_EQ(MIND_FW_VERSION_MAJOR(fw.info().protocol_version), MIND_FW_PROTOCOL_MAJOR);
    EXPECT_EQ(fw.info().chip_id, MIND_ID_VALUE);
    EXPECT_EQ(fw.info().buf_bytes, MIND_HOSTIF_BUF_SIZE);
    EXPECT_EQ(fw.info().limit_ms, 10000u);  // the driver's default limit, 10 s
    EXPECT_TRUE(fw.info().capabilities & MIND_FW_CAP_CLASSIFY);
    EXPECT_EQ(fw.params().n_max, 256u);
    EXPECT_EQ(fw.params().latency, p.latency);
    // SELFTEST keeps the chip as it was.
    std::mt19937 rng(3);
    const auto s = random_state(256, rng);
    fw.set_state(s);
    const uint64_t c = fw.cycles();
    const double t0 = t.now_seconds();
    EXPECT_EQ(fw.selftest(), MIND_FW_ST_COUNT);
    std::printf("[ measure  ] SELFTEST: %.1f ms simulated\n", (t.now_seconds() - t0) * 1e3);
    EXPECT_EQ(fw.state(), s);
    EXPECT_EQ(fw.cycles(), c);
    expect_cpu_serving(t);
}

TEST(FirmwareDriver, MatchesReferenceOnRandomNetworksWithOverflow) {
    // ABITS 12 with 8-bit weights: fields saturate or wrap often.
    random_networks(params(200, 8, 12, 16), 11, 1500, true);
}

TEST(FirmwareDriver, MatchesReferenceWithOddNmaxAndOddRows) {
    // N_MAX 99: window rows start mid-word; odd weight blocks pad the buffer rows.
    random_networks(params(99, 5, 24, 7), 12, 40, false);
}

TEST(FirmwareDriver, MatchesReferenceAtFullSizeAndSixteenBitWeights) {
    const ChipParams p = params(1024, 16, 32, 16);
    InProcessTransport& t = firmware_board(p);
    FirmwareDriver fw(t);
    ReferenceDriver ref(p);
    std::mt19937 rng(13);
    const WeightMatrix w = random_weights(1024, 16, rng, true);  // 32 LOAD_WEIGHTS of 32 rows
    const auto th = random_thresholds(1024, 1 << 20, rng);
    const auto s = random_state(1024, rng);
    const double t0 = t.now_seconds();
    const auto w0 = std::chrono::steady_clock::now();
    fw.load_weights(w);
    const double load_s = t.now_seconds() - t0;
    const double load_wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - w0).count();
    const double t1 = t.now_seconds();
    EXPECT_EQ(fw.read_weights(1024).w, w.w);
    std::printf("[ measure  ] 1024 x 1024 weights: LOAD_WEIGHTS %.1f ms simulated (%.0f ms wall), READ_WEIGHTS %.1f ms "
                "simulated\n",
                load_s * 1e3, load_wall * 1e3, (t.now_seconds() - t1) * 1e3);
    ref.load_weights(w);
    both(fw, ref, [&](ChipDriver& d) {
        d.load_thresholds(th);
        d.set_state(s);
        d.set_clamp(random_clamp(1024, 0, rng));
    });
    RunParams rp;
    rp.order = Order::AsyncPerm;
    rp.max_sweeps = 4;
    rp.seed = 99;
    expect_same_run(fw.run(rp), ref.run(rp), "full-size run");
    expect_same_chip(fw, ref, "full-size run");
    expect_cpu_serving(t);
}

namespace {
// A classifier-like network: clamped "pixels", free neurons with symmetric
// couplings and a zero diagonal, label neurons among them.
struct ClassifierNet {
    uint32_t n, pixels, first_label, classes = 10, reps = 2;
    WeightMatrix w;
    std::vector<int32_t> th;
    std::vector<uint8_t> clamp;
};

ClassifierNet classifier_net(uint32_t n, uint32_t pixels, const ChipParams& p, std::mt19937& rng) {
    ClassifierNet c;
    c.n = n;
    c.pixels = pixels;
    c.first_label = n - c.classes * c.reps;
    c.w = random_weights(n, p.wbits, rng, true);
    c.th = random_thresholds(n, 200, rng);
    c.clamp.assign(n, 0);
    for (uint32_t i = 0; i < pixels; ++i) c.clamp[i] = 1;
    return c;
}

void load(ChipDriver& d, const ClassifierNet& c) {
    d.load_weights(c.w);
    d.load_thresholds(c.th);
    d.set_clamp(c.clamp);
}

std::vector<std::vector<int8_t>> random_images(size_t count, uint32_t n, uint32_t pixels, std::mt19937& rng) {
    std::vector<std::vector<int8_t>> s(count, std::vector<int8_t>(n, -1));
    for (auto& img : s)
        for (uint32_t i = 0; i < pixels; ++i) img[i] = rng() % 2 ? 1 : -1;
    return s;
}

void expect_same_outcomes(const std::vector<ClassifyOutcome>& a, const std::vector<ClassifyOutcome>& b,
                          const std::string& where) {
    ASSERT_EQ(a.size(), b.size()) << where;
    for (size_t k = 0; k < a.size(); ++k) {
        EXPECT_EQ(a[k].label, b[k].label) << where << " image " << k;
        EXPECT_EQ(a[k].tied, b[k].tied) << where << " image " << k;
        expect_same_run(a[k].run, b[k].run, fmt::format("{} image {}", where, k));
    }
}
}  // namespace

TEST(FirmwareDriver, ClassifyBatchEqualsThePerImageProcedure) {
    const ChipParams p = params(1024, 8, 24, 16);
    InProcessTransport& t = firmware_board(p);
    FirmwareDriver fw(t);
    ReferenceDriver ref(p);
    std::mt19937 rng(21);
    // n = 1000: the last state word is partial (neurons 1000..1023 keep their bits),
    // and 450 images take two CLASSIFY batches (409 fit the buffer).
    const ClassifierNet net = classifier_net(1000, 400, p, rng);
    const auto outside = random_state(1024, rng);
    both(fw, ref, [&](ChipDriver& d) {
        load(d, net);
        d.set_state(outside);
    });
    ClassifyBatch b;
    b.n = net.n;
    b.first_label = net.first_label;
    b.classes = net.classes;
    b.reps = net.reps;
    b.run.order = Order::AsyncSeq;
    b.run.max_sweeps = 30;
    b.first_seed = 5;
    b.states = random_images(450, net.n, net.pixels, rng);
    ASSERT_GT(b.states.size(), mind_fw_classify_max_images(fw.info().buf_bytes, b.n));

    const auto by_firmware = fw.classify_batch(b);
    const auto by_reference = ref.classify_batch(b);
    expect_same_outcomes(by_firmware, by_reference, "CLASSIFY vs reference");
    std::set<int> labels_seen;
    for (const auto& o : by_firmware) labels_seen.insert(o.label);
    EXPECT_GT(labels_seen.size(), 3u) << "a batch whose images all get one label tests little";
    expect_same_chip(fw, ref, "after the batch");
    // The per-image default through the firmware's other commands, from the same start.
    both(fw, ref, [&](ChipDriver& d) { d.set_state(outside); });
    b.states.resize(60);
    const auto per_image = fw.ChipDriver::classify_batch(b);
    const auto batched = ref.classify_batch(b);
    expect_same_outcomes(per_image, batched, "per-image default vs reference");
    for (size_t k = 0; k < per_image.size(); ++k) EXPECT_EQ(per_image[k].label, by_firmware[k].label) << k;

    // Every order, wrap, noise (the procedure takes them all), small batches.
    for (uint32_t order = 0; order < 3; ++order) {
        b.run.order = static_cast<Order>(order);
        b.run.wrap = order == 1;
        b.run.noise = order == 2;
        b.run.temp = order == 2 ? 300 : 0;
        b.first_seed = 100 + order;
        b.states = random_images(25, net.n, net.pixels, rng);
        expect_same_outcomes(fw.classify_batch(b), ref.classify_batch(b), fmt::format("order {}", order));
        expect_same_chip(fw, ref, fmt::format("after order {}", order));
    }
    expect_cpu_serving(t);
}

TEST(FirmwareDriver, TiedLabelSumsAreBrokenByTheLargestPrototypeField) {
    // Pixels 0..3 (clamped), prototypes 4 (class 0) and 5 (class 1), always on
    // (thresholds -1000), label neurons 6 and 7 fed by one prototype each and by
    // pixels 2 and 3: the label sums tie unless pixels 2 and 3 differ. Prototype 4
    // hears pixel 0, prototype 5 pixel 1.
    const ChipParams p = params(1024, 8, 24, 16);
    InProcessTransport& t = firmware_board(p);
    FirmwareDriver fw(t);
    ReferenceDriver ref(p);
    ClassifierNet net;
    net.n = 8, net.pixels = 4, net.classes = 2, net.reps = 1, net.first_label = 6;
    net.w.n = 8;
    net.w.w.assign(64, 0);
    auto w = [&](uint32_t i, uint32_t j, int16_t v) { net.w.w[i * 8 + j] = net.w.w[j * 8 + i] = v; };
    w(6, 4, 10), w(7, 5, 10), w(4, 0, 5), w(5, 1, 5), w(6, 2, 4), w(7, 3, 4);
    net.th = {0, 0, 0, 0, -1000, -1000, 0, 0};
    net.clamp = {1, 1, 1, 1, 0, 0, 0, 0};
    both(fw, ref, [&](ChipDriver& d) { load(d, net); });
    ClassifyBatch b;
    b.n = 8, b.first_label = 6, b.classes = 2, b.reps = 1;
    b.run.order = Order::AsyncSeq;
    b.run.max_sweeps = 10;
    // Ties: pixel 0 on: prototype 4 is larger; pixel 1 on: prototype 5; both: equal, the lower one.
    // Last, no tie: pixel 3 on lifts label neuron 7 (the default path runs tied images again;
    // the chip must still end as after the last image).
    for (const auto& px : {std::vector<int8_t>{1, -1, -1, -1}, {-1, 1, -1, -1}, {1, 1, -1, -1}, {1, -1, -1, 1}}) {
        std::vector<int8_t> s(8, -1);
        std::copy(px.begin(), px.end(), s.begin());
        b.states.push_back(s);
    }
    for (uint32_t protos : {2u, 0u}) {
        b.protos = protos;
        const std::vector<int> want = protos ? std::vector<int>{0, 1, 0, 1} : std::vector<int>{0, 0, 0, 1};
        for (ChipDriver* d : {static_cast<ChipDriver*>(&fw), static_cast<ChipDriver*>(&ref)}) {
            const auto out = d->classify_batch(b);
            ASSERT_EQ(out.size(), 4u);
            for (size_t k = 0; k < 4; ++k) {
                EXPECT_EQ(out[k].label, want[k]) << d->name() << " protos " << protos << " image " << k;
                EXPECT_EQ(out[k].tied, k < 3) << d->name() << " image " << k;
            }
        }
        EXPECT_EQ(fw.state(), ref.state()) << "protos " << protos;
        EXPECT_EQ(fw.fields(0, 8), ref.fields(0, 8)) << "protos " << protos;
        expect_same_outcomes(fw.ChipDriver::classify_batch(b), fw.classify_batch(b), "per-image vs CLASSIFY");
    }
    b.protos = 7;  // more prototypes than neurons below the labels
    EXPECT_THROW(fw.classify_batch(b), BadArgument);
    expect_cpu_serving(t);
}

TEST(FirmwareDriver, ClassifyBatchOnChipGivesClassifyOnChipResults) {
    // prototype_classifier's helper in firmware mode against its per-image
    // classify_on_chip in the reference (as bare mode gives it).
    const ChipParams p = params(1024, 8, 24, 16);
    InProcessTransport& t = firmware_board(p);
    FirmwareDriver fw(t);
    ReferenceDriver ref(p);
    std::mt19937 rng(31);
    const ClassifierNet net = classifier_net(1024, 400, p, rng);
    both(fw, ref, [&](ChipDriver& d) { load(d, net); });
    TrainedClassifier tc;
    tc.cfg.label_reps = net.reps;
    tc.cfg.order = Order::AsyncSeq;
    tc.cfg.max_sweeps = 30;
    tc.layout.classes = net.classes;
    tc.layout.pixels = net.pixels;
    tc.layout.first_label = net.first_label;
    tc.layout.labels = net.classes * net.reps;
    tc.layout.n = net.n;
    std::vector<std::vector<int8_t>> pixels(40, std::vector<int8_t>(net.pixels));
    for (auto& img : pixels)
        for (auto& v : img) v = rng() % 2 ? 1 : -1;
    const auto batch = classify_batch_on_chip(fw, tc, pixels, 1, false);
    ASSERT_EQ(batch.size(), pixels.size());
    for (size_t i = 0; i < pixels.size(); ++i) {
        const Classification c = classify_on_chip(ref, tc, pixels[i], static_cast<uint32_t>(i + 1), false);
        EXPECT_EQ(batch[i].label, c.label) << i;
        expect_same_run(batch[i].run, c.run, fmt::format("image {}", i));
    }
    expect_cpu_serving(t);
}

TEST(FirmwareDriver, ClassifyInstructionsAndTimePerImage) {
    // A measurement (printed), with a loose bound on the firmware's hot path.
    const ChipParams p = params(1024, 8, 24, 16);
    InProcessTransport& t = firmware_board(p);
    FirmwareDriver fw(t);
    std::mt19937 rng(41);
    const ClassifierNet net = classifier_net(1024, 400, p, rng);
    load(fw, net);
    ClassifyBatch b;
    b.n = net.n;
    b.first_label = net.first_label;
    b.classes = net.classes;
    b.reps = net.reps;
    b.run.max_sweeps = 30;
    b.states = random_images(409, net.n, net.pixels, rng);  // one CLASSIFY
    board::RiscvCpu& cpu = *t.board().cpu();
    const uint64_t i0 = cpu.instructions(), a0 = cpu.device_accesses(), q0 = cpu.interrupts_taken();
    const double s0 = t.now_seconds();
    const auto w0 = std::chrono::steady_clock::now();
    const auto out = fw.classify_batch(b);
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - w0).count();
    const double k = static_cast<double>(out.size());
    const double instr = (cpu.instructions() - i0) / k, acc = (cpu.device_accesses() - a0) / k;
    uint64_t cycles = 0, sweeps = 0;
    for (const auto& o : out) cycles += o.run.cycles, sweeps += o.run.sweeps;
    std::printf("[ measure  ] CLASSIFY, n = 1024, %zu images: %.1f instructions, %.1f device accesses, %.2f "
                "interrupts per image; %.1f sweeps, %.0f chip cycles, %.3f ms simulated per image (%.3f ms of it "
                "chip compute); %.1f us wall per image\n",
                out.size(), instr, acc, (cpu.interrupts_taken() - q0) / k, sweeps / k, cycles / k,
                (t.now_seconds() - s0) / k * 1e3, cycles / k / p.clock_hz * 1e3, wall / k * 1e6);
    RecordProperty("instructions_per_image", static_cast<int>(instr));
    EXPECT_LT(instr, 3000.0);
    // The same batch in bare mode on the same board (the firmware sleeps meanwhile):
    // the same answers (n = N_MAX: every image sets the whole state).
    BareDriver bare(t);
    const double s1 = t.now_seconds();
    const auto w1 = std::chrono::steady_clock::now();
    const auto by_bare = bare.classify_batch(b);
    const double bare_wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - w1).count();
    std::printf("[ measure  ] the same in bare mode: %.3f ms simulated, %.1f us wall per image (firmware mode: %.2fx "
                "bare's images per wall second)\n",
                (t.now_seconds() - s1) / k * 1e3, bare_wall / k * 1e6, bare_wall / wall);
    expect_same_outcomes(out, by_bare, "firmware vs bare");
    expect_cpu_serving(t);
}

TEST(FirmwareDriver, BadArgumentsAreRefusedAndTheFirmwareServesOn) {
    const ChipParams p = params(128, 6, 16, 8);
    InProcessTransport& t = firmware_board(p);
    FirmwareDriver fw(t);
    std::mt19937 rng(51);
    const WeightMatrix w = random_weights(128, 6, rng, false);
    const auto th = random_thresholds(128, 100, rng);
    const auto s = random_state(128, rng);
    fw.load_weights(w);
    fw.load_thresholds(th);
    fw.set_state(s);
    const uint64_t c0 = fw.cycles();
    const uint32_t buf = fw.info().buf_bytes;
    std::vector<uint8_t> payload(buf, 0);
    const int16_t too_big = 32;  // WBITS 6: -32..31
    std::memcpy(&payload[2 * 7], &too_big, 2);  // weight 7 of the block
    int32_t th_big = 40000;                     // ABITS 16
    const auto bad = [&](uint32_t code, std::vector<uint32_t> args, const void* pl = nullptr, uint32_t bytes = 0) {
        try {
            fw.command(code, args, pl, bytes);
            ADD_FAILURE() << "command 0x" << std::hex << code << " with bad arguments was accepted";
        } catch (const BadArgument& e) {
            const std::string m = e.what();
            EXPECT_NE(m.find("firmware command"), std::string::npos) << m;
        }
        // Still serving, nothing touched.
        EXPECT_EQ(fw.state(), s);
    };
    bad(0x7777, {});                                         // unknown command
    bad(MIND_FW_CMD_LOAD_WEIGHTS, {128, 1, 128});            // first row past N_MAX
    bad(MIND_FW_CMD_LOAD_WEIGHTS, {100, 29, 128});           // rows past N_MAX
    bad(MIND_FW_CMD_LOAD_WEIGHTS, {0, 0, 128});              // no rows
    bad(MIND_FW_CMD_LOAD_WEIGHTS, {0, 1, 129});              // row longer than N_MAX
    bad(MIND_FW_CMD_LOAD_WEIGHTS, {0, 1, 0});                // empty row
    bad(MIND_FW_CMD_LOAD_WEIGHTS, {0, 1, 8}, payload.data(), 16);  // weight 7 outside WBITS
    bad(MIND_FW_CMD_READ_WEIGHTS, {0, 129, 128});
    bad(MIND_FW_CMD_LOAD_THRESHOLDS, {0, 1}, &th_big, 4);    // outside ABITS
    bad(MIND_FW_CMD_LOAD_THRESHOLDS, {0, 129});              // count past N_MAX
    bad(MIND_FW_CMD_LOAD_THRESHOLDS, {128, 1});
    bad(MIND_FW_CMD_SET_STATE, {129});
    bad(MIND_FW_CMD_SET_CLAMP, {0xFFFFFFFF});
    bad(MIND_FW_CMD_READ_STATE, {0});
    bad(MIND_FW_CMD_READ_FIELDS, {0, 129});
    bad(MIND_FW_CMD_READ_FIELDS, {200, 1});
    bad(MIND_FW_CMD_RUN, {3, 128, 10, 0, 1});                // order 3
    bad(MIND_FW_CMD_RUN, {0x10, 128, 10, 0, 1});             // unknown MODE bit
    bad(MIND_FW_CMD_RUN, {1, 0, 10, 0, 1});                  // N_ACTIVE 0
    bad(MIND_FW_CMD_STEP, {1, 129, 10, 0, 1});               // N_ACTIVE past N_MAX
    bad(MIND_FW_CMD_RUN, {1, 128, 0, 0, 1});                 // MAX_SWEEPS 0
    bad(MIND_FW_CMD_HEBB, {0});
    bad(MIND_FW_CMD_HEBB, {129});
    const uint32_t labels = MIND_FW_CLASSIFY_LABELS(10, 2);
    bad(MIND_FW_CMD_CLASSIFY, {0, 128, 100, labels, 1, 30, 0, 1});  // no images
    bad(MIND_FW_CMD_CLASSIFY, {mind_fw_classify_max_images(buf, 128) + 1, 128, 100, labels, 1, 30, 0, 1});
    bad(MIND_FW_CMD_CLASSIFY, {1, 0, 100, labels, 1, 30, 0, 1});    // n 0
    bad(MIND_FW_CMD_CLASSIFY, {1, 129, 100, labels, 1, 30, 0, 1});  // n past N_MAX
    bad(MIND_FW_CMD_CLASSIFY, {1, 128, 128, labels, 1, 30, 0, 1});  // labels past N_MAX
    bad(MIND_FW_CMD_CLASSIFY, {1, 128, 110, labels, 1, 30, 0, 1});  // 20 labels from 110
    bad(MIND_FW_CMD_CLASSIFY, {1, 128, 100, MIND_FW_CLASSIFY_LABELS(0, 2), 1, 30, 0, 1});
    bad(MIND_FW_CMD_CLASSIFY, {1, 128, 100, MIND_FW_CLASSIFY_LABELS(10, 0), 1, 30, 0, 1});
    bad(MIND_FW_CMD_CLASSIFY, {1, 128, 100, labels, 3, 30, 0, 1});  // order 3
    bad(MIND_FW_CMD_CLASSIFY, {1, 128, 100, labels, 1, 0, 0, 1});   // MAX_SWEEPS 0
    // Nothing was touched: weights, thresholds (through a run), counters.
    EXPECT_EQ(fw.read_weights(128).w, w.w);
    EXPECT_EQ(fw.cycles(), c0);
    ReferenceDriver ref(p);
    ref.load_weights(w);
    ref.load_thresholds(th);
    ref.set_state(s);
    RunParams rp;
    rp.max_sweeps = 5;
    expect_same_run(fw.run(rp), ref.run(rp), "after the bad commands");
    expect_same_chip(fw, ref, "after the bad commands");

    // The driver's own checks, before anything is sent (Board's messages).
    EXPECT_THROW(fw.load_weights(WeightMatrix{129, std::vector<int16_t>(129 * 129)}), BadArgument);
    EXPECT_THROW(fw.load_weights(WeightMatrix{2, {0, 0, 40, 0}}), BadArgument);
    EXPECT_THROW(fw.load_thresholds(std::vector<int32_t>(3, 1 << 20)), BadArgument);
    EXPECT_THROW(fw.set_state(std::vector<int8_t>(129, 1)), BadArgument);
    EXPECT_THROW(fw.set_clamp(std::vector<uint8_t>{0, 2}), BadArgument);
    EXPECT_THROW(fw.fields(100, 29), BadArgument);
    EXPECT_THROW(fw.read_weights(0), BadArgument);
    rp.max_sweeps = 0;
    EXPECT_THROW(fw.run(rp), BadArgument);
    rp.max_sweeps = 1;
    rp.n_active = 129;
    EXPECT_THROW(fw.step(rp), BadArgument);
    EXPECT_THROW(fw.hebb(129), BadArgument);
    ClassifyBatch b;
    b.n = 128;
    b.first_label = 120;
    b.classes = 10;
    b.reps = 1;
    EXPECT_THROW(fw.classify_batch(b), BadArgument);
    b.first_label = 100;
    b.states = {std::vector<int8_t>(127, 1)};
    EXPECT_THROW(fw.classify_batch(b), BadArgument);
    EXPECT_EQ(fw.selftest(), MIND_FW_ST_COUNT);
    expect_cpu_serving(t);
}

TEST(FirmwareDriver, ARunPastTheLimitIsAbortedAndReported) {
    const ChipParams p = params(1024, 8, 24, 16);  // 3.3 ms a sweep at 20 MHz
    InProcessTransport& t = firmware_board(p);
    FirmwareOptions o;
    o.limit_s = 0.02;
    FirmwareDriver fw(t, o);
    EXPECT_EQ(fw.info().limit_ms, 20u);
    std::mt19937 rng(61);
    fw.load_weights(random_weights(1024, 8, rng, true));
    fw.set_state(random_state(1024, rng));
    RunParams rp;
    rp.noise = true;
    rp.temp = 60000;  // never quiet
    rp.max_sweeps = 1000;
    try {
        fw.run(rp);
        ADD_FAILURE() << "a 3 s run came back within a 20 ms limit";
    } catch (const BoardError& e) {
        const std::string m = e.what();
        EXPECT_NE(m.find("20 ms"), std::string::npos) << m;
        EXPECT_NE(m.find("RUN"), std::string::npos) << m;
    }
    // The firmware aborted the chip and goes on.
    EXPECT_FALSE(t.board().chip().state().busy);
    rp.max_sweeps = 2;
    const RunResult r = fw.run(rp);
    EXPECT_EQ(r.sweeps, 2u);
    EXPECT_EQ(fw.selftest(), MIND_FW_ST_COUNT);
    expect_cpu_serving(t);
}

TEST(FirmwareDriver, AChipBusyWithABareModeRunIsReportedAsBusy) {
    const ChipParams p = params(512, 8, 24, 16);
    InProcessTransport& t = firmware_board(p);
    FirmwareDriver fw(t);
    std::mt19937 rng(71);
    const WeightMatrix w = random_weights(512, 8, rng, true);
    fw.load_weights(w);
    // The host starts a long run in bare mode, then asks the firmware.
    t.write32(MIND_REG_MAX_SWEEPS, 200);
    t.write32(MIND_REG_MODE, MIND_MODE_NOISE_EN);
    t.write32(MIND_REG_TEMP, 60000);
    t.write32(MIND_REG_CTRL, MIND_CTRL_START);
    EXPECT_THROW(fw.set_state(random_state(512, rng)), BusyError);
    EXPECT_THROW(fw.load_weights(w), BusyError);
    RunParams rp;
    EXPECT_THROW(fw.run(rp), BusyError);
    t.wait_idle();
    fw.set_state(random_state(512, rng));
    EXPECT_EQ(fw.read_weights(512).w, w.w);
    expect_cpu_serving(t);
}

// Bare mode with the firmware on the board: the host owns the chip's IRQ bits.
// A DONE the host enabled stays pending for the host (the firmware keeps the
// chip's line masked in SYSCTRL.IRQ_ENABLE and sleeps), and the firmware still
// answers afterwards.
TEST(FirmwareDriver, ABareModeHostKeepsTheChipsInterruptBits) {
    const ChipParams p = params(128, 8, 24, 16);
    InProcessTransport& t = firmware_board(p);
    FirmwareDriver fw(t);
    BareDriver bare(t);
    std::mt19937 rng(5);
    bare.load_weights(random_weights(128, 8, rng, true));
    bare.set_state(random_state(128, rng));
    t.write32(MIND_REG_IRQ_EN, MIND_IRQ_EN_DONE);
    RunParams rp;
    rp.max_sweeps = 5;
    bare.run(rp);
    // The run's DONE raised the chip's line inside that simulation: a CPU it reached has reacted by now.
    EXPECT_EQ(t.read32(MIND_REG_IRQ_STATUS) & MIND_IRQ_STATUS_DONE, MIND_IRQ_STATUS_DONE)
        << "the firmware took the host's DONE";
    EXPECT_EQ(t.board_read32(MIND_SYSCTRL_BASE + MIND_SYSCTRL_REG_IRQ_ENABLE) & MIND_SYSCTRL_IRQ_ENABLE_CHIP, 0u);
    t.write32(MIND_REG_IRQ_EN, 0);
    t.write32(MIND_REG_IRQ_STATUS, MIND_IRQ_STATUS_DONE);
    EXPECT_GE(fw.selftest(), 1u);
}

TEST(FirmwareDriver, ABoardWithoutFirmwareIsAClearError) {
    InProcessTransport& t = InProcessTransport::open(params(64, 8, 24, 16));  // chip only: nobody answers
    FirmwareOptions o;
    o.limit_s = 0.001;
    try {
        FirmwareDriver fw(t, o);
        ADD_FAILURE() << "a firmware driver without firmware";
    } catch (const BoardError& e) {
        const std::string m = e.what();
        EXPECT_NE(m.find("VERSION"), std::string::npos) << m;
        EXPECT_NE(m.find("no answer"), std::string::npos) << m;
    }
}

TEST(FirmwareDriver, ACommandTheHostGaveUpOnIsAwaitedBeforeTheNext) {
    const ChipParams p = params(128, 8, 24, 16);
    InProcessTransport& t = firmware_board(p);
    FirmwareDriver fw(t);
    std::mt19937 rng(81);
    const auto s = random_state(128, rng);
    fw.set_state(s);
    // SELFTEST takes about 30 ms of simulated time; the host waits 1 ms for it.
    try {
        fw.command(MIND_FW_CMD_SELFTEST, {}, nullptr, 0, 0.001);
        ADD_FAILURE() << "SELFTEST answered within 1 ms";
    } catch (const BoardError& e) {
        const std::string m = e.what();
        EXPECT_NE(m.find("SELFTEST"), std::string::npos) << m;
        EXPECT_NE(m.find("no answer"), std::string::npos) << m;
    }
    // The next command first waits for SELFTEST's answer (its tag), then goes through.
    EXPECT_EQ(fw.state(), s);
    EXPECT_EQ(fw.selftest(), MIND_FW_ST_COUNT);
    expect_cpu_serving(t);
}
