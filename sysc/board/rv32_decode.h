// Just enough RV32 decoding for the board: the exact pc of a faulting access
// (Unicorn reports load/store faults at the start of its translation block,
// so the board decodes forward; registers are current at the fault), and the
// check that keeps the core RV32IM (Unicorn's core is RV32IMAFDC + S/U).
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "sysc/board/rv32_csrs.h"

namespace mind1024::board::rv32 {

constexpr uint32_t kWfi = 0x10500073, kEbreak = 0x00100073, kEcall = 0x00000073, kMret = 0x30200073;
constexpr uint32_t kFenceI = 0x0000100F;  // with rd = rs1 = 0, imm = 0; any fence.i matches opcode+funct3

struct MemAccess {
    bool store;
    unsigned bytes;
    uint32_t address;
};

// The access a load/store instruction makes with registers `x`, or nothing for other instructions.
std::optional<MemAccess> mem_access(uint32_t insn, const uint32_t (&x)[32]);
// A short mnemonic ("lw", "sb", "addi", ...) or "insn" when unknown; for reports only.
std::string mnemonic(uint32_t insn);
// The register an instruction writes (0: none).
unsigned dest_reg(uint32_t insn);

// The pc of the load (store = false) or store in [block, block + size) that faulted at `address`,
// given the registers as they are at the fault (everything before it ran, nothing after). A
// candidate whose base register a later candidate's predecessors may have changed is skipped.
std::optional<uint32_t> find_access(uint32_t block, uint32_t size, uint32_t address, bool store,
                                    const uint32_t (&x)[32],
                                    const std::function<std::optional<uint32_t>(uint32_t pc)>& fetch);

// What the board does with one instruction of a translation block.
enum class Check {
    Native,    // Unicorn runs it as RV32IM does
    Illegal,   // outside RV32IM + Zicsr + Zifencei in M-mode (C, A, F, D, S-mode, unknown CSR)
    Emulate,   // the board runs it itself (counters, time, mip, misa, mstatus/mie, mret, fence.i)
};
Check check(uint32_t insn);
// A 16-bit parcel (compressed instruction): its low two bits are not 11.
inline bool is_compressed(uint32_t parcel) { return (parcel & 3) != 3; }

// CSR instruction fields.
inline bool is_csr(uint32_t insn) { return (insn & 0x7F) == 0x73 && ((insn >> 12) & 3) != 0; }
inline unsigned csr_number(uint32_t insn) { return insn >> 20; }

}  // namespace mind1024::board::rv32

namespace mind1024::board::rv32 {
// One instruction as assembly text ("addi a0, zero, 42", "lw a5, 8(sp)", "csrrw zero, mtvec, a0"),
// with ABI register names; branch and jump targets absolute (from `pc`). For --trace.
std::string disassemble(uint32_t insn, uint32_t pc);
// A CSR's name ("mstatus"), or its number in hex.
std::string csr_name(unsigned csr);
}  // namespace mind1024::board::rv32
