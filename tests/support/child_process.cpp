#include "child_process.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace colonies::testsupport {
namespace {

std::string errno_text(const std::string& what) {
    return what + ": " + std::strerror(errno);
}

struct Account {
    uid_t uid;
    gid_t gid;
};

Account account_of(const std::string& user) {
    passwd* pw = ::getpwnam(user.c_str());
    if (!pw) throw std::runtime_error("no user '" + user + "' on this machine");
    return {pw->pw_uid, pw->pw_gid};
}

// The inherited environment plus `extra` ("NAME=value").
std::vector<std::string> inherited_env_plus(const std::vector<std::string>& extra) {
    std::vector<std::string> env;
    for (char** e = environ; e && *e; ++e) env.emplace_back(*e);
    env.insert(env.end(), extra.begin(), extra.end());
    return env;
}

}  // namespace

// Everything the child needs is prepared before fork (no allocation after it).
pid_t spawn_process(const std::vector<std::string>& args, const std::string& log_path,
                    const std::vector<std::string>& env_in, const std::string& run_as,
                    int death_signal) {
    if (args.empty()) throw std::runtime_error("spawn: no command");
    std::vector<std::string> env = env_in;
    std::vector<std::string> argv_s = args;
    std::vector<char*> argv, envp;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    for (auto& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);
    const bool switch_user = !run_as.empty();
    Account acct{0, 0};
    if (switch_user) acct = account_of(run_as);

    int log_fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (log_fd < 0) throw std::runtime_error(errno_text("open " + log_path));
    if (switch_user) [[maybe_unused]]
        int r = ::fchown(log_fd, acct.uid, acct.gid);
    int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    const pid_t parent = ::getpid();
    pid_t child = ::fork();
    if (child < 0) {
        std::string err = errno_text("fork");
        ::close(log_fd);
        ::close(null_fd);
        throw std::runtime_error(err);
    }
    if (child == 0) {
        ::prctl(PR_SET_PDEATHSIG, death_signal);
        if (::getppid() != parent) ::_exit(127);
        ::signal(SIGPIPE, SIG_DFL);
        ::dup2(null_fd, STDIN_FILENO);
        ::dup2(log_fd, STDOUT_FILENO);
        ::dup2(log_fd, STDERR_FILENO);
        ::close_range(3, ~0U, 0);
        if (switch_user) {
            if (::setgid(acct.gid) != 0 || ::setuid(acct.uid) != 0) ::_exit(126);
            // setuid clears the death signal.
            ::prctl(PR_SET_PDEATHSIG, death_signal);
        }
        ::execve(argv[0], argv.data(), envp.data());
        const char msg[] = "=== test support: execve failed\n";
        [[maybe_unused]] auto n = ::write(STDERR_FILENO, msg, sizeof msg - 1);
        ::_exit(127);
    }
    ::close(log_fd);
    ::close(null_fd);
    return child;
}

int pick_free_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw std::runtime_error(errno_text("socket"));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof addr;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
        std::string err = errno_text("bind/getsockname 127.0.0.1:0");
        ::close(fd);
        throw std::runtime_error(err);
    }
    ::close(fd);
    return ntohs(addr.sin_port);
}

std::string make_temp_dir(const std::string& prefix) {
    std::string tmpl = "/tmp/" + prefix + "-XXXXXX";
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error(errno_text("mkdtemp"));
    return tmpl;
}

void remove_tree(const std::string& path) {
    if (path.empty() || std::getenv("COLONIES_KEEP_TEST_DIRS")) return;
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
}

int run_command(const std::vector<std::string>& args, const std::string& log_path,
                const std::string& run_as) {
    pid_t pid = spawn_process(args, log_path, inherited_env_plus({}), run_as, SIGKILL);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

ChildProcess::~ChildProcess() {
    if (running()) stop(SIGKILL, std::chrono::seconds(5));
}

void ChildProcess::start(const std::vector<std::string>& args, const std::string& log_path,
                         const std::vector<std::string>& env, const std::string& run_as,
                         int death_signal) {
    if (running()) throw std::runtime_error("child already running");
    pid_ = spawn_process(args, log_path, inherited_env_plus(env), run_as, death_signal);
}

bool ChildProcess::running() {
    if (pid_ <= 0) return false;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == 0) return true;
    pid_ = -1;
    return false;
}

void ChildProcess::stop(int sig, std::chrono::milliseconds grace) {
    if (!running()) return;
    ::kill(pid_, sig);
    const auto deadline = std::chrono::steady_clock::now() + grace;
    while (std::chrono::steady_clock::now() < deadline) {
        if (!running()) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ::kill(pid_, SIGKILL);
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
}

bool wait_until(ChildProcess& child, std::chrono::milliseconds timeout,
                const std::function<bool()>& ready) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (!child.running()) return false;
        if (ready()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

}  // namespace colonies::testsupport
