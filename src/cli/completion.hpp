// `colonies completion bash|zsh` (completion_command.cpp).
#pragma once
#include <CLI/CLI.hpp>

namespace colonies::cli {

// Registers `completion`; its script covers every command registered on `app` when it runs.
void add_completion_command(CLI::App& app);

}  // namespace colonies::cli
