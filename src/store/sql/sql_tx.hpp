// StoreTx written once on top of a minimal backend: run a catalogue statement with parameters,
// see each row, learn how many rows changed. SQLite and PostgreSQL each implement SqlConn; the
// stores around them keep only connections, transactions and threads.
#pragma once
#include <initializer_list>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "store/sql/rows.hpp"
#include "store/sql/statements.hpp"
#include "store/store.hpp"

namespace colonies::store::sql {

// A non-owning callable reference for the rows of one run (no allocation per statement).
class RowFn {
  public:
    RowFn() = default;
    template <class F>
    requires(!std::is_same_v<F, RowFn>) RowFn(F& f)
        : obj_(&f), call_([](void* o, const Row& r) { (*static_cast<F*>(o))(r); }) {}
    explicit operator bool() const { return call_ != nullptr; }
    void operator()(const Row& r) const { call_(obj_, r); }

  private:
    void* obj_ = nullptr;
    void (*call_)(void*, const Row&) = nullptr;
};

class SqlConn {
  public:
    virtual Dialect dialect() const = 0;
    // Runs statement s (prepared once per connection) with params; on_row sees every result row
    // and must not run statements itself. Returns the number of rows changed. Throws StoreError.
    virtual int64_t run(Stmt s, std::initializer_list<Param> params, RowFn on_row) = 0;
    // Runs a statement whose row count nobody reads. A backend may send it later, with the
    // job's next statement or its end (PostgreSQL's pipeline), so its failure may surface
    // there, still inside the same job.
    virtual void write(Stmt s, std::initializer_list<Param> params) { run(s, params, {}); }

  protected:
    ~SqlConn() = default;
};

class SqlTx final : public StoreTx {
  public:
    explicit SqlTx(SqlConn& c) : c_(c), inline_attrs_(inline_attributes(c.dialect())) {}

    // Called before every job (and every rerun): a job sees only what it read itself.
    void begin_job() {
        executor_cache_.reset();
        user_cache_.reset();
    }

    std::optional<std::string> server_id() override;
    void set_server_id(const std::string& id) override;

    std::optional<Colony> colony(const std::string& name) override;
    std::vector<Colony> colonies() override;
    void add_colony(const Colony& c) override;
    void remove_colony(const std::string& name) override;

    std::optional<User> user(const std::string& colony, const std::string& name) override;
    std::optional<User> user_by_id(const std::string& colony, const std::string& id) override;
    std::vector<User> users(const std::string& colony) override;
    void add_user(const User& u) override;
    void remove_user(const std::string& colony, const std::string& name) override;

    std::optional<Executor> executor(const std::string& colony, const std::string& name) override;
    std::optional<Executor> executor_by_id(const std::string& id) override;
    void prefetch_caller(const std::string& colony, const std::string& id) override;
    std::vector<Executor> executors(const std::string& colony) override;
    void save_executor(const Executor& e) override;
    void touch_executor(const std::string& id, Time when) override;
    std::vector<Executor> silent_executors(Time before) override;
    int64_t count_executors(const std::string& colony, std::optional<ExecutorState> s) override;

    void add_function(const Function& f) override;
    std::vector<Function> functions(const std::string& colony,
                                    const std::string& executorname) override;
    void remove_functions_of(const std::string& colony, const std::string& executor) override;
    std::optional<Function> function(const std::string& functionid) override;
    void remove_function(const std::string& functionid) override;
    void record_function_run(const std::string& colony, const std::string& executorname,
                             const std::string& funcname, double wait_s, double exec_s) override;

    std::optional<Process> process(const std::string& id) override;
    void save_process(const Process& p, const SpecRequirements& req) override;
    void remove_process(const std::string& id) override;
    std::optional<std::string> find_assignable(const AssignQuery& q) override;
    Claim claim_assignable(const AssignQuery& q) override;
    std::vector<Process> processes(const std::string& colony, ProcessState s, int count,
                                   const ProcessFilter& filter) override;
    void remove_processes(const std::string& colony, std::optional<ProcessState> s) override;
    std::vector<std::string> expired_running(Time now) override;
    std::vector<std::string> expired_waiting(Time now) override;
    std::vector<std::string> running_processes_of(const std::string& executorid) override;
    ProcessCounts count_processes(const std::string& colony) override;

