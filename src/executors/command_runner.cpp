#include "executors/command_runner.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace colonies::executors {
namespace {

using Clock = std::chrono::steady_clock;

// Splits the byte stream into lines for the hook.
class LineSplitter {
  public:
    explicit LineSplitter(const CommandHooks& h) : hooks_(h) {}
    void feed(const char* data, size_t n) {
        for (size_t i = 0; i < n; ++i) {
            char c = data[i];
            if (c == '\0') continue;
            if (c == '\n') {
                emit();
            } else {
                partial_ += c;
            }
        }
    }
    void finish() {
        if (!partial_.empty()) emit();
    }

  private:
    void emit() {
        if (!partial_.empty() && partial_.back() == '\r') partial_.pop_back();
        if (hooks_.on_line) hooks_.on_line(partial_);
        partial_.clear();
    }
    const CommandHooks& hooks_;
    std::string partial_;
};

// Reads what is available without blocking; false at end of stream.
bool read_available(int fd, LineSplitter& out) {
    char buf[4096];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n > 0) {
            out.feed(buf, static_cast<size_t>(n));
            continue;
        }
        if (n == 0) return false;
        if (errno == EINTR) continue;
        return errno == EAGAIN || errno == EWOULDBLOCK;
    }
}

// The shell running `argv`, in its own process group, stdout and stderr on one pipe.
struct Child {
    pid_t pid = -1;
    int fd = -1;  // the read end of the output pipe, non-blocking
};

Child start_child(const char* const argv[], const std::vector<char*>& envp, std::string& error) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
        error = std::string("pipe: ") + std::strerror(errno);
        return {};
    }
    int devnull = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    pid_t pid = ::fork();
    if (pid < 0) {
        error = std::string("fork: ") + std::strerror(errno);
        ::close(fds[0]);
        ::close(fds[1]);
        if (devnull >= 0) ::close(devnull);
        return {};
    }
    if (pid == 0) {
        ::setpgid(0, 0);
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        ::signal(SIGPIPE, SIG_DFL);
        if (devnull >= 0) ::dup2(devnull, 0);
        ::dup2(fds[1], 1);
        ::dup2(fds[1], 2);
        ::execve("/bin/sh", const_cast<char* const*>(argv), envp.data());
        const char msg[] = "cannot execute /bin/sh\n";
        [[maybe_unused]] auto w = ::write(2, msg, sizeof msg - 1);
        ::_exit(127);
    }
    ::setpgid(pid, pid);  // also here, so a kill right after fork reaches the group
    ::close(fds[1]);
    if (devnull >= 0) ::close(devnull);
    ::fcntl(fds[0], F_SETFL, ::fcntl(fds[0], F_GETFL) | O_NONBLOCK);
    return {pid, fds[0]};
}

// Relays the child's output line by line until it exits, ending it at the deadline (SIGKILL) or
// on `stop` (SIGTERM, then SIGKILL after 2 s); records why in result.end. Returns the wait
// status.
int supervise(const Child& child, std::optional<Clock::time_point> deadline,
              const std::atomic<bool>& stop, const CommandHooks& hooks, CommandResult& result) {
    LineSplitter lines(hooks);
    bool open = true;
    int status = 0;
    std::optional<Clock::time_point> kill_at;  // SIGKILL time once we sent SIGTERM
    for (;;) {
        if (open) {
            pollfd p{child.fd, POLLIN, 0};
            ::poll(&p, 1, 100);
            open = read_available(child.fd, lines);
        } else {
            ::usleep(20000);
        }
        if (::waitpid(child.pid, &status, WNOHANG) == child.pid) {
            // The shell is gone; take what is buffered and stop waiting for children it left
            // behind holding the pipe.
            if (open) read_available(child.fd, lines);
            break;
        }
        if (!kill_at) {
            if (deadline && Clock::now() >= *deadline) {
                result.end = CommandResult::End::TimedOut;
                ::kill(-child.pid, SIGKILL);
                kill_at = Clock::now();
            } else if (stop.load()) {
                result.end = CommandResult::End::Stopped;
                ::kill(-child.pid, SIGTERM);
                kill_at = Clock::now() + std::chrono::seconds(2);
            }
        } else if (Clock::now() >= *kill_at) {
            ::kill(-child.pid, SIGKILL);
        }
        if (hooks.on_tick) hooks.on_tick();
    }
    lines.finish();
    return status;
}

}  // namespace

CommandResult run_command(const std::string& command_line, const std::vector<std::string>& env,
                          std::optional<Clock::time_point> deadline, const std::atomic<bool>& stop,
                          const CommandHooks& hooks) {
    CommandResult result;
    // Everything the child needs is built before fork: after it only async-signal-safe calls.
    std::vector<char*> envp;
    envp.reserve(env.size() + 1);
    for (const auto& e : env) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);
    const char* argv[] = {"sh", "-c", command_line.c_str(), nullptr};

    const Child child = start_child(argv, envp, result.error);
    if (child.pid < 0) {
        result.end = CommandResult::End::StartFailed;
        return result;
    }
    const int status = supervise(child, deadline, stop, hooks, result);
    ::kill(-child.pid, SIGKILL);  // leftovers in the group
    ::close(child.fd);

    if (result.end == CommandResult::End::TimedOut || result.end == CommandResult::End::Stopped)
        return result;
    if (WIFEXITED(status)) {
        result.end = CommandResult::End::Exited;
        result.exit_code = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
        result.end = CommandResult::End::Signalled;
        result.signal = WTERMSIG(status);
    }
    return result;
}

}  // namespace colonies::executors
