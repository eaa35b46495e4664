/* The firmware's headers (mind_board.h, mind_chip.h, mind_bus.h) and the chip
 * driver itself compile as strict C99 (-std=c99 -pedantic -Werror, see
 * CMakeLists.txt); here mind_chip.c runs on a trivial mock bus: a probe of a
 * chip whose every register reads ID_VALUE fails cleanly on VERSION. */
#include <stdio.h>
#include <string.h>

#include "mind_board.h"
#include "mind_bus.h"
#include "mind_chip.h"

static unsigned accesses;

uint32_t mind_mock_read32(uint32_t addr) {
    (void)addr;
    ++accesses;
    return MIND_ID_VALUE;
}
void mind_mock_write32(uint32_t addr, uint32_t value) {
    (void)addr;
    (void)value;
    ++accesses;
}
uint16_t mind_mock_read16(uint32_t addr) {
    (void)addr;
    ++accesses;
    return 0;
}
void mind_mock_write16(uint32_t addr, uint16_t value) {
    (void)addr;
    (void)value;
    ++accesses;
}
void mind_mock_wfi(void) {}

int main(void) {
    mind_chip_t chip;
    mind_counters_t counters;
    mind_irq_handler_t handler = 0;
    const int r = mind_chip_probe_board(&chip);
    (void)handler;
    (void)counters;
    if (r != MIND_E_VERSION || accesses != 2u || strcmp(mind_result_name(r), "MIND_E_VERSION") != 0) {
        printf("unexpected: probe %s after %u accesses\n", mind_result_name(r), accesses);
        return 1;
    }
    if (MIND_MCAUSE_EXTERNAL != 0x8000000Bu || MIND_EXIT_UNEXPECTED_TRAP == 0) return 1;
    return 0;
}
