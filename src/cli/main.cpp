// The `colonies` binary: one command tree (cli.md 1).
#include <CLI/CLI.hpp>

#include "cli/server_command.hpp"

int main(int argc, char** argv) {
    CLI::App app{"Colonies++: a ColonyOS Colonies server and command line tool", "colonies"};
    app.require_subcommand(1);
    colonies::cli::add_server_commands(app);
    CLI11_PARSE(app, argc, argv);
    return 0;
}
