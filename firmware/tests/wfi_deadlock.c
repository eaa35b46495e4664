/* wfi_deadlock: interrupts enabled with nothing that can raise one (no device
 * interrupt enabled), then wfi: the board must report the deadlock. */
#include <stdio.h>

#include "mind_board.h"

int main(void) {
    printf("wfi_deadlock: interrupts on, no source enabled, wfi\n");
    mind_irq_enable();
    mind_wfi();
    printf("wfi_deadlock: ERROR, wfi returned\n");
    return 1;
}
