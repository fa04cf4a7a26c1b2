// Retention passes (features.md 12.1) on a real SQLite store: what goes and what stays, the bound
// on one pass, and how long a pass holds the store. RETENTION_BENCH_PROCESSES=100000 measures a
// pass over that many old successful processes (the figure in docs/performance.md).
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>

#include "services/retention.hpp"
#include "store/sqlite/sqlite_store.hpp"

using namespace colonies;
using namespace colonies::services;

namespace {

constexpr int64_t kSecond = 1000000000LL;

Process finished(const std::string& id, ProcessState s, Time submitted) {
    Process p;
    p.processid = id;
    p.state = s;
    p.submissiontime = submitted;
    p.prioritytime = submitted.ns;
    p.spec.funcname = "fn";
    p.spec.conditions.colonyname = "dev";
    p.spec.conditions.executortype = "cli";
    return p;
}

class RetentionPasses : public ::testing::Test {
  protected:
    void SetUp() override {
        char tmpl[] = "/tmp/colonies-retention-XXXXXX";
        dir_ = mkdtemp(tmpl);
        store_ = store::open_sqlite_store({dir_ + "/r.db"});
        cfg_.retention = true;
        cfg_.retention_policy_seconds = 3600;
        cfg_.retention_batch = 1000;
    }
    void TearDown() override {
        store_.reset();
        std::filesystem::remove_all(dir_);
    }
    RetentionPass pass(Time now) {
        RetentionPass r;
        EXPECT_TRUE(store_->run_sync([&](store::StoreTx& tx) {
            OpContext ctx{tx, caller_, now, cfg_, "retention", {}};
            r = run_retention(ctx);
            return true;
        }));
        return r;
    }
    std::string dir_, caller_;
    std::unique_ptr<store::Store> store_;
    Config cfg_;
};

TEST_F(RetentionPasses, OldSuccessfulGoInBoundedBatchesTheRestStays) {
    const char* env = std::getenv("RETENTION_BENCH_PROCESSES");
    const int n = env ? std::atoi(env) : 2500;
    const Time now = Time::from_ns(1000000 * kSecond);
    const Time old = now.plus_seconds(-7200);
    ASSERT_TRUE(store_->run_sync([&](store::StoreTx& tx) {
        tx.add_colony(Colony{"cid", "dev"});
        for (int i = 0; i < n; ++i) {
            auto p =
                finished("s" + std::to_string(i), ProcessState::Success, Time::from_ns(old.ns + i));
            tx.save_process(p, {});
            tx.add_transition({p.processid, ProcessState::Success, "closesuccessful", "e", old});
            tx.add_log(Log{p.processid, "dev", "e", "line", old.ns + i});
        }
        tx.save_process(finished("failed", ProcessState::Failed, old), {});
        tx.save_process(finished("cancelled", ProcessState::Cancelled, old), {});
        tx.save_process(finished("young", ProcessState::Success, now.plus_seconds(-60)), {});
        tx.add_log(Log{"young", "dev", "e", "new", now.plus_seconds(-60).ns});
        return true;
    }));

    const auto t0 = std::chrono::steady_clock::now();
    auto first = pass(now);
    const auto took = std::chrono::steady_clock::now() - t0;
    std::printf(
        "retention pass over %d old processes: removed %d processes and %lld logs in "
        "%.1f ms\n",
        n, first.processes, static_cast<long long>(first.logs),
        std::chrono::duration<double, std::milli>(took).count());
    EXPECT_EQ(first.processes, std::min(n, 1000));
    EXPECT_EQ(first.logs, std::min(n, 1000));
    EXPECT_EQ(first.full, n >= 1000);

    int passes = 1, removed = first.processes;
    while (passes < n / 1000 + 3) {
        auto r = pass(now);
        ++passes;
        removed += r.processes;
        if (!r.full) break;
    }
    EXPECT_EQ(removed, n);
    EXPECT_TRUE(store_->run_sync([&](store::StoreTx& tx) {
        EXPECT_FALSE(tx.process("s0"));
        EXPECT_TRUE(tx.transitions("s0").empty());
        EXPECT_TRUE(tx.process("failed"));
        EXPECT_TRUE(tx.process("cancelled"));
        EXPECT_TRUE(tx.process("young"));
        auto logs = tx.logs("dev", "young", "", 10, 0, false);
        EXPECT_EQ(logs.size(), 1u);
        EXPECT_TRUE(tx.logs("dev", "s1", "", 10, 0, false).empty());
        return true;
    }));
    // Off: nothing happens.
    cfg_.retention = false;
    EXPECT_EQ(pass(now.plus_seconds(100000)).processes, 0);
}

}  // namespace
