#include "cli/context.hpp"

#include <cctype>
#include <cstdlib>

#include "cli/output.hpp"

namespace colonies::cli {

std::string env(const char* name) {
    const char* v = std::getenv(name);
    return v ? v : "";
}

namespace {

int parse_port(const std::string& name, const std::string& text) {
    try {
        size_t used = 0;
        int p = std::stoi(text, &used);
        if (used == text.size() && p >= 0 && p <= 65535) return p;
    } catch (const std::exception&) {
    }
    throw CliError(name + " must be a port number, got '" + text + "'");
}

// The hint every "not set" error carries: where a new user gets these values.
std::string missing(const std::string& var, const std::string& flag) {
    return var + " not set: export it (the exports printed by `colonies dev` set it)" +
           (flag.empty() ? "" : " or pass " + flag);
}

}  // namespace

bool Context::tls() const {
    const std::string t = env("COLONIES_TLS");
    if (t == "true") return true;
    if (t == "false") return false;
    return !insecure;  // upstream default: TLS unless --insecure
}

// Upstream lets COLONIES_SERVER_HOST and COLONIES_TLS win over --host and --insecure (cli.md
// 2.2); a flag that loses silently looks like a bug, so say so (once per run).
static void warn_overridden_flags(const std::string& host, bool insecure) {
    static bool warned = false;
    if (warned) return;
    warned = true;
    const std::string env_host = env("COLONIES_SERVER_HOST");
    if (!host.empty() && !env_host.empty() && host != env_host)
        log_warn(
            "--host is ignored: COLONIES_SERVER_HOST wins (as upstream); unset it to use --host",
            {{"Host", env_host}});
    if (insecure && env("COLONIES_TLS") == "true")
        log_warn(
            "--insecure is ignored: COLONIES_TLS=true wins (as upstream); unset it or set it "
            "to false");
}

// The backend RPC calls go through (issue 20) and its port: --backend, else the first entry of
// upstream's COLONIES_CLIENT_BACKENDS (upstream falls back along the list; we take the first).
static void choose_backend(const std::string& flag, client::Options& o) {
    std::string b = flag;
    if (b.empty()) {
        b = env("COLONIES_CLIENT_BACKENDS");
        b = b.substr(0, b.find(','));
        std::erase_if(b, [](unsigned char c) { return std::isspace(c); });
    }
    if (b.empty() || b == "gin") b = "http";
    auto port_of = [](const char* client_var, const char* server_var, int fallback) {
        if (!env(client_var).empty()) return parse_port(client_var, env(client_var));
        if (!env(server_var).empty()) return parse_port(server_var, env(server_var));
        return fallback;
    };
    if (b == "grpc") {
        o.backend_port = port_of("COLONIES_CLIENT_GRPC_PORT", "COLONIES_SERVER_GRPC_PORT", 50051);
        if (!env("COLONIES_CLIENT_GRPC_HOST").empty()) o.host = env("COLONIES_CLIENT_GRPC_HOST");
    } else if (b == "coap") {
        o.backend_port = port_of("COLONIES_CLIENT_COAP_PORT", "COLONIES_SERVER_COAP_PORT", 5683);
        if (!env("COLONIES_CLIENT_COAP_HOST").empty()) o.host = env("COLONIES_CLIENT_COAP_HOST");
    } else if (b != "http") {
        throw CliError("unknown backend '" + b + "' (use http, grpc or coap)", kExitUsage);
    }
    o.backend = b;
}

client::Options Context::client_options() const {
    warn_overridden_flags(host, insecure);
    client::Options o;
    const std::string env_host = env("COLONIES_SERVER_HOST");
    o.host = !env_host.empty() ? env_host : !host.empty() ? host : "localhost";
    choose_backend(backend, o);
    if (o.backend != "http" && port < 0 && env("COLONIES_SERVER_HTTP_PORT").empty() &&
        env("COLONIES_SERVER_PORT").empty()) {
        o.port = 50080;  // only subscriptions use it
    } else if (port >= 0) {
        o.port = port;
    } else if (!env("COLONIES_SERVER_HTTP_PORT").empty()) {
        o.port = parse_port("COLONIES_SERVER_HTTP_PORT", env("COLONIES_SERVER_HTTP_PORT"));
    } else if (!env("COLONIES_SERVER_PORT").empty()) {
        o.port = parse_port("COLONIES_SERVER_PORT", env("COLONIES_SERVER_PORT"));
    } else {
        throw CliError(missing("COLONIES_SERVER_PORT", "--port"), kExitUsage);
    }
    o.tls = tls();
    o.skip_tls_verify = skip_tls_verify;
    o.connect_timeout = std::chrono::seconds(5);
    return o;
}

std::string Context::server_address() const {
    auto o = client_options();
    return o.host + ":" + std::to_string(o.port);
}

std::string Context::need_colony() const {
    if (!colony.empty()) return colony;
    std::string v = env("COLONIES_COLONY_NAME");
    if (v.empty()) throw CliError(missing("COLONIES_COLONY_NAME", "--colonyname"), kExitUsage);
    return v;
}

std::string Context::need_prvkey() const {
    if (!prvkey.empty()) return prvkey;
    std::string v = env("COLONIES_PRVKEY");
    if (v.empty()) throw CliError(missing("COLONIES_PRVKEY", "--prvkey"), kExitUsage);
    return v;
}

std::string Context::need_colony_prvkey() const {
    if (!colony_prvkey.empty()) return colony_prvkey;
    std::string v = env("COLONIES_COLONY_PRVKEY");
    if (v.empty()) throw CliError(missing("COLONIES_COLONY_PRVKEY", "--colonyprvkey"), kExitUsage);
    return v;
}

std::string Context::need_server_prvkey() const {
    if (!server_prvkey.empty()) return server_prvkey;
    std::string v = env("COLONIES_SERVER_PRVKEY");
    if (v.empty()) throw CliError(missing("COLONIES_SERVER_PRVKEY", "--serverprvkey"), kExitUsage);
    return v;
}

void fail(const Error& e) {
    // No connection could be made: say what usually causes it. After a reset, a timeout or a
    // TLS failure the server was there, and the message says what went wrong instead.
    if (e.is(ErrorKind::Unreachable)) throw CliError(e.message + " (is the server running?)");
    throw CliError(e.message);
}

}  // namespace colonies::cli
