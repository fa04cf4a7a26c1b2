// SQLite implementation of the Store: one file in WAL mode with synchronous=FULL, so a commit is
// on disk before its jobs' `done` callbacks run. One writer thread drains the job queue in
// batches (group commit). Schema migrations run at open (PRAGMA user_version).
#pragma once
#include <cstddef>
#include <memory>
#include <string>

#include "store/store.hpp"

namespace colonies::store {

struct SqliteOptions {
    std::string path;
    size_t max_batch = 512;  // jobs per commit
    // Jobs waiting at most (store/job_queue.hpp); COLONIES_STORE_MAX_QUEUED.
    size_t max_queued = 100000;
    // WAL pages after which the writer copies the log into the database (a checkpoint). It does
    // so between batches, after their replies are released, and while jobs wait only once the
    // log holds four times this many; 0 leaves the log to grow (tests only).
    int checkpoint_pages = 1000;
};

// Opens (creating if needed) and migrates the database; throws StoreError on failure.
std::unique_ptr<Store> open_sqlite_store(const SqliteOptions& opts);

// SQLite's process-wide settings (how much of a savepoint journal stays in memory). They take
// effect only before SQLite's first use in the process: open_sqlite_store calls it, and a program
// that uses SQLite earlier calls it first. Returns whether they took effect.
bool configure_sqlite_process();

}  // namespace colonies::store
