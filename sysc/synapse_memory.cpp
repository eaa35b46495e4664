#include "sysc/synapse_memory.h"

#include <algorithm>
#include <cstring>

#include "sysc/fixed_point.h"

namespace mind1024::sysc {

SynapseMemory::SynapseMemory(sc_core::sc_module_name name, const ChipParams& p)
    : sc_module(name), socket("socket"), params_(p), w_(size_t{p.n_max} * p.n_max, 0) {
    socket.register_b_transport(this, &SynapseMemory::b_transport);
    socket.register_transport_dbg(this, &SynapseMemory::transport_dbg);
}

void SynapseMemory::store(size_t flat, int64_t v) {
    const int16_t x = fx::store_weight(v, params_.wbits);
    w_[flat] = faults_ ? faults_->store(static_cast<uint32_t>(flat), x) : x;
    ++version_;
}

void SynapseMemory::clear() {
    std::fill(w_.begin(), w_.end(), int16_t{0});
    if (faults_) faults_->store_all(w_.data());
    ++version_;
}

void SynapseMemory::set_faults(const FaultPlan* f) {
    faults_ = f;
    if (f) f->store_all(w_.data());
    ++version_;
}

tlm::tlm_response_status SynapseMemory::access(tlm::tlm_generic_payload& tx, bool debug) {
    const uint64_t addr = tx.get_address();
    const unsigned len = tx.get_data_length();
    if (tx.get_byte_enable_ptr()) return tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE;
    if (tx.get_streaming_width() < len) return tlm::TLM_BURST_ERROR_RESPONSE;
    if (len == 0 || len % 2 || addr % 2) return tlm::TLM_BURST_ERROR_RESPONSE;
    if (!debug && len != 2 && len % 4) return tlm::TLM_BURST_ERROR_RESPONSE;
    if (addr >= window_bytes() || len > window_bytes() - addr) return tlm::TLM_ADDRESS_ERROR_RESPONSE;
    const size_t first = addr / 2, count = len / 2;
    unsigned char* data = tx.get_data_ptr();
    if (tx.is_read()) {
        for (size_t k = 0; k < count; ++k) {
            const int16_t v = w_[first + k];
            std::memcpy(data + 2 * k, &v, 2);  // host is little-endian like the bus
        }
    } else if (tx.is_write()) {
        if (!debug && is_busy && is_busy()) {
            if (on_busy_write) on_busy_write();
            return tlm::TLM_OK_RESPONSE;  // served, ignored, reported as ERR_CODE BUSY
        }
        for (size_t k = 0; k < count; ++k) {
            int16_t v;
            std::memcpy(&v, data + 2 * k, 2);
            store(first + k, v);
        }
    } else {
        return tlm::TLM_COMMAND_ERROR_RESPONSE;
    }
    return tlm::TLM_OK_RESPONSE;
}

void SynapseMemory::b_transport(tlm::tlm_generic_payload& tx, sc_core::sc_time& delay) {
    const tlm::tlm_response_status r = access(tx, false);
    tx.set_response_status(r);
    if (r == tlm::TLM_OK_RESPONSE) {
        // One cycle per 32-bit word (a 16-bit access is one word too).
        const unsigned words = (tx.get_data_length() + 3) / 4;
        // words x the (resolution-rounded) clock period, as the engine counts time:
        // words / clock_hz rounded once would drift from CYCLES x period.
        delay += static_cast<double>(words) * sc_core::sc_time(1.0 / params_.clock_hz, sc_core::SC_SEC);
    }
}

unsigned int SynapseMemory::transport_dbg(tlm::tlm_generic_payload& tx) {
    return access(tx, true) == tlm::TLM_OK_RESPONSE ? tx.get_data_length() : 0;
}

}  // namespace mind1024::sysc
