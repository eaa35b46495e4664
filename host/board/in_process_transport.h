// The SystemC chip linked into this process. SystemC elaborates once per
// process, so there is one such board per process: open() hands out the same
// instance again when the parameters agree, and refuses otherwise.
#pragma once
#include <memory>

#include "transport.h"

namespace mind1024::sysc {
class Mind1024Chip;
struct ChipOptions;
}

namespace mind1024::host {

struct InProcessOptions {
    bool per_neuron_events = false;
    // Non-empty: write a VCD trace of the chip there (must end in ".vcd"). It is
    // written under "<name>.partial.vcd" and renamed by finish_trace(true).
    std::string vcd_path;
};

class InProcessTransport : public Transport {
public:
    static InProcessTransport& open(const ChipParams& p, const InProcessOptions& opt = {});
    ~InProcessTransport() override;

    uint32_t read32(uint64_t addr) override;
    void write32(uint64_t addr, uint32_t v) override;
    void read_block(uint64_t addr, void* dst, uint32_t bytes) override;
    void write_block(uint64_t addr, const void* src, uint32_t bytes) override;
    void wait_idle() override;
    double now_seconds() const override;
    std::string name() const override { return "systemc"; }

    // Closes the VCD trace of the process's board, if any: kept under its name
    // when `complete`, removed otherwise (a failed run leaves no trace that looks whole).
    static void finish_trace(bool complete);

    sysc::Mind1024Chip& chip();
    const ChipParams& params() const { return params_; }

private:
    InProcessTransport(const ChipParams& p, const InProcessOptions& opt);
    void transact(bool write, uint64_t addr, void* data, uint32_t bytes);
    void sync_time();
    void check_usable() const;
    [[noreturn]] void fail(const std::string& what);

    struct Impl;
    std::unique_ptr<Impl> impl_;
    ChipParams params_;
    std::string broken_;  // why the simulation cannot go on (after a SystemC error)
};

}  // namespace mind1024::host
