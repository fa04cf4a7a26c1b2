// The command groups of the `colonies` tree (cli.md 1, 3). Each add_* function registers one
// group on the root command; callbacks read the shared Context after parsing and throw CliError
// to fail. One source file per group.
#pragma once
#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <string>

#include "cli/context.hpp"

namespace colonies::cli {

using Ctx = std::shared_ptr<Context>;

void add_root_commands(CLI::App& app, Ctx ctx);       // version, config
void add_dev_command(CLI::App& app, Ctx ctx);         // dev
void add_security_commands(CLI::App& app, Ctx ctx);   // security generate|id
void add_colony_commands(CLI::App& app, Ctx ctx);     // colony ...
void add_executor_commands(CLI::App& app, Ctx ctx);   // executor ... (incl. os start)
void add_user_commands(CLI::App& app, Ctx ctx);       // user ...
void add_function_commands(CLI::App& app, Ctx ctx);   // function submit|exec|ls
void add_process_commands(CLI::App& app, Ctx ctx);    // process ... (incl. wait)
void add_attribute_commands(CLI::App& app, Ctx ctx);  // attribute add|get
void add_log_commands(CLI::App& app, Ctx ctx);        // log add|get
void add_cluster_commands(CLI::App& app, Ctx ctx);    // cluster info
void add_workflow_commands(CLI::App& app, Ctx ctx);   // workflow ...
void add_cron_commands(CLI::App& app, Ctx ctx);       // cron add|ls|get|run|remove
void add_generator_commands(CLI::App& app, Ctx ctx);  // generator add|ls|get|pack|remove
void add_location_commands(CLI::App& app, Ctx ctx);   // location add|ls|get|remove
// `chid` on the colony, executor, user and server groups: call after those groups exist.
void add_key_rotation_commands(CLI::App& app, Ctx ctx);

// Registers `process pause|resume|status|history` on the process group
// (process_ledger_commands.cpp).
void add_process_ledger_commands(CLI::App* process, Ctx ctx);
void add_fs_commands(CLI::App& app, Ctx ctx);       // fs ... (ColonyFS)
void add_monitor_commands(CLI::App& app, Ctx ctx);  // monitor start (Prometheus exporter)

// Registers `executor os start` on the executor group (executor_os_command.cpp).
void add_executor_os_command(CLI::App& executor, Ctx ctx);

// Reads one line from stdin after `prompt` and returns true only for exactly `expected`
// (cli.md 6.5). Prints "Aborting ..." otherwise.
bool confirm(const std::string& prompt, const std::string& expected = "YES");

// `<group> removeall` for processes and workflows (cli.md 3.12, 3.13): --waiting,
// --successful, --failed or --cancelled (none: every state), a YES confirmation, then
// `remove(client, colony, state, colony key)`. `noun` is "processes" or "workflows".
using RemoveAll = std::function<void(client::Client&, const std::string& colony, int state,
                                     const std::string& colony_prvkey)>;
void add_removeall_command(CLI::App& group, Ctx ctx, const std::string& noun, RemoveAll remove);

// Runs the whole command line; returns the exit status (cli.md 6.4).
int run(int argc, char** argv);

}  // namespace colonies::cli
