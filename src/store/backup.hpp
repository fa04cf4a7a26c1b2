// Online backup (issue 19, `colonies server backup`): what a store that can copy itself while it
// serves offers besides Store. The SQLite store does; the server asks with dynamic_cast and
// tells a PostgreSQL user to run pg_dump instead.
#pragma once
#include <functional>
#include <string>

namespace colonies::store {

class OnlineBackup {
  public:
    virtual ~OnlineBackup() = default;
    // Writes a consistent copy of the whole database to a new file while jobs keep running, and
    // calls `done(error, path)`, on the store's thread, with "" and the copy's path (the caller
    // removes the file) or an error text and "". The copy is made a few MiB at a time between
    // batches, so no job waits behind the whole copy.
    using BackupDone = std::function<void(const std::string& error, const std::string& path)>;
    virtual void backup(BackupDone done) = 0;
};

}  // namespace colonies::store
