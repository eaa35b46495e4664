#include "sysc/board/exit_report.h"

#include <cstring>
#include <fstream>
#include <stdexcept>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <systemc>

#include "sysc/board/riscv_cpu.h"
#include "sysc/board/rv32_decode.h"

namespace mind1024::board {

void check_exit_report_path(const std::string& path) {
    std::ofstream f(path, std::ios::app);
    if (!f) throw std::invalid_argument(fmt::format("--exit-report {}: cannot write: {}", path, std::strerror(errno)));
}

void write_exit_report(const std::string& path, const RunOutcome& o, const RiscvCpu* cpu) {
    nlohmann::json j;
    j["outcome"] = o.outcome;
    j["exit_code"] = o.exit_code;
    if (!o.message.empty()) j["message"] = o.message;
    if (cpu) {
        if (cpu->halt_reason() == HaltReason::Exit) j["firmware_exit_code"] = cpu->exit_code();
        if (cpu->halt_reason() == HaltReason::Fault) {
            const CpuFault& f = cpu->fault();
            nlohmann::json jf;
            jf["cause"] = f.cause;
            jf["pc"] = f.pc;
            jf["pc_exact"] = f.pc_exact;
            jf["instruction"] = f.insn ? nlohmann::json(*f.insn) : nlohmann::json(nullptr);
            if (f.insn) jf["mnemonic"] = rv32::mnemonic(*f.insn);
            jf["address"] = f.address ? nlohmann::json(*f.address) : nlohmann::json(nullptr);
            if (f.mcause < 16) {
                jf["mcause"] = f.mcause;
                jf["mtval"] = f.mtval;
            }
            if (!f.note.empty()) jf["note"] = f.note;
            j["fault"] = jf;
        }
        j["pc"] = cpu->pc();
        j["instructions"] = cpu->instructions();
        j["interrupts"] = cpu->interrupts_taken();
        j["exceptions"] = cpu->exceptions_taken();
        j["device_accesses"] = cpu->device_accesses();
    }
    j["simulated_time_s"] = sc_core::sc_time_stamp().to_seconds();
    j["host_time_s"] = o.host_s;
    std::ofstream f(path, std::ios::trunc);
    f << j.dump(2) << "\n";
    if (!f) throw std::runtime_error(fmt::format("--exit-report {}: cannot write", path));
}

}  // namespace mind1024::board
