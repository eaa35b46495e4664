// The checked ELF loader (sysc/board/elf): ELF images are built here in
// memory from <elf.h> structures (no cross compiler), shaped like picolibc
// firmware (text in ROM, .data's load image in ROM with its run address in
// SRAM, .bss in SRAM); each bad case breaks one thing and expects an ElfError
// naming the file and the cause. Windows come from the board's generated map.
#include <elf.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "sysc/board/elf/elf_loader.h"
#include "mind1024_board.h"

namespace fs = std::filesystem;
using namespace mind1024::board;

namespace {

const std::vector<MemoryWindow> kWindows = {
    {"ROM", MIND_ROM_BASE, MIND_ROM_SIZE, false},
    {"SRAM", MIND_SRAM_BASE, MIND_SRAM_SIZE, true},
};

struct Sym {
    std::string name;
    uint32_t value;
    unsigned type, bind;
    uint16_t shndx;
};

// An ET_EXEC RV32 image: ELF header, program headers, segment bytes, then
// .symtab, .strtab, .shstrtab and the section headers. Fields stay public so
// a case can break any of them before build().
struct ElfBuilder {
    Elf32_Ehdr eh{};
    std::vector<Elf32_Phdr> ph;
    std::vector<std::vector<uint8_t>> data;  // per program header
    std::vector<Sym> syms;
    bool with_sections = true;
    // Filled by build(): where things went.
    uint32_t shoff = 0, strtab_off = 0, symtab_off = 0;

    ElfBuilder() {
        std::memcpy(eh.e_ident, ELFMAG, SELFMAG);
        eh.e_ident[EI_CLASS] = ELFCLASS32;
        eh.e_ident[EI_DATA] = ELFDATA2LSB;
        eh.e_ident[EI_VERSION] = EV_CURRENT;
        eh.e_type = ET_EXEC;
        eh.e_machine = EM_RISCV;
        eh.e_version = EV_CURRENT;
        eh.e_ehsize = sizeof(Elf32_Ehdr);
        eh.e_phentsize = sizeof(Elf32_Phdr);
        eh.e_shentsize = sizeof(Elf32_Shdr);
    }
    ElfBuilder& segment(uint32_t type, uint32_t paddr, uint32_t vaddr, std::vector<uint8_t> bytes, uint32_t memsz,
                        uint32_t flags) {
        Elf32_Phdr h{};
        h.p_type = type, h.p_paddr = paddr, h.p_vaddr = vaddr, h.p_filesz = uint32_t(bytes.size());
        h.p_memsz = memsz, h.p_flags = flags, h.p_align = 4;
        ph.push_back(h);
        data.push_back(std::move(bytes));
        return *this;
    }

