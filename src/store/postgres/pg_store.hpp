// PostgreSQL implementation of the Store, for production and for several servers sharing one
// database (features.md 9, 10). A pool of worker threads, each with its own connection, runs the
// jobs waiting when it wakes (up to max_batch) in one READ COMMITTED transaction, each in a
// savepoint, as the SQLite store does: one COMMIT, one WAL flush, serves the batch. COMMIT
// returns after the flush (synchronous_commit is left on), so a job's `done` runs only once its
// change is durable. Transaction control travels with the next statement (libpq pipeline mode)
// instead of costing round trips of its own.
//
// Serialising process transitions (protocol.md 6.14) without a single writer:
//  * reads of one process, graph or function row by key take the row lock (FOR UPDATE), so a
//    read-modify-write of that row excludes every other one, on this server or another;
//  * find_assignable claims with FOR UPDATE SKIP LOCKED, so concurrent assigns take different
//    processes instead of queueing on the head of the queue.
// Deadlocks, serialization failures, unique violations (two servers inserting the same key) and
// lock timeouts roll the job back and run it again, up to a bound; the job functions only write
// their outputs, so a rerun replaces what the failed attempt produced.
#pragma once
#include <cstddef>
#include <memory>
#include <string>

#include "store/store.hpp"

namespace colonies::store {

struct PostgresOptions {
    std::string host;  // "" = libpq's default (local socket)
    int port = 5432;
    std::string user;
    std::string password;
    std::string dbname = "postgres";
    std::string schema = "public";  // created if missing; lets deployments share one database
    int pool_size = 8;              // connections, one worker thread each
    int max_attempts = 30;          // per job, for the retryable failures above
    // Jobs a worker takes at once into one transaction (a savepoint each, one commit). Kept
    // under PostgreSQL's 64 cached subtransactions per backend, past which every snapshot of
    // every session gets slower.
    int max_batch = 32;
    int connect_attempts = 30;  // one per second at start (the database may still be booting)
    // Jobs waiting at most (store/job_queue.hpp); COLONIES_STORE_MAX_QUEUED.
    size_t max_queued = 100000;
};

// Connects, runs the schema migrations (under an advisory lock, so servers starting together do
// not race) and starts the pool. Throws StoreError when the database cannot be reached.
std::unique_ptr<Store> open_postgres_store(const PostgresOptions& opts);

// The libpq connection string of `opts` (keys quoted as libpq requires).
std::string postgres_conninfo(const PostgresOptions& opts);

}  // namespace colonies::store
