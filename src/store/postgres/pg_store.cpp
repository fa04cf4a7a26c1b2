#include "store/postgres/pg_store.hpp"

#include <libpq-fe.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <random>
#include <thread>
#include <unordered_map>

#include "core/json.hpp"
#include "store/record_codec.hpp"

namespace colonies::store {
namespace {

// Schema versions, applied in order; schema_version records how many ran. Times are Unix
// nanoseconds (Time::kZero for unset), as in the SQLite store.
const char* const kMigrations[] = {
    R"sql(
CREATE TABLE server (id INTEGER PRIMARY KEY CHECK (id = 1), serverid TEXT NOT NULL);
CREATE TABLE colonies (name TEXT PRIMARY KEY, colonyid TEXT NOT NULL);
CREATE TABLE users (colonyname TEXT NOT NULL, name TEXT NOT NULL, userid TEXT NOT NULL,
  email TEXT NOT NULL, phone TEXT NOT NULL, PRIMARY KEY (colonyname, name));
CREATE INDEX users_by_id ON users (userid);
CREATE TABLE executors (colonyname TEXT NOT NULL, executorname TEXT NOT NULL,
  executorid TEXT NOT NULL, state INTEGER NOT NULL, lastheard BIGINT NOT NULL,
  doc TEXT NOT NULL, PRIMARY KEY (colonyname, executorname));
CREATE INDEX executors_by_id ON executors (executorid);
CREATE TABLE functions (functionid TEXT PRIMARY KEY, colonyname TEXT NOT NULL,
  executorname TEXT NOT NULL, doc TEXT NOT NULL);
CREATE INDEX functions_by_executor ON functions (colonyname, executorname);
CREATE TABLE processes (processid TEXT PRIMARY KEY, seq BIGSERIAL, colonyname TEXT NOT NULL,
  executortype TEXT NOT NULL, state INTEGER NOT NULL, waitforparents INTEGER NOT NULL,
  prioritytime BIGINT NOT NULL, executornames TEXT NOT NULL, locationname TEXT NOT NULL,
  cpu BIGINT NOT NULL, mem BIGINT NOT NULL, nodes BIGINT NOT NULL,
  starttime BIGINT NOT NULL, endtime BIGINT NOT NULL, waitdeadline BIGINT NOT NULL,
  execdeadline BIGINT NOT NULL, assignedexecutorid TEXT NOT NULL,
  processgraphid TEXT NOT NULL, label TEXT NOT NULL, initiatorname TEXT NOT NULL,
  doc TEXT NOT NULL);
CREATE INDEX processes_ready ON processes (colonyname, executortype, prioritytime)
  WHERE state = 0 AND waitforparents = 0;
CREATE INDEX processes_by_state ON processes (colonyname, state, prioritytime);
CREATE INDEX processes_running ON processes (execdeadline) WHERE state = 1;
CREATE INDEX processes_waiting_deadline ON processes (waitdeadline) WHERE state = 0;
CREATE INDEX processes_by_executor ON processes (assignedexecutorid) WHERE state = 1;
CREATE INDEX processes_by_graph ON processes (processgraphid, seq) WHERE processgraphid <> '';
CREATE TABLE attributes (attributeid TEXT PRIMARY KEY, seq BIGSERIAL, targetid TEXT NOT NULL,
  doc TEXT NOT NULL);
CREATE INDEX attributes_by_target ON attributes (targetid, seq);
CREATE TABLE logs (id BIGSERIAL PRIMARY KEY, processid TEXT NOT NULL, colonyname TEXT NOT NULL,
  executorname TEXT NOT NULL, message TEXT NOT NULL, ts BIGINT NOT NULL);
CREATE INDEX logs_by_process ON logs (processid, ts);
CREATE INDEX logs_by_executor ON logs (colonyname, executorname, ts);
CREATE TABLE processgraphs (processgraphid TEXT PRIMARY KEY, colonyname TEXT NOT NULL,
  state INTEGER NOT NULL, submissiontime BIGINT NOT NULL, doc TEXT NOT NULL);
CREATE INDEX processgraphs_by_state ON processgraphs (colonyname, state, submissiontime);
)sql",
};

// Failures worth running the job again for: the database resolved a conflict with another
// transaction by aborting this one.
bool retryable(const std::string& sqlstate) {
    return sqlstate == "40001"      // serialization_failure
           || sqlstate == "40P01"   // deadlock_detected
           || sqlstate == "23505"   // unique_violation: another server inserted the same key
           || sqlstate == "55P03";  // lock_not_available (lock_timeout)
}

struct PgError : StoreError {
    PgError(const std::string& msg, std::string state, bool connection_lost)
        : StoreError(msg), sqlstate(std::move(state)), lost(connection_lost) {}
    std::string sqlstate;
    bool lost;
};

// The rows of one statement's result.
class Rows {
  public:
    explicit Rows(PGresult* r) : r_(r, PQclear) {}
    int size() const { return PQntuples(r_.get()); }
    bool empty() const { return size() == 0; }
    std::string text(int row, int col) const {
        return std::string(PQgetvalue(r_.get(), row, col), PQgetlength(r_.get(), row, col));
    }
    int64_t integer(int row, int col) const {
        return std::strtoll(PQgetvalue(r_.get(), row, col), nullptr, 10);
    }
    int64_t affected() const {
        const char* n = PQcmdTuples(r_.get());
        return n && *n ? std::strtoll(n, nullptr, 10) : 0;
    }