    std::vector<uint8_t> build() {
        std::vector<uint8_t> out(sizeof(Elf32_Ehdr) + ph.size() * sizeof(Elf32_Phdr));
        auto put = [&](const void* p, size_t n) {
            const size_t at = out.size();
            out.insert(out.end(), static_cast<const uint8_t*>(p), static_cast<const uint8_t*>(p) + n);
            return uint32_t(at);
        };
        std::vector<Elf32_Phdr> hs = ph;  // offsets are the builder's: build() can run again
        for (size_t k = 0; k < hs.size(); ++k)
            hs[k].p_offset = data[k].empty() ? uint32_t(out.size()) : put(data[k].data(), data[k].size());
        Elf32_Ehdr h = eh;
        if (h.e_phoff == 0 && !ph.empty()) h.e_phoff = sizeof(Elf32_Ehdr);
        if (h.e_phnum == 0) h.e_phnum = uint16_t(ph.size());
        if (with_sections) {
            std::string strtab(1, '\0');
            std::vector<Elf32_Sym> table(1);  // the null symbol
            for (const Sym& s : syms) {
                Elf32_Sym y{};
                y.st_name = uint32_t(strtab.size());
                strtab += s.name + '\0';
                y.st_value = s.value, y.st_info = uint8_t(ELF32_ST_INFO(s.bind, s.type)), y.st_shndx = s.shndx;
                table.push_back(y);
            }
            const std::string shstr = std::string("\0.symtab\0.strtab\0.shstrtab\0", 27);
            strtab_off = put(strtab.data(), strtab.size());
            while (out.size() % 4) out.push_back(0);  // tests patch the table in place
            symtab_off = put(table.data(), table.size() * sizeof(Elf32_Sym));
            const uint32_t shstr_off = put(shstr.data(), shstr.size());
            Elf32_Shdr sh[4]{};
            sh[1].sh_name = 1, sh[1].sh_type = SHT_SYMTAB, sh[1].sh_offset = symtab_off;
            sh[1].sh_size = uint32_t(table.size() * sizeof(Elf32_Sym)), sh[1].sh_link = 2, sh[1].sh_entsize = sizeof(Elf32_Sym);
            sh[2].sh_name = 9, sh[2].sh_type = SHT_STRTAB, sh[2].sh_offset = strtab_off, sh[2].sh_size = uint32_t(strtab.size());
            sh[3].sh_name = 17, sh[3].sh_type = SHT_STRTAB, sh[3].sh_offset = shstr_off, sh[3].sh_size = uint32_t(shstr.size());
            while (out.size() % 4) out.push_back(0);
            h.e_shoff = shoff = uint32_t(out.size());
            put(sh, sizeof sh);
            h.e_shnum = 4, h.e_shstrndx = 3;
        }
        std::memcpy(out.data(), &h, sizeof h);
        if (!hs.empty()) std::memcpy(out.data() + sizeof(Elf32_Ehdr), hs.data(), hs.size() * sizeof(Elf32_Phdr));
        return out;
    }
};

// The k-th program header / section header of a built image, to break it in place.
Elf32_Phdr* phdr(std::vector<uint8_t>& img, unsigned k) {
    return reinterpret_cast<Elf32_Phdr*>(img.data() + sizeof(Elf32_Ehdr) + k * sizeof(Elf32_Phdr));
}
Elf32_Ehdr* ehdr(std::vector<uint8_t>& img) { return reinterpret_cast<Elf32_Ehdr*>(img.data()); }

std::vector<uint8_t> pattern(size_t n, uint8_t seed) {
    std::vector<uint8_t> v(n);
    for (size_t k = 0; k < n; ++k) v[k] = uint8_t(seed + 7 * k);
    return v;
}

// Firmware as picolibc lays it out.
ElfBuilder firmware() {
    ElfBuilder b;
    b.segment(PT_LOAD, 0x0, 0x0, pattern(64, 1), 64, PF_R | PF_X);                      // .text
    b.segment(PT_LOAD, 0x40, MIND_SRAM_BASE, pattern(16, 2), 16, PF_R | PF_W);         // .data: image in ROM
    b.segment(PT_LOAD, MIND_SRAM_BASE + 16, MIND_SRAM_BASE + 16, {}, 0x100, PF_R | PF_W);  // .bss
    b.segment(PT_GNU_STACK, 0, 0, {}, 0, PF_R | PF_W);                                  // not loaded
    b.eh.e_entry = 0x4;
    b.syms = {{"_start", 0x4, STT_FUNC, STB_GLOBAL, 1},
              {"main", 0x20, STT_FUNC, STB_GLOBAL, 1},
              {"counter", MIND_SRAM_BASE, STT_OBJECT, STB_GLOBAL, 2},
              {"helper", 0x30, STT_FUNC, STB_LOCAL, 1},
              {"main", 0x3C, STT_FUNC, STB_LOCAL, 1},  // a static of the same name: the global wins
              {"__stack", MIND_SRAM_BASE + MIND_SRAM_SIZE, STT_NOTYPE, STB_GLOBAL, SHN_ABS},
              {"puts", 0, STT_FUNC, STB_GLOBAL, SHN_UNDEF},
              {"crt0.c", 0, STT_FILE, STB_LOCAL, SHN_ABS},
              {"", 0x0, STT_SECTION, STB_LOCAL, 1}};
    return b;
}

// The message of the ElfError that parsing `bytes` throws ("" if none).
std::string error_of(const std::vector<uint8_t>& bytes, const std::vector<MemoryWindow>& w = kWindows) {
    try {
        parse_elf(bytes, "fw.elf", w);
    } catch (const ElfError& e) {
        return e.what();
    }
    return "";
}

#define EXPECT_ELF_ERROR(bytes, ...)                                                                      \
    do {                                                                                                  \
        const std::string msg_ = error_of(bytes);                                                         \
        ASSERT_FALSE(msg_.empty()) << "no error";                                                         \
        EXPECT_EQ(msg_.rfind("fw.elf: ", 0), 0u) << msg_;                                                 \
        for (const std::string& want_ : std::initializer_list<std::string>{__VA_ARGS__}) EXPECT_NE(msg_.find(want_), std::string::npos) << msg_;   \
    } while (0)

// ---------------------------------------------------------------- the good case

TEST(ElfLoader, FirmwareSegmentsEntryAndSymbols) {
    ElfBuilder b = firmware();
    const ElfImage img = parse_elf(b.build(), "fw.elf", kWindows);
    EXPECT_EQ(img.path, "fw.elf");
    EXPECT_EQ(img.entry, 0x4u);
    ASSERT_EQ(img.segments.size(), 3u);  // PT_GNU_STACK is not loaded
    EXPECT_EQ(img.segments[0].paddr, 0x0u);
    EXPECT_EQ(img.segments[0].mem_size, 64u);
    EXPECT_EQ(img.segments[0].flags, uint32_t(PF_R | PF_X));
    EXPECT_EQ(img.segments[0].bytes, pattern(64, 1));
    // .data: placed at its load address in ROM, run address in SRAM.
    EXPECT_EQ(img.segments[1].paddr, 0x40u);
    EXPECT_EQ(img.segments[1].vaddr, MIND_SRAM_BASE);
    EXPECT_EQ(img.segments[1].file_size, 16u);
    EXPECT_EQ(img.segments[1].bytes, pattern(16, 2));
    // .bss: memory only.
    EXPECT_EQ(img.segments[2].paddr, MIND_SRAM_BASE + 16);
    EXPECT_EQ(img.segments[2].file_size, 0u);
    EXPECT_EQ(img.segments[2].mem_size, 0x100u);
    EXPECT_TRUE(img.segments[2].bytes.empty());
    const std::map<std::string, uint32_t> want = {
        {"_start", 0x4}, {"main", 0x20}, {"counter", MIND_SRAM_BASE}, {"helper", 0x30}};
    EXPECT_EQ(img.symbols, want);
}

TEST(ElfLoader, NonLoadAndEmptySegmentsAreSkipped) {
    ElfBuilder b = firmware();
    b.segment(PT_LOAD, 0x30000000, 0x30000000, {}, 0, PF_R);  // mem_size 0, even outside the map: nothing to place
    b.segment(PT_NOTE, 0x40000000, 0x40000000, pattern(8, 3), 8, PF_R);
    const ElfImage img = parse_elf(b.build(), "fw.elf", kWindows);
    EXPECT_EQ(img.segments.size(), 3u);
}

// ---------------------------------------------------------------- the file

class ElfFile : public ::testing::Test {
protected:
    void SetUp() override {
        std::string tmpl = (fs::temp_directory_path() / "elf_loader_test.XXXXXX").string();
        ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
        dir_ = tmpl;
    }
    void TearDown() override {
        std::error_code ec;
        fs::permissions(dir_, fs::perms::owner_all, ec);
        fs::remove_all(dir_, ec);
    }
    std::string write(const std::string& name, const std::vector<uint8_t>& bytes) {
        const std::string p = dir_ + "/" + name;
        std::ofstream f(p, std::ios::binary);
        f.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
        return p;
    }
    std::string load_error(const std::string& path, uint64_t max = 16u << 20) {
        try {
            load_elf(path, kWindows, max);
        } catch (const ElfError& e) {
            return e.what();
        }
        return "";
    }
    std::string dir_;
};

TEST_F(ElfFile, LoadsFromDiskAndWithoutSymbols) {
    ElfBuilder b = firmware();
    b.with_sections = false;
    const std::string p = write("fw.elf", b.build());
    const ElfImage img = load_elf(p, kWindows);
    EXPECT_EQ(img.path, p);
    EXPECT_EQ(img.segments.size(), 3u);
    EXPECT_EQ(img.segments[1].bytes, pattern(16, 2));
    EXPECT_TRUE(img.symbols.empty());
}

TEST_F(ElfFile, MissingFile) {
    const std::string p = dir_ + "/none.elf";
    EXPECT_EQ(load_error(p), p + ": no such file");
    EXPECT_EQ(load_error(""), "no firmware file name given");
}

TEST_F(ElfFile, NotARegularFile) {
    EXPECT_EQ(load_error(dir_), dir_ + ": not a regular file (a directory)");
    const std::string fifo = dir_ + "/fifo";
    ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
    EXPECT_EQ(load_error(fifo), fifo + ": not a regular file");  // and no hang on open
    EXPECT_EQ(load_error("/dev/null"), "/dev/null: not a regular file");
}

TEST_F(ElfFile, Unreadable) {
    const std::string p = write("locked.elf", firmware().build());
    ASSERT_EQ(chmod(p.c_str(), 0), 0);
    if (geteuid() != 0) {
        const std::string msg = load_error(p);
        EXPECT_NE(msg.find(p + ": cannot open for reading: Permission denied"), std::string::npos) << msg;
        return;
    }
    // root reads anything: check it as an unprivileged user in a child.
    ASSERT_EQ(chmod(dir_.c_str(), 0755), 0);
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        if (setgid(65534) != 0 || setuid(65534) != 0) _exit(2);
        const std::string msg = load_error(p);
        _exit(msg == p + ": cannot open for reading: Permission denied" ? 0 : 1);
    }
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0) << "1: wrong message, 2: could not drop privileges";
}

