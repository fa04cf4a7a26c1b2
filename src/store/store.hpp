// The Store: durable state of the server (protocol.md section 4 objects).
//
// Every operation runs inside Store::post as a job in a transaction. A job's `done` callback runs
// only after its change is durable (or with committed=false if the commit failed). State
// transitions are serialised (protocol.md 6.14): the SQLite store runs every job on one thread,
// the jobs queued at the same moment in one transaction (a savepoint each) committed with one
// sync (group commit, as LevelDB's DBImpl::Write); the PostgreSQL store runs a pool of
// transactions and serialises through row locks (pg_store.hpp). Both implement StoreTx once, in
// sql/sql_tx.hpp.
//
// StoreTx methods throw StoreError on a storage failure; post() catches it, rolls the job back and
// reports committed=false with the message. Jobs return false to roll back their own changes.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/resources.hpp"
#include "core/types.hpp"

namespace colonies::store {

struct StoreError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Why a job failed. A failure's text (Done's `error`) is detail for the server's log: it may
// name hosts, ports, files or SQL, so callers are told only the kind. The kind travels as the
// text's prefix, made by failure_text and read back by failure_kind.
enum class FailureKind {
    Unavailable,  // the database cannot be reached
    Busy,         // the store's queue is full; nothing was run
    InDoubt,      // the connection died during COMMIT: the change may or may not be applied
    Failed,       // anything else
};
std::string failure_text(FailureKind kind, const std::string& detail);
FailureKind failure_kind(const std::string& error);

// What an executor can take (protocol.md 6.4).
struct AssignQuery {
    std::string colonyname;
    std::string executortype;
    std::string executorname;
    std::string locationname;  // executor's location
    int64_t max_cpu_millis = INT64_MAX;
    int64_t max_mem_bytes = INT64_MAX;
};

// At most one field set (protocol.md 5.6 getprocessesmsg precedence is the caller's job).
struct ProcessFilter {
    std::string executortype;
    std::string initiatorname;
    std::string label;
};

struct ProcessCounts {
    int64_t waiting = 0, running = 0, success = 0, failed = 0, cancelled = 0;
};

class StoreTx {
  public:
    virtual ~StoreTx() = default;

    virtual std::optional<std::string> server_id() = 0;
    virtual void set_server_id(const std::string& id) = 0;

    virtual std::optional<Colony> colony(const std::string& name) = 0;
    virtual std::vector<Colony> colonies() = 0;
    virtual void add_colony(const Colony& c) = 0;
    virtual void remove_colony(const std::string& name) = 0;  // and everything in it

    virtual std::optional<User> user(const std::string& colony, const std::string& name) = 0;
    virtual std::optional<User> user_by_id(const std::string& colony, const std::string& id) = 0;
    virtual std::vector<User> users(const std::string& colony) = 0;
    virtual void add_user(const User& u) = 0;
    virtual void remove_user(const std::string& colony, const std::string& name) = 0;

    virtual std::optional<Executor> executor(const std::string& colony,
                                             const std::string& name) = 0;
    virtual std::optional<Executor> executor_by_id(const std::string& id) = 0;
    virtual std::vector<Executor> executors(const std::string& colony) = 0;
    virtual void save_executor(const Executor& e) = 0;  // insert or replace by (colony, name)
    virtual void touch_executor(const std::string& id, Time when) = 0;
    // Live (not UNREGISTERED) executors last heard from before `before` (never-heard ones
    // excluded).
    virtual std::vector<Executor> silent_executors(Time before) = 0;
    virtual int64_t count_executors(const std::string& colony, std::optional<ExecutorState> s) = 0;

    virtual void add_function(const Function& f) = 0;
    virtual std::vector<Function> functions(const std::string& colony,
                                            const std::string& executorname) = 0;  // "" = all
    virtual void remove_functions_of(const std::string& colony, const std::string& executor) = 0;
    virtual std::optional<Function> function(const std::string& functionid) = 0;
    virtual void remove_function(const std::string& functionid) = 0;

