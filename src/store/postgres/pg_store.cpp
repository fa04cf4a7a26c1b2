#include "store/postgres/pg_store.hpp"

#include <libpq-fe.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <random>
#include <thread>

#include "log/log.hpp"
#include "store/job_queue.hpp"
#include "store/sql/schema.hpp"
#include "store/sql/sql_tx.hpp"

namespace colonies::store {
namespace {

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
    // The failure came from transaction control sent ahead of a statement (Conn::defer), not
    // from the job's own statement: the batch's transaction is in an unknown state.
    bool deferred = false;
    // The server refused an earlier command of the pipeline, so the last one (a COMMIT) never
    // ran: a connection lost there leaves nothing in doubt.
    bool last_not_run = false;
    // The job of a batch whose command failed (Conn::set_owner), -1 outside batches.
    int owner = -1;
};

// One statement's result.
class Result {
  public:
    explicit Result(PGresult* r) : r_(r, PQclear) {}
    PGresult* get() const { return r_.get(); }
    int size() const { return PQntuples(r_.get()); }
    bool empty() const { return size() == 0; }
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

class PgRow final : public sql::Row {
  public:
    PgRow(const PGresult* r, int row) : r_(r), row_(row) {}
    std::string text(int col) const override {
        return std::string(PQgetvalue(r_, row_, col), PQgetlength(r_, row_, col));
    }
    int64_t integer(int col) const override {
        return std::strtoll(PQgetvalue(r_, row_, col), nullptr, 10);
    }

  private:
    const PGresult* r_;
    int row_;
};

class Conn final : public sql::SqlConn {
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
        prepared_.fill(false);
        deferred_.clear();
    }

    // Transaction control whose result nobody waits for (BEGIN, SAVEPOINT, RELEASE, ROLLBACK TO):
    // it travels with the next statement instead of costing a round trip of its own. A failure
    // of it surfaces there, marked `deferred`.
    void defer(const char* control) { deferred_.push_back({control, {}, {}, owner_}); }
    // The batch's job whose commands follow (tags them, so that a failure sent later, with
    // another job's statement or the COMMIT, is still known as this job's); -1 ends the tagging.
    void set_owner(int job) { owner_ = job; }
    // Writes whose row count nobody reads travel the same way (SqlConn::write).
    void write(sql::Stmt id, std::initializer_list<sql::Param> params) override {
        prepare(id);
        Deferred d{nullptr, statement_name(id), {}, owner_};
        d.params.reserve(params.size());
        for (const auto& p : params)
            d.params.push_back(p.is_integer ? std::to_string(p.integer) : std::string(p.text));
        deferred_.push_back(std::move(d));
    }
    // Forgets writes not sent yet (a job that rolls back), keeping the control around them.
    void drop_deferred_writes() {
        std::erase_if(deferred_, [](const Deferred& d) { return d.control == nullptr; });
    }
    // Forgets everything deferred (before a ROLLBACK of the whole transaction).
    void drop_deferred() { deferred_.clear(); }

