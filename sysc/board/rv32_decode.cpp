#include "sysc/board/rv32_decode.h"

#include <vector>

namespace mind1024::board::rv32 {

namespace {
int32_t sext(uint32_t v, unsigned bits) {
    const uint32_t m = 1u << (bits - 1);
    return static_cast<int32_t>((v ^ m) - m);
}

// CSRs Unicorn serves as the contract wants.
bool native_csr(unsigned c) {
    switch (c) {
        case 0x305: case 0x340: case 0x341: case 0x342: case 0x343:  // mtvec mscratch mepc mcause mtval
        case 0xF11: case 0xF12: case 0xF13: case 0xF14:              // mvendorid marchid mimpid mhartid
            return true;
        default: return false;
    }
}

// CSRs the board serves itself: Unicorn's are wrong for an M-mode RV32IM (misa, mstatus's
// MPP and FS, counters by host ticks, no time, mip without the CLINT's bits), or missing
// (the hardwired-zero performance counters the privileged spec requires).
bool emulated_csr(unsigned c) {
    if (c == 0x300 || c == 0x301 || c == 0x304 || c == 0x310 || c == 0x320 || c == 0x344 || c == 0xF15) return true;
    if ((c >= 0xB00 && c <= 0xB1F) || (c >= 0xB80 && c <= 0xB9F)) return c != 0xB01 && c != 0xB81;  // mcycle.. (no mtime CSR)
    if ((c >= 0xC00 && c <= 0xC1F) || (c >= 0xC80 && c <= 0xC9F)) return true;  // cycle, time, instret, hpmcounterN
    if (c >= 0x323 && c <= 0x33F) return true;                                  // mhpmevent3..31
    return false;
}
}  // namespace

std::optional<MemAccess> mem_access(uint32_t insn, const uint32_t (&x)[32]) {
    const uint32_t op = insn & 0x7F, f3 = (insn >> 12) & 7, rs1 = (insn >> 15) & 31;
    static constexpr unsigned kBytes[8] = {1, 2, 4, 0, 1, 2, 0, 0};  // b h w - bu hu
    if (op == 0x03 && kBytes[f3]) {
        return MemAccess{false, kBytes[f3], x[rs1] + static_cast<uint32_t>(sext(insn >> 20, 12))};
    }
    if (op == 0x23 && f3 <= 2) {
        const uint32_t imm = ((insn >> 25) << 5) | ((insn >> 7) & 31);
        return MemAccess{true, kBytes[f3], x[rs1] + static_cast<uint32_t>(sext(imm, 12))};
    }
    return std::nullopt;
}

unsigned dest_reg(uint32_t insn) {
    switch (insn & 0x7F) {
        case 0x03: case 0x13: case 0x17: case 0x33: case 0x37: case 0x67: case 0x6F: return (insn >> 7) & 31;
        case 0x73: return is_csr(insn) ? (insn >> 7) & 31 : 0;
        default: return 0;
    }
}

std::string mnemonic(uint32_t insn) {
    static const char* loads[8] = {"lb", "lh", "lw", nullptr, "lbu", "lhu", nullptr, nullptr};
    static const char* stores[8] = {"sb", "sh", "sw", nullptr, nullptr, nullptr, nullptr, nullptr};
    const uint32_t op = insn & 0x7F, f3 = (insn >> 12) & 7;
    if (insn == kWfi) return "wfi";
    if (insn == kEbreak) return "ebreak";
    if (insn == kEcall) return "ecall";
    if (insn == kMret) return "mret";
    if ((insn & 0xFFFF) == 0) return "all zeros: illegal";
    if (is_compressed(insn & 0xFFFF)) return "compressed";
    const char* m = nullptr;
    switch (op) {
        case 0x03: m = loads[f3]; break;
        case 0x23: m = stores[f3]; break;
        case 0x13: m = "op-imm"; break;
        case 0x33: m = (insn >> 25) == 1 ? "mul/div" : "op"; break;
        case 0x37: m = "lui"; break;
        case 0x17: m = "auipc"; break;
        case 0x6F: m = "jal"; break;
        case 0x67: m = "jalr"; break;
        case 0x63: m = "branch"; break;
        case 0x73: m = is_csr(insn) ? "csr" : "system"; break;
        case 0x0F: m = f3 == 1 ? "fence.i" : "fence"; break;
        case 0x2F: m = "amo (A)"; break;
        case 0x07: case 0x27: case 0x43: case 0x47: case 0x4B: case 0x4F: case 0x53: m = "float (F/D)"; break;
        default: break;
    }
    return m ? m : "unknown";
}

Check check(uint32_t insn) {
    if (is_compressed(insn & 0xFFFF)) return Check::Illegal;
    const uint32_t op = insn & 0x7F, f3 = (insn >> 12) & 7;
    switch (op) {
        case 0x03: return (f3 == 3 || f3 >= 6) ? Check::Illegal : Check::Native;
        case 0x23: return f3 <= 2 ? Check::Native : Check::Illegal;
        case 0x0F: return f3 == 0 ? Check::Native : f3 == 1 ? Check::Emulate : Check::Illegal;
        case 0x13: case 0x17: case 0x33: case 0x37: case 0x63: case 0x67: case 0x6F:
            return Check::Native;  // Unicorn's RV32I/M decoder refuses what is not RV32IM here
        case 0x73:
            if (f3 == 0) {
                if (insn == kEcall || insn == kEbreak || insn == kWfi) return Check::Native;
                return insn == kMret ? Check::Emulate : Check::Illegal;  // sret, uret, sfence.vma, ...
            }
            if (f3 == 4) return Check::Illegal;  // hypervisor loads/stores
            if (native_csr(csr_number(insn))) return Check::Native;
            return emulated_csr(csr_number(insn)) ? Check::Emulate : Check::Illegal;
        default: return Check::Illegal;  // A, F, D, vector, RV64 words, custom, reserved
    }
}

std::optional<uint32_t> find_access(uint32_t block, uint32_t size, uint32_t address, bool store,
                                    const uint32_t (&x)[32],
                                    const std::function<std::optional<uint32_t>(uint32_t pc)>& fetch) {
    std::vector<std::pair<uint32_t, uint32_t>> code;  // (pc, word)
    std::vector<size_t> cand;                          // indices into code
    for (uint32_t pc = block; pc - block < size; pc += 4) {
        const auto w = fetch(pc);
        if (!w || is_compressed(*w & 0xFFFF)) break;  // the board traps compressed code before it runs
        code.emplace_back(pc, *w);
        const auto a = mem_access(*w, x);
        if (a && a->store == store && address >= a->address && address - a->address < a->bytes)
            cand.push_back(code.size() - 1);
    }
    if (cand.empty()) return std::nullopt;
    // A candidate before the real one ran without faulting, so its base register must have
    // changed since (by it or by something after it): the first candidate whose base no
    // instruction up to the last candidate writes is the faulting one.
    for (size_t c : cand) {
        const unsigned rs1 = (code[c].second >> 15) & 31;
        bool changed = false;
        for (size_t k = c; k < cand.back() && !changed; ++k) changed = rs1 != 0 && dest_reg(code[k].second) == rs1;
        if (!changed) return code[c].first;
    }
    return code[cand.back()].first;
}

}  // namespace mind1024::board::rv32

