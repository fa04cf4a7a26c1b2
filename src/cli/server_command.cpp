#include "cli/server_command.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/system/system_error.hpp>
#include <cstring>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <thread>
#include <vector>

#include "cli/output.hpp"
#include "cluster/cluster.hpp"
#include "cluster/etcd_client.hpp"
#include "core/json.hpp"
#include "core/time.hpp"
#include "store/postgres/pg_store.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace colonies::cli {
namespace {

struct StartFlags {
    int port = -1;
    bool insecure = false;
    bool initdb = false;
    std::string dbtype;
    std::string dbpath;
    std::string datadir;
    std::string tlscert, tlskey;
    size_t max_body_bytes = 0;
    int threads = 0;
    std::string etcdname, etcdhost;
    std::string bind = "0.0.0.0";
    std::string dashboard;  // --dashboard true|false; empty: COLONIES_DASHBOARD, else on
    // Upstream's PostgreSQL flags (cli.md 3.2); they win over COLONIES_DB_* (cli.md 7.1).
    std::string dbhost, dbuser, dbpassword;
    int dbport = -1;
    // Upstream's embedded-etcd flags, accepted so its command lines start us unchanged; our
    // cluster uses an external etcd (COLONIES_ETCD_ENDPOINTS), so they have no effect.
    int etcdclientport = 0, etcdpeerport = 0, relayport = 0;
    std::vector<std::string> initial_cluster;
    std::string etcddatadir;
};

bool file_exists(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

int env_port(const char* name) {
    const std::string v = env(name);
    try {
        size_t used = 0;
        int p = std::stoi(v, &used);
        if (used == v.size() && p >= 0 && p <= 65535) return p;
    } catch (const std::exception&) {
    }
    throw CliError(std::string(name) + " must be a port number, got '" + v + "'", kExitUsage);
}

// The port of cli.md 3.2 step 2: --port, else COLONIES_SERVER_HTTP_PORT, else
// COLONIES_SERVER_PORT.
int start_port(int flag) {
    if (flag >= 0) {
        if (flag > 65535) throw CliError("--port must be at most 65535", kExitUsage);
        return flag;
    }
    if (!env("COLONIES_SERVER_HTTP_PORT").empty()) return env_port("COLONIES_SERVER_HTTP_PORT");
    if (!env("COLONIES_SERVER_PORT").empty()) return env_port("COLONIES_SERVER_PORT");
    throw CliError("no port given: pass --port or set COLONIES_SERVER_PORT (e.g. 50080)",
                   kExitUsage);
}

// TLS (cli.md 3.2 step 3): COLONIES_TLS decides when set, else --insecure; default TLS mode as
// upstream. Certificate and key must exist in TLS mode.
void configure_tls(const StartFlags& f, server::ServerOptions& o) {
    const std::string tls_env = env("COLONIES_TLS");
    const bool tls = tls_env == "true" ? true : tls_env == "false" ? false : !f.insecure;
    o.tls_cert = !f.tlscert.empty() ? f.tlscert : env("COLONIES_TLSCERT");
    if (o.tls_cert.empty()) o.tls_cert = env("COLONIES_SERVER_HTTP_TLS_CERT");
    o.tls_key = !f.tlskey.empty() ? f.tlskey : env("COLONIES_TLSKEY");
    if (o.tls_key.empty()) o.tls_key = env("COLONIES_SERVER_HTTP_TLS_KEY");
    if (!tls) {
        log_info("Insecure mode enabled, skipping TLS certificate checks");
        return;
    }
    log_info("TLS mode enabled, checking certificates...");
    if (o.tls_cert.empty() || o.tls_key.empty())
        throw CliError(
            "TLS mode needs a certificate and key (--tlscert/--tlskey or "
            "COLONIES_TLSCERT/COLONIES_TLSKEY); use --insecure or COLONIES_TLS=false for plain "
            "HTTP",
            kExitUsage);
    if (!file_exists(o.tls_key)) throw CliError("Failed to load TLS Key: " + o.tls_key, kExitUsage);
    if (!file_exists(o.tls_cert))
        throw CliError("Failed to load TLS Cert: " + o.tls_cert, kExitUsage);
    o.tls = true;
}

// Where the state lives: an SQLite file (the default) or a PostgreSQL server (features.md 8.4).
struct DatabaseChoice {
    bool postgres = false;
    std::string sqlite_path;
    store::PostgresOptions pg;
    size_t max_queued = 100000;  // store jobs waiting at most: COLONIES_STORE_MAX_QUEUED
    std::string describe() const {
        if (!postgres) return sqlite_path;
        return "postgresql://" + (pg.host.empty() ? std::string("localhost") : pg.host) + ":" +
               std::to_string(pg.port) + "/" + pg.dbname +
               (pg.schema == "public" ? "" : " schema " + pg.schema);
    }
};

int env_int(const char* name, int fallback, int lo, int hi) {
    const std::string v = env(name);
    if (v.empty()) return fallback;
    try {
        size_t used = 0;
        int n = std::stoi(v, &used);
        if (used == v.size() && n >= lo && n <= hi) return n;
    } catch (const std::exception&) {
    }
    throw CliError(std::string(name) + " must be a number from " + std::to_string(lo) + " to " +
                       std::to_string(hi) + ", got '" + v + "'",
                   kExitUsage);
}

// A positive count (of jobs, frames or bytes) from the environment; `fallback` when unset.
size_t env_count(const char* name, size_t fallback) {
    const std::string v = env(name);
    if (v.empty()) return fallback;
    char* end = nullptr;
    errno = 0;
    const long long n = std::strtoll(v.c_str(), &end, 10);
    if (!end || *end != '\0' || n <= 0 || errno == ERANGE)
        throw CliError(std::string(name) + " must be a positive number, got '" + v + "'",
                       kExitUsage);
    return static_cast<size_t>(n);
}

DatabaseChoice database_choice(const StartFlags& f) {
    std::string dbtype = !f.dbtype.empty() ? f.dbtype : env("COLONIES_DB_TYPE");
    if (dbtype.empty())
        dbtype = env("COLONIES_DB_HOST").empty() && f.dbhost.empty() ? "sqlite" : "postgresql";
    DatabaseChoice d;
    d.max_queued = env_count("COLONIES_STORE_MAX_QUEUED", d.max_queued);
    d.pg.max_queued = d.max_queued;
    if (dbtype == "postgresql" || dbtype == "postgres") {
        d.postgres = true;
        d.pg.host = !f.dbhost.empty() ? f.dbhost : env("COLONIES_DB_HOST");
        d.pg.port = f.dbport > 0 ? f.dbport : env_int("COLONIES_DB_PORT", 5432, 1, 65535);
        d.pg.user = !f.dbuser.empty() ? f.dbuser : env("COLONIES_DB_USER");
        d.pg.password = !f.dbpassword.empty() ? f.dbpassword : env("COLONIES_DB_PASSWORD");
        if (!env("COLONIES_DB_NAME").empty()) d.pg.dbname = env("COLONIES_DB_NAME");
        if (!env("COLONIES_DB_SCHEMA").empty()) d.pg.schema = env("COLONIES_DB_SCHEMA");
        // Upstream's pool default is 100 connections; each of ours is a worker thread that runs
        // a batch of jobs in one transaction, so the default is one per core: more workers take
        // smaller batches (more commits) and switch threads more. Measured in
        // docs/performance.md (issue 18, round 5). The variable still sets it.
        const std::string pool = env("COLONIES_DB_MAX_OPEN_CONNS");
        d.pg.pool_size = static_cast<int>(std::max(2u, std::thread::hardware_concurrency()));
        if (!pool.empty()) {
            char* end = nullptr;
            long n = std::strtol(pool.c_str(), &end, 10);
            if (end && *end == '\0' && n > 0) d.pg.pool_size = static_cast<int>(std::min(n, 256L));
        }
        return d;
    }
    if (dbtype != "sqlite")
        throw CliError("unsupported database type '" + dbtype + "': use sqlite or postgresql",
                       kExitUsage);
    if (!f.dbpath.empty())
        d.sqlite_path = f.dbpath;
    else if (!env("COLONIES_DB_PATH").empty())
        d.sqlite_path = env("COLONIES_DB_PATH");
    else if (!f.datadir.empty())
        d.sqlite_path = f.datadir + "/colonies.db";
    else
        d.sqlite_path = "colonies.db";
    return d;
}

std::unique_ptr<store::Store> open_store(const DatabaseChoice& d) {
    try {
        if (d.postgres) return store::open_postgres_store(d.pg);
        store::SqliteOptions sqlite;
        sqlite.path = d.sqlite_path;
        sqlite.max_queued = d.max_queued;
        return store::open_sqlite_store(sqlite);
    } catch (const std::exception& e) {
        throw CliError("cannot open database " + d.describe() + ": " + e.what());
    }
}

std::string host_name() {
    char buf[256] = {};
    if (::gethostname(buf, sizeof buf - 1) != 0 || !buf[0]) return "localhost";
    return buf;
}

// features.md 9 with an external etcd (COLONIES_ETCD_ENDPOINTS): leader election and the
// getclustermsg view; with PostgreSQL also the cross-server wake-ups. Null for a lone server.
std::shared_ptr<server::ClusterLink> cluster_link(const StartFlags& f, const DatabaseChoice& d,
                                                  server::ServerOptions& o) {
    auto endpoints = cluster::split_endpoints(env("COLONIES_ETCD_ENDPOINTS"));
    o.self.name = !f.etcdname.empty() ? f.etcdname : host_name() + "-" + std::to_string(o.port);
    o.self.host = !f.etcdhost.empty() ? f.etcdhost : host_name();
    o.self.apiport = o.port;
    if (!endpoints.empty()) {
        const auto& first = endpoints.front();
        o.self.port = std::atoi(first.substr(first.rfind(':') + 1).c_str());
    }
    if (endpoints.empty() && !d.postgres) return nullptr;
    if (!endpoints.empty() && !d.postgres)
        throw CliError(
            "COLONIES_ETCD_ENDPOINTS makes this server one of a cluster, which needs a shared "
            "PostgreSQL database (COLONIES_DB_TYPE=postgresql)",
            kExitUsage);
    cluster::ClusterOptions c;
    c.etcd_endpoints = std::move(endpoints);
    c.relay = d.pg;
    c.self = o.self;
    c.lease_ttl_seconds = env_int("COLONIES_CLUSTER_LEASE_TTL", 5, 1, 3600);
    if (!env("COLONIES_ETCD_PREFIX").empty()) c.prefix = env("COLONIES_ETCD_PREFIX");
    c.log = [](const std::string& m) { log_info(m); };
    return cluster::make_cluster_link(std::move(c));
}

void init_database(store::Store& st) {
    const std::string serverid = env("COLONIES_SERVER_ID");
    if (serverid.size() != 64)
        throw CliError(
            "--initdb needs COLONIES_SERVER_ID (the 64-hex id of the server key; see `colonies "
            "security generate`)",
            kExitUsage);
    // The stored id is the server owner: COLONIES_SERVER_ID only initialises a database that has
    // none, so an id changed by changeserveridmsg survives restarts (docs/security.md).
    std::string err, stored;
    bool ok = st.run_sync(
        [&](store::StoreTx& tx) {
            stored = tx.server_id().value_or("");
            if (stored.empty()) tx.set_server_id(serverid);
            return true;
        },
        &err);
    if (!ok) throw CliError("cannot initialise the database: " + err);
    if (stored.empty())
        log_info("Colonies database initialized");
    else if (stored != serverid)
        log_warn(
            "Keeping the server Id stored in the database (changed with `server chid`), "
            "not COLONIES_SERVER_ID",
            {{"ServerId", stored}});
}

void start(const StartFlags& f) {
    server::ServerOptions o = server_options_from_env(start_port(f.port));
    check_port_free(f.bind, o.port);
    configure_tls(f, o);
    if (f.max_body_bytes > 0) o.max_body_bytes = f.max_body_bytes;
    o.threads = f.threads;
    o.bind_address = f.bind;
    if (!f.dashboard.empty()) o.dashboard = parse_bool("--dashboard", f.dashboard);

    const DatabaseChoice db = database_choice(f);
    o.cluster = cluster_link(f, db, o);
    auto st = open_store(db);
    if (f.initdb || env("COLONIES_INITDB") == "true") init_database(*st);
    log_info("Starting Colonies server", {{"Port", std::to_string(o.port)},
                                          {"TLS", o.tls ? "true" : "false"},
                                          {"Database", db.describe()},
                                          {"Node", o.self.name},
                                          {"Version", o.service.build_version}});
    try {
        server::Server srv(std::move(o), std::move(st));
        srv.run();
    } catch (const std::exception& e) {
        throw CliError("cannot serve: " + serve_error_text(e));
    }
    log_info("Colonies server stopped");
}

void status(const Context& ctx) {
    auto c = ctx.client();
    auto info = check(c.server_info());
    auto opts = ctx.client_options();
    if (ctx.json) {
        print_json(to_json(info));
        return;
    }
    const bool col = stdout_colour();
    KeyValueTable t;
    t.add("Server version", info.buildversion);
    t.add("Server buildtime", info.buildtime);
    t.add("CLI version", COLONIES_VERSION);
    t.add("CLI buildtime", "");
    t.add("", "");
    t.add(paint("Server Backends", Colour::Yellow, col), "http");
    t.add("  HTTP Host", info.host);
    t.add("  HTTP Port", std::to_string(info.port));
    t.add("  HTTP TLS", info.tls ? "true" : "false");
    t.add("", "");
    t.add(paint("Client Configuration", Colour::Yellow, col), "");
    t.add("  HTTP Host", opts.host);
    t.add("  HTTP Port", std::to_string(opts.port));
    t.add("  TLS", opts.tls ? "true" : "false");
    t.print();
}

void stats(const Context& ctx) {
    auto c = ctx.client();
    auto s = check(c.get_statistics(ctx.need_server_prvkey()));
    if (ctx.json) {
        print_json(to_json(s));
        return;
    }
    KeyValueTable t;
    t.add("Colonies", std::to_string(s.colonies));
    t.add("Executors", std::to_string(s.executors));
    t.add("Waiting processes", std::to_string(s.waitingprocesses));
    t.add("Running processes", std::to_string(s.runningprocesses));
    t.add("Successful processes", std::to_string(s.successfulprocesses));
    t.add("Failed processes", std::to_string(s.failedprocesses));
    t.add("Waiting workflows", std::to_string(s.waitingworkflows));
    t.add("Running workflows", std::to_string(s.runningworkflows));
    t.add("Successful workflows", std::to_string(s.successfulworkflows));
    t.add("Failed workflows", std::to_string(s.failedworkflows));
    t.print();
}

void version(const Context& ctx) {
    auto c = ctx.client();
    auto v = check(c.version());
    if (ctx.json) {
        print_json(boost::json::object{{"buildversion", v}, {"cliversion", COLONIES_VERSION}});
        return;
    }
    KeyValueTable t;
    t.add("Server version", v);
    t.add("CLI version", COLONIES_VERSION);
    t.print();
}

// Upstream's `server start` flags that have no other home here (cli.md 3.2).
void add_upstream_start_flags(CLI::App* cmd, StartFlags& f) {
    cmd->add_option("--dbhost", f.dbhost, "PostgreSQL host (else COLONIES_DB_HOST)");
    cmd->add_option("--dbport", f.dbport, "PostgreSQL port (else COLONIES_DB_PORT, 5432)")
        ->check(CLI::Range(1, 65535));
    cmd->add_option("--dbuser", f.dbuser, "PostgreSQL user (else COLONIES_DB_USER)");
    cmd->add_option("--dbpassword", f.dbpassword,
                    "PostgreSQL password (else COLONIES_DB_PASSWORD; the variable keeps it out "
                    "of `ps`)");
    const std::string unused =
        " (upstream's embedded etcd; accepted, no effect: docs/deployment.md)";
    cmd->add_option("--etcdclientport", f.etcdclientport, "etcd client port" + unused);
    cmd->add_option("--etcdpeerport", f.etcdpeerport, "etcd peer port" + unused);
    cmd->add_option("--relayport", f.relayport, "relay port" + unused);
    cmd->add_option("--initial-cluster", f.initial_cluster,
                    "name=host:peerport:relayport:apiport,..." + unused)
        ->delimiter(',');
    cmd->add_option("--etcddatadir", f.etcddatadir, "etcd data directory" + unused);
}

}  // namespace

void check_port_free(const std::string& bind_address, int port) {
    const std::string where = "port " + std::to_string(port) + " on " + bind_address;
    sockaddr_storage addr{};
    socklen_t len = 0;
    auto* v4 = reinterpret_cast<sockaddr_in*>(&addr);
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&addr);
    if (::inet_pton(AF_INET, bind_address.c_str(), &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons(static_cast<uint16_t>(port));
        len = sizeof *v4;
    } else if (::inet_pton(AF_INET6, bind_address.c_str(), &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(static_cast<uint16_t>(port));
        len = sizeof *v6;
    } else {
        throw CliError("--bind must be an IP address, got '" + bind_address + "'", kExitUsage);
    }
    const int fd = ::socket(addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return;  // let the server report it
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);  // as the server binds
    const int rc = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), len);
    const int err = errno;
    ::close(fd);
    if (rc == 0) return;
    if (err == EADDRINUSE)
        throw CliError(where + " is in use (another server running? pick another with --port)");
    throw CliError("cannot listen on " + where + ": " + std::strerror(err));
}

