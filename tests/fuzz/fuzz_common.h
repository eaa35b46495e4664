// Shared by the file-reading harnesses: a per-process temporary file, and a
// malloc hook that records the largest single allocation while armed.
#pragma once
#include <sanitizer/allocator_interface.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace mind1024::fuzz {

// The largest single allocation (malloc or new, through ASan's allocator) made
// while armed. Installed with __sanitizer_install_malloc_and_free_hooks, which
// libFuzzer's own -malloc_limit_mb hook coexists with (up to 5 hooks).
struct AllocWatch {
    static inline volatile bool armed = false;
    static inline volatile size_t largest = 0;
    static void on_malloc(const volatile void*, size_t n) {
        if (armed && n > largest) largest = n;
    }
    static void on_free(const volatile void*) {}
    static void install() {
        static const bool once = (__sanitizer_install_malloc_and_free_hooks(on_malloc, on_free), true);
        (void)once;
    }
    void arm() { largest = 0; armed = true; }
    size_t disarm() { armed = false; return largest; }
};

// A file of this process's own in TMPDIR (default /tmp), rewritten per input.
inline const std::string& temp_path(const char* tag) {
    static const std::string p = [tag] {
        const char* d = std::getenv("TMPDIR");
        return std::string(d && *d ? d : "/tmp") + "/mind1024_fuzz_" + tag + "_" + std::to_string(getpid());
    }();
    return p;
}

inline void write_file(const std::string& path, const void* data, size_t size) {
    FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) __builtin_trap();
    if (size && std::fwrite(data, 1, size, f) != size) __builtin_trap();
    if (std::fclose(f) != 0) __builtin_trap();
}

inline void check(bool ok, const char* what) {
    if (!ok) {
        std::fprintf(stderr, "fuzz invariant broken: %s\n", what);
        __builtin_trap();
    }
}

}  // namespace mind1024::fuzz
