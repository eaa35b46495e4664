// Test bench for the SystemC chip: one Mind1024Chip, an initiator bound to its
// register socket and synapse window, and an sc_signal on its IRQ port.
//
// The host-in-process style: the test calls b_transport from outside the
// simulation, between sc_start() calls. Bus time (2 cycles per register access,
// 1 per synapse-window word) accumulates as "pending" and is simulated before
// every CTRL write and before waiting, so a command starts at the bus's notion
// of now. idle() runs sc_start() until the engine has nothing left to do (it
// waits on its command event, so the kernel starves and returns).
//
// SystemC elaborates once per process: shared_bus() hands out one chip per
// process (tests reset it with SOFT_RESET + CLEAR_SYN), and in_child_process()
// runs a body in a forked child so that a test needing other chip parameters
// gets a fresh kernel whether the binary runs whole or one case at a time.
#pragma once
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <systemc>
#include <tlm>

#include "sysc/chip.h"
#include "mind1024_regs.h"
#include "sysc/reference_model.h"
#include "tests/support/tlm_initiator.h"

namespace mind1024::test {

// Whether this process has elaborated a chip (then it cannot fork a fresh kernel).
inline bool& chip_elaborated() {
    static bool b = false;
    return b;
}

class Bus {
public:
    // vcd_base: if given, a VCD trace of the chip goes to vcd_base + ".vcd" (close_trace() ends it).
    explicit Bus(const ChipParams& p, const sysc::ChipConfig& opt = {}, const char* vcd_base = nullptr)
        : chip("chip", p, opt), host("host"), irq("irq_line") {
        chip_elaborated() = true;
        host.bind_chip(chip);
        chip.irq.bind(irq);
        if (vcd_base) {
            vcd_ = sc_core::sc_create_vcd_trace_file(vcd_base);
            vcd_->set_time_unit(1, sc_core::SC_NS);
            chip.trace(vcd_);
        }
        sc_core::sc_report_handler::set_actions("/IEEE_Std_1666/deprecated", sc_core::SC_DO_NOTHING);
        sc_core::sc_report_handler::set_actions("no activity or clock movement for sc_start() invocation",
                                                sc_core::SC_DO_NOTHING);
        sc_core::sc_start(sc_core::SC_ZERO_TIME);  // end elaboration
    }

    sysc::Mind1024Chip chip;
    TlmInitiator host;
    sc_core::sc_signal<bool> irq;

    ~Bus() { close_trace(); }
    void close_trace() {
        if (vcd_) sc_core::sc_close_vcd_trace_file(vcd_);
        vcd_ = nullptr;
    }

    const ChipParams& params() const { return chip.params(); }
    sc_core::sc_time period() const { return chip.clock_period(); }
    sc_core::sc_time now() const { return sc_core::sc_time_stamp(); }
    // Bus time spent by all accesses so far (simulated or pending).
    sc_core::sc_time bus_time() const { return bus_total_; }
    uint64_t accesses() const { return accesses_; }

    // ---- raw access: returns the TLM response, never throws
    tlm::tlm_response_status raw(bool window, tlm::tlm_command cmd, uint64_t addr, void* data, unsigned len,
                                 unsigned char* be = nullptr, unsigned be_len = 0, unsigned streaming = 0) {
        sc_core::sc_time d = sc_core::SC_ZERO_TIME;
        const tlm::tlm_response_status r =
            transfer(window ? host.syn : host.reg, cmd, addr, data, len, d, be, be_len, streaming);
        pending_ += d;
        bus_total_ += d;
        ++accesses_;
        return r;
    }
    tlm::tlm_response_status reg_read(uint64_t off, uint32_t& v) {
        return raw(false, tlm::TLM_READ_COMMAND, off, &v, 4);
    }
    tlm::tlm_response_status reg_write(uint64_t off, uint32_t v) {
        if (off == MIND_REG_CTRL) sync();
        return raw(false, tlm::TLM_WRITE_COMMAND, off, &v, 4);
    }

