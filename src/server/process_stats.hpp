// The server process's own resource use, read from /proc/self (Linux) for GET /metrics.
#pragma once
#include <cstdint>

namespace colonies::server {

struct ProcessStats {
    bool ok = false;                // false: /proc/self/stat could not be read
    double cpu_seconds = 0;         // user + system
    int64_t resident_bytes = 0;     // RSS
    int64_t virtual_bytes = 0;      // address space
    int64_t open_fds = -1;          // entries of /proc/self/fd; -1 when unreadable
    int64_t max_fds = -1;           // soft RLIMIT_NOFILE
    double start_time_seconds = 0;  // since the Unix epoch
    int64_t threads = 0;
};

// Reads /proc/self/stat, /proc/self/fd, /proc/stat (boot time) and the descriptor limit.
ProcessStats read_process_stats();

}  // namespace colonies::server
