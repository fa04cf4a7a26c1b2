// `colonies server backup --output FILE` (issue 19; docs/operations.md): a consistent copy of the
// running server's SQLite store, signed with the server owner's key, downloaded with progress on
// stderr. The server refuses on PostgreSQL (pg_dump does that job).
#include <sys/stat.h>

#include <chrono>
#include <memory>
#include <optional>

#include "cli/output.hpp"
#include "cli/server_command.hpp"
#include "client/backup.hpp"
#include "fs/progress.hpp"

namespace colonies::cli {
namespace {

struct BackupFlags {
    std::string output;
    bool force = false;
    int timeout = 600;
};

bool exists(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0;
}

void backup(const Context& ctx, const BackupFlags& f) {
    if (f.output.empty()) throw CliError("--output FILE is required", kExitUsage);
    if (exists(f.output) && !f.force)
        throw CliError(f.output + " exists already (pass --force to replace it)", kExitUsage);
    if (f.timeout < 1) throw CliError("--timeout must be at least 1 second", kExitUsage);
    const std::string key = ctx.need_server_prvkey();
    const auto opts = ctx.client_options();
    log_info("Backing up the server's database", {{"Server", ctx.server_address()}});
    const auto start = std::chrono::steady_clock::now();
    std::optional<fs::ProgressBar> bar;  // made once the server says how much is coming
    uint64_t shown = 0;
    auto progress = [&bar, &shown](uint64_t bytes, uint64_t total) {
        if (!bar) bar.emplace("Downloading backup", static_cast<int64_t>(total), 1, false);
        bar->add_bytes(static_cast<int64_t>(bytes - shown));
        shown = bytes;
    };
    auto bytes =
        client::download_backup(opts, key, f.output, progress, std::chrono::seconds(f.timeout));
    if (bar && bytes) bar->add_file();
    if (bar) bar->finish();
    if (!bytes) fail(bytes.error());
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    char took[32];
    std::snprintf(took, sizeof took, "%.2f", secs);
    log_info("Backup written",
             {{"File", f.output}, {"Bytes", std::to_string(*bytes)}, {"Seconds", took}});
}

}  // namespace

void add_server_backup_command(CLI::App* server, std::shared_ptr<Context> ctx) {
    auto* cmd = server->add_subcommand(
        "backup", "Copy the running server's SQLite database to a file (server owner key)");
    auto f = std::make_shared<BackupFlags>();
    cmd->add_option("-o,--output", f->output, "file to write the copy to")->required();
    cmd->add_flag("--force", f->force, "replace the file if it exists");
    cmd->add_option("--timeout", f->timeout,
                    "seconds to wait for the server at each step (it copies before it sends)")
        ->capture_default_str();
    cmd->callback([ctx, f] { backup(*ctx, *f); });
}

}  // namespace colonies::cli
