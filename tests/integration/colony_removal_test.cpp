// Removing a colony releases its executors' parked long polls at once (issue 12): each gets the
// reply an assign for a colony that no longer exists gets (403 "Colony with name <name> does not
// exists") instead of waiting out its timeout, while other colonies' polls stay parked.
// The same across servers: tests/integration/cluster_test.cpp.
#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <thread>

#include "harness.hpp"

namespace colonies::it {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr int kPollTimeoutS = 60;

// One executor's assign, long-polling on its own connection.
class Poll {
  public:
    Poll(const ServerProcess& server, std::string colony, std::string prvkey)
        : client_(server.client_options()),
          thread_([this, colony = std::move(colony), prvkey = std::move(prvkey)] {
              got_ = client_.assign(colony, kPollTimeoutS, prvkey);
          }) {}
    ~Poll() { join(); }
    void join() {
        if (thread_.joinable()) thread_.join();
    }
    const std::optional<Result<Process>>& got() const { return got_; }

  private:
    client::Client client_;
    std::optional<Result<Process>> got_;
    std::thread thread_;
};

TEST(ColonyRemoval, ReleasesTheColonysParkedExecutorsAtOnceAndNoOthers) {
    ServerProcess server;
    auto admin = server.make_client();
    Fixture::setup_dev(admin);
    auto gpu = Identity::fresh();
    Fixture::add_approved_executor(admin, "dev", "gpu1", "gpu", gpu.prvkey,
                                   DevIdentity::colony_prvkey);
    auto other_owner = Identity::fresh();
    auto other_exec = Identity::fresh();
    Fixture::setup_colony(admin, "other", other_owner.prvkey, DevIdentity::server_prvkey);
    Fixture::add_approved_executor(admin, "other", "o1", "cli", other_exec.prvkey,
                                   other_owner.prvkey);

    Poll cli(server, "dev", DevIdentity::executor_prvkey);
    Poll gpu_poll(server, "dev", gpu.prvkey);
    Poll elsewhere(server, "other", other_exec.prvkey);
    ASSERT_TRUE(wait_for_metric(admin, "colonies_assign_waiters", 3, 20s));

    const auto removed_at = Clock::now();
    ASSERT_TRUE(admin.remove_colony("dev", DevIdentity::server_prvkey).ok());
    for (Poll* p : {&cli, &gpu_poll}) {
        p->join();
        ASSERT_TRUE(p->got().has_value());
        ASSERT_FALSE(p->got()->ok()) << "a removed colony's executor was handed a process";
        EXPECT_EQ(p->got()->error().status, 403);
        EXPECT_EQ(p->got()->error().message, "Colony with name dev does not exists");
    }
    // Far below the polls' 60 s: they were released, not timed out.
    EXPECT_LT(Clock::now() - removed_at, 10s);

    // The other colony's executor is still parked, and still served.
    EXPECT_TRUE(wait_for_metric(admin, "colonies_assign_waiters", 1, 5s));
    auto p = admin.submit(Fixture::simple_spec("other", "cli", "echo"), other_exec.prvkey);
    ASSERT_TRUE(p.ok()) << p.error().message;
    elsewhere.join();
    ASSERT_TRUE(elsewhere.got().has_value());
    ASSERT_TRUE(elsewhere.got()->ok()) << elsewhere.got()->error().message;
    EXPECT_EQ(elsewhere.got()->value().processid, p->processid);
}

}  // namespace
}  // namespace colonies::it
