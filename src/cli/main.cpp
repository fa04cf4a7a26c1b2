// The `colonies` binary: one command tree (cli.md 1), built in cli/app.cpp.
#ifdef COLONIES_MIMALLOC
#include <mimalloc.h>
#endif

#include "cli/commands.hpp"

int main(int argc, char** argv) {
#ifdef COLONIES_MIMALLOC
    // mimalloc replaces malloc and operator new for the whole process just by being loaded
    // (docs/design.md, dependencies); naming one of its functions keeps the linker from
    // dropping the library as unused. The asan preset leaves it out (COLONIES_MIMALLOC=OFF).
    (void)mi_version();
#endif
    return colonies::cli::run(argc, argv);
}