std::string serve_error_text(const std::exception& e) {
    if (auto* se = dynamic_cast<const boost::system::system_error*>(&e))
        return se->code().message();
    return e.what();
}

// COLONIES_SERVER_BACKENDS (issue 20): a comma list of http, grpc, coap (upstream's names; "gin"
// is upstream's old name for http). Default http. Each port from upstream's variable.
static void configure_backends(server::ServerOptions& o) {
    const std::string list = env("COLONIES_SERVER_BACKENDS");
    if (list.empty()) return;
    o.serve_http = false;
    size_t start = 0;
    while (start <= list.size()) {
        size_t end = list.find(',', start);
        if (end == std::string::npos) end = list.size();
        std::string name = list.substr(start, end - start);
        std::erase_if(name, [](unsigned char c) { return std::isspace(c); });
        std::transform(name.begin(), name.end(), name.begin(),
                       [](unsigned char c) { return std::tolower(c); });
        if (name == "http" || name == "gin") {
            o.serve_http = true;
        } else if (name == "grpc") {
            o.serve_grpc = true;
        } else if (name == "coap") {
            o.serve_coap = true;
        } else if (name == "libp2p" || name == "p2p") {
            throw CliError(
                "COLONIES_SERVER_BACKENDS: libp2p is not supported by Colonies++ "
                "(docs/compat.md, \"Backends\")",
                kExitUsage);
        } else if (!name.empty()) {
            throw CliError(
                "COLONIES_SERVER_BACKENDS: unknown backend '" + name + "' (use http, grpc, coap)",
                kExitUsage);
        }
        start = end + 1;
    }
    if (!o.serve_http && !o.serve_grpc && !o.serve_coap)
        throw CliError("COLONIES_SERVER_BACKENDS names no backend", kExitUsage);
    o.grpc_port = env_int("COLONIES_SERVER_GRPC_PORT", 50051, 1, 65535);
    o.coap_port = env_int("COLONIES_SERVER_COAP_PORT", 5683, 1, 65535);
}

