// Runs jobs in forked child processes, a few at a time. Each child builds its
// own chip: SystemC elaborates one board per process, and chip parameters
// such as WBITS are fixed at elaboration. The parent must not have started
// SystemC. A child's result is a JSON value sent back through a pipe; a
// child that throws reports {"error": message}, one that dies is reported too.
#pragma once
#include <functional>
#include <vector>

#include <nlohmann/json.hpp>

namespace mind1024::host {

// results[k] = job(k) run in a child; `done` is called in the parent as each ends.
std::vector<nlohmann::json> run_in_children(size_t jobs, unsigned parallel,
                                            const std::function<nlohmann::json(size_t)>& job,
                                            const std::function<void(size_t, const nlohmann::json&)>& done = {});

}  // namespace mind1024::host
