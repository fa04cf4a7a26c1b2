// What the `fs` command files share (fs_commands.cpp, fs_snapshot_commands.cpp).
#pragma once
#include <memory>
#include <string>

#include "cli/commands.hpp"
#include "fs/colonyfs.hpp"

namespace colonies::cli {

// The ColonyFS client for this command: AWS_S3_* read and the bucket checked first (throws
// CliError when the object store is not configured or not reachable).
std::unique_ptr<fs::ColonyFs> open_fs(const Context& ctx, bool quiet);

// Sizes in tables, as upstream: whole KiB.
std::string kib(int64_t bytes);

// Registers `fs snapshot ...` on the fs group.
void add_fs_snapshot_commands(CLI::App* fsg, const Ctx& ctx);

}  // namespace colonies::cli
