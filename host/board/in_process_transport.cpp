#include "host/board/in_process_transport.h"

#include <chrono>
#include <systemc>
#include <tlm>

#include <cstdio>

#include <fmt/format.h>

#include "host/board/bare_driver.h"
#include "host/board/errors.h"
#include "mind1024_board.h"
#include "mind1024_regs.h"
#include "sysc/board/host_port_driver.h"
#include "sysc/board/platform.h"
#include "sysc/vcd_trace.h"

namespace mind1024::host {

namespace {
board::BoardConfig board_config(const ChipParams& p, const InProcessOptions& opt) {
    board::BoardConfig c;
    c.chip = p;
    c.chip_config = opt.chip;
    c.with_cpu = !opt.firmware_path.empty();
    if (c.with_cpu) {
        try {
            c.firmware = board::load_elf(opt.firmware_path, board::Mind1024Board::load_windows());
        } catch (const board::ElfError& e) {
            throw BadArgument(e.what());
        }
    }
    return c;
}

std::unique_ptr<sysc::VcdTrace> open_trace(const std::string& path) {
    if (path.empty()) return nullptr;
    try {
        return std::make_unique<sysc::VcdTrace>(path);
    } catch (const sysc::VcdError& e) {
        throw BadArgument(e.what());
    }
}
}  // namespace

struct InProcessTransport::Impl {
    Impl(const ChipParams& p, const InProcessOptions& opt)
        // The VCD path and the firmware are checked before anything is elaborated.
        : trace(open_trace(opt.vcd_path)), board("board", board_config(p, opt)), port(board) {
        if (trace) board.trace(trace->file());
    }
    std::unique_ptr<sysc::VcdTrace> trace;
    board::Mind1024Board board;
    board::HostPortDriver port;
};

namespace {
std::unique_ptr<InProcessTransport>& instance() {
    static std::unique_ptr<InProcessTransport> t;
    return t;
}
}  // namespace

InProcessTransport& InProcessTransport::open(const ChipParams& p, const InProcessOptions& opt) {
    auto& t = instance();
    if (t) {
        if (t->params_ != p)
            throw BoardError(fmt::format(
                "a board ({}) already exists in this process and SystemC cannot elaborate another ({}); "
                "use one board per process and soft_reset() between jobs",
                t->params_.describe(), p.describe()));
        t->chip().neuron_unit().set_datapath(opt.chip.datapath.get());
        t->datapath_ = opt.chip.datapath;
        t->set_faults(opt.chip.faults);
        return *t;
    }
    p.validate();
    t.reset(new InProcessTransport(p, opt));
    return *t;
}

std::unique_ptr<BareDriver> open_in_process_board(const ChipParams& p, const InProcessOptions& opt) {
    return std::make_unique<BareDriver>(InProcessTransport::open(p, opt));
}

InProcessTransport::InProcessTransport(const ChipParams& p, const InProcessOptions& opt)
    : impl_(std::make_unique<Impl>(p, opt)), params_(p) {
    sc_core::sc_report_handler::set_actions("/IEEE_Std_1666/deprecated", sc_core::SC_DO_NOTHING);
    // An idle board leaves sc_start() nothing to do; that is expected here.
    sc_core::sc_report_handler::set_actions("no activity or clock movement for sc_start() invocation",
                                            sc_core::SC_DO_NOTHING);
    sc_core::sc_start(sc_core::SC_ZERO_TIME);  // end elaboration
}

InProcessTransport::~InProcessTransport() = default;

void InProcessTransport::set_faults(const FaultPlan& plan) {
    check_usable();
    try {
        chip().set_faults(plan);
    } catch (const std::invalid_argument& e) {
        throw BadArgument(e.what());
    }
}

sysc::Mind1024Chip& InProcessTransport::chip() { return impl_->board.chip(); }
board::Mind1024Board& InProcessTransport::board() { return impl_->board; }

void InProcessTransport::finish_trace(bool complete) {
    auto& t = instance();
    if (!t || !t->impl_->trace) return;
    if (complete && t->broken_.empty()) {
        try {
            // SystemC writes a time step when time moves past it: let it, so the trace ends after the last change.
            t->impl_->port.advance(t->chip().clock_period());
        } catch (const std::exception&) {
            complete = false;
        }
    }
    const std::unique_ptr<sysc::VcdTrace> trace = std::move(t->impl_->trace);
    trace->finish(complete);  // a VcdError if the trace could not be written whole
}

void InProcessTransport::check_usable() const {
    if (!broken_.empty()) throw BoardError("the simulation stopped after an earlier error: " + broken_);
}

void InProcessTransport::fail(const std::string& what) {
    broken_ = what;
    throw BoardError(what);
}

void InProcessTransport::transact(bool write, uint32_t board_addr, void* data, uint32_t bytes) {
    check_usable();
    tlm::tlm_response_status r;
    try {
        r = impl_->port.access(write, board_addr, data, bytes);
    } catch (const sc_core::sc_report& e) {
        fail(fmt::format("SystemC stopped: {}", e.what()));
    }
    if (r != tlm::TLM_OK_RESPONSE) {
        tlm::tlm_generic_payload g;
        g.set_response_status(r);
        throw BusError(fmt::format("{} of {} bytes at board address 0x{:08X} failed: {}", write ? "write" : "read",
                                   bytes, board_addr, g.get_response_string()),
                       board_addr);
    }
}

uint32_t InProcessTransport::board_read32(uint32_t addr) {
    uint32_t v = 0;
    transact(false, addr, &v, 4);
    return v;
}

void InProcessTransport::board_write32(uint32_t addr, uint32_t v) { transact(true, addr, &v, 4); }

void InProcessTransport::board_read_block(uint32_t addr, void* dst, uint32_t bytes) { transact(false, addr, dst, bytes); }

void InProcessTransport::board_write_block(uint32_t addr, const void* src, uint32_t bytes) {
    transact(true, addr, const_cast<void*>(src), bytes);
}

void InProcessTransport::wait_idle() {
    check_usable();
    board::HostPortDriver::Wait w;
    // A run can take minutes (e.g. `run` with a huge MAX_SWEEPS): a line on stderr after
    // 5 s of host time and every 10 s after, so a long run never looks hung.
    using Clock = std::chrono::steady_clock;
    const auto t0 = Clock::now();
    auto next = t0 + std::chrono::seconds(5);
    impl_->port.set_interrupt_check([&] {
        const auto now = Clock::now();
        if (now >= next) {
            const sysc::ChipState& st = impl_->board.chip().state();
            std::fprintf(stderr, "[chip] still running after %.0f s: sweep %u of at most %u, %.6g s simulated\n",
                         std::chrono::duration<double>(now - t0).count(), st.sweeps, st.max_sweeps,
                         sc_core::sc_time_stamp().to_seconds());
            next = now + std::chrono::seconds(10);
        }
        return false;
    });
    struct Unset {
        board::HostPortDriver& p;
        ~Unset() { p.set_interrupt_check(nullptr); }
    } unset{impl_->port};
    try {
        w = impl_->port.wait_idle(sc_core::sc_max_time() - impl_->port.now());
    } catch (const sc_core::sc_report& r) {
        // E.g. sysc::Mind1024Chip::kTimeLimitMsg: the run cannot be simulated to its end.
        fail(fmt::format("SystemC stopped the run: {}", r.what()));
    }
    if (w != board::HostPortDriver::Wait::Done)
        fail("the chip is still BUSY but nothing in the simulation can finish its run");
}

void InProcessTransport::wait_ready(double limit_s) {
    check_usable();
    board::HostPortDriver::Wait w;
    try {
        w = impl_->port.wait_ready(sc_core::sc_time(limit_s, sc_core::SC_SEC));
    } catch (const sc_core::sc_report& r) {
        fail(fmt::format("SystemC stopped: {}", r.what()));
    }
    if (w == board::HostPortDriver::Wait::TimeLimit)
        throw BoardError(fmt::format("the firmware did not answer within {:g} s of simulated time", limit_s));
    if (w == board::HostPortDriver::Wait::NothingToWaitFor)
        throw BoardError("the firmware cannot answer: nothing on the board is running (no firmware, or it stopped)");
}

double InProcessTransport::now_seconds() const { return impl_->port.now().to_seconds(); }

}  // namespace mind1024::host
