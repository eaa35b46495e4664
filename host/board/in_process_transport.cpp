#include "in_process_transport.h"

#include <systemc>
#include <tlm>

#include <cstdio>

#include <fmt/format.h>

#include "errors.h"
#include "mind1024_board.h"
#include "mind1024_regs.h"
#include "platform.h"
#include "vcd_trace.h"

namespace mind1024::host {

namespace {
// Pauses the kernel when the chip finishes an operation, so wait_idle() does
// not depend on the simulation running out of events.
struct DoneWaker : sc_core::sc_module {
    bool armed = false;
    SC_HAS_PROCESS(DoneWaker);
    DoneWaker(sc_core::sc_module_name n, const sc_core::sc_event& done) : sc_module(n) {
        SC_METHOD(wake);
        sensitive << done;
        dont_initialize();
    }
    void wake() {
        if (armed) sc_core::sc_pause();
    }
};

board::BoardConfig board_config(const ChipParams& p, const InProcessOptions& opt) {
    board::BoardConfig c;
    c.chip = p;
    c.chip_options.per_neuron_events = opt.per_neuron_events;
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
        : trace(open_trace(opt.vcd_path)), board("board", board_config(p, opt)),
          waker("done_waker", board.chip().done_event()) {
        if (trace) board.trace(trace->file());
    }
    std::unique_ptr<sysc::VcdTrace> trace;
    board::Mind1024Board board;
    DoneWaker waker;
    sc_core::sc_time pending = sc_core::SC_ZERO_TIME;  // host bus time not yet simulated
    tlm::tlm_generic_payload tx;
};

namespace {
std::unique_ptr<InProcessTransport>& instance() {
    static std::unique_ptr<InProcessTransport> t;
    return t;
}
bool same(const ChipParams& a, const ChipParams& b) {
    return a.n_max == b.n_max && a.wbits == b.wbits && a.abits == b.abits && a.lanes == b.lanes &&
           a.latency == b.latency && a.clock_hz == b.clock_hz;
}
// The host runs at most this far ahead of the kernel.
const sc_core::sc_time kHostQuantum(10, sc_core::SC_US);
}  // namespace

InProcessTransport& InProcessTransport::open(const ChipParams& p, const InProcessOptions& opt) {
    auto& t = instance();
    if (t) {
        if (!same(t->params_, p))
            throw BoardError(fmt::format(
                "a board ({}) already exists in this process and SystemC cannot elaborate another ({}); "
                "use one board per process and soft_reset() between jobs",
                t->params_.describe(), p.describe()));
        return *t;
    }
    p.validate();
    t.reset(new InProcessTransport(p, opt));
    return *t;
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

sysc::Mind1024Chip& InProcessTransport::chip() { return impl_->board.chip(); }
board::Mind1024Board& InProcessTransport::board() { return impl_->board; }

void InProcessTransport::finish_trace(bool complete) {
    auto& t = instance();
    if (!t || !t->impl_->trace) return;
    if (complete && t->broken_.empty()) {
        try {
            t->sync_time();
            // SystemC writes a time step when time moves past it: let it, so the trace ends after the last change.
            sc_core::sc_start(t->chip().clock_period());
        } catch (const std::exception&) {
            complete = false;
        }
    }
    t->impl_->trace->finish(complete);
    t->impl_->trace.reset();
}

void InProcessTransport::check_usable() const {
    if (!broken_.empty()) throw BoardError("the simulation stopped after an earlier error: " + broken_);
}

void InProcessTransport::fail(const std::string& what) {
    broken_ = what;
    throw BoardError(what);
}

void InProcessTransport::transact(bool write, uint64_t board_addr, void* data, uint32_t bytes) {
    check_usable();
    // Catch up before observing anything that may be changing, and never run more than a quantum ahead.
    if ((!write && sc_core::sc_pending_activity()) || impl_->pending >= kHostQuantum) sync_time();
    tlm::tlm_generic_payload& tx = impl_->tx;
    tx.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
    tx.set_address(board_addr);
    tx.set_data_ptr(static_cast<unsigned char*>(data));
    tx.set_data_length(bytes);
    tx.set_streaming_width(bytes);
    tx.set_byte_enable_ptr(nullptr);
    tx.set_dmi_allowed(false);
    tx.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    impl_->board.host_port().socket->b_transport(tx, impl_->pending);
    if (tx.is_response_error())
        throw BusError(fmt::format("{} of {} bytes at board address 0x{:08X} failed: {}", write ? "write" : "read",
                                   bytes, board_addr, tx.get_response_string()),
                       board_addr);
}

void InProcessTransport::sync_time() {
    if (impl_->pending == sc_core::SC_ZERO_TIME) return;
    const sc_core::sc_time t = impl_->pending;
    impl_->pending = sc_core::SC_ZERO_TIME;
    try {
        sc_core::sc_start(t);
    } catch (const sc_core::sc_report& r) {
        fail(fmt::format("SystemC stopped: {}", r.what()));
    }
}

namespace {
uint64_t chip_address(uint64_t addr) {
    // Chip-relative (registers at 0, synapse window at MIND_SYN_WINDOW_OFFSET) to board addresses.
    if (addr > 0xFFFFFFFFull - MIND_CHIP_BASE)
        throw BusError(fmt::format("chip offset 0x{:X} is beyond the board's 32-bit bus", addr), addr);
    return MIND_CHIP_BASE + addr;
}
}  // namespace

uint32_t InProcessTransport::read32(uint64_t addr) {
    uint32_t v = 0;
    transact(false, chip_address(addr), &v, 4);
    return v;
}

void InProcessTransport::write32(uint64_t addr, uint32_t v) {
    if (addr == MIND_REG_CTRL) sync_time();  // commands start at the bus's notion of now
    transact(true, chip_address(addr), &v, 4);
}

void InProcessTransport::read_block(uint64_t addr, void* dst, uint32_t bytes) {
    transact(false, chip_address(addr), dst, bytes);
}

void InProcessTransport::write_block(uint64_t addr, const void* src, uint32_t bytes) {
    transact(true, chip_address(addr), const_cast<void*>(src), bytes);
}

uint32_t InProcessTransport::board_read32(uint64_t addr) {
    uint32_t v = 0;
    transact(false, addr, &v, 4);
    return v;
}

void InProcessTransport::board_write32(uint64_t addr, uint32_t v) { transact(true, addr, &v, 4); }

void InProcessTransport::wait_idle() {
    check_usable();
    sync_time();
    if (!chip().state().busy) return;
    impl_->waker.armed = true;
    try {
        // Until DONE pauses the kernel; an idle chip-only board may also run out of events first.
        while (chip().state().busy && sc_core::sc_pending_activity()) sc_core::sc_start();
    } catch (const sc_core::sc_report& r) {
        impl_->waker.armed = false;
        // E.g. sysc::Mind1024Chip::kTimeLimitMsg: the run cannot be simulated to its end.
        fail(fmt::format("SystemC stopped the run: {}", r.what()));
    }
    impl_->waker.armed = false;
    if (chip().state().busy) fail("the chip is still BUSY but nothing in the simulation can finish its run");
}

double InProcessTransport::now_seconds() const {
    return (sc_core::sc_time_stamp() + impl_->pending).to_seconds();
}

}  // namespace mind1024::host