  private:
    std::unique_ptr<PGresult, void (*)(PGresult*)> r_;
};

class Conn {
  public:
    Conn(std::string conninfo, std::string schema)
        : conninfo_(std::move(conninfo)), schema_(std::move(schema)) {}
    ~Conn() { close(); }

    void connect() {
        close();
        conn_ = PQconnectdb(conninfo_.c_str());
        if (PQstatus(conn_) != CONNECTION_OK) {
            std::string msg = PQerrorMessage(conn_);
            close();
            throw PgError("cannot connect to PostgreSQL: " + trim(msg), "", true);
        }
        // Notices (e.g. "schema already exists") are not errors; keep them off stderr.
        PQsetNoticeProcessor(
            conn_, [](void*, const char*) {}, nullptr);
        exec("SET lock_timeout = '10s'");
        exec("SET idle_in_transaction_session_timeout = '60s'");
        // Create the schema only when it is missing: CREATE SCHEMA IF NOT EXISTS needs the
        // CREATE privilege on the database even when the schema exists, which a locked-down role
        // of a deployment need not have.
        const char* name[1] = {schema_.c_str()};
        auto found = check(PQexecParams(conn_, "SELECT 1 FROM pg_namespace WHERE nspname = $1", 1,
                                        nullptr, name, nullptr, nullptr, 0));
        if (found.empty()) exec("CREATE SCHEMA IF NOT EXISTS " + quote_ident(schema_));
        exec("SET search_path TO " + quote_ident(schema_));
    }
    bool ok() const { return conn_ && PQstatus(conn_) == CONNECTION_OK; }
    void close() {
        if (conn_) PQfinish(conn_);
        conn_ = nullptr;
        prepared_.clear();
    }

    // A statement without parameters (transaction control, DDL).
    Rows exec(const std::string& sql) {
        if (!conn_) throw PgError("not connected to PostgreSQL", "", true);
        return check(PQexec(conn_, sql.c_str()));
    }
    // A statement with text parameters, prepared once per connection (keyed by the literal).
    Rows run(const char* sql, const std::vector<std::string>& params) {
        if (!conn_) throw PgError("not connected to PostgreSQL", "", true);
        auto it = prepared_.find(sql);
        if (it == prepared_.end()) {
            std::string name = "s" + std::to_string(prepared_.size());
            check(PQprepare(conn_, name.c_str(), sql, 0, nullptr));
            it = prepared_.emplace(sql, std::move(name)).first;
        }
        std::vector<const char*> values;
        values.reserve(params.size());
        for (const auto& p : params) values.push_back(p.c_str());
        return check(PQexecPrepared(conn_, it->second.c_str(), static_cast<int>(values.size()),
                                    values.data(), nullptr, nullptr, 0));
    }

    std::string quote_ident(const std::string& s) {
        if (!conn_) return "\"" + s + "\"";
        char* q = PQescapeIdentifier(conn_, s.data(), s.size());
        if (!q) throw PgError("bad identifier: " + s, "", false);
        std::string out(q);
        PQfreemem(q);
        return out;
    }

  private:
    static std::string trim(std::string s) {
        while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
        return s;
    }
    Rows check(PGresult* r) {
        auto st = PQresultStatus(r);
        if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return Rows(r);
        const char* code = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
        std::string msg = r ? PQresultErrorMessage(r) : PQerrorMessage(conn_);
        std::string state = code ? code : "";
        if (r) PQclear(r);
        const bool lost = PQstatus(conn_) != CONNECTION_OK;
        throw PgError("postgresql: " + trim(msg), state, lost);
    }

    std::string conninfo_, schema_;
    PGconn* conn_ = nullptr;
    std::unordered_map<const char*, std::string> prepared_;
};

// One statement's parameters, as text (PostgreSQL converts them to the column types).
class Q {
  public:
    Q(Conn& c, const char* sql) : c_(c), sql_(sql) {}
    Q& bind(const std::string& v) {
        p_.push_back(v);
        return *this;
    }
    Q& bind(const char* v) { return bind(std::string(v)); }
    Q& bind(int64_t v) { return bind(std::to_string(v)); }
    Q& bind(int v) { return bind(static_cast<int64_t>(v)); }
    Q& bind(bool v) { return bind(static_cast<int64_t>(v ? 1 : 0)); }
    Rows run() { return c_.run(sql_, p_); }

  private:
    Conn& c_;
    const char* sql_;
    std::vector<std::string> p_;
};

ProcessCounts read_counts(const Rows& r) {
    ProcessCounts c;
    for (int i = 0; i < r.size(); ++i) set_count(c, r.integer(i, 0), r.integer(i, 1));
    return c;
}

std::vector<std::string> column0(const Rows& r) {
    std::vector<std::string> out;
    out.reserve(r.size());
    for (int i = 0; i < r.size(); ++i) out.push_back(r.text(i, 0));
    return out;
}

// A process row's attributes as a JSON array of their stored documents (NULL when none), for
// `SELECT p.doc, <this> FROM processes p ...`.
#define COLONIES_PG_ATTRIBUTES \
    "(SELECT json_agg(a.doc ORDER BY a.seq) FROM attributes a WHERE a.targetid = p.processid)"

class PgTx final : public StoreTx {
  public:
    explicit PgTx(Conn& c) : c_(c) {}

