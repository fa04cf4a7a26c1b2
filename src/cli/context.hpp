// What every client command needs before it talks to a server: the global flags (cli.md 2.1),
// the COLONIES_* environment with upstream's per-variable precedence (cli.md 2.2), and the error
// type commands throw to end with a one-line message and an exit code (cli.md 6.4).
//
// Precedence implemented here (documented in docs/cli.md):
//   host         COLONIES_SERVER_HOST (non-empty) > --host > "localhost"        (upstream)
//   port         --port > COLONIES_SERVER_HTTP_PORT > COLONIES_SERVER_PORT     (upstream)
//   TLS          COLONIES_TLS=true|false > --insecure > TLS on                 (upstream)
//   colony       --colonyname/--colonyid > COLONIES_COLONY_NAME                (upstream)
//   prvkey       --prvkey > COLONIES_PRVKEY                                    (upstream)
//   backend      --backend > first of COLONIES_CLIENT_BACKENDS > http           (issue 20)
//   gRPC port    COLONIES_CLIENT_GRPC_PORT > COLONIES_SERVER_GRPC_PORT > 50051  (upstream)
//   CoAP port    COLONIES_CLIENT_COAP_PORT > COLONIES_SERVER_COAP_PORT > 5683   (upstream)
//   colony key   --colonyprvkey > COLONIES_COLONY_PRVKEY     (cli.md 7.2 recommendation)
//   server key   --serverprvkey > COLONIES_SERVER_PRVKEY     (cli.md 7.2 recommendation)
// Unlike upstream, a command asks only for the settings it uses (need_*), so `server status`
// works without a key.
#pragma once
#include <stdexcept>
#include <string>

#include "client/client.hpp"

namespace colonies::cli {

// Exit statuses of cli.md 6.4.
constexpr int kExitError = 255;  // handled error (upstream exits with -1)
constexpr int kExitUsage = 1;    // usage error, missing environment

// Thrown by commands: main prints "Error: <message>" on stderr and exits with `code`.
struct CliError : std::runtime_error {
    explicit CliError(const std::string& message, int code = kExitError)
        : std::runtime_error(message), code(code) {}
    int code;
};

// Reads an environment variable; "" when unset.
std::string env(const char* name);

// Global flags bound by the root command plus the per-command flags shared by many commands.
// One instance lives for the whole run; command callbacks read it after parsing.
struct Context {
    bool verbose = false;
    bool insecure = false;
    bool skip_tls_verify = false;
    bool json = false;
    std::string host;     // --host
    int port = -1;        // --port (-1 = not given)
    std::string backend;  // --backend (issue 20)
    std::string colony;   // --colonyname / --colonyid
    std::string prvkey, colony_prvkey, server_prvkey;

    // Resolved connection settings; throws CliError on a malformed port variable.
    client::Options client_options() const;
    client::Client client() const { return client::Client(client_options()); }
    std::string server_address() const;  // "host:port" as resolved, for messages
    bool tls() const;

    // Each returns the resolved value or throws CliError (exit 1) naming the variable to set.
    std::string need_colony() const;
    std::string need_prvkey() const;
    std::string need_colony_prvkey() const;
    std::string need_server_prvkey() const;
};

// A server error or transport failure as a CliError with the server's message text.
[[noreturn]] void fail(const Error& e);

template <class T>
T check(Result<T> r) {
    if (!r) fail(r.error());
    return std::move(r).value();
}

}  // namespace colonies::cli
