// CPU and memory figures of the server (from /proc/<pid>, so only when it runs on this machine and
// --server-pid is given) and of the load generator itself (getrusage).
#pragma once
#include <sys/types.h>
#include <boost/json.hpp>

namespace colonies::bench {

// utime + stime of a process in seconds; -1 when /proc/<pid>/stat cannot be read.
double process_cpu_seconds(pid_t pid);
// VmRSS of a process in MiB; -1 when unknown.
double process_rss_mib(pid_t pid);
// CPU seconds (user + system) this process used so far.
double self_cpu_seconds();

// CPU used by the server and by the load generator between construction and put().
class CpuMeter {
  public:
    explicit CpuMeter(pid_t server_pid);
    // Adds server_cpu_s (when the pid is known), loadgen_cpu_s and wall_s to `out`.
    void put(boost::json::object& out) const;

  private:
    pid_t pid_;
    double server0_, self0_, wall0_;
};

}  // namespace colonies::bench