    std::optional<std::string> server_id() override {
        auto r = Q(c_, "SELECT serverid FROM server WHERE id = 1").run();
        if (r.empty()) return std::nullopt;
        return r.text(0, 0);
    }
    void set_server_id(const std::string& id) override {
        Q(c_,
          "INSERT INTO server (id, serverid) VALUES (1, $1) "
          "ON CONFLICT (id) DO UPDATE SET serverid = EXCLUDED.serverid")
            .bind(id)
            .run();
    }

    std::optional<Colony> colony(const std::string& name) override {
        auto r = Q(c_, "SELECT name, colonyid FROM colonies WHERE name = $1").bind(name).run();
        if (r.empty()) return std::nullopt;
        return Colony{r.text(0, 1), r.text(0, 0)};
    }
    std::vector<Colony> colonies() override {
        auto r = Q(c_, "SELECT name, colonyid FROM colonies ORDER BY name").run();
        std::vector<Colony> out;
        for (int i = 0; i < r.size(); ++i) out.push_back(Colony{r.text(i, 1), r.text(i, 0)});
        return out;
    }
    void add_colony(const Colony& c) override {
        Q(c_, "INSERT INTO colonies (name, colonyid) VALUES ($1, $2)")
            .bind(c.name)
            .bind(c.colonyid)
            .run();
    }
    void remove_colony(const std::string& name) override {
        Q(c_,
          "DELETE FROM attributes WHERE targetid IN "
          "(SELECT processid FROM processes WHERE colonyname = $1)")
            .bind(name)
            .run();
        Q(c_, "DELETE FROM processes WHERE colonyname = $1").bind(name).run();
        Q(c_, "DELETE FROM logs WHERE colonyname = $1").bind(name).run();
        Q(c_, "DELETE FROM processgraphs WHERE colonyname = $1").bind(name).run();
        Q(c_, "DELETE FROM functions WHERE colonyname = $1").bind(name).run();
        Q(c_, "DELETE FROM executors WHERE colonyname = $1").bind(name).run();
        Q(c_, "DELETE FROM users WHERE colonyname = $1").bind(name).run();
        Q(c_, "DELETE FROM colonies WHERE name = $1").bind(name).run();
    }

    static std::vector<User> read_users(const Rows& r) {
        std::vector<User> out;
        for (int i = 0; i < r.size(); ++i)
            out.push_back(
                User{r.text(i, 0), r.text(i, 1), r.text(i, 2), r.text(i, 3), r.text(i, 4)});
        return out;
    }
    std::optional<User> user(const std::string& colony, const std::string& name) override {
        auto u = read_users(Q(c_,
                              "SELECT colonyname, userid, name, email, phone FROM users "
                              "WHERE colonyname = $1 AND name = $2")
                                .bind(colony)
                                .bind(name)
                                .run());
        if (u.empty()) return std::nullopt;
        return u.front();
    }
    std::optional<User> user_by_id(const std::string& colony, const std::string& id) override {
        auto u = read_users(Q(c_,
                              "SELECT colonyname, userid, name, email, phone FROM users "
                              "WHERE colonyname = $1 AND userid = $2 LIMIT 1")
                                .bind(colony)
                                .bind(id)
                                .run());
        if (u.empty()) return std::nullopt;
        return u.front();
    }
    std::vector<User> users(const std::string& colony) override {
        return read_users(Q(c_,
                            "SELECT colonyname, userid, name, email, phone FROM users "
                            "WHERE colonyname = $1 ORDER BY name")
                              .bind(colony)
                              .run());
    }
    void add_user(const User& u) override {
        Q(c_, "INSERT INTO users (colonyname, name, userid, email, phone) VALUES ($1,$2,$3,$4,$5)")
            .bind(u.colonyname)
            .bind(u.name)
            .bind(u.userid)
            .bind(u.email)
            .bind(u.phone)
            .run();
    }
    void remove_user(const std::string& colony, const std::string& name) override {
        Q(c_, "DELETE FROM users WHERE colonyname = $1 AND name = $2")
            .bind(colony)
            .bind(name)
            .run();
    }

