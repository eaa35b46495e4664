// BareDriver: the host driver for a MIND 1024 over a Transport. Bare mode is
// read_reg/write_reg; everything else is the ChipDriver bulk API built on the
// register map, as a host would drive the real board.
#pragma once
#include <memory>

#include "host/board/chip_driver.h"
#include "host/board/transport.h"

namespace mind1024::host {

class BareDriver : public ChipDriver {
public:
    explicit BareDriver(Transport& t);

    const ChipParams& params() const override { return params_; }
    std::string name() const override { return "board/" + t_.name(); }
    Transport& transport() { return t_; }

    // ---- bare mode: one register at a time (offsets from the register header)
    uint32_t read_reg(uint32_t offset) { return t_.read32(offset); }
    void write_reg(uint32_t offset, uint32_t v) { t_.write32(offset, v); }

    // ---- ChipDriver
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
    // ChipDriver::run_many's accesses (set_state, run, fields, state), access for
    // access, handed to the transport as one list (Transport::run_ops): a board
    // process runs them without a round trip per register.
    std::vector<RunManyItem> run_many(const RunMany& b) override;
    bool takes_faults() const override { return t_.takes_faults(); }

private:
    void write_bits(uint32_t base, const std::vector<uint8_t>& bits, const char* what);
    RunResult command(uint32_t ctrl, const RunParams* p);
    void check_error(const char* what);

    Transport& t_;
    ChipParams params_;
};

}  // namespace mind1024::host
