// libFuzzer harness for the checked ELF loader: any input either parses or
// throws ElfError; crashes, sanitizer reports, leaks and over-allocation
// (-rss_limit_mb, -malloc_limit_mb) are findings. The windows are the board's
// own, from the generated memory map. Built by tests/fuzz/CMakeLists.txt
// (MIND1024_FUZZ) and run by scripts/fuzz.sh, seeds in tests/fuzz/corpus/elf_loader/:
//   build-fuzz/tests/fuzz/fuzz_elf_loader -max_total_time=60 -max_len=65536 CORPUS_DIR
#include <cstddef>
#include <cstdint>
#include <vector>

#include "sysc/board/elf/elf_loader.h"
#include "mind1024_board.h"

using namespace mind1024::board;

namespace {

std::vector<MemoryWindow> board_windows() {
    std::vector<MemoryWindow> w;
#define MIND_FUZZ_WINDOW(name, base, size, kind, latency) \
    w.push_back({#name, base, size, kind == MIND_REGION_RAM || kind == MIND_REGION_BUFFER});
    MIND_BOARD_REGION_TABLE(MIND_FUZZ_WINDOW)
#undef MIND_FUZZ_WINDOW
    return w;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const std::vector<MemoryWindow> windows = board_windows();
    const std::vector<uint8_t> bytes(data, data + size);
    try {
        const ElfImage img = parse_elf(bytes, "fuzz.elf", windows);
        // Use the result, so that what it claims is also checked.
        size_t total = 0;
        for (const ElfSegment& s : img.segments) {
            if (s.bytes.size() != s.file_size || s.file_size > s.mem_size) __builtin_trap();
            total += s.bytes.size();
        }
        if (total > size * img.segments.size()) __builtin_trap();
        for (const auto& [name, value] : img.symbols)
            if (name.empty()) __builtin_trap();
    } catch (const ElfError&) {
    }
    return 0;
}
