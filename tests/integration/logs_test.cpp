// Process and executor logs (protocol.md 5.9, features.md 3): order, since, count, latest,
// search, and who may write.
#include <gtest/gtest.h>

#include <algorithm>

#include "core/json.hpp"
#include "harness.hpp"

namespace colonies::it {
namespace {

class Logs : public ::testing::Test {
  protected:
    void SetUp() override {
        c_ = std::make_unique<client::Client>(server_.make_client());
        Fixture::setup_dev(*c_);
        auto p =
            c_->submit(Fixture::simple_spec("dev", "cli", "echo"), DevIdentity::executor_prvkey);
        ASSERT_TRUE(p.ok());
        ASSERT_TRUE(c_->assign("dev", 5, DevIdentity::executor_prvkey).ok());
        pid_ = p->processid;
    }
    std::vector<std::string> messages(const client::Client::LogQuery& q) {
        auto r = c_->get_logs(q, DevIdentity::executor_prvkey);
        EXPECT_TRUE(r.ok()) << r.error().message;
        std::vector<std::string> out;
        if (r.ok())
            for (const auto& l : *r) out.push_back(l.message);
        return out;
    }
    ServerProcess server_;
    std::unique_ptr<client::Client> c_;
    std::string pid_;
};

TEST_F(Logs, OrderSinceCountAndLatest) {
    for (int i = 0; i < 5; ++i)
        ASSERT_TRUE(
            c_->add_log(pid_, "line " + std::to_string(i) + "\n", DevIdentity::executor_prvkey));
    client::Client::LogQuery q{"dev", pid_, "", 100, 0, false};
    auto all = c_->get_logs(q, DevIdentity::executor_prvkey);
    ASSERT_TRUE(all.ok());
    ASSERT_EQ(all->size(), 5u);
    EXPECT_EQ((*all)[0].message, "line 0\n");
    EXPECT_EQ((*all)[0].executorname, "exec1");
    for (size_t i = 1; i < all->size(); ++i)
        EXPECT_GE((*all)[i].timestamp, (*all)[i - 1].timestamp);

    q.count = 2;
    EXPECT_EQ(messages(q), (std::vector<std::string>{"line 0\n", "line 1\n"}));
    q.latest = true;
    EXPECT_EQ(messages(q), (std::vector<std::string>{"line 3\n", "line 4\n"}));
    q = {"dev", pid_, "", 100, (*all)[2].timestamp, false};
    auto after = messages(q);
    ASSERT_FALSE(after.empty());
    EXPECT_EQ(after.back(), "line 4\n");
    EXPECT_EQ(std::count(after.begin(), after.end(), "line 0\n"), 0);

    // By executor name.
    q = {"dev", "", "exec1", 100, 0, false};
    EXPECT_EQ(messages(q).size(), 5u);

    q = {"dev", pid_, "", 501, 0, false};
    auto too_many = c_->get_logs(q, DevIdentity::executor_prvkey);
    ASSERT_FALSE(too_many.ok());
    EXPECT_EQ(too_many.error().message, "Count exceeds max log count (500)");
}

TEST_F(Logs, SearchFindsSubstringsInTheColony) {
    ASSERT_TRUE(c_->add_log(pid_, "all good\n", DevIdentity::executor_prvkey));
    ASSERT_TRUE(c_->add_log(pid_, "disk ERROR 42\n", DevIdentity::executor_prvkey));
    auto r = c_->call("searchlogsmsg",
                      {{"colonyname", "dev"}, {"text", "ERROR"}, {"days", 1}, {"count", 10}},
                      DevIdentity::executor_prvkey);
    ASSERT_TRUE(r.ok()) << r.error().message;
    ASSERT_EQ(r->as_array().size(), 1u);
    EXPECT_EQ(r->as_array()[0].as_object().at("message").as_string(), "disk ERROR 42\n");
    auto bad = c_->call("searchlogsmsg",
                        {{"colonyname", "dev"}, {"text", "x"}, {"days", 31}, {"count", 10}},
                        DevIdentity::executor_prvkey);
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().message, "Count exceeds max day count (30)");
}

TEST_F(Logs, OnlyTheAssignedExecutorWritesWhileRunning) {
    auto other = Identity::fresh();
    Fixture::add_approved_executor(*c_, "dev", "exec2", "cli", other.prvkey,
                                   DevIdentity::colony_prvkey);
    auto r = c_->add_log(pid_, "not mine", other.prvkey);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().status, 403);
    ASSERT_TRUE(c_->close_successful(pid_, {}, DevIdentity::executor_prvkey));
    r = c_->add_log(pid_, "too late", DevIdentity::executor_prvkey);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().status, 403);
    client::Client::LogQuery q{"dev", pid_, "", 100, 0, false};
    EXPECT_TRUE(messages(q).empty());
}

}  // namespace
}  // namespace colonies::it
