/* fault_load_unmapped: a 32-bit load from 0x1000_0000, outside every region. */
#include <stdint.h>
#include <stdio.h>

int main(void) {
    printf("fault_load_unmapped: loading from 0x10000000\n");
    uint32_t v;
    /* fault_insn: the faulting instruction, whose address the board must report. */
    __asm__ volatile(".globl fault_insn\n.type fault_insn, @function\nfault_insn:\n" "    lw %0, 0(%1)" : "=r"(v) : "r"(0x10000000u) : "memory");
    printf("fault_load_unmapped: ERROR, the load returned 0x%08x\n", (unsigned)v);
    return 1;
}
