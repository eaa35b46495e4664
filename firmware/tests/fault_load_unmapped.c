/* fault_load_unmapped: a 32-bit load from 0x1000_0000, outside every region. */
#include <stdint.h>
#include <stdio.h>

int main(void) {
    printf("fault_load_unmapped: loading from 0x10000000\n");
    const uint32_t v = *(volatile uint32_t *)0x10000000u;
    printf("fault_load_unmapped: ERROR, the load returned 0x%08x\n", (unsigned)v);
    return 1;
}
