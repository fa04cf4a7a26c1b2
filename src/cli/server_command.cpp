#include "cli/server_command.hpp"

#include <cstdlib>
#include <iostream>
#include <memory>

#include "core/time.hpp"
#include "server/server.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace colonies::cli {
namespace {

std::string env(const char* name) {
    const char* v = std::getenv(name);
    return v ? v : "";
}

struct StartFlags {
    int port = -1;
    bool insecure = false;
    bool initdb = false;
    std::string dbtype;
    std::string dbpath;
    std::string tlscert, tlskey;
    size_t max_body_bytes = 0;
    int threads = 0;
};

// Parse ParseBool-style booleans (features.md 8.1); throws on a bad value.
bool parse_bool(const std::string& name, const std::string& v) {
    if (v == "1" || v == "t" || v == "T" || v == "TRUE" || v == "true" || v == "True") return true;
    if (v == "0" || v == "f" || v == "F" || v == "FALSE" || v == "false" || v == "False")
        return false;
    throw CLI::ValidationError(name, "must be true or false, got '" + v + "'");
}

int start(const StartFlags& f) {
    server::ServerOptions o;
    o.port = f.port;
    if (o.port < 0 && !env("COLONIES_SERVER_HTTP_PORT").empty())
        o.port = std::stoi(env("COLONIES_SERVER_HTTP_PORT"));
    if (o.port < 0 && !env("COLONIES_SERVER_PORT").empty())
        o.port = std::stoi(env("COLONIES_SERVER_PORT"));
    if (o.port < 0 || o.port > 65535) {
        std::cerr << "Error: no port given: use --port or set COLONIES_SERVER_PORT (e.g. 50080)\n";
        return 2;
    }

    // TLS: COLONIES_TLS decides when set, else --insecure (default TLS mode, as upstream).
    std::string tls_env = env("COLONIES_TLS");
    bool tls = tls_env == "true" ? true : tls_env == "false" ? false : !f.insecure;
    o.tls_cert = !f.tlscert.empty() ? f.tlscert : env("COLONIES_TLSCERT");
    if (o.tls_cert.empty()) o.tls_cert = env("COLONIES_SERVER_HTTP_TLS_CERT");
    o.tls_key = !f.tlskey.empty() ? f.tlskey : env("COLONIES_TLSKEY");
    if (o.tls_key.empty()) o.tls_key = env("COLONIES_SERVER_HTTP_TLS_KEY");
    if (tls) {
        if (o.tls_cert.empty() || o.tls_key.empty()) {
            std::cerr << "Error: TLS mode needs a certificate and key (--tlscert/--tlskey or "
                         "COLONIES_TLSCERT/COLONIES_TLSKEY); use --insecure or COLONIES_TLS=false "
                         "for plain HTTP\n";
            return 2;
        }
        o.tls = true;
    }
    if (f.max_body_bytes > 0) o.max_body_bytes = f.max_body_bytes;
    o.threads = f.threads;
    o.service.build_version = env("BUILD_VERSION").empty() ? COLONIES_VERSION : env("BUILD_VERSION");
    o.service.build_time =
        env("BUILD_TIME").empty() ? format_rfc3339(Time::now()) : env("BUILD_TIME");
    o.service.http_host =
        env("COLONIES_SERVER_HTTP_HOST").empty() ? "0.0.0.0" : env("COLONIES_SERVER_HTTP_HOST");
    o.service.http_port = o.port;
    o.service.tls = env("COLONIES_SERVER_HTTP_TLS") == "true";
    if (!env("COLONIES_ALLOW_EXECUTOR_REREGISTER").empty())
        o.service.allow_executor_reregister = parse_bool(
            "COLONIES_ALLOW_EXECUTOR_REREGISTER", env("COLONIES_ALLOW_EXECUTOR_REREGISTER"));

    std::string dbtype = !f.dbtype.empty() ? f.dbtype : env("COLONIES_DB_TYPE");
    if (dbtype.empty()) dbtype = env("COLONIES_DB_HOST").empty() ? "sqlite" : "postgresql";
    if (dbtype != "sqlite") {
        std::cerr << "Error: database type '" << dbtype
                  << "' is not supported yet; use COLONIES_DB_TYPE=sqlite\n";
        return 2;
    }
    std::string dbpath = !f.dbpath.empty() ? f.dbpath : env("COLONIES_DB_PATH");
    if (dbpath.empty()) dbpath = "colonies.db";

    std::unique_ptr<store::Store> st;
    try {
        st = store::open_sqlite_store({dbpath});
    } catch (const std::exception& e) {
        std::cerr << "Error: " << e.what() << "\n";
        return 1;
    }
    bool initdb = f.initdb || env("COLONIES_INITDB") == "true";
    if (initdb) {
        std::string serverid = env("COLONIES_SERVER_ID");
        if (serverid.size() != 64) {
            std::cerr << "Error: --initdb needs COLONIES_SERVER_ID (the 64-hex id of the server "
                         "key; see `colonies security generate`)\n";
            return 2;
        }
        std::string err;
        bool ok = st->run_sync(
            [&](store::StoreTx& tx) {
                tx.set_server_id(serverid);
                return true;
            },
            &err);
        if (!ok) {
            std::cerr << "Error: cannot initialise the database: " << err << "\n";
            return 1;
        }
    }
    std::cerr << "Colonies server " << o.service.build_version << " listening on port " << o.port
              << (o.tls ? " (TLS)" : "") << ", database " << dbpath << "\n";
    try {
        server::Server srv(std::move(o), std::move(st));
        srv.run();
    } catch (const std::exception& e) {
        std::cerr << "Error: " << e.what() << "\n";
        return 1;
    }
    std::cerr << "Colonies server stopped\n";
    return 0;
}

}  // namespace

void add_server_commands(CLI::App& app) {
    auto* server = app.add_subcommand("server", "Run and inspect a Colonies server");
    auto* start_cmd = server->add_subcommand("start", "Start a Colonies server");
    auto f = std::make_shared<StartFlags>();
    start_cmd->add_option("--port", f->port, "API port (else COLONIES_SERVER_HTTP_PORT, COLONIES_SERVER_PORT)");
    start_cmd->add_flag("--insecure", f->insecure, "serve plain HTTP (COLONIES_TLS overrides)");
    start_cmd->add_flag("--initdb", f->initdb, "store COLONIES_SERVER_ID as the server owner");
    start_cmd->add_option("--dbtype", f->dbtype, "sqlite (default) or postgresql");
    start_cmd->add_option("--dbpath", f->dbpath, "SQLite file (else COLONIES_DB_PATH, colonies.db)");
    start_cmd->add_option("--tlscert", f->tlscert, "TLS certificate file");
    start_cmd->add_option("--tlskey", f->tlskey, "TLS private key file");
    start_cmd->add_option("--max-request-bytes", f->max_body_bytes,
                          "largest accepted request body (default 64 MiB)");
    start_cmd->add_option("--threads", f->threads, "I/O threads (default: one per core)");
    start_cmd->callback([f] { std::exit(start(*f)); });
    server->require_subcommand(1);
}

}  // namespace colonies::cli
