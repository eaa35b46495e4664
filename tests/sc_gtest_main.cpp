// Entry point for test binaries that link SystemC: libsystemc's main() calls
// sc_main(), so GoogleTest runs from there.
#include <gtest/gtest.h>

extern "C" int sc_main(int argc, char** argv) {
    testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
