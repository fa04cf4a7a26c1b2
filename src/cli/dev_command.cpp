// `colonies dev` (cli.md 4.1, Colonies++ variant): one process, no other service. A server on
// the embedded SQLite store in a data directory, seeded on first start with the well-known
// development identities (protocol.md 2.4: server K1, colony `dev` K2, approved executor
// `myexecutor` K3), then the exports a second terminal needs. Data survives restarts; --fresh
// starts over. Because the keys are public, it listens on 127.0.0.1 unless told otherwise.
#include <atomic>
#include <filesystem>
#include <iostream>
#include <memory>
#include <thread>

#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "cli/server_command.hpp"
#include "crypto/crypto.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace colonies::cli {
namespace {

namespace fs = std::filesystem;

// Upstream's development keys (docker-compose.env); the ids are derived at start-up.
constexpr const char* kServerPrvKey =
    "fcc79953d8a751bf41db661592dc34d30004b1a651ffa0725b03ac227641499d";
constexpr const char* kColonyPrvKey =
    "ba949fa134981372d6da62b6a56f336ab4d843b22c02a4257dcf7d0d73097514";
constexpr const char* kExecutorPrvKey =
    "ddf7f7791208083b6a9ed975a72684f6406a269cfa36f1b1c32045c0a71fff05";
constexpr const char* kColonyName = "dev";
constexpr const char* kExecutorName = "myexecutor";

struct DevFlags {
    std::string datadir;
    int port = -1;
    std::string bind = "127.0.0.1";
    bool fresh = false;
    std::string dashboard;  // --dashboard true|false; empty: COLONIES_DASHBOARD, else on
};

struct DevIds {
    std::string server, colony, executor;
    std::string executor_type;
};

std::string data_dir(const DevFlags& f) {
    if (!f.datadir.empty()) return f.datadir;
    if (!env("COLONIES_DATA_DIR").empty()) return env("COLONIES_DATA_DIR");
    const std::string home = env("HOME");
    if (home.empty())
        throw CliError("HOME is not set: pass --datadir or set COLONIES_DATA_DIR", kExitUsage);
    return home + "/.colonies/dev";
}

int dev_port(const DevFlags& f) {
    if (f.port >= 0) return f.port;
    const std::string p = env("COLONIES_SERVER_PORT");
    if (p.empty()) return 50080;
    try {
        size_t used = 0;
        int v = std::stoi(p, &used);
        if (used == p.size() && v >= 0 && v <= 65535) return v;
    } catch (const std::exception&) {
    }
    throw CliError("COLONIES_SERVER_PORT must be a port number, got '" + p + "'", kExitUsage);
}

void prepare_dir(const std::string& dir, bool fresh) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw CliError("cannot create data directory " + dir + ": " + ec.message());
    if (!fresh) return;
    for (const char* name : {"colonies.db", "colonies.db-wal", "colonies.db-shm"}) {
        fs::remove(fs::path(dir) / name, ec);
        if (ec)
            throw CliError("cannot remove " + (fs::path(dir) / name).string() + ": " +
                           ec.message());
    }
    log_info("Starting from an empty database", {{"DataDir", dir}});
}

// Writes whatever of the development setup is missing, straight into the store (the server is
// not running yet, so this needs no signatures and cannot race a client).
void seed(store::Store& st, const DevIds& ids) {
    std::string err;
    bool ok = st.run_sync(
        [&](store::StoreTx& tx) {
            if (tx.server_id() != ids.server) tx.set_server_id(ids.server);
            if (!tx.colony(kColonyName)) {
                tx.add_colony(Colony{ids.colony, kColonyName});
                log_info("Registering a new Colony",
                         {{"ColonyName", kColonyName}, {"ColonyID", ids.colony}});
            }
            auto e = tx.executor(kColonyName, kExecutorName);
            if (!e || e->executorid != ids.executor || e->state != ExecutorState::Approved) {
                Executor ex;
                ex.executorid = ids.executor;
                ex.executortype = ids.executor_type;
                ex.executorname = kExecutorName;
                ex.colonyname = kColonyName;
                ex.state = ExecutorState::Approved;
                ex.commissiontime = Time::now();
                ex.lastheardfromtime = Time::now();
                tx.save_executor(ex);
                log_info("Registering a new executor", {{"ExecutorID", ids.executor},
                                                        {"ExecutorType", ids.executor_type},
                                                        {"ExecutorName", kExecutorName}});
            }
            return true;
        },
        &err);
    if (!ok) throw CliError("cannot set up the development database: " + err);
}

