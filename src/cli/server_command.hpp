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
// Throws CliError (exit 255) when `bind_address`:`port` cannot be listened on, e.g. "port 50080
// on 0.0.0.0 is in use (another server running? pick another with --port)", so a server
// command says so before it prints or opens anything.
void check_port_free(const std::string& bind_address, int port);
// What a failure to serve says: the system error's own text, without Boost's source location.
std::string serve_error_text(const std::exception& e);
// `server backup` (server_backup_command.cpp).
void add_server_backup_command(CLI::App* server, std::shared_ptr<Context> ctx);

// Server settings every way of starting a server shares (`server start`, `dev`): build info,
// the getserverinfomsg fields and the service options read from the environment. Throws
// CliError on a malformed value.
server::ServerOptions server_options_from_env(int port);

// ParseBool-style booleans (features.md 8.1); throws CliError naming `name` on a bad value.
bool parse_bool(const std::string& name, const std::string& value);

}  // namespace colonies::cli
