// Register file: decodes the register block from the generated register table
// and applies the contract's access semantics (RO/WO/RW/RW1C, auto-increment,
// CYCLES latching, BUSY rejection). Commands go to the chip through a callback.
#pragma once
#include <cstdint>
#include <functional>

#include <tlm>

#include "sysc/chip_state.h"
#include "sysc/synapse_memory.h"

namespace mind1024::sysc {

struct RegInfo {
    const char* name;
    uint32_t offset;
    int access;  // MIND_ACCESS_*
    uint32_t count, stride;
};

class RegisterFile {
public:
    RegisterFile(ChipState& st, SynapseMemory& syn) : st_(st), syn_(syn) {}

    std::function<void(uint32_t ctrl)> on_command;  // CTRL write
    std::function<void()> on_irq_change;             // IRQ_EN / IRQ_STATUS changed

    // Returns the entry covering `offset` (word aligned), or nullptr if unmapped.
    static const RegInfo* decode(uint32_t offset);
    static const RegInfo* table(size_t* count);

    tlm::tlm_response_status read(uint32_t offset, uint32_t& value);
    tlm::tlm_response_status write(uint32_t offset, uint32_t value);

    // Record an error: sticky ERR, ERR_CODE, IRQ_STATUS.ERR.
    void raise_error(uint32_t code);
    uint32_t status_word() const;
    uint32_t config_word() const;

private:
    ChipState& st_;
    SynapseMemory& syn_;
};

}  // namespace mind1024::sysc
