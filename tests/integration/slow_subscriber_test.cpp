// A /pubsub subscriber that does not read (issue 13.8): once its outbox passes the bound
// (COLONIES_PUBSUB_MAX_QUEUED, 5 frames here) the server removes its subscriptions, queues an
// error frame and closes the connection, so the outbox, and the server's memory, stay bounded.
#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "client/subscribe.hpp"
#include "harness.hpp"

namespace colonies::it {
namespace {

using namespace std::chrono_literals;

ServerConfig bounded_outbox() {
    ServerConfig cfg;
    cfg.extra_env = {{"COLONIES_PUBSUB_MAX_QUEUED", "5"}};
    return cfg;
}

class SlowSubscriber : public ::testing::Test {
  protected:
    void SetUp() override {
        c_ = std::make_unique<client::Client>(server_.make_client());
        Fixture::setup_dev(*c_);
    }

    // Subscribes to every WAITING process of the colony and blocks in the first event's
    // callback until `release` is set: the socket is then not read, and the kernel's buffers
    // fill up.
    void start_blocked_subscriber() {
        subscriber_ = std::thread([this] {
            client::ProcessSubscription sub{"dev", "", "cli", ProcessState::Waiting, 120};
            bool blocked = false;
            result_ = client::subscribe(server_.client_options(), sub, DevIdentity::executor_prvkey,
                                        [&](const Process&) {
                                            if (!blocked) {
                                                blocked = true;
                                                release_.get_future().wait();
                                            }
                                            return true;
                                        });
        });
        ASSERT_TRUE(wait_for_metric(*c_, "colonies_subscriptions", 1, 20s));
    }

    // Submits processes with a large argument (about 100 KB per event) until the server drops
    // the subscription; false if it never does.
    bool publish_until_dropped() {
        auto spec = Fixture::simple_spec("dev", "cli", "echo");
        spec.args = boost::json::array{std::string(100 * 1024, 'x')};
        for (int i = 0; i < 400; ++i) {
            auto p = c_->submit(spec, DevIdentity::executor_prvkey);
            EXPECT_TRUE(p.ok()) << p.error().message;
            if (i % 5 == 4 && read_metrics(*c_).at("colonies_subscriptions") == 0) return true;
        }
        return wait_for_metric(*c_, "colonies_subscriptions", 0, 5s);
    }

    void TearDown() override {
        release_.set_value();
        if (subscriber_.joinable()) subscriber_.join();
    }

    ServerProcess server_{bounded_outbox()};
    std::unique_ptr<client::Client> c_;
    std::promise<void> release_;
    std::thread subscriber_;
    std::optional<Result<int>> result_;
};

TEST_F(SlowSubscriber, IsDroppedWithAnErrorFrame) {
    start_blocked_subscriber();
    ASSERT_TRUE(publish_until_dropped()) << "the server kept queueing for a subscriber that "
                                            "does not read";
    // The subscriber reads again: what was in flight, then the error frame.
    release_.set_value();
    subscriber_.join();
    release_ = {};
    ASSERT_TRUE(result_.has_value());
    ASSERT_FALSE(result_->ok());
    EXPECT_EQ(result_->error().status, 503);
    EXPECT_TRUE(result_->error().message.starts_with("subscriber too slow: "))
        << result_->error().message;
    EXPECT_NE(result_->error().message.find("events not delivered"), std::string::npos);
    // Only this test's client connection is left.
    EXPECT_TRUE(wait_for_metric(*c_, "colonies_open_connections", 1, 20s));
}

TEST_F(SlowSubscriber, ThatNeverReadsIsDisconnected) {
    start_blocked_subscriber();
    ASSERT_TRUE(publish_until_dropped());
    // Still not reading: the server closes the socket under it after a grace period.
    EXPECT_TRUE(wait_for_metric(*c_, "colonies_open_connections", 1, 30s));
    // Other subscribers are served as before.
    client::ProcessSubscription sub{"dev", "", "cli", ProcessState::Waiting, 20};
    std::thread again([&] {
        auto r = client::subscribe(server_.client_options(), sub, DevIdentity::executor_prvkey,
                                   [](const Process&) { return false; });
        EXPECT_TRUE(r.ok()) << r.error().message;
    });
    ASSERT_TRUE(wait_for_metric(*c_, "colonies_subscriptions", 1, 20s));
    ASSERT_TRUE(
        c_->submit(Fixture::simple_spec("dev", "cli", "echo"), DevIdentity::executor_prvkey).ok());
    again.join();
}

}  // namespace
}  // namespace colonies::it
