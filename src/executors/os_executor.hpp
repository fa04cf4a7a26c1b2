// The OS executor (cli.md 5.2): registers itself in a colony, long-polls for processes of its
// type and runs each as a Unix shell command, forwarding output lines as process logs and
// closing the process with the output (success) or the exit status and output tail (failure).
//
// Lifecycle: register() -> start() -> ... -> shutdown() -> deregister(). start() runs
// `parallel` worker threads, each with its own client::Client (a Client is not thread-safe).
// shutdown() kills running commands, fails their processes with "SIGTERM" and waits for those
// workers; workers idle in an assign long-poll cannot be interrupted and are left behind (the
// caller exits the process). deregister() then unregisters the executor, which also requeues a
// process a worker may have claimed while stopping (protocol.md 6.10).
//
// A command past the process's maxexectime is killed and the process is NOT closed: the
// server's deadline sweep requeues it while retries remain (protocol.md 6.6), else fails it.
#pragma once
#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "client/client.hpp"
#include "core/result.hpp"
#include "core/types.hpp"
#include "executors/command_runner.hpp"
#include "executors/fs_mounts.hpp"
#include "fs/s3.hpp"

namespace colonies::executors {

struct OsExecutorOptions {
    client::Options server;
    std::string colony;
    // With a colony owner key the executor registers (and later removes) itself under a fresh
    // key. Without one, `executor_prvkey` must belong to an already approved executor.
    std::string colony_prvkey;
    std::string executor_prvkey;
    std::string name;
    std::string type;
    int parallel = 1;
    int assign_timeout_s = 100;         // per long-poll
    std::string logdir;                 // when set, <logdir>/<processid>.log gets the output
    std::vector<std::string> base_env;  // KEY=VALUE inherited by every command
    // ColonyFS mounts (features.md 4.5): local root of the mounts (EXECUTOR_FS_DIR, given to the
    // command too) and the object store; a process with mounts fails when `s3` is unset.
    std::string fs_dir = "/tmp/colonies-fs";
    std::optional<fs::S3Config> s3;
    // Where output lines and status messages go (the terminal by default).
    std::function<void(const std::string&)> print_line;
    using Fields = std::vector<std::pair<std::string, std::string>>;
    std::function<void(const std::string& msg, const Fields& fields)> log;
    // The blueprint that deployed this executor (features.md 7.5; a reconciler's replica).
    std::string blueprintid;
    int64_t blueprintgen = 0;
};

// The command line of a process: funcname followed by each arg as text (strings verbatim,
// numbers and booleans in their JSON form), joined by single spaces, no quoting (cli.md 5.2).
std::string command_line(const FunctionSpec& spec);

// The environment of a process's command: `base` without the owner keys (a submitted command
// must not see them), then the spec's env, then the COLONIES_* variables that let the command
// call the API as the executor (COLONIES_PROCESS_ID, COLONIES_PRVKEY, ...). Later entries win.
std::vector<std::string> command_env(const std::vector<std::string>& base, const Process& p,
                                     const OsExecutorOptions& opts, const std::string& executor_id);

class OsExecutor {
  public:
    explicit OsExecutor(OsExecutorOptions opts);
    ~OsExecutor();

    // Adds and approves the executor with the colony key (re-adding a name that is taken);
    // without a colony key, checks the given identity. Errors are the server's.
    Status register_executor();
    void start();
    // Stops taking work, kills running commands, fails their processes and waits up to `grace`
    // for them. Safe to call from any thread, once.
    void shutdown(std::chrono::seconds grace);
    Status deregister();

    const std::string& executor_id() const { return executor_id_; }
    // Set by a worker that met an error it cannot recover from (e.g. the executor was removed).
    std::string fatal_error() const;
    // Called (from a worker thread) when a fatal error occurs; the caller should shut down.
    std::function<void()> on_fatal;

  private:
    void work(int index);
    void handle(client::Client& c, const Process& p);
    // Opens ColonyFS and syncs the process's mounts in; nullptr when it has none. On failure
    // the process is closed as failed and `failed` set.
    std::unique_ptr<fs::ColonyFs> fs_start(client::Client& c, const Process& p, const FsMounts& m,
                                           bool& failed);
    void fail_process(client::Client& c, const std::string& id, const std::string& reason);
    // Closes the process as its command ended (or only logs, when the server took it away).
    void report(client::Client& c, const std::string& id, const CommandResult& r,
                const std::vector<std::string>& lines, const std::deque<std::string>& tail,
                bool taken_away);
    void register_function(client::Client& c, const std::string& funcname);
    void print(const std::string& line);
    void log(const std::string& msg, const OsExecutorOptions::Fields& fields = {});

    OsExecutorOptions opts_;
    std::string executor_id_;
    std::atomic<bool> stopping_{false};
    std::vector<std::thread> workers_;

    mutable std::mutex mu_;
    std::condition_variable idle_cv_;
    int busy_ = 0;  // workers running a process
    std::set<std::string> functions_;
    std::string fatal_;
    std::mutex print_mu_;
};

}  // namespace colonies::executors
