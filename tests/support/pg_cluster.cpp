#include "pg_cluster.hpp"

#include <libpq-fe.h>
#include <pwd.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <stdexcept>

namespace colonies::testsupport {

std::string postgres_bindir() {
    namespace fs = std::filesystem;
    std::error_code ec;
    int best = -1;
    std::string dir;
    for (const auto& e : fs::directory_iterator("/usr/lib/postgresql", ec)) {
        int v = std::atoi(e.path().filename().c_str());
        if (v > best && fs::exists(e.path() / "bin" / "postgres")) {
            best = v;
            dir = (e.path() / "bin").string();
        }
    }
    return dir;
}

PgCluster::PgCluster() {
    bindir_ = postgres_bindir();
    if (bindir_.empty())
        throw std::runtime_error(
            "PostgreSQL server binaries not found under /usr/lib/postgresql (install Debian's "
            "postgresql package: scripts/install-deps.sh)");
    dir_ = make_temp_dir("colonies-pg");
    if (::geteuid() == 0) {
        run_as_ = "postgres";
        // The data directory must belong to the account that runs the server.
        passwd* pw = ::getpwnam(run_as_.c_str());
        if (!pw || ::chown(dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0)
            throw std::runtime_error("running as root needs the postgres account to own " + dir_);
    }
    const std::string log = dir_ + "/postgres.log";
    const std::string data = dir_ + "/data";
    if (run_command({bindir_ + "/initdb", "-D", data, "-U", "colonies", "-A", "trust", "-E", "UTF8",
                     "--locale=C", "--no-sync"},
                    log, run_as_) != 0)
        throw std::runtime_error("initdb failed: " + read_file(log));
    for (int attempt = 1;; ++attempt) {
        port_ = pick_free_port();
        // SIGINT on the test's death: PostgreSQL's fast shutdown.
        server_.start({bindir_ + "/postgres", "-D", data, "-p", std::to_string(port_), "-k", dir_,
                       "-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200", "-c",
                       "shared_buffers=32MB", "-c", "fsync=on", "-c", "synchronous_commit=on"},
                      log, {}, run_as_, SIGINT);
        const std::string info = conninfo();
        bool up = wait_until(server_, std::chrono::seconds(30),
                             [&] { return PQping(info.c_str()) == PQPING_OK; });
        if (up) return;
        server_.stop(SIGINT);
        if (attempt == 3) {
            std::string text = read_file(log);
            if (text.size() > 3000) text = "..." + text.substr(text.size() - 3000);
            remove_tree(dir_);
            throw std::runtime_error("postgres did not start: " + text);
        }
    }
}

PgCluster::~PgCluster() {
    server_.stop(SIGINT, std::chrono::seconds(20));
    remove_tree(dir_);
}

std::string PgCluster::conninfo() const {
    return "host=127.0.0.1 port=" + std::to_string(port_) +
           " user=colonies dbname=postgres sslmode=disable connect_timeout=5";
}

std::string PgCluster::fresh_schema() {
    return "t" + std::to_string(::getpid()) + "_" + std::to_string(++schemas_);
}

void PgCluster::exec(const std::string& sql) {
    query(sql);
}

std::string PgCluster::query(const std::string& sql) {
    PGconn* c = PQconnectdb(conninfo().c_str());
    if (PQstatus(c) != CONNECTION_OK) {
        std::string err = PQerrorMessage(c);
        PQfinish(c);
        throw std::runtime_error("connect: " + err);
    }
    PGresult* r = PQexec(c, sql.c_str());
    auto st = PQresultStatus(r);
    std::string err = PQresultErrorMessage(r);
    std::string first = st == PGRES_TUPLES_OK && PQntuples(r) > 0 && PQnfields(r) > 0
                            ? std::string(PQgetvalue(r, 0, 0))
                            : std::string();
    PQclear(r);
    PQfinish(c);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) throw std::runtime_error(sql + ": " + err);
    return first;
}

}  // namespace colonies::testsupport
