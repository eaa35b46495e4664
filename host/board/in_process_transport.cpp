#include "in_process_transport.h"

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include <fmt/format.h>

#include "chip.h"
#include "errors.h"
#include "mind1024_regs.h"

namespace mind1024::host {

// The host's side of the bus: one initiator socket per chip target.
struct HostInitiator : sc_core::sc_module {
    tlm_utils::simple_initiator_socket<HostInitiator> reg, syn;
    explicit HostInitiator(sc_core::sc_module_name n) : sc_module(n), reg("reg"), syn("syn") {}
};

namespace {
// Where SystemC writes a trace (it appends ".vcd" to the name it is given).
struct TracePaths {
    std::string final_path, partial_base, partial_path;
};

TracePaths trace_paths(const std::string& path) {
    const std::string ext = ".vcd";
    if (path.size() <= ext.size() || path.compare(path.size() - ext.size(), ext.size(), ext) != 0)
        throw BadArgument(fmt::format("VCD trace '{}': the file name must end in .vcd", path));
    TracePaths t;
    t.final_path = path;
    t.partial_base = path.substr(0, path.size() - ext.size()) + ".partial";
    t.partial_path = t.partial_base + ext;
    const std::filesystem::path parent = std::filesystem::path(path).parent_path();
    std::error_code ec;
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
    // Open it here first: SystemC reports a file it cannot open and then fails on close.
    std::FILE* f = std::fopen(t.partial_path.c_str(), "w");
    if (!f)
        throw BoardError(fmt::format("VCD trace '{}': cannot create {}: {}", path, t.partial_path, std::strerror(errno)));
    std::fclose(f);
    return t;
}
}  // namespace

struct InProcessTransport::Impl {
    Impl(const ChipParams& p, const InProcessOptions& opt, TracePaths tp)
        : chip("mind1024", p, sysc::ChipOptions{opt.per_neuron_events}), host("host"), irq("irq"), trace(std::move(tp)) {
        host.reg.bind(chip.reg_socket);
        host.syn.bind(chip.syn.socket);
        chip.irq.bind(irq);
        if (!trace.final_path.empty()) {
            // SystemC announces the timescale on stdout; the CLI keeps stdout for results.
            sc_core::sc_report_handler::set_actions("tracing timescale unit set", sc_core::SC_DO_NOTHING);
            vcd = sc_core::sc_create_vcd_trace_file(trace.partial_base.c_str());
            vcd->set_time_unit(1, sc_core::SC_NS);
            chip.trace(vcd);
        }
    }
    ~Impl() { finish_trace(false); }
    void finish_trace(bool complete) {
        if (!vcd) return;
        sc_core::sc_close_vcd_trace_file(vcd);
        vcd = nullptr;
        if (!complete) {
            std::remove(trace.partial_path.c_str());
        } else if (std::rename(trace.partial_path.c_str(), trace.final_path.c_str()) == 0) {
            std::fprintf(stderr, "[board] VCD trace written to %s\n", trace.final_path.c_str());
        } else {
            std::fprintf(stderr, "[board] cannot rename %s to %s: %s\n", trace.partial_path.c_str(),
                         trace.final_path.c_str(), std::strerror(errno));
            std::remove(trace.partial_path.c_str());
        }
    }
    sysc::Mind1024Chip chip;
    HostInitiator host;
    sc_core::sc_signal<bool> irq;
    TracePaths trace;
    sc_core::sc_trace_file* vcd = nullptr;
    sc_core::sc_time pending = sc_core::SC_ZERO_TIME;  // bus time not yet simulated
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
    // The VCD path is checked (and its file created) before anything is elaborated.
    : impl_(std::make_unique<Impl>(p, opt, opt.vcd_path.empty() ? TracePaths{} : trace_paths(opt.vcd_path))),
      params_(p) {
    sc_core::sc_report_handler::set_actions("/IEEE_Std_1666/deprecated", sc_core::SC_DO_NOTHING);
    // An idle chip leaves sc_start() nothing to do; that is expected here.
    sc_core::sc_report_handler::set_actions("no activity or clock movement for sc_start() invocation",
                                            sc_core::SC_DO_NOTHING);
    sc_core::sc_start(sc_core::SC_ZERO_TIME);  // end elaboration
}

InProcessTransport::~InProcessTransport() = default;

sysc::Mind1024Chip& InProcessTransport::chip() { return impl_->chip; }

void InProcessTransport::finish_trace(bool complete) {
    if (auto& t = instance()) t->impl_->finish_trace(complete);
}

void InProcessTransport::check_usable() const {
    if (!broken_.empty()) throw BoardError("the simulation stopped after an earlier error: " + broken_);
}

void InProcessTransport::fail(const std::string& what) {
    broken_ = what;
    throw BoardError(what);
}

void InProcessTransport::transact(bool write, uint64_t addr, void* data, uint32_t bytes) {
    check_usable();
    tlm::tlm_generic_payload tx;
    tx.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
    tx.set_data_ptr(static_cast<unsigned char*>(data));
    tx.set_data_length(bytes);
    tx.set_streaming_width(bytes);
    tx.set_byte_enable_ptr(nullptr);
    tx.set_dmi_allowed(false);
    tx.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    const bool window = addr >= MIND_SYN_WINDOW_OFFSET;
    tx.set_address(window ? addr - MIND_SYN_WINDOW_OFFSET : addr);
    if (window) impl_->host.syn->b_transport(tx, impl_->pending);
    else impl_->host.reg->b_transport(tx, impl_->pending);
    if (tx.is_response_error())
        throw BusError(fmt::format("{} of {} bytes at chip offset 0x{:X} failed: {}", write ? "write" : "read", bytes,
                                   addr, tx.get_response_string()),
                       addr);
}

void InProcessTransport::sync_time() {
    if (impl_->pending > sc_core::SC_ZERO_TIME) {
        const sc_core::sc_time t = impl_->pending;
        impl_->pending = sc_core::SC_ZERO_TIME;
        try {
            sc_core::sc_start(t);
        } catch (const sc_core::sc_report& r) {
            fail(fmt::format("SystemC stopped: {}", r.what()));
        }
    }
}

uint32_t InProcessTransport::read32(uint64_t addr) {
    uint32_t v = 0;
    transact(false, addr, &v, 4);
    return v;
}

void InProcessTransport::write32(uint64_t addr, uint32_t v) {
    if (addr == MIND_REG_CTRL) sync_time();  // commands start at the bus's notion of now
    transact(true, addr, &v, 4);
}

void InProcessTransport::read_block(uint64_t addr, void* dst, uint32_t bytes) { transact(false, addr, dst, bytes); }

void InProcessTransport::write_block(uint64_t addr, const void* src, uint32_t bytes) {
    transact(true, addr, const_cast<void*>(src), bytes);
}

void InProcessTransport::wait_idle() {
    check_usable();
    sync_time();
    try {
        sc_core::sc_start();  // the engine idles on its command event: the kernel starves and returns
    } catch (const sc_core::sc_report& r) {
        // E.g. sysc::Mind1024Chip::kTimeLimitMsg: the run cannot be simulated to its end.
        fail(fmt::format("SystemC stopped the run: {}", r.what()));
    }
}

double InProcessTransport::now_seconds() const {
    return (sc_core::sc_time_stamp() + impl_->pending).to_seconds();
}

}  // namespace mind1024::host
