// A private PostgreSQL server for tests: initdb into a temporary directory, then `postgres` on a
// free loopback port with its socket in that directory; stopped (fast shutdown) and removed
// afterwards. Under root the server runs as the `postgres` account (PostgreSQL refuses root).
// Nothing is installed here: Debian's postgresql package provides the binaries.
#pragma once
#include <string>

#include "child_process.hpp"

namespace colonies::testsupport {

class PgCluster {
  public:
    PgCluster();  // throws std::runtime_error (with the log's tail) when it cannot start
    ~PgCluster();
    PgCluster(const PgCluster&) = delete;
    PgCluster& operator=(const PgCluster&) = delete;

    std::string host() const { return "127.0.0.1"; }
    int port() const { return port_; }
    std::string user() const { return "colonies"; }
    std::string dbname() const { return "postgres"; }
    // "host=... port=... user=... dbname=..." for libpq.
    std::string conninfo() const;
    // A schema name no other caller of this process got (each test gets a clean namespace).
    std::string fresh_schema();
    // Runs one SQL statement as the superuser; throws on error.
    void exec(const std::string& sql);
    // Runs one query as the superuser and returns the first column of its first row ("" when
    // it has none); throws on error.
    std::string query(const std::string& sql);

  private:
    std::string dir_, bindir_, run_as_;
    int port_ = 0;
    int schemas_ = 0;
    ChildProcess server_;
};

// The directory of Debian's PostgreSQL server binaries (/usr/lib/postgresql/<v>/bin), newest
// version first; "" when none is installed.
std::string postgres_bindir();

}  // namespace colonies::testsupport
