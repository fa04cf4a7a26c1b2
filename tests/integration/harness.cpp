#include "harness.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "child_process.hpp"
#include "crypto/crypto.hpp"

extern char** environ;

namespace colonies::it {

namespace {

std::string& binary_slot() {
    static std::string path;  // function-local: safe to set from other TUs' static init
    return path;
}

std::string errno_text(const char* what) {
    return std::string(what) + ": " + std::strerror(errno);
}

std::string tail(const std::string& text, size_t n) {
    return text.size() <= n ? text : "..." + text.substr(text.size() - n);
}

std::string describe(const Error& e) {
    return std::string(name_of(e.kind)) + " (" + std::to_string(e.status) + "): " + e.message;
}

void append_to_log(const std::string& path, const std::string& line) {
    std::ofstream out(path, std::ios::app);
    out << line << '\n';
}

}  // namespace

void set_server_binary(std::string path) {
    binary_slot() = std::move(path);
}

std::string server_binary() {
    if (!binary_slot().empty()) return binary_slot();
    if (const char* env = std::getenv("COLONIES_BINARY"); env && *env) return env;
    throw std::runtime_error(
        "server binary unknown: compile with -DCOLONIES_BINARY=... or set COLONIES_BINARY");
}

// ---- identities ----

Identity Identity::fresh() {
    return from_prvkey(crypto::generate_private_key());
}

Identity Identity::from_prvkey(const std::string& prvkey) {
    auto id = crypto::id_from_private_key(prvkey);
    if (!id) throw std::runtime_error("invalid private key: " + id.error().message);
    return Identity{prvkey, id.value()};
}

// ---- ports ----

int connect_loopback(int port, std::chrono::seconds read_timeout) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) throw std::runtime_error("socket");
    timeval tv{static_cast<time_t>(read_timeout.count()), 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd);
        throw std::runtime_error("connect to 127.0.0.1:" + std::to_string(port));
    }
    return fd;
}

int pick_free_port() {
    return testsupport::pick_free_port();
}

std::map<std::string, int64_t> read_metrics(client::Client& c) {
    auto res = c.get_raw("/metrics");
    if (!res) throw std::runtime_error("GET /metrics: " + describe(res.error()));
    if (res->first != 200)
        throw std::runtime_error("GET /metrics: HTTP " + std::to_string(res->first));
    std::map<std::string, int64_t> samples;
    std::istringstream lines(res->second);
    for (std::string line; std::getline(lines, line);) {
        if (line.empty() || line[0] == '#') continue;
        auto space = line.find(' ');
        if (space == std::string::npos) throw std::runtime_error("bad /metrics line: " + line);
        samples[line.substr(0, space)] = std::stoll(line.substr(space + 1));
    }
    return samples;
}