    // A statement without parameters (transaction control, DDL), after whatever was deferred,
    // in the same round trip.
    Result exec(const std::string& sql) {
        if (!conn_) throw PgError("not connected to PostgreSQL", "", true);
        if (deferred_.empty()) return check(PQexec(conn_, sql.c_str()));
        return pipeline(sql.c_str(), {});
    }
    sql::Dialect dialect() const override { return sql::Dialect::Postgres; }
    // Parameters go as text (PostgreSQL converts them to the column types); each statement is
    // prepared once per connection.
    int64_t run(sql::Stmt id, std::initializer_list<sql::Param> params,
                sql::RowFn on_row) override {
        prepare(id);
        std::vector<std::string> texts;
        texts.reserve(params.size());
        for (const auto& p : params)
            texts.push_back(p.is_integer ? std::to_string(p.integer) : std::string(p.text));
        std::vector<const char*> values;
        values.reserve(texts.size());
        for (const auto& t : texts) values.push_back(t.c_str());
        const std::string& name = statement_name(id);
        auto r = deferred_.empty()
                     ? check(PQexecPrepared(conn_, name.c_str(), static_cast<int>(values.size()),
                                            values.data(), nullptr, nullptr, 0))
                     : pipeline(name.c_str(), values, true);
        if (on_row)
            for (int row = 0; row < r.size(); ++row) on_row(PgRow(r.get(), row));
        return r.affected();
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
    // A command waiting to be sent: control text, or a prepared statement with its parameters.
    struct Deferred {
        const char* control;
        std::string statement;
        std::vector<std::string> params;
        int owner;
    };

    static const std::string& statement_name(sql::Stmt id) {
        static const auto names = [] {
            std::array<std::string, sql::kStatementCount> n;
            for (size_t i = 0; i < n.size(); ++i) n[i] = "s" + std::to_string(i);
            return n;
        }();
        return names[static_cast<size_t>(id)];
    }
    void prepare(sql::Stmt id) {
        if (!conn_) throw PgError("not connected to PostgreSQL", "", true);
        const auto i = static_cast<size_t>(id);
        if (prepared_[i]) return;
        check(PQprepare(conn_, statement_name(id).c_str(),
                        sql::sql(sql::Dialect::Postgres, id).c_str(), 0, nullptr));
        prepared_[i] = true;
    }
    bool send(const Deferred& d) {
        if (d.control) return PQsendQueryParams(conn_, d.control, 0, 0, 0, 0, 0, 0) == 1;
        std::vector<const char*> v;
        v.reserve(d.params.size());
        for (const auto& p : d.params) v.push_back(p.c_str());
        return PQsendQueryPrepared(conn_, d.statement.c_str(), static_cast<int>(v.size()), v.data(),
                                   nullptr, nullptr, 0) == 1;
    }

    // The deferred commands and then `last` (control text, or a prepared statement's name when
    // `prepared`; none when null) in one pipeline: one write, one sync. Returns the last command's
    // result; throws the first failure, marked `deferred` when deferred control caused it.
    Result pipeline(const char* last, const std::vector<const char*>& values,
                    bool prepared = false) {
        std::vector<Deferred> sending;
        sending.swap(deferred_);
        bool sent = PQenterPipelineMode(conn_) == 1;
        for (size_t i = 0; sent && i < sending.size(); ++i) sent = send(sending[i]);
        if (sent && last)
            sent = prepared ? PQsendQueryPrepared(conn_, last, static_cast<int>(values.size()),
                                                  values.data(), nullptr, nullptr, 0) == 1
                            : PQsendQueryParams(conn_, last, 0, 0, 0, 0, 0, 0) == 1;
        sent = sent && PQpipelineSync(conn_) == 1;
        if (!sent) abandon("postgresql: cannot send: ");
        const size_t n = sending.size() + (last ? 1 : 0);
        PGresult* error = nullptr;
        size_t error_at = 0;
        PGresult* result = nullptr;
        for (size_t q = 0; q < n; ++q) {  // each command's results end with a null
            while (PGresult* r = PQgetResult(conn_)) {
                const auto st = PQresultStatus(r);
                if (st == PGRES_FATAL_ERROR && !error) {
                    error = r;
                    error_at = q;
                } else if (q + 1 == n && (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK)) {
                    if (result) PQclear(result);
                    result = r;
                } else {
                    PQclear(r);
                }
            }
            if (PQstatus(conn_) != CONNECTION_OK) break;
        }
        if (PGresult* sync = PQgetResult(conn_)) PQclear(sync);
        const bool out_of_step = PQexitPipelineMode(conn_) != 1;
        if (out_of_step || error) PQclear(result);
        if (out_of_step) {
            PQclear(error);
            abandon("postgresql: pipeline out of step: ");
        }
        if (!error) return check(result);
        try {
            check(error);
        } catch (PgError& e) {
            e.deferred = error_at < sending.size() && sending[error_at].control != nullptr;
            e.owner = error_at < sending.size() ? sending[error_at].owner : owner_;
            // Replies come in order: the server's own error for an earlier command means it
            // stopped there (a lost connection without one proves nothing).
            e.last_not_run = error_at + 1 < n && !e.sqlstate.empty();
            throw;
        }
        return Result(nullptr);  // not reached: check throws on an error result
    }
    // A pipeline that could not be sent or read back leaves the connection in no known state:
    // drop it (the next job reconnects) and report it as lost.
    [[noreturn]] void abandon(const char* what) {
        std::string msg = what + trim(PQerrorMessage(conn_));
        close();
        PgError e(msg, "", true);
        e.deferred = true;
        throw e;
    }
    static std::string trim(std::string s) {
        while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
        return s;
    }
    Result check(PGresult* r) {
        auto st = PQresultStatus(r);
        if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return Result(r);
        const char* code = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
        std::string msg = r ? PQresultErrorMessage(r) : PQerrorMessage(conn_);
        std::string state = code ? code : "";
        if (r) PQclear(r);
        const bool lost = PQstatus(conn_) != CONNECTION_OK;
        throw PgError("postgresql: " + trim(msg), state, lost);
    }

    std::string conninfo_, schema_;
    PGconn* conn_ = nullptr;
    std::array<bool, sql::kStatementCount> prepared_{};
    std::vector<Deferred> deferred_;
    int owner_ = -1;
};

// One statement's parameters, as text (PostgreSQL converts them to the column types).
class PgStore final : public Store {
  public:
    explicit PgStore(const PostgresOptions& opts) : opts_(opts), queue_(opts.max_queued) {
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
        queue_.stop();
        for (auto& w : workers_) w.join();
    }

