/* mind_bus.h: the one place where firmware touches the bus.
 *
 * On the board (RV32IM) these are volatile loads and stores of the given
 * width. Compiled with -DMIND_BUS_MOCK (host unit tests), each access calls a
 * function the test provides instead, so a driver written against this header
 * can be checked access by access on the host:
 *
 *   uint32_t mind_mock_read32(uint32_t addr);
 *   void     mind_mock_write32(uint32_t addr, uint32_t value);
 *   uint16_t mind_mock_read16(uint32_t addr);
 *   void     mind_mock_write16(uint32_t addr, uint16_t value);
 *   void     mind_mock_wfi(void);   stands for the wfi instruction: the test
 *                                   may "deliver" an interrupt from it
 *
 * Plain C99 (also usable from C++).
 */
#ifndef MIND_BUS_H
#define MIND_BUS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifdef MIND_BUS_MOCK

uint32_t mind_mock_read32(uint32_t addr);
void mind_mock_write32(uint32_t addr, uint32_t value);
uint16_t mind_mock_read16(uint32_t addr);
void mind_mock_write16(uint32_t addr, uint16_t value);
void mind_mock_wfi(void);

static inline uint32_t mind_read32(uint32_t addr) { return mind_mock_read32(addr); }
static inline void mind_write32(uint32_t addr, uint32_t value) { mind_mock_write32(addr, value); }
static inline uint16_t mind_read16(uint32_t addr) { return mind_mock_read16(addr); }
static inline void mind_write16(uint32_t addr, uint16_t value) { mind_mock_write16(addr, value); }
static inline void mind_bus_wfi(void) { mind_mock_wfi(); }

#else /* the board */

/* In mind_board.c: the race-free wfi (see mind_board.h). */
void mind_wfi(void);

static inline uint32_t mind_read32(uint32_t addr) { return *(volatile uint32_t *)(uintptr_t)addr; }
static inline void mind_write32(uint32_t addr, uint32_t value) { *(volatile uint32_t *)(uintptr_t)addr = value; }
static inline uint16_t mind_read16(uint32_t addr) { return *(volatile uint16_t *)(uintptr_t)addr; }
static inline void mind_write16(uint32_t addr, uint16_t value) { *(volatile uint16_t *)(uintptr_t)addr = value; }
static inline void mind_bus_wfi(void) { mind_wfi(); }

#endif

#ifdef __cplusplus
}
#endif

#endif /* MIND_BUS_H */
