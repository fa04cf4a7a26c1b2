// The fan-out policy (server/cluster_link.hpp Fanout): what of a committed change wakes this
// server's long polls and what travels to the other servers, and how a removed colony releases
// its parked executors here and elsewhere.
#include <gtest/gtest.h>

#include <boost/asio.hpp>

#include "server/cluster_link.hpp"

namespace colonies::server {
namespace {

// Records what would travel to the other servers.
class RecordingLink final : public ClusterLink {
  public:
    bool is_leader() const override { return true; }
    ClusterView view() const override { return {}; }
    void publish(const services::Effects& fx) override { published.push_back(fx); }
    void start(std::function<void(RemoteChange)>) override {}
    void stop() override {}
    std::vector<services::Effects> published;
};

// No test here reads the store.
class NoStore final : public store::Store {
  public:
    void post(Job, Done done) override { done(false, "no store in this test"); }
};

scheduler::WaiterSpec spec(const std::string& colony, const std::string& type) {
    return scheduler::WaiterSpec{colony, type, "e", "", INT64_MAX, INT64_MAX};
}

scheduler::ReadyProcess ready(const std::string& colony, const std::string& type) {
    return scheduler::ReadyProcess{colony, type, {}, "", 0, 0};
}

struct FanoutTest : ::testing::Test {
    scheduler::Waiters waiters;
    Subscriptions subscriptions;
    NoStore store;
    StoreCall store_call{store};
    RecordingLink link;
    std::vector<std::string> woken;

    void park(const std::string& colony, const std::string& type) {
        auto label = colony + "/" + type;
        ASSERT_TRUE(waiters.add(
            spec(colony, type), [this, label] { woken.push_back(label); }, waiters.sequence()));
    }
};

TEST_F(FanoutTest, ASingleServerWakesLocallyAndRelaysNothing) {
    Fanout fanout(waiters, subscriptions, store_call, nullptr);
    park("dev", "cli");
    services::Effects fx;
    fx.ready = {ready("dev", "cli")};
    fanout.announce(fx);
    EXPECT_EQ(woken, (std::vector<std::string>{"dev/cli"}));
    EXPECT_FALSE(fanout.recheck());
}

TEST_F(FanoutTest, OnlyProcessesNoLocalWaiterTookTravel) {
    Fanout fanout(waiters, subscriptions, store_call, &link);
    park("dev", "cli");
    services::Effects fx;
    fx.ready = {ready("dev", "cli"), ready("dev", "gpu")};
    fanout.announce(fx);
    EXPECT_EQ(woken, (std::vector<std::string>{"dev/cli"}));
    ASSERT_EQ(link.published.size(), 1u);
    ASSERT_EQ(link.published[0].ready.size(), 1u);
    EXPECT_EQ(link.published[0].ready[0].executortype, "gpu");
    EXPECT_TRUE(fanout.recheck());
}

TEST_F(FanoutTest, ARemovedColonyReleasesItsWaitersHereAndTravels) {
    Fanout fanout(waiters, subscriptions, store_call, &link);
    park("dev", "cli");
    park("dev", "gpu");
    park("other", "cli");
    services::Effects fx;
    fx.removed_colonies = {"dev"};
    fanout.announce(fx);
    std::sort(woken.begin(), woken.end());
    EXPECT_EQ(woken, (std::vector<std::string>{"dev/cli", "dev/gpu"}));
    EXPECT_EQ(waiters.size(), 1u);
    ASSERT_EQ(link.published.size(), 1u);
    EXPECT_EQ(link.published[0].removed_colonies, (std::vector<std::string>{"dev"}));
}

TEST_F(FanoutTest, AResumedColonyWakesItsWaitersHereAndOnTheOtherServers) {
    Fanout fanout(waiters, subscriptions, store_call, &link);
    park("dev", "cli");
    park("other", "cli");
    services::Effects fx;
    fx.resumed_colonies = {"dev"};
    fanout.announce(fx);
    EXPECT_EQ(woken, (std::vector<std::string>{"dev/cli"}));
    ASSERT_EQ(link.published.size(), 1u);
    EXPECT_EQ(link.published[0].resumed_colonies, (std::vector<std::string>{"dev"}));

    woken.clear();
    park("dev", "gpu");
    RemoteChange change;
    change.resumed_colonies = {"dev"};
    boost::asio::io_context ioc;
    boost::asio::co_spawn(ioc, fanout.receive(change), [](std::exception_ptr e) {
        if (e) std::rethrow_exception(e);
    });
    ioc.run();
    EXPECT_EQ(woken, (std::vector<std::string>{"dev/gpu"}));
}

TEST_F(FanoutTest, AColonyRemovedOnAnotherServerReleasesItsWaitersHere) {
    Fanout fanout(waiters, subscriptions, store_call, &link);
    park("dev", "cli");
    park("other", "cli");
    RemoteChange change;
    change.removed_colonies = {"dev"};
    boost::asio::io_context ioc;
    boost::asio::co_spawn(ioc, fanout.receive(change), [](std::exception_ptr e) {
        if (e) std::rethrow_exception(e);
    });
    ioc.run();
    EXPECT_EQ(woken, (std::vector<std::string>{"dev/cli"}));
    EXPECT_EQ(waiters.size(), 1u);
    EXPECT_TRUE(link.published.empty());  // a received change is not sent on again
}

// Key rotation: the colony's parked executors look again (a poll of the old key then fails), here
// and, through the link, on the other servers.
TEST_F(FanoutTest, ARekeyedColonyWakesItsWaitersHereAndTravels) {
    Fanout fanout(waiters, subscriptions, store_call, &link);
    park("dev", "cli");
    park("other", "cli");
    services::Effects fx;
    fx.rekeyed_colonies = {"dev"};
    fanout.announce(fx);
    EXPECT_EQ(woken, (std::vector<std::string>{"dev/cli"}));
    ASSERT_EQ(link.published.size(), 1u);
    EXPECT_EQ(link.published[0].rekeyed_colonies, (std::vector<std::string>{"dev"}));
    EXPECT_TRUE(link.published[0].removed_colonies.empty());

    woken.clear();
    park("dev", "gpu");
    RemoteChange change;
    change.rekeyed_colonies = {"dev"};
    boost::asio::io_context ioc;
    boost::asio::co_spawn(ioc, fanout.receive(change), [](std::exception_ptr e) {
        if (e) std::rethrow_exception(e);
    });
    ioc.run();
    EXPECT_EQ(woken, (std::vector<std::string>{"dev/gpu"}));
    EXPECT_EQ(link.published.size(), 1u);  // a received change is not sent on again
}

}  // namespace
}  // namespace colonies::server
