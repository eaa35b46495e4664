#include "sysc/board/rv32_decode.h"

namespace mind1024::board::rv32 {

namespace {
int32_t sext(uint32_t v, unsigned bits) {
    const uint32_t m = 1u << (bits - 1);
    return static_cast<int32_t>((v ^ m) - m);
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

std::string mnemonic(uint32_t insn) {
    static const char* loads[8] = {"lb", "lh", "lw", nullptr, "lbu", "lhu", nullptr, nullptr};
    static const char* stores[8] = {"sb", "sh", "sw", nullptr, nullptr, nullptr, nullptr, nullptr};
    const uint32_t op = insn & 0x7F, f3 = (insn >> 12) & 7;
    if (insn == kWfi) return "wfi";
    if (insn == kEbreak) return "ebreak";
    if (insn == kEcall) return "ecall";
    if (insn == kMret) return "mret";
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
        case 0x73: m = "system"; break;
        case 0x0F: m = "fence"; break;
        default: break;
    }
    return m ? m : "unknown";
}

std::optional<uint32_t> find_access(uint32_t block, uint32_t size, uint32_t address, const uint32_t (&x)[32],
                                    const std::function<std::optional<uint32_t>(uint32_t pc)>& fetch) {
    for (uint32_t pc = block; pc - block < size; pc += 4) {
        const auto w = fetch(pc);
        if (!w) return std::nullopt;
        const auto a = mem_access(*w, x);
        if (a && address >= a->address && address - a->address < a->bytes) return pc;
    }
    return std::nullopt;
}

}  // namespace mind1024::board::rv32