    virtual std::optional<Process> process(const std::string& id) = 0;  // with attributes
    // Insert or replace; `req` are the parsed requirements used by find_assignable.
    virtual void save_process(const Process& p, const SpecRequirements& req) = 0;
    virtual void remove_process(const std::string& id) = 0;  // and its attributes
    virtual std::optional<std::string> find_assignable(const AssignQuery& q) = 0;
    // WAITING by prioritytime, RUNNING by starttime, finished by endtime descending.
    virtual std::vector<Process> processes(const std::string& colony, ProcessState s, int count,
                                           const ProcessFilter& filter = {}) = 0;
    // Non-workflow processes of a colony in state s (nullopt = every state).
    virtual void remove_processes(const std::string& colony, std::optional<ProcessState> s) = 0;
    virtual std::vector<std::string> expired_running(Time now) = 0;
    virtual std::vector<std::string> expired_waiting(Time now) = 0;
    virtual std::vector<std::string> running_processes_of(const std::string& executorid) = 0;
    virtual ProcessCounts count_processes(const std::string& colony) = 0;  // "" = all

    // false if an attribute with that id exists already.
    virtual bool add_attribute(const Attribute& a) = 0;
    virtual std::optional<Attribute> attribute(const std::string& id) = 0;
    virtual void set_attribute_states(const std::string& processid, ProcessState s) = 0;

    virtual std::optional<ProcessGraph> graph(const std::string& id) = 0;
    virtual void save_graph(const ProcessGraph& g) = 0;  // insert or replace
    // Up to `count` graphs of a colony in state s, newest submission first.
    virtual std::vector<ProcessGraph> graphs(const std::string& colony, ProcessState s,
                                             int count) = 0;
    virtual std::vector<Process> processes_of_graph(const std::string& graphid) = 0;
    // The graph, its processes and their attributes.
    virtual void remove_graph(const std::string& id) = 0;
    // Graphs of a colony in state s (nullopt = every state), with their processes.
    virtual void remove_graphs(const std::string& colony, std::optional<ProcessState> s) = 0;
    virtual ProcessCounts count_graphs(const std::string& colony) = 0;  // "" = all

    virtual void add_log(const Log& l) = 0;
    // Oldest first. latest: the newest `count`; else entries with timestamp > since (0 = all).
    // Selection by executor name when `executorname` is set, else by process id.
    virtual std::vector<Log> logs(const std::string& colony, const std::string& processid,
                                  const std::string& executorname, int count, int64_t since,
                                  bool latest) = 0;
    // Entries of the colony whose message contains `text` (case-sensitive), timestamp >= since.
    virtual std::vector<Log> search_logs(const std::string& colony, const std::string& text,
                                         int64_t since, int count) = 0;

    // ColonyFS (features.md 4). Every add is a new revision; its `sequencenr` comes from one
    // server-wide sequence (returned). Lookups are within `colony`.
    virtual int64_t add_file(const File& f) = 0;
    virtual std::optional<File> file(const std::string& colony, const std::string& fileid) = 0;
    // Every revision of (label, name), newest first.
    virtual std::vector<File> file_revisions(const std::string& colony, const std::string& label,
                                             const std::string& name) = 0;
    // The newest revision of each name in exactly `label`, by name.
    virtual std::vector<File> latest_files(const std::string& colony, const std::string& label) = 0;
    // Labels starting with `prefix` ("" = all) with their revision counts, by label.
    virtual std::vector<FileLabel> file_labels(const std::string& colony,
                                               const std::string& prefix) = 0;
    virtual void remove_file(const std::string& colony, const std::string& fileid) = 0;
    virtual void remove_file_revisions(const std::string& colony, const std::string& label,
                                       const std::string& name) = 0;
    // false if the colony has a snapshot of that name already.
    virtual bool add_snapshot(const Snapshot& s) = 0;
    virtual std::optional<Snapshot> snapshot(const std::string& colony, const std::string& id) = 0;
    virtual std::optional<Snapshot> snapshot_by_name(const std::string& colony,
                                                     const std::string& name) = 0;
    virtual std::vector<Snapshot> snapshots(const std::string& colony) = 0;  // newest first
    virtual void remove_snapshot(const std::string& colony, const std::string& id) = 0;
    virtual void remove_snapshot_by_name(const std::string& colony, const std::string& name) = 0;
};

class Store {
  public:
    virtual ~Store() = default;
    using Job = std::function<bool(StoreTx&)>;  // false: roll this job back
    using Done = std::function<void(bool committed, const std::string& error)>;
    // Queue a job. `done` runs on the store thread after the job's batch is durable. When the
    // queue holds its bound of jobs already, `done` runs at once, on the caller's thread, with
    // committed=false and a FailureKind::Busy text, and the job never runs.
    virtual void post(Job job, Done done) = 0;
    // Run a job synchronously (start-up, tools). Blocks the caller until durable.
    bool run_sync(Job job, std::string* error = nullptr);
};

}  // namespace colonies::store