    void post(Job job, Done done) override { queue_.push(std::move(job), std::move(done)); }
    size_t queued_jobs() const override { return queue_.size(); }

  private:
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
            if (r.empty()) c.exec("INSERT INTO schema_version (version) VALUES (0)");
            // The count of shared migrations that ran (sql/schema.hpp maps the old numbering).
            const int64_t version =
                sql::shared_version(sql::Dialect::Postgres, r.empty() ? 0 : r.integer(0, 0));
            const auto& steps = sql::migrations();
            if (static_cast<size_t>(version) < steps.size())
                log::info("Migrating the database schema", {{"From", std::to_string(version)},
                                                            {"To", std::to_string(steps.size())}});
            for (auto v = static_cast<size_t>(version); v < steps.size(); ++v)
                c.exec(sql::render(sql::Dialect::Postgres, steps[v]));
            c.exec("UPDATE schema_version SET version = " + std::to_string(steps.size()));
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
        sql::SqlTx tx(conn);
        std::minstd_rand rng(std::random_device{}());
        std::vector<QueuedJob> batch;
        const size_t max_batch = static_cast<size_t>(std::max(1, opts_.max_batch));
        int guarded_batches = 0;  // batches still to run with a savepoint per job
        while (queue_.take(batch, max_batch, conns_.size())) {
            if (batch.size() == 1)
                run(conn, tx, batch.front(), rng);
            else
                run_batch(conn, tx, batch, rng, guarded_batches);
            batch.clear();
        }
    }

    static void rollback(Conn& conn) {
        conn.drop_deferred();
        if (!conn.ok()) return;
        try {
            conn.exec("ROLLBACK");
        } catch (...) {
        }
    }

    // What became of one job of a batch.
    struct Outcome {
        enum Kind { Done, Failed, Alone } kind = Done;  // Alone: run it again in its own tx
        std::string error;
    };

    // What a failure says of the job it came from: rerun alone (a conflict the database resolved
    // by aborting it) or failed.
    static Outcome outcome_of(const PgError& e) {
        return {retryable(e.sqlstate) ? Outcome::Alone : Outcome::Failed, e.what()};
    }

    // Job `i` of a batch inside its savepoint. Its writes are not waited for: they travel with the
    // next job's first statement or the COMMIT, tagged as job i's. A failure of job i's own undoes
    // its savepoint; a failure of an earlier job's writes is returned (owner says which) for
    // run_batch_once to undo. A lost connection or a failure of the batch's own control statements
    // is thrown on: the whole batch starts over.
    static std::optional<PgError> run_in_savepoint(Conn& conn, sql::SqlTx& tx, Store::Job& job,
                                                   size_t i, Outcome& out) {
        tx.begin_job();
        conn.set_owner(static_cast<int>(i));
        conn.defer("SAVEPOINT job");
        out = {};
        bool released = false;
        try {
            if (job(tx)) {
                conn.defer("RELEASE SAVEPOINT job");
                released = true;
            }
        } catch (const PgError& e) {
            if (e.lost || e.deferred) throw;
            if (e.owner >= 0 && static_cast<size_t>(e.owner) < i) return e;
            out = outcome_of(e);
        } catch (const StoreError& e) {
            out = {Outcome::Failed, e.what()};
        } catch (const std::exception& e) {
            out = {Outcome::Failed, std::string("internal error: ") + e.what()};
        }
        if (!released) {
            // Writes never sent were never applied; the rest is undone by the savepoint.
            conn.drop_deferred_writes();
            conn.defer("ROLLBACK TO SAVEPOINT job");
            conn.defer("RELEASE SAVEPOINT job");
        }
        return std::nullopt;
    }

