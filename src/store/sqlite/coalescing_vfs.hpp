// A SQLite VFS that gathers the writes to a write-ahead log and hands them to the operating
// system as one write when SQLite syncs (or reads, truncates, closes) the log.
//
// SQLite appends each WAL frame as two writes (a 24-byte header, then the page), so a commit
// that dirties twenty pages costs forty system calls; through this VFS it costs one write and
// the sync. The bytes that reach the file, and their order relative to every sync, are the
// same, so durability and crash recovery are SQLite's own. Files other than WAL files pass
// straight through to the default VFS.
#pragma once

namespace colonies::store {

// Registers the VFS on first use (not as the default) and returns its name, to be passed to
// sqlite3_open_v2.
const char* coalescing_vfs_name();

}  // namespace colonies::store
