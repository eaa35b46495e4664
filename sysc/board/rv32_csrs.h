// The names of the CSRs the board's core has (the privileged spec's), in one
// place: the disassembler (--trace) and the GDB stub's target description.
#pragma once

namespace mind1024::board::rv32 {

// A CSR's name, or nullptr for a number the core does not name.
inline const char* csr_known_name(unsigned c) {
    switch (c) {
        case 0x300: return "mstatus";
        case 0x301: return "misa";
        case 0x304: return "mie";
        case 0x305: return "mtvec";
        case 0x310: return "mstatush";
        case 0x340: return "mscratch";
        case 0x341: return "mepc";
        case 0x342: return "mcause";
        case 0x343: return "mtval";
        case 0x344: return "mip";
        case 0xB00: return "mcycle";
        case 0xB02: return "minstret";
        case 0xB80: return "mcycleh";
        case 0xB82: return "minstreth";
        case 0xC00: return "cycle";
        case 0xC01: return "time";
        case 0xC02: return "instret";
        case 0xC80: return "cycleh";
        case 0xC81: return "timeh";
        case 0xC82: return "instreth";
        case 0xF11: return "mvendorid";
        case 0xF12: return "marchid";
        case 0xF13: return "mimpid";
        case 0xF14: return "mhartid";
        default: return nullptr;
    }
}

}  // namespace mind1024::board::rv32
