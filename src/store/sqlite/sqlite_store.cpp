#include "store/sqlite/sqlite_store.hpp"

#include <sqlite3.h>

#include <array>
#include <chrono>
#include <thread>
#include <unordered_map>

#include "log/log.hpp"
#include "store/job_queue.hpp"
#include "store/sql/schema.hpp"
#include "store/sql/sql_tx.hpp"
#include "store/sqlite/coalescing_vfs.hpp"

namespace colonies::store {
namespace {

using sql::Dialect;
using sql::Stmt;

// Leaves a statement ready for its next run, also when a step or a row reader throws.
struct ResetOnExit {
    sqlite3_stmt* s;
    ~ResetOnExit() {
        sqlite3_reset(s);
        sqlite3_clear_bindings(s);
    }
};

class SqliteRow final : public sql::Row {
  public:
    explicit SqliteRow(sqlite3_stmt* s) : s_(s) {}
    std::string text(int col) const override {
        auto p = reinterpret_cast<const char*>(sqlite3_column_text(s_, col));
        return p ? std::string(p, sqlite3_column_bytes(s_, col)) : std::string();
    }
    int64_t integer(int col) const override { return sqlite3_column_int64(s_, col); }

  private:
    sqlite3_stmt* s_;
};

// The connection: catalogue statements prepared once each (by Stmt), and the store's own
// control statements (by the literal's address).
class Db final : public sql::SqlConn {
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
        for (auto* s : stmts_) sqlite3_finalize(s);
        for (auto& [_, s] : control_) sqlite3_finalize(s);
        sqlite3_close(db_);
    }
    void exec(const std::string& sql) {
        char* err = nullptr;
        if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
            std::string msg = err ? err : "unknown error";
            sqlite3_free(err);
            throw StoreError(msg);
        }
    }
    // A statement of the store's own (transaction control, pragmas) through the cache: the
    // serial thread would otherwise parse BEGIN/SAVEPOINT/RELEASE text again for every job.
    int64_t control(const char* sql) {
        auto& s = control_[sql];
        if (!s) s = prepare(sql);
        ResetOnExit reset{s};
        return step(s) ? sqlite3_column_int64(s, 0) : 0;
    }

    Dialect dialect() const override { return Dialect::Sqlite; }
    int64_t run(Stmt id, std::initializer_list<sql::Param> params, sql::RowFn on_row) override {
        auto& s = stmts_[static_cast<size_t>(id)];
        if (!s) s = prepare(sql::sql(Dialect::Sqlite, id).c_str());
        // Text is bound without a copy: the parameters outlive this call, which resets the
        // statement before returning.
        ResetOnExit reset{s};
        int i = 0;
        for (const auto& p : params) {
            ++i;
            const int rc = p.is_integer
                               ? sqlite3_bind_int64(s, i, p.integer)
                               : sqlite3_bind_text(s, i, p.text.data(),
                                                   static_cast<int>(p.text.size()), SQLITE_STATIC);
            // A bind past the statement's parameters (SQLITE_RANGE) is a programming error that
            // would otherwise store NULLs silently.
            if (rc != SQLITE_OK)
                throw StoreError("sqlite bind " + std::to_string(i) + ": " + sqlite3_errstr(rc));
        }
        while (step(s))
            if (on_row) on_row(SqliteRow(s));
        return sqlite3_changes(db_);
    }

  private:
    sqlite3_stmt* prepare(const char* sql) {
        sqlite3_stmt* s = nullptr;
        if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, nullptr) != SQLITE_OK)
            throw StoreError(std::string("prepare failed: ") + sqlite3_errmsg(db_));
        return s;
    }
    bool step(sqlite3_stmt* s) {
        int rc = sqlite3_step(s);
        if (rc == SQLITE_ROW) return true;
        if (rc == SQLITE_DONE) return false;
        throw StoreError(std::string("sqlite: ") + sqlite3_errmsg(db_));
    }

    sqlite3* db_ = nullptr;
    std::array<sqlite3_stmt*, sql::kStatementCount> stmts_{};
    std::unordered_map<const char*, sqlite3_stmt*> control_;
};

class SqliteStore final : public Store {
  public:
    explicit SqliteStore(const SqliteOptions& opts)
        : opts_(opts), db_(opts.path), tx_(db_), queue_(opts.max_queued) {
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
        queue_.stop();
        writer_.join();
    }

    void post(Job job, Done done) override { queue_.push(std::move(job), std::move(done)); }
    size_t queued_jobs() const override { return queue_.size(); }

  private:
    // PRAGMA user_version counts the shared migrations that ran (sql/schema.hpp).
    void migrate() {
        const int64_t version = db_.control("PRAGMA user_version");
        const auto& steps = sql::migrations();
        if (static_cast<size_t>(version) < steps.size())
            log::info("Migrating the database schema",
                      {{"From", std::to_string(version)}, {"To", std::to_string(steps.size())}});
        for (auto v = static_cast<size_t>(version); v < steps.size(); ++v) {
            db_.exec("BEGIN IMMEDIATE");
            try {
                db_.exec(sql::render(Dialect::Sqlite, steps[v]));
                db_.exec("PRAGMA user_version = " + std::to_string(v + 1));
                db_.exec("COMMIT");
            } catch (...) {
                db_.exec("ROLLBACK");
                throw;
            }
        }
    }

    void loop() {
        std::vector<QueuedJob> batch;
        while (queue_.take(batch, opts_.max_batch)) {
            run_batch(batch);
            batch.clear();
        }
    }

    struct Outcome {
        bool failed = false;
        std::string error;
    };

    // The batch's jobs in one transaction, each in a savepoint; one sync for all.
    void run_batch(std::vector<QueuedJob>& batch) {
        try {
            db_.control("BEGIN IMMEDIATE");
        } catch (const StoreError& e) {
            for (auto& it : batch) it.done(false, e.what());
            return;
        }
        std::vector<Outcome> outcomes(batch.size());
        for (size_t i = 0; i < batch.size(); ++i) outcomes[i] = run_job(batch[i].job);
        std::string commit_error;
        try {
            const auto commit_start = std::chrono::steady_clock::now();
            db_.control("COMMIT");
            commit_latency_.observe(std::chrono::steady_clock::now() - commit_start);
        } catch (const StoreError& e) {
            commit_error = e.what();
            try {
                db_.exec("ROLLBACK");
            } catch (...) {
            }
        }
        for (size_t i = 0; i < batch.size(); ++i) {
            if (!commit_error.empty())
                batch[i].done(false, "commit failed: " + commit_error);
            else
                batch[i].done(!outcomes[i].failed, outcomes[i].error);
        }
    }

    Outcome run_job(Job& job) {
        Outcome out;
        tx_.begin_job();
        db_.control("SAVEPOINT job");
        bool keep = false;
        try {
            keep = job(tx_);
        } catch (const StoreError& e) {
            out = {true, e.what()};
        } catch (const std::exception& e) {
            out = {true, std::string("internal error: ") + e.what()};
        }
        if (!keep) db_.control("ROLLBACK TO job");
        db_.control("RELEASE job");
        return out;
    }

    SqliteOptions opts_;
    Db db_;
    sql::SqlTx tx_;
    JobQueue queue_;
    std::thread writer_;
};

}  // namespace

std::unique_ptr<Store> open_sqlite_store(const SqliteOptions& opts) {
    return std::make_unique<SqliteStore>(opts);
}

}  // namespace colonies::store
