// `colonies executor os start` (cli.md 5.2): runs the OS executor of src/executors until
// SIGINT/SIGTERM. Signals are taken synchronously (sigwait on this thread) so the shutdown -
// fail the running processes, unregister - runs as ordinary code, not in a signal handler.
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <memory>

#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "executors/os_executor.hpp"

extern char** environ;

namespace colonies::cli {
namespace {

struct OsFlags {
    std::string name, type, logdir, fsdir;
    int parallel = 1;
    int timeout = 100;
};

std::vector<std::string> current_env() {
    std::vector<std::string> out;
    for (char** e = environ; e && *e; ++e) out.emplace_back(*e);
    return out;
}

void run_os_executor(const Context& ctx, const OsFlags& f) {
    executors::OsExecutorOptions o;
    o.name = !f.name.empty() ? f.name : env("COLONIES_EXECUTOR_NAME");
    o.type = !f.type.empty() ? f.type : env("COLONIES_EXECUTOR_TYPE");
    if (o.name.empty())
        throw CliError("Executor name not specified: pass --name or set COLONIES_EXECUTOR_NAME",
                       kExitUsage);
    if (o.type.empty())
        throw CliError(
            "Executor type not specified: pass --executortype or set COLONIES_EXECUTOR_TYPE",
            kExitUsage);
    if (f.parallel < 1) throw CliError("--parallel must be at least 1", kExitUsage);
    if (f.timeout < 1) throw CliError("--timeout must be at least 1 second", kExitUsage);
    o.colony = ctx.need_colony();
    o.server = ctx.client_options();
    o.colony_prvkey =
        !ctx.colony_prvkey.empty() ? ctx.colony_prvkey : env("COLONIES_COLONY_PRVKEY");
    if (o.colony_prvkey.empty()) o.executor_prvkey = ctx.need_prvkey();  // a registered executor
    o.parallel = f.parallel;
    o.assign_timeout_s = f.timeout;
    o.logdir = !f.logdir.empty() ? f.logdir : env("COLONIES_LOGDIR");
    o.base_env = current_env();
    o.fs_dir = !f.fsdir.empty() ? f.fsdir : env("EXECUTOR_FS_DIR");
    if (o.fs_dir.empty()) o.fs_dir = "/tmp/colonies-fs";
    if (auto s3 = fs::s3_config_from_env()) o.s3 = *s3;  // optional: only `fs` mounts need it
    o.log = [](const std::string& msg, const executors::OsExecutorOptions::Fields& fields) {
        log_info(msg, fields);
    };
    // Set by the ExecutorDeployment reconciler for its replicas (ours, docs/blueprints.md).
    o.blueprintid = env("COLONIES_BLUEPRINT_ID");
    o.blueprintgen = std::atoll(env("COLONIES_BLUEPRINT_GEN").c_str());

    // Block the stop signals in every thread (workers inherit the mask) and wait for them here.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
    signal(SIGPIPE, SIG_IGN);

    executors::OsExecutor ex(std::move(o));
    if (auto s = ex.register_executor(); !s) fail(s.error());
    // A worker that cannot go on asks this thread to shut down like a signal would.
    ex.on_fatal = [] { kill(getpid(), SIGTERM); };
    ex.start();
    log_info("OS executor started",
             {{"ExecutorName", f.name.empty() ? env("COLONIES_EXECUTOR_NAME") : f.name},
              {"Parallel", std::to_string(f.parallel)}});

    int sig = 0;
    sigwait(&stop_signals, &sig);
    const std::string fatal = ex.fatal_error();
    log_info(fatal.empty() ? "Stopping the OS executor" : "Stopping the OS executor after an error",
             {{"Signal", fatal.empty() ? std::to_string(sig) : "-"}});
    ex.shutdown(std::chrono::seconds(10));
    if (auto s = ex.deregister(); !s)
        log_warn("Failed to remove the executor", {{"Error", s.error().message}});
    std::cout << std::flush;
    std::cerr << std::flush;
    if (!fatal.empty()) {
        std::cerr << "Error: " << fatal << "\n" << std::flush;
        std::_Exit(kExitError);
    }
    // Workers may still sit in a long-poll: leave without joining them.
    std::_Exit(0);
}

}  // namespace

void add_executor_os_command(CLI::App& executor, Ctx ctx) {
    auto* os = executor.add_subcommand("os", "The OS executor: runs processes as shell commands");
    os->require_subcommand(1);
    auto* start = os->add_subcommand("start", "Register an OS executor and run processes");
    auto f = std::make_shared<OsFlags>();
    start->add_option("--name,--executorname", f->name,
                      "executor name (else COLONIES_EXECUTOR_NAME)");
    start->add_option("--executortype,--type", f->type,
                      "executor type (else COLONIES_EXECUTOR_TYPE)");
    start->add_option("--parallel", f->parallel, "processes run at the same time")
        ->capture_default_str();
    start->add_option("--timeout", f->timeout, "seconds per assign long-poll")
        ->capture_default_str();
    start->add_option("--logdir", f->logdir,
                      "write <processid>.log files here (else COLONIES_LOGDIR)");
    start->add_option(
        "--fsdir", f->fsdir,
        "local root of ColonyFS mounts (else EXECUTOR_FS_DIR, else /tmp/colonies-fs)");
    start->callback([ctx, f] { run_os_executor(*ctx, *f); });
}

}  // namespace colonies::cli
