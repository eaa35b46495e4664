/* fault_store_rom: a 32-bit store to 0x0000_0100, inside ROM (CPU writes are bus errors). */
#include <stdint.h>
#include <stdio.h>

int main(void) {
    printf("fault_store_rom: storing to ROM at 0x00000100\n");
    *(volatile uint32_t *)0x100u = 0xDEADBEEFu;
    printf("fault_store_rom: ERROR, the store to ROM went through\n");
    return 1;
}
