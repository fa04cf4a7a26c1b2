#include "store/sqlite/sqlite_store.hpp"

#include <sqlite3.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "log/log.hpp"
#include "store/backup.hpp"
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

    sqlite3* handle() const { return db_; }
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

// One online backup (OnlineBackup::backup) in progress: SQLite's backup API reading through the
// store's own connection, stepped on the writer thread between batches. SQLite carries every write
// made through that connection meanwhile into the pages already copied, so when the last step is
// done the copy is the database as of that moment.
class BackupCopy {
  public:
    BackupCopy(std::string path, OnlineBackup::BackupDone done)
        : path_(std::move(path)), done_(std::move(done)) {}
    ~BackupCopy() { close(); }

    // One step of at most kPagesPerStep pages; true when the copy has ended (done_ was called).
    bool step(sqlite3* source) {
        if (!copy_ && !open(source)) return true;
        const int rc = sqlite3_backup_step(copy_, kPagesPerStep);
        if (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED) return false;
        const int finish = sqlite3_backup_finish(copy_);
        copy_ = nullptr;
        if (rc != SQLITE_DONE || finish != SQLITE_OK) {
            fail(std::string("backup step: ") + sqlite3_errmsg(dest_));
            return true;
        }
        close();
        done_("", path_);
        return true;
    }
    void fail(const std::string& error) {
        close();
        std::remove(path_.c_str());
        done_(error, "");
    }

  private:
    // 1024 pages (4 MiB of 4 KiB pages) take a few milliseconds: the longest a job waits.
    static constexpr int kPagesPerStep = 1024;

    bool open(sqlite3* source) {
        if (sqlite3_open_v2(path_.c_str(), &dest_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                            nullptr) != SQLITE_OK) {
            fail(std::string("cannot create ") + path_ + ": " +
                 (dest_ ? sqlite3_errmsg(dest_) : "out of memory"));
            return false;
        }
        copy_ = sqlite3_backup_init(dest_, "main", source, "main");
        if (!copy_) {
            fail(std::string("backup init: ") + sqlite3_errmsg(dest_));
            return false;
        }
        return true;
    }
    void close() {
        if (copy_) sqlite3_backup_finish(copy_);
        copy_ = nullptr;
        if (dest_) sqlite3_close(dest_);
        dest_ = nullptr;
    }

    std::string path_;
    OnlineBackup::BackupDone done_;
    sqlite3* dest_ = nullptr;
    sqlite3_backup* copy_ = nullptr;
};

// Copies the log into the database on a connection and thread of its own, beside the writer:
// the copy and its sync of the database file (milliseconds, more on a busy disk) used to hold the
// writer, and every job queued behind it, at every thousandth page of log.
class Checkpointer {
  public:
    explicit Checkpointer(const std::string& path) : db_(path) {
        // Reads the header: a connection that has not read the database yet does not know that
        // it is in WAL mode, and its checkpoints do nothing.
        db_.exec("PRAGMA journal_mode=WAL");
        thread_ = std::thread([this] { loop(); });
    }
    ~Checkpointer() {
        {
            std::lock_guard lk(mu_);
            stopping_ = true;
        }
        cv_.notify_one();
        thread_.join();
    }

    // Asks for one round (the writer thread; only when idle()).
    void request() {
        {
            std::lock_guard lk(mu_);
            busy_ = true;
        }
        cv_.notify_one();
    }
    // No round asked for or running: the last one asked for has ended.
    bool idle() const { return !busy_.load(std::memory_order_acquire); }
    // Pages of the log in the database after the last round (read when idle()).
    int copied() const { return copied_.load(std::memory_order_relaxed); }

  private:
    void loop() {
        std::unique_lock lk(mu_);
        for (;;) {
            cv_.wait(lk, [this] { return stopping_ || busy_; });
            if (stopping_) return;
            lk.unlock();
            // PASSIVE: copies what the writer's last commit left, never waits for the writer.
            int in_log = 0;
            int copied = 0;
            const int rc = sqlite3_wal_checkpoint_v2(db_.handle(), nullptr,
                                                     SQLITE_CHECKPOINT_PASSIVE, &in_log, &copied);
            copied_.store(rc == SQLITE_OK ? copied : 0, std::memory_order_relaxed);
            if (rc != SQLITE_OK && rc != SQLITE_BUSY && !failing_)  // once per run of failures
                log::warn("SQLite checkpoint failed; retried later",
                          {{"Error", sqlite3_errmsg(db_.handle())}});
            failing_ = rc != SQLITE_OK && rc != SQLITE_BUSY;
            lk.lock();
            busy_.store(false, std::memory_order_release);
        }
    }