TEST_F(ElfFile, EmptyAndTooLarge) {
    const std::string e = write("empty.elf", {});
    EXPECT_EQ(load_error(e), e + ": empty file");
    const std::vector<uint8_t> img = firmware().build();
    const std::string big = write("big.elf", img);
    EXPECT_EQ(load_error(big, img.size() - 1),
              big + ": " + std::to_string(img.size()) + " bytes, larger than the limit of " + std::to_string(img.size() - 1) + " bytes");
    EXPECT_EQ(load_error(big, img.size()), "");
}

// ---------------------------------------------------------------- the ELF header

TEST(ElfLoader, TooShortOrNotElf) {
    EXPECT_EQ(error_of({}), "fw.elf: empty file");
    EXPECT_EQ(error_of({0x7F, 'E', 'L'}), "fw.elf: not an ELF file (no \\x7fELF magic)");
    EXPECT_EQ(error_of({'#', '!', '/', 'b', 'i', 'n'}), "fw.elf: not an ELF file (no \\x7fELF magic)");
    std::vector<uint8_t> img = firmware().build();
    EXPECT_EQ(error_of(std::vector<uint8_t>(img.begin(), img.begin() + 10)), "fw.elf: too short for an ELF header (10 bytes)");
    EXPECT_EQ(error_of(std::vector<uint8_t>(img.begin(), img.begin() + 40)),
              "fw.elf: too short for an ELF header (40 bytes, need 52)");
    img[1] = 'X';
    EXPECT_ELF_ERROR(img, "not an ELF file");
}

