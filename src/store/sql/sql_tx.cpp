#include "store/sql/sql_tx.hpp"

#include <algorithm>
#include <charconv>

#include "core/function_stats.hpp"
#include "core/json.hpp"
#include "store/record_codec.hpp"

namespace colonies::store::sql {
namespace {

std::string read_text0(const Row& r) {
    return r.text(0);
}

int64_t state_or_any(std::optional<ProcessState> s) {
    return s ? static_cast<int64_t>(*s) : -1;
}

// The shortest text that reads back as the same double (PostgreSQL parses it as float8).
std::string shortest_text(double v) {
    char buf[32];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    return ec == std::errc() ? std::string(buf, end) : "0";
}

}  // namespace

std::optional<std::string> SqlTx::server_id() {
    return one(Stmt::ServerId, {}, read_text0);
}

void SqlTx::set_server_id(const std::string& id) {
    exec(Stmt::SetServerId, {1, id});
}

std::optional<Colony> SqlTx::colony(const std::string& name) {
    return one(Stmt::Colony, {name}, read_colony);
}

std::vector<Colony> SqlTx::colonies() {
    return all(Stmt::Colonies, {}, read_colony);
}

void SqlTx::add_colony(const Colony& c) {
    exec(Stmt::AddColony, {c.name, c.colonyid});
}

void SqlTx::remove_colony(const std::string& name) {
    executor_cache_.reset();
    user_cache_.reset();
    // Before its processes go: the ledger finds its rows through them.
    exec(Stmt::DeleteColonyTransitions, {name});
    exec(Stmt::ResumeColony, {name});
    for (auto s :
         {Stmt::DeleteColonyChannels, Stmt::DeleteColonyGeneratorArgs, Stmt::DeleteColonyGenerators,
          Stmt::DeleteColonyCrons, Stmt::DeleteColonyAttributes, Stmt::DeleteColonyProcesses,
          Stmt::DeleteColonyLogs, Stmt::DeleteColonyGraphs, Stmt::DeleteColonyFunctions,
          Stmt::DeleteColonyExecutors, Stmt::DeleteColonyUsers, Stmt::DeleteColonyLocations,
          Stmt::DeleteColonyFiles, Stmt::DeleteColonySnapshots,
          // Blueprints (features.md 6).
          Stmt::DeleteColonyBlueprintHistory, Stmt::DeleteColonyBlueprints,
          Stmt::DeleteColonyBlueprintDefinitions,
          // The colony last.
          Stmt::DeleteColony})
        exec(s, {name});
}

std::optional<User> SqlTx::user(const std::string& colony, const std::string& name) {
    return one(Stmt::User, {colony, name}, read_user);
}

std::optional<User> SqlTx::user_by_id(const std::string& colony, const std::string& id) {
    if (user_cache_ && user_cache_->id == id && user_cache_->colony == colony)
        return user_cache_->user;
    auto u = one(Stmt::UserById, {colony, id}, read_user);
    user_cache_ = UserLookup{colony, id, u};
    return u;
}

std::vector<User> SqlTx::users(const std::string& colony) {
    return all(Stmt::Users, {colony}, read_user);
}

void SqlTx::add_user(const User& u) {
    user_cache_.reset();
    exec(Stmt::AddUser, {u.colonyname, u.name, u.userid, u.email, u.phone});
}

void SqlTx::remove_user(const std::string& colony, const std::string& name) {
    user_cache_.reset();
    exec(Stmt::RemoveUser, {colony, name});
}

std::optional<Executor> SqlTx::executor(const std::string& colony, const std::string& name) {
    return one(Stmt::Executor, {colony, name}, read_executor);
}

std::optional<Executor> SqlTx::executor_by_id(const std::string& id) {
    if (executor_cache_ && executor_cache_->first == id) return executor_cache_->second;
    auto e = read_executor_by_id(id);
    executor_cache_.emplace(id, e);
    return e;
}

namespace {
// The columns of a row from `first` on, as if they began the row.
class ShiftedRow final : public Row {
  public:
    ShiftedRow(const Row& r, int first) : r_(r), first_(first) {}
    std::string text(int col) const override { return r_.text(col + first_); }
    int64_t integer(int col) const override { return r_.integer(col + first_); }

