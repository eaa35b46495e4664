// The board's memory map as C++ data, from the generated header (the one
// description is sysc/board/memmap/mind1024_board.json).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mind1024_board.h"

namespace mind1024::board {

enum class RegionKind { Rom = MIND_REGION_ROM, Ram = MIND_REGION_RAM, Device = MIND_REGION_DEVICE, Buffer = MIND_REGION_BUFFER };

struct Region {
    std::string name;
    uint32_t base, size;
    RegionKind kind;
    uint32_t latency_cycles;  // CPU bus cycles the router adds to each access
    bool contains(uint64_t a, uint64_t n = 1) const { return a >= base && n <= size && a - base <= size - n; }
    uint64_t end() const { return uint64_t{base} + size; }
};

// Every region, in the description's order (the router's target index).
const std::vector<Region>& board_regions();
// The region holding [addr, addr+n), if any.
std::optional<size_t> find_region(uint64_t addr, uint64_t n = 1);
const char* kind_name(RegionKind k);

}  // namespace mind1024::board
