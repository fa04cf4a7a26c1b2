// The SQLite store: durability across reopen, group commit of concurrent jobs, rollback of a
// failed job, and assignment matching (protocol.md 6.4).
#include "store/sqlite/sqlite_store.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <thread>

#include "temp_dir.hpp"

using namespace colonies;
using namespace colonies::store;

namespace {

// Before any test of this binary uses SQLite (AJobWhoseSavepointJournalSpillsRollsBackWhole needs
// the store's journal size, whichever test runs first).
const bool kSqliteConfigured = configure_sqlite_process();

class TempDb {
  public:
    std::string path() const { return dir_.file("test.db"); }

  private:
    TempDir dir_;
};

Process waiting_process(const std::string& id, int64_t prioritytime,
                        const std::string& type = "cli") {
    Process p;
    p.processid = id;
    p.prioritytime = prioritytime;
    p.spec.conditions.colonyname = "dev";
    p.spec.conditions.executortype = type;
    p.spec.conditions.cpu = "0m";
    p.spec.conditions.mem = "0Mi";
    p.spec.conditions.storage = "0Mi";
    return p;
}

}  // namespace

TEST(SqliteStore, CommittedStateSurvivesReopen) {
    TempDb db;
    {
        auto s = open_sqlite_store({db.path()});
        ASSERT_TRUE(s->run_sync([](StoreTx& tx) {
            tx.set_server_id("abc");
            tx.add_colony(Colony{"id1", "dev"});
            tx.save_process(waiting_process("p1", 10), {});
            return true;
        }));
    }
    auto s = open_sqlite_store({db.path()});
    s->run_sync([](StoreTx& tx) {
        EXPECT_EQ(tx.server_id().value_or(""), "abc");
        EXPECT_TRUE(tx.colony("dev").has_value());
        auto p = tx.process("p1");
        EXPECT_TRUE(p.has_value());
        EXPECT_EQ(p->prioritytime, 10);
        return true;
    });
}

TEST(SqliteStore, RolledBackJobLeavesNoTrace) {
    TempDb db;
    auto s = open_sqlite_store({db.path()});
    s->run_sync([](StoreTx& tx) {
        tx.add_colony(Colony{"id1", "dev"});
        return false;  // the job's own rollback
    });
    std::string err;
    EXPECT_FALSE(s->run_sync(
        [](StoreTx& tx) {
            tx.add_colony(Colony{"id2", "other"});
            tx.add_colony(Colony{"id2", "other"});  // primary key violation throws
            return true;
        },
        &err));
    EXPECT_FALSE(err.empty());
    s->run_sync([](StoreTx& tx) {
        EXPECT_TRUE(tx.colonies().empty());
        return true;
    });
}

// A job that changes more than the in-memory savepoint journal holds (so SQLite spills it to a
// file, writing its memory chunks whole: more than the unix VFS writes in one call) and then
// rolls back: every row is as before, and the next job of the same store commits.
TEST(SqliteStore, AJobWhoseSavepointJournalSpillsRollsBackWhole) {
    ASSERT_TRUE(kSqliteConfigured);
    TempDb db;
    auto s = open_sqlite_store({db.path()});
    constexpr int kProcesses = 2000;
    const std::string big(3000, 'x');  // 2,000 rows of ~3 KB: about 6 MB of pages
    ASSERT_TRUE(s->run_sync([&](StoreTx& tx) {
        for (int i = 0; i < kProcesses; ++i) {
            auto p = waiting_process("p" + std::to_string(i), i);
            p.spec.label = big;
            tx.save_process(p, {});
        }
        return true;
    }));
    std::string err;
    s->run_sync(
        [&](StoreTx& tx) {
            for (int i = 0; i < kProcesses; ++i) {
                auto p = tx.process("p" + std::to_string(i));
                p->state = ProcessState::Running;
                p->spec.label = "changed";
                tx.save_process(*p, {});
            }
            return false;  // undo it all
        },
        &err);
    EXPECT_TRUE(err.empty()) << err;  // undone by the job's choice, not failed by the store
    ASSERT_TRUE(s->run_sync([&](StoreTx& tx) {
        for (int i = 0; i < kProcesses; i += 97) {
            auto p = tx.process("p" + std::to_string(i));
            EXPECT_EQ(p->state, ProcessState::Waiting);
            EXPECT_EQ(p->spec.label, big);
        }
        EXPECT_EQ(tx.count_processes("dev").waiting, kProcesses);
        tx.save_process(waiting_process("after", 1), {});
        return true;
    }));
    s->run_sync([](StoreTx& tx) {
        EXPECT_TRUE(tx.process("after"));
        return true;
    });
}

