// Typed errors of the host driver. Every message names what was wrong and where.
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>

namespace mind1024::host {

struct BoardError : std::runtime_error {
    using std::runtime_error::runtime_error;
};
// A bus access the board could not serve (TLM error response).
struct BusError : BoardError {
    BusError(const std::string& what, uint64_t address) : BoardError(what), address(address) {}
    uint64_t address;
};
// The chip reported ERR_CODE BUSY.
struct BusyError : BoardError {
    using BoardError::BoardError;
};
// The chip reported ERR_CODE BAD_ARG, or the host caught a bad argument first.
struct BadArgument : BoardError {
    using BoardError::BoardError;
};

}  // namespace mind1024::host