TEST(ElfLoader, WrongClassEndianVersionMachineType) {
    auto with = [](const std::function<void(ElfBuilder&)>& f) {
        ElfBuilder b = firmware();
        f(b);
        return b.build();
    };
    EXPECT_EQ(error_of(with([](ElfBuilder& b) { b.eh.e_ident[EI_CLASS] = ELFCLASS64; })),
              "fw.elf: 64-bit ELF; the board's CPU is RV32");
    EXPECT_ELF_ERROR(with([](ElfBuilder& b) { b.eh.e_ident[EI_CLASS] = 7; }), "unknown ELF class 7");
    EXPECT_EQ(error_of(with([](ElfBuilder& b) { b.eh.e_ident[EI_DATA] = ELFDATA2MSB; })),
              "fw.elf: big-endian ELF; the board's CPU is little-endian");
    EXPECT_ELF_ERROR(with([](ElfBuilder& b) { b.eh.e_ident[EI_DATA] = 0; }), "unknown ELF data encoding 0");
    EXPECT_ELF_ERROR(with([](ElfBuilder& b) { b.eh.e_ident[EI_VERSION] = 0; }), "ELF version 0");
    EXPECT_ELF_ERROR(with([](ElfBuilder& b) { b.eh.e_machine = EM_X86_64; }), "machine 62 (x86-64)", "not RISC-V");
    EXPECT_ELF_ERROR(with([](ElfBuilder& b) { b.eh.e_machine = EM_ARM; }), "(ARM)", "not RISC-V");
    EXPECT_ELF_ERROR(with([](ElfBuilder& b) { b.eh.e_type = ET_DYN; }), "not an executable: e_type 3", "-pie");
    EXPECT_ELF_ERROR(with([](ElfBuilder& b) { b.eh.e_type = ET_REL; }), "not an executable: e_type 1", "relocatable");
    EXPECT_ELF_ERROR(with([](ElfBuilder& b) { b.eh.e_type = ET_CORE; }), "not an executable");
    // RV32IM with the soft-float ABI only (contract 3.1): the header's flags name what is wrong.
    EXPECT_ELF_ERROR(with([](ElfBuilder& b) { b.eh.e_flags = 0x1; }), "EF_RISCV_RVC", "-march=rv32im");
    EXPECT_ELF_ERROR(with([](ElfBuilder& b) { b.eh.e_flags = 0x2; }), "EF_RISCV_FLOAT_ABI_SINGLE", "-mabi=ilp32");
    EXPECT_ELF_ERROR(with([](ElfBuilder& b) { b.eh.e_flags = 0x4; }), "EF_RISCV_FLOAT_ABI_DOUBLE");
    EXPECT_ELF_ERROR(with([](ElfBuilder& b) { b.eh.e_flags = 0x8; }), "EF_RISCV_RVE");
    EXPECT_NO_THROW(with([](ElfBuilder& b) { b.eh.e_flags = 0x10; }));  // TSO: harmless on one core
}

