// AddressSanitizer and SystemC's coroutines (linked only into ASan builds made
// with GCC, whose ASan runtime is a shared library: sysc/CMakeLists.txt).
//
// Debian's libsystemc 2.3.4 tells ASan about its QuickThreads stack switches
// through weak references to __sanitizer_start_switch_fiber and
// __sanitizer_finish_switch_fiber, but when it switches back to the main
// coroutine (sc_start's own stack) it passes no stack (bottom 0, size 0): it
// never learnt the main stack's bounds. ASan then believes the main thread's
// stack is empty (or is the last coroutine's), so every exception thrown after
// sc_start has run ends in "ASan is ignoring requested __asan_handle_no_return"
// and the poison of the frames it unwinds stays behind, giving false
// stack-use-after-scope reports later (and LeakSanitizer loses the main stack).
//
// It also leaves one switch unannotated: when an SC_THREAD ends (returns, or an
// exception leaves it), QuickThreads jumps back to the kernel on the main stack
// without telling ASan, which goes on believing it runs on the dead thread's
// stack; the exception SystemC then rethrows out of sc_start() is the one that
// ends in the ASan abort.
//
// These definitions take the place of ASan's for libsystemc (the executable is
// searched before the shared runtime): they record the main stack's bounds the
// first time SystemC leaves it (what finish_switch_fiber reports), pass them
// where SystemC passes none, and forward to ASan's own functions.
// __asan_handle_no_return (what instrumented code calls before a throw),
// __cxa_throw and __cxa_rethrow (searched in the executable first by every
// library too) re-announce the main stack to ASan when the throw happens on it,
// then go on to ASan's own, which unpoisons the frames the exception unwinds.
#if defined(__SANITIZE_ADDRESS__)  // GCC
#define MIND1024_ASAN_FIBER_FIX 1
#elif defined(__has_feature)  // clang (with -shared-libsan: a static runtime defines these itself)
#if __has_feature(address_sanitizer)
#define MIND1024_ASAN_FIBER_FIX 1
#endif
#endif
#if MIND1024_ASAN_FIBER_FIX
#include <dlfcn.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <typeinfo>

namespace {

using StartFn = void (*)(void**, const void*, size_t);
using FinishFn = void (*)(void*, const void**, size_t*);

const void* g_main_bottom = nullptr;
size_t g_main_size = 0;
bool g_leaving_main = true;  // the first switch leaves the main stack

// MIND1024_ASAN_FIBER_FIX=0: pass everything through unchanged (to see the problem).
bool enabled() {
    static const bool on = [] {
        const char* e = std::getenv("MIND1024_ASAN_FIBER_FIX");
        return !(e && e[0] == '0');
    }();
    return on;
}

template <typename F>
F real(const char* name) {
    static_assert(sizeof(F) == sizeof(void*));
    void* p = dlsym(RTLD_NEXT, name);
    if (!p) {
        std::fprintf(stderr, "asan_fiber_fix: %s not found in the ASan runtime\n", name);
        std::abort();
    }
    return reinterpret_cast<F>(p);
}

StartFn real_start() {
    static const StartFn f = real<StartFn>("__sanitizer_start_switch_fiber");
    return f;
}
FinishFn real_finish() {
    static const FinishFn f = real<FinishFn>("__sanitizer_finish_switch_fiber");
    return f;
}

// On the main stack: make sure ASan knows it (a switch from the main stack to itself).
void announce_main_stack() {
    if (!enabled() || !g_main_size) return;  // SystemC has not switched yet: ASan's own bounds hold
    const auto sp = reinterpret_cast<uintptr_t>(__builtin_frame_address(0));
    const auto lo = reinterpret_cast<uintptr_t>(g_main_bottom);
    if (sp < lo || sp >= lo + g_main_size) return;  // on a coroutine: annotated switches keep ASan right
    void* fake = nullptr;
    real_start()(&fake, g_main_bottom, g_main_size);
    real_finish()(fake, nullptr, nullptr);
}

}  // namespace

extern "C" void __sanitizer_start_switch_fiber(void** fake_stack_save, const void* bottom, size_t size) {
    const StartFn start = real_start();
    if (enabled() && !bottom && !size && g_main_size) {  // back to the main coroutine
        bottom = g_main_bottom;
        size = g_main_size;
    }
    start(fake_stack_save, bottom, size);
}

extern "C" void __sanitizer_finish_switch_fiber(void* fake_stack_save, const void** old_bottom, size_t* old_size) {
    const FinishFn finish = real_finish();
    const void* b = nullptr;
    size_t s = 0;
    finish(fake_stack_save, &b, &s);
    if (g_leaving_main && s) {  // the stack we came from is the main one
        g_main_bottom = b;
        g_main_size = s;
        g_leaving_main = false;
    }
    if (old_bottom) *old_bottom = b;
    if (old_size) *old_size = s;
}

// What GCC's instrumentation calls before every noreturn call (a throw among them).
extern "C" void __asan_handle_no_return() {
    using Fn = void (*)();
    static const Fn next = real<Fn>("__asan_handle_no_return");
    announce_main_stack();
    next();
}

extern "C" [[noreturn]] void __cxa_throw(void* obj, std::type_info* type, void (*dtor)(void*)) {
    using Fn = void (*)(void*, std::type_info*, void (*)(void*));
    static const Fn next = real<Fn>("__cxa_throw");
    announce_main_stack();
    next(obj, type, dtor);
    __builtin_unreachable();
}

extern "C" [[noreturn]] void __cxa_rethrow() {
    using Fn = void (*)();
    static const Fn next = real<Fn>("__cxa_rethrow");
    announce_main_stack();
    next();
    __builtin_unreachable();
}
#endif