void print_exports(int port, const DevIds& ids, const std::string& bind, bool dashboard) {
    std::cout << "# Paste these into another terminal to use this server:\n"
              << "export COLONIES_SERVER_HOST=localhost\n"
              << "export COLONIES_SERVER_PORT=" << port << "\n"
              << "export COLONIES_TLS=false\n"
              << "export COLONIES_SERVER_ID=" << ids.server << "\n"
              << "export COLONIES_SERVER_PRVKEY=" << kServerPrvKey << "\n"
              << "export COLONIES_COLONY_NAME=" << kColonyName << "\n"
              << "export COLONIES_COLONY_ID=" << ids.colony << "\n"
              << "export COLONIES_COLONY_PRVKEY=" << kColonyPrvKey << "\n"
              << "export COLONIES_ID=" << ids.executor << "\n"
              << "export COLONIES_PRVKEY=" << kExecutorPrvKey << "\n"
              << "export COLONIES_EXECUTOR_TYPE=" << ids.executor_type << "\n";
    if (dashboard)
        std::cout << "# Dashboard: http://" << (bind == "0.0.0.0" ? "127.0.0.1" : bind) << ":"
                  << port << "/ (sign in with COLONIES_COLONY_PRVKEY or COLONIES_PRVKEY)\n";
    std::cout << std::flush;
}

// Polls /health until it answers or `gave_up` (the server thread ended) or the limit passes.
bool wait_healthy(int port, const std::atomic<bool>& gave_up, std::chrono::seconds limit) {
    client::Options o;
    o.host = "127.0.0.1";
    o.port = port;
    o.connect_timeout = std::chrono::seconds(1);
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!gave_up && std::chrono::steady_clock::now() < deadline) {
        client::Client c(o);
        if (c.health()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
}

void run_dev(const DevFlags& f) {
    const std::string dir = data_dir(f);
    const int port = dev_port(f);
    DevIds ids{check(crypto::id_from_private_key(kServerPrvKey)),
               check(crypto::id_from_private_key(kColonyPrvKey)),
               check(crypto::id_from_private_key(kExecutorPrvKey)),
               env("COLONIES_EXECUTOR_TYPE").empty() ? "cli" : env("COLONIES_EXECUTOR_TYPE")};

    check_port_free(f.bind, port);  // before anything is printed or opened
    prepare_dir(dir, f.fresh);
    const std::string dbpath = dir + "/colonies.db";
    std::unique_ptr<store::Store> st;
    try {
        st = store::open_sqlite_store({dbpath});
    } catch (const std::exception& e) {
        throw CliError("cannot open database " + dbpath + ": " + e.what());
    }
    seed(*st, ids);

    server::ServerOptions o = server_options_from_env(port);
    o.bind_address = f.bind;
    if (!f.dashboard.empty()) o.dashboard = parse_bool("--dashboard", f.dashboard);
    o.service.allow_executor_reregister = true;  // as upstream's devenv: restarted executors
    const bool dashboard = o.dashboard;
    server::Server srv(std::move(o), std::move(st));
    std::exception_ptr failure;
    std::atomic<bool> ended{false};
    std::thread serving([&] {
        try {
            srv.run();
        } catch (...) {
            failure = std::current_exception();
        }
        ended = true;
    });
    // Print the exports only once the server answers, so pasting them always works.
    const bool up = wait_healthy(port, ended, std::chrono::seconds(15));
    if (up) {
        print_exports(port, ids, f.bind, dashboard);
        log_info("Successfully started Colonies development server",
                 {{"Port", std::to_string(port)}, {"DataDir", dir}});
        log_info("Press ctrl+c to exit");
    } else {
        srv.stop();
    }
    serving.join();
    if (failure || !up) {
        std::string why = "no answer on /health";
        try {
            if (failure) std::rethrow_exception(failure);
        } catch (const std::exception& e) {
            why = serve_error_text(e);
        }
        throw CliError("cannot start the development server on port " + std::to_string(port) +
                       ": " + why + " (is the port in use? try --port)");
    }
    log_info("Colonies development server stopped");
}

}  // namespace

void add_dev_command(CLI::App& app, Ctx ctx) {
    auto* dev = app.add_subcommand(
        "dev", "Start a development server with a ready colony (SQLite, data kept across runs)");
    auto f = std::make_shared<DevFlags>();
    dev->add_option("--datadir", f->datadir,
                    "data directory (else COLONIES_DATA_DIR, ~/.colonies/dev)");
    dev->add_option("--port", f->port, "API port (else COLONIES_SERVER_PORT, 50080)");
    dev->add_option("--bind", f->bind, "address to listen on (the dev keys are public!)")
        ->capture_default_str();
    dev->add_flag("--fresh", f->fresh, "delete the data and start over");
    dev->add_option("--dashboard", f->dashboard,
                    "serve the web dashboard at / (true|false; else COLONIES_DASHBOARD, default "
                    "true)");
    dev->callback([f] { run_dev(*f); });
}

}  // namespace colonies::cli
