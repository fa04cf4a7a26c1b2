// `colonies server backup` (issue 19, docs/operations.md): an online copy of a running server's
// SQLite store, taken while clients keep submitting, that a second server starts on with every
// colony and process there; refused for other keys and on PostgreSQL.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <thread>

#include "cli_support.hpp"
#include "pg_cluster.hpp"

namespace colonies::it::cli {
namespace {

Env cli_env(const ServerProcess& s) {
    return {{"COLONIES_SERVER_HOST", "127.0.0.1"},
            {"COLONIES_SERVER_PORT", std::to_string(s.port())},
            {"COLONIES_TLS", "false"},
            {"COLONIES_SERVER_PRVKEY", DevIdentity::server_prvkey}};
}

TEST(CliBackup, CopyTakenWhileSubmittingStartsASecondServerWithEverything) {
    ServerProcess a;
    auto c = a.make_client();
    Fixture::setup_dev(c);
    const Identity lab = Identity::fresh();
    Fixture::setup_colony(c, "lab", lab.prvkey, DevIdentity::server_prvkey);
    // Enough rows that the copy takes several steps of the store (a few MiB).
    std::vector<std::string> before;
    FunctionSpec spec = Fixture::simple_spec("dev", "cli", "echo");
    spec.args.emplace_back(std::string(4000, 'x'));
    for (int i = 0; i < 1500; ++i)
        before.push_back(c.submit(spec, DevIdentity::executor_prvkey).value().processid);
    auto ran = c.assign("dev", 5, DevIdentity::executor_prvkey).value();
    ASSERT_TRUE(c.close_successful(ran.processid, {"done"}, DevIdentity::executor_prvkey).ok());

    // A client keeps submitting while the backup runs.
    std::atomic<bool> stop{false};
    std::atomic<int> during{0};
    std::thread submitter([&] {
        auto sc = a.make_client();
        while (!stop) {
            if (sc.submit(spec, DevIdentity::executor_prvkey).ok()) ++during;
        }
    });
    const std::string dir = make_temp_dir();
    const std::string copy = dir + "/copy.db";
    auto r = run({"server", "backup", "--output", copy}, cli_env(a), dir, "", 120s);
    stop = true;
    submitter.join();
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.err.find("Backup written"), std::string::npos) << r.err;
    EXPECT_GT(during.load(), 0) << "no submit ran while the backup was taken";
    EXPECT_FALSE(std::filesystem::exists(copy + ".part"));
    EXPECT_GT(std::filesystem::file_size(copy), 4u << 20);
    // The server removed its temporary copy.
    for (const auto& e : std::filesystem::directory_iterator(a.data_dir()))
        EXPECT_EQ(e.path().filename().string().find(".backup-"), std::string::npos) << e.path();

    // A second server on the copy: both colonies, every process submitted before, the closed one
    // with its output.
    ServerProcess b(ServerConfig{}, false);
    std::filesystem::copy_file(copy, b.db_path());
    b.start();
    auto bc = b.make_client();
    auto colonies = bc.get_colonies(DevIdentity::server_prvkey).value();
    ASSERT_EQ(colonies.size(), 2u);
    for (const std::string& id : {before.front(), before[700], before.back()}) {
        auto p = bc.get_process(id, DevIdentity::executor_prvkey);
        ASSERT_TRUE(p.ok()) << id << ": " << p.error().message;
    }
    auto done = bc.get_process(ran.processid, DevIdentity::executor_prvkey).value();
    EXPECT_EQ(done.state, ProcessState::Success);
    ASSERT_EQ(done.out.size(), 1u);
    EXPECT_EQ(done.out[0].as_string(), "done");
    auto stats = bc.get_statistics(DevIdentity::server_prvkey).value();
    EXPECT_GE(stats.waitingprocesses, static_cast<int64_t>(before.size()) - 1);
    // Whatever the copy holds of the submits made during the backup is whole (no torn rows):
    // the waiting ones read back one by one.
    auto waiting =
        bc.get_processes("dev", ProcessState::Waiting, 100, DevIdentity::executor_prvkey);
    ASSERT_TRUE(waiting.ok());
    for (const auto& p : *waiting) EXPECT_EQ(p.spec.args.size(), 1u);
    std::filesystem::remove_all(dir);
}

TEST(CliBackup, OnlyTheServerOwnerAndNeverOverAnExistingFile) {
    ServerProcess a;
    auto c = a.make_client();
    Fixture::setup_dev(c);
    const std::string dir = make_temp_dir();
    Env env = cli_env(a);
    env["COLONIES_SERVER_PRVKEY"] = DevIdentity::colony_prvkey;
    auto denied = run({"server", "backup", "--output", dir + "/x.db"}, env, dir);
    EXPECT_EQ(denied.code, 255) << denied.err;
    EXPECT_NE(denied.err.find("Access denied, not server owner"), std::string::npos) << denied.err;
    EXPECT_FALSE(std::filesystem::exists(dir + "/x.db"));
    EXPECT_FALSE(std::filesystem::exists(dir + "/x.db.part"));

    write_file(dir + "/keep.db", "precious");
    auto exists = run({"server", "backup", "--output", dir + "/keep.db"}, cli_env(a), dir);
    EXPECT_EQ(exists.code, 1) << exists.err;
    EXPECT_NE(exists.err.find("--force"), std::string::npos) << exists.err;
    EXPECT_EQ(read_file(dir + "/keep.db"), "precious");
    auto forced =
        run({"server", "backup", "--output", dir + "/keep.db", "--force"}, cli_env(a), dir);
    EXPECT_EQ(forced.code, 0) << forced.err;
    EXPECT_EQ(read_file(dir + "/keep.db").substr(0, 15), "SQLite format 3");
    std::filesystem::remove_all(dir);
}

TEST(CliBackup, PostgresqlChosenByUpstreamFlagsIsRefusedWithAPointerToPgDump) {
    testsupport::PgCluster pg;
    // Upstream's --db* flags (cli.md 3.2) choose PostgreSQL and where it is; no COLONIES_DB_HOST.
    ServerConfig cfg;
    cfg.extra_args = {"--dbhost", pg.host(), "--dbport",     std::to_string(pg.port()),
                      "--dbuser", pg.user(), "--dbpassword", "unused-by-trust-auth"};
    cfg.extra_env = {{"COLONIES_DB_SCHEMA", pg.fresh_schema()},
                     {"COLONIES_DB_MAX_OPEN_CONNS", "2"}};
    ServerProcess a(cfg);
    EXPECT_NE(a.log_text().find("postgresql://" + pg.host() + ":" + std::to_string(pg.port())),
              std::string::npos)
        << a.log_text();
    const std::string dir = make_temp_dir();
    auto r = run({"server", "backup", "--output", dir + "/x.db"}, cli_env(a), dir);
    EXPECT_EQ(r.code, 255) << r.err;
    EXPECT_NE(r.err.find("pg_dump"), std::string::npos) << r.err;
    EXPECT_FALSE(std::filesystem::exists(dir + "/x.db"));
    std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace colonies::it::cli