    static std::vector<Executor> read_executors(const Rows& r) {
        std::vector<Executor> out;
        for (int i = 0; i < r.size(); ++i) {
            auto e = decode_doc<Executor>(r.text(i, 0), executor_from_json);
            e.state = static_cast<ExecutorState>(r.integer(i, 1));
            e.lastheardfromtime = Time::from_ns(r.integer(i, 2));
            out.push_back(std::move(e));
        }
        return out;
    }
    std::optional<Executor> executor(const std::string& colony, const std::string& name) override {
        auto e = read_executors(Q(c_,
                                  "SELECT doc, state, lastheard FROM executors "
                                  "WHERE colonyname = $1 AND executorname = $2")
                                    .bind(colony)
                                    .bind(name)
                                    .run());
        if (e.empty()) return std::nullopt;
        return e.front();
    }
    std::optional<Executor> executor_by_id(const std::string& id) override {
        // An UNREGISTERED record may share its id with a live one re-added under another name;
        // prefer the live record.
        auto e = read_executors(Q(c_,
                                  "SELECT doc, state, lastheard FROM executors "
                                  "WHERE executorid = $1 ORDER BY (state = 3) LIMIT 1")
                                    .bind(id)
                                    .run());
        if (e.empty()) return std::nullopt;
        return e.front();
    }
    std::vector<Executor> executors(const std::string& colony) override {
        return read_executors(Q(c_,
                                "SELECT doc, state, lastheard FROM executors "
                                "WHERE colonyname = $1 ORDER BY executorname")
                                  .bind(colony)
                                  .run());
    }
    void save_executor(const Executor& e) override {
        Q(c_,
          "INSERT INTO executors (colonyname, executorname, executorid, state, lastheard, doc) "
          "VALUES ($1,$2,$3,$4,$5,$6) ON CONFLICT (colonyname, executorname) DO UPDATE SET "
          "executorid = EXCLUDED.executorid, state = EXCLUDED.state, "
          "lastheard = EXCLUDED.lastheard, doc = EXCLUDED.doc")
            .bind(e.colonyname)
            .bind(e.executorname)
            .bind(e.executorid)
            .bind(static_cast<int64_t>(e.state))
            .bind(e.lastheardfromtime.ns)
            .bind(to_text(to_json(e)))
            .run();
    }
    void touch_executor(const std::string& id, Time when) override {
        // GREATEST: two servers touching at once must not move the time backwards.
        Q(c_,
          "UPDATE executors SET lastheard = GREATEST(lastheard, $1::bigint) "
          "WHERE executorid = $2 AND state <> 3")
            .bind(when.ns)
            .bind(id)
            .run();
    }
    std::vector<Executor> silent_executors(Time before) override {
        return read_executors(Q(c_,
                                "SELECT doc, state, lastheard FROM executors WHERE state <> 3 "
                                "AND lastheard > $1::bigint AND lastheard < $2::bigint")
                                  .bind(Time::kZero)
                                  .bind(before.ns)
                                  .run());
    }
    int64_t count_executors(const std::string& colony, std::optional<ExecutorState> s) override {
        auto r = Q(c_,
                   "SELECT count(*) FROM executors WHERE ($1 = '' OR colonyname = $1) "
                   "AND ($2::int = -1 OR state = $2::int)")
                     .bind(colony)
                     .bind(s ? static_cast<int64_t>(*s) : int64_t{-1})
                     .run();
        return r.integer(0, 0);
    }

    void add_function(const Function& f) override {
        Q(c_,
          "INSERT INTO functions (functionid, colonyname, executorname, doc) VALUES ($1,$2,$3,$4) "
          "ON CONFLICT (functionid) DO UPDATE SET colonyname = EXCLUDED.colonyname, "
          "executorname = EXCLUDED.executorname, doc = EXCLUDED.doc")
            .bind(f.functionid)
            .bind(f.colonyname)
            .bind(f.executorname)
            .bind(to_text(to_json(f)))
            .run();
    }
    std::vector<Function> functions(const std::string& colony,
                                    const std::string& executorname) override {
        // One executor's functions are read to update their run statistics: lock them, so two
        // closes on two servers do not overwrite each other's counts.
        auto r = executorname.empty()
                     ? Q(c_,
                         "SELECT doc FROM functions WHERE colonyname = $1 "
                         "ORDER BY executorname, functionid")
                           .bind(colony)
                           .run()
                     : Q(c_,
                         "SELECT doc FROM functions WHERE colonyname = $1 AND executorname = $2 "
                         "ORDER BY functionid FOR UPDATE")
                           .bind(colony)
                           .bind(executorname)
                           .run();
        std::vector<Function> out;
        for (int i = 0; i < r.size(); ++i)
            out.push_back(decode_doc<Function>(r.text(i, 0), function_from_json));
        return out;
    }
    std::optional<Function> function(const std::string& functionid) override {
        auto r = Q(c_, "SELECT doc FROM functions WHERE functionid = $1 FOR UPDATE")
                     .bind(functionid)
                     .run();
        if (r.empty()) return std::nullopt;
        return decode_doc<Function>(r.text(0, 0), function_from_json);
    }
    void remove_function(const std::string& functionid) override {
        Q(c_, "DELETE FROM functions WHERE functionid = $1").bind(functionid).run();
    }
    void remove_functions_of(const std::string& colony, const std::string& executor) override {
        Q(c_, "DELETE FROM functions WHERE colonyname = $1 AND executorname = $2")
            .bind(colony)
            .bind(executor)
            .run();
    }

