#include "store/sqlite/sqlite_store.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "core/json.hpp"
#include "store/record_codec.hpp"
#include "store/sqlite/coalescing_vfs.hpp"

namespace colonies::store {
namespace {

// Schema versions, applied in order; PRAGMA user_version records how many ran.
const char* const kMigrations[] = {
    R"sql(
CREATE TABLE server (id INTEGER PRIMARY KEY CHECK (id = 1), serverid TEXT NOT NULL);
CREATE TABLE colonies (name TEXT PRIMARY KEY, colonyid TEXT NOT NULL);
CREATE TABLE users (colonyname TEXT NOT NULL, name TEXT NOT NULL, userid TEXT NOT NULL,
  email TEXT NOT NULL, phone TEXT NOT NULL, PRIMARY KEY (colonyname, name));
CREATE INDEX users_by_id ON users (userid);
CREATE TABLE executors (colonyname TEXT NOT NULL, executorname TEXT NOT NULL,
  executorid TEXT NOT NULL, state INTEGER NOT NULL, lastheard INTEGER NOT NULL,
  doc TEXT NOT NULL, PRIMARY KEY (colonyname, executorname));
CREATE INDEX executors_by_id ON executors (executorid);
CREATE TABLE functions (functionid TEXT PRIMARY KEY, colonyname TEXT NOT NULL,
  executorname TEXT NOT NULL, doc TEXT NOT NULL);
CREATE INDEX functions_by_executor ON functions (colonyname, executorname);
CREATE TABLE processes (processid TEXT PRIMARY KEY, colonyname TEXT NOT NULL,
  executortype TEXT NOT NULL, state INTEGER NOT NULL, waitforparents INTEGER NOT NULL,
  prioritytime INTEGER NOT NULL, executornames TEXT NOT NULL, locationname TEXT NOT NULL,
  cpu INTEGER NOT NULL, mem INTEGER NOT NULL, nodes INTEGER NOT NULL,
  starttime INTEGER NOT NULL, endtime INTEGER NOT NULL, waitdeadline INTEGER NOT NULL,
  execdeadline INTEGER NOT NULL, assignedexecutorid TEXT NOT NULL,
  processgraphid TEXT NOT NULL, label TEXT NOT NULL, initiatorname TEXT NOT NULL,
  doc TEXT NOT NULL);
CREATE INDEX processes_ready ON processes (colonyname, executortype, prioritytime)
  WHERE state = 0 AND waitforparents = 0;
CREATE INDEX processes_by_state ON processes (colonyname, state, prioritytime);
CREATE INDEX processes_running ON processes (execdeadline) WHERE state = 1;
CREATE INDEX processes_waiting_deadline ON processes (waitdeadline) WHERE state = 0;
CREATE INDEX processes_by_executor ON processes (assignedexecutorid) WHERE state = 1;
CREATE TABLE attributes (attributeid TEXT PRIMARY KEY, targetid TEXT NOT NULL,
  doc TEXT NOT NULL);
CREATE INDEX attributes_by_target ON attributes (targetid);
)sql",
    R"sql(
CREATE TABLE logs (id INTEGER PRIMARY KEY, processid TEXT NOT NULL, colonyname TEXT NOT NULL,
  executorname TEXT NOT NULL, message TEXT NOT NULL, ts INTEGER NOT NULL);
CREATE INDEX logs_by_process ON logs (processid, ts);
CREATE INDEX logs_by_executor ON logs (colonyname, executorname, ts);
)sql",
    R"sql(
CREATE TABLE processgraphs (processgraphid TEXT PRIMARY KEY, colonyname TEXT NOT NULL,
  state INTEGER NOT NULL, submissiontime INTEGER NOT NULL, doc TEXT NOT NULL);
CREATE INDEX processgraphs_by_state ON processgraphs (colonyname, state, submissiontime);
CREATE INDEX processes_by_graph ON processes (processgraphid) WHERE processgraphid != '';
)sql",
};

