// MockTransport: a scripted Transport for driver unit tests, after OpenTitan's
// DIF tests over a mock MMIO. The test lists the accesses it expects, in
// order (a read and the value it returns, a write and the value it must
// carry, block transfers with their bytes, wait_idle, wait_ready); the first
// access that differs fails the test naming both accesses and its index, and
// throws so that the driver stops there. Expectations left over fail the test
// when the mock is destroyed (or at verify()).
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>
#include <deque>
#include <exception>
#include <optional>
#include <stdexcept>
#include <string>
#include <typeinfo>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "host/board/transport.h"
#include "mind1024_board.h"
#include "mind1024_regs.h"

namespace mind1024::host::test {

// Thrown at the first unexpected access. Not a BoardError, so no driver's
// catch of BoardError can mistake it for a board failure.
struct UnexpectedAccess : std::logic_error {
    using std::logic_error::logic_error;
};

// "0x40000010 (chip CTRL)", "0x50000008 (HOSTIF ARG[1])", "0x50010040 (HOSTIF_BUF+0x40)".
inline std::string describe_address(uint32_t addr) {
    std::string reg;
    auto in_table = [&](const char* block, uint32_t base, const char* name, uint32_t off, uint32_t count,
                        uint32_t stride) {
        if (!reg.empty() || addr < base + off || addr >= base + off + count * stride) return;
        const uint32_t k = (addr - base - off) / stride;
        if ((addr - base - off) % stride) return;
        reg = count > 1 ? fmt::format("{} {}[{}]", block, name, k) : fmt::format("{} {}", block, name);
    };
#define MIND_MOCK_CHIP_REG(name, off, access, count, stride) \
    in_table("chip", MIND_CHIP_BASE, #name, off, count, stride);
#define MIND_MOCK_HOSTIF_REG(name, off, access, count, stride) \
    in_table("HOSTIF", MIND_HOSTIF_BASE, #name, off, count, stride);
    MIND_REGISTER_TABLE(MIND_MOCK_CHIP_REG)
    MIND_HOSTIF_REGISTER_TABLE(MIND_MOCK_HOSTIF_REG)
#undef MIND_MOCK_CHIP_REG
#undef MIND_MOCK_HOSTIF_REG
#define MIND_MOCK_REGION(name, base, size, kind, latency) \
    if (reg.empty() && static_cast<uint32_t>(addr - base) < size) reg = fmt::format("{}+0x{:X}", #name, addr - base);
    MIND_BOARD_REGION_TABLE(MIND_MOCK_REGION)
#undef MIND_MOCK_REGION
    return reg.empty() ? fmt::format("0x{:08X}", addr) : fmt::format("0x{:08X} ({})", addr, reg);
}

// The CONFIG register a chip of these parameters reads.
// A small chip whose parameters differ from the defaults, for the driver tests.
inline ChipParams small_params() {
    ChipParams p;
    p.n_max = 96;
    p.wbits = 6;
    p.abits = 12;
    p.lanes = 8;
    return p;
}

inline uint32_t config_word(const ChipParams& p) {
    return (p.n_max << MIND_CONFIG_N_MAX_SHIFT & MIND_CONFIG_N_MAX_MASK) |
           (p.wbits << MIND_CONFIG_WBITS_SHIFT & MIND_CONFIG_WBITS_MASK) |
           (p.abits << MIND_CONFIG_ABITS_SHIFT & MIND_CONFIG_ABITS_MASK) |
           (p.lanes << MIND_CONFIG_LANES_SHIFT & MIND_CONFIG_LANES_MASK);
}

// `fn` throws exactly E (not a subclass, not a base) with `part` in its message.
template <class E, class Fn>
void expect_exactly(Fn&& fn, const std::string& part) {
    try {
        fn();
        ADD_FAILURE() << "no exception; expected " << typeid(E).name() << " with \"" << part << "\"";
    } catch (const std::exception& e) {
        EXPECT_EQ(typeid(e), typeid(E)) << "threw " << typeid(e).name() << ": " << e.what();
        EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
    }
}

class MockTransport : public Transport {
public:
    enum class Kind { Read32, Write32, ReadBlock, WriteBlock, WaitIdle, WaitReady };

    explicit MockTransport(const ChipParams& p = {}, std::string name = "mock") : params_(p), name_(std::move(name)) {}
    MockTransport(const MockTransport&) = delete;
    MockTransport& operator=(const MockTransport&) = delete;
    ~MockTransport() override { verify(); }

    // ---- expectations, in the order the driver must make the accesses.
    // Board addresses (MIND_CHIP_BASE + MIND_REG_..., MIND_HOSTIF_..._ADDR).
    MockTransport& expect_read32(uint32_t addr, uint32_t value) { return add(Expectation(Kind::Read32, addr, value)); }
    MockTransport& expect_write32(uint32_t addr, uint32_t value) {
        return add(Expectation(Kind::Write32, addr, value));
    }
    MockTransport& expect_read_block(uint32_t addr, std::vector<uint8_t> bytes) {
        Expectation e{Kind::ReadBlock, addr};
        e.bytes = std::move(bytes);
        return add(std::move(e));
    }
    MockTransport& expect_write_block(uint32_t addr, std::vector<uint8_t> bytes) {
        Expectation e{Kind::WriteBlock, addr};
        e.bytes = std::move(bytes);
        return add(std::move(e));
    }
    // `advance_s`: simulated time that passes during the wait (now_seconds()).
    MockTransport& expect_wait_idle(double advance_s = 0) {
        Expectation e{Kind::WaitIdle};
        e.advance_s = advance_s;
        return add(std::move(e));
    }
    // `limit_s`: the limit the driver must pass (to 1e-9 relative); nullopt: any.
    MockTransport& expect_wait_ready(std::optional<double> limit_s, double advance_s = 0) {
        Expectation e{Kind::WaitReady};
        e.limit_s = limit_s;
        e.advance_s = advance_s;
        return add(std::move(e));
    }
    // Chip registers by offset (MIND_REG_...), as Board addresses them.
    MockTransport& expect_reg_read(uint32_t off, uint32_t value) { return expect_read32(MIND_CHIP_BASE + off, value); }
    MockTransport& expect_reg_write(uint32_t off, uint32_t value) {
        return expect_write32(MIND_CHIP_BASE + off, value);
    }
    // The last expectation, once matched, throws `e` instead of completing
    // (a BusError response, a wait_ready that times out).
    MockTransport& and_throw(std::exception_ptr e) {
        if (queue_.empty()) throw std::logic_error("MockTransport::and_throw with no expectation before it");
        queue_.back().error = std::move(e);
        return *this;
    }

    // Fails the test if expectations remain (once; the destructor calls it too).
    void verify() {
        if (failed_ || queue_.empty()) return;
        failed_ = true;
        std::string left;
        for (const Expectation& e : queue_) left += "\n  " + describe(e);
        ADD_FAILURE() << name_ << ": " << queue_.size() << " expected access(es) never made after " << index_
                      << " made; the next expected, #" << index_ << ", and the rest:" << left;
    }
    size_t accesses() const { return index_; }
    size_t remaining() const { return queue_.size(); }
    void set_now(double s) { now_ = s; }

    // ---- Transport
    uint32_t board_read32(uint32_t addr) override {
        Expectation e = next(Expectation(Kind::Read32, addr));
        return e.value;
    }
    void board_write32(uint32_t addr, uint32_t v) override { next(Expectation(Kind::Write32, addr, v)); }
    void board_read_block(uint32_t addr, void* dst, uint32_t bytes) override {
        Expectation a{Kind::ReadBlock, addr};
        a.bytes.resize(bytes);  // only the size is the driver's; the content is the mock's
        Expectation e = next(std::move(a));
        std::memcpy(dst, e.bytes.data(), bytes);
    }
    void board_write_block(uint32_t addr, const void* src, uint32_t bytes) override {
        Expectation a{Kind::WriteBlock, addr};
        a.bytes.assign(static_cast<const uint8_t*>(src), static_cast<const uint8_t*>(src) + bytes);
        next(std::move(a));
    }
    void wait_idle() override { next(Expectation(Kind::WaitIdle)); }
    void wait_ready(double limit_s) override {
        Expectation a{Kind::WaitReady};
        a.limit_s = limit_s;
        next(std::move(a));
    }
    double now_seconds() const override { return now_; }
    std::string name() const override { return name_; }
    ChipParams chip_params() const override { return params_; }

private:
    struct Expectation {
        explicit Expectation(Kind k, uint32_t a = 0, uint32_t v = 0) : kind(k), addr(a), value(v) {}
        Kind kind;
        uint32_t addr, value;
        std::vector<uint8_t> bytes;
        std::optional<double> limit_s;
        double advance_s = 0;
        std::exception_ptr error;
    };

    MockTransport& add(Expectation e) {
        queue_.push_back(std::move(e));
        return *this;
    }

    static std::string hex_bytes(const std::vector<uint8_t>& b, size_t from = 0, size_t max = 16) {
        std::string s;
        for (size_t i = from; i < b.size() && i < from + max; ++i)
            s += fmt::format("{}{:02X}", i > from ? " " : "", b[i]);
        if (b.size() > from + max) s += " ...";
        return s;
    }

    static std::string describe(const Expectation& e) {
        switch (e.kind) {
            case Kind::Read32: return fmt::format("read32 {}", describe_address(e.addr));
            case Kind::Write32: return fmt::format("write32 {} <- 0x{:08X}", describe_address(e.addr), e.value);
            case Kind::ReadBlock:
                return fmt::format("read_block {}, {} bytes", describe_address(e.addr), e.bytes.size());
            case Kind::WriteBlock:
                return fmt::format("write_block {}, {} bytes [{}]", describe_address(e.addr), e.bytes.size(),
                                   hex_bytes(e.bytes));
            case Kind::WaitIdle: return "wait_idle";
            case Kind::WaitReady:
                return e.limit_s ? fmt::format("wait_ready({} s)", *e.limit_s) : "wait_ready(any limit)";
        }
        return "?";
    }

    // Why `actual` does not match `want`; empty if it does.
    static std::string mismatch(const Expectation& want, const Expectation& actual) {
        if (want.kind != actual.kind || want.addr != actual.addr) return "another access";
        switch (want.kind) {
            case Kind::Write32: return want.value == actual.value ? "" : "another value";
            case Kind::ReadBlock: return want.bytes.size() == actual.bytes.size() ? "" : "another length";
            case Kind::WriteBlock: {
                if (want.bytes.size() != actual.bytes.size()) return "another length";
                for (size_t i = 0; i < want.bytes.size(); ++i)
                    if (want.bytes[i] != actual.bytes[i])
                        return fmt::format("byte {} differs: expected [{}], got [{}]", i, hex_bytes(want.bytes, i),
                                           hex_bytes(actual.bytes, i));
                return "";
            }
            case Kind::WaitReady:
                if (!want.limit_s) return "";
                return std::fabs(*want.limit_s - *actual.limit_s) <= 1e-9 * std::fabs(*want.limit_s) ? ""
                                                                                                     : "another limit";
            default: return "";
        }
    }

    Expectation next(Expectation actual) {
        const size_t i = index_++;
        if (failed_) throw UnexpectedAccess(fmt::format("{}: access #{} after a failed expectation", name_, i));
        std::string why;
        if (queue_.empty())
            why = "no more accesses were expected";
        else
            why = mismatch(queue_.front(), actual);
        if (!why.empty()) {
            failed_ = true;
            const std::string msg =
                fmt::format("{}: access #{}: expected {}\n  but got {}\n  ({})", name_, i,
                            queue_.empty() ? "nothing" : describe(queue_.front()), describe(actual), why);
            ADD_FAILURE() << msg;
            throw UnexpectedAccess(msg);
        }
        Expectation e = std::move(queue_.front());
        queue_.pop_front();
        now_ += e.advance_s;
        if (e.error) std::rethrow_exception(e.error);
        return e;
    }

    ChipParams params_;
    std::string name_;
    std::deque<Expectation> queue_;
    size_t index_ = 0;
    bool failed_ = false;
    double now_ = 0;
};

}  // namespace mind1024::host::test
