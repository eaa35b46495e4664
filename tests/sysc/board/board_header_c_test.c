/* The generated board header must be plain C and live beside the chip's
   header: this file includes both, is compiled as strict C99 with -Wall
   -Wextra -Werror -pedantic (a macro defined twice with different values
   would fail), and checks the contract's memory map (section 3) as firmware
   would use it. */
#include "mind1024_regs.h"
#include "mind1024_board.h"

#define CHECK(c) do { if (!(c)) return __LINE__; } while (0)

struct region { const char* name; unsigned long base, size; int kind; unsigned latency; };
#define ROW(n, b, s, k, l) {#n, b, s, k, l},
static const struct region regions[] = {MIND_BOARD_REGION_TABLE(ROW)};
#undef ROW

int main(void) {
    unsigned k;
    CHECK(sizeof regions / sizeof regions[0] == MIND_BOARD_REGION_COUNT && MIND_BOARD_REGION_COUNT == 10u);
    CHECK(MIND_ROM_BASE == 0x00000000u && MIND_ROM_SIZE == 0x40000u);
    CHECK(MIND_SRAM_BASE == 0x20000000u && MIND_SRAM_SIZE == 0x40000u);
    /* CLINT (contract 3.1): the SiFive layout. */
    CHECK(MIND_CLINT_BASE == 0x02000000u && MIND_CLINT_SIZE == 0x10000u && MIND_CLINT_MSIP_ADDR == 0x02000000u);
    CHECK(MIND_CLINT_MTIMECMP_LO_ADDR == 0x02004000u && MIND_CLINT_MTIMECMP_HI_ADDR == 0x02004004u);
    CHECK(MIND_CLINT_MTIME_LO_ADDR == 0x0200BFF8u && MIND_CLINT_MTIME_HI_ADDR == 0x0200BFFCu);
    CHECK(MIND_CHIP_BASE == 0x40000000u && MIND_CHIP_SIZE == 0x1000u);
    CHECK(MIND_CHIP_SYN_BASE == MIND_CHIP_BASE + MIND_SYN_WINDOW_OFFSET && MIND_CHIP_SYN_SIZE == 0x200000u);
    CHECK(MIND_HOSTIF_BASE == 0x50000000u && MIND_HOSTIF_BUF_BASE == 0x50010000u && MIND_HOSTIF_BUF_SIZE == 0x10000u);
    CHECK(MIND_UART_BASE == 0x51000000u && MIND_TIMER_BASE == 0x52000000u && MIND_SYSCTRL_BASE == 0x53000000u);
    CHECK(MIND_UART_DATA_ADDR == 0x51000000u && MIND_SYSCTRL_EXIT_ADDR == 0x53000000u);
    CHECK(MIND_HOSTIF_ARG_ADDR(2) == MIND_HOSTIF_BASE + MIND_HOSTIF_REG_ARG(2));
    CHECK(MIND_CPU_RESET_PC == 0u && MIND_CPU_CLOCK_HZ == 50000000u && MIND_STACK_SIZE == 0x2000u);
    CHECK(regions[0].kind == MIND_REGION_ROM && regions[2].kind == MIND_REGION_RAM);
    /* The chip's registers sit at CHIP_BASE. */
    CHECK(MIND_CHIP_BASE + MIND_REG_ID == 0x40000000u && MIND_CTRL_START == 1u);
    for (k = 0; k < MIND_BOARD_REGION_COUNT; ++k)
        CHECK(regions[k].base % MIND_BOARD_PAGE_SIZE == 0 && regions[k].size % MIND_BOARD_PAGE_SIZE == 0);
    return 0;
}
