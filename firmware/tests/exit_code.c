/* exit_code: ends through exit(42), i.e. picolibc's exit -> _exit -> SYSCTRL EXIT. */
#include <stdio.h>
#include <stdlib.h>

int main(void) {
    printf("exit_code: calling exit(42)\n");
    exit(42);
}
