#include "commands.h"
#include <cstdio>
namespace mind1024::host {
Command add_recall_command(CLI::App& app) {
    app.add_subcommand("recall", "(not yet implemented)");
    return [] { std::fprintf(stderr, "mind1024 recall: not implemented yet\n"); return 2; };
}
}  // namespace mind1024::host
