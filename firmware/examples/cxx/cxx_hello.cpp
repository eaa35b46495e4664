// cxx_hello: C++ firmware, freestanding (Debian's cross toolchain has no
// libstdc++): classes, virtual functions, templates, new/delete, global
// constructors and lambdas work; exceptions, RTTI and the standard library's
// headers (<cstdio>, <vector>, <new>) do not - use the C headers.
//   firmware/mind-cc -o cxx_hello.elf firmware/examples/cxx/cxx_hello.cpp
#include <stdint.h>
#include <stdio.h>

#include "mind_board.h"

namespace {

struct Shape {
    virtual ~Shape() = default;
    virtual uint32_t area() const = 0;
};
struct Rect : Shape {
    uint32_t w, h;
    Rect(uint32_t w_, uint32_t h_) : w(w_), h(h_) {}
    uint32_t area() const override { return w * h; }
};

template <typename T, int N>
T sum(const T (&v)[N]) {
    T s{};
    for (const T& x : v) s += x;
    return s;
}

struct Boot {
    uint32_t at_us;
    Boot() : at_us(static_cast<uint32_t>(mind_timer_us())) {}  // run by crt0 before main
} boot;

}  // namespace

int main() {
    Shape* s = new Rect(6, 7);
    const int v[] = {1, 2, 3, 4};
    auto twice = [](int x) { return 2 * x; };
    printf("C++ on the board: area %lu, sum %d, lambda %d, constructed at %lu us\n", (unsigned long)s->area(),
           sum(v), twice(21), (unsigned long)boot.at_us);
    delete s;
    return 0;
}
