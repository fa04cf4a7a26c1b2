// Integration-test fixtures: a real `colonies server` child process on a free loopback port with
// its own temporary SQLite database, the development identities of protocol.md 2.4, and helpers
// that set up a colony with an approved executor through the C++ SDK.
//
// The server binary comes from the COLONIES_BINARY macro that CMake defines for every
// integration test executable (this header registers it at start-up); without the macro the
// COLONIES_BINARY environment variable is used.
#pragma once
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "client/client.hpp"
#include "core/types.hpp"

namespace colonies::it {

// Path of the server binary under test (see above). Throws std::runtime_error when unknown.
void set_server_binary(std::string path);
std::string server_binary();

// The well-known development keys (protocol.md 2.4, upstream docker-compose.env).
struct DevIdentity {
    static inline const std::string server_prvkey =
        "fcc79953d8a751bf41db661592dc34d30004b1a651ffa0725b03ac227641499d";  // K1
    static inline const std::string server_id =
        "039231c7644e04b6895471dd5335cf332681c54e27f81fac54f9067b3f2c0103";
    static inline const std::string colony_prvkey =
        "ba949fa134981372d6da62b6a56f336ab4d843b22c02a4257dcf7d0d73097514";  // K2
    static inline const std::string colony_id =
        "4787a5071856a4acf702b2ffcea422e3237a679c681314113d86139461290cf4";
    static inline const std::string colony_name = "dev";
    static inline const std::string executor_prvkey =
        "ddf7f7791208083b6a9ed975a72684f6406a269cfa36f1b1c32045c0a71fff05";  // K3
    static inline const std::string executor_id =
        "3fc05cf3df4b494e95d6a3d297a34f19938f7daa7422ab0d4f794454133341ac";
};

// A fresh key pair (crypto::generate_private_key / id_from_private_key).
struct Identity {
    std::string prvkey;
    std::string id;
    static Identity fresh();
    static Identity from_prvkey(const std::string& prvkey);  // throws on an invalid key
};

struct ServerConfig {
    std::string server_id = DevIdentity::server_id;  // COLONIES_SERVER_ID
    std::vector<std::string> extra_args;             // appended after the standard arguments
    std::vector<std::pair<std::string, std::string>> extra_env;  // added/overriding variables
    bool initdb_on_restart = false;  // also pass COLONIES_INITDB=true to restart()
    bool tls = false;  // the server speaks HTTPS: clients connect with TLS (no verification)
    std::chrono::seconds startup_timeout{15};
};

// One server child process. Start-up waits until GET /health answers 200 and throws
// std::runtime_error (with the tail of the server log) when it does not within the timeout.
// The child inherits the test's environment minus every COLONIES_* variable, then gets
// COLONIES_SERVER_ID, COLONIES_INITDB=true and the extra variables. Output goes to
// <data_dir>/server.log (appended across restarts). Set COLONIES_KEEP_TEST_DIRS=1 to keep the
// data directory after the test.
class ServerProcess {
  public:
    explicit ServerProcess(ServerConfig cfg = {}, bool start_now = true);
    ~ServerProcess();
    ServerProcess(const ServerProcess&) = delete;
    ServerProcess& operator=(const ServerProcess&) = delete;

    void start();    // first start: fresh port (retried on a port clash), initdb
    void stop();     // SIGTERM, wait up to 10 s, then SIGKILL; reaps the child
    void kill9();    // SIGKILL and reap
    void restart();  // stop() if running, then start again on the same port and database

    bool running();  // child alive (reaps it when it exited on its own)
    int port() const { return port_; }
    pid_t pid() const { return pid_; }
    const std::string& data_dir() const { return dir_; }
    std::string db_path() const { return dir_ + "/colonies.db"; }
    std::string log_path() const { return dir_ + "/server.log"; }
    std::string log_text() const;
    // Raw wait status of the last reaped child (as from waitpid), -1 when none was reaped yet.
    int last_wait_status() const { return last_status_; }

    client::Options client_options() const;
    client::Client make_client() const { return client::Client(client_options()); }

  private:
    void launch(bool initdb);
    bool wait_healthy(std::chrono::seconds timeout);
    void reap_blocking();

    ServerConfig cfg_;
    std::string dir_;
    int port_ = 0;
    pid_t pid_ = -1;
    int last_status_ = -1;
};

// A free TCP port on 127.0.0.1 (bind port 0, read it, close).
int pick_free_port();

// A blocking TCP connection to 127.0.0.1:`port` whose reads give up after `read_timeout`, for
// tests that speak raw bytes; throws std::runtime_error when it cannot connect. The caller
// closes the descriptor.
int connect_loopback(int port, std::chrono::seconds read_timeout);

// The samples of the server's GET /metrics (name -> value); throws std::runtime_error when it
// does not answer 200. The client's own connection is one of colonies_open_connections.
std::map<std::string, int64_t> read_metrics(client::Client& c);
// Polls GET /metrics until `name` reads `value`; false when `limit` passes first.
bool wait_for_metric(client::Client& c, const std::string& name, int64_t value,
                     std::chrono::milliseconds limit);

// Setup helpers; they throw std::runtime_error with the server's message on failure.
struct Fixture {
    // Adds colony `name` whose owner is `colony_prvkey`, signed by the server owner.
    static Colony setup_colony(client::Client& c, const std::string& name,
                               const std::string& colony_prvkey, const std::string& server_prvkey);
    // Adds executor `name` of `type` (id from `executor_prvkey`) and approves it with the
    // colony owner key.
    static Executor add_approved_executor(client::Client& c, const std::string& colony,
                                          const std::string& name, const std::string& type,
                                          const std::string& executor_prvkey,
                                          const std::string& colony_prvkey);
    // Colony "dev" with the development keys and its approved executor "exec1" of type "cli"
    // (key K3): what most tests start from.
    static void setup_dev(client::Client& c);
    // A spec for `colony`/`executortype` with no time limits (maxwaittime, maxexectime and
    // maxretries -1, like pycolonies' func_spec helper).
    static FunctionSpec simple_spec(const std::string& colony, const std::string& executortype,
                                    const std::string& funcname);
};

}  // namespace colonies::it

#ifdef COLONIES_BINARY
namespace {
[[maybe_unused]] const bool colonies_it_binary_registered =
    (::colonies::it::set_server_binary(COLONIES_BINARY), true);
}  // namespace
#endif
