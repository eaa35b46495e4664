#include "sysc/board/platform.h"

#include <fmt/format.h>

namespace mind1024::board {

namespace {
sc_core::sc_time cpu_period(const BoardConfig& c) { return sc_core::sc_time(1.0 / c.cpu.clock_hz, sc_core::SC_SEC); }
}  // namespace

std::vector<MemoryWindow> Mind1024Board::load_windows() {
    std::vector<MemoryWindow> w;
    for (const Region& r : board_regions())
        if (r.kind == RegionKind::Rom || r.kind == RegionKind::Ram) w.push_back({r.name, r.base, r.size, r.kind == RegionKind::Ram});
    return w;
}

Mind1024Board::Mind1024Board(sc_core::sc_module_name name, BoardConfig cfg)
    : sc_module(name),
      cfg_(std::move(cfg)),
      router_("router", board_regions(), cpu_period(cfg_)),
      rom_("rom", MIND_ROM_SIZE, true),
      sram_("sram", MIND_SRAM_SIZE, false),
      hostif_buf_("hostif_buf", MIND_HOSTIF_BUF_SIZE, false),
      chip_("chip", cfg_.chip, cfg_.chip_config),
      hostif_("hostif", MIND_HOSTIF_BUF_SIZE),
      uart_("uart"),
      timer_("timer"),
      clint_("clint"),
      sysctrl_("sysctrl", static_cast<uint32_t>(cfg_.cpu.clock_hz)),
      host_("host"),
      chip_irq_("chip_irq"),
      hostif_irq_("hostif_irq"),
      timer_irq_("timer_irq"),
      uart_irq_("uart_irq"),
      ext_irq_("ext_irq"),
      mtip_("mtip"),
      msip_("msip") {
    // Targets bind in the memory map's order: the router's index is the region's.
    for (const Region& r : router_.regions()) {
        if (r.name == "ROM") router_.to_region.bind(rom_.socket);
        else if (r.name == "SRAM") router_.to_region.bind(sram_.socket);
        else if (r.name == "CHIP") router_.to_region.bind(chip_.reg_socket);
        else if (r.name == "CHIP_SYN") router_.to_region.bind(chip_.syn.socket);
        else if (r.name == "HOSTIF") router_.to_region.bind(hostif_.socket);
        else if (r.name == "HOSTIF_BUF") router_.to_region.bind(hostif_buf_.socket);
        else if (r.name == "UART") router_.to_region.bind(uart_.socket);
        else if (r.name == "TIMER") router_.to_region.bind(timer_.socket);
        else if (r.name == "CLINT") router_.to_region.bind(clint_.socket);
        else if (r.name == "SYSCTRL") router_.to_region.bind(sysctrl_.socket);
        else throw std::logic_error(fmt::format("memory map region {} has no device on this board", r.name));
    }
    chip_.irq.bind(chip_irq_);
    hostif_.irq.bind(hostif_irq_);
    timer_.irq.bind(timer_irq_);
    uart_.irq.bind(uart_irq_);
    sysctrl_.uart_irq.bind(uart_irq_);
    clint_.mtip.bind(mtip_);
    clint_.msip.bind(msip_);
    sysctrl_.chip_irq.bind(chip_irq_);
    sysctrl_.hostif_irq.bind(hostif_irq_);
    sysctrl_.timer_irq.bind(timer_irq_);
    host_.socket.bind(router_.targets_in);
    if (cfg_.with_cpu) {
        cpu_ = std::make_unique<RiscvCpu>("cpu", cfg_.cpu, board_regions());
        cpu_->bus.bind(router_.targets_in);
        cpu_->ext_irq.bind(ext_irq_);
        cpu_->timer_irq.bind(mtip_);
        cpu_->soft_irq.bind(msip_);
        cpu_->attach_clint(&clint_);
        if (cfg_.firmware) cpu_->load(*cfg_.firmware);
        cpu_->on_halt = [] { sc_core::sc_pause(); };
    }
    sysctrl_.on_exit = [this](uint32_t code) {
        if (cpu_ && cpu_->state() != CpuState::Reset) {
            cpu_->request_exit(code);
        } else {
            exit_code_ = code;
            sc_core::sc_pause();
        }
    };
    SC_METHOD(combine_irq);
    sensitive << chip_irq_ << hostif_irq_ << timer_irq_ << uart_irq_ << sysctrl_.enable_changed();
}

void Mind1024Board::combine_irq() { ext_irq_.write((sysctrl_.irq_sources() & sysctrl_.irq_enable()) != 0); }

void Mind1024Board::trace(sc_core::sc_trace_file* tf) const {
    chip_.trace(tf);
    const std::string p = std::string(name()) + ".";
    sc_core::sc_trace(tf, chip_irq_, p + "chip_irq");
    sc_core::sc_trace(tf, hostif_irq_, p + "hostif_irq");
    sc_core::sc_trace(tf, timer_irq_, p + "timer_irq");
    sc_core::sc_trace(tf, uart_irq_, p + "uart_irq");
    sc_core::sc_trace(tf, ext_irq_, p + "cpu_ext_irq");
    sc_core::sc_trace(tf, mtip_, p + "clint_mtip");
    sc_core::sc_trace(tf, msip_, p + "clint_msip");
    if (cpu_) cpu_->trace_vcd(tf, p);
}

}  // namespace mind1024::board
