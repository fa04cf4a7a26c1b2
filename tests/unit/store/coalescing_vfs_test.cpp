// The coalescing VFS holds WAL writes back until SQLite syncs, reads, or closes the log. These
// tests check that SQLite's guarantees are unchanged: what was committed survives a process that
// dies without closing the database (read back afterwards through the plain default VFS), what
// was not committed is gone, and a transaction that spills pages to the log mid-way (reads them
// back, rewrites them) sees its own writes.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "store/sqlite/coalescing_vfs.hpp"
#include "temp_dir.hpp"

namespace colonies::store {
namespace {

sqlite3* open_db(const std::string& path, const char* vfs) {
    sqlite3* db = nullptr;
    int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, vfs);
    if (rc != SQLITE_OK) {
        ADD_FAILURE() << "open " << path << ": " << sqlite3_errstr(rc);
        sqlite3_close(db);
        return nullptr;
    }
    return db;
}

// Runs SQL and returns the first column of the first row as text ("" when none).
std::string exec(sqlite3* db, const std::string& sql) {
    sqlite3_stmt* st = nullptr;
    std::string out;
    const char* tail = sql.c_str();
    while (tail && *tail) {
        if (sqlite3_prepare_v2(db, tail, -1, &st, &tail) != SQLITE_OK) {
            ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db);
            return out;
        }
        if (!st) break;
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            if (out.empty() && sqlite3_column_text(st, 0))
                out = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
        }
        if (rc != SQLITE_DONE) ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db);
        sqlite3_finalize(st);
    }
    return out;
}

// A row's blob is n bytes of a pattern that depends on its id, so a torn or misplaced write
// shows up in the checksum below.
std::string insert_row(int id, int n) {
    const std::string rotated = "substr('ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJKLMNOPQRSTUVWXYZ', " +
                                std::to_string(id % 26 + 1) + ", 26)";
    return "INSERT INTO t (id, v) VALUES (" + std::to_string(id) +
           ", substr(replace(hex(zeroblob(" + std::to_string(n / 26 + 1) + ")), '00', " + rotated +
           "), 1, " + std::to_string(n) + "))";
}

const char* kChecksum =
    "SELECT count(*) || '/' || sum(length(v)) || '/' || "
    "sum((unicode(substr(v, length(v) / 2 + 1, 1)) + unicode(substr(v, -1))) * id) FROM t";

// Sizes of the committed rows: small ones, and one of 5 MiB, past both the VFS's gathering
// limit and the largest single write of the unix VFS.
int row_size(int id) {
    return id == 7 ? (5 << 20) : 100 + id * 997 % 20000;
}

