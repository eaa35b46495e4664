/* ecall: an environment call; exceptions do not trap into the firmware, the
 * board stops with a report. */
#include <stdio.h>

int main(void) {
    printf("ecall: executing ecall\n");
    /* fault_insn: the faulting instruction, whose address the board must report. */
    __asm__ volatile(".globl fault_insn\n.type fault_insn, @function\nfault_insn:\n" "    ecall");
    printf("ecall: ERROR, still running after ecall\n");
    return 1;
}