    bool add_attribute(const Attribute& a) override;
    std::optional<Attribute> attribute(const std::string& id) override;
    void set_attribute_states(const std::string& processid, ProcessState s) override;

    std::optional<ProcessGraph> graph(const std::string& id) override;
    void save_graph(const ProcessGraph& g) override;
    std::vector<ProcessGraph> graphs(const std::string& colony, ProcessState s, int count) override;
    std::vector<Process> processes_of_graph(const std::string& graphid) override;
    void remove_graph(const std::string& id) override;
    void remove_graphs(const std::string& colony, std::optional<ProcessState> s) override;
    ProcessCounts count_graphs(const std::string& colony) override;

    void add_log(const Log& l) override;
    std::vector<Log> logs(const std::string& colony, const std::string& processid,
                          const std::string& executorname, int count, int64_t since,
                          bool latest) override;
    std::vector<Log> search_logs(const std::string& colony, const std::string& text, int64_t since,
                                 int count) override;

    void add_cron(const Cron& c) override;
    std::optional<Cron> cron(const std::string& id, bool lock) override;
    std::optional<Cron> cron_by_name(const std::string& colony, const std::string& name) override;
    std::vector<Cron> crons(const std::string& colony, int count) override;
    std::vector<Cron> due_crons(Time now, int count) override;
    void update_cron(const Cron& c) override;
    void remove_cron(const std::string& id) override;
    std::optional<Generator> generator(const std::string& id) override;
    std::optional<Generator> generator_by_name(const std::string& colony,
                                               const std::string& name) override;
    std::vector<Generator> generators(const std::string& colony, int count) override;
    void add_generator(const Generator& g) override;
    void remove_generator(const std::string& id) override;
    void pack_generator(const GeneratorArg& a, Time now) override;
    std::vector<GeneratorArg> generator_args(const std::string& generatorid, int n) override;
    void consume_generator_args(const std::string& generatorid, int n, Time when) override;
    std::vector<Generator> due_generators(Time now, int limit) override;
    bool add_location(const Location& l) override;
    std::optional<Location> location(const std::string& colony, const std::string& name) override;
    std::vector<Location> locations(const std::string& colony) override;
    void remove_location(const std::string& colony, const std::string& name) override;
    void change_colony_id(const std::string& colony, const std::string& new_id) override;
    void change_user_id(const std::string& colony, const std::string& name,
                        const std::string& new_id) override;
    std::vector<std::string> live_processes_of_initiator(const std::string& colony,
                                                         const std::string& initiatorname) override;
    void change_generators_initiator(const std::string& colony, const std::string& old_id,
                                     const std::string& new_id) override;
    std::vector<Process> process_history(const std::string& colony, const std::string& executorid,
                                         ProcessState s, Time since) override;
    void add_transition(const ProcessTransition& t) override;
    std::vector<ProcessTransition> transitions(const std::string& processid) override;
    bool colony_paused(const std::string& colony) override;
    void set_colony_paused(const std::string& colony, bool paused, Time now) override;
    std::vector<std::string> old_successful_processes(const std::string& colony, Time before,
                                                      int limit) override;
    std::vector<std::string> old_successful_graphs(const std::string& colony, Time before,
                                                   int limit) override;
    int64_t remove_old_logs(Time before, int limit) override;
    ChannelTail channel_tail(const std::string& processid, const std::string& name) override;
    void append_channel_entry(const std::string& processid, const std::string& name, int64_t index,
                              int64_t total_bytes, const ChannelEntry& e) override;
    std::vector<ChannelKey> channel_keys(const std::string& processid,
                                         const std::string& name) override;
    std::vector<IndexedChannelEntry> channel_entries(const std::string& processid,
                                                     const std::string& name, int64_t from,
                                                     int64_t count) override;
    void remove_channels(const std::string& processid) override;
    int64_t add_file(const File& f) override;
    std::optional<File> file(const std::string& colony, const std::string& fileid) override;
    std::vector<File> file_revisions(const std::string& colony, const std::string& label,
                                     const std::string& name) override;
    std::vector<File> latest_files(const std::string& colony, const std::string& label) override;
    std::vector<FileLabel> file_labels(const std::string& colony,
                                       const std::string& prefix) override;
    void remove_file(const std::string& colony, const std::string& fileid) override;
    void remove_file_revisions(const std::string& colony, const std::string& label,
                               const std::string& name) override;
    bool add_snapshot(const Snapshot& s) override;
    std::optional<Snapshot> snapshot(const std::string& colony, const std::string& id) override;
    std::optional<Snapshot> snapshot_by_name(const std::string& colony,
                                             const std::string& name) override;
    std::vector<Snapshot> snapshots(const std::string& colony) override;
    void remove_snapshot(const std::string& colony, const std::string& id) override;
    void remove_snapshot_by_name(const std::string& colony, const std::string& name) override;
    // Blueprints (sql_tx_blueprints.cpp).
    bool add_blueprint_definition(const BlueprintDefinition& d) override;
    std::optional<BlueprintDefinition> blueprint_definition(const std::string& colony,
                                                            const std::string& name) override;
    std::vector<BlueprintDefinition> blueprint_definitions(const std::string& colony) override;
    std::optional<BlueprintDefinition> blueprint_definition_by_kind(
        const std::string& colony, const std::string& kind) override;
    void remove_blueprint_definition(const std::string& colony, const std::string& name) override;
    bool add_blueprint(const Blueprint& b) override;
    void save_blueprint(const Blueprint& b) override;
    std::optional<Blueprint> blueprint(const std::string& colony, const std::string& name,
                                       bool lock) override;
    std::optional<Blueprint> blueprint_by_id(const std::string& id) override;
    std::vector<Blueprint> blueprints(const std::string& colony, const std::string& kind,
                                      const std::optional<std::string>& location) override;
    int64_t count_blueprints(const std::string& colony, const std::string& kind) override;
    void remove_blueprint(const std::string& id) override;
    void add_blueprint_history(const BlueprintHistory& h, const std::string& colony) override;
    std::vector<BlueprintHistory> blueprint_history(const std::string& blueprintid,
                                                    int limit) override;

