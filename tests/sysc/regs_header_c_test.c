/* The generated register header must be plain C: this file is compiled as
   strict C99 with -Wall -Werror -pedantic and checks a few values against the
   contract's table (section 2), as firmware would use them. */
#include "mind1024_regs.h"

#define CHECK(c) do { if (!(c)) return __LINE__; } while (0)

int main(void) {
    CHECK(MIND_REG_ID == 0x000u && MIND_ID_VALUE == 0x4D494E44u);
    CHECK(MIND_REG_CTRL == 0x010u && MIND_CTRL_START == 1u && MIND_CTRL_CLEAR_SYN == 0x20u);
    CHECK(MIND_REG_STATUS == 0x014u && MIND_STATUS_ERR_CODE_SHIFT == 8u && MIND_STATUS_ERR_CODE_MASK == 0xFF00u);
    CHECK(MIND_REG_IRQ_STATUS == 0x01Cu && MIND_REG_SEED == 0x030u && MIND_REG_OVF_COUNT == 0x050u);
    CHECK(MIND_REG_SYN_DATA == 0x064u && MIND_REG_FIELD_DATA == 0x074u);
    CHECK(MIND_REG_STATE(0) == 0x100u && MIND_REG_STATE(31) == 0x17Cu && MIND_REG_STATE_COUNT == 32u);
    CHECK(MIND_REG_CLAMP(0) == 0x180u && MIND_REG_CLAMP(31) == 0x1FCu);
    CHECK(MIND_CONFIG_LANES_SHIFT == 24u && MIND_CONFIG_ABITS_SHIFT == 18u && MIND_CONFIG_WBITS_SHIFT == 13u);
    CHECK(MIND_SYN_WINDOW_OFFSET == 0x00100000u && MIND_ERR_BUSY == 1u && MIND_ERR_BAD_ARG == 2u);
    CHECK(MIND_MODE_OVF_WRAP == 4u && MIND_MODE_NOISE_EN == 8u && MIND_ORDER_ASYNC_PERM == 2u);
    return 0;
}
