/* fault_misaligned_device: a 32-bit load (lw) from MIND_CHIP_BASE + 2, a
 * register access that is not an aligned 32-bit word. The lw is written in
 * assembly: from C, GCC splits a load it can see is misaligned into two
 * 16-bit loads. */
#include <stdint.h>
#include <stdio.h>

#include "mind1024_board.h"

int main(void) {
    const uint32_t addr = MIND_CHIP_BASE + 2u;
    uint32_t v;
    printf("fault_misaligned_device: 32-bit load from 0x%08x (chip registers + 2)\n", (unsigned)addr);
    /* fault_insn: the faulting instruction, whose address the board must report. */
    __asm__ volatile(".globl fault_insn\n.type fault_insn, @function\nfault_insn:\n" "    lw %0, 0(%1)" : "=r"(v) : "r"(addr) : "memory");
    printf("fault_misaligned_device: ERROR, the load returned 0x%08x\n", (unsigned)v);
    return 1;
}
