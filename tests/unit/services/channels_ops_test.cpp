// Channel operations (features.md 5) on a real SQLite store: the bounds that take too long to
// reach through a server (10,000 entries, the rate limiter's clock) and the end of a channel with
// its process, seen in the store and in the effects.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "core/json.hpp"
#include "services/channels_ops.hpp"
#include "services/colonies_ops.hpp"
#include "store/sqlite/sqlite_store.hpp"

using namespace colonies;
using namespace colonies::services;

namespace {

const std::string kExecutor = std::string(64, 'c');
constexpr int64_t kT0 = 1'700'000'000'000'000'000LL;

class ChannelOps : public ::testing::Test {
  protected:
    void SetUp() override {
        char tmpl[] = "/tmp/colonies-chops-XXXXXX";
        dir_ = mkdtemp(tmpl);
        store_ = store::open_sqlite_store({dir_ + "/ops.db"});
        store_->run_sync([](store::StoreTx& tx) {
            tx.add_colony(Colony{std::string(64, 'b'), "dev"});
            Executor e;
            e.executorid = kExecutor;
            e.executorname = "exec1";
            e.executortype = "cli";
            e.colonyname = "dev";
            e.state = ExecutorState::Approved;
            tx.save_executor(e);
            return true;
        });
        cfg_.channel_rate = std::make_shared<TokenBuckets>(1e9, 0);  // out of the way here
    }
    void TearDown() override {
        store_.reset();
        std::filesystem::remove_all(dir_);
    }
    // Runs fn(ctx) in one job; the job commits when `fn` returns true.
    template <class F>
    void job(F fn, Effects* fx = nullptr) {
        store_->run_sync([&](store::StoreTx& tx) {
            OpContext ctx{tx, kExecutor, Time::from_ns(kT0), cfg_, "Failed", {}};
            const bool keep = fn(ctx);
            if (fx) *fx = ctx.fx;
            return keep;
        });
    }
    // A RUNNING process with channel "c", submitted and run by kExecutor.
    std::string running() {
        std::string id;
        job([&](OpContext& ctx) {
            boost::json::object spec{
                {"funcname", "f"},
                {"conditions", {{"colonyname", "dev"}, {"executortype", "cli"}}},
                {"channels", boost::json::array{"c"}}};
            auto p = op_submit(ctx, {{"spec", spec}});
            EXPECT_TRUE(p.ok());
            id = p->as_object().at("processid").as_string().c_str();
            auto a = try_assign(ctx, {{"colonyname", "dev"}, {"timeout", 1}});
            EXPECT_TRUE(a.ok() && a->claimed);
            return true;
        });
        return id;
    }
    static boost::json::object append_msg(const std::string& id, int64_t seq) {
        return {{"processid", id}, {"name", "c"}, {"sequence", seq}, {"payload", "eA=="}};
    }
    std::string dir_;
    std::unique_ptr<store::Store> store_;
    Config cfg_;
};

TEST_F(ChannelOps, LogIsFullAtTenThousandEntries) {
    const auto id = running();
    job([&](OpContext& ctx) {
        for (int64_t i = 0; i < kChannelMaxEntries; ++i)
            if (!op_channel_append(ctx, append_msg(id, i)).ok()) return false;
        return true;
    });
    job([&](OpContext& ctx) {
        auto r = op_channel_append(ctx, append_msg(id, kChannelMaxEntries));
        EXPECT_FALSE(r.ok());
        EXPECT_EQ(r.error().status, 500);
        EXPECT_EQ(r.error().message, "channel log is full");
        EXPECT_EQ(ctx.tx.channel_tail(id, "c").count, kChannelMaxEntries);
        return false;
    });
}

TEST_F(ChannelOps, ClosingEndsTheChannelsInTheSameTransaction) {
    const auto id = running();
    Effects appended;
    job([&](OpContext& ctx) { return op_channel_append(ctx, append_msg(id, 1)).ok(); }, &appended);
    ASSERT_EQ(appended.channels.size(), 1u);
    EXPECT_EQ(appended.channels[0].index, 0);
    ASSERT_TRUE(appended.channels[0].entry.has_value());
    EXPECT_EQ(appended.channels[0].entry->payload.value_or(""), "eA==");
    Effects closed;
    job(
        [&](OpContext& ctx) {
            auto r = op_close_successful(ctx, {{"processid", id}});
            EXPECT_TRUE(r.ok()) << r.error().message;
            EXPECT_EQ(ctx.tx.channel_tail(id, "c").count, 0);
            return r.ok();
        },
        &closed);
    ASSERT_EQ(closed.channels.size(), 1u);
    EXPECT_TRUE(closed.channels[0].ended);
    EXPECT_EQ(closed.channels[0].processid, id);
}

TEST(TokenBucketsTest, BurstThenRefillPerProcess) {
    TokenBuckets b(500, 100);
    const auto t0 = TokenBuckets::Clock::now();
    for (int i = 0; i < 500; ++i) ASSERT_TRUE(b.take("p", t0)) << i;
    EXPECT_FALSE(b.take("p", t0));
    EXPECT_TRUE(b.take("q", t0));  // another process has its own bucket
    EXPECT_FALSE(b.take("p", t0 + std::chrono::milliseconds(5)));
    EXPECT_TRUE(b.take("p", t0 + std::chrono::milliseconds(11)));  // 1.1 tokens came back
    EXPECT_FALSE(b.take("p", t0 + std::chrono::milliseconds(12)));
    const auto later = t0 + std::chrono::seconds(60);
    for (int i = 0; i < 500; ++i) ASSERT_TRUE(b.take("p", later)) << i;  // full again, no more
    EXPECT_FALSE(b.take("p", later));
}

TEST(TokenBucketsTest, IdleFullBucketsAreForgotten) {
    TokenBuckets b(500, 100);
    const auto t0 = TokenBuckets::Clock::now();
    const auto later = t0 + std::chrono::seconds(10);
    for (int i = 0; i < 1023; ++i) ASSERT_TRUE(b.take("p" + std::to_string(i), t0));
    for (int i = 0; i < 500; ++i) ASSERT_TRUE(b.take("busy", later));
    EXPECT_EQ(b.size(), 1024u);
    // The table is at its bound: the buckets that refilled go, the drained one stays drained.
    ASSERT_TRUE(b.take("late", later));
    EXPECT_EQ(b.size(), 2u);
    EXPECT_FALSE(b.take("busy", later));
}

}  // namespace