TEST(ElfLoader, BadProgramHeaderTable) {
    auto with = [](const std::function<void(ElfBuilder&)>& f) {
        ElfBuilder b = firmware();
        f(b);
        return b.build();
    };
    EXPECT_ELF_ERROR(with([](ElfBuilder& b) { b.eh.e_phentsize = 56; }), "program header entry size 56, expected 32");
    EXPECT_ELF_ERROR(with([](ElfBuilder& b) { b.eh.e_phoff = 0x7FFFFFF0; }),
                     "program header table (offset 0x7FFFFFF0, 4 entries of 32 bytes) runs past the end of the file");
    EXPECT_ELF_ERROR(with([](ElfBuilder& b) { b.eh.e_phoff = 0xFFFFFFFF; }), "runs past the end of the file");
    EXPECT_ELF_ERROR(with([](ElfBuilder& b) { b.eh.e_phnum = 5000; }), "5000 entries", "runs past the end of the file");
    EXPECT_ELF_ERROR(with([](ElfBuilder& b) { b.eh.e_phnum = PN_XNUM; }), "extended program header numbering");
    // A table that ends exactly at the end of the file is fine; one byte short is not.
    ElfBuilder b = firmware();
    b.with_sections = false;
    const std::vector<uint8_t> img = b.build();
    std::vector<uint8_t> moved = img;  // the table copied to the end of the file
    const uint32_t table = uint32_t(b.ph.size() * sizeof(Elf32_Phdr));
    moved.insert(moved.end(), img.begin() + sizeof(Elf32_Ehdr), img.begin() + sizeof(Elf32_Ehdr) + table);
    ehdr(moved)->e_phoff = uint32_t(moved.size() - table);
    EXPECT_EQ(error_of(moved), "");
    moved.pop_back();
    EXPECT_ELF_ERROR(moved, "program header table");
}

// ---------------------------------------------------------------- segments

TEST(ElfLoader, SegmentFileRangePastTheEnd) {
    std::vector<uint8_t> img = firmware().build();
    phdr(img, 1)->p_offset = 0xFFFFFFF8;  // offset + size wraps in 32 bits
    EXPECT_ELF_ERROR(img, "segment 1: file range offset 0xFFFFFFF8 size 0x10 runs past the end of the file");
    img = firmware().build();
    phdr(img, 0)->p_offset = uint32_t(img.size() - 63);  // one byte short
    EXPECT_ELF_ERROR(img, "segment 0: file range", "runs past the end of the file (" + std::to_string(img.size()) + " bytes)");
    phdr(img, 0)->p_offset = uint32_t(img.size() - 64);  // the last 64 bytes: in the file
    EXPECT_EQ(error_of(img), "");
}

TEST(ElfLoader, FileSizeLargerThanMemSize) {
    ElfBuilder b = firmware();
    b.ph[1].p_memsz = 8;
    EXPECT_ELF_ERROR(b.build(), "segment 1: file size 0x10 is larger than its memory size 0x8");
}

