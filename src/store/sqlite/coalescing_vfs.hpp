// A SQLite VFS that gathers the writes to a write-ahead log and hands them to the operating
// system as one write when SQLite syncs (or reads, truncates, closes) the log.
//
// SQLite appends each WAL frame as two writes (a 24-byte header, then the page), so a commit
// that dirties twenty pages costs forty system calls; through this VFS it costs one write and
// the sync. The bytes that reach the file, and their order relative to every sync, are the
// same, so durability and crash recovery are SQLite's own. Files other than WAL files pass
// straight through to SQLite's unix-excl VFS: the process holds the database's lock from its
// first use until its last connection closes (another process is refused), and the connections of
// the process share the WAL index in memory.
//
// It also skips a sync of a log that nothing has written to since its last sync (a checkpoint
// begins with one, right after the commit that synced the log).
#pragma once
#include <cstdint>

namespace colonies::store {

// Registers the VFS on first use (not as the default) and returns its name, to be passed to
// sqlite3_open_v2.
const char* coalescing_vfs_name();

// Syncs of a log skipped because nothing was written since its last sync (process-wide count).
uint64_t coalescing_vfs_skipped_syncs();

}  // namespace colonies::store