    Db db_;
    std::mutex mu_;
    std::condition_variable cv_;
    std::atomic<bool> busy_{false};  // written under mu_
    std::atomic<int> copied_{0};
    bool stopping_ = false;
    bool failing_ = false;
    std::thread thread_;
};

class SqliteStore final : public Store, public OnlineBackup {
  public:
    explicit SqliteStore(const SqliteOptions& opts)
        : opts_(opts), db_(opts.path), tx_(db_), queue_(opts.max_queued) {
        // The VFS (unix-excl) holds the file's lock for the whole process: a second server
        // started on the same file is refused here instead of corrupting the scheduling of the
        // first, and no transaction pays a lock system call.
        try {
            db_.exec("PRAGMA journal_mode=WAL");
        } catch (const StoreError& e) {
            throw StoreError(std::string(e.what()) +
                             " (is another colonies server running on it?)");
        }
        db_.exec("PRAGMA synchronous=FULL");
        db_.exec("PRAGMA foreign_keys=OFF");
        db_.exec("PRAGMA busy_timeout=5000");
        // Savepoint journals past kJournalInMemory spill to temporary files. Keeping them all in
        // memory (temp_store=MEMORY) left the memory of the largest batch with the process: 141
        // MB of RSS after a W3 prefill of 20,000 processes against 37 MB (docs/performance.md,
        // issue 18 round 5).
        // SQLite's automatic checkpoint runs inside the COMMIT that crosses its threshold, so
        // every reply of that batch waited for it (a sync of the log, up to a thousand pages
        // written back, a sync of the database): the hook replaces it and counts the log's pages,
        // and the checkpoints run on a connection of their own (maybe_checkpoint).
        sqlite3_wal_hook(db_.handle(), &SqliteStore::on_wal_commit, this);
        migrate();
        if (opts_.checkpoint_pages > 0) checkpointer_ = std::make_unique<Checkpointer>(opts.path);
        writer_ = std::thread([this] { loop(); });
    }
    ~SqliteStore() override {
        stopping_ = true;  // backups in progress end unfinished
        queue_.stop();
        writer_.join();
        take_new_backups();
        for (auto& b : backups_) b->fail("the server is stopping");
    }

    void post(Job job, Done done) override { queue_.push(std::move(job), std::move(done)); }
    size_t queued_jobs() const override { return queue_.size(); }

