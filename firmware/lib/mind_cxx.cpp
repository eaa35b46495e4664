// mind_cxx.cpp: what freestanding C++ firmware needs from a library, since
// Debian's cross toolchain has no libstdc++ for the board: operator new and
// delete on picolibc's malloc, and the pure-virtual-call handler. mind-cc adds
// it when it builds C++ sources.
#include <stddef.h>
#include <stdlib.h>

#include "mind_board.h"

void* operator new(size_t n) {
    void* p = malloc(n ? n : 1);
    if (!p) mind_exit(MIND_EXIT_UNEXPECTED_TRAP);  // no exceptions: out of memory ends the program
    return p;
}
void* operator new[](size_t n) { return operator new(n); }
void operator delete(void* p) noexcept { free(p); }
void operator delete[](void* p) noexcept { free(p); }
void operator delete(void* p, size_t) noexcept { free(p); }
void operator delete[](void* p, size_t) noexcept { free(p); }

extern "C" void __cxa_pure_virtual() { mind_exit(MIND_EXIT_UNEXPECTED_TRAP); }
