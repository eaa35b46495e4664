/* fault_fetch: a jump to 0x3000_0000, where nothing is mapped (fetch fault). */
#include <stdint.h>
#include <stdio.h>

int main(void) {
    printf("fault_fetch: jumping to 0x30000000\n");
    void (*nowhere)(void) = (void (*)(void))(uintptr_t)0x30000000u;
    nowhere();
    printf("fault_fetch: ERROR, came back from 0x30000000\n");
    return 1;
}
