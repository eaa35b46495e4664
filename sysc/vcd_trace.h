// VcdTrace: a VCD file that is whole or absent. SystemC writes it under
// "<name>.partial.vcd"; finish(true) renames it to its name, finish(false)
// removes it, so a failed run leaves no trace that looks complete. The path
// is checked (it must end in ".vcd", its directory must be writable) before
// anything is elaborated. A GTKWave save file (<name>.gtkw) with every
// signal grouped by module is written beside a complete trace.
#pragma once
#include <stdexcept>
#include <string>

#include <systemc>

namespace mind1024::sysc {

struct VcdError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class VcdTrace {
public:
    explicit VcdTrace(const std::string& path);  // throws VcdError
    ~VcdTrace() { finish(false); }
    VcdTrace(const VcdTrace&) = delete;
    VcdTrace& operator=(const VcdTrace&) = delete;

    // Created on first use (during elaboration).
    sc_core::sc_trace_file* file();
    // SystemC writes a time step's values only when time moves past it: the
    // owner lets the simulation run a little past the last change first.
    void finish(bool complete);
    const std::string& path() const { return final_; }

private:
    std::string final_, partial_base_, partial_;
    sc_core::sc_trace_file* tf_ = nullptr;
};

}  // namespace mind1024::sysc
