/* hello: the smallest useful board program. Prints a greeting and what the
 * chip says about itself, then returns 0 (the board exits with code 0).
 *
 *   firmware/mind-cc -o hello.elf firmware/examples/hello/hello.c
 *   mind-board --firmware hello.elf
 */
#include <stdio.h>

#include "mind_board.h"
#include "mind_chip.h"

int main(void) {
    printf("Hello from the MIND 1024 board\n");

    mind_chip_t chip;
    const int r = mind_chip_probe_board(&chip); /* reads ID, VERSION, CONFIG */
    printf("chip at 0x%08x: ID 0x%08x, VERSION %u.%u\n", (unsigned)chip.base, (unsigned)chip.id,
           (unsigned)(chip.version >> 16), (unsigned)(chip.version & 0xFFFFu));
    if (r != MIND_OK) {
        printf("probe failed: %s\n", mind_result_name(r));
        return 1;
    }
    printf("CONFIG 0x%08x: N_MAX %u, WBITS %u, ABITS %u, LANES %u\n", (unsigned)chip.config, (unsigned)chip.n_max,
           (unsigned)chip.wbits, (unsigned)chip.abits, (unsigned)chip.lanes);
    printf("controller clock %u Hz, simulated time %u us\n", (unsigned)MIND_CPU_CLOCK_HZ, (unsigned)mind_timer_us());
    return 0;
}