    // Rows of (doc, attributes): the attributes come with the process in the same statement
    // (kAttributesColumn), one round trip instead of one more per process.
    static std::vector<Process> read_processes(const Rows& r) {
        std::vector<Process> out;
        out.reserve(r.size());
        for (int i = 0; i < r.size(); ++i) {
            auto p = decode_doc<Process>(r.text(i, 0), process_from_json);
            const std::string attrs = r.text(i, 1);
            if (!attrs.empty()) {
                boost::system::error_code ec;
                auto v = boost::json::parse(attrs, ec);
                if (ec || !v.is_array())
                    throw StoreError("corrupt attribute list of " + p.processid);
                for (const auto& doc : v.as_array()) {
                    if (!doc.is_string()) throw StoreError("corrupt attribute of " + p.processid);
                    p.attributes.push_back(
                        decode_doc<Attribute>(std::string(doc.get_string()), attribute_from_json));
                }
            }
            out.push_back(std::move(p));
        }
        return out;
    }
    std::optional<Process> process(const std::string& id) override {
        // The row lock serialises every read-modify-write of this process across servers.
        auto r = Q(c_, "SELECT p.doc, " COLONIES_PG_ATTRIBUTES
                       " FROM processes p WHERE p.processid = $1 FOR UPDATE OF p")
                     .bind(id)
                     .run();
        auto ps = read_processes(r);
        if (ps.empty()) return std::nullopt;
        return std::move(ps.front());
    }
    void save_process(const Process& p, const SpecRequirements& req) override {
        Process doc = p;
        doc.attributes.clear();  // kept in their own table
        const auto& c = p.spec.conditions;
        int64_t nodes = std::max({c.nodes, c.processes, c.processespernode});
        Q(c_,
          "INSERT INTO processes (processid, colonyname, executortype, state, waitforparents, "
          "prioritytime, executornames, locationname, cpu, mem, nodes, starttime, endtime, "
          "waitdeadline, execdeadline, assignedexecutorid, processgraphid, label, "
          "initiatorname, doc) "
          "VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20) "
          "ON CONFLICT (processid) DO UPDATE SET colonyname = EXCLUDED.colonyname, "
          "executortype = EXCLUDED.executortype, state = EXCLUDED.state, "
          "waitforparents = EXCLUDED.waitforparents, prioritytime = EXCLUDED.prioritytime, "
          "executornames = EXCLUDED.executornames, locationname = EXCLUDED.locationname, "
          "cpu = EXCLUDED.cpu, mem = EXCLUDED.mem, nodes = EXCLUDED.nodes, "
          "starttime = EXCLUDED.starttime, endtime = EXCLUDED.endtime, "
          "waitdeadline = EXCLUDED.waitdeadline, execdeadline = EXCLUDED.execdeadline, "
          "assignedexecutorid = EXCLUDED.assignedexecutorid, "
          "processgraphid = EXCLUDED.processgraphid, label = EXCLUDED.label, "
          "initiatorname = EXCLUDED.initiatorname, doc = EXCLUDED.doc")
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
        Q(c_, "DELETE FROM attributes WHERE targetid = $1").bind(id).run();
        Q(c_, "DELETE FROM processes WHERE processid = $1").bind(id).run();
    }
    std::optional<std::string> find_assignable(const AssignQuery& a) override {
        // SKIP LOCKED: a process another transaction is claiming is passed over, not waited for.
        auto r = Q(c_,
                   "SELECT processid FROM processes WHERE colonyname = $1 AND executortype = $2 "
                   "AND state = 0 AND waitforparents = 0 "
                   "AND (executornames = '' OR strpos(executornames, $3) > 0) "
                   "AND (locationname = '' OR locationname = $4) "
                   "AND cpu <= $5::bigint AND mem <= $6::bigint AND nodes <= 127 "
                   "ORDER BY prioritytime LIMIT 1 FOR UPDATE SKIP LOCKED")
                     .bind(a.colonyname)
                     .bind(a.executortype)
                     .bind("\x1f" + a.executorname + "\x1f")
                     .bind(lower(a.locationname))
                     .bind(a.max_cpu_millis)
                     .bind(a.max_mem_bytes)
                     .run();
        if (r.empty()) return std::nullopt;
        return r.text(0, 0);
    }
    std::vector<Process> processes(const std::string& colony, ProcessState s, int count,
                                   const ProcessFilter& filter) override {
        // $1 colony, $2 state, $3 count, $4 executortype, $5 initiatorname, $6 label ('' = any)
#define COLONIES_PG_LIST_SQL(order)                                           \
    "SELECT p.doc, " COLONIES_PG_ATTRIBUTES                                   \
    " FROM processes p WHERE colonyname = $1 AND state = $2::int "            \
    "AND ($4 = '' OR executortype = $4) AND ($5 = '' OR initiatorname = $5) " \
    "AND ($6 = '' OR label = $6) ORDER BY " order " LIMIT $3::bigint"
        const char* sql = s == ProcessState::Waiting   ? COLONIES_PG_LIST_SQL("prioritytime")
                          : s == ProcessState::Running ? COLONIES_PG_LIST_SQL("starttime")
                                                       : COLONIES_PG_LIST_SQL("endtime DESC");
#undef COLONIES_PG_LIST_SQL
        auto r = Q(c_, sql)
                     .bind(colony)
                     .bind(static_cast<int64_t>(s))
                     .bind(count)
                     .bind(filter.executortype)
                     .bind(filter.initiatorname)
                     .bind(filter.label)
                     .run();
        return read_processes(r);
    }
    void remove_processes(const std::string& colony, std::optional<ProcessState> s) override {
        int64_t st = s ? static_cast<int64_t>(*s) : -1;
        Q(c_,
          "DELETE FROM attributes WHERE targetid IN (SELECT processid FROM processes "
          "WHERE colonyname = $1 AND processgraphid = '' AND ($2::int = -1 OR state = $2::int))")
            .bind(colony)
            .bind(st)
            .run();
        Q(c_,
          "DELETE FROM processes WHERE colonyname = $1 AND processgraphid = '' "
          "AND ($2::int = -1 OR state = $2::int)")
            .bind(colony)
            .bind(st)
            .run();
    }
    std::vector<std::string> expired_running(Time now) override {
        return column0(Q(c_,
                         "SELECT processid FROM processes WHERE state = 1 "
                         "AND execdeadline > $1::bigint AND execdeadline < $2::bigint")
                           .bind(Time::kZero)
                           .bind(now.ns)
                           .run());
    }
    std::vector<std::string> expired_waiting(Time now) override {
        return column0(Q(c_,
                         "SELECT processid FROM processes WHERE state = 0 "
                         "AND waitdeadline > $1::bigint AND waitdeadline < $2::bigint")
                           .bind(Time::kZero)
                           .bind(now.ns)
                           .run());
    }
    std::vector<std::string> running_processes_of(const std::string& executorid) override {
        return column0(
            Q(c_, "SELECT processid FROM processes WHERE state = 1 AND assignedexecutorid = $1")
                .bind(executorid)
                .run());
    }
    ProcessCounts count_processes(const std::string& colony) override {
        return read_counts(Q(c_,
                             "SELECT state, count(*) FROM processes "
                             "WHERE ($1 = '' OR colonyname = $1) GROUP BY state")
                               .bind(colony)
                               .run());
    }

