/* bench_device: a device access every 10 instructions, for the cost of bus
 * transactions in the CPU model. BENCH_ITERATIONS iterations of 10
 * instructions, one of them a store to the chip's TEMP register (a chip
 * register write through the bus); written in assembly so the count does not
 * depend on the compiler. 10 M iterations (100 M instructions) by default. */
#include <stdint.h>
#include <stdio.h>

#include "mind1024_board.h"
#include "mind1024_regs.h"
#include "mind_board.h"
#include "mind_bus.h"

#ifndef BENCH_ITERATIONS
#define BENCH_ITERATIONS 10000000u
#endif
#define LOOP_INSTRUCTIONS 10u

int main(void) {
    uint32_t n = BENCH_ITERATIONS, v = 0, a = 0;
    uintptr_t temp = MIND_CHIP_BASE + MIND_REG_TEMP;
    const uint64_t t0 = mind_timer_us();
    __asm__ volatile(
        "1:\n"
        "    sw   %[v], 0(%[p])\n" /* the device access */
        "    addi %[v], %[v], 1\n"
        "    add  %[a], %[a], %[v]\n"
        "    xor  %[a], %[a], %[n]\n"
        "    slli %[a], %[a], 1\n"
        "    add  %[a], %[a], %[v]\n"
        "    srli %[a], %[a], 1\n"
        "    andi %[v], %[v], 0x3ff\n"
        "    addi %[n], %[n], -1\n"
        "    bnez %[n], 1b\n"
        : [v] "+r"(v), [a] "+r"(a), [n] "+r"(n)
        : [p] "r"(temp)
        : "memory");
    const uint64_t t1 = mind_timer_us();
    const uint32_t last = mind_read32(MIND_CHIP_BASE + MIND_REG_TEMP);
    printf("bench_device: %u iterations, %u loop instructions, %u chip TEMP writes (last %u), checksum 0x%08x, "
           "%u us simulated\n",
           (unsigned)BENCH_ITERATIONS, (unsigned)(BENCH_ITERATIONS * LOOP_INSTRUCTIONS), (unsigned)BENCH_ITERATIONS,
           (unsigned)last, (unsigned)a, (unsigned)(t1 - t0));
    return 0;
}
