/* fault_store_after_load: a load through a4 from SRAM, then a4 := 0x1000_0000,
 * then a store through a5 = 0x1000_0000. The fault is the store: the load's
 * base register now holds the address too, but a load is not a store. */
#include <stdint.h>
#include <stdio.h>

static volatile uint32_t cell;

int main(void) {
    printf("fault_store_after_load: a store to 0x10000000 after a load through the same register\n");
    __asm__ volatile("csrw mtvec, zero");  /* no trap handler: the board reports the fault */
    __asm__ volatile("mv a4, %0\n"
                     "li a5, 0x10000000\n"
                     "lw a6, 0(a4)\n"
                     "li a4, 0x10000000\n"
                     ".globl fault_insn\n.type fault_insn, @function\nfault_insn:\n"
                     "sw a6, 0(a5)\n"
                     "lw a6, 0(a4)\n" ::"r"(&cell)
                     : "a4", "a5", "a6", "memory");
    printf("fault_store_after_load: ERROR, still running\n");
    return 1;
}
