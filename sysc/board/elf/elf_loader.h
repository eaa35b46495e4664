// The checked ELF loader for the board's firmware (contract section 3: an
// ordinary RV32 ELF from riscv64-unknown-elf-gcc and picolibc). Plain C++17,
// no SystemC: it only reads and checks; the platform copies the segments
// into its memories.
//
// Every PT_LOAD segment goes to its physical address p_paddr: picolibc keeps
// the load image of .data in ROM (p_paddr) and copies it to SRAM (p_vaddr) in
// crt0. A segment must lie inside one memory window, at p_paddr and at p_vaddr.
// Anything else wrong with the file is an ElfError naming the file and the
// cause ("segment k" is program header k); the loader never crashes or allocates more than the file's own bytes
// that land inside the windows, whatever the input.
#pragma once
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace mind1024::board {

// A range of the board's address space a segment may occupy. The loader writes
// every window at load time; writable_at_run_time (RAM yes, ROM no) is for the
// caller, which maps the window.
struct MemoryWindow {
    std::string name;
    uint32_t base = 0, size = 0;
    bool writable_at_run_time = false;
};

struct ElfSegment {
    uint32_t paddr = 0, vaddr = 0, file_size = 0, mem_size = 0;
    uint32_t flags = 0;          // p_flags: PF_R, PF_W, PF_X
    std::vector<uint8_t> bytes;  // file_size bytes; the rest up to mem_size is zero
};

struct ElfImage {
    std::string path;
    uint32_t entry = 0;
    std::vector<ElfSegment> segments;          // PT_LOAD with mem_size > 0, in program-header order
    std::map<std::string, uint32_t> symbols;  // from .symtab when present: functions and objects
};

class ElfError : public std::runtime_error {
public:
    using runtime_error::runtime_error;
};

// Reads `path` (a regular file of at most max_file_bytes) and parses it.
ElfImage load_elf(const std::string& path, const std::vector<MemoryWindow>& windows,
                  uint64_t max_file_bytes = 16u << 20);

// Parses an ELF image already in memory; messages name `name_for_messages`.
ElfImage parse_elf(const std::vector<uint8_t>& bytes, const std::string& name_for_messages,
                   const std::vector<MemoryWindow>& windows);

}  // namespace mind1024::board
