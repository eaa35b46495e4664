/* loop_forever: never ends; for the board's instruction / time limits. */
#include <stdio.h>

int main(void) {
    printf("loop_forever: looping forever\n");
    for (;;) __asm__ volatile("");
}