bool wait_for_metric(client::Client& c, const std::string& name, int64_t value,
                     std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    for (;;) {
        auto samples = read_metrics(c);
        auto it = samples.find(name);
        if (it != samples.end() && it->second == value) return true;
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

// ---- server process ----

ServerProcess::ServerProcess(ServerConfig cfg, bool start_now) : cfg_(std::move(cfg)) {
    char tmpl[] = "/tmp/colonies-it-XXXXXX";
    if (::mkdtemp(tmpl) == nullptr) throw std::runtime_error(errno_text("mkdtemp"));
    dir_ = tmpl;
    if (start_now) {
        try {
            start();
        } catch (...) {
            kill9();
            std::error_code ec;
            if (!std::getenv("COLONIES_KEEP_TEST_DIRS")) std::filesystem::remove_all(dir_, ec);
            throw;
        }
    }
}

ServerProcess::~ServerProcess() {
    try {
        stop();
    } catch (...) {
    }
    if (!std::getenv("COLONIES_KEEP_TEST_DIRS")) {
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }
}

client::Options ServerProcess::client_options() const {
    client::Options o;
    o.host = "127.0.0.1";
    o.port = port_;
    o.tls = cfg_.tls;
    o.skip_tls_verify = cfg_.tls;  // tests use self-signed certificates
    o.connect_timeout = std::chrono::seconds(5);
    return o;
}

std::string ServerProcess::log_text() const {
    std::ifstream in(log_path(), std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

void ServerProcess::launch(bool initdb) {
    const std::string binary = server_binary();
    std::vector<std::string> args = {
        binary,     "server",  "start",     "--port", std::to_string(port_),
        "--dbpath", db_path(), "--insecure"};
    args.insert(args.end(), cfg_.extra_args.begin(), cfg_.extra_args.end());

    std::vector<std::pair<std::string, std::string>> vars = {
        {"COLONIES_SERVER_ID", cfg_.server_id}};
    if (initdb) vars.emplace_back("COLONIES_INITDB", "true");
    for (const auto& kv : cfg_.extra_env) {
        std::erase_if(vars, [&](const auto& v) { return v.first == kv.first; });
        vars.push_back(kv);
    }
    std::vector<std::string> env;
    for (char** e = environ; e && *e; ++e) {
        std::string_view entry(*e);
        if (entry.starts_with("COLONIES_")) continue;  // the developer's shell must not leak in
        const std::string_view name = entry.substr(0, entry.find('='));
        bool overridden = false;
        for (const auto& kv : vars) overridden = overridden || kv.first == name;
        if (!overridden) env.emplace_back(entry);
    }
    for (const auto& [k, v] : vars) env.push_back(k + "=" + v);

    std::string command;
    for (const auto& a : args) command += (command.empty() ? "" : " ") + a;
    append_to_log(log_path(), "=== harness: starting " + command + (initdb ? " (initdb)" : ""));
    // The server must not outlive the test process, even when the test is killed.
    pid_ = testsupport::spawn_process(args, log_path(), env, "", SIGKILL);
}

bool ServerProcess::running() {
    if (pid_ <= 0) return false;
    int status = 0;
    pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == 0) return true;
    if (r == pid_) last_status_ = status;
    pid_ = -1;
    return false;
}

void ServerProcess::reap_blocking() {
    if (pid_ <= 0) return;
    int status = 0;
    pid_t r;
    do {
        r = ::waitpid(pid_, &status, 0);
    } while (r < 0 && errno == EINTR);
    if (r == pid_) last_status_ = status;
    pid_ = -1;
}

bool ServerProcess::wait_healthy(std::chrono::seconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    client::Options opts = client_options();
    opts.connect_timeout = std::chrono::seconds(1);
    client::Client probe(opts);
    while (std::chrono::steady_clock::now() < deadline) {
        if (!running()) return false;
        if (probe.health()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
}

void ServerProcess::start() {
    if (running())
        throw std::runtime_error("server already running on port " + std::to_string(port_));
    constexpr int kAttempts = 3;
    for (int attempt = 1; attempt <= kAttempts; ++attempt) {
        port_ = pick_free_port();
        launch(true);
        if (wait_healthy(cfg_.startup_timeout)) return;
        const bool died = !running();
        if (!died) kill9();
        // A child that died at once may have lost the port to another process: try another.
        if (died && attempt < kAttempts) {
            append_to_log(log_path(), "=== harness: server exited during start-up, retrying");
            continue;
        }
        throw std::runtime_error(
            std::string("colonies server ") + (died ? "exited during start-up" : "not healthy") +
            " (port " + std::to_string(port_) + ", wait status " + std::to_string(last_status_) +
            "); log " + log_path() + ":\n" + tail(log_text(), 4000));
    }
}

void ServerProcess::restart() {
    stop();
    const auto deadline = std::chrono::steady_clock::now() + cfg_.startup_timeout;
    // Same port: if it is briefly unavailable the child exits, so relaunch until the deadline.
    while (true) {
        launch(cfg_.initdb_on_restart);
        const auto left = std::chrono::duration_cast<std::chrono::seconds>(
            deadline - std::chrono::steady_clock::now());
        if (wait_healthy(std::max(left, std::chrono::seconds(1)))) return;
        const bool died = !running();
        if (!died) kill9();
        if (!died || std::chrono::steady_clock::now() >= deadline) {
            throw std::runtime_error(std::string("colonies server restart failed: ") +
                                     (died ? "exited during start-up" : "not healthy") + " (port " +
                                     std::to_string(port_) + "); log " + log_path() + ":\n" +
                                     tail(log_text(), 4000));
        }
        append_to_log(log_path(), "=== harness: server exited during restart, retrying");
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
}

void ServerProcess::stop() {
    if (!running()) return;
    ::kill(pid_, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
        if (!running()) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    append_to_log(log_path(), "=== harness: no exit 10 s after SIGTERM, sending SIGKILL");
    kill9();
}

void ServerProcess::kill9() {
    if (!running()) return;
    ::kill(pid_, SIGKILL);
    reap_blocking();
}

// ---- fixtures ----

Colony Fixture::setup_colony(client::Client& c, const std::string& name,
                             const std::string& colony_prvkey, const std::string& server_prvkey) {
    Colony colony;
    colony.colonyid = Identity::from_prvkey(colony_prvkey).id;
    colony.name = name;
    auto added = c.add_colony(colony, server_prvkey);
    if (!added) throw std::runtime_error("add colony " + name + ": " + describe(added.error()));
    return added.value();
}

Executor Fixture::add_approved_executor(client::Client& c, const std::string& colony,
                                        const std::string& name, const std::string& type,
                                        const std::string& executor_prvkey,
                                        const std::string& colony_prvkey) {
    Executor e;
    e.executorid = Identity::from_prvkey(executor_prvkey).id;
    e.executortype = type;
    e.executorname = name;
    e.colonyname = colony;
    auto added = c.add_executor(e, colony_prvkey);
    if (!added) throw std::runtime_error("add executor " + name + ": " + describe(added.error()));
    auto approved = c.approve_executor(colony, name, colony_prvkey);
    if (!approved) {
        throw std::runtime_error("approve executor " + name + ": " + describe(approved.error()));
    }
    Executor out = added.value();
    out.state = ExecutorState::Approved;
    return out;
}

void Fixture::setup_dev(client::Client& c) {
    setup_colony(c, DevIdentity::colony_name, DevIdentity::colony_prvkey,
                 DevIdentity::server_prvkey);
    add_approved_executor(c, DevIdentity::colony_name, "exec1", "cli", DevIdentity::executor_prvkey,
                          DevIdentity::colony_prvkey);
}

FunctionSpec Fixture::simple_spec(const std::string& colony, const std::string& executortype,
                                  const std::string& funcname) {
    FunctionSpec spec;
    spec.funcname = funcname;
    spec.conditions.colonyname = colony;
    spec.conditions.executortype = executortype;
    spec.maxwaittime = -1;
    spec.maxexectime = -1;
    spec.maxretries = -1;
    return spec;
}

}  // namespace colonies::it
