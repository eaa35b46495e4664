// Just enough RV32 decoding for fault reports: Unicorn reports a load/store
// fault at the start of its translation block, so the board finds the exact
// instruction by decoding forward to the access whose rs1 + imm is the
// faulting address (registers are current at the fault).
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace mind1024::board::rv32 {

constexpr uint32_t kWfi = 0x10500073, kEbreak = 0x00100073, kEcall = 0x00000073, kMret = 0x30200073;

struct MemAccess {
    bool store;
    unsigned bytes;
    uint32_t address;
};

// The access a load/store instruction makes with registers `x`, or nothing for other instructions.
std::optional<MemAccess> mem_access(uint32_t insn, const uint32_t (&x)[32]);
// A short mnemonic ("lw", "sb", "addi", ...) or "insn" when unknown; for reports only.
std::string mnemonic(uint32_t insn);

// The pc of the first load/store in [block, block + size) that touches `address`.
std::optional<uint32_t> find_access(uint32_t block, uint32_t size, uint32_t address, const uint32_t (&x)[32],
                                    const std::function<std::optional<uint32_t>(uint32_t pc)>& fetch);

}  // namespace mind1024::board::rv32
