/* fault_device_error: a write to the chip's read-only ID register; the chip
 * answers with a TLM error response, which the board reports as a fault. */
#include <stdint.h>
#include <stdio.h>

#include "mind1024_board.h"
#include "mind1024_regs.h"

int main(void) {
    printf("fault_device_error: writing the read-only chip ID register at 0x%08x\n",
           (unsigned)(MIND_CHIP_BASE + MIND_REG_ID));
    *(volatile uint32_t *)(MIND_CHIP_BASE + MIND_REG_ID) = 0x12345678u;
    printf("fault_device_error: ERROR, the write to ID went through\n");
    return 1;
}
