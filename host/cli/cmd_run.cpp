#include "commands.h"
#include <cstdio>
namespace mind1024::host {
Command add_run_command(CLI::App& app) {
    app.add_subcommand("run", "(not yet implemented)");
    return [] { std::fprintf(stderr, "mind1024 run: not implemented yet\n"); return 2; };
}
}  // namespace mind1024::host