TEST(ElfLoader, SegmentOutsideTheWindows) {
    ElfBuilder b = firmware();
    b.ph[0].p_paddr = b.ph[0].p_vaddr = 0x10000000;
    EXPECT_ELF_ERROR(b.build(), "segment 0 (paddr 0x10000000-0x1000003F) is outside the memory map");
    ElfBuilder c = firmware();
    c.ph[0].p_paddr = c.ph[0].p_vaddr = MIND_ROM_SIZE - 32;  // crosses the end of ROM
    EXPECT_ELF_ERROR(c.build(), "segment 0 (paddr 0x0003FFE0-0x0004001F) is not inside one window: it runs over ROM (0x00000000-0x0003FFFF)");
    ElfBuilder d = firmware();
    d.ph[2].p_memsz = MIND_SRAM_SIZE;  // .bss too big for SRAM
    EXPECT_ELF_ERROR(d.build(), "segment 2", "runs over SRAM");
    ElfBuilder e = firmware();
    e.ph[2].p_paddr = e.ph[2].p_vaddr = 0xFFFFFF00;  // paddr + mem_size past 2^32
    e.ph[2].p_memsz = 0x200;
    EXPECT_ELF_ERROR(e.build(), "segment 2 (paddr 0xFFFFFF00-0x1000000FF) is outside the memory map");
    ElfBuilder f = firmware();
    f.ph[0].p_memsz = 0xFFFFFFFF;  // no allocation of mem_size
    EXPECT_ELF_ERROR(f.build(), "segment 0", "runs over ROM");
    // .data's run address must exist too.
    ElfBuilder g = firmware();
    g.ph[1].p_vaddr = 0x30000000;
    EXPECT_ELF_ERROR(g.build(), "segment 1 (run address, vaddr 0x30000000-0x3000000F) is outside the memory map");
    // No windows at all: nothing fits.
    EXPECT_NE(error_of(firmware().build(), {}).find("segment 0 (paddr 0x00000000-0x0000003F) is outside the memory map"),
              std::string::npos);
}

TEST(ElfLoader, OverlappingSegments) {
    ElfBuilder b = firmware();
    b.ph[1].p_paddr = 0x3C;  // .data's image over the end of .text
    EXPECT_ELF_ERROR(b.build(), "segments 0 (paddr 0x00000000-0x0000003F) and 1 (paddr 0x0000003C-0x0000004B) overlap");
    ElfBuilder c = firmware();
    c.ph[2].p_paddr = c.ph[2].p_vaddr = MIND_SRAM_BASE;  // .bss over .data's run address is fine (vaddr), ...
    EXPECT_EQ(error_of(c.build()), "");
    c.ph[0].p_paddr = 0x40;  // ... two images at one physical address are not, in any header order
    EXPECT_ELF_ERROR(c.build(), "segments 0 (paddr 0x00000040-0x0000007F) and 1 (paddr 0x00000040-0x0000004F) overlap");
    ElfBuilder d = firmware();
    d.ph[1].p_paddr = 0x0;
    EXPECT_ELF_ERROR(d.build(), "segments 0", "and 1", "overlap");
}

TEST(ElfLoader, NoLoadableSegment) {
    ElfBuilder b;
    b.segment(PT_NOTE, 0, 0, pattern(8, 0), 8, PF_R);
    b.segment(PT_LOAD, 0, 0, {}, 0, PF_R);
    EXPECT_ELF_ERROR(b.build(), "no loadable segment");
    ElfBuilder c;
    EXPECT_ELF_ERROR(c.build(), "no loadable segment (no program headers)");
}

TEST(ElfLoader, EntryPointOutsideTheWindows) {
    ElfBuilder b = firmware();
    b.eh.e_entry = 0x30000000;
    EXPECT_EQ(error_of(b.build()), "fw.elf: entry point 0x30000000 is outside the memory map");
    b.eh.e_entry = MIND_SRAM_BASE + MIND_SRAM_SIZE - 4;  // inside a window: accepted
    EXPECT_EQ(error_of(b.build()), "");
}

// ---------------------------------------------------------------- symbols