TEST(CoalescingVfs, CommittedWorkSurvivesAnUncleanExitAndUncommittedWorkDoesNot) {
    sqlite3_initialize();
    TempDir dir;
    const std::string path = dir.file("db");
    constexpr int kCommitted = 40;

    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        sqlite3* db = open_db(path, coalescing_vfs_name());
        if (!db) _exit(2);
        exec(db,
             "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
             "PRAGMA wal_autocheckpoint=0; CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
        for (int id = 1; id <= kCommitted; ++id) exec(db, insert_row(id, row_size(id)));
        exec(db, "BEGIN");
        for (int id = 1000; id < 1100; ++id) exec(db, insert_row(id, 3000));
        // Dies with the transaction open and the database never closed, the log unmerged.
        _exit(HasFailure() ? 3 : 0);
    }
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    ASSERT_EQ(WEXITSTATUS(status), 0);
    ASSERT_TRUE(std::filesystem::exists(path + "-wal"));
    ASSERT_GT(std::filesystem::file_size(path + "-wal"), static_cast<uintmax_t>(5 << 20));

    // The expected figures, computed by SQLite itself in a database nobody interrupted.
    sqlite3* ref = open_db(dir.file("ref"), nullptr);
    ASSERT_NE(ref, nullptr);
    exec(ref, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
    for (int id = 1; id <= kCommitted; ++id) exec(ref, insert_row(id, row_size(id)));
    const std::string expected = exec(ref, kChecksum);
    sqlite3_close(ref);

    sqlite3* db = open_db(path, nullptr);  // the plain default VFS reads what reached the file
    ASSERT_NE(db, nullptr);
    EXPECT_EQ(exec(db, "PRAGMA integrity_check"), "ok");
    EXPECT_EQ(exec(db, kChecksum), expected);
    EXPECT_EQ(exec(db, "SELECT count(*) FROM t WHERE id >= 1000"), "0");
    sqlite3_close(db);
}

TEST(CoalescingVfs, ATransactionThatSpillsToTheLogSeesItsOwnWrites) {
    TempDir dir;
    const std::string path = dir.file("db");
    sqlite3* db = open_db(path, coalescing_vfs_name());
    ASSERT_NE(db, nullptr);
    // A tiny page cache makes SQLite write pages of the open transaction to the log, read them
    // back and write them again before the commit.
    exec(db,
         "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA cache_size=2; "
         "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
    exec(db, "BEGIN");
    for (int id = 1; id <= 300; ++id) exec(db, insert_row(id, 1500));
    for (int id = 1; id <= 300; id += 3)
        exec(db, "UPDATE t SET v = v || 'x' WHERE id = " + std::to_string(id));
    const std::string inside = exec(db, kChecksum);
    exec(db, "COMMIT");
    EXPECT_EQ(exec(db, kChecksum), inside);
    sqlite3_close(db);

    sqlite3* again = open_db(path, nullptr);
    ASSERT_NE(again, nullptr);
    EXPECT_EQ(exec(again, "PRAGMA integrity_check"), "ok");
    EXPECT_EQ(exec(again, kChecksum), inside);
    EXPECT_EQ(exec(again, "SELECT count(*) FROM t"), "300");
    EXPECT_EQ(exec(again, "SELECT sum(length(v)) FROM t"), std::to_string(300 * 1500 + 100));
    sqlite3_close(again);
}

// A checkpoint begins by syncing the log. Right after a commit that synced it (synchronous=FULL)
// nothing is left to sync, and the VFS skips that device flush; after a commit that did not sync
// (synchronous=OFF) the checkpoint's sync is real and must happen.
TEST(CoalescingVfs, ACheckpointSkipsOnlyASyncThatWouldCoverNothing) {
    TempDir dir;
    sqlite3* db = open_db(dir.file("db"), coalescing_vfs_name());
    ASSERT_NE(db, nullptr);
    exec(db,
         "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA wal_autocheckpoint=0; "
         "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
    exec(db, insert_row(1, 5000));
    uint64_t before = coalescing_vfs_skipped_syncs();
    exec(db, "PRAGMA wal_checkpoint(PASSIVE)");
    EXPECT_EQ(coalescing_vfs_skipped_syncs(), before + 1);

    exec(db, "PRAGMA synchronous=OFF");
    exec(db, insert_row(2, 5000));
    before = coalescing_vfs_skipped_syncs();
    exec(db, "PRAGMA wal_checkpoint(PASSIVE)");
    EXPECT_EQ(coalescing_vfs_skipped_syncs(), before);

    // A second connection of the process (the store's checkpointer) shares what was synced.
    exec(db, "PRAGMA synchronous=FULL");
    sqlite3* other = open_db(dir.file("db"), coalescing_vfs_name());
    ASSERT_NE(other, nullptr);
    EXPECT_EQ(exec(other, "SELECT count(*) FROM t"), "2");
    exec(db, insert_row(3, 5000));
    before = coalescing_vfs_skipped_syncs();
    exec(other, "PRAGMA wal_checkpoint(PASSIVE)");
    EXPECT_EQ(coalescing_vfs_skipped_syncs(), before + 1);
    exec(db, "PRAGMA synchronous=OFF");
    exec(db, insert_row(4, 5000));
    // No sync at that commit, yet the other connection reads it: a whole commit reaches the file.
    EXPECT_EQ(exec(other, kChecksum), exec(db, kChecksum));
    before = coalescing_vfs_skipped_syncs();
    exec(other, "PRAGMA wal_checkpoint(PASSIVE)");
    EXPECT_EQ(coalescing_vfs_skipped_syncs(), before);
    EXPECT_EQ(exec(other, "SELECT count(*) FROM t"), "4");
    sqlite3_close(other);
    sqlite3_close(db);
}

}  // namespace
}  // namespace colonies::store
