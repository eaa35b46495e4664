// FirmwareDriver: the ChipDriver API in firmware mode (contract section 4).
// The board's command firmware (firmware/mind_fw) owns the chip; this driver
// speaks only to the mailbox (HOSTIF registers and buffer) with the protocol
// of firmware/lib/mind_fw_protocol.h (docs/host-protocol.md), through any
// Transport (in process or over the link). Bulk data go through the 64 KiB
// buffer in chunks; arguments are checked as BareDriver checks them before
// anything is sent; the firmware's error responses come back as the host's
// typed errors (BadArgument, BusyError, BoardError) naming the command.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "host/board/chip_driver.h"
#include "host/board/transport.h"

namespace mind1024::host {

struct FirmwareOptions {
    // Simulated seconds a chip operation (a RUN, STEP, HEBB, CLEAR_SYN, each
    // image of a CLASSIFY) may take. The firmware gets this limit (SET_LIMIT):
    // an operation that would take longer is aborted by it and comes back as a
    // BoardError naming the limit. The host waits for an answer a little longer
    // (5% and half a second more); a firmware that does not answer by then ends
    // in a BoardError naming the command.
    double limit_s = 10.0;
};

// What VERSION said.
struct FirmwareInfo {
    uint32_t firmware_version = 0, protocol_version = 0, capabilities = 0, config = 0;
    uint32_t chip_id = 0, chip_version = 0, buf_bytes = 0, limit_ms = 0;
};

class FirmwareDriver : public ChipDriver {
public:
    // VERSION: checks the protocol major and that CONFIG matches t.chip_params(),
    // then sets the firmware's time limit.
    explicit FirmwareDriver(Transport& t, const FirmwareOptions& opt = {});

    const ChipParams& params() const override { return params_; }
    std::string name() const override { return "firmware/" + t_.name(); }
    Transport& transport() { return t_; }
    const FirmwareInfo& info() const { return info_; }

    void load_weights(const WeightMatrix& m) override;
    WeightMatrix read_weights(uint32_t n) override;
    void load_thresholds(const std::vector<int32_t>& t) override;
    void set_state(const std::vector<int8_t>& s) override;
    void set_clamp(const std::vector<uint8_t>& c) override;
    std::vector<int8_t> state() override;
    std::vector<int32_t> fields(uint32_t first, uint32_t count) override;
    RunResult run(const RunParams& p) override;
    RunResult step(const RunParams& p) override;
    void hebb(uint32_t n_active) override;
    void clear_synapses() override;
    void soft_reset() override;
    uint64_t cycles() override;
    void set_faults(const FaultPlan& plan) override { t_.set_faults(plan); }
    bool takes_faults() const override { return t_.takes_faults(); }
    // CLASSIFY, in batches that fit the buffer (the default procedure if the
    // firmware lacks MIND_FW_CAP_CLASSIFY).
    std::vector<ClassifyOutcome> classify_batch(const ClassifyBatch& b) override;
    // The firmware has no command for a batch of initial states: the host drives
    // the chip's registers itself while the firmware sleeps between commands, as
    // bare mode does (BareDriver::run_many: one access list, one link BATCH).
    std::vector<RunManyItem> run_many(const RunMany& b) override;

    // SELFTEST: the number of checks passed; BoardError naming a failed one.
    uint32_t selftest();

    // One command as it is: ARGs, a payload into the buffer, the answer. Error
    // responses throw as for every other command. For tests and diagnostics.
    struct Reply {
        uint32_t code = 0;
        std::array<uint32_t, 8> result{};
    };
    Reply command(uint32_t code, const std::vector<uint32_t>& args, const void* payload = nullptr,
                  uint32_t bytes = 0, double limit_s = 0);

private:
    // `results`: how many RESULT words to read on success; `ops`: chip operations the command may run.
    Reply exchange(uint32_t code, const uint32_t* args, uint32_t nargs, const void* payload, uint32_t bytes,
                   uint32_t results, double limit_s);
    Reply call(uint32_t code, std::initializer_list<uint32_t> args, const void* payload = nullptr,
               uint32_t bytes = 0, uint32_t results = 0, uint32_t ops = 0);
    double limit_for(uint32_t ops) const;
    void resync();
    RunResult go(uint32_t code, const RunParams& p);
    void send_bits(uint32_t code, const std::vector<uint8_t>& bits);

    Transport& t_;
    FirmwareOptions opt_;
    ChipParams params_;
    FirmwareInfo info_;
    uint16_t tag_ = 0;
    // A command the host gave up waiting for (its tag), still to be answered.
    bool outstanding_ = false;
    uint16_t outstanding_tag_ = 0;
    uint32_t outstanding_code_ = 0;
    double outstanding_wait_s_ = 0;
    std::vector<uint8_t> io_;  // payload staging
};

}  // namespace mind1024::host
