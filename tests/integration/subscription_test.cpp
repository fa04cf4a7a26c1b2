// Real-time subscriptions on WebSocket /pubsub (protocol.md 1.6, 6.11).
#include <gtest/gtest.h>

#include <thread>

#include "client/subscribe.hpp"
#include "harness.hpp"

namespace colonies::it {
namespace {

using namespace std::chrono_literals;

class Subscriptions : public ::testing::Test {
  protected:
    void SetUp() override {
        c_ = std::make_unique<client::Client>(server_.make_client());
        Fixture::setup_dev(*c_);
    }
    Process submit() {
        auto p =
            c_->submit(Fixture::simple_spec("dev", "cli", "echo"), DevIdentity::executor_prvkey);
        EXPECT_TRUE(p.ok()) << p.error().message;
        return p.ok() ? *p : Process{};
    }
    ServerProcess server_;
    std::unique_ptr<client::Client> c_;
};

TEST_F(Subscriptions, WaitReturnsAfterTheCloseIsCommitted) {
    auto p = submit();
    std::optional<Result<Process>> waited;
    std::optional<Result<Process>> read_after;
    std::thread waiter([&] {
        waited = client::wait_for_process(server_.client_options(), "dev", p.processid,
                                          ProcessState::Success, 20, DevIdentity::executor_prvkey);
        // The event comes after the commit: a read right after it sees the new state.
        auto c = server_.make_client();
        read_after = c.get_process(p.processid, DevIdentity::executor_prvkey);
    });
    // Act only once the subscription is registered (else the event could come before it).
    EXPECT_TRUE(wait_for_metric(*c_, "colonies_subscriptions", 1, 20s));
    ASSERT_TRUE(c_->assign("dev", 5, DevIdentity::executor_prvkey).ok());
    ASSERT_TRUE(c_->close_successful(p.processid, {"done"}, DevIdentity::executor_prvkey));
    waiter.join();
    ASSERT_TRUE(waited && waited->ok()) << (waited ? waited->error().message : "");
    EXPECT_EQ(waited->value().state, ProcessState::Success);
    EXPECT_EQ(waited->value().out, (boost::json::array{"done"}));
    ASSERT_TRUE(read_after && read_after->ok());
    EXPECT_EQ(read_after->value().state, ProcessState::Success);
}

TEST_F(Subscriptions, AssignPublishesTheRunningState) {
    auto p = submit();
    std::optional<Result<Process>> waited;
    std::thread waiter([&] {
        waited = client::wait_for_process(server_.client_options(), "dev", p.processid,
                                          ProcessState::Running, 20, DevIdentity::executor_prvkey);
    });
    // Act only once the subscription is registered (else the event could come before it).
    EXPECT_TRUE(wait_for_metric(*c_, "colonies_subscriptions", 1, 20s));
    ASSERT_TRUE(c_->assign("dev", 5, DevIdentity::executor_prvkey).ok());
    waiter.join();
    ASSERT_TRUE(waited && waited->ok()) << (waited ? waited->error().message : "");
    EXPECT_EQ(waited->value().state, ProcessState::Running);
    EXPECT_EQ(waited->value().assignedexecutorid, DevIdentity::executor_id);
}

TEST_F(Subscriptions, AlreadyInStateAnswersAtOnce) {
    auto p = submit();
    auto r = client::wait_for_process(server_.client_options(), "dev", p.processid,
                                      ProcessState::Waiting, 10, DevIdentity::executor_prvkey);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->processid, p.processid);
}

TEST_F(Subscriptions, TimeoutClosesWithoutAFrame) {
    auto p = submit();
    auto start = std::chrono::steady_clock::now();
    auto r = client::wait_for_process(server_.client_options(), "dev", p.processid,
                                      ProcessState::Success, 1, DevIdentity::executor_prvkey);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().status, 408);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);
}

TEST_F(Subscriptions, EverySubscriberSeesEveryEventOfItsType) {
    constexpr int kSubscribers = 3, kProcesses = 4;
    std::vector<int> seen(kSubscribers, 0);
    std::vector<std::thread> ts;
    for (int i = 0; i < kSubscribers; ++i) {
        ts.emplace_back([&, i] {
            client::ProcessSubscription sub{"dev", "", "cli", ProcessState::Waiting, 10};
            auto r = client::subscribe(server_.client_options(), sub, DevIdentity::executor_prvkey,
                                       [&](const Process&) { return ++seen[i] < kProcesses; });
            EXPECT_TRUE(r.ok()) << r.error().message;
        });
    }
    EXPECT_TRUE(wait_for_metric(*c_, "colonies_subscriptions", kSubscribers, 20s));
    for (int i = 0; i < kProcesses; ++i) submit();
    for (auto& t : ts) t.join();
    for (int i = 0; i < kSubscribers; ++i) EXPECT_EQ(seen[i], kProcesses) << "subscriber " << i;
}

TEST_F(Subscriptions, BadSubscriptionsGetAnErrorFrame) {
    auto r = client::wait_for_process(server_.client_options(), "dev", std::string(64, 'f'),
                                      ProcessState::Success, 5, DevIdentity::executor_prvkey);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().status, 403);
    EXPECT_EQ(r.error().message, "Invalid process with Id " + std::string(64, 'f'));

    auto p = submit();
    auto stranger = Identity::fresh();
    r = client::wait_for_process(server_.client_options(), "dev", p.processid,
                                 ProcessState::Success, 5, stranger.prvkey);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().status, 403);

    r = client::wait_for_process(server_.client_options(), "dev", p.processid,
                                 ProcessState::Success, 0, DevIdentity::executor_prvkey);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().status, 400);
}

}  // namespace
}  // namespace colonies::it
