/* gdb_target: for the GDB tests. A watched variable, the firmware's own ebreak
 * (SIGTRAP under GDB: resumed past it), then a fault GDB resumes after fixing pc. */
#include <stdint.h>
#include <stdio.h>

volatile uint32_t counter;

int main(void) {
    for (int i = 0; i < 3; ++i) counter += 5;
    __asm__ volatile(".globl at_ebreak\n.type at_ebreak, @function\nat_ebreak:\n ebreak");
    printf("after ebreak, counter %lu\n", (unsigned long)counter);
    __asm__ volatile("csrw mtvec, zero\n li a1, 0x10000000\n"
                     ".globl at_fault\n.type at_fault, @function\nat_fault:\n lw a0, 0(a1)" ::: "a0", "a1");
    printf("after the fault\n");
    return 7;
}
