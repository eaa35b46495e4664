/* fault_reused_base: issue 20's wrong pc. A store to SRAM through a4, then a4
 * := 0x1000_0000, then a load through a5 = 0x1000_0000: the faulting
 * instruction is the load, not the store whose base now holds the address. */
#include <stdint.h>
#include <stdio.h>

static volatile uint32_t cell;

int main(void) {
    printf("fault_reused_base: a load from 0x10000000 after a store through the same register\n");
    /* No trap handler: the board reports the fault itself. */
    __asm__ volatile("csrw mtvec, zero");
    __asm__ volatile("mv a4, %0\n"
                     "li a5, 0x10000000\n"
                     "sw zero, 0(a4)\n"
                     "li a4, 0x10000000\n"
                     ".globl fault_insn\n.type fault_insn, @function\nfault_insn:\n"
                     "lw a6, 0(a5)\n" ::"r"(&cell)
                     : "a4", "a5", "a6", "memory");
    printf("fault_reused_base: ERROR, still running\n");
    return 1;
}
