// `colonies server start`: configuration from flags and the COLONIES_* environment
// (features.md 8.1), then the server on the chosen store.
#pragma once
#include <CLI/CLI.hpp>

namespace colonies::cli {

void add_server_commands(CLI::App& app);

}  // namespace colonies::cli