  private:
    const Row& r_;
    int first_;
};
}  // namespace

// In process (SQLite) two lookups cost less than the union; the caches fill as they are asked.
void SqlTx::prefetch_caller(const std::string& colony, const std::string& id) {
    if (c_.dialect() != Dialect::Postgres) return;
    if (executor_cache_ && executor_cache_->first == id && user_cache_ && user_cache_->id == id &&
        user_cache_->colony == colony)
        return;
    std::optional<Executor> e;
    std::optional<User> u;
    auto read = [&](const Row& r) {
        if (r.integer(0) == 0)
            e = read_executor(ShiftedRow(r, 1));
        else
            u = read_user(ShiftedRow(r, 1));
    };
    c_.run(Stmt::CallerRecords, {colony, id}, read);
    executor_cache_.emplace(id, std::move(e));
    user_cache_ = UserLookup{colony, id, std::move(u)};
}

std::optional<Executor> SqlTx::read_executor_by_id(const std::string& id) {
    if (c_.dialect() == Dialect::Postgres)
        return one(Stmt::ExecutorByIdLiveFirst, {id}, read_executor);
    if (auto live = one(Stmt::LiveExecutorById, {id}, read_executor)) return live;
    return one(Stmt::ExecutorById, {id}, read_executor);
}

std::vector<Executor> SqlTx::executors(const std::string& colony) {
    return all(Stmt::Executors, {colony}, read_executor);
}

void SqlTx::save_executor(const Executor& e) {
    executor_cache_.reset();
    exec(Stmt::SaveExecutor,
         {e.colonyname, e.executorname, e.executorid, static_cast<int64_t>(e.state),
          e.lastheardfromtime.ns, to_text(to_json(e))});
}

void SqlTx::touch_executor(const std::string& id, Time when) {
    executor_cache_.reset();
    exec(Stmt::TouchExecutor, {when.ns, id});
}

std::vector<Executor> SqlTx::silent_executors(Time before) {
    return all(Stmt::SilentExecutors, {Time::kZero, before.ns}, read_executor);
}

int64_t SqlTx::count_executors(const std::string& colony, std::optional<ExecutorState> s) {
    const int64_t state = s ? static_cast<int64_t>(*s) : -1;
    auto n = one(Stmt::CountExecutors, {colony, state}, [](const Row& r) { return r.integer(0); });
    return n.value_or(0);
}

void SqlTx::add_function(const Function& f) {
    exec(Stmt::AddFunction, {f.functionid, f.colonyname, f.executorname, to_text(to_json(f))});
}

std::vector<Function> SqlTx::functions(const std::string& colony, const std::string& executorname) {
    if (executorname.empty()) return all(Stmt::Functions, {colony}, read_function);
    return all(Stmt::FunctionsOfExecutor, {colony, executorname}, read_function);
}

void SqlTx::remove_functions_of(const std::string& colony, const std::string& executor) {
    exec(Stmt::RemoveFunctionsOf, {colony, executor});
}

std::optional<Function> SqlTx::function(const std::string& functionid) {
    return one(Stmt::Function, {functionid}, read_function);
}

void SqlTx::remove_function(const std::string& functionid) {
    exec(Stmt::RemoveFunction, {functionid});
}

void SqlTx::record_function_run(const std::string& colony, const std::string& executorname,
                                const std::string& funcname, double wait_s, double exec_s) {
    if (c_.dialect() == Dialect::Postgres) {
        exec(Stmt::RecordFunctionRun,
             {colony, executorname, funcname, shortest_text(wait_s), shortest_text(exec_s)});
        return;
    }
    for (auto& fn : functions(colony, executorname)) {
        if (fn.funcname != funcname) continue;
        count_function_run(fn, wait_s, exec_s);
        add_function(fn);  // replaces the row
    }
}

// Processes with their attributes: in the same rows (inline_attributes), or read afterwards,
// once the process statement is done with.
std::vector<Process> SqlTx::read_processes(Stmt s, Params p) {
    const bool inline_attrs = inline_attrs_;
    auto ps = all(s, p, [inline_attrs](const Row& r) { return read_process(r, inline_attrs); });
    if (!inline_attrs)
        for (auto& proc : ps)
            proc.attributes = all(Stmt::AttributesOf, {proc.processid}, read_attribute);
    return ps;
}

std::optional<Process> SqlTx::process(const std::string& id) {
    auto ps = read_processes(Stmt::Process, {id});
    if (ps.empty()) return std::nullopt;
    return std::move(ps.front());
}

void SqlTx::save_process(const Process& p, const SpecRequirements& req) {
    Process doc = p;
    doc.attributes.clear();  // kept in their own table
    const auto& c = p.spec.conditions;
    const int64_t nodes = std::max({c.nodes, c.processes, c.processespernode});
    exec(Stmt::SaveProcess, {p.processid,
                             c.colonyname,
                             c.executortype,
                             static_cast<int64_t>(p.state),
                             p.waitforparents,
                             p.prioritytime,
                             joined_names(c.executornames),
                             lower(c.locationname),
                             req.cpu_millis,
                             req.mem_bytes,
                             nodes,
                             p.starttime.ns,
                             p.endtime.ns,
                             p.waitdeadline.ns,
                             p.execdeadline.ns,
                             p.assignedexecutorid,
                             p.processgraphid,
                             p.spec.label,
                             p.initiatorname,
                             to_text(to_json(doc)),
                             p.submissiontime.ns});
}

void SqlTx::remove_process(const std::string& id) {
    exec(Stmt::DeleteProcessTransitions, {id});
    exec(Stmt::DeleteProcessChannels, {id});
    exec(Stmt::DeleteProcessAttributes, {id});
    exec(Stmt::DeleteProcess, {id});
}

std::optional<std::string> SqlTx::find_assignable(const AssignQuery& a) {
    return one(Stmt::FindAssignable,
               {a.colonyname, a.executortype, name_key(a.executorname), lower(a.locationname),
                a.max_cpu_millis, a.max_mem_bytes},
               read_text0);
}

Claim SqlTx::claim_assignable(const AssignQuery& a) {
    Claim out;
    if (c_.dialect() != Dialect::Postgres) {
        out.paused = colony_paused(a.colonyname);
        if (out.paused) return out;
        if (auto id = find_assignable(a)) out.process = process(*id);
        return out;
    }
    auto read = [&](const Row& r) {
        out.paused = r.integer(2) != 0;
        if (!r.text(0).empty()) out.process = read_process(r, true);
    };
    c_.run(Stmt::ClaimAssignable,
           {a.colonyname, a.executortype, name_key(a.executorname), lower(a.locationname),
            a.max_cpu_millis, a.max_mem_bytes},
           read);
    return out;
}

std::vector<Process> SqlTx::processes(const std::string& colony, ProcessState s, int count,
                                      const ProcessFilter& filter) {
    const Stmt stmt = s == ProcessState::Waiting   ? Stmt::ProcessesWaiting
                      : s == ProcessState::Running ? Stmt::ProcessesRunning
                                                   : Stmt::ProcessesFinished;
    return read_processes(stmt, {colony, static_cast<int64_t>(s), count, filter.executortype,
                                 filter.initiatorname, filter.label});
}

void SqlTx::remove_processes(const std::string& colony, std::optional<ProcessState> s) {
    exec(Stmt::DeleteProcessesTransitions, {colony, state_or_any(s)});
    exec(Stmt::DeleteProcessesChannels, {colony, state_or_any(s)});
    exec(Stmt::DeleteProcessesAttributes, {colony, state_or_any(s)});
    exec(Stmt::DeleteProcesses, {colony, state_or_any(s)});
}

std::vector<std::string> SqlTx::expired_running(Time now) {
    return all(Stmt::ExpiredRunning, {Time::kZero, now.ns}, read_text0);
}

std::vector<std::string> SqlTx::expired_waiting(Time now) {
    return all(Stmt::ExpiredWaiting, {Time::kZero, now.ns}, read_text0);
}

std::vector<std::string> SqlTx::running_processes_of(const std::string& executorid) {
    return all(Stmt::RunningProcessesOf, {executorid}, read_text0);
}

ProcessCounts SqlTx::count_processes(const std::string& colony) {
    return counts(colony, Stmt::CountProcessesAll, Stmt::CountProcesses);
}

// Per-state counts of one colony, or of all ("") with a statement of its own: a colony that may
// be '' in the WHERE clause would keep the planner from the colony index.
ProcessCounts SqlTx::counts(const std::string& colony, Stmt of_all, Stmt of_colony) {
    ProcessCounts c;
    auto add = [&c](const Row& r) { add_count(c, r); };
    if (colony.empty())
        c_.run(of_all, {}, add);
    else
        c_.run(of_colony, {colony}, add);
    return c;
}

bool SqlTx::add_attribute(const Attribute& a) {
    return changes(Stmt::AddAttribute, {a.attributeid, a.targetid, to_text(to_json(a))}) > 0;
}

std::optional<Attribute> SqlTx::attribute(const std::string& id) {
    return one(Stmt::Attribute, {id}, read_attribute);
}

void SqlTx::set_attribute_states(const std::string& processid, ProcessState s) {
    if (in_place_attribute_states(c_.dialect())) {
        exec(Stmt::SetAttributeStates, {processid, static_cast<int64_t>(s)});
        return;
    }
    for (auto& a : all(Stmt::AttributesOf, {processid}, read_attribute)) {
        if (a.state == s) continue;
        a.state = s;
        exec(Stmt::UpdateAttributeDoc, {to_text(to_json(a)), a.attributeid});
    }
}

std::optional<ProcessGraph> SqlTx::graph(const std::string& id) {
    return one(Stmt::Graph, {id}, read_graph);
}

void SqlTx::save_graph(const ProcessGraph& g) {
    exec(Stmt::SaveGraph, {g.processgraphid, g.colonyname, static_cast<int64_t>(g.state),
                           g.submissiontime.ns, to_text(to_json(g))});
}

std::vector<ProcessGraph> SqlTx::graphs(const std::string& colony, ProcessState s, int count) {
    return all(Stmt::Graphs, {colony, static_cast<int64_t>(s), count}, read_graph);
}

std::vector<Process> SqlTx::processes_of_graph(const std::string& graphid) {
    return read_processes(Stmt::ProcessesOfGraph, {graphid});
}

void SqlTx::remove_graph(const std::string& id) {
    exec(Stmt::DeleteGraphTransitions, {id});
    exec(Stmt::DeleteGraphChannels, {id});
    exec(Stmt::DeleteGraphAttributes, {id});
    exec(Stmt::DeleteGraphProcesses, {id});
    exec(Stmt::DeleteGraph, {id});
}

void SqlTx::remove_graphs(const std::string& colony, std::optional<ProcessState> s) {
    for (const auto& id : all(Stmt::GraphIdsOf, {colony, state_or_any(s)}, read_text0))
        remove_graph(id);
}

ProcessCounts SqlTx::count_graphs(const std::string& colony) {
    return counts(colony, Stmt::CountGraphsAll, Stmt::CountGraphs);
}

void SqlTx::add_log(const Log& l) {
    exec(Stmt::AddLog, {l.processid, l.colonyname, l.executorname, l.message, l.timestamp});
}

std::vector<Log> SqlTx::logs(const std::string& colony, const std::string& processid,
                             const std::string& executorname, int count, int64_t since,
                             bool latest) {
    const Stmt s = executorname.empty()
                       ? (latest ? Stmt::LatestLogsOfProcess : Stmt::LogsOfProcess)
                       : (latest ? Stmt::LatestLogsOfExecutor : Stmt::LogsOfExecutor);
    auto out = all(s, {colony, processid, executorname, since, count}, read_log);
    if (latest) std::reverse(out.begin(), out.end());
    return out;
}

std::vector<Log> SqlTx::search_logs(const std::string& colony, const std::string& text,
                                    int64_t since, int count) {
    return all(Stmt::SearchLogs, {colony, text, since, count}, read_log);
}

void SqlTx::add_cron(const Cron& c) {
    exec(Stmt::AddCron, {c.cronid, c.colonyname, c.name, c.checkat.ns, to_text(to_json(c))});
}

std::optional<Cron> SqlTx::cron(const std::string& id, bool lock) {
    return one(lock ? Stmt::LockCron : Stmt::Cron, {id}, read_cron);
}

std::optional<Cron> SqlTx::cron_by_name(const std::string& colony, const std::string& name) {
    return one(Stmt::CronByName, {colony, name}, read_cron);
}

std::vector<Cron> SqlTx::crons(const std::string& colony, int count) {
    return all(Stmt::Crons, {colony, count}, read_cron);
}

std::vector<Cron> SqlTx::due_crons(Time now, int count) {
    return all(Stmt::DueCrons, {now.ns, count}, read_cron);
}

void SqlTx::update_cron(const Cron& c) {
    exec(Stmt::UpdateCron, {c.checkat.ns, to_text(to_json(c)), c.cronid});
}

void SqlTx::remove_cron(const std::string& id) {
    exec(Stmt::RemoveCron, {id});
}

std::optional<Generator> SqlTx::generator(const std::string& id) {
    return one(Stmt::Generator, {id}, read_generator);
}

std::optional<Generator> SqlTx::generator_by_name(const std::string& colony,
                                                  const std::string& name) {
    return one(Stmt::GeneratorByName, {colony, name}, read_generator);
}

std::vector<Generator> SqlTx::generators(const std::string& colony, int count) {
    return all(Stmt::Generators, {colony, count}, read_generator);
}

void SqlTx::add_generator(const Generator& g) {
    exec(Stmt::AddGenerator,
         {g.generatorid, g.colonyname, g.name, g.workflowspec, g.trigger, g.timeout, g.firstpack.ns,
          g.lastrun.ns, g.initiatorid, g.initiatorname, int64_t{0}});
}

void SqlTx::remove_generator(const std::string& id) {
    exec(Stmt::DeleteGeneratorArgs, {id});
    exec(Stmt::DeleteGenerator, {id});
}

// The generator row first: on PostgreSQL its lock orders the packs of one generator, so the
// arguments' insertion order is also their commit order.
void SqlTx::pack_generator(const GeneratorArg& a, Time now) {
    if (changes(Stmt::PackGenerator, {a.generatorid, Time::kZero, now.ns}) == 0)
        throw StoreError("pack of unknown generator " + a.generatorid);
    exec(Stmt::AddGeneratorArg, {a.generatorargid, a.generatorid, a.colonyname, a.arg});
}

std::vector<GeneratorArg> SqlTx::generator_args(const std::string& generatorid, int n) {
    return all(Stmt::GeneratorArgs, {generatorid, n}, read_generator_arg);
}

void SqlTx::consume_generator_args(const std::string& generatorid, int n, Time when) {
    const int64_t removed = changes(Stmt::ConsumeGeneratorArgs, {generatorid, n});
    exec(Stmt::GeneratorRan, {generatorid, removed, when.ns});
}

// Both kinds of due, least recently run first; a generator due both ways is listed once.
std::vector<Generator> SqlTx::due_generators(Time now, int limit) {
    auto due = all(Stmt::FullGenerators, {limit}, read_generator);
    for (auto& g : all(Stmt::TimedOutGenerators, {now.unix_seconds(), limit}, read_generator)) {
        const bool listed = std::any_of(due.begin(), due.end(), [&](const Generator& d) {
            return d.generatorid == g.generatorid;
        });
        if (!listed) due.push_back(std::move(g));
    }
    std::stable_sort(due.begin(), due.end(),
                     [](const Generator& a, const Generator& b) { return a.lastrun < b.lastrun; });
    if (due.size() > static_cast<size_t>(std::max(limit, 0))) due.resize(std::max(limit, 0));
    return due;
}

// Locations and key rotation.

bool SqlTx::add_location(const Location& l) {
    if (location(l.colonyname, l.name)) return false;
    exec(Stmt::AddLocation, {l.colonyname, l.name, l.locationid, to_text(to_json(l))});
    return true;
}

std::optional<Location> SqlTx::location(const std::string& colony, const std::string& name) {
    return one(Stmt::Location, {colony, name}, read_location);
}

std::vector<Location> SqlTx::locations(const std::string& colony) {
    return all(Stmt::Locations, {colony}, read_location);
}

void SqlTx::remove_location(const std::string& colony, const std::string& name) {
    exec(Stmt::RemoveLocation, {colony, name});
}

void SqlTx::change_colony_id(const std::string& colony, const std::string& new_id) {
    exec(Stmt::ChangeColonyId, {new_id, colony});
}

void SqlTx::change_user_id(const std::string& colony, const std::string& name,
                           const std::string& new_id) {
    user_cache_.reset();
    exec(Stmt::ChangeUserId, {new_id, colony, name});
}

std::vector<std::string> SqlTx::live_processes_of_initiator(const std::string& colony,
                                                            const std::string& initiatorname) {
    return all(Stmt::LiveProcessesOfInitiator, {colony, initiatorname}, read_text0);
}

void SqlTx::change_generators_initiator(const std::string& colony, const std::string& old_id,
                                        const std::string& new_id) {
    exec(Stmt::ChangeGeneratorsInitiator, {new_id, colony, old_id});
}

// Process history, pause flags, retention (issue 14).

std::vector<Process> SqlTx::process_history(const std::string& colony,
                                            const std::string& executorid, ProcessState s,
                                            Time since) {
    const int64_t state = static_cast<int64_t>(s);
    if (executorid.empty()) return read_processes(Stmt::ProcessHistory, {colony, state, since.ns});
    return read_processes(Stmt::ProcessHistoryOfExecutor, {colony, state, since.ns, executorid});
}

void SqlTx::add_transition(const ProcessTransition& t) {
    exec(Stmt::AddTransition,
         {t.processid, static_cast<int64_t>(t.state), t.event, t.executorid, t.time.ns});
}

std::vector<ProcessTransition> SqlTx::transitions(const std::string& processid) {
    return all(Stmt::Transitions, {processid}, [](const Row& r) {
        return ProcessTransition{r.text(0), static_cast<ProcessState>(r.integer(1)), r.text(2),
                                 r.text(3), Time::from_ns(r.integer(4))};
    });
}

bool SqlTx::colony_paused(const std::string& colony) {
    return one(Stmt::ColonyPaused, {colony}, read_text0).has_value();
}

void SqlTx::set_colony_paused(const std::string& colony, bool paused, Time now) {
    if (paused)
        exec(Stmt::PauseColony, {colony, now.ns});
    else
        exec(Stmt::ResumeColony, {colony});
}

std::vector<std::string> SqlTx::old_successful_processes(const std::string& colony, Time before,
                                                         int limit) {
    return all(Stmt::OldSuccessfulProcesses, {colony, before.ns, limit}, read_text0);
}

std::vector<std::string> SqlTx::old_successful_graphs(const std::string& colony, Time before,
                                                      int limit) {
    return all(Stmt::OldSuccessfulGraphs, {colony, before.ns, limit}, read_text0);
}

int64_t SqlTx::remove_old_logs(Time before, int limit) {
    return changes(Stmt::DeleteOldLogs, {before.ns, limit});
}

ChannelTail SqlTx::channel_tail(const std::string& processid, const std::string& name) {
    auto last = one(Stmt::ChannelTail, {processid, name}, [](const Row& r) {
        return ChannelTail{r.integer(0) + 1, r.integer(1)};
    });
    return last.value_or(ChannelTail{});
}

void SqlTx::append_channel_entry(const std::string& processid, const std::string& name,
                                 int64_t index, int64_t total_bytes, const ChannelEntry& e) {
    exec(Stmt::AddChannelEntry,
         {processid, name, index, e.senderid, e.sequence, total_bytes, to_text(to_json(e))});
}

std::vector<ChannelKey> SqlTx::channel_keys(const std::string& processid, const std::string& name) {
    return all(Stmt::ChannelKeys, {processid, name}, [](const Row& r) {
        return ChannelKey{r.text(0), r.integer(1)};
    });
}

std::vector<IndexedChannelEntry> SqlTx::channel_entries(const std::string& processid,
                                                        const std::string& name, int64_t from,
                                                        int64_t count) {
    const int64_t limit = count > 0 ? count : INT64_MAX;
    return all(Stmt::ChannelEntries, {processid, name, from, limit}, read_channel_entry);
}

void SqlTx::remove_channels(const std::string& processid) {
    exec(Stmt::DeleteProcessChannels, {processid});
}

int64_t SqlTx::add_file(const File& f) {
    File doc = f;
    doc.sequencenr = 0;  // the column is the truth
    exec(Stmt::AddFile,
         {f.fileid, f.colonyname, f.label, f.name, f.added.ns, to_text(to_json(doc))});
    auto seq = one(Stmt::FileSeqNr, {f.fileid}, [](const Row& r) { return r.integer(0); });
    if (!seq) throw StoreError("file " + f.fileid + " not found after insert");
    return *seq;
}

std::optional<File> SqlTx::file(const std::string& colony, const std::string& fileid) {
    return one(Stmt::File, {fileid, colony}, read_file);
}

std::vector<File> SqlTx::file_revisions(const std::string& colony, const std::string& label,
                                        const std::string& name) {
    return all(Stmt::FileRevisions, {colony, label, name}, read_file);
}

std::vector<File> SqlTx::latest_files(const std::string& colony, const std::string& label) {
    std::vector<File> out;
    auto keep_newest = [&out](const Row& r) {
        auto f = read_file(r);
        if (out.empty() || out.back().name != f.name) out.push_back(std::move(f));
    };
    c_.run(Stmt::FilesOfLabel, {colony, label}, keep_newest);
    return out;
}

std::vector<FileLabel> SqlTx::file_labels(const std::string& colony, const std::string& prefix) {
    return all(Stmt::FileLabels, {colony, prefix}, read_file_label);
}

void SqlTx::remove_file(const std::string& colony, const std::string& fileid) {
    exec(Stmt::RemoveFile, {fileid, colony});
}

void SqlTx::remove_file_revisions(const std::string& colony, const std::string& label,
                                  const std::string& name) {
    exec(Stmt::RemoveFileRevisions, {colony, label, name});
}

bool SqlTx::add_snapshot(const Snapshot& s) {
    return changes(Stmt::AddSnapshot,
                   {s.snapshotid, s.colonyname, s.name, s.added.ns, to_text(to_json(s))}) > 0;
}

std::optional<Snapshot> SqlTx::snapshot(const std::string& colony, const std::string& id) {
    return one(Stmt::Snapshot, {id, colony}, read_snapshot);
}

std::optional<Snapshot> SqlTx::snapshot_by_name(const std::string& colony,
                                                const std::string& name) {
    return one(Stmt::SnapshotByName, {colony, name}, read_snapshot);
}

std::vector<Snapshot> SqlTx::snapshots(const std::string& colony) {
    return all(Stmt::Snapshots, {colony}, read_snapshot);
}

void SqlTx::remove_snapshot(const std::string& colony, const std::string& id) {
    exec(Stmt::RemoveSnapshot, {id, colony});
}

void SqlTx::remove_snapshot_by_name(const std::string& colony, const std::string& name) {
    exec(Stmt::RemoveSnapshotByName, {colony, name});
}

}  // namespace colonies::store::sql
