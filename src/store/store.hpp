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

#include "core/blueprint.hpp"
#include "core/channel.hpp"
#include "core/histogram.hpp"
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

// What an assign finds (StoreTx::claim_assignable).
struct Claim {
    bool paused = false;             // the colony's assignments are paused: nothing was read
    std::optional<Process> process;  // the first assignable process, locked, with attributes
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

// A channel's size: entries and payload bytes (features.md 5).
struct ChannelTail {
    int64_t count = 0;
    int64_t bytes = 0;
};
struct IndexedChannelEntry {
    int64_t index = 0;  // 0-based append position in its channel
    ChannelEntry entry;
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
    // A hint before executor_by_id(id) and user_by_id(colony, id): a store across a network may
    // read both now, in one round trip, and answer those two calls from what it read.
    virtual void prefetch_caller(const std::string& colony, const std::string& id) = 0;
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
    // One more run of `funcname` on the executor, folded into its statistics
    // (core/function_stats.hpp); one statement, sent with the job's next one, where the store is
    // across a network.
    virtual void record_function_run(const std::string& colony, const std::string& executorname,
                                     const std::string& funcname, double wait_s, double exec_s) = 0;

    virtual std::optional<Process> process(const std::string& id) = 0;  // with attributes
    // Insert or replace; `req` are the parsed requirements used by find_assignable.
    virtual void save_process(const Process& p, const SpecRequirements& req) = 0;
    virtual void remove_process(const std::string& id) = 0;  // and its attributes
    virtual std::optional<std::string> find_assignable(const AssignQuery& q) = 0;
    // colony_paused, then find_assignable and process: what an assign reads, in one round trip
    // where the store is across a network.
    virtual Claim claim_assignable(const AssignQuery& q) = 0;
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

    // Crons (features.md 1.6). A (colony, name) pair is unique: add_cron of a taken pair fails
    // the job (look with cron_by_name first).
    virtual void add_cron(const Cron& c) = 0;
    // `lock`: the row stays locked until the job ends (PostgreSQL), as due_crons does.
    virtual std::optional<Cron> cron(const std::string& id, bool lock = false) = 0;
    virtual std::optional<Cron> cron_by_name(const std::string& colony,
                                             const std::string& name) = 0;
    virtual std::vector<Cron> crons(const std::string& colony, int count) = 0;  // by name
    // Up to `count` crons with checkat <= now, earliest first, locked; crons locked by another
    // job are passed over. Reads through an index: never the whole table.
    virtual std::vector<Cron> due_crons(Time now, int count) = 0;
    // Writes the fields that change: nextrun, lastrun, prevprocessgraphid and checkat.
    virtual void update_cron(const Cron& c) = 0;
    virtual void remove_cron(const std::string& id) = 0;
    // Generators (features.md 2). A read generator's `queuesize` is its number of queued
    // arguments (kept as a count, no argument is read). generator() locks the row on PostgreSQL
    // until the job ends, which serialises packs and runs of one generator across servers.
    virtual std::optional<Generator> generator(const std::string& id) = 0;
    virtual std::optional<Generator> generator_by_name(const std::string& colony,
                                                       const std::string& name) = 0;
    // Up to `count` generators of a colony, in the order they were added.
    virtual std::vector<Generator> generators(const std::string& colony, int count) = 0;
    // Stored with no queued arguments.
    virtual void add_generator(const Generator& g) = 0;
    virtual void remove_generator(const std::string& id) = 0;  // and its queued arguments
    // Queues `a` last in its generator's FIFO; the first pack ever sets firstpack := now.
    virtual void pack_generator(const GeneratorArg& a, Time now) = 0;
    // The oldest `n` queued arguments, oldest first (FIFO by insertion).
    virtual std::vector<GeneratorArg> generator_args(const std::string& generatorid, int n) = 0;
    // A workflow started: removes the oldest `n` queued arguments and sets lastrun := when.
    virtual void consume_generator_args(const std::string& generatorid, int n, Time when) = 0;
    // Up to `limit` generators due at `now` (features.md 2.3: queued >= trigger, or a timeout
    // past in whole seconds), least recently run first. On PostgreSQL they stay locked until the
    // job ends and a generator another job holds is skipped.
    virtual std::vector<Generator> due_generators(Time now, int limit) = 0;
    // Locations (features.md 7.1), unique by (colonyname, name); any name, ':' included.
    // add_location: false (nothing written) if the colony has a location of that name.
    virtual bool add_location(const Location& l) = 0;
    virtual std::optional<Location> location(const std::string& colony,
                                             const std::string& name) = 0;
    virtual std::vector<Location> locations(const std::string& colony) = 0;  // by name
    virtual void remove_location(const std::string& colony, const std::string& name) = 0;

