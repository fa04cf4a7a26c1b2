// The root of the command tree: global flags, every group, and the translation of parse errors
// and CliError into one "Error: ..." line on stderr plus the exit status of cli.md 6.4.
#include <iostream>
#include <string>

#include "cli/blueprint_commands.hpp"
#include "cli/commands.hpp"
#include "cli/completion.hpp"
#include "cli/output.hpp"
#include "cli/server_command.hpp"
#include "log/log.hpp"

namespace colonies::cli {
namespace {

void add_global_flags(CLI::App& app, Context& ctx) {
    app.add_flag_callback(
        "-v,--verbose",
        [&ctx] {
            ctx.verbose = true;
            log::set_level(log::Level::Debug);
        },
        "debug output and, for `server start`, one log line per request (COLONIES_VERBOSE "
        "overrides)");
    app.add_flag("--insecure", ctx.insecure,
                 "plain HTTP instead of HTTPS (COLONIES_TLS overrides)");
    app.add_flag("--skip-tls-verify", ctx.skip_tls_verify, "do not verify the server certificate");
    app.add_flag("--json", ctx.json, "print JSON instead of tables");
    app.add_option("--host", ctx.host, "server host (COLONIES_SERVER_HOST wins when set)");
    app.add_option("--port", ctx.port, "server port (else COLONIES_SERVER_PORT)");
    app.add_option("--backend", ctx.backend,
                   "http, grpc or coap: the door RPC calls use (else the first of "
                   "COLONIES_CLIENT_BACKENDS, else http)");
    app.add_option("--colonyname,--colonyid", ctx.colony,
                   "colony name (else COLONIES_COLONY_NAME)");
    app.add_option("--prvkey", ctx.prvkey,
                   "private key that signs requests (else COLONIES_PRVKEY)");
    app.add_option("--colonyprvkey", ctx.colony_prvkey,
                   "colony owner key (else COLONIES_COLONY_PRVKEY)");
    app.add_option("--serverprvkey", ctx.server_prvkey,
                   "server owner key (else COLONIES_SERVER_PRVKEY)");
}

// The deepest subcommand that was selected and its command path, e.g. "colonies process get".
const CLI::App* deepest(const CLI::App& app, std::string* path) {
    *path = app.get_name();
    const CLI::App* cur = &app;
    for (;;) {
        auto subs = cur->get_subcommands();
        if (subs.empty()) return cur;
        cur = subs.front();
        *path += " " + cur->get_name();
    }
}

// One line for a usage error; a word where a subcommand was expected reads "unknown command".
std::string usage_message(const CLI::App& app, const CLI::ParseError& e) {
    std::string path;
    const CLI::App* cmd = deepest(app, &path);
    // With fallthrough, a stray word may end up with any command on the path.
    std::vector<std::string> rest = app.remaining();
    for (const CLI::App* a = &app; !a->get_subcommands().empty();) {
        a = a->get_subcommands().front();
        for (auto& r : a->remaining()) rest.push_back(r);
    }
    if (!rest.empty() && !rest.front().empty() && rest.front()[0] != '-' &&
        !cmd->get_subcommands({}).empty())
        return "unknown command \"" + rest.front() + "\" for \"" + path + "\" (see `" + path +
               " --help`)";
    return std::string(e.what()) + " (see `" + path + " --help`)";
}

}  // namespace

void add_removeall_command(CLI::App& group, Ctx ctx, const std::string& noun, RemoveAll remove) {
    struct Flags {
        bool waiting = false, successful = false, failed = false, cancelled = false;
    };
    auto* cmd = group.add_subcommand("removeall", "Remove " + noun + " (colony owner key)");
    auto f = std::make_shared<Flags>();
    cmd->add_flag("--waiting", f->waiting, "only waiting " + noun);
    cmd->add_flag("--successful", f->successful, "only successful " + noun);
    cmd->add_flag("--failed", f->failed, "only failed " + noun);
    cmd->add_flag("--cancelled", f->cancelled, "only cancelled " + noun);
    cmd->callback([ctx, f, noun, remove] {
        if (f->waiting + f->successful + f->failed + f->cancelled > 1)
            throw CliError("Invalid flags, select --waiting, --successful, --failed or --cancelled",
                           kExitUsage);
        const int state = f->waiting      ? 0
                          : f->successful ? 2
                          : f->failed     ? 3
                          : f->cancelled  ? 4
                                          : -1;
        const std::string what = f->waiting      ? "waiting"
                                 : f->successful ? "successful"
                                 : f->failed     ? "failed"
                                 : f->cancelled  ? "cancelled"
                                                 : "all";
        const std::string colony = ctx->need_colony(), key = ctx->need_colony_prvkey();
        if (!confirm("WARNING!!! Are you sure you want to remove " + what + " " + noun +
                     " in colony " + colony + ". This operation cannot be undone! (YES,no): "))
            return;
        auto c = ctx->client();
        remove(c, colony, state, key);
        log_info("Removing all " + what + " " + noun + " in colony " + colony);
    });
}

bool confirm(const std::string& prompt, const std::string& expected) {
    std::cout << prompt << std::flush;
    std::string line;
    std::getline(std::cin, line);
    if (line == expected) return true;
    std::cout << "Aborting ...\n";
    return false;
}

int run(int argc, char** argv) {
    auto ctx = std::make_shared<Context>();
    CLI::App app{"Colonies++: a ColonyOS Colonies server, command line tool and executor",
                 "colonies"};
    // Options of the root (global flags) may follow any subcommand.
    app.fallthrough();
    app.require_subcommand(1);
    add_global_flags(app, *ctx);

    add_root_commands(app, ctx);
    add_dev_command(app, ctx);
    add_server_commands(app, ctx);
    add_security_commands(app, ctx);
    add_colony_commands(app, ctx);
    add_executor_commands(app, ctx);
    add_user_commands(app, ctx);
    add_function_commands(app, ctx);
    add_process_commands(app, ctx);
    add_workflow_commands(app, ctx);
    add_attribute_commands(app, ctx);
    add_log_commands(app, ctx);
    add_cluster_commands(app, ctx);
    add_cron_commands(app, ctx);
    add_generator_commands(app, ctx);
    add_location_commands(app, ctx);
    add_key_rotation_commands(app, ctx);
    add_fs_commands(app, ctx);
    add_monitor_commands(app, ctx);
    add_blueprint_commands(app, ctx);
    add_completion_command(app);

    if (env("COLONIES_VERBOSE") == "true") ctx->verbose = true;
    log::Settings log_settings;
    std::string log_error;
    if (!log::settings_from_env(log_settings, log_error)) {
        std::cerr << "Error: " << log_error << "\n";
        return kExitUsage;
    }
    log::configure(log_settings);
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        std::cerr << "Error: " << usage_message(app, e) << "\n";
        return kExitUsage;
    } catch (const CliError& e) {
        std::cerr << "Error: " << e.what() << "\n";
        return e.code;
    } catch (const std::exception& e) {
        std::cerr << "Error: " << e.what() << "\n";
        return kExitError;
    }
    return 0;
}

}  // namespace colonies::cli