    bool add_attribute(const Attribute& a) override {
        auto r = Q(c_,
                   "INSERT INTO attributes (attributeid, targetid, doc) VALUES ($1,$2,$3) "
                   "ON CONFLICT (attributeid) DO NOTHING")
                     .bind(a.attributeid)
                     .bind(a.targetid)
                     .bind(to_text(to_json(a)))
                     .run();
        return r.affected() > 0;
    }
    std::optional<Attribute> attribute(const std::string& id) override {
        auto r = Q(c_, "SELECT doc FROM attributes WHERE attributeid = $1").bind(id).run();
        if (r.empty()) return std::nullopt;
        return decode_doc<Attribute>(r.text(0, 0), attribute_from_json);
    }
    void set_attribute_states(const std::string& processid, ProcessState s) override {
        // In place, in one statement (jsonb rewrites the document's layout, not its content).
        Q(c_,
          "UPDATE attributes SET doc = jsonb_set(doc::jsonb, '{state}', to_jsonb($2::int))::text "
          "WHERE targetid = $1 AND (doc::jsonb ->> 'state')::int IS DISTINCT FROM $2::int")
            .bind(processid)
            .bind(static_cast<int64_t>(s))
            .run();
    }

    std::optional<ProcessGraph> graph(const std::string& id) override {
        // Locked like a process: children finishing on two servers update the same graph.
        auto r = Q(c_, "SELECT doc FROM processgraphs WHERE processgraphid = $1 FOR UPDATE")
                     .bind(id)
                     .run();
        if (r.empty()) return std::nullopt;
        return decode_doc<ProcessGraph>(r.text(0, 0), process_graph_from_json);
    }
    void save_graph(const ProcessGraph& g) override {
        Q(c_,
          "INSERT INTO processgraphs (processgraphid, colonyname, state, submissiontime, doc) "
          "VALUES ($1,$2,$3,$4,$5) ON CONFLICT (processgraphid) DO UPDATE SET "
          "colonyname = EXCLUDED.colonyname, state = EXCLUDED.state, "
          "submissiontime = EXCLUDED.submissiontime, doc = EXCLUDED.doc")
            .bind(g.processgraphid)
            .bind(g.colonyname)
            .bind(static_cast<int64_t>(g.state))
            .bind(g.submissiontime.ns)
            .bind(to_text(to_json(g)))
            .run();
    }
    std::vector<ProcessGraph> graphs(const std::string& colony, ProcessState s,
                                     int count) override {
        auto r = Q(c_,
                   "SELECT doc FROM processgraphs WHERE colonyname = $1 AND state = $2::int "
                   "ORDER BY submissiontime DESC LIMIT $3::bigint")
                     .bind(colony)
                     .bind(static_cast<int64_t>(s))
                     .bind(count)
                     .run();
        std::vector<ProcessGraph> out;
        for (int i = 0; i < r.size(); ++i)
            out.push_back(decode_doc<ProcessGraph>(r.text(i, 0), process_graph_from_json));
        return out;
    }
    std::vector<Process> processes_of_graph(const std::string& graphid) override {
        // `processgraphid <> ''` matches the partial index processes_by_graph, which a generic
        // plan of a prepared statement could not use otherwise (a parameter might be '').
        auto r = Q(c_, "SELECT p.doc, " COLONIES_PG_ATTRIBUTES
                       " FROM processes p WHERE processgraphid = $1 AND processgraphid <> ''"
                       " ORDER BY seq")
                     .bind(graphid)
                     .run();
        return read_processes(r);
    }
    void remove_graph(const std::string& id) override {
        Q(c_,
          "DELETE FROM attributes WHERE targetid IN "
          "(SELECT processid FROM processes WHERE processgraphid = $1 AND processgraphid <> '')")
            .bind(id)
            .run();
        Q(c_, "DELETE FROM processes WHERE processgraphid = $1 AND processgraphid <> ''")
            .bind(id)
            .run();
        Q(c_, "DELETE FROM processgraphs WHERE processgraphid = $1").bind(id).run();
    }
    void remove_graphs(const std::string& colony, std::optional<ProcessState> s) override {
        int64_t st = s ? static_cast<int64_t>(*s) : -1;
        auto ids = column0(Q(c_,
                             "SELECT processgraphid FROM processgraphs WHERE colonyname = $1 "
                             "AND ($2::int = -1 OR state = $2::int)")
                               .bind(colony)
                               .bind(st)
                               .run());
        for (const auto& id : ids) remove_graph(id);
    }
    ProcessCounts count_graphs(const std::string& colony) override {
        return read_counts(Q(c_,
                             "SELECT state, count(*) FROM processgraphs "
                             "WHERE ($1 = '' OR colonyname = $1) GROUP BY state")
                               .bind(colony)
                               .run());
    }