    // The copy goes next to the database (same file system, so there is room for it if the
    // database fits), as <path>.backup-<n>.
    void backup(BackupDone done) override {
        const std::string path = opts_.path + ".backup-" + std::to_string(::getpid()) + "-" +
                                 std::to_string(++backup_count_);
        {
            std::lock_guard lk(backups_mu_);
            new_backups_.push_back(std::make_unique<BackupCopy>(path, std::move(done)));
        }
        wake();
    }

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
            step_backups();
            maybe_checkpoint();
        }
    }

    static int on_wal_commit(void* self, sqlite3*, const char*, int pages) {
        static_cast<SqliteStore*>(self)->wal_pages_ = pages;
        return SQLITE_OK;
    }

    // After a batch (its replies are on their way). The checkpointer copies the log beside the
    // writer; the log starts again from its beginning only when a commit finds it all copied,
    // which a writer that keeps committing during the copy never does. So once a round has
    // ended, the writer copies what the round missed itself, a few pages and one sync of the
    // database, when no job waits for it (or when the log passes its bound).
    void maybe_checkpoint() {
        const int pages = opts_.checkpoint_pages;
        if (pages <= 0) return;
        if (wal_pages_ < pages) {
            asked_ = false;
            return;
        }
        if (!checkpointer_->idle()) return;
        if (!asked_) {
            checkpointer_->request();
            asked_ = true;
            return;
        }
        // The round asked for has ended, and the writer committed while it ran.
        const int left = wal_pages_ - checkpointer_->copied();
        if (wal_pages_ >= kCheckpointBound * pages)
            checkpoint_here();
        else if (left >= std::max(1, std::min(kCatchUp, pages / 4)))
            checkpointer_->request();  // much left: another round rather than a long stall here
        else if (queue_.size() == 0)
            checkpoint_here();
    }

    void checkpoint_here() {
        int in_log = 0;
        int copied = 0;
        const int rc = sqlite3_wal_checkpoint_v2(db_.handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE,
                                                 &in_log, &copied);
        if (rc == SQLITE_BUSY) return;  // the checkpointer started meanwhile: after the next batch
        if (rc != SQLITE_OK) {
            if (!checkpoint_failing_)  // once per run of failures, not after every batch
                log::warn("SQLite checkpoint failed; retried after the next batches",
                          {{"Error", sqlite3_errmsg(db_.handle())}});
            checkpoint_failing_ = true;
            return;
        }
        checkpoint_failing_ = false;
        if (copied >= in_log) wal_pages_ = 0;  // the next commit starts the log again
    }

    // An empty job: brings the writer round to step_backups when no other job is queued.
    void wake() {
        queue_.push([](StoreTx&) { return true; }, [](bool, const std::string&) {});
    }

    void take_new_backups() {
        std::lock_guard lk(backups_mu_);
        for (auto& b : new_backups_) backups_.push_back(std::move(b));
        new_backups_.clear();
    }

    // One step of each backup in progress, outside any transaction (SQLite's backup does not
    // read a source that is in a write transaction).
    void step_backups() {
        take_new_backups();
        if (backups_.empty() || stopping_) return;
        std::erase_if(backups_, [this](auto& b) { return b->step(db_.handle()); });
        if (!backups_.empty()) wake();
    }

    struct Outcome {
        bool failed = false;
        std::string error;
        // SQLite ended the batch's transaction itself (disk full, I/O error, out of memory):
        // the earlier jobs' changes are gone with it.
        bool batch_lost = false;
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
        for (size_t i = 0; i < batch.size(); ++i) {
            outcomes[i] = run_job(batch[i].job);
            if (outcomes[i].batch_lost) return fail_lost_batch(batch, outcomes[i].error);
        }
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

    // No job of the batch is told it committed: none did. The writer carries on with the next.
    void fail_lost_batch(std::vector<QueuedJob>& batch, const std::string& error) {
        if (!sqlite3_get_autocommit(db_.handle())) {
            try {
                db_.exec("ROLLBACK");
            } catch (...) {
            }
        }
        for (auto& it : batch) it.done(false, "the database ended the transaction: " + error);
    }

    Outcome run_job(Job& job) {
        Outcome out;
        tx_.begin_job();
        bool keep = false;
        try {
            db_.control("SAVEPOINT job");
            keep = job(tx_);
        } catch (const StoreError& e) {
            out = {true, e.what()};
        } catch (const std::exception& e) {
            out = {true, std::string("internal error: ") + e.what()};
        }
        try {
            if (!keep) db_.control("ROLLBACK TO job");
            db_.control("RELEASE job");
        } catch (const StoreError& e) {
            // "no such savepoint": the transaction is gone (RELEASE of the outermost savepoint
            // with no BEGIN would otherwise commit alone).
            out = {true, out.error.empty() ? e.what() : out.error, true};
        }
        if (sqlite3_get_autocommit(db_.handle())) out.batch_lost = true;
        return out;
    }

    SqliteOptions opts_;
    Db db_;
    sql::SqlTx tx_;
    JobQueue queue_;
    std::mutex backups_mu_;
    std::vector<std::unique_ptr<BackupCopy>> new_backups_;  // under backups_mu_
    std::vector<std::unique_ptr<BackupCopy>> backups_;      // the writer thread's
    std::atomic<int> backup_count_{0};
    std::atomic<bool> stopping_{false};
    // The log's bound, in multiples of checkpoint_pages, past which the writer copies it itself.
    static constexpr int kCheckpointBound = 4;
    // The most pages the writer copies itself when the log's remainder is small (some batches'
    // worth: about a millisecond with its sync); past it, another round of the checkpointer.
    static constexpr int kCatchUp = 256;
    int wal_pages_ = 0;  // pages in the log after the last commit (writer thread)
    bool checkpoint_failing_ = false;
    bool asked_ = false;  // the checkpointer was asked since the log last started again
    std::unique_ptr<Checkpointer> checkpointer_;  // after db_: closed before it
    std::thread writer_;
};

}  // namespace

constexpr int kJournalInMemory = 1 << 20;

// A batch's savepoint journal stays in memory up to 1 MiB (SQLite's default is 64 KiB). Past that
// SQLite spills it to a temporary file, which with the unix-excl VFS it creates and deletes in
// every such transaction: a workflow submission's batch paid that (W5 0.89x). Were it too late,
// SQLite keeps its default (slower, as correct).
bool configure_sqlite_process() {
    static const bool configured =
        sqlite3_config(SQLITE_CONFIG_STMTJRNL_SPILL, kJournalInMemory) == SQLITE_OK;
    return configured;
}

std::unique_ptr<Store> open_sqlite_store(const SqliteOptions& opts) {
    configure_sqlite_process();
    return std::make_unique<SqliteStore>(opts);
}

}  // namespace colonies::store
