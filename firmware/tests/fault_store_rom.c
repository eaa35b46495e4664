/* fault_store_rom: a 32-bit store to 0x0000_0100, inside ROM (CPU writes are bus errors). */
#include <stdint.h>
#include <stdio.h>

int main(void) {
    printf("fault_store_rom: storing to ROM at 0x00000100\n");
    /* fault_insn: the faulting instruction, whose address the board must report. */
    __asm__ volatile(".globl fault_insn\n.type fault_insn, @function\nfault_insn:\n" "    sw %0, 0(%1)" : : "r"(0xDEADBEEFu), "r"(0x100u) : "memory");
    printf("fault_store_rom: ERROR, the store to ROM went through\n");
    return 1;
}