    // Job k's writes failed after it ended (sent with a later statement or the COMMIT): the
    // database stopped inside k's savepoint and ran nothing after the failure. Undo k; the jobs
    // after it run again from their start.
    static void undo_failed_writes(Conn& conn, size_t k, const PgError& e,
                                   std::vector<Outcome>& outcomes) {
        outcomes[k] = outcome_of(e);
        conn.drop_deferred();
        conn.set_owner(-1);
        conn.defer("ROLLBACK TO SAVEPOINT job");
        conn.defer("RELEASE SAVEPOINT job");
    }

    // Thrown by a batch run without savepoints when one of its jobs fails: the batch is rolled
    // back and run again with a savepoint per job, so that the failure stays that job's.
    struct NeedsSavepoints {};

    // Job `i` of a batch run without a savepoint: any failure or refusal sends the whole batch
    // back (NeedsSavepoints), except a lost connection or a failed control statement, which fail
    // the batch as a whole as with savepoints.
    static void run_unguarded(Conn& conn, sql::SqlTx& tx, Store::Job& job, size_t i) {
        tx.begin_job();
        conn.set_owner(static_cast<int>(i));
        bool keep = false;
        try {
            keep = job(tx);
        } catch (const PgError& e) {
            if (e.lost || e.deferred) throw;
            throw NeedsSavepoints{};
        } catch (const std::exception&) {
            throw NeedsSavepoints{};
        }
        if (!keep) throw NeedsSavepoints{};
    }

    // The batch's jobs, each in its savepoint when `guarded`, then the COMMIT; `in_commit` is set
    // while the COMMIT is under way. Throws what fails the batch as a whole.
    void run_batch_once(Conn& conn, sql::SqlTx& tx, std::vector<QueuedJob>& batch,
                        std::vector<Outcome>& outcomes, bool& in_commit, bool guarded) {
        conn.set_owner(-1);
        conn.defer("BEGIN ISOLATION LEVEL READ COMMITTED");
        for (size_t i = 0;;) {
            for (; i < batch.size(); ++i) {
                if (!guarded) {
                    run_unguarded(conn, tx, batch[i].job, i);
                    outcomes[i] = {};
                } else if (auto failed = run_in_savepoint(conn, tx, batch[i].job, i, outcomes[i])) {
                    const auto k = static_cast<size_t>(failed->owner);
                    undo_failed_writes(conn, k, *failed, outcomes);
                    i = k;  // the loop's ++i reruns the job after k
                }
            }
            conn.set_owner(-1);
            in_commit = true;
            try {
                const auto commit_start = std::chrono::steady_clock::now();
                conn.exec("COMMIT");
                commit_latency_.observe(std::chrono::steady_clock::now() - commit_start);
                return;
            } catch (const PgError& e) {
                // A write of the last jobs refused: the COMMIT never ran; undo that job, rerun
                // the ones after it, commit again.
                if (e.lost || e.deferred || e.owner < 0 || !e.last_not_run) throw;
                if (!guarded) throw NeedsSavepoints{};
                undo_failed_writes(conn, static_cast<size_t>(e.owner), e, outcomes);
                i = static_cast<size_t>(e.owner) + 1;
                in_commit = false;
            }
        }
    }

