// The `colonies` binary: one command tree (cli.md 1), built in cli/app.cpp.
#include <mimalloc.h>

#include "cli/commands.hpp"

int main(int argc, char** argv) {
    // mimalloc replaces malloc and operator new for the whole process just by being loaded
    // (docs/design.md, dependencies); naming one of its functions keeps the linker from
    // dropping the library as unused.
    (void)mi_version();
    return colonies::cli::run(argc, argv);
}
