// Empty: the source of the precompiled-header donor targets (tests/CMakeLists.txt).
