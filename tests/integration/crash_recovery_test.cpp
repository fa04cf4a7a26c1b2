// Durability under SIGKILL (protocol.md 6.14): a server killed mid-load and restarted keeps
// every acknowledged submit and close, and never hands a process to two executors.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <mutex>
#include <set>
#include <thread>

#include "child_process.hpp"
#include "harness.hpp"

namespace colonies::it {
namespace {

using namespace std::chrono_literals;

TEST(CrashRecovery, AcknowledgedWorkSurvivesSigkill) {
    ServerProcess server;
    auto admin = server.make_client();
    Fixture::setup_colony(admin, "dev", DevIdentity::colony_prvkey, DevIdentity::server_prvkey);
    constexpr int kExecutors = 3;
    std::vector<Identity> execs;
    for (int i = 0; i < kExecutors; ++i) {
        execs.push_back(Identity::fresh());
        Fixture::add_approved_executor(admin, "dev", "w" + std::to_string(i), "cli",
                                       execs.back().prvkey, DevIdentity::colony_prvkey);
    }

    std::mutex mu;
    std::set<std::string> acked_submits, acked_closes;
    std::multiset<std::string> assignments;
    std::atomic<bool> stop{false};
    std::vector<std::thread> threads;
    for (int s = 0; s < 2; ++s) {
        threads.emplace_back([&] {
            auto c = server.make_client();
            while (!stop) {
                auto p = c.submit(Fixture::simple_spec("dev", "cli", "work"), execs[0].prvkey);
                if (p.ok()) {
                    std::lock_guard lk(mu);
                    acked_submits.insert(p->processid);
                }
            }
        });
    }
    for (int i = 0; i < kExecutors; ++i) {
        threads.emplace_back([&, i] {
            auto c = server.make_client();
            while (!stop) {
                auto r = c.assign("dev", 1, execs[i].prvkey);
                if (!r.ok()) continue;
                {
                    std::lock_guard lk(mu);
                    assignments.insert(r->processid);
                }
                if (c.close_successful(r->processid, boost::json::array{i}, execs[i].prvkey)) {
                    std::lock_guard lk(mu);
                    acked_closes.insert(r->processid);
                }
            }
        });
    }
    std::this_thread::sleep_for(1500ms);
    server.kill9();
    stop = true;
    for (auto& t : threads) t.join();
    ASSERT_GT(acked_submits.size(), 10u) << "load did not run";
    ASSERT_GT(acked_closes.size(), 5u) << "no process completed before the kill";

    server.restart();
    auto c = server.make_client();
    for (const auto& id : acked_submits) {
        auto p = c.get_process(id, execs[0].prvkey);
        ASSERT_TRUE(p.ok()) << "acknowledged submit lost: " << id;
    }
    for (const auto& id : acked_closes) {
        auto p = c.get_process(id, execs[0].prvkey);
        ASSERT_TRUE(p.ok());
        EXPECT_EQ(p->state, ProcessState::Success) << "acknowledged close lost: " << id;
    }

    // Drain what is left: nothing already assigned may be assigned again.
    for (;;) {
        auto r = c.assign("dev", -1, execs[0].prvkey);
        if (!r.ok()) break;
        assignments.insert(r->processid);
        ASSERT_TRUE(c.close_successful(r->processid, {}, execs[0].prvkey));
    }
    std::set<std::string> unique(assignments.begin(), assignments.end());
    EXPECT_EQ(unique.size(), assignments.size()) << "a process was assigned twice";
    auto stats = c.get_colony_statistics("dev", execs[0].prvkey);
    ASSERT_TRUE(stats.ok());
    EXPECT_EQ(stats->waitingprocesses, 0);
    // Every process ends SUCCESS except those whose assign was committed but whose reply died
    // with the server: they stay RUNNING (no maxexectime) and are never reassigned. At most one
    // such claim per executor can be in flight at the kill.
    const int64_t finished = stats->successfulprocesses + stats->runningprocesses;
    EXPECT_GE(finished, static_cast<int64_t>(unique.size()));
    EXPECT_LE(finished - static_cast<int64_t>(unique.size()), kExecutors);
}

TEST(CrashRecovery, ServerOwnerSurvivesRestartWithoutInitdb) {
    ServerProcess server;
    auto c = server.make_client();
    Fixture::setup_colony(c, "dev", DevIdentity::colony_prvkey, DevIdentity::server_prvkey);
    server.restart();
    auto c2 = server.make_client();
    auto colonies = c2.get_colonies(DevIdentity::server_prvkey);
    ASSERT_TRUE(colonies.ok()) << colonies.error().message;
    ASSERT_EQ(colonies->size(), 1u);
    EXPECT_EQ((*colonies)[0].name, "dev");
}

// The server holds its SQLite file locked: a second server on the same file must refuse to
// start (two schedulers on one database would hand out work twice), and say why.
TEST(CrashRecovery, ASecondServerOnTheSameDatabaseFileIsRefused) {
    ServerProcess server;
    auto c = server.make_client();
    Fixture::setup_colony(c, "dev", DevIdentity::colony_prvkey, DevIdentity::server_prvkey);

    const std::string log = server.data_dir() + "/second.log";
    testsupport::ChildProcess second;
    second.start({COLONIES_BINARY, "server", "start", "--insecure", "--port",
                  std::to_string(pick_free_port()), "--dbpath", server.db_path()},
                 log);
    // It must give up by itself (the busy wait of SQLite is 5 s at most); one still running
    // after 20 s has started beside the first.
    testsupport::wait_until(second, std::chrono::seconds(20), [] { return false; });
    const bool still_running = second.running();
    if (still_running) second.stop(SIGKILL);
    EXPECT_FALSE(still_running) << "a second server started on the same database file";
    const std::string out = testsupport::read_file(log);
    EXPECT_NE(out.find("database is locked (is another colonies server running on it?)"),
              std::string::npos)
        << out;

    // The first server is unaffected.
    auto colonies = c.get_colonies(DevIdentity::server_prvkey);
    ASSERT_TRUE(colonies.ok()) << colonies.error().message;
    EXPECT_EQ(colonies->size(), 1u);
}

}  // namespace
}  // namespace colonies::it