    // Group commit: the batch's jobs in one transaction, one COMMIT (one WAL flush) for all, and
    // every `done` only after it. A batch whose transaction fails as a whole (lost connection, a
    // failed COMMIT) leaves nothing behind and is run again from the start; a COMMIT cut off by a
    // lost connection is in doubt and reported, never rerun.
    // Jobs that succeed need no savepoint (two statements each, a third of a W2 process's), so a
    // batch first runs without; one whose job fails runs again with a savepoint per job, and so do
    // the next kGuardedBatches batches of this worker, so that failing requests do not each cost
    // a batch twice.
    static constexpr int kGuardedBatches = 16;
    void run_batch(Conn& conn, sql::SqlTx& tx, std::vector<QueuedJob>& batch, std::minstd_rand& rng,
                   int& guarded_batches) {
        std::vector<Outcome> outcomes(batch.size());
        std::string last_error;
        bool committed = false;
        bool guarded = guarded_batches > 0;
        if (guarded) --guarded_batches;
        for (int attempt = 1; attempt <= opts_.max_attempts && !committed; ++attempt) {
            bool in_commit = false;
            try {
                if (!conn.ok()) conn.connect();
                run_batch_once(conn, tx, batch, outcomes, in_commit, guarded);
                committed = true;
            } catch (const NeedsSavepoints&) {
                rollback(conn);
                guarded = true;
                guarded_batches = kGuardedBatches;
                --attempt;  // not a failure of the batch: runs again at once, guarded
            } catch (const PgError& e) {
                last_error = e.what();
                if (in_commit && e.lost && !e.last_not_run) {
                    for (auto& o : outcomes)
                        if (o.kind != Outcome::Alone)
                            o = {Outcome::Failed,
                                 failure_text(FailureKind::InDoubt,
                                              "connection lost during commit: " + last_error)};
                    committed = true;  // in doubt: reported as such, never run again
                    break;
                }
                rollback(conn);
                if (!e.lost && !e.deferred && !retryable(e.sqlstate)) break;
                const int cap = std::min(100, 1 << std::min(attempt, 7));
                std::this_thread::sleep_for(std::chrono::milliseconds(rng() % cap));
            }
        }
        conn.set_owner(-1);
        if (!committed) {
            // The batch as a whole would not commit (a deferred constraint, say): nothing of it
            // was applied, and each job runs alone, so one bad job fails only itself.
            for (auto& o : outcomes) o = {Outcome::Alone, last_error};
        }
        for (size_t i = 0; i < batch.size(); ++i)
            if (outcomes[i].kind != Outcome::Alone)
                batch[i].done(outcomes[i].kind == Outcome::Done, outcomes[i].error);
        for (size_t i = 0; i < batch.size(); ++i)
            if (outcomes[i].kind == Outcome::Alone) run(conn, tx, batch[i], rng);
    }

    // One job in its own transaction, rerun on the conflicts the database resolves by aborting
    // and on a lost connection (reconnecting first). A failure's text keeps the database's
    // words for the log; its kind (store.hpp) is what the caller is told.
    void run(Conn& conn, sql::SqlTx& tx, QueuedJob& it, std::minstd_rand& rng) {
        std::string last_error;
        bool last_lost = false;
        for (int attempt = 1; attempt <= opts_.max_attempts; ++attempt) {
            bool in_commit = false;
            try {
                if (!conn.ok()) conn.connect();
                conn.defer("BEGIN ISOLATION LEVEL READ COMMITTED");
                tx.begin_job();
                bool keep = it.job(tx);
                if (!keep) conn.drop_deferred_writes();
                in_commit = true;
                const auto commit_start = std::chrono::steady_clock::now();
                conn.exec(keep ? "COMMIT" : "ROLLBACK");
                if (keep) commit_latency_.observe(std::chrono::steady_clock::now() - commit_start);
                it.done(true, "");
                return;
            } catch (const PgError& e) {
                last_error = e.what();
                last_lost = e.lost;
                if (in_commit && e.lost && !e.last_not_run) {
                    // The commit may or may not have happened; running the job again could
                    // apply it twice, so report the failure instead.
                    it.done(false, failure_text(FailureKind::InDoubt,
                                                "connection lost during commit: " + last_error));
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
        const std::string detail =
            "gave up after " + std::to_string(opts_.max_attempts) + " attempts: " + last_error;
        it.done(false, last_lost ? failure_text(FailureKind::Unavailable, detail) : detail);
    }

    PostgresOptions opts_;
    std::vector<std::unique_ptr<Conn>> conns_;
    std::vector<std::thread> workers_;
    JobQueue queue_;
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