class Db {
  public:
    explicit Db(const std::string& path) {
        if (sqlite3_open_v2(path.c_str(), &db_,
                            SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                            coalescing_vfs_name()) != SQLITE_OK) {
            std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
            sqlite3_close(db_);
            throw StoreError("cannot open database " + path + ": " + msg);
        }
    }
    ~Db() {
        for (auto& [_, s] : cache_) sqlite3_finalize(s);
        sqlite3_close(db_);
    }
    void exec(const char* sql) {
        char* err = nullptr;
        if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
            std::string msg = err ? err : "unknown error";
            sqlite3_free(err);
            throw StoreError(msg);
        }
    }
    sqlite3_stmt* prepare(const char* sql) {
        auto it = cache_.find(sql);
        if (it != cache_.end()) {
            sqlite3_reset(it->second);
            sqlite3_clear_bindings(it->second);
            return it->second;
        }
        sqlite3_stmt* s = nullptr;
        if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, nullptr) != SQLITE_OK)
            throw StoreError(std::string("prepare failed: ") + sqlite3_errmsg(db_));
        cache_.emplace(sql, s);
        return s;
    }
    sqlite3* raw() { return db_; }

  private:
    sqlite3* db_ = nullptr;
    std::unordered_map<const char*, sqlite3_stmt*> cache_;  // keyed by the literal's address
};