TEST(ElfLoader, BadSymbolTableIsIgnored) {
    auto symbols_of = [](const std::function<void(ElfBuilder&, std::vector<uint8_t>&)>& f) {
        ElfBuilder b = firmware();
        std::vector<uint8_t> img = b.build();
        f(b, img);
        return parse_elf(img, "fw.elf", kWindows).symbols;
    };
    auto shdr = [](ElfBuilder& b, std::vector<uint8_t>& img, unsigned i) {
        return reinterpret_cast<Elf32_Shdr*>(img.data() + b.shoff + i * sizeof(Elf32_Shdr));
    };
    EXPECT_EQ(symbols_of([](ElfBuilder&, std::vector<uint8_t>&) {}).size(), 4u);
    EXPECT_TRUE(symbols_of([&](ElfBuilder& b, std::vector<uint8_t>& i) { shdr(b, i, 1)->sh_offset = 0xFFFFFFF0; }).empty());
    EXPECT_TRUE(symbols_of([&](ElfBuilder& b, std::vector<uint8_t>& i) { shdr(b, i, 1)->sh_size = 0x7FFFFFF0; }).empty());
    EXPECT_TRUE(symbols_of([&](ElfBuilder& b, std::vector<uint8_t>& i) { shdr(b, i, 1)->sh_entsize = 24; }).empty());
    EXPECT_TRUE(symbols_of([&](ElfBuilder& b, std::vector<uint8_t>& i) { shdr(b, i, 1)->sh_link = 99; }).empty());
    EXPECT_TRUE(symbols_of([&](ElfBuilder& b, std::vector<uint8_t>& i) { shdr(b, i, 1)->sh_link = 1; }).empty());
    EXPECT_TRUE(symbols_of([&](ElfBuilder& b, std::vector<uint8_t>& i) { shdr(b, i, 2)->sh_offset = 0xFFFFFFFF; }).empty());
    EXPECT_TRUE(symbols_of([](ElfBuilder&, std::vector<uint8_t>& i) { ehdr(i)->e_shoff = 0xFFFFFFF0; }).empty());
    EXPECT_TRUE(symbols_of([](ElfBuilder&, std::vector<uint8_t>& i) { ehdr(i)->e_shnum = 60000; }).empty());
    EXPECT_TRUE(symbols_of([](ElfBuilder&, std::vector<uint8_t>& i) { ehdr(i)->e_shentsize = 64; }).empty());
    // One name past the string table, one without its NUL: those two are dropped, the rest kept.
    const auto some = symbols_of([&](ElfBuilder& b, std::vector<uint8_t>& i) {
        Elf32_Sym* syms = reinterpret_cast<Elf32_Sym*>(i.data() + b.symtab_off);
        syms[1].st_name = 0xFFFFFF00;                  // _start
        shdr(b, i, 2)->sh_size = syms[3].st_name + 3;  // "counter" cut to "cou", no NUL
    });
    EXPECT_EQ(some, (std::map<std::string, uint32_t>{{"main", 0x20}}));
}

// ---------------------------------------------------------------- hostile input

TEST(ElfLoader, EveryTruncationAndManyMutationsFailCleanly) {
    const std::vector<uint8_t> good = firmware().build();
    for (size_t n = 0; n < good.size(); ++n) {
        const std::vector<uint8_t> cut(good.begin(), good.begin() + n);
        try {
            parse_elf(cut, "cut.elf", kWindows);  // may pass once only the section headers are cut
        } catch (const ElfError& e) {
            EXPECT_EQ(std::string(e.what()).rfind("cut.elf: ", 0), 0u);
        }
    }
    std::mt19937 rng(1024);
    size_t ok = 0;
    for (int k = 0; k < 20000; ++k) {
        std::vector<uint8_t> m = good;
        for (int f = 0, n = 1 + int(rng() % 4); f < n; ++f) {
            const size_t at = rng() % m.size();
            m[at] = rng() % 3 == 0 ? uint8_t(0xFF) : uint8_t(rng());
        }
        try {
            const ElfImage img = parse_elf(m, "m.elf", kWindows);
            ++ok;
            for (const ElfSegment& s : img.segments) ASSERT_EQ(s.bytes.size(), s.file_size);
        } catch (const ElfError&) {
        }
    }
    EXPECT_GT(ok, 0u);  // some mutations only hit payload bytes
}

}  // namespace
