// VcdTrace: a VCD file that is whole or absent. SystemC writes it under
// "<name>.partial.vcd"; finish(true) renames it to its name, finish(false)
// removes it, so a failed run leaves no trace that looks complete. The path
// is checked (it must end in ".vcd", its directory must be writable) before
// anything is elaborated. A GTKWave save file (<name>.gtkw) with every
// signal grouped by module is written beside a complete trace.
//
// SystemC writes its trace through a stdio FILE it never checks: a full disk
// would cut the trace silently. So SystemC writes into a FIFO, and a copier
// thread writes the bytes into the file with every write checked; finish(true)
// then fsyncs and closes it, and a write error anywhere is a VcdError naming
// the file and the reason (the cut file removed), never "trace written".
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>
#include <thread>

#include <systemc>

namespace mind1024::sysc {

struct VcdError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class VcdTrace {
public:
    explicit VcdTrace(const std::string& path);  // throws VcdError
    ~VcdTrace();
    VcdTrace(const VcdTrace&) = delete;
    VcdTrace& operator=(const VcdTrace&) = delete;

    // Created on first use (during elaboration).
    sc_core::sc_trace_file* file();
    // SystemC writes a time step's values only when time moves past it: the
    // owner lets the simulation run a little past the last change first.
    // finish(true) throws VcdError when the trace could not be written whole.
    void finish(bool complete);
    const std::string& path() const { return final_; }

private:
    void copy();  // the copier thread: FIFO -> file

    std::string final_, partial_, fifo_dir_, fifo_base_;
    sc_core::sc_trace_file* tf_ = nullptr;
    int out_fd_ = -1, fifo_read_ = -1, fifo_hold_ = -1;
    std::thread copier_;
    int write_errno_ = 0;  // the first write error (the copier's, until it is joined)
    uint64_t bytes_ = 0;
};

}  // namespace mind1024::sysc