// One prepared statement in use: bind, step, read columns.
class Q {
  public:
    Q(Db& db, const char* sql) : db_(db), s_(db.prepare(sql)) {}
    ~Q() { sqlite3_reset(s_); }
    Q& bind(const std::string& v) {
        return check(
            sqlite3_bind_text(s_, ++i_, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
    }
    Q& bind(const char* v) { return bind(std::string(v)); }
    Q& bind(int64_t v) { return check(sqlite3_bind_int64(s_, ++i_, v)); }
    Q& bind(int v) { return bind(static_cast<int64_t>(v)); }
    Q& bind(bool v) { return bind(static_cast<int64_t>(v ? 1 : 0)); }
    bool step() {
        int rc = sqlite3_step(s_);
        if (rc == SQLITE_ROW) return true;
        if (rc == SQLITE_DONE) return false;
        throw StoreError(std::string("sqlite: ") + sqlite3_errmsg(db_.raw()));
    }
    void run() { step(); }
    std::string text(int col) {
        auto p = reinterpret_cast<const char*>(sqlite3_column_text(s_, col));
        return p ? std::string(p, sqlite3_column_bytes(s_, col)) : std::string();
    }
    int64_t integer(int col) { return sqlite3_column_int64(s_, col); }

  private:
    // A bind past the statement's parameters (SQLITE_RANGE) is a programming error that would
    // otherwise store NULLs silently.
    Q& check(int rc) {
        if (rc != SQLITE_OK)
            throw StoreError("sqlite bind " + std::to_string(i_) + ": " + sqlite3_errstr(rc));
        return *this;
    }
    Db& db_;
    sqlite3_stmt* s_;
    int i_ = 0;
};

class SqliteTx final : public StoreTx {
  public:
    explicit SqliteTx(Db& db) : db_(db) {}

    std::optional<std::string> server_id() override {
        Q q(db_, "SELECT serverid FROM server WHERE id = 1");
        if (!q.step()) return std::nullopt;
        return q.text(0);
    }
    void set_server_id(const std::string& id) override {
        Q(db_, "INSERT OR REPLACE INTO server (id, serverid) VALUES (1, ?)").bind(id).run();
    }

    std::optional<Colony> colony(const std::string& name) override {
        Q q(db_, "SELECT name, colonyid FROM colonies WHERE name = ?");
        q.bind(name);
        if (!q.step()) return std::nullopt;
        return Colony{q.text(1), q.text(0)};
    }
    std::vector<Colony> colonies() override {
        Q q(db_, "SELECT name, colonyid FROM colonies ORDER BY name");
        std::vector<Colony> out;
        while (q.step()) out.push_back(Colony{q.text(1), q.text(0)});
        return out;
    }
    void add_colony(const Colony& c) override {
        Q(db_, "INSERT INTO colonies (name, colonyid) VALUES (?, ?)")
            .bind(c.name)
            .bind(c.colonyid)
            .run();
    }
    void remove_colony(const std::string& name) override {
        executor_cache_.reset();
        Q(db_,
          "DELETE FROM attributes WHERE targetid IN "
          "(SELECT processid FROM processes WHERE colonyname = ?)")
            .bind(name)
            .run();
        Q(db_, "DELETE FROM processes WHERE colonyname = ?").bind(name).run();
        Q(db_, "DELETE FROM logs WHERE colonyname = ?").bind(name).run();
        Q(db_, "DELETE FROM processgraphs WHERE colonyname = ?").bind(name).run();
        Q(db_, "DELETE FROM functions WHERE colonyname = ?").bind(name).run();
        Q(db_, "DELETE FROM executors WHERE colonyname = ?").bind(name).run();
        Q(db_, "DELETE FROM users WHERE colonyname = ?").bind(name).run();
        Q(db_, "DELETE FROM colonies WHERE name = ?").bind(name).run();
    }

    static User read_user(Q& q) {
        return User{q.text(0), q.text(1), q.text(2), q.text(3), q.text(4)};
    }
    std::optional<User> user(const std::string& colony, const std::string& name) override {
        Q q(db_,
            "SELECT colonyname, userid, name, email, phone FROM users "
            "WHERE colonyname = ? AND name = ?");
        q.bind(colony).bind(name);
        if (!q.step()) return std::nullopt;
        return read_user(q);
    }
    std::optional<User> user_by_id(const std::string& colony, const std::string& id) override {
        Q q(db_,
            "SELECT colonyname, userid, name, email, phone FROM users "
            "WHERE colonyname = ? AND userid = ?");
        q.bind(colony).bind(id);
        if (!q.step()) return std::nullopt;
        return read_user(q);
    }
    std::vector<User> users(const std::string& colony) override {
        Q q(db_,
            "SELECT colonyname, userid, name, email, phone FROM users "
            "WHERE colonyname = ? ORDER BY name");
        q.bind(colony);
        std::vector<User> out;
        while (q.step()) out.push_back(read_user(q));
        return out;
    }
    void add_user(const User& u) override {
        Q(db_, "INSERT INTO users (colonyname, name, userid, email, phone) VALUES (?,?,?,?,?)")
            .bind(u.colonyname)
            .bind(u.name)
            .bind(u.userid)
            .bind(u.email)
            .bind(u.phone)
            .run();
    }
    void remove_user(const std::string& colony, const std::string& name) override {
        Q(db_, "DELETE FROM users WHERE colonyname = ? AND name = ?").bind(colony).bind(name).run();
    }

    static Executor read_executor(Q& q) {
        auto e = decode_doc<Executor>(q.text(0), executor_from_json);
        e.state = static_cast<ExecutorState>(q.integer(1));
        e.lastheardfromtime = Time::from_ns(q.integer(2));
        return e;
    }
    std::optional<Executor> executor(const std::string& colony, const std::string& name) override {
        Q q(db_,
            "SELECT doc, state, lastheard FROM executors WHERE colonyname = ? AND executorname = "
            "?");
        q.bind(colony).bind(name);
        if (!q.step()) return std::nullopt;
        return read_executor(q);
    }
    std::optional<Executor> executor_by_id(const std::string& id) override {
        // A request looks its caller up several times (membership, then the operation itself,
        // then function statistics): keep the decoded record until the job ends or an executor
        // row is written.
        if (executor_cache_ && executor_cache_->first == id) return executor_cache_->second;
        auto e = read_executor_by_id(id);
        executor_cache_.emplace(id, e);
        return e;
    }
    std::optional<Executor> read_executor_by_id(const std::string& id) {
        // An UNREGISTERED record may share its id with a live one re-added under another name;
        // prefer the live record. Two lookups rather than ORDER BY state = 3: that sort builds
        // a temporary b-tree on every call, and this runs several times per request.
        {
            Q q(db_,
                "SELECT doc, state, lastheard FROM executors WHERE executorid = ? AND state != 3 "
                "LIMIT 1");
            q.bind(id);
            if (q.step()) return read_executor(q);
        }
        Q q(db_, "SELECT doc, state, lastheard FROM executors WHERE executorid = ? LIMIT 1");
        q.bind(id);
        if (!q.step()) return std::nullopt;
        return read_executor(q);
    }
    std::vector<Executor> executors(const std::string& colony) override {
        Q q(db_,
            "SELECT doc, state, lastheard FROM executors WHERE colonyname = ? "
            "ORDER BY executorname");
        q.bind(colony);
        std::vector<Executor> out;
        while (q.step()) out.push_back(read_executor(q));
        return out;
    }
    void save_executor(const Executor& e) override {
        executor_cache_.reset();
        Q(db_,
          "INSERT OR REPLACE INTO executors "
          "(colonyname, executorname, executorid, state, lastheard, doc) VALUES (?,?,?,?,?,?)")
            .bind(e.colonyname)
            .bind(e.executorname)
            .bind(e.executorid)
            .bind(static_cast<int64_t>(e.state))
            .bind(e.lastheardfromtime.ns)
            .bind(to_text(to_json(e)))
            .run();
    }
    void touch_executor(const std::string& id, Time when) override {
        executor_cache_.reset();
        Q(db_, "UPDATE executors SET lastheard = ? WHERE executorid = ? AND state != 3")
            .bind(when.ns)
            .bind(id)
            .run();
    }
    std::vector<Executor> silent_executors(Time before) override {
        Q q(db_,
            "SELECT doc, state, lastheard FROM executors WHERE state != 3 "
            "AND lastheard > ? AND lastheard < ?");
        q.bind(Time::kZero).bind(before.ns);
        std::vector<Executor> out;
        while (q.step()) out.push_back(read_executor(q));
        return out;
    }
    int64_t count_executors(const std::string& colony, std::optional<ExecutorState> s) override {
        if (s) {
            Q q(db_,
                "SELECT count(*) FROM executors WHERE (?1 = '' OR colonyname = ?1) AND state = ?2");
            q.bind(colony).bind(static_cast<int64_t>(*s));
            q.step();
            return q.integer(0);
        }
        Q q(db_, "SELECT count(*) FROM executors WHERE (?1 = '' OR colonyname = ?1)");
        q.bind(colony);
        q.step();
        return q.integer(0);
    }

    void add_function(const Function& f) override {
        Q(db_,
          "INSERT OR REPLACE INTO functions (functionid, colonyname, executorname, doc) "
          "VALUES (?,?,?,?)")
            .bind(f.functionid)
            .bind(f.colonyname)
            .bind(f.executorname)
            .bind(to_text(to_json(f)))
            .run();
    }
    std::vector<Function> functions(const std::string& colony,
                                    const std::string& executorname) override {
        Q q(db_,
            "SELECT doc FROM functions WHERE colonyname = ?1 AND (?2 = '' OR executorname = ?2) "
            "ORDER BY executorname, functionid");
        q.bind(colony).bind(executorname);
        std::vector<Function> out;
        while (q.step()) out.push_back(decode_doc<Function>(q.text(0), function_from_json));
        return out;
    }
    std::optional<Function> function(const std::string& functionid) override {
        Q q(db_, "SELECT doc FROM functions WHERE functionid = ?");
        q.bind(functionid);
        if (!q.step()) return std::nullopt;
        return decode_doc<Function>(q.text(0), function_from_json);
    }
    void remove_function(const std::string& functionid) override {
        Q(db_, "DELETE FROM functions WHERE functionid = ?").bind(functionid).run();
    }
    void remove_functions_of(const std::string& colony, const std::string& executor) override {
        Q(db_, "DELETE FROM functions WHERE colonyname = ? AND executorname = ?")
            .bind(colony)
            .bind(executor)
            .run();
    }

    std::vector<Attribute> attributes_of(const std::string& processid) {
        Q q(db_, "SELECT doc FROM attributes WHERE targetid = ? ORDER BY rowid");
        q.bind(processid);
        std::vector<Attribute> out;
        while (q.step()) out.push_back(decode_doc<Attribute>(q.text(0), attribute_from_json));
        return out;
    }
    Process read_process(const std::string& doc) {
        auto p = decode_doc<Process>(doc, process_from_json);
        p.attributes = attributes_of(p.processid);
        return p;
    }
    std::optional<Process> process(const std::string& id) override {
        Q q(db_, "SELECT doc FROM processes WHERE processid = ?");
        q.bind(id);
        if (!q.step()) return std::nullopt;
        return read_process(q.text(0));
    }
    void save_process(const Process& p, const SpecRequirements& req) override {
        Process doc = p;
        doc.attributes.clear();  // kept in their own table
        const auto& c = p.spec.conditions;
        int64_t nodes = std::max({c.nodes, c.processes, c.processespernode});
        Q(db_,
          "INSERT OR REPLACE INTO processes (processid, colonyname, executortype, state, "
          "waitforparents, prioritytime, executornames, locationname, cpu, mem, nodes, "
          "starttime, endtime, waitdeadline, execdeadline, assignedexecutorid, "
          "processgraphid, label, initiatorname, doc) "
          "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")
            .bind(p.processid)
            .bind(c.colonyname)
            .bind(c.executortype)
            .bind(static_cast<int64_t>(p.state))
            .bind(p.waitforparents)
            .bind(p.prioritytime)
            .bind(joined_names(c.executornames))
            .bind(lower(c.locationname))
            .bind(req.cpu_millis)
            .bind(req.mem_bytes)
            .bind(nodes)
            .bind(p.starttime.ns)
            .bind(p.endtime.ns)
            .bind(p.waitdeadline.ns)
            .bind(p.execdeadline.ns)
            .bind(p.assignedexecutorid)
            .bind(p.processgraphid)
            .bind(p.spec.label)
            .bind(p.initiatorname)
            .bind(to_text(to_json(doc)))
            .run();
    }
    void remove_process(const std::string& id) override {
        Q(db_, "DELETE FROM attributes WHERE targetid = ?").bind(id).run();
        Q(db_, "DELETE FROM processes WHERE processid = ?").bind(id).run();
    }
    std::optional<std::string> find_assignable(const AssignQuery& a) override {
        Q q(db_,
            "SELECT processid FROM processes WHERE colonyname = ? AND executortype = ? "
            "AND state = 0 AND waitforparents = 0 "
            "AND (executornames = '' OR instr(executornames, ?) > 0) "
            "AND (locationname = '' OR locationname = ?) "
            "AND cpu <= ? AND mem <= ? AND nodes <= 127 "
            "ORDER BY prioritytime LIMIT 1");
        q.bind(a.colonyname)
            .bind(a.executortype)
            .bind("\x1f" + a.executorname + "\x1f")
            .bind(lower(a.locationname))
            .bind(a.max_cpu_millis)
            .bind(a.max_mem_bytes);
        if (!q.step()) return std::nullopt;
        return q.text(0);
    }
    std::vector<Process> processes(const std::string& colony, ProcessState s, int count,
                                   const ProcessFilter& filter) override {
        // ?1 colony, ?2 state, ?3 count, ?4 executortype, ?5 initiatorname, ?6 label ('' = any)
#define COLONIES_LIST_SQL(order)                                              \
    "SELECT doc FROM processes WHERE colonyname = ?1 AND state = ?2 "         \
    "AND (?4 = '' OR executortype = ?4) AND (?5 = '' OR initiatorname = ?5) " \
    "AND (?6 = '' OR label = ?6) ORDER BY " order " LIMIT ?3"
        const char* sql = s == ProcessState::Waiting   ? COLONIES_LIST_SQL("prioritytime")
                          : s == ProcessState::Running ? COLONIES_LIST_SQL("starttime")
                                                       : COLONIES_LIST_SQL("endtime DESC");
#undef COLONIES_LIST_SQL
        Q q(db_, sql);
        q.bind(colony).bind(static_cast<int64_t>(s)).bind(count);
        q.bind(filter.executortype).bind(filter.initiatorname).bind(filter.label);
        std::vector<std::string> docs;
        while (q.step()) docs.push_back(q.text(0));
        std::vector<Process> out;
        for (const auto& d : docs) out.push_back(read_process(d));
        return out;
    }
    void remove_processes(const std::string& colony, std::optional<ProcessState> s) override {
        int64_t st = s ? static_cast<int64_t>(*s) : -1;
        Q(db_,
          "DELETE FROM attributes WHERE targetid IN (SELECT processid FROM processes "
          "WHERE colonyname = ?1 AND processgraphid = '' AND (?2 = -1 OR state = ?2))")
            .bind(colony)
            .bind(st)
            .run();
        Q(db_,
          "DELETE FROM processes WHERE colonyname = ?1 AND processgraphid = '' "
          "AND (?2 = -1 OR state = ?2)")
            .bind(colony)
            .bind(st)
            .run();
    }
    std::vector<std::string> ids(Q& q) {
        std::vector<std::string> out;
        while (q.step()) out.push_back(q.text(0));
        return out;
    }
    std::vector<std::string> expired_running(Time now) override {
        Q q(db_,
            "SELECT processid FROM processes WHERE state = 1 AND execdeadline > ? "
            "AND execdeadline < ?");
        q.bind(Time::kZero).bind(now.ns);
        return ids(q);
    }
    std::vector<std::string> expired_waiting(Time now) override {
        Q q(db_,
            "SELECT processid FROM processes WHERE state = 0 AND waitdeadline > ? "
            "AND waitdeadline < ?");
        q.bind(Time::kZero).bind(now.ns);
        return ids(q);
    }
    std::vector<std::string> running_processes_of(const std::string& executorid) override {
        Q q(db_, "SELECT processid FROM processes WHERE state = 1 AND assignedexecutorid = ?");
        q.bind(executorid);
        return ids(q);
    }
    ProcessCounts count_processes(const std::string& colony) override {
        Q q(db_,
            "SELECT state, count(*) FROM processes WHERE (?1 = '' OR colonyname = ?1) "
            "GROUP BY state");
        q.bind(colony);
        return read_counts(q);
    }

    bool add_attribute(const Attribute& a) override {
        Q q(db_, "INSERT OR IGNORE INTO attributes (attributeid, targetid, doc) VALUES (?,?,?)");
        q.bind(a.attributeid).bind(a.targetid).bind(to_text(to_json(a)));
        q.run();
        return sqlite3_changes(db_.raw()) > 0;
    }
    std::optional<Attribute> attribute(const std::string& id) override {
        Q q(db_, "SELECT doc FROM attributes WHERE attributeid = ?");
        q.bind(id);
        if (!q.step()) return std::nullopt;
        return decode_doc<Attribute>(q.text(0), attribute_from_json);
    }
    void set_attribute_states(const std::string& processid, ProcessState s) override {
        auto attrs = attributes_of(processid);
        for (auto& a : attrs) {
            if (a.state == s) continue;
            a.state = s;
            Q(db_, "UPDATE attributes SET doc = ? WHERE attributeid = ?")
                .bind(to_text(to_json(a)))
                .bind(a.attributeid)
                .run();
        }
    }

    std::optional<ProcessGraph> graph(const std::string& id) override {
        Q q(db_, "SELECT doc FROM processgraphs WHERE processgraphid = ?");
        q.bind(id);
        if (!q.step()) return std::nullopt;
        return decode_doc<ProcessGraph>(q.text(0), process_graph_from_json);
    }
    void save_graph(const ProcessGraph& g) override {
        Q(db_,
          "INSERT OR REPLACE INTO processgraphs (processgraphid, colonyname, state, "
          "submissiontime, doc) VALUES (?,?,?,?,?)")
            .bind(g.processgraphid)
            .bind(g.colonyname)
            .bind(static_cast<int64_t>(g.state))
            .bind(g.submissiontime.ns)
            .bind(to_text(to_json(g)))
            .run();
    }
    std::vector<ProcessGraph> graphs(const std::string& colony, ProcessState s,
                                     int count) override {
        Q q(db_,
            "SELECT doc FROM processgraphs WHERE colonyname = ? AND state = ? "
            "ORDER BY submissiontime DESC LIMIT ?");
        q.bind(colony).bind(static_cast<int64_t>(s)).bind(count);
        std::vector<ProcessGraph> out;
        while (q.step())
            out.push_back(decode_doc<ProcessGraph>(q.text(0), process_graph_from_json));
        return out;
    }
    std::vector<Process> processes_of_graph(const std::string& graphid) override {
        // `processgraphid != ''` lets the planner use the partial index processes_by_graph: it
        // cannot tell that a bound parameter is never empty, and without it every graph step
        // scanned the whole processes table.
        Q q(db_,
            "SELECT doc FROM processes WHERE processgraphid = ? AND processgraphid != '' "
            "ORDER BY rowid");
        q.bind(graphid);
        std::vector<std::string> docs;
        while (q.step()) docs.push_back(q.text(0));
        std::vector<Process> out;
        for (const auto& d : docs) out.push_back(read_process(d));
        return out;
    }
    void remove_graph(const std::string& id) override {
        Q(db_,
          "DELETE FROM attributes WHERE targetid IN "
          "(SELECT processid FROM processes WHERE processgraphid = ? AND processgraphid != '')")
            .bind(id)
            .run();
        Q(db_, "DELETE FROM processes WHERE processgraphid = ? AND processgraphid != ''")
            .bind(id)
            .run();
        Q(db_, "DELETE FROM processgraphs WHERE processgraphid = ?").bind(id).run();
    }
    void remove_graphs(const std::string& colony, std::optional<ProcessState> s) override {
        int64_t st = s ? static_cast<int64_t>(*s) : -1;
        Q q(db_,
            "SELECT processgraphid FROM processgraphs WHERE colonyname = ?1 "
            "AND (?2 = -1 OR state = ?2)");
        q.bind(colony).bind(st);
        for (const auto& id : ids(q)) remove_graph(id);
    }
    ProcessCounts count_graphs(const std::string& colony) override {
        Q q(db_,
            "SELECT state, count(*) FROM processgraphs WHERE (?1 = '' OR colonyname = ?1) "
            "GROUP BY state");
        q.bind(colony);
        return read_counts(q);
    }
    static ProcessCounts read_counts(Q& q) {
        ProcessCounts c;
        while (q.step()) set_count(c, q.integer(0), q.integer(1));
        return c;
    }

    static Log read_log(Q& q) {
        return Log{q.text(0), q.text(1), q.text(2), q.text(3), q.integer(4)};
    }
    void add_log(const Log& l) override {
        Q(db_,
          "INSERT INTO logs (processid, colonyname, executorname, message, ts) "
          "VALUES (?,?,?,?,?)")
            .bind(l.processid)
            .bind(l.colonyname)
            .bind(l.executorname)
            .bind(l.message)
            .bind(l.timestamp)
            .run();
    }
    std::vector<Log> logs(const std::string& colony, const std::string& processid,
                          const std::string& executorname, int count, int64_t since,
                          bool latest) override {
        // ?1 colony, ?2 process, ?3 executor, ?4 since, ?5 count
        const char* by_process_asc =
            "SELECT processid, colonyname, executorname, message, ts FROM logs "
            "WHERE processid = ?2 AND ts > ?4 ORDER BY ts, id LIMIT ?5";
        const char* by_process_latest =
            "SELECT processid, colonyname, executorname, message, ts FROM logs "
            "WHERE processid = ?2 ORDER BY ts DESC, id DESC LIMIT ?5";
        const char* by_executor_asc =
            "SELECT processid, colonyname, executorname, message, ts FROM logs "
            "WHERE colonyname = ?1 AND executorname = ?3 AND ts > ?4 ORDER BY ts, id LIMIT ?5";
        const char* by_executor_latest =
            "SELECT processid, colonyname, executorname, message, ts FROM logs "
            "WHERE colonyname = ?1 AND executorname = ?3 ORDER BY ts DESC, id DESC LIMIT ?5";
        bool by_executor = !executorname.empty();
        Q q(db_, by_executor ? (latest ? by_executor_latest : by_executor_asc)
                             : (latest ? by_process_latest : by_process_asc));
        q.bind(colony).bind(processid).bind(executorname).bind(since).bind(count);
        std::vector<Log> out;
        while (q.step()) out.push_back(read_log(q));
        if (latest) std::reverse(out.begin(), out.end());
        return out;
    }
    std::vector<Log> search_logs(const std::string& colony, const std::string& text, int64_t since,
                                 int count) override {
        Q q(db_,
            "SELECT processid, colonyname, executorname, message, ts FROM logs "
            "WHERE colonyname = ? AND instr(message, ?) > 0 AND ts >= ? "
            "ORDER BY ts DESC LIMIT ?");
        q.bind(colony).bind(text).bind(since).bind(count);
        std::vector<Log> out;
        while (q.step()) out.push_back(read_log(q));
        return out;
    }

    // Called before every job: a job sees only what it read itself (and a rolled-back job's
    // reads must not outlive it).
    void begin_job() {
        executor_cache_.reset();
    }

  private:
    Db& db_;
    std::optional<std::pair<std::string, std::optional<Executor>>> executor_cache_;
};

class SqliteStore final : public Store {
  public:
    explicit SqliteStore(const SqliteOptions& opts) : opts_(opts), db_(opts.path), tx_(db_) {
        // The server is the database's only user: holding the file lock for good spares the
        // lock and shared-memory system calls of every transaction (three or four per request),
        // and a second server started on the same file is refused instead of corrupting the
        // scheduling of the first.
        db_.exec("PRAGMA locking_mode=EXCLUSIVE");
        try {
            db_.exec("PRAGMA journal_mode=WAL");
        } catch (const StoreError& e) {
            throw StoreError(std::string(e.what()) +
                             " (is another colonies server running on it?)");
        }
        db_.exec("PRAGMA synchronous=FULL");
        db_.exec("PRAGMA foreign_keys=OFF");
        db_.exec("PRAGMA busy_timeout=5000");
        migrate();
        writer_ = std::thread([this] { loop(); });
    }
    ~SqliteStore() override {
        {
            std::lock_guard lk(mu_);
            stopping_ = true;
        }
        cv_.notify_one();
        writer_.join();
    }

    void post(Job job, Done done) override {
        {
            std::lock_guard lk(mu_);
            queue_.push_back(Item{std::move(job), std::move(done), false, {}});
        }
        cv_.notify_one();
    }

  private:
    struct Item {
        Job job;
        Done done;
        bool failed = false;
        std::string error;
    };

    void migrate() {
        int64_t version = 0;
        {
            Q q(db_, "PRAGMA user_version");
            if (q.step()) version = q.integer(0);
        }
        const int64_t target = std::size(kMigrations);
        for (int64_t v = version; v < target; ++v) {
            db_.exec("BEGIN IMMEDIATE");
            try {
                db_.exec(kMigrations[v]);
                db_.exec(("PRAGMA user_version = " + std::to_string(v + 1)).c_str());
                db_.exec("COMMIT");
            } catch (...) {
                db_.exec("ROLLBACK");
                throw;
            }
        }
    }

    void loop() {
        std::vector<Item> batch;
        for (;;) {
            {
                std::unique_lock lk(mu_);
                cv_.wait(lk, [&] { return stopping_ || !queue_.empty(); });
                if (queue_.empty() && stopping_) return;
                while (!queue_.empty() && batch.size() < opts_.max_batch) {
                    batch.push_back(std::move(queue_.front()));
                    queue_.pop_front();
                }
            }
            run_batch(batch);
            batch.clear();
        }
    }

    // Transaction control through the prepared-statement cache: sqlite3_exec would parse the
    // text again for every job on the one serial thread.
    void step(const char* sql) { Q(db_, sql).run(); }

    void run_batch(std::vector<Item>& batch) {
        std::string commit_error;
        try {
            step("BEGIN IMMEDIATE");
        } catch (const StoreError& e) {
            for (auto& it : batch) it.done(false, e.what());
            return;
        }
        for (auto& it : batch) {
            tx_.begin_job();
            step("SAVEPOINT job");
            bool keep = false;
            try {
                keep = it.job(tx_);
            } catch (const StoreError& e) {
                it.failed = true;
                it.error = e.what();
            } catch (const std::exception& e) {
                it.failed = true;
                it.error = std::string("internal error: ") + e.what();
            }
            if (!keep) step("ROLLBACK TO job");
            step("RELEASE job");
        }
        try {
            step("COMMIT");
        } catch (const StoreError& e) {
            commit_error = e.what();
            try {
                db_.exec("ROLLBACK");
            } catch (...) {
            }
        }
        for (auto& it : batch) {
            if (!commit_error.empty())
                it.done(false, "commit failed: " + commit_error);
            else
                it.done(!it.failed, it.error);
        }
    }

    SqliteOptions opts_;
    Db db_;
    SqliteTx tx_;
    std::mutex mu_;
    std::condition_variable cv_;
    std::deque<Item> queue_;
    bool stopping_ = false;
    std::thread writer_;
};

}  // namespace

std::unique_ptr<Store> open_sqlite_store(const SqliteOptions& opts) {
    return std::make_unique<SqliteStore>(opts);
}

}  // namespace colonies::store
