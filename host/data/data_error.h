// Typed error of the data readers and writers. Every message names the file
// (or directory) and what is wrong with it.
#pragma once
#include <stdexcept>
#include <string>

namespace mind1024::host {

struct DataError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

}  // namespace mind1024::host