    static std::vector<Log> read_logs(const Rows& r) {
        std::vector<Log> out;
        for (int i = 0; i < r.size(); ++i)
            out.push_back(
                Log{r.text(i, 0), r.text(i, 1), r.text(i, 2), r.text(i, 3), r.integer(i, 4)});
        return out;
    }
    void add_log(const Log& l) override {
        Q(c_,
          "INSERT INTO logs (processid, colonyname, executorname, message, ts) "
          "VALUES ($1,$2,$3,$4,$5)")
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
        // $1 colony, $2 process, $3 executor, $4 since, $5 count (every statement names all five
        // so one bind sequence serves them).
        const char* by_process_asc =
            "SELECT processid, colonyname, executorname, message, ts FROM logs "
            "WHERE processid = $2 AND ts > $4::bigint AND $1::text IS NOT NULL "
            "AND $3::text IS NOT NULL ORDER BY ts, id LIMIT $5::bigint";
        const char* by_process_latest =
            "SELECT processid, colonyname, executorname, message, ts FROM logs "
            "WHERE processid = $2 AND $1::text IS NOT NULL AND $3::text IS NOT NULL "
            "AND $4::bigint IS NOT NULL ORDER BY ts DESC, id DESC LIMIT $5::bigint";
        const char* by_executor_asc =
            "SELECT processid, colonyname, executorname, message, ts FROM logs "
            "WHERE colonyname = $1 AND executorname = $3 AND ts > $4::bigint "
            "AND $2::text IS NOT NULL ORDER BY ts, id LIMIT $5::bigint";
        const char* by_executor_latest =
            "SELECT processid, colonyname, executorname, message, ts FROM logs "
            "WHERE colonyname = $1 AND executorname = $3 AND $2::text IS NOT NULL "
            "AND $4::bigint IS NOT NULL ORDER BY ts DESC, id DESC LIMIT $5::bigint";
        const bool by_executor = !executorname.empty();
        auto r = Q(c_, by_executor ? (latest ? by_executor_latest : by_executor_asc)
                                   : (latest ? by_process_latest : by_process_asc))
                     .bind(colony)
                     .bind(processid)
                     .bind(executorname)
                     .bind(since)
                     .bind(count)
                     .run();
        auto out = read_logs(r);
        if (latest) std::reverse(out.begin(), out.end());
        return out;
    }
    std::vector<Log> search_logs(const std::string& colony, const std::string& text, int64_t since,
                                 int count) override {
        return read_logs(Q(c_,
                           "SELECT processid, colonyname, executorname, message, ts FROM logs "
                           "WHERE colonyname = $1 AND strpos(message, $2) > 0 "
                           "AND ts >= $3::bigint ORDER BY ts DESC LIMIT $4::bigint")
                             .bind(colony)
                             .bind(text)
                             .bind(since)
                             .bind(count)
                             .run());
    }

  private:
    Conn& c_;
};

class PgStore final : public Store {
  public:
    explicit PgStore(const PostgresOptions& opts) : opts_(opts) {
        const std::string info = postgres_conninfo(opts);
        auto first = std::make_unique<Conn>(info, opts.schema);
        connect_with_retry(*first, opts.connect_attempts);
        migrate(*first);
        conns_.push_back(std::move(first));
        for (int i = 1; i < std::max(1, opts.pool_size); ++i) {
            conns_.push_back(std::make_unique<Conn>(info, opts.schema));
            connect_with_retry(*conns_.back(), 1);
        }
        for (auto& c : conns_) workers_.emplace_back([this, conn = c.get()] { loop(*conn); });
    }
    ~PgStore() override {
        {
            std::lock_guard lk(mu_);
            stopping_ = true;
        }
        cv_.notify_all();
        for (auto& w : workers_) w.join();
    }

