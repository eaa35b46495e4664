#include "commands.h"
#include <cstdio>
namespace mind1024::host {
Command add_capacity_command(CLI::App& app) {
    app.add_subcommand("capacity", "(not yet implemented)");
    return [] { std::fprintf(stderr, "mind1024 capacity: not implemented yet\n"); return 2; };
}
}  // namespace mind1024::host
