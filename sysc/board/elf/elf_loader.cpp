// The checked ELF loader: every header field that says where something is gets
// checked against the file's size before it is read, every segment against the
// windows before anything is copied. Arithmetic on file offsets and addresses
// is done in 64 bits so that no sum wraps.
#include "sysc/board/elf/elf_loader.h"

#include <elf.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

// The ELF structures are read in place (memcpy), which matches the file's
// little-endian layout only on a little-endian host.
#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "elf_loader.cpp assumes a little-endian host"
#endif

namespace mind1024::board {

namespace {

[[noreturn]] void fail(const std::string& name, const std::string& why) { throw ElfError(name + ": " + why); }

// [off, off + len) inside a buffer of `size` bytes, without overflow.
bool fits(uint64_t off, uint64_t len, uint64_t size) { return off <= size && len <= size - off; }

// Only after fits(off, sizeof(T), b.size()).
template <class T>
T read_at(const std::vector<uint8_t>& b, uint64_t off) {
    T t;
    std::memcpy(&t, b.data() + off, sizeof t);
    return t;
}

std::string span(uint64_t lo, uint64_t len) { return fmt::format("0x{:08X}-0x{:08X}", lo, lo + len - 1); }

std::string window_text(const MemoryWindow& w) { return fmt::format("{} ({})", w.name, span(w.base, w.size)); }

// Empty when [lo, lo + len) lies inside one window, else why not.
std::string placement_error(const std::vector<MemoryWindow>& windows, uint64_t lo, uint64_t len) {
    const uint64_t hi = lo + len;  // len > 0, both below 2^33: no wrap
    for (const MemoryWindow& w : windows)
        if (lo >= w.base && hi <= uint64_t(w.base) + w.size) return {};
    for (const MemoryWindow& w : windows)
        if (lo < uint64_t(w.base) + w.size && hi > w.base)
            return "is not inside one window: it runs over " + window_text(w);
    return "is outside the memory map";
}

const char* machine_name(unsigned m) {
    switch (m) {
    case EM_386: return "x86";
    case EM_X86_64: return "x86-64";
    case EM_ARM: return "ARM";
    case EM_AARCH64: return "AArch64";
    case EM_MIPS: return "MIPS";
    case EM_PPC: return "PowerPC";
    case EM_NONE: return "none";
    default: return "unknown";
    }
}

const char* type_name(unsigned t) {
    switch (t) {
    case ET_NONE: return "no file type";
    case ET_REL: return "a relocatable object; link it first";
    case ET_DYN: return "a shared object or position-independent executable; link with -static, no -pie";
    case ET_CORE: return "a core file";
    default: return "unknown";
    }
}

// Functions and objects of the (one) SHT_SYMTAB. A table that does not fit
// the file, or whose names would take unreasonably much memory, is ignored:
// symbols are a convenience (GDB stub, tests), never a reason to refuse firmware.
std::map<std::string, uint32_t> read_symbols(const std::vector<uint8_t>& b, const Elf32_Ehdr& eh) {
    std::map<std::string, uint32_t> out;
    if (eh.e_shoff == 0 || eh.e_shnum == 0 || eh.e_shentsize != sizeof(Elf32_Shdr) ||
        !fits(eh.e_shoff, uint64_t(eh.e_shnum) * sizeof(Elf32_Shdr), b.size()))
        return out;
    auto section = [&](unsigned i) { return read_at<Elf32_Shdr>(b, eh.e_shoff + uint64_t(i) * sizeof(Elf32_Shdr)); };
    for (unsigned i = 0; i < eh.e_shnum; ++i) {
        const Elf32_Shdr s = section(i);
        if (s.sh_type != SHT_SYMTAB) continue;
        // Only the first: ELF allows one, and a hostile file could name one table many times.
        if (s.sh_entsize != sizeof(Elf32_Sym) || !fits(s.sh_offset, s.sh_size, b.size()) || s.sh_link >= eh.e_shnum)
            return out;
        const Elf32_Shdr st = section(s.sh_link);
        if (st.sh_type != SHT_STRTAB || !fits(st.sh_offset, st.sh_size, b.size())) return out;
        const char* strtab = reinterpret_cast<const char*>(b.data() + st.sh_offset);
        // Names may share tails, but not beyond this: bounded time and memory.
        constexpr uint32_t kMaxName = 4096;
        const uint64_t budget = 4 * uint64_t(st.sh_size) + 65536;
        uint64_t used = 0;
        std::map<std::string, uint32_t> locals;
        const uint64_t n = s.sh_size / sizeof(Elf32_Sym);
        for (uint64_t k = 1; k < n; ++k) {  // entry 0 is the null symbol
            const Elf32_Sym y = read_at<Elf32_Sym>(b, s.sh_offset + k * sizeof(Elf32_Sym));
            const unsigned type = ELF32_ST_TYPE(y.st_info), bind = ELF32_ST_BIND(y.st_info);
            if ((type != STT_FUNC && type != STT_OBJECT) || y.st_shndx == SHN_UNDEF || y.st_name == 0 ||
                y.st_name >= st.sh_size)
                continue;
            const char* name = strtab + y.st_name;
            const size_t room = std::min<uint64_t>(st.sh_size - y.st_name, kMaxName);
            const char* end = static_cast<const char*>(std::memchr(name, 0, room));
            if (!end || end == name) continue;
            used += uint64_t(end - name);
            if (used > budget) return {};
            std::string key(name, end);
            if (bind == STB_LOCAL)
                locals.emplace(std::move(key), y.st_value);
            else
                out[std::move(key)] = y.st_value;
        }
        for (auto& [key, value] : locals) out.emplace(key, value);  // a global of the same name wins
        return out;
    }
    return out;
}

}  // namespace

ElfImage parse_elf(const std::vector<uint8_t>& b, const std::string& name, const std::vector<MemoryWindow>& windows) {
    // The identification bytes first: the most telling message for a wrong file.
    if (b.empty()) fail(name, "empty file");
    if (b.size() < SELFMAG || std::memcmp(b.data(), ELFMAG, SELFMAG) != 0) fail(name, "not an ELF file (no \\x7fELF magic)");
    if (b.size() < EI_NIDENT) fail(name, fmt::format("too short for an ELF header ({} bytes)", b.size()));
    if (b[EI_CLASS] == ELFCLASS64) fail(name, "64-bit ELF; the board's CPU is RV32");
    if (b[EI_CLASS] != ELFCLASS32) fail(name, fmt::format("unknown ELF class {}", b[EI_CLASS]));
    if (b[EI_DATA] == ELFDATA2MSB) fail(name, "big-endian ELF; the board's CPU is little-endian");
    if (b[EI_DATA] != ELFDATA2LSB) fail(name, fmt::format("unknown ELF data encoding {}", b[EI_DATA]));
    if (b[EI_VERSION] != EV_CURRENT) fail(name, fmt::format("ELF version {}, expected {}", b[EI_VERSION], EV_CURRENT));
    if (b.size() < sizeof(Elf32_Ehdr))
        fail(name, fmt::format("too short for an ELF header ({} bytes, need {})", b.size(), sizeof(Elf32_Ehdr)));
    const Elf32_Ehdr eh = read_at<Elf32_Ehdr>(b, 0);
    if (eh.e_machine != EM_RISCV)
        fail(name, fmt::format("machine {} ({}), not RISC-V ({}): the board's CPU is RV32IM", eh.e_machine,
                               machine_name(eh.e_machine), EM_RISCV));
    if (eh.e_type != ET_EXEC) fail(name, fmt::format("not an executable: e_type {} ({})", eh.e_type, type_name(eh.e_type)));
    // The core is RV32IM with the soft-float ilp32 ABI (e_flags, RISC-V ELF psABI).
    constexpr uint32_t kRvc = 0x1, kFloatAbi = 0x6, kRve = 0x8;
    if (eh.e_flags & kRvc)
        fail(name, fmt::format("e_flags 0x{:X} has EF_RISCV_RVC (compressed code): the board's CPU is RV32IM, "
                               "build with -march=rv32im", eh.e_flags));
    if (eh.e_flags & kFloatAbi)
        fail(name, fmt::format("e_flags 0x{:X} has EF_RISCV_FLOAT_ABI_{} (a hardware-float ABI): the board's CPU is "
                               "RV32IM, build with -mabi=ilp32",
                               eh.e_flags, (eh.e_flags & kFloatAbi) == 2 ? "SINGLE" : (eh.e_flags & kFloatAbi) == 4 ? "DOUBLE" : "QUAD"));
    if (eh.e_flags & kRve)
        fail(name, fmt::format("e_flags 0x{:X} has EF_RISCV_RVE (the 16-register E base): the board's CPU is RV32IM",
                               eh.e_flags));

    // The program header table.
    if (eh.e_phnum == 0) fail(name, "no loadable segment (no program headers)");
    if (eh.e_phentsize != sizeof(Elf32_Phdr))
        fail(name, fmt::format("program header entry size {}, expected {}", eh.e_phentsize, sizeof(Elf32_Phdr)));
    if (eh.e_phnum == PN_XNUM) fail(name, "extended program header numbering (e_phnum 0xFFFF) is not supported");
    if (!fits(eh.e_phoff, uint64_t(eh.e_phnum) * sizeof(Elf32_Phdr), b.size()))
        fail(name, fmt::format("program header table (offset 0x{:X}, {} entries of {} bytes) runs past the end of the "
                               "file ({} bytes)",
                               eh.e_phoff, eh.e_phnum, sizeof(Elf32_Phdr), b.size()));

    // Every PT_LOAD checked before anything is copied.
    struct Load {
        unsigned index;
        Elf32_Phdr h;
    };
    std::vector<Load> loads;
    for (unsigned k = 0; k < eh.e_phnum; ++k) {
        const Elf32_Phdr h = read_at<Elf32_Phdr>(b, eh.e_phoff + uint64_t(k) * sizeof(Elf32_Phdr));
        if (h.p_type != PT_LOAD) continue;
        const std::string seg = fmt::format("segment {}", k);
        if (h.p_filesz > 0 && !fits(h.p_offset, h.p_filesz, b.size()))
            fail(name, fmt::format("{}: file range offset 0x{:X} size 0x{:X} runs past the end of the file ({} bytes)",
                                   seg, h.p_offset, h.p_filesz, b.size()));
        if (h.p_filesz > h.p_memsz)
            fail(name, fmt::format("{}: file size 0x{:X} is larger than its memory size 0x{:X}", seg, h.p_filesz,
                                   h.p_memsz));
        if (h.p_memsz == 0) continue;  // nothing to place
        const std::string at = placement_error(windows, h.p_paddr, h.p_memsz);
        if (!at.empty()) fail(name, fmt::format("{} (paddr {}) {}", seg, span(h.p_paddr, h.p_memsz), at));
        // Where crt0 expects it at run time (.data: SRAM) must exist too.
        const std::string run = placement_error(windows, h.p_vaddr, h.p_memsz);
        if (!run.empty()) fail(name, fmt::format("{} (run address, vaddr {}) {}", seg, span(h.p_vaddr, h.p_memsz), run));
        loads.push_back({k, h});
    }
    if (loads.empty()) fail(name, "no loadable segment");
    std::vector<const Load*> by_addr;
    for (const Load& l : loads) by_addr.push_back(&l);
    std::stable_sort(by_addr.begin(), by_addr.end(), [](const Load* x, const Load* y) { return x->h.p_paddr < y->h.p_paddr; });
    for (size_t k = 1; k < by_addr.size(); ++k) {
        const Load& p = *by_addr[k - 1];
        const Load& q = *by_addr[k];
        if (uint64_t(p.h.p_paddr) + p.h.p_memsz > q.h.p_paddr)
            fail(name, fmt::format("segments {} (paddr {}) and {} (paddr {}) overlap", p.index,
                                   span(p.h.p_paddr, p.h.p_memsz), q.index, span(q.h.p_paddr, q.h.p_memsz)));
    }
    if (!placement_error(windows, eh.e_entry, 1).empty())
        fail(name, fmt::format("entry point 0x{:08X} is outside the memory map", eh.e_entry));

    // Segments do not overlap and lie in the windows: the copies are bounded by the windows' size.
    ElfImage img;
    img.path = name;
    img.entry = eh.e_entry;
    for (const Load& l : loads) {
        ElfSegment s;
        s.paddr = l.h.p_paddr, s.vaddr = l.h.p_vaddr, s.file_size = l.h.p_filesz, s.mem_size = l.h.p_memsz;
        s.flags = l.h.p_flags;
        if (l.h.p_filesz > 0) s.bytes.assign(b.begin() + l.h.p_offset, b.begin() + l.h.p_offset + l.h.p_filesz);
        img.segments.push_back(std::move(s));
    }
    img.symbols = read_symbols(b, eh);
    return img;
}

ElfImage load_elf(const std::string& path, const std::vector<MemoryWindow>& windows, uint64_t max_file_bytes) {
    if (path.empty()) throw ElfError("no firmware file name given");
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
        fail(path, errno == ENOENT ? std::string("no such file") : fmt::format("cannot stat: {}", std::strerror(errno)));
    if (!S_ISREG(st.st_mode)) fail(path, S_ISDIR(st.st_mode) ? "not a regular file (a directory)" : "not a regular file");
    // O_NONBLOCK: a file swapped for a FIFO after the stat cannot hang the open.
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) fail(path, fmt::format("cannot open for reading: {}", std::strerror(errno)));
    struct Closer {
        int fd;
        ~Closer() { ::close(fd); }
    } closer{fd};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) fail(path, "not a regular file");
    if (st.st_size == 0) fail(path, "empty file");
    if (uint64_t(st.st_size) > max_file_bytes)
        fail(path, fmt::format("{} bytes, larger than the limit of {} bytes", uint64_t(st.st_size), max_file_bytes));
    std::vector<uint8_t> bytes(size_t(st.st_size));
    size_t got = 0;
    while (got < bytes.size()) {
        const ssize_t r = ::read(fd, bytes.data() + got, bytes.size() - got);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) fail(path, fmt::format("cannot read: {}", std::strerror(errno)));
        if (r == 0) fail(path, fmt::format("file shrank while being read ({} of {} bytes)", got, bytes.size()));
        got += size_t(r);
    }
    return parse_elf(bytes, path, windows);
}

}  // namespace mind1024::board
