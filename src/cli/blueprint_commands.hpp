// Blueprints (blueprint_commands.cpp): `blueprint ...`, and `executor reconciler start`
// (reconciler_command.cpp) on the executor group, which must exist already.
#pragma once
#include "cli/commands.hpp"

namespace colonies::cli {

void add_blueprint_commands(CLI::App& app, Ctx ctx);
void add_executor_reconciler_command(CLI::App& executor, Ctx ctx);

}  // namespace colonies::cli
