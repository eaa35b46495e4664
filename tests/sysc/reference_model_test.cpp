#include "sysc/reference_model.h"

#include <gtest/gtest.h>

using namespace mind1024;

TEST(ReferenceModel, RejectsBadParameters) {
    ChipParams p;
    p.wbits = 17;
    EXPECT_THROW(ReferenceModel{p}, std::invalid_argument);
    p = {};
    p.lanes = 0;
    EXPECT_THROW(ReferenceModel{p}, std::invalid_argument);
    p = {};
    p.n_max = 0;
    EXPECT_THROW(ReferenceModel{p}, std::invalid_argument);
}

TEST(ReferenceModel, BadArgOnStart) {
    ChipParams p;
    p.n_max = 64;
    ReferenceModel m(p);
    m.set_n_active(65);
    EXPECT_THROW(m.start(), std::invalid_argument);
    m.set_n_active(0);
    EXPECT_THROW(m.step(), std::invalid_argument);
    m.set_n_active(64);
    m.set_max_sweeps(0);
    EXPECT_THROW(m.start(), std::invalid_argument);
    EXPECT_EQ(m.status().cycles, 0u);
    EXPECT_THROW(m.set_weight(64, 0, 1), std::out_of_range);
}
