/* fault_device_error: a write to the chip's read-only ID register; the chip
 * answers with a TLM error response, which the board reports as a fault. */
#include <stdint.h>
#include <stdio.h>

#include "mind1024_board.h"
#include "mind1024_regs.h"

int main(void) {
    printf("fault_device_error: writing the read-only chip ID register at 0x%08x\n",
           (unsigned)(MIND_CHIP_BASE + MIND_REG_ID));
    /* fault_insn: the faulting instruction, whose address the board must report. */
    __asm__ volatile(".globl fault_insn\n.type fault_insn, @function\nfault_insn:\n" "    sw %0, 0(%1)" : : "r"(0x12345678u), "r"(MIND_CHIP_BASE + MIND_REG_ID) : "memory");
    printf("fault_device_error: ERROR, the write to ID went through\n");
    return 1;
}
