// The mind1024 subcommands: each registers itself on the CLI app and runs
// when chosen. Errors propagate as exceptions; main turns them into messages.
#pragma once
#include <functional>

#include <CLI/CLI.hpp>

namespace mind1024::host {

using Command = std::function<int()>;

Command add_mnist_command(CLI::App& app);
Command add_run_command(CLI::App& app);
Command add_recall_command(CLI::App& app);
Command add_capacity_command(CLI::App& app);
Command add_sweep_command(CLI::App& app);
Command add_faults_command(CLI::App& app);
Command add_layered_command(CLI::App& app);
Command add_report_command(CLI::App& app);
Command add_dse_command(CLI::App& app);

}  // namespace mind1024::host