#include <fmt/format.h>

namespace mind1024::board::rv32 {

namespace {
const char* const kReg[32] = {"zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0",
                              "a1",   "a2", "a3", "a4", "a5", "a6", "a7", "s2", "s3", "s4", "s5",
                              "s6",   "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6"};
}  // namespace

std::string csr_name(unsigned c) {
    if (const char* n = csr_known_name(c)) return n;
    return fmt::format("0x{:03x}", c);
}

std::string disassemble(uint32_t w, uint32_t pc) {
    if ((w & 0xFFFF) == 0) return "illegal (all zeros)";
    if (is_compressed(w & 0xFFFF)) return fmt::format("compressed 0x{:04x} (not RV32IM)", w & 0xFFFF);
    const uint32_t op = w & 0x7F, f3 = (w >> 12) & 7, f7 = w >> 25;
    const char *rd = kReg[(w >> 7) & 31], *rs1 = kReg[(w >> 15) & 31], *rs2 = kReg[(w >> 20) & 31];
    const int32_t imm_i = sext(w >> 20, 12);
    const int32_t imm_s = sext(((w >> 25) << 5) | ((w >> 7) & 31), 12);
    const int32_t imm_b =
        sext(((w >> 31) << 12) | (((w >> 7) & 1) << 11) | (((w >> 25) & 0x3F) << 5) | (((w >> 8) & 0xF) << 1), 13);
    const int32_t imm_j =
        sext(((w >> 31) << 20) | (((w >> 12) & 0xFF) << 12) | (((w >> 20) & 1) << 11) | (((w >> 21) & 0x3FF) << 1), 21);
    switch (op) {
        case 0x37: return fmt::format("lui {}, 0x{:x}", rd, w >> 12);
        case 0x17: return fmt::format("auipc {}, 0x{:x}", rd, w >> 12);
        case 0x6F: return fmt::format("jal {}, 0x{:08x}", rd, pc + static_cast<uint32_t>(imm_j));
        case 0x67: return fmt::format("jalr {}, {}({})", rd, imm_i, rs1);
        case 0x63: {
            static const char* b[8] = {"beq", "bne", nullptr, nullptr, "blt", "bge", "bltu", "bgeu"};
            if (!b[f3]) break;
            return fmt::format("{} {}, {}, 0x{:08x}", b[f3], rs1, rs2, pc + static_cast<uint32_t>(imm_b));
        }
        case 0x03: {
            static const char* l[8] = {"lb", "lh", "lw", nullptr, "lbu", "lhu", nullptr, nullptr};
            if (!l[f3]) break;
            return fmt::format("{} {}, {}({})", l[f3], rd, imm_i, rs1);
        }
        case 0x23: {
            static const char* s[8] = {"sb", "sh", "sw", nullptr, nullptr, nullptr, nullptr, nullptr};
            if (!s[f3]) break;
            return fmt::format("{} {}, {}({})", s[f3], rs2, imm_s, rs1);
        }
        case 0x13: {
            static const char* i[8] = {"addi", "slli", "slti", "sltiu", "xori", "srli", "ori", "andi"};
            if (f3 == 1 || f3 == 5) {
                const char* m = f3 == 1 ? "slli" : (f7 == 0x20 ? "srai" : "srli");
                return fmt::format("{} {}, {}, {}", m, rd, rs1, (w >> 20) & 31);
            }
            return fmt::format("{} {}, {}, {}", i[f3], rd, rs1, imm_i);
        }
        case 0x33: {
            static const char* r[8] = {"add", "sll", "slt", "sltu", "xor", "srl", "or", "and"};
            static const char* m[8] = {"mul", "mulh", "mulhsu", "mulhu", "div", "divu", "rem", "remu"};
            const char* n = f7 == 1 ? m[f3] : f7 == 0x20 && f3 == 0 ? "sub" : f7 == 0x20 && f3 == 5 ? "sra"
                                            : f7 == 0 ? r[f3] : nullptr;
            if (!n) break;
            return fmt::format("{} {}, {}, {}", n, rd, rs1, rs2);
        }
        case 0x0F: return f3 == 1 ? "fence.i" : "fence";
        case 0x73: {
            if (w == kEcall) return "ecall";
            if (w == kEbreak) return "ebreak";
            if (w == kMret) return "mret";
            if (w == kWfi) return "wfi";
            static const char* c[8] = {nullptr, "csrrw", "csrrs", "csrrc", nullptr, "csrrwi", "csrrsi", "csrrci"};
            if (!c[f3]) break;
            if (f3 & 4) return fmt::format("{} {}, {}, {}", c[f3], rd, csr_name(w >> 20), (w >> 15) & 31);
            return fmt::format("{} {}, {}, {}", c[f3], rd, csr_name(w >> 20), rs1);
        }
        default: break;
    }
    return fmt::format("unknown 0x{:08x} ({})", w, mnemonic(w));
}

}  // namespace mind1024::board::rv32