    // ---- checked register access (throws on an error response)
    uint32_t rd(uint32_t off) {
        uint32_t v = 0;
        check_response(reg_read(off, v), tlm::TLM_READ_COMMAND, off, 4);
        return v;
    }
    void wr(uint32_t off, uint32_t v) { check_response(reg_write(off, v), tlm::TLM_WRITE_COMMAND, off, 4); }
    void ctrl(uint32_t bits) { wr(MIND_REG_CTRL, bits); }

    // ---- synapse window
    void syn_write(uint64_t byte_off, const void* src, unsigned len) {
        check_response(raw(true, tlm::TLM_WRITE_COMMAND, byte_off, const_cast<void*>(src), len), tlm::TLM_WRITE_COMMAND,
                       byte_off, len);
    }
    void syn_read(uint64_t byte_off, void* dst, unsigned len) {
        check_response(raw(true, tlm::TLM_READ_COMMAND, byte_off, dst, len), tlm::TLM_READ_COMMAND, byte_off, len);
    }

    // ---- time
    // Simulate the pending bus time.
    void sync() {
        if (pending_ > sc_core::SC_ZERO_TIME) {
            sc_core::sc_start(pending_);
            pending_ = sc_core::SC_ZERO_TIME;
        }
    }
    // Run until the engine idles (the kernel starves).
    void idle() {
        sync();
        sc_core::sc_start();
    }
    // Let `cycles` clock periods pass.
    void advance(uint64_t cycles) {
        sync();
        sc_core::sc_start(static_cast<double>(cycles) * period());
    }
    void advance_to(const sc_core::sc_time& t) {
        sync();
        if (t > now()) sc_core::sc_start(t - now());
    }

    // ---- composite operations
    // START/STEP/HEBB/CLEAR_SYN and wait for the end.
    void run(uint32_t ctrl_bits) {
        ctrl(ctrl_bits);
        idle();
    }
    // Back to reset values, synapses and thresholds zero (a clean chip for the next test).
    void reset_all() {
        idle();
        ctrl(MIND_CTRL_SOFT_RESET);
        idle();
        ctrl(MIND_CTRL_CLEAR_SYN);
        idle();
        const uint32_t n = params().n_max;
        wr(MIND_REG_THR_ADDR, 0);
        for (uint32_t i = 0; i < n; ++i) wr(MIND_REG_THR_DATA, 0);
        ctrl(MIND_CTRL_SOFT_RESET);
        idle();
    }
    uint64_t cycles() {
        const uint64_t lo = rd(MIND_REG_CYCLES_LO);
        return lo | (uint64_t{rd(MIND_REG_CYCLES_HI)} << 32);
    }
    uint32_t status() { return rd(MIND_REG_STATUS); }
    uint32_t err_code() { return (status() & MIND_STATUS_ERR_CODE_MASK) >> MIND_STATUS_ERR_CODE_SHIFT; }

