// The MNIST slices the baseline tests train on (the first 2,000 training and
// 500 test images), loaded once per process; skips the test without MNIST.
#pragma once
#include <string>

#include <gtest/gtest.h>

#include "host/baselines/dataset.h"
#include "host/data/idx_reader.h"

namespace mind1024::test {

struct MnistSlice {
    host::MnistSet train, test;
};

// nullptr when there is no MNIST (then GTEST_SKIP in the caller).
inline const MnistSlice* mnist_slice() {
    static const MnistSlice* slice = [] () -> const MnistSlice* {
        try {
            const std::string dir = host::resolve_data_dir();
            static MnistSlice s{host::baselines::first_items(host::load_mnist_split(dir, host::Split::Train), 2000),
                                host::baselines::first_items(host::load_mnist_split(dir, host::Split::Test), 500)};
            return &s;
        } catch (const host::DataError&) {
            return nullptr;
        }
    }();
    return slice;
}

#define MIND1024_NEED_MNIST(var)                                                                  \
    const ::mind1024::test::MnistSlice* var = ::mind1024::test::mnist_slice();                   \
    if (!var) GTEST_SKIP() << "MNIST not found (scripts/setup.sh data fetches it, or set MIND1024_DATA)"

}  // namespace mind1024::test
