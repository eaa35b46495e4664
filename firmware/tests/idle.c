/* idle: a board that waits for the host. It enables the host interface's
 * doorbell interrupt and sleeps in wfi forever, so the board keeps running
 * while a host drives the chip in bare mode over the host port (the link
 * server's tests). Each doorbell gets a trivial answer, so a host can check
 * the mailbox round trip: RESP = CMD, RESULT[0] = ARG[0] + 1, then READY = 1. */
#include <stdio.h>

#include "mind1024_board.h"
#include "mind_board.h"
#include "mind_bus.h"

static void on_doorbell(void) {
    if (!(mind_read32(MIND_HOSTIF_IRQ_STATUS_ADDR) & MIND_HOSTIF_IRQ_STATUS_DOORBELL)) return;
    mind_write32(MIND_HOSTIF_IRQ_STATUS_ADDR, MIND_HOSTIF_IRQ_STATUS_DOORBELL); /* RW1C */
    mind_write32(MIND_HOSTIF_RESULT_ADDR(0), mind_read32(MIND_HOSTIF_ARG_ADDR(0)) + 1u);
    mind_write32(MIND_HOSTIF_RESP_ADDR, mind_read32(MIND_HOSTIF_CMD_ADDR));
    mind_write32(MIND_HOSTIF_READY_ADDR, 1u);
}

int main(void) {
    printf("idle: waiting for the host\n");
    mind_irq_set_handler(on_doorbell);
    mind_write32(MIND_HOSTIF_IRQ_EN_ADDR, MIND_HOSTIF_IRQ_EN_DOORBELL);
    mind_irq_enable();
    for (;;) mind_wfi();
}