    void post(Job job, Done done) override {
        {
            std::lock_guard lk(mu_);
            queue_.push_back(Item{std::move(job), std::move(done)});
        }
        cv_.notify_one();
    }

  private:
    struct Item {
        Job job;
        Done done;
    };

    static void connect_with_retry(Conn& c, int attempts) {
        for (int i = 1;; ++i) {
            try {
                c.connect();
                return;
            } catch (const StoreError&) {
                if (i >= attempts) throw;
            }
            std::this_thread::sleep_for(std::chrono::seconds(1));
        }
    }

    void migrate(Conn& c) {
        c.exec("BEGIN");
        try {
            // Servers starting together: one migrates, the others wait here and find it done.
            c.exec("SELECT pg_advisory_xact_lock(7301942519)");
            c.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
            auto r = c.exec("SELECT version FROM schema_version");
            int64_t version = r.empty() ? 0 : r.integer(0, 0);
            if (r.empty()) c.exec("INSERT INTO schema_version (version) VALUES (0)");
            const int64_t target = std::size(kMigrations);
            for (int64_t v = version; v < target; ++v) c.exec(kMigrations[v]);
            c.exec("UPDATE schema_version SET version = " + std::to_string(target));
            c.exec("COMMIT");
        } catch (...) {
            try {
                c.exec("ROLLBACK");
            } catch (...) {
            }
            throw;
        }
    }

    void loop(Conn& conn) {
        PgTx tx(conn);
        std::minstd_rand rng(std::random_device{}());
        for (;;) {
            Item it;
            {
                std::unique_lock lk(mu_);
                cv_.wait(lk, [&] { return stopping_ || !queue_.empty(); });
                if (queue_.empty() && stopping_) return;
                it = std::move(queue_.front());
                queue_.pop_front();
            }
            run(conn, tx, it, rng);
        }
    }

    static void rollback(Conn& conn) {
        if (!conn.ok()) return;
        try {
            conn.exec("ROLLBACK");
        } catch (...) {
        }
    }

    // One job in its own transaction, rerun on the conflicts the database resolves by aborting.
    void run(Conn& conn, PgTx& tx, Item& it, std::minstd_rand& rng) {
        std::string last_error;
        for (int attempt = 1; attempt <= opts_.max_attempts; ++attempt) {
            bool in_commit = false;
            try {
                if (!conn.ok()) conn.connect();
                conn.exec("BEGIN ISOLATION LEVEL READ COMMITTED");
                bool keep = it.job(tx);
                in_commit = true;
                conn.exec(keep ? "COMMIT" : "ROLLBACK");
                it.done(true, "");
                return;
            } catch (const PgError& e) {
                last_error = e.what();
                if (in_commit && e.lost) {
                    // The commit may or may not have happened; running the job again could
                    // apply it twice, so report the failure instead.
                    it.done(false, "connection lost during commit: " + last_error);
                    return;
                }
                rollback(conn);
                // A duplicate key is worth a second look only when another transaction just
                // inserted it (the rerun then sees the row); a genuine duplicate fails fast.
                const bool give_up = e.sqlstate == "23505" && attempt >= 3;
                if (give_up || (!e.lost && !retryable(e.sqlstate))) {
                    it.done(false, last_error);
                    return;
                }
            } catch (const StoreError& e) {
                rollback(conn);
                it.done(false, e.what());
                return;
            } catch (const std::exception& e) {
                rollback(conn);
                it.done(false, std::string("internal error: ") + e.what());
                return;
            }
            // Back off a little, at random, so the transactions that collided do not collide
            // again in step.
            const int cap = std::min(100, 1 << std::min(attempt, 7));
            std::this_thread::sleep_for(std::chrono::milliseconds(rng() % cap));
        }
        it.done(false,
                "gave up after " + std::to_string(opts_.max_attempts) + " attempts: " + last_error);
    }

    PostgresOptions opts_;
    std::vector<std::unique_ptr<Conn>> conns_;
    std::vector<std::thread> workers_;
    std::mutex mu_;
    std::condition_variable cv_;
    std::deque<Item> queue_;
    bool stopping_ = false;
};

std::string conninfo_value(const std::string& v) {
    std::string out = "'";
    for (char c : v) {
        if (c == '\'' || c == '\\') out += '\\';
        out += c;
    }
    return out + "'";
}

}  // namespace

std::string postgres_conninfo(const PostgresOptions& o) {
    std::string s = "sslmode=disable connect_timeout=5 application_name=colonies";
    if (!o.host.empty()) s += " host=" + conninfo_value(o.host);
    s += " port=" + std::to_string(o.port);
    if (!o.user.empty()) s += " user=" + conninfo_value(o.user);
    if (!o.password.empty()) s += " password=" + conninfo_value(o.password);
    s += " dbname=" + conninfo_value(o.dbname.empty() ? "postgres" : o.dbname);
    return s;
}

std::unique_ptr<Store> open_postgres_store(const PostgresOptions& opts) {
    return std::make_unique<PgStore>(opts);
}

}  // namespace colonies::store
