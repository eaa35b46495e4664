/* bench_compute: a pure compute loop of a known instruction count, for the
 * CPU model's speed. BENCH_ITERATIONS iterations of 4 instructions (add, xor,
 * addi, bnez; no memory access), written in assembly so the count does not
 * depend on the compiler: 800 M loop instructions by default. */
#include <stdint.h>
#include <stdio.h>

#include "mind_board.h"

#ifndef BENCH_ITERATIONS
#define BENCH_ITERATIONS 200000000u
#endif
#define LOOP_INSTRUCTIONS 4u

int main(void) {
    uint32_t n = BENCH_ITERATIONS, a = 1, b = 0x9E3779B9u;
    const uint64_t t0 = mind_timer_us();
    __asm__ volatile(
        "1:\n"
        "    add  %[a], %[a], %[b]\n"
        "    xor  %[b], %[b], %[a]\n"
        "    addi %[n], %[n], -1\n"
        "    bnez %[n], 1b\n"
        : [a] "+r"(a), [b] "+r"(b), [n] "+r"(n));
    const uint64_t t1 = mind_timer_us();
    printf("bench_compute: %u iterations, %u loop instructions, checksum 0x%08x, %u us simulated\n",
           (unsigned)BENCH_ITERATIONS, (unsigned)(BENCH_ITERATIONS * LOOP_INSTRUCTIONS), (unsigned)(a ^ b),
           (unsigned)(t1 - t0));
    return 0;
}
