// Semihosting: the RISC-V semihosting calls (the ARM semihosting operations
// behind `slli x0,x0,0x1f; ebreak; srai x0,x0,7`), as picolibc's
// --oslib=semihost makes them: console (:tt), exit (SYS_EXIT and
// SYS_EXIT_EXTENDED), the features file, and host files - only inside the
// directory the user grants (--semihost-root DIR): no absolute paths, no "..",
// no symbolic links out of it. Everything else fails with an errno.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace mind1024::board {

class Semihost {
public:
    // Guest memory access (ROM and SRAM); false when the range is not readable/writable.
    using ReadMem = std::function<bool(uint32_t addr, void* dst, uint32_t len)>;
    using WriteMem = std::function<bool(uint32_t addr, const void* src, uint32_t len)>;

    Semihost(std::string root, ReadMem read, WriteMem write);
    ~Semihost();

    struct Result {
        uint32_t a0 = 0;
        std::optional<uint32_t> exit_code;  // SYS_EXIT: the firmware ends with this code
    };
    // One call: `op` (a0) with its parameter (a1). `elapsed_us`: simulated time, for the clocks.
    Result call(uint32_t op, uint32_t param, uint64_t elapsed_us);

    const std::string& root() const { return root_; }
    static std::string op_name(uint32_t op);

private:
    bool words(uint32_t addr, uint32_t* w, unsigned n);
    std::optional<std::string> guest_string(uint32_t addr, uint32_t len);
    int open_file(const std::string& name, uint32_t mode);  // a host fd, or -1 with errno_ set

    std::string root_;  // realpath of the granted directory ("" = none)
    ReadMem read_;
    WriteMem write_;
    int errno_ = 0;
    // Handles the firmware holds: console ones (-1 stdin, -2 stdout, -3 stderr), the
    // features file (-4, with its read position in features_pos_) or host fds.
    std::map<uint32_t, int> handles_;
    uint32_t next_handle_ = 1;
    size_t features_pos_ = 0;
};

}  // namespace mind1024::board
