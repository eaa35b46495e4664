#include "sysc/board/memory_map.h"

namespace mind1024::board {

const std::vector<Region>& board_regions() {
    static const std::vector<Region> r = {
#define MIND_REGION_ROW(NAME, BASE, SIZE, KIND, LAT) {#NAME, BASE, SIZE, static_cast<RegionKind>(KIND), LAT},
        MIND_BOARD_REGION_TABLE(MIND_REGION_ROW)
#undef MIND_REGION_ROW
    };
    return r;
}

std::optional<size_t> find_region(uint64_t addr, uint64_t n) {
    const auto& r = board_regions();
    for (size_t k = 0; k < r.size(); ++k)
        if (r[k].contains(addr, n)) return k;
    return std::nullopt;
}

const char* kind_name(RegionKind k) {
    switch (k) {
        case RegionKind::Rom: return "ROM";
        case RegionKind::Ram: return "RAM";
        case RegionKind::Device: return "device";
        case RegionKind::Buffer: return "buffer";
    }
    return "?";
}

}  // namespace mind1024::board
