// Helpers for the CLI integration tests (cli_*_test.cpp): run the real `colonies` binary with a
// chosen environment and bounded time, keep one in the background (the dev server, the OS
// executor), and a `colonies dev` on a free port whose printed exports become the environment
// of later commands - exactly what a user pastes into a second terminal.
// Header-only on purpose: each test binary includes it once.
#pragma once
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "harness.hpp"

extern char** environ;

namespace colonies::it::cli {

using Env = std::map<std::string, std::string>;
using namespace std::chrono_literals;

inline std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

inline void write_file(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
}

inline std::string make_temp_dir() {
    char tmpl[] = "/tmp/colonies-cli-XXXXXX";
    if (::mkdtemp(tmpl) == nullptr) throw std::runtime_error("mkdtemp failed");
    return tmpl;
}

// A child running the colonies binary with stdout/stderr in files of `dir`.
class Child {
  public:
    Child(const std::vector<std::string>& args, const Env& env, const std::string& dir,
          const std::string& name, const std::string& stdin_text = "")
        : out_path_(dir + "/" + name + ".out"), err_path_(dir + "/" + name + ".err") {
        const std::string in_path = dir + "/" + name + ".in";
        write_file(in_path, stdin_text);
        std::vector<std::string> argv_s{server_binary()};
        argv_s.insert(argv_s.end(), args.begin(), args.end());
        // The developer's COLONIES_* settings must not leak into the command under test.
        std::vector<std::string> env_s;
        for (char** e = environ; e && *e; ++e) {
            std::string entry(*e);
            if (entry.rfind("COLONIES_", 0) == 0) continue;
            if (env.count(entry.substr(0, entry.find('=')))) continue;
            env_s.push_back(entry);
        }
        for (const auto& [k, v] : env) env_s.push_back(k + "=" + v);
        std::vector<char*> argv, envp;
        for (auto& a : argv_s) argv.push_back(a.data());
        argv.push_back(nullptr);
        for (auto& e : env_s) envp.push_back(e.data());
        envp.push_back(nullptr);
        int in = ::open(in_path.c_str(), O_RDONLY | O_CLOEXEC);
        int out = ::open(out_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        int err = ::open(err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        const pid_t parent = ::getpid();
        pid_ = ::fork();
        if (pid_ < 0) throw std::runtime_error("fork failed");
        if (pid_ == 0) {
            ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive the test
            if (::getppid() != parent) ::_exit(127);
            ::dup2(in, 0);
            ::dup2(out, 1);
            ::dup2(err, 2);
            ::execve(argv[0], argv.data(), envp.data());
            ::_exit(127);
        }
        ::close(in);
        ::close(out);
        ::close(err);
    }
    ~Child() {
        if (running()) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
        }
    }
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;

    pid_t pid() const { return pid_; }
    bool running() {
        if (reaped_) return false;
        int st = 0;
        if (::waitpid(pid_, &st, WNOHANG) == pid_) {
            reaped_ = true;
            status_ = st;
            return false;
        }
        return true;
    }
    void signal(int sig) {
        if (!reaped_) ::kill(pid_, sig);
    }
    // Waits for the exit; returns the exit code, or -1 (after SIGKILL) when `limit` passed.
    int wait(std::chrono::milliseconds limit) {
        const auto deadline = std::chrono::steady_clock::now() + limit;
        while (running()) {
            if (std::chrono::steady_clock::now() >= deadline) {
                ::kill(pid_, SIGKILL);
                ::waitpid(pid_, &status_, 0);
                reaped_ = true;
                return -1;
            }
            std::this_thread::sleep_for(20ms);
        }
        return WIFEXITED(status_) ? WEXITSTATUS(status_) : 128 + WTERMSIG(status_);
    }
    std::string out() const { return read_file(out_path_); }
    std::string err() const { return read_file(err_path_); }
    // Polls stdout until it contains `text`.
    bool wait_for_output(const std::string& text, std::chrono::milliseconds limit) {
        const auto deadline = std::chrono::steady_clock::now() + limit;
        while (std::chrono::steady_clock::now() < deadline) {
            if (out().find(text) != std::string::npos) return true;
            std::this_thread::sleep_for(50ms);
        }
        return false;
    }

  private:
    std::string out_path_, err_path_;
    pid_t pid_ = -1;
    bool reaped_ = false;
    int status_ = 0;
};

struct RunResult {
    int code = -1;
    std::string out, err;
};

// Runs one command to completion (killed after `limit`).
inline RunResult run(const std::vector<std::string>& args, const Env& env, const std::string& dir,
                     const std::string& stdin_text = "", std::chrono::milliseconds limit = 20s) {
    static int counter = 0;
    Child c(args, env, dir, "cmd" + std::to_string(++counter), stdin_text);
    RunResult r;
    r.code = c.wait(limit);
    r.out = c.out();
    r.err = c.err();
    return r;
}

// The value of `key=` in a log line, e.g. field(err, "ProcessId").
inline std::string field(const std::string& text, const std::string& key) {
    auto pos = text.find(key + "=");
    if (pos == std::string::npos) return "";
    pos += key.size() + 1;
    auto end = text.find_first_of(" \n\"", pos);
    return text.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
}

inline int count_lines(const std::string& s) {
    int n = 0;
    for (char c : s) n += c == '\n';
    return n;
}

// `colonies dev` on a free port with its own data directory; env() is what it printed.
class DevServer {
  public:
    explicit DevServer(std::vector<std::string> extra = {}) : dir_(make_temp_dir()) {
        start(std::move(extra));
    }
    ~DevServer() {
        stop();
        if (!std::getenv("COLONIES_KEEP_TEST_DIRS")) {
            std::error_code ec;
            std::filesystem::remove_all(dir_, ec);
        }
    }
    void start(std::vector<std::string> extra = {}) {
        if (port_ == 0) port_ = pick_free_port();
        std::vector<std::string> args{"dev", "--datadir", dir_ + "/data", "--port",
                                      std::to_string(port_)};
        args.insert(args.end(), extra.begin(), extra.end());
        child_ = std::make_unique<Child>(args, Env{}, dir_, "dev" + std::to_string(++starts_));
        if (!child_->wait_for_output("export COLONIES_EXECUTOR_TYPE", 15s))
            throw std::runtime_error("colonies dev did not start: " + child_->err());
        env_.clear();
        std::istringstream lines(child_->out());
        for (std::string line; std::getline(lines, line);) {
            if (line.rfind("export ", 0) != 0) continue;
            auto eq = line.find('=');
            env_[line.substr(7, eq - 7)] = line.substr(eq + 1);
        }
    }
    // SIGTERM and wait; returns the exit code.
    int stop() {
        if (!child_) return -1;
        child_->signal(SIGTERM);
        int code = child_->wait(10s);
        child_.reset();
        return code;
    }
    const Env& env() const { return env_; }
    const std::string& dir() const { return dir_; }
    int port() const { return port_; }
    Child& child() { return *child_; }
    client::Client client() const {
        client::Options o;
        o.host = "127.0.0.1";
        o.port = port_;
        return client::Client(o);
    }
    RunResult run(const std::vector<std::string>& args, const std::string& stdin_text = "") const {
        return cli::run(args, env_, dir_, stdin_text);
    }

  private:
    std::string dir_;
    int port_ = 0;
    int starts_ = 0;
    std::unique_ptr<Child> child_;
    Env env_;
};

}  // namespace colonies::it::cli
