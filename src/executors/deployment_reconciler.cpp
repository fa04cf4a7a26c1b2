#include "executors/deployment_reconciler.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <set>
#include <thread>

#include "client/blueprints.hpp"
#include "core/json.hpp"
#include "crypto/crypto.hpp"

namespace colonies::executors {
namespace json = boost::json;

namespace {

std::string kwarg_string(const Process& p, const char* key) {
    const auto* v = p.spec.kwargs.if_contains(key);
    return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

// spec.replicas as a whole number (a JSON number of any kind; default 1, never below 0).
int64_t desired_replicas(const Blueprint& b) {
    const auto* v = b.spec.if_contains("replicas");
    if (!v || !v->is_number()) return 1;
    const double d = v->to_number<double>();
    return d < 0 ? 0 : static_cast<int64_t>(d);
}

std::string replica_type(const Blueprint& b) {
    const auto* v = b.spec.if_contains("executorType");
    return v && v->is_string() && !v->get_string().empty() ? std::string(v->get_string())
                                                           : b.metadata.name;
}

bool exited(pid_t pid) {
    int status = 0;
    return waitpid(pid, &status, WNOHANG) == pid;
}

}  // namespace

DeploymentReconciler::DeploymentReconciler(ReconcilerOptions opts) : opts_(std::move(opts)) {}

DeploymentReconciler::~DeploymentReconciler() = default;

void DeploymentReconciler::log(const std::string& msg, const ReconcilerOptions::Fields& fields) {
    if (opts_.log) opts_.log(msg, fields);
}

void DeploymentReconciler::checked(const Status& s, const char* what) {
    if (!s) log(std::string("Failed to ") + what, {{"Error", s.error().message}});
}

Status DeploymentReconciler::register_executor() {
    client::Client c(opts_.server);
    prvkey_ = crypto::generate_private_key();
    auto id = crypto::id_from_private_key(prvkey_);
    if (!id) return id.error();
    executor_id_ = *id;
    Executor e;
    e.executorid = executor_id_;
    e.executortype = opts_.type;
    e.executorname = opts_.name;
    e.colonyname = opts_.colony;
    e.locationname = opts_.location;
    e.lastheardfromtime = Time::now();
    auto added = c.add_executor(e, opts_.colony_prvkey);
    if (!added) {
        // A name left behind by an earlier run: take it over.
        if (!c.remove_executor(opts_.colony, opts_.name, opts_.colony_prvkey)) return added.error();
        added = c.add_executor(e, opts_.colony_prvkey);
        if (!added) return added.error();
    }
    if (auto s = c.approve_executor(opts_.colony, opts_.name, opts_.colony_prvkey); !s) return s;
    log("Reconciler registered",
        {{"ExecutorName", opts_.name}, {"ExecutorType", opts_.type}, {"Location", opts_.location}});
    return ok_status();
}

void DeploymentReconciler::run(const std::atomic<bool>& stop) {
    client::Client c(opts_.server);
    while (!stop) {
        auto p = c.assign(opts_.colony, opts_.assign_timeout_s, prvkey_);
        if (p) {
            handle(c, *p);
        } else if (!p.error().is(ErrorKind::NotFound) && !p.error().is(ErrorKind::Timeout)) {
            log("Assign failed", {{"Error", p.error().message}});
            std::this_thread::sleep_for(std::chrono::seconds(1));
        }
    }
}

void DeploymentReconciler::handle(client::Client& c, const Process& p) {
    const std::string kind = kwarg_string(p, "kind");
    const std::string name = kwarg_string(p, "blueprintName");
    const auto* f = p.spec.kwargs.if_contains("force");
    const bool force = f && f->is_bool() && f->get_bool();
    std::vector<std::string> lines;
    if (p.spec.funcname == "cleanup") {
        cleanup(c, name);
        lines.push_back("Removed the replicas of " + name);
    } else if (p.spec.funcname != "reconcile" || kind != kExecutorDeploymentKind) {
        const std::string why = "not reconciled here: " + p.spec.funcname + " of kind " + kind;
        checked(c.close_failed(p.processid, {why}, prvkey_), "close");
        return;
    } else if (!name.empty()) {
        auto b = client::get_blueprint(c, opts_.colony, name, prvkey_);
        if (b) {
            lines.push_back(reconcile(c, *b, force));
        } else if (b.error().is(ErrorKind::NotFound)) {
            cleanup(c, name);
            lines.push_back("Blueprint " + name + " is gone; its replicas were removed");
        } else {
            checked(c.close_failed(p.processid, {b.error().message}, prvkey_), "close");
            return;
        }
    } else {
        // The cron's pass: every blueprint of the kind here, and nothing for removed ones.
        auto all = client::get_blueprints(c, opts_.colony, kind, opts_.location, prvkey_);
        if (!all) {
            checked(c.close_failed(p.processid, {all.error().message}, prvkey_), "close");
            return;
        }
        std::set<std::string> present;
        for (const auto& b : *all) {
            present.insert(b.metadata.name);
            lines.push_back(reconcile(c, b, force));
        }
        std::vector<std::string> gone;
        for (const auto& [bp, _] : replicas_)
            if (!present.count(bp)) gone.push_back(bp);
        for (const auto& bp : gone) cleanup(c, bp);
    }
    json::array out;
    for (const auto& l : lines) {
        checked(c.add_log(p.processid, l, prvkey_), "log");
        out.emplace_back(l);
    }
    checked(c.close_successful(p.processid, out, prvkey_), "close");
}

std::string DeploymentReconciler::reconcile(client::Client& c, const Blueprint& b, bool force) {
    auto& replicas = replicas_[b.metadata.name];
    reap(c, replicas);
    const int64_t desired = desired_replicas(b);
    const int64_t gen = b.metadata.generation;
    const std::string type = replica_type(b);
    int stopped = 0, started = 0;
    // Outdated (or, forced, all) replicas go first; then the count is made to fit.
    for (auto it = replicas.begin(); it != replicas.end();) {
        if (force || it->generation != gen || static_cast<int64_t>(replicas.size()) > desired) {
            stop_replica(c, *it);
            it = replicas.erase(it);
            ++stopped;
        } else {
            ++it;
        }
    }
    while (static_cast<int64_t>(replicas.size()) < desired) {
        auto r = start_replica(b, type);
        if (!r) {
            log("Failed to start a replica",
                {{"Blueprint", b.metadata.name}, {"Error", r.error().message}});
            break;
        }
        replicas.push_back(std::move(*r));
        ++started;
    }
    report(c, b, replicas, desired, type);
    const std::string line = b.metadata.name + ": " + std::to_string(replicas.size()) + "/" +
                             std::to_string(desired) + " replicas of generation " +
                             std::to_string(gen) + " (started " + std::to_string(started) +
                             ", stopped " + std::to_string(stopped) + ")";
    log("Reconciled", {{"Blueprint", b.metadata.name},
                       {"Replicas", std::to_string(replicas.size())},
                       {"Started", std::to_string(started)},
                       {"Stopped", std::to_string(stopped)}});
    return line;
}

void DeploymentReconciler::cleanup(client::Client& c, const std::string& blueprint) {
    auto it = replicas_.find(blueprint);
    if (it == replicas_.end()) return;
    for (const auto& r : it->second) stop_replica(c, r);
    replicas_.erase(it);
    log("Replicas removed", {{"Blueprint", blueprint}});
}

// A replica that died (killed, crashed) leaves its executor registered: unregister it so that
// it is not counted, and forget it so that it is replaced.
void DeploymentReconciler::reap(client::Client& c, std::vector<Replica>& replicas) {
    for (auto it = replicas.begin(); it != replicas.end();) {
        if (exited(it->pid)) {
            log("Replica ended", {{"ExecutorName", it->name}});
            checked(c.remove_executor(opts_.colony, it->name, opts_.colony_prvkey), "unregister");
            it = replicas.erase(it);
        } else {
            ++it;
        }
    }
}

void DeploymentReconciler::stop_replica(client::Client& c, const Replica& r) {
    kill(r.pid, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(12);
    bool gone = false;
    while (!(gone = exited(r.pid)) && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (!gone) {
        kill(r.pid, SIGKILL);
        waitpid(r.pid, nullptr, 0);
    }
    // It unregisters itself when it stops in time (then this is refused); this covers the
    // other case.
    (void)c.remove_executor(opts_.colony, r.name, opts_.colony_prvkey);
}

Result<DeploymentReconciler::Replica> DeploymentReconciler::start_replica(const Blueprint& b,
                                                                          const std::string& type) {
    Replica r;
    r.generation = b.metadata.generation;
    r.name = b.metadata.name + "-" + crypto::generate_private_key().substr(0, 5) + "-" +
             std::to_string(r.generation);
    std::vector<std::string> args = {
        opts_.colonies_binary, "executor", "os", "start", "--name", r.name, "--executortype", type};
    std::vector<std::string> env = opts_.env;
    env.push_back("COLONIES_BLUEPRINT_ID=" + b.blueprintid);
    env.push_back("COLONIES_BLUEPRINT_GEN=" + std::to_string(r.generation));
    const std::string out =
        opts_.logdir.empty() ? "/dev/null" : opts_.logdir + "/" + r.name + ".log";
    // Everything the child needs is built before fork: it may only make async-signal-safe calls.
    std::vector<char*> argv, envp;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    for (auto& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);
    const pid_t parent = getpid();
    const pid_t pid = fork();
    if (pid < 0) return internal_error("fork failed");
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != parent) _exit(1);
        const int in = open("/dev/null", O_RDONLY);
        const int fd = open(out.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (in < 0 || fd < 0) _exit(126);
        dup2(in, 0);
        dup2(fd, 1);
        dup2(fd, 2);
        for (int i = 3; i < 1024; ++i) close(i);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, nullptr);
        execve(argv[0], argv.data(), envp.data());
        _exit(127);
    }
    r.pid = pid;
    log("Replica started", {{"ExecutorName", r.name},
                            {"ExecutorType", type},
                            {"Generation", std::to_string(r.generation)}});
    return r;
}

void DeploymentReconciler::report(client::Client& c, const Blueprint& b,
                                  const std::vector<Replica>& replicas, int64_t desired,
                                  const std::string& type) {
    const std::string now = format_rfc3339(Time::now());
    json::array instances;
    for (const auto& r : replicas)
        instances.push_back(json::object{{"name", r.name},
                                         {"id", std::to_string(r.pid)},
                                         {"type", "executor"},
                                         {"state", "running"},
                                         {"image", type},
                                         {"lastCheck", now}});
    json::object status{{"runningInstances", static_cast<int64_t>(replicas.size())},
                        {"totalInstances", desired},
                        {"lastUpdated", now},
                        {"instances", std::move(instances)}};
    if (auto s = client::update_blueprint_status(c, opts_.colony, b.metadata.name, status, prvkey_);
        !s)
        log("Failed to report the status",
            {{"Blueprint", b.metadata.name}, {"Error", s.error().message}});
}

void DeploymentReconciler::shutdown() {
    client::Client c(opts_.server);
    std::vector<std::string> names;
    for (const auto& [bp, _] : replicas_) names.push_back(bp);
    for (const auto& bp : names) cleanup(c, bp);
    if (!executor_id_.empty())
        checked(c.remove_executor(opts_.colony, opts_.name, opts_.colony_prvkey), "unregister");
}

}  // namespace colonies::executors
