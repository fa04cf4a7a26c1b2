// `colonies executor reconciler start` (ours, docs/blueprints.md): the ExecutorDeployment
// reconciler (executors/deployment_reconciler.hpp) until SIGINT or SIGTERM.
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <iostream>
#include <memory>

#include "cli/blueprint_commands.hpp"
#include "cli/output.hpp"
#include "executors/deployment_reconciler.hpp"

extern char** environ;

namespace colonies::cli {
namespace {

struct ReconcilerFlags {
    std::string name = "os-reconciler", type = "os-reconciler", location, logdir;
};

std::atomic<bool> g_stop{false};

void on_signal(int) {
    g_stop = true;
}

// What every replica (`executor os start`) needs: this environment plus the resolved server,
// colony and owner key, however they were given to this command.
std::vector<std::string> replica_env(const client::Options& o, const std::string& colony,
                                     const std::string& colony_prvkey) {
    std::vector<std::string> out;
    for (char** e = environ; e && *e; ++e) {
        const std::string kv = *e;
        if (kv.rfind("COLONIES_SERVER_", 0) == 0 || kv.rfind("COLONIES_COLONY_", 0) == 0 ||
            kv.rfind("COLONIES_TLS=", 0) == 0 || kv.rfind("COLONIES_BLUEPRINT_", 0) == 0)
            continue;
        out.push_back(kv);
    }
    out.push_back("COLONIES_SERVER_HOST=" + o.host);
    out.push_back("COLONIES_SERVER_PORT=" + std::to_string(o.port));
    out.push_back(std::string("COLONIES_TLS=") + (o.tls ? "true" : "false"));
    out.push_back("COLONIES_COLONY_NAME=" + colony);
    out.push_back("COLONIES_COLONY_PRVKEY=" + colony_prvkey);
    return out;
}

void run_reconciler(const Context& ctx, const ReconcilerFlags& f) {
    executors::ReconcilerOptions o;
    o.server = ctx.client_options();
    o.colony = ctx.need_colony();
    o.colony_prvkey = ctx.need_colony_prvkey();
    o.name = f.name;
    o.type = f.type;
    o.location = f.location;
    o.logdir = f.logdir;
    char self[4096];
    const ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) throw CliError("cannot find the colonies binary (/proc/self/exe)");
    o.colonies_binary.assign(self, static_cast<size_t>(n));
    o.env = replica_env(o.server, o.colony, o.colony_prvkey);
    o.log = [](const std::string& msg, const executors::ReconcilerOptions::Fields& fields) {
        log_info(msg, fields);
    };
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGPIPE, SIG_IGN);
    executors::DeploymentReconciler r(std::move(o));
    if (auto s = r.register_executor(); !s) fail(s.error());
    log_info("Reconciler started", {{"Kind", executors::kExecutorDeploymentKind}});
    r.run(g_stop);
    log_info("Stopping the reconciler and its replicas");
    r.shutdown();
    std::cout << std::flush;
    std::cerr << std::flush;
}

}  // namespace

void add_executor_reconciler_command(CLI::App& executor, Ctx ctx) {
    auto* rec = executor.add_subcommand(
        "reconciler", "The ExecutorDeployment reconciler: runs OS executors as blueprints ask");
    rec->require_subcommand(1);
    auto* start = rec->add_subcommand("start", "Register the reconciler and reconcile");
    auto f = std::make_shared<ReconcilerFlags>();
    start->add_option("--name", f->name, "executor name")->capture_default_str();
    start
        ->add_option("--executortype,--type", f->type,
                     "executor type (the definition's handler.executorType)")
        ->capture_default_str();
    start->add_option("--location", f->location, "location of the blueprints it serves");
    start->add_option("--logdir", f->logdir, "replica output to <logdir>/<name>.log");
    start->callback([ctx, f] { run_reconciler(*ctx, *f); });
}

}  // namespace colonies::cli