    // Key rotation (protocol.md 5.15): the colony's owner id; the id of user `name` of a colony.
    // An executor's id changes through save_executor, the server's through set_server_id.
    virtual void change_colony_id(const std::string& colony, const std::string& new_id) = 0;
    virtual void change_user_id(const std::string& colony, const std::string& name,
                                const std::string& new_id) = 0;
    // WAITING and RUNNING processes of a colony whose initiator has this name (a user's live
    // work, which follows the user to a new id).
    virtual std::vector<std::string> live_processes_of_initiator(
        const std::string& colony, const std::string& initiatorname) = 0;
    virtual void change_generators_initiator(const std::string& colony, const std::string& old_id,
                                             const std::string& new_id) = 0;
    // Process history, pause flags and retention (issue 14).
    // Processes of a colony in state s submitted at or after `since`, oldest submission first;
    // only those assigned to `executorid` when it is not "".
    virtual std::vector<Process> process_history(const std::string& colony,
                                                 const std::string& executorid, ProcessState s,
                                                 Time since) = 0;
    // The ledger of state changes, removed with its process.
    virtual void add_transition(const ProcessTransition& t) = 0;
    virtual std::vector<ProcessTransition> transitions(const std::string& processid) = 0;
    virtual bool colony_paused(const std::string& colony) = 0;
    virtual void set_colony_paused(const std::string& colony, bool paused, Time now) = 0;
    // Retention: up to `limit` ids of SUCCESS processes (not of a workflow) and of SUCCESS
    // graphs of a colony submitted before `before`; logs older than `before` (at most `limit`
    // of them removed, oldest first; returns how many).
    virtual std::vector<std::string> old_successful_processes(const std::string& colony,
                                                              Time before, int limit) = 0;
    virtual std::vector<std::string> old_successful_graphs(const std::string& colony, Time before,
                                                           int limit) = 0;
    virtual int64_t remove_old_logs(Time before, int limit) = 0;
    // Channels (features.md 5): a channel is a log of entries in append order, indexes 0, 1, ...
    // A channel without entries has no rows. Removing a process (alone, by colony, by graph)
    // removes its channels too.
    virtual ChannelTail channel_tail(const std::string& processid, const std::string& name) = 0;
    // Adds `e` at `index` (the tail's count); `total_bytes`: the tail's bytes plus this entry's.
    virtual void append_channel_entry(const std::string& processid, const std::string& name,
                                      int64_t index, int64_t total_bytes,
                                      const ChannelEntry& e) = 0;
    // Sender and sequence of every entry, in append order (what the log's order depends on).
    virtual std::vector<ChannelKey> channel_keys(const std::string& processid,
                                                 const std::string& name) = 0;
    // Entries from append index `from` on, at most `count` (<= 0: all), in append order.
    virtual std::vector<IndexedChannelEntry> channel_entries(const std::string& processid,
                                                             const std::string& name, int64_t from,
                                                             int64_t count) = 0;
    virtual void remove_channels(const std::string& processid) = 0;  // every channel of it
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
    // Blueprints (features.md 6), removed with their colony. Definitions are unique by (colony,
    // name): add_blueprint_definition writes nothing and returns false for a taken name.
    virtual bool add_blueprint_definition(const BlueprintDefinition& d) = 0;
    virtual std::optional<BlueprintDefinition> blueprint_definition(const std::string& colony,
                                                                    const std::string& name) = 0;
    virtual std::vector<BlueprintDefinition> blueprint_definitions(
        const std::string& colony) = 0;  // by name
    // The first definition (by name) of the colony whose spec.names.kind is `kind`.
    virtual std::optional<BlueprintDefinition> blueprint_definition_by_kind(
        const std::string& colony, const std::string& kind) = 0;
    virtual void remove_blueprint_definition(const std::string& colony,
                                             const std::string& name) = 0;
    // Blueprints are unique by id and by (colony, name): add_blueprint returns false (nothing
    // written) when either is taken. `lock`: the row stays locked until the job ends
    // (PostgreSQL), so read-modify-write of one blueprint is serialised across servers.
    virtual bool add_blueprint(const Blueprint& b) = 0;
    virtual void save_blueprint(const Blueprint& b) = 0;  // replace by id
    virtual std::optional<Blueprint> blueprint(const std::string& colony, const std::string& name,
                                               bool lock = false) = 0;
    virtual std::optional<Blueprint> blueprint_by_id(const std::string& id) = 0;
    // By name; kind "" = all of the colony; location (case-insensitive) only with a kind, and
    // nullopt = any location ("" is the blueprints without one).
    virtual std::vector<Blueprint> blueprints(const std::string& colony, const std::string& kind,
                                              const std::optional<std::string>& location) = 0;
    virtual int64_t count_blueprints(const std::string& colony, const std::string& kind) = 0;
    virtual void remove_blueprint(const std::string& id) = 0;  // its history stays
    virtual void add_blueprint_history(const BlueprintHistory& h, const std::string& colony) = 0;
    // Newest first; limit <= 0: all.
    virtual std::vector<BlueprintHistory> blueprint_history(const std::string& blueprintid,
                                                            int limit) = 0;
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

    // Monitoring (GET /metrics), readable from any thread: jobs waiting for a worker, and how
    // long each COMMIT took (one per batch on SQLite, one per job on PostgreSQL).
    virtual size_t queued_jobs() const { return 0; }
    const Histogram& commit_latency() const { return commit_latency_; }

  protected:
    Histogram commit_latency_;
};

}  // namespace colonies::store
