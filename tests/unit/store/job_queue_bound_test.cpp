// The store's job queue is bounded (issue 13.8): with the writer held up, jobs past the bound are
// refused at once with a Busy failure and never run; the ones within it run once the writer is
// free again.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "store/job_queue.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "temp_dir.hpp"

using namespace colonies::store;

namespace {

struct Outcome {
    std::atomic<bool> called{false};
    std::atomic<bool> committed{false};
    std::string error;
};

TEST(JobQueueBound, SqliteStoreRefusesJobsPastTheBoundWithoutRunningThem) {
    TempDir dir;
    SqliteOptions opts;
    opts.path = dir.file("bound.db");
    opts.max_queued = 3;
    auto store = open_sqlite_store(opts);

    // The first job holds the writer until released.
    std::promise<void> started, release;
    auto release_future = release.get_future().share();
    std::atomic<int> ran{0};
    store->post(
        [&](StoreTx&) {
            started.set_value();
            release_future.wait();
            return true;
        },
        [](bool, const std::string&) {});
    started.get_future().wait();

    constexpr int kPosted = 5;
    std::vector<Outcome> outcomes(kPosted);
    for (int i = 0; i < kPosted; ++i) {
        store->post(
            [&ran, i](StoreTx&) {
                ran |= 1 << i;
                return true;
            },
            [&outcomes, i](bool committed, const std::string& error) {
                outcomes[i].error = error;
                outcomes[i].committed = committed;
                outcomes[i].called = true;
            });
    }
    // Jobs 3 and 4 did not fit: refused already, on this thread.
    for (int i = 3; i < kPosted; ++i) {
        EXPECT_TRUE(outcomes[i].called) << i;
        EXPECT_FALSE(outcomes[i].committed);
        EXPECT_EQ(failure_kind(outcomes[i].error), FailureKind::Busy) << outcomes[i].error;
        EXPECT_NE(outcomes[i].error.find("storage queue full"), std::string::npos);
    }
    for (int i = 0; i < 3; ++i) EXPECT_FALSE(outcomes[i].called) << i;

    release.set_value();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!(outcomes[2].called && outcomes[4].called) &&
           std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    for (int i = 0; i < 3; ++i) {
        EXPECT_TRUE(outcomes[i].called) << i;
        EXPECT_TRUE(outcomes[i].committed) << i;
    }
    EXPECT_EQ(ran.load(), 0b111) << "only the jobs within the bound ran";
}

TEST(JobQueueBound, QueueTakesJobsAgainOnceDrained) {
    JobQueue q(2);
    int refused = 0;
    auto count_refusal = [&](bool committed, const std::string& e) {
        if (!committed && failure_kind(e) == FailureKind::Busy) ++refused;
    };
    for (int i = 0; i < 4; ++i) q.push([](StoreTx&) { return true; }, count_refusal);
    EXPECT_EQ(refused, 2);
    std::vector<QueuedJob> out;
    ASSERT_TRUE(q.take(out, 10));
    EXPECT_EQ(out.size(), 2u);
    q.push([](StoreTx&) { return true; }, count_refusal);
    EXPECT_EQ(refused, 2);
}

TEST(FailureKinds, TextsCarryTheirKind) {
    EXPECT_EQ(failure_kind(failure_text(FailureKind::Unavailable, "x")), FailureKind::Unavailable);
    EXPECT_EQ(failure_kind(failure_text(FailureKind::Busy, "x")), FailureKind::Busy);
    EXPECT_EQ(failure_kind(failure_text(FailureKind::InDoubt, "x")), FailureKind::InDoubt);
    EXPECT_EQ(failure_kind("sqlite: disk I/O error"), FailureKind::Failed);
}

}  // namespace
