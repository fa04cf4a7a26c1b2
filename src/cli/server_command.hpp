// `colonies server start|status|stats|version|alive` (cli.md 3.2). `server start` takes its
// configuration from flags and the COLONIES_* environment (features.md 8.1) and serves on the
// chosen store until SIGINT/SIGTERM.
#pragma once
#include <CLI/CLI.hpp>
#include <memory>

#include "cli/context.hpp"
#include "server/server.hpp"

namespace colonies::cli {

void add_server_commands(CLI::App& app, std::shared_ptr<Context> ctx);

// Server settings every way of starting a server shares (`server start`, `dev`): build info,
// the getserverinfomsg fields and the service options read from the environment. Throws
// CliError on a malformed value.
server::ServerOptions server_options_from_env(int port);

// ParseBool-style booleans (features.md 8.1); throws CliError naming `name` on a bad value.
bool parse_bool(const std::string& name, const std::string& value);

}  // namespace colonies::cli
