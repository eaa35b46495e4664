/* isa_traps: the board's ISA and trap suite (contract 3.1, the RISC-V
 * unprivileged and privileged specifications), written for this board. Its own
 * trap vector records mcause, mepc and mtval; each check compares them with
 * what the specification says. Prints one line per failed check, then
 * "isa_traps: N checks, F failed" and exits with F != 0. */
#include <stdint.h>
#include <stdio.h>

#include "mind1024_board.h"
#include "mind_board.h"
#include "mind_bus.h"

#define CSR_READ(csr)                                  \
    __extension__({                                    \
        uint32_t v_;                                   \
        __asm__ volatile("csrr %0, " #csr : "=r"(v_)); \
        v_;                                            \
    })
#define CSR_WRITE(csr, v) __asm__ volatile("csrw " #csr ", %0" ::"r"((uint32_t)(v)) : "memory")
#define CSR_SET(csr, v) __asm__ volatile("csrs " #csr ", %0" ::"r"((uint32_t)(v)) : "memory")
#define CSR_CLEAR(csr, v) __asm__ volatile("csrc " #csr ", %0" ::"r"((uint32_t)(v)) : "memory")

static unsigned checks, failed;
#define CHECK(cond, ...)                                  \
    do {                                                  \
        ++checks;                                         \
        if (!(cond)) {                                    \
            ++failed;                                     \
            printf("FAIL line %d: ", __LINE__);           \
            printf(__VA_ARGS__);                          \
            printf("\n");                                 \
        }                                                 \
    } while (0)

/* ---- the trap vector: every register saved in a frame, then trap_c ---- */

/* What the last traps saw, in order. */
#define MAX_TRAPS 8
static volatile uint32_t n_traps, t_cause[MAX_TRAPS], t_epc[MAX_TRAPS], t_tval[MAX_TRAPS], t_mstatus[MAX_TRAPS];
/* Where a fetch fault resumes: the return address of the call that jumped away. */
static volatile int resume_at_ra;
/* Interrupt handling: what to do to clear each source. */
static volatile uint32_t irq_order[8], n_irqs;

uint32_t trap_c(uint32_t *frame);
uint32_t trap_c(uint32_t *frame) {
    const uint32_t cause = CSR_READ(mcause), epc = CSR_READ(mepc);
    const uint32_t k = n_traps < MAX_TRAPS ? n_traps : MAX_TRAPS - 1;
    t_cause[k] = cause;
    t_epc[k] = epc;
    t_tval[k] = CSR_READ(mtval);
    t_mstatus[k] = CSR_READ(mstatus);
    ++n_traps;
    if (cause & 0x80000000u) {
        if (n_irqs < 8) irq_order[n_irqs] = cause & 0x1F;
        ++n_irqs;
        switch (cause & 0x1F) {
            case 3: mind_write32(MIND_CLINT_MSIP_ADDR, 0); break;
            case 7: mind_write32(MIND_CLINT_MTIMECMP_HI_ADDR, 0xFFFFFFFFu); break;
            case 11: mind_timer_alarm_off(); break;
        }
        return epc;
    }
    if (resume_at_ra) {
        resume_at_ra = 0;
        return frame[1]; /* ra of the interrupted code */
    }
    return epc + 4;
}

__asm__(".section .text.trap_vector,\"ax\",@progbits\n"
        ".globl trap_vector\n"
        ".p2align 6\n"
        "trap_vector:\n"
        "    addi sp, sp, -128\n"
        "    sw x1, 4(sp)\n  sw x3, 12(sp)\n  sw x4, 16(sp)\n  sw x5, 20(sp)\n  sw x6, 24(sp)\n"
        "    sw x7, 28(sp)\n  sw x8, 32(sp)\n  sw x9, 36(sp)\n  sw x10, 40(sp)\n  sw x11, 44(sp)\n"
        "    sw x12, 48(sp)\n sw x13, 52(sp)\n sw x14, 56(sp)\n sw x15, 60(sp)\n sw x16, 64(sp)\n"
        "    sw x17, 68(sp)\n sw x18, 72(sp)\n sw x19, 76(sp)\n sw x20, 80(sp)\n sw x21, 84(sp)\n"
        "    sw x22, 88(sp)\n sw x23, 92(sp)\n sw x24, 96(sp)\n sw x25, 100(sp)\n sw x26, 104(sp)\n"
        "    sw x27, 108(sp)\n sw x28, 112(sp)\n sw x29, 116(sp)\n sw x30, 120(sp)\n sw x31, 124(sp)\n"
        "    mv a0, sp\n"
        "    call trap_c\n"
        "    csrw mepc, a0\n"
        "    lw x1, 4(sp)\n  lw x3, 12(sp)\n  lw x4, 16(sp)\n  lw x5, 20(sp)\n  lw x6, 24(sp)\n"
        "    lw x7, 28(sp)\n  lw x8, 32(sp)\n  lw x9, 36(sp)\n  lw x10, 40(sp)\n  lw x11, 44(sp)\n"
        "    lw x12, 48(sp)\n lw x13, 52(sp)\n lw x14, 56(sp)\n lw x15, 60(sp)\n lw x16, 64(sp)\n"
        "    lw x17, 68(sp)\n lw x18, 72(sp)\n lw x19, 76(sp)\n lw x20, 80(sp)\n lw x21, 84(sp)\n"
        "    lw x22, 88(sp)\n lw x23, 92(sp)\n lw x24, 96(sp)\n lw x25, 100(sp)\n lw x26, 104(sp)\n"
        "    lw x27, 108(sp)\n lw x28, 112(sp)\n lw x29, 116(sp)\n lw x30, 120(sp)\n lw x31, 124(sp)\n"
        "    addi sp, sp, 128\n"
        "    mret\n"
        /* Vectored mode: exceptions at the base, interrupt k at base + 4k. */
        ".p2align 6\n"
        ".globl vector_table\n"
        "vector_table:\n"
        "    j trap_vector\n" /* 0: exceptions */
        "    j trap_vector\n  j trap_vector\n"
        "    j vec_msi\n"    /* 3 */
        "    j trap_vector\n  j trap_vector\n  j trap_vector\n"
        "    j vec_mti\n"    /* 7 */
        "    j trap_vector\n  j trap_vector\n  j trap_vector\n"
        "    j vec_mei\n"    /* 11 */
        "vec_msi:\n  addi sp, sp, -8\n  sw t5, 0(sp)\n  sw t6, 4(sp)\n  la t6, vectored_hits\n  lw t5, 0(t6)\n  addi t5, t5, 1\n  sw t5, 0(t6)\n  lw t5, 0(sp)\n  lw t6, 4(sp)\n  addi sp, sp, 8\n  j trap_vector\n"
        "vec_mti:\n  addi sp, sp, -8\n  sw t5, 0(sp)\n  sw t6, 4(sp)\n  la t6, vectored_hits\n  lw t5, 0(t6)\n  addi t5, t5, 16\n  sw t5, 0(t6)\n  lw t5, 0(sp)\n  lw t6, 4(sp)\n  addi sp, sp, 8\n  j trap_vector\n"
        "vec_mei:\n  addi sp, sp, -8\n  sw t5, 0(sp)\n  sw t6, 4(sp)\n  la t6, vectored_hits\n  lw t5, 0(t6)\n  addi t5, t5, 256\n  sw t5, 0(t6)\n  lw t5, 0(sp)\n  lw t6, 4(sp)\n  addi sp, sp, 8\n  j trap_vector\n"
        ".text\n");
extern char trap_vector[], vector_table[];
volatile uint32_t vectored_hits;

/* Labels of the trapping instructions: a global label right before each. */
#define AT(label) ".globl " #label "\n.type " #label ", @function\n" #label ":\n"
extern char l_ecall[], l_ebreak[], l_illegal[], l_compressed[], l_flw[], l_amo[], l_sret[], l_csr_unknown[],
    l_csr_ro[], l_cycle_w[], l_load[], l_store_rom[], l_store_unmapped[], l_mis_load[], l_mis_store[], l_dev_err[],
    l_reuse[], l_reuse2[], l_kind[], l_jalr_mis[], l_msip_store[], l_after_msip[], l_fdiv[], l_satp[], l_pmp[];

static void reset_traps(void) {
    n_traps = 0;
    t_cause[0] = t_epc[0] = t_tval[0] = 0xDEADBEEFu;
}

static void expect_trap(int line, uint32_t cause, const void *epc, uint32_t tval) {
    ++checks;
    if (n_traps != 1 || t_cause[0] != cause || t_epc[0] != (uint32_t)(uintptr_t)epc || t_tval[0] != tval) {
        ++failed;
        printf("FAIL line %d: %u traps, mcause %lu mepc 0x%08lx mtval 0x%08lx; want mcause %lu mepc 0x%08lx mtval 0x%08lx\n",
               line, (unsigned)n_traps, (unsigned long)t_cause[0], (unsigned long)t_epc[0], (unsigned long)t_tval[0],
               (unsigned long)cause, (unsigned long)(uintptr_t)epc, (unsigned long)tval);
    }
}
#define EXPECT_TRAP(cause, epc, tval) expect_trap(__LINE__, cause, epc, tval)

static void exceptions(void) {
    uint32_t v = 0;
    reset_traps();
    __asm__ volatile(AT(l_ecall) "ecall" ::: "memory");
    EXPECT_TRAP(11, l_ecall, 0);
    reset_traps();
    __asm__ volatile(AT(l_ebreak) "ebreak" ::: "memory");
    EXPECT_TRAP(3, l_ebreak, 0);
    reset_traps();
    __asm__ volatile(AT(l_illegal) ".word 0xFFFFFFFF" ::: "memory");
    EXPECT_TRAP(2, l_illegal, 0xFFFFFFFFu);
    /* Not RV32IM: compressed (two c.nop), F (flw, fdiv.s), A (amoadd.w), S-mode (sret, satp). */
    reset_traps();
    __asm__ volatile(AT(l_compressed) ".word 0x00010001" ::: "memory");
    EXPECT_TRAP(2, l_compressed, 0x0001u);
    reset_traps();
    __asm__ volatile(AT(l_flw) ".word 0x0005A007" ::: "memory"); /* flw f0, 0(a1) */
    EXPECT_TRAP(2, l_flw, 0x0005A007u);
    reset_traps();
    __asm__ volatile(AT(l_fdiv) ".word 0x18107053" ::: "memory"); /* fdiv.s f0, f0, f1 */
    EXPECT_TRAP(2, l_fdiv, 0x18107053u);
    reset_traps();
    __asm__ volatile("mv a1, %0\n" AT(l_amo) ".word 0x00B5A52F" ::"r"(&v) : "a0", "a1", "memory"); /* amoadd.w a0,a1,(a1) */
    EXPECT_TRAP(2, l_amo, 0x00B5A52Fu);
    reset_traps();
    __asm__ volatile(AT(l_sret) ".word 0x10200073" ::: "memory");
    EXPECT_TRAP(2, l_sret, 0x10200073u);
    reset_traps();
    __asm__ volatile(AT(l_satp) "csrr a0, 0x180" ::: "a0", "memory"); /* satp: no S-mode */
    EXPECT_TRAP(2, l_satp, 0x18002573u);
    reset_traps();
    __asm__ volatile(AT(l_pmp) "csrr a0, 0x3A0" ::: "a0", "memory"); /* pmpcfg0: no PMP, no U-mode */
    EXPECT_TRAP(2, l_pmp, 0x3A002573u);
    reset_traps();
    __asm__ volatile(AT(l_csr_unknown) "csrr a0, 0x7C0" ::: "a0", "memory"); /* a custom CSR nobody implements */
    EXPECT_TRAP(2, l_csr_unknown, 0x7C002573u);
    reset_traps();
    __asm__ volatile("li a0, 5\n" AT(l_csr_ro) ".word 0xF1451073" ::: "a0", "memory"); /* csrw mhartid, a0 */
    EXPECT_TRAP(2, l_csr_ro, 0xF1451073u);
    reset_traps();
    __asm__ volatile(AT(l_cycle_w) ".word 0xC0001073" ::: "memory"); /* csrw cycle, zero: read-only */
    EXPECT_TRAP(2, l_cycle_w, 0xC0001073u);

    /* Access faults: mtval is the address. */
    reset_traps();
    __asm__ volatile("li a1, 0x10000000\n" AT(l_load) "lw a0, 0(a1)" ::: "a0", "a1", "memory");
    EXPECT_TRAP(5, l_load, 0x10000000u);
    reset_traps();
    __asm__ volatile("li a1, 0x100\n" AT(l_store_rom) "sw a1, 0(a1)" ::: "a1", "memory");
    EXPECT_TRAP(7, l_store_rom, 0x100u);
    reset_traps();
    __asm__ volatile("li a1, 0x30000000\n" AT(l_store_unmapped) "sh a1, 6(a1)" ::: "a1", "memory");
    EXPECT_TRAP(7, l_store_unmapped, 0x30000006u);
    reset_traps();
    __asm__ volatile("li a1, 0x51000000\n" AT(l_mis_load) "lw a0, 2(a1)" ::: "a0", "a1", "memory");
    EXPECT_TRAP(4, l_mis_load, 0x51000002u);
    reset_traps();
    __asm__ volatile("li a1, 0x52000000\n" AT(l_mis_store) "sh a1, 1(a1)" ::: "a1", "memory");
    EXPECT_TRAP(6, l_mis_store, 0x52000001u);
    reset_traps();
    /* UART DATA is write-only: the device answers a read with an error. */
    __asm__ volatile("li a1, 0x51000000\n" AT(l_dev_err) "lw a0, 0(a1)" ::: "a0", "a1", "memory");
    EXPECT_TRAP(5, l_dev_err, 0x51000000u);

    /* The exact pc: a base register reused after an earlier access to a good address
     * (issue 20's case), and a load against a store with the same address. */
    static volatile uint32_t cell;
    reset_traps();
    __asm__ volatile("mv a4, %0\n"
                     "li a5, 0x10000000\n"
                     "sw zero, 0(a4)\n"
                     "li a4, 0x10000000\n"
                     "nop\n" AT(l_reuse) "lw a6, 0(a5)\n" ::"r"(&cell)
                     : "a4", "a5", "a6", "memory");
    EXPECT_TRAP(5, l_reuse, 0x10000000u);
    /* Two loads: the first (good) one's base now holds the faulting address too. */
    reset_traps();
    __asm__ volatile("mv a4, %0\n"
                     "li a5, 0x10000000\n"
                     "lw a6, 0(a4)\n"
                     "li a4, 0x10000000\n" AT(l_reuse2) "lw a7, 0(a5)\n" ::"r"(&cell)
                     : "a4", "a5", "a6", "a7", "memory");
    EXPECT_TRAP(5, l_reuse2, 0x10000000u);
    reset_traps();
    __asm__ volatile("mv a4, %0\n"
                     "li a5, 0x10000000\n"
                     "lw a6, 0(a4)\n"
                     "li a4, 0x10000000\n" AT(l_kind) "sw a6, 0(a5)\n"
                     "lw a6, 0(a4)\n" ::"r"(&cell)
                     : "a4", "a5", "a6", "memory");
    ++checks;
    if (n_traps != 2 || t_epc[0] != (uint32_t)(uintptr_t)l_kind || t_cause[0] != 7 || t_cause[1] != 5 ||
        t_epc[1] != (uint32_t)(uintptr_t)l_kind + 4) {
        ++failed;
        printf("FAIL line %d: store then load faults at 0x%08lx (cause %lu) and 0x%08lx (cause %lu), %u traps\n",
               __LINE__, (unsigned long)t_epc[0], (unsigned long)t_cause[0], (unsigned long)t_epc[1],
               (unsigned long)t_cause[1], (unsigned)n_traps);
    }

    /* Fetch faults: outside the map (mepc = mtval = the target) and misaligned. */
    reset_traps();
    resume_at_ra = 1;
    __asm__ volatile("li t0, 0x10000000\n jalr ra, 0(t0)\n" ::: "t0", "ra", "memory");
    EXPECT_TRAP(1, (void *)0x10000000, 0x10000000u);
    reset_traps();
    resume_at_ra = 1;
    __asm__ volatile("la t0, 1f\n addi t0, t0, 2\n" AT(l_jalr_mis) "jalr ra, 0(t0)\n 1: nop\n nop\n" ::: "t0", "ra", "memory");
    ++checks;
    if (n_traps != 1 || t_cause[0] != 0 || t_epc[0] != (uint32_t)(uintptr_t)l_jalr_mis ||
        t_tval[0] != (uint32_t)(uintptr_t)l_jalr_mis + 6) {
        ++failed;
        printf("FAIL line %d: misaligned jump: %u traps, mcause %lu mepc 0x%08lx mtval 0x%08lx\n", __LINE__,
               (unsigned)n_traps, (unsigned long)t_cause[0], (unsigned long)t_epc[0], (unsigned long)t_tval[0]);
    }
    resume_at_ra = 0;

    /* Trap entry and mret: MPIE = the old MIE, MIE = 0, MPP = M; mret restores MIE. */
    CSR_CLEAR(mie, 0x888);
    CSR_SET(mstatus, 8);
    reset_traps();
    __asm__ volatile("ecall" ::: "memory");
    CHECK(t_mstatus[0] == ((1u << 7) | (3u << 11)), "mstatus in the handler 0x%08lx", (unsigned long)t_mstatus[0]);
    CHECK(CSR_READ(mstatus) == ((1u << 3) | (1u << 7) | (3u << 11)), "mstatus after mret 0x%08lx",
          (unsigned long)CSR_READ(mstatus));
    CSR_CLEAR(mstatus, 8);
    CHECK(CSR_READ(mstatus) == ((1u << 7) | (3u << 11)), "mstatus 0x%08lx", (unsigned long)CSR_READ(mstatus));
}

static void csrs(void) {
    CHECK(CSR_READ(misa) == 0x40001100u, "misa 0x%08lx, want RV32IM 0x40001100", (unsigned long)CSR_READ(misa));
    CSR_WRITE(misa, 0xFFFFFFFFu); /* WARL: the extensions are fixed */
    CHECK(CSR_READ(misa) == 0x40001100u, "misa after a write 0x%08lx", (unsigned long)CSR_READ(misa));
    CHECK(CSR_READ(mhartid) == 0, "mhartid");
    CSR_WRITE(mscratch, 0x12345678u);
    CHECK(CSR_READ(mscratch) == 0x12345678u, "mscratch");
    CSR_WRITE(mepc, 0x1000u);
    CHECK(CSR_READ(mepc) == 0x1000u, "mepc");
    CSR_WRITE(mie, 0xFFFFFFFFu);
    CHECK(CSR_READ(mie) == 0x888u, "mie keeps MSIE, MTIE, MEIE only: 0x%08lx", (unsigned long)CSR_READ(mie));
    CSR_WRITE(mie, 0);
    /* Counters: minstret counts retired instructions, a write is what the next instruction reads. */
    uint32_t n;
    __asm__ volatile("csrw minstret, zero\n nop\n nop\n nop\n nop\n nop\n csrr %0, minstret" : "=r"(n));
    CHECK(n == 5, "minstret after 5 instructions: %lu", (unsigned long)n);
    __asm__ volatile("csrw minstret, %1\n csrr %0, minstret" : "=r"(n) : "r"(1000u));
    CHECK(n == 1000, "minstret written 1000, read %lu", (unsigned long)n);
    __asm__ volatile("csrw minstreth, %1\n csrr %0, minstreth" : "=r"(n) : "r"(7u));
    CHECK(n == 7, "minstreth %lu", (unsigned long)n);
    CSR_WRITE(minstreth, 0);
    uint32_t c0, c1, i0, i1;
    __asm__ volatile("csrw mcycle, zero\n csrr %0, mcycle\n csrr %1, instret\n"
                     "li t0, 100\n 1: addi t0, t0, -1\n bnez t0, 1b\n"
                     "csrr %2, cycle\n csrr %3, instret"
                     : "=r"(c0), "=r"(i0), "=r"(c1), "=r"(i1)::"t0");
    CHECK(c0 <= 2, "mcycle right after writing 0: %lu", (unsigned long)c0);
    CHECK(i1 - i0 == 203, "instret: csrr, li, 200 in the loop, csrr: %lu", (unsigned long)(i1 - i0));
    CHECK(c1 - c0 >= 200 && c1 - c0 <= 210, "cycles over the loop (one per instruction): %lu", (unsigned long)(c1 - c0));
    /* time = MTIME (1 MHz); timeh its high word. */
    const uint64_t m0 = mind_mtime();
    const uint32_t t = CSR_READ(time), th = CSR_READ(timeh);
    const uint64_t m1 = mind_mtime();
    CHECK(t >= (uint32_t)m0 && t <= (uint32_t)m1 && th == (uint32_t)(m1 >> 32), "time %lu between MTIME %lu and %lu",
          (unsigned long)t, (unsigned long)m0, (unsigned long)m1);
    /* Hardwired zero: mhpmcounter3, mhpmevent3. */
    CHECK(CSR_READ(0xB03) == 0 && CSR_READ(0x323) == 0, "hpm counters read zero");
}

static void interrupts(void) {
    /* mip shows MSIP and MTIP as the CLINT holds them, enabled or not. */
    CSR_WRITE(mie, 0);
    mind_write32(MIND_CLINT_MSIP_ADDR, 1);
    CHECK(CSR_READ(mip) & (1u << 3), "mip.MSIP after MSIP = 1: mip 0x%08lx", (unsigned long)CSR_READ(mip));
    mind_write32(MIND_CLINT_MSIP_ADDR, 0);
    CHECK(!(CSR_READ(mip) & (1u << 3)), "mip.MSIP after MSIP = 0");
    mind_mtimecmp_set(0);
    CHECK(CSR_READ(mip) & (1u << 7), "mip.MTIP with MTIMECMP = 0");
    mind_write32(MIND_CLINT_MTIMECMP_HI_ADDR, 0xFFFFFFFFu);
    CHECK(!(CSR_READ(mip) & (1u << 7)), "mip.MTIP with MTIMECMP in the future");

    /* A software interrupt raised by the CPU's own store is taken before the next instruction. */
    reset_traps();
    n_irqs = 0;
    CSR_WRITE(mie, 1u << 3);
    CSR_SET(mstatus, 8);
    __asm__ volatile("li t0, 1\n li t1, 0x02000000\n" AT(l_msip_store) "sw t0, 0(t1)\n" AT(l_after_msip) "nop\n" ::
                         : "t0", "t1", "memory");
    CSR_CLEAR(mstatus, 8);
    EXPECT_TRAP(0x80000003u, l_after_msip, 0);

    /* A timer interrupt wakes wfi; mtval is 0 for interrupts. */
    reset_traps();
    n_irqs = 0;
    CSR_WRITE(mie, 1u << 7);
    mind_mtimecmp_set(mind_mtime() + 30);
    CSR_SET(mstatus, 8);
    while (n_irqs == 0) __asm__ volatile("wfi");
    CSR_CLEAR(mstatus, 8);
    CHECK(n_irqs == 1 && t_cause[0] == 0x80000007u && t_tval[0] == 0, "timer interrupt: %lu taken, mcause 0x%08lx",
          (unsigned long)n_irqs, (unsigned long)t_cause[0]);
    CHECK(mind_mtime() >= 30, "MTIME %lu", (unsigned long)mind_mtime());

    /* wfi with MIE = 0 wakes on a pending enabled interrupt without taking it. */
    reset_traps();
    mind_mtimecmp_set(mind_mtime() + 20);
    __asm__ volatile("wfi");
    CHECK(n_traps == 0 && (CSR_READ(mip) & (1u << 7)), "wfi woke with the timer pending, no trap (%u traps)",
          (unsigned)n_traps);
    mind_write32(MIND_CLINT_MTIMECMP_HI_ADDR, 0xFFFFFFFFu);

    /* Priorities: external, then software, then timer. All three pending while
     * MIE = 0 (the board timer's alarm is an external source), then MIE = 1. */
    reset_traps();
    n_irqs = 0;
    mind_timer_alarm_at(0);
    mind_write32(MIND_CLINT_MSIP_ADDR, 1);
    mind_mtimecmp_set(0);
    const uint64_t until = mind_timer_us() + 30; /* a few quanta: the external line settles */
    while (mind_timer_us() < until) {
    }
    CSR_WRITE(mie, (1u << 3) | (1u << 7) | (1u << 11));
    CSR_SET(mstatus, 8);
    __asm__ volatile("nop" ::: "memory");
    CSR_CLEAR(mstatus, 8);
    CHECK(n_irqs == 3 && irq_order[0] == 11 && irq_order[1] == 3 && irq_order[2] == 7,
          "priority order: %lu taken: %lu %lu %lu (want 11 3 7)", (unsigned long)n_irqs, (unsigned long)irq_order[0],
          (unsigned long)irq_order[1], (unsigned long)irq_order[2]);

    /* Vectored mode: interrupts at base + 4 * cause, exceptions at the base. */
    reset_traps();
    n_irqs = 0;
    vectored_hits = 0;
    CSR_WRITE(mtvec, (uint32_t)(uintptr_t)vector_table | 1u);
    CSR_WRITE(mie, (1u << 3) | (1u << 7));
    mind_mtimecmp_set(0);
    mind_write32(MIND_CLINT_MSIP_ADDR, 1);
    CSR_SET(mstatus, 8);
    __asm__ volatile("nop\n ecall" ::: "memory");
    CSR_CLEAR(mstatus, 8);
    CSR_WRITE(mtvec, (uint32_t)(uintptr_t)trap_vector);
    CHECK(vectored_hits == 17 && n_irqs == 2 && n_traps == 3, "vectored: hits %lu (want 1 + 16), %lu irqs, %u traps",
          (unsigned long)vectored_hits, (unsigned long)n_irqs, (unsigned)n_traps);
    CSR_WRITE(mie, 0);
}

/* RV32M: the specification's corner cases. */
static void m_extension(void) {
    volatile int32_t a = -7, b = 2, zero = 0, min = INT32_MIN, m1 = -1;
    CHECK(a / b == -3 && a % b == -1, "div/rem round toward zero");
    int32_t q, r;
    uint32_t qu, ru;
    __asm__ volatile("div %0, %2, %3\n rem %1, %2, %3" : "=&r"(q), "=&r"(r) : "r"(a), "r"(zero));
    CHECK(q == -1 && r == -7, "division by zero: quotient all ones, remainder the dividend");
    __asm__ volatile("divu %0, %2, %3\n remu %1, %2, %3" : "=&r"(qu), "=&r"(ru) : "r"(a), "r"(zero));
    CHECK(qu == 0xFFFFFFFFu && ru == (uint32_t)-7, "unsigned division by zero");
    __asm__ volatile("div %0, %2, %3\n rem %1, %2, %3" : "=&r"(q), "=&r"(r) : "r"(min), "r"(m1));
    CHECK(q == INT32_MIN && r == 0, "overflow: INT_MIN / -1");
    uint32_t h;
    __asm__ volatile("mulh %0, %1, %2" : "=r"(h) : "r"(min), "r"(min));
    CHECK(h == 0x40000000u, "mulh");
    __asm__ volatile("mulhsu %0, %1, %2" : "=r"(h) : "r"(m1), "r"(0xFFFFFFFFu));
    CHECK(h == 0xFFFFFFFFu, "mulhsu");
    __asm__ volatile("mulhu %0, %1, %2" : "=r"(h) : "r"(0xFFFFFFFFu), "r"(0xFFFFFFFFu));
    CHECK(h == 0xFFFFFFFEu, "mulhu");
}

/* Code written to SRAM runs after fence.i, and is checked again: compressed code there traps. */
static uint32_t sram_code[4] __attribute__((aligned(4)));
static void self_modifying(void) {
    sram_code[0] = 0x02A00513u; /* li a0, 42 */
    sram_code[1] = 0x00008067u; /* ret */
    __asm__ volatile("fence.i" ::: "memory");
    int (*f)(void) = (int (*)(void))(uintptr_t)sram_code;
    CHECK(f() == 42, "code in SRAM after fence.i");
    sram_code[0] = 0x05500513u; /* li a0, 85 */
    __asm__ volatile("fence.i" ::: "memory");
    CHECK(f() == 85, "rewritten code in SRAM after fence.i");
    sram_code[0] = 0x00010001u; /* c.nop c.nop */
    sram_code[1] = 0x00008067u;
    __asm__ volatile("fence.i" ::: "memory");
    reset_traps();
    f();
    EXPECT_TRAP(2, sram_code, 0x0001u);
}

int main(void) {
    CSR_WRITE(mtvec, (uint32_t)(uintptr_t)trap_vector);
    exceptions();
    csrs();
    interrupts();
    m_extension();
    self_modifying();
    printf("isa_traps: %u checks, %u failed\n", checks, failed);
    return failed != 0;
}
