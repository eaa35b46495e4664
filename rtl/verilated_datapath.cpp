#include "rtl/verilated_datapath.h"

#include <stdexcept>
#include <string>

#include "Vnu_w8_a24_l16.h"
#include "rtl/neuron_unit_driver.h"

namespace mind1024::rtl {

struct VerilatedDatapath::Impl {
    Impl() : drv(kWbits, kAbits, kLanes) {}
    NeuronUnitDriver<Vnu_w8_a24_l16> drv;
};

VerilatedDatapath::VerilatedDatapath(const ChipParams& p) {
    if (p.wbits != kWbits || p.abits != kAbits || p.lanes != kLanes)
        throw std::invalid_argument("VerilatedDatapath: the verilated unit is WBITS 8, ABITS 24, LANES 16; chip has " +
                                    p.describe());
    impl_ = std::make_unique<Impl>();
}

VerilatedDatapath::~VerilatedDatapath() = default;

fx::Field VerilatedDatapath::field(const int16_t* row, const int8_t* sigma, uint32_t n, bool wrap) {
    const UnitResult r = impl_->drv.update(row, sigma, n, wrap);
    ++updates_;
    fx::Field f;
    f.h = r.h;
    f.overflows = r.ovf_count;
    return f;
}

uint64_t VerilatedDatapath::cycles() const { return impl_->drv.cycles(); }

}  // namespace mind1024::rtl