    // Neuron arrays through STATE/CLAMP (first min(N_MAX, 1024) neurons).
    uint32_t reg_neurons() const { return std::min<uint32_t>(params().n_max, 32 * MIND_REG_STATE_COUNT); }
    void write_bits(uint32_t base_reg, const std::vector<bool>& bits) {
        for (uint32_t k = 0; k * 32 < reg_neurons(); ++k) {
            uint32_t w = 0;
            for (uint32_t b = 0; b < 32 && 32 * k + b < bits.size(); ++b) w |= uint32_t{bits[32 * k + b]} << b;
            wr(base_reg + 4 * k, w);
        }
    }
    std::vector<bool> read_bits(uint32_t base_reg) {
        std::vector<bool> out(reg_neurons());
        for (uint32_t k = 0; k * 32 < reg_neurons(); ++k) {
            const uint32_t w = rd(base_reg + 4 * k);
            for (uint32_t b = 0; b < 32 && 32 * k + b < out.size(); ++b) out[32 * k + b] = (w >> b) & 1u;
        }
        return out;
    }
    std::vector<int8_t> read_state() {
        const std::vector<bool> b = read_bits(MIND_REG_STATE(0));
        std::vector<int8_t> s(b.size());
        for (size_t i = 0; i < b.size(); ++i) s[i] = b[i] ? 1 : -1;
        return s;
    }
    void write_state(const std::vector<int8_t>& s) {
        std::vector<bool> b(s.size());
        for (size_t i = 0; i < s.size(); ++i) b[i] = s[i] > 0;
        write_bits(MIND_REG_STATE(0), b);
    }
    std::vector<int32_t> read_fields(uint32_t n) {
        wr(MIND_REG_FIELD_ADDR, 0);
        std::vector<int32_t> f(n);
        for (uint32_t i = 0; i < n; ++i) f[i] = static_cast<int32_t>(rd(MIND_REG_FIELD_DATA));
        return f;
    }
    void write_thresholds(const std::vector<int32_t>& t) {
        wr(MIND_REG_THR_ADDR, 0);
        for (int32_t v : t) wr(MIND_REG_THR_DATA, static_cast<uint32_t>(v));
    }
    // Row i of J through the synapse window, one burst (an extension: the contract
    // names 16/32-bit accesses; the model also serves longer 4-byte-multiple bursts).
    void write_row(uint32_t i, const std::vector<int16_t>& row) {
        const uint64_t base = uint64_t{i} * params().n_max * 2;
        const size_t even = row.size() & ~size_t{1};  // whole words as one burst, a tail as 16 bits
        if (even) syn_write(base, row.data(), static_cast<unsigned>(even * 2));
        if (even < row.size()) syn_write(base + even * 2, &row[even], 2);
    }
    std::vector<int16_t> read_row(uint32_t i, uint32_t n) {
        std::vector<int16_t> row(n);
        const uint64_t base = uint64_t{i} * params().n_max * 2;
        const size_t even = n & ~1u;
        if (even) syn_read(base, row.data(), static_cast<unsigned>(even * 2));
        if (even < n) syn_read(base + even * 2, &row[even], 2);
        return row;
    }

private:
    sc_core::sc_trace_file* vcd_ = nullptr;
    sc_core::sc_time pending_ = sc_core::SC_ZERO_TIME, bus_total_ = sc_core::SC_ZERO_TIME;
    uint64_t accesses_ = 0;
};

// The one chip of this process (default: the contract's default parameters).
// A second call with other parameters throws: SystemC cannot elaborate twice.
inline Bus& shared_bus(const ChipParams& p = {}, const sysc::ChipConfig& opt = {}) {
    static std::unique_ptr<Bus> bus;
    static ChipParams made;
    if (!bus) {
        bus = std::make_unique<Bus>(p, opt);
        made = p;
    } else if (made.n_max != p.n_max || made.wbits != p.wbits || made.abits != p.abits ||
               made.lanes != p.lanes || made.latency != p.latency || made.clock_hz != p.clock_hz) {
        throw std::logic_error("shared_bus: this process already elaborated a chip with other parameters");
    }
    return *bus;
}

// Runs `body` in a forked child process with a fresh SystemC kernel; the child's
// gtest failures print there and fail the test here through its exit status.
// The parent must not have elaborated a chip itself.
inline void in_child_process(const std::function<void()>& body) {
    ASSERT_FALSE(chip_elaborated()) << "in_child_process needs a parent that has not elaborated SystemC";
    std::fflush(nullptr);
    const pid_t pid = fork();
    ASSERT_GE(pid, 0) << "fork failed: " << std::strerror(errno);
    if (pid == 0) {
        int rc = 0;
        try {
            body();
            rc = testing::Test::HasFailure() ? 1 : 0;
        } catch (const std::exception& e) {
            std::fprintf(stderr, "child: uncaught exception: %s\n", e.what());
            rc = 2;
        } catch (...) {
            rc = 2;
        }
        std::fflush(nullptr);
        _exit(rc);
    }
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status)) << "child process died (signal " << (WIFSIGNALED(status) ? WTERMSIG(status) : 0)
                                   << ")";
    EXPECT_EQ(WEXITSTATUS(status), 0) << "the child process reported failures (see above)";
}

}  // namespace mind1024::test