  private:
    using Params = std::initializer_list<Param>;
    void exec(Stmt s, Params p) { c_.write(s, p); }
    int64_t changes(Stmt s, Params p) { return c_.run(s, p, {}); }  // exec, counting rows
    template <class F>
    auto all(Stmt s, Params p, F read) {
        std::vector<decltype(read(std::declval<const Row&>()))> out;
        auto push = [&](const Row& r) { out.push_back(read(r)); };
        c_.run(s, p, push);
        return out;
    }
    template <class F>
    auto one(Stmt s, Params p, F read) {
        std::optional<decltype(read(std::declval<const Row&>()))> out;
        auto take = [&](const Row& r) {
            if (!out) out.emplace(read(r));
        };
        c_.run(s, p, take);
        return out;
    }
    std::vector<Process> read_processes(Stmt s, Params p);
    ProcessCounts counts(const std::string& colony, Stmt of_all, Stmt of_colony);
    std::optional<Executor> read_executor_by_id(const std::string& id);

    SqlConn& c_;
    const bool inline_attrs_;
    // A request looks its caller up several times (membership, then the operation itself, then
    // function statistics): the decoded record is kept until the job ends or an executor row is
    // written.
    std::optional<std::pair<std::string, std::optional<Executor>>> executor_cache_;
    // The same for a caller that is a user (membership, then the initiator's name): keyed by
    // colony and id, dropped when a user row is written.
    struct UserLookup {
        std::string colony, id;
        std::optional<User> user;
    };
    std::optional<UserLookup> user_cache_;
};

}  // namespace colonies::store::sql