bool parse_bool(const std::string& name, const std::string& v) {
    if (v == "1" || v == "t" || v == "T" || v == "TRUE" || v == "true" || v == "True") return true;
    if (v == "0" || v == "f" || v == "F" || v == "FALSE" || v == "false" || v == "False")
        return false;
    throw CliError(name + " must be true or false, got '" + v + "'", kExitUsage);
}

server::ServerOptions server_options_from_env(int port) {
    server::ServerOptions o;
    o.port = port;
    o.service.build_version =
        env("BUILD_VERSION").empty() ? COLONIES_VERSION : env("BUILD_VERSION");
    o.service.build_time =
        env("BUILD_TIME").empty() ? format_rfc3339(Time::now()) : env("BUILD_TIME");
    o.service.http_host =
        env("COLONIES_SERVER_HTTP_HOST").empty() ? "0.0.0.0" : env("COLONIES_SERVER_HTTP_HOST");
    o.service.http_port = port;
    o.service.tls = env("COLONIES_SERVER_HTTP_TLS") == "true";
    if (!env("COLONIES_ALLOW_EXECUTOR_REREGISTER").empty())
        o.service.allow_executor_reregister = parse_bool("COLONIES_ALLOW_EXECUTOR_REREGISTER",
                                                         env("COLONIES_ALLOW_EXECUTOR_REREGISTER"));
    // features.md 8.1: a bad stale duration is fatal, a bad (or non-positive) interval ignored.
    if (auto v = env("COLONIES_STALE_EXECUTOR_DURATION"); !v.empty()) {
        try {
            size_t used = 0;
            o.service.stale_executor_seconds = std::stoll(v, &used);
            if (used != v.size()) throw std::invalid_argument(v);
        } catch (const std::exception&) {
            throw CliError(
                "COLONIES_STALE_EXECUTOR_DURATION must be a number of seconds, got '" + v + "'",
                kExitUsage);
        }
    }
    if (auto v = env("COLONIES_CLEANUP_INTERVAL"); !v.empty()) {
        char* end = nullptr;
        long long n = std::strtoll(v.c_str(), &end, 10);
        if (end && *end == '\0' && n > 0) o.service.cleanup_interval_seconds = n;
    }
    // features.md 12.1: only "true" enables retention; a policy that is not a number is fatal.
    o.service.retention = env("COLONIES_RETENTION") == "true";
    if (auto v = env("COLONIES_RETENTION_POLICY"); !v.empty()) {
        char* end = nullptr;
        errno = 0;
        long long n = std::strtoll(v.c_str(), &end, 10);
        if (!end || *end != '\0' || errno == ERANGE)
            throw CliError("COLONIES_RETENTION_POLICY must be a number of seconds, got '" + v + "'",
                           kExitUsage);
        o.service.retention_policy_seconds = n;
    }
    if (!env("COLONIES_PROCESS_LEDGER").empty())
        o.service.process_ledger =
            parse_bool("COLONIES_PROCESS_LEDGER", env("COLONIES_PROCESS_LEDGER"));
    if (auto v = env("COLONIES_RETENTION_INTERVAL"); !v.empty()) {
        char* end = nullptr;
        long long n = std::strtoll(v.c_str(), &end, 10);
        if (end && *end == '\0' && n > 0) o.service.retention_interval_seconds = n;
    }
    if (auto v = env("COLONIES_MAX_BODY_BYTES_IN_FLIGHT"); !v.empty()) {
        char* end = nullptr;
        long long n = std::strtoll(v.c_str(), &end, 10);
        if (!end || *end != '\0' || n <= 0)
            throw CliError(
                "COLONIES_MAX_BODY_BYTES_IN_FLIGHT must be a positive number of bytes, got '" + v +
                    "'",
                kExitUsage);
        o.max_inflight_body_bytes = static_cast<size_t>(n);
    }
    // Crons (features.md 8.1): the checker period in ms; upstream stops on a bad value.
    o.service.cron_checker_period_ms =
        env_int("COLONIES_CRON_CHECKER_PERIOD", 1000, 1, 24 * 3600 * 1000);
    o.service.log = [](const std::string& line) { log_info(line); };
    o.header_timeout = std::chrono::seconds(env_int("COLONIES_HTTP_HEADER_TIMEOUT", 10, 1, 3600));
    o.body_timeout = std::chrono::seconds(env_int("COLONIES_HTTP_BODY_TIMEOUT", 60, 1, 86400));
    // features.md 8.1: milliseconds between generator passes of the leader.
    o.service.generator_checker_period_ms =
        env_int("COLONIES_GENERATOR_CHECKER_PERIOD", 1000, 1, 86400000);
    o.pubsub_max_queued_frames =
        env_count("COLONIES_PUBSUB_MAX_QUEUED", o.pubsub_max_queued_frames);
    o.pubsub_max_queued_bytes =
        env_count("COLONIES_PUBSUB_MAX_QUEUED_BYTES", o.pubsub_max_queued_bytes);
    o.service.channel_max_bytes = static_cast<int64_t>(
        env_count("COLONIES_CHANNEL_MAX_BYTES", static_cast<size_t>(o.service.channel_max_bytes)));
    // The web dashboard at / (docs/dashboard.md); the --dashboard flag overrides.
    if (!env("COLONIES_DASHBOARD").empty())
        o.dashboard = parse_bool("COLONIES_DASHBOARD", env("COLONIES_DASHBOARD"));
    // How often GET /metrics may count processes (upstream's exporter polling period), 0: always.
    o.statistics_ttl = std::chrono::seconds(env_int("COLONIES_MONITOR_INTERVAL", 5, 0, 86400));
    configure_backends(o);
    return o;
}

