// The `colonies` binary: one command tree (cli.md 1), built in cli/app.cpp.
#include "cli/commands.hpp"

int main(int argc, char** argv) {
    return colonies::cli::run(argc, argv);
}
