// A child process for tests: started with fork/execve, output appended to a log file, killed
// when the test process dies (PR_SET_PDEATHSIG), optionally run as another user (PostgreSQL
// refuses to run as root). Also: free loopback ports and temporary directories.
#pragma once
#include <sys/types.h>

#include <chrono>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace colonies::testsupport {

// A free TCP port on 127.0.0.1 (bind port 0, read it, close).
int pick_free_port();

// mkdtemp under /tmp with the given prefix; removed by remove_tree().
std::string make_temp_dir(const std::string& prefix);
void remove_tree(const std::string& path);

// Starts `args` with exactly the environment `env` ("NAME=value"), stdin from /dev/null and
// stdout and stderr appended to `log_path`; `death_signal` reaches the child when the calling
// process dies. `run_as` empty = the current user. Returns the child's pid; the caller reaps it.
pid_t spawn_process(const std::vector<std::string>& args, const std::string& log_path,
                    const std::vector<std::string>& env, const std::string& run_as = "",
                    int death_signal = 9);

// Runs `args` to completion (stdout and stderr appended to `log_path`); returns the exit code,
// or -1 when it died of a signal. `run_as` empty = the current user.
int run_command(const std::vector<std::string>& args, const std::string& log_path,
                const std::string& run_as = "");

class ChildProcess {
  public:
    ChildProcess() = default;
    ~ChildProcess();
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    // `env` entries "NAME=value" are added to the inherited environment. `death_signal` is sent
    // to the child when the test process dies.
    void start(const std::vector<std::string>& args, const std::string& log_path,
               const std::vector<std::string>& env = {}, const std::string& run_as = "",
               int death_signal = 9);
    bool running();
    // Sends `sig`, waits up to `grace` for exit, then SIGKILL; reaps.
    void stop(int sig, std::chrono::milliseconds grace = std::chrono::seconds(10));
    pid_t pid() const { return pid_; }

  private:
    pid_t pid_ = -1;
};

// Polls `ready` every 50 ms until it returns true, the child exits (false) or the timeout.
bool wait_until(ChildProcess& child, std::chrono::milliseconds timeout,
                const std::function<bool()>& ready);

std::string read_file(const std::string& path);

}  // namespace colonies::testsupport