void add_server_commands(CLI::App& app, std::shared_ptr<Context> ctx) {
    auto* server = app.add_subcommand("server", "Run and inspect a Colonies server");
    server->require_subcommand(1);

    auto* start_cmd = server->add_subcommand("start", "Start a Colonies server");
    auto f = std::make_shared<StartFlags>();
    start_cmd->add_option("--port", f->port,
                          "API port (else COLONIES_SERVER_HTTP_PORT, COLONIES_SERVER_PORT)");
    start_cmd->add_flag("--insecure", f->insecure, "serve plain HTTP (COLONIES_TLS overrides)");
    start_cmd->add_flag("--initdb", f->initdb, "store COLONIES_SERVER_ID as the server owner");
    start_cmd->add_option("--dbtype", f->dbtype, "sqlite (default) or postgresql");
    start_cmd->add_option(
        "--dbpath", f->dbpath,
        "SQLite file (else COLONIES_DB_PATH, <datadir>/colonies.db, colonies.db)");
    start_cmd->add_option("--datadir", f->datadir, "directory of the SQLite file");
    start_cmd->add_option("--tlscert", f->tlscert, "TLS certificate file");
    start_cmd->add_option("--tlskey", f->tlskey, "TLS private key file");
    start_cmd->add_option("--max-request-bytes", f->max_body_bytes,
                          "largest accepted request body (default 64 MiB)");
    start_cmd->add_option("--threads", f->threads, "I/O threads (default: one per core)");
    start_cmd->add_option("--bind", f->bind,
                          "address to listen on (default 0.0.0.0; 127.0.0.1 behind a local "
                          "TLS proxy)");
    start_cmd->add_option("--etcdname", f->etcdname,
                          "this server's name in the cluster (default <hostname>-<port>)");
    start_cmd->add_option("--etcdhost", f->etcdhost,
                          "host name other servers and `cluster info` show for this server");
    start_cmd->add_option("--dashboard", f->dashboard,
                          "serve the web dashboard at / (true|false; else COLONIES_DASHBOARD, "
                          "default true)");
    add_upstream_start_flags(start_cmd, *f);
    start_cmd->callback([f] { start(*f); });

    server->add_subcommand("status", "Show the server's version and backends")->callback([ctx] {
        status(*ctx);
    });
    server->add_subcommand("stats", "Show server-wide statistics (server owner key)")
        ->callback([ctx] { stats(*ctx); });
    server->add_subcommand("version", "Show the server's build version")->callback([ctx] {
        version(*ctx);
    });
    server->add_subcommand("alive", "Do nothing and exit 0 (upstream compatibility)");
    add_server_backup_command(server, ctx);
}

}  // namespace colonies::cli
