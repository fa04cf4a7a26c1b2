// A reconciler that works out of the box (features.md 6.11): it reconciles blueprints of kind
// `ExecutorDeployment` by running the desired number of OS executors (`colonies executor os
// start` child processes) on this host, each registered with the blueprint's id and generation
// (`blueprintid`, `blueprintgen`).
//
//   spec: {"executorType": "<type of the replicas>", "replicas": <n>}  (replicas default 1)
//
// It registers as an executor (type `os-reconciler` by default) and takes the `reconcile` and
// `cleanup` processes the server submits for the kind: a `reconcile` of one blueprint
// (kwargs.blueprintName) or of every blueprint of the kind at its location (the cron's), and
// `force` replaces every replica. A replica that died is unregistered and replaced, replicas of
// an older generation are replaced, extra ones stopped; then the blueprint's status is reported
// (runningInstances, totalInstances, lastUpdated, instances). `cleanup` stops the replicas of a
// removed blueprint. Replicas die with the reconciler (PR_SET_PDEATHSIG): stopping it stops them.
//
// One thread: run() handles one process at a time; replicas are tracked in memory only.
#pragma once
#include <sys/types.h>

#include <atomic>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "client/client.hpp"
#include "core/blueprint.hpp"
#include "core/result.hpp"

namespace colonies::executors {

inline constexpr const char* kExecutorDeploymentKind = "ExecutorDeployment";

struct ReconcilerOptions {
    client::Options server;
    std::string colony;
    std::string colony_prvkey;  // registers itself and its replicas
    std::string name;
    std::string type = "os-reconciler";
    std::string location;          // the blueprints' location it serves ("" = none)
    std::string colonies_binary;   // started as `<binary> executor os start ...`
    std::vector<std::string> env;  // KEY=VALUE given to every replica
    std::string logdir;            // replica output goes to <logdir>/<name>.log ("" = dropped)
    int assign_timeout_s = 2;
    using Fields = std::vector<std::pair<std::string, std::string>>;
    std::function<void(const std::string& msg, const Fields& fields)> log;
};

class DeploymentReconciler {
  public:
    explicit DeploymentReconciler(ReconcilerOptions opts);
    ~DeploymentReconciler();

    Status register_executor();
    // Takes and handles processes until `stop` is set (checked between long polls).
    void run(const std::atomic<bool>& stop);
    // Stops every replica and removes their executors, then the reconciler's own.
    void shutdown();

  private:
    struct Replica {
        std::string name;
        pid_t pid = -1;
        int64_t generation = 0;
    };
    void handle(client::Client& c, const Process& p);
    // Returns a line for the process log.
    std::string reconcile(client::Client& c, const Blueprint& b, bool force);
    void cleanup(client::Client& c, const std::string& blueprint);
    void reap(client::Client& c, std::vector<Replica>& replicas);
    void stop_replica(client::Client& c, const Replica& r);
    Result<Replica> start_replica(const Blueprint& b, const std::string& type);
    void report(client::Client& c, const Blueprint& b, const std::vector<Replica>& replicas,
                int64_t desired, const std::string& type);
    void log(const std::string& msg, const ReconcilerOptions::Fields& fields = {});
    void checked(const Status& s, const char* what);  // logs a failure

    ReconcilerOptions opts_;
    std::string prvkey_;
    std::string executor_id_;
    std::map<std::string, std::vector<Replica>> replicas_;  // by blueprint name
};

}  // namespace colonies::executors
