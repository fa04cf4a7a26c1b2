// Runs one shell command line as a child process for the OS executor (cli.md 5.2): `sh -c`,
// stdin from /dev/null, stderr merged into stdout, its own process group so the whole tree can
// be killed. Output is handed over line by line while the command runs.
//
// Threading: run_command blocks the calling thread; several threads may run commands at once
// (the child is started with fork+execve and only async-signal-safe calls in between).
// The child gets an empty signal mask and default SIGPIPE handling whatever the caller blocked.
#pragma once
#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace colonies::executors {

struct CommandResult {
    enum class End {
        Exited,       // exit_code is valid
        Signalled,    // killed by `signal` (not by us)
        TimedOut,     // we killed it at the deadline
        Stopped,      // we killed it because `stop` was set
        StartFailed,  // could not be started: `error`
    };
    End end = End::Exited;
    int exit_code = 0;
    int signal = 0;
    std::string error;
};

struct CommandHooks {
    // One output line without its newline (a last unterminated line too). NUL bytes dropped.
    std::function<void(const std::string& line)> on_line;
    // Called about every 100 ms while the command runs (flushing, checks).
    std::function<void()> on_tick;
};

// `env` is the complete environment ("KEY=VALUE" entries). With a deadline the process group is
// killed when it passes; setting `stop` kills it too (SIGTERM, then SIGKILL after a 2 s grace).
// When the command ends, anything left in its process group is killed.
CommandResult run_command(const std::string& command_line, const std::vector<std::string>& env,
                          std::optional<std::chrono::steady_clock::time_point> deadline,
                          const std::atomic<bool>& stop, const CommandHooks& hooks);

}  // namespace colonies::executors
