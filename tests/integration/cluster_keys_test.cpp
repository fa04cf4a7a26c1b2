// Key rotation in a cluster (features.md 9, protocol.md 5.15): a change made through one server
// holds on the others at once, since every server reads ids from the shared store; and an
// executor's long poll parked on another server with the old key is released there (the change
// travels on LISTEN/NOTIFY) instead of waiting out its timeout.
#include <gtest/gtest.h>

#include <optional>
#include <thread>

#include "etcd_process.hpp"
#include "harness.hpp"
#include "pg_cluster.hpp"

using namespace colonies;
using namespace colonies::it;
namespace ts = colonies::testsupport;
using namespace std::chrono_literals;

namespace {

ts::PgCluster& pg() {
    static auto* cluster = new ts::PgCluster();
    static const bool registered = (std::atexit([] { delete cluster; }), true);
    (void)registered;
    return *cluster;
}

ts::EtcdProcess& etcd() {
    static auto* e = new ts::EtcdProcess();
    static const bool registered = (std::atexit([] { delete e; }), true);
    (void)registered;
    return *e;
}

ServerConfig member_of(const std::string& schema, int i) {
    ServerConfig cfg;
    cfg.extra_env = {{"COLONIES_DB_TYPE", "postgresql"},
                     {"COLONIES_DB_HOST", pg().host()},
                     {"COLONIES_DB_PORT", std::to_string(pg().port())},
                     {"COLONIES_DB_USER", pg().user()},
                     {"COLONIES_DB_SCHEMA", schema},
                     {"COLONIES_DB_MAX_OPEN_CONNS", "6"},
                     {"COLONIES_CLUSTER_LEASE_TTL", "2"},
                     {"COLONIES_ETCD_ENDPOINTS", etcd().endpoint()},
                     {"COLONIES_ETCD_PREFIX", "/colonies/" + schema + "/"}};
    cfg.extra_args = {"--etcdname", schema + "-s" + std::to_string(i), "--threads", "2"};
    cfg.startup_timeout = std::chrono::seconds(40);
    return cfg;
}

TEST(ClusterKeyRotation, AChangeThroughOneServerHoldsOnTheOther) {
    const std::string schema = pg().fresh_schema();
    ServerProcess a(member_of(schema, 0));
    ServerProcess b(member_of(schema, 1));
    auto ca = a.make_client();
    auto cb = b.make_client();
    Fixture::setup_dev(ca);

    // An executor parked on B with its old key.
    std::optional<Result<Process>> got;
    client::Client poller = b.make_client();
    std::thread t([&] { got = poller.assign("dev", 60, DevIdentity::executor_prvkey); });
    ASSERT_TRUE(wait_for_metric(cb, "colonies_assign_waiters", 1, 20s));

    auto exec = Identity::fresh();
    const auto changed_at = std::chrono::steady_clock::now();
    ASSERT_TRUE(ca.change_executor_id("dev", exec.id, DevIdentity::executor_prvkey).ok());
    t.join();
    // Below the 5 s a parked poll in a cluster waits before it looks again on its own: the
    // relayed change released it.
    EXPECT_LT(std::chrono::steady_clock::now() - changed_at, 3s);
    ASSERT_TRUE(got.has_value());
    ASSERT_FALSE(got->ok()) << "the old key was handed a process";
    EXPECT_EQ(got->error().status, 403);
    EXPECT_FALSE(cb.get_colony("dev", DevIdentity::executor_prvkey).ok());
    EXPECT_TRUE(cb.get_colony("dev", exec.prvkey).ok());

    auto colony = Identity::fresh();
    ASSERT_TRUE(ca.change_colony_id("dev", colony.id, DevIdentity::colony_prvkey).ok());
    auto old_c = cb.remove_all_processes("dev", 4, DevIdentity::colony_prvkey);
    ASSERT_FALSE(old_c.ok());
    EXPECT_EQ(old_c.error().message, "Access denied, not colony owner");
    EXPECT_TRUE(cb.remove_all_processes("dev", 4, colony.prvkey).ok());

    auto server = Identity::fresh();
    ASSERT_TRUE(ca.change_server_id(server.id, DevIdentity::server_prvkey).ok());
    auto old_s = cb.get_statistics(DevIdentity::server_prvkey);
    ASSERT_FALSE(old_s.ok());
    EXPECT_EQ(old_s.error().message, "Access denied, not server owner");
    EXPECT_TRUE(cb.get_statistics(server.prvkey).ok());
    EXPECT_TRUE(ca.get_statistics(server.prvkey).ok());
}

}  // namespace
