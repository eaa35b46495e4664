#include "commands.h"
#include <cstdio>
namespace mind1024::host {
Command add_sweep_command(CLI::App& app) {
    app.add_subcommand("sweep", "(not yet implemented)");
    return [] { std::fprintf(stderr, "mind1024 sweep: not implemented yet\n"); return 2; };
}
}  // namespace mind1024::host
