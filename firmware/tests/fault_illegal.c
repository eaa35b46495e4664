/* fault_illegal: an illegal instruction (the all-zero word). The board must
 * stop with a report naming the pc and "illegal instruction". */
#include <stdio.h>

int main(void) {
    printf("fault_illegal: executing the illegal instruction word 0x00000000\n");
    /* fault_insn: the faulting instruction, whose address the board must report. */
    __asm__ volatile(".globl fault_insn\n.type fault_insn, @function\nfault_insn:\n" "    .word 0x00000000");
    printf("fault_illegal: ERROR, still running after the illegal instruction\n");
    return 1;
}
