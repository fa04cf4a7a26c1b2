// `colonies server backup` on the client side: POST /backup (ours; docs/compat.md "Online
// backup") signed with the server owner's key, the reply body (a copy of the server's SQLite
// store) streamed into a file. The file appears under its name only once it is whole and on disk
// (written as <path>.part, checked, synced, renamed), so a failed download leaves no half copy.
#pragma once
#include <cstdint>
#include <functional>
#include <string>

#include "client/client.hpp"

namespace colonies::client {

// Bytes written so far and the whole size the server announced.
using BackupProgress = std::function<void(uint64_t bytes, uint64_t total)>;

// The copy's size in bytes, or the server's error (e.g. 403 for a key that is not the server
// owner's, 400 on PostgreSQL) or a transport / file error. `reply_timeout` bounds each wait for
// the server, which makes the copy before it sends the first byte.
Result<uint64_t> download_backup(const Options& opts, const std::string& server_prvkey,
                                 const std::string& path, const BackupProgress& progress,
                                 std::chrono::seconds reply_timeout = std::chrono::seconds(600));

}  // namespace colonies::client