TEST(SqliteStore, ConcurrentJobsAllCommit) {
    TempDb db;
    auto s = open_sqlite_store({db.path()});
    std::atomic<int> done{0};
    static constexpr int kJobs = 400;
    for (int i = 0; i < kJobs; ++i) {
        s->post(
            [i](StoreTx& tx) {
                tx.save_process(waiting_process("p" + std::to_string(i), i), {});
                return true;
            },
            [&](bool ok, const std::string&) { done += ok ? 1 : 0; });
    }
    while (done.load() < kJobs) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    s->run_sync([](StoreTx& tx) {
        EXPECT_EQ(tx.count_processes("dev").waiting, kJobs);
        return true;
    });
}

TEST(SqliteStore, FindAssignableHonoursConditionsAndPriority) {
    TempDb db;
    auto s = open_sqlite_store({db.path()});
    s->run_sync([](StoreTx& tx) {
        tx.save_process(waiting_process("late", 30), {});
        tx.save_process(waiting_process("early", 10), {});
        tx.save_process(waiting_process("gpu", 1, "gpu"), {});
        auto named = waiting_process("named", 5);
        named.spec.conditions.executornames = {"other"};
        tx.save_process(named, {});
        auto big = waiting_process("big", 1);
        tx.save_process(big, SpecRequirements{4000, 0, 0});
        auto parked = waiting_process("parked", 0);
        parked.waitforparents = true;
        tx.save_process(parked, {});

        AssignQuery q{"dev", "cli", "me", "", 1000, INT64_MAX};
        EXPECT_EQ(tx.find_assignable(q).value_or(""), "early");
        q.executorname = "other";
        EXPECT_EQ(tx.find_assignable(q).value_or(""), "named");
        q.max_cpu_millis = INT64_MAX;
        EXPECT_EQ(tx.find_assignable(q).value_or(""), "big");
        q.colonyname = "nope";
        EXPECT_FALSE(tx.find_assignable(q).has_value());
        return true;
    });
}

namespace {

// Saves `bursts` x 20 processes, 20 jobs posted at once each time (so that batches form and the
// writer often finds jobs waiting), and returns the largest size the log file reached.
uintmax_t largest_log_after_commits(const std::string& path, int checkpoint_pages, int bursts) {
    SqliteOptions o;
    o.path = path;
    o.checkpoint_pages = checkpoint_pages;
    auto s = open_sqlite_store(o);
    uintmax_t largest = 0;
    for (int b = 0; b < bursts; ++b) {
        std::atomic<int> done{0};
        for (int i = 0; i < 20; ++i) {
            s->post(
                [b, i](StoreTx& tx) {
                    auto p = waiting_process("p" + std::to_string(b) + "-" + std::to_string(i), b);
                    p.spec.env["padding"] = std::string(600, static_cast<char>('a' + i));
                    tx.save_process(p, {});
                    return true;
                },
                [&](bool ok, const std::string&) { done += ok ? 1 : 100; });
        }
        while (done.load() < 20) std::this_thread::sleep_for(std::chrono::milliseconds(1));
        EXPECT_EQ(done.load(), 20);
        largest = std::max(largest, std::filesystem::file_size(path + "-wal"));
    }
    return largest;
}

}  // namespace

// Checkpoints run beside the writer (their own connection and thread) and, for the last few
// pages, between batches; the log must still be copied into the database and started again, so
// its file stays near the threshold however many commits there are. Without checkpoints the
// same work grows it past ten times that.
TEST(SqliteStore, TheLogStaysBoundedOverManyCommits) {
    constexpr int kPages = 32;
    constexpr uintmax_t kFrame = 4096 + 24;  // a page and its frame header
    constexpr int kBursts = 150;
    TempDb unbounded;
    const uintmax_t grown = largest_log_after_commits(unbounded.path(), 0, kBursts);
    EXPECT_GT(grown, 40 * kPages * kFrame);

    TempDb db;
    const uintmax_t largest = largest_log_after_commits(db.path(), kPages, kBursts);
    // The writer copies the log itself once it holds four times the threshold; one batch may
    // add to that before it does.
    EXPECT_LT(largest, 8 * kPages * kFrame) << "grew to " << largest << " bytes";
    auto s = open_sqlite_store({db.path()});
    s->run_sync([](StoreTx& tx) {
        EXPECT_EQ(tx.count_processes("dev").waiting, 20 * kBursts);
        return true;
    });
}
