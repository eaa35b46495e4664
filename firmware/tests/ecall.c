/* ecall: an environment call; exceptions do not trap into the firmware, the
 * board stops with a report. */
#include <stdio.h>

int main(void) {
    printf("ecall: executing ecall\n");
    __asm__ volatile("ecall");
    printf("ecall: ERROR, still running after ecall\n");
    return 1;
}
