// Locations (features.md 7.1, protocol.md 5.14) through the SDK: who may add, list, get and
// remove them, upstream's errors and texts, names with ':' and removal with the colony.
#include <gtest/gtest.h>

#include "core/json.hpp"
#include "harness.hpp"

namespace colonies::it {
namespace {

namespace json = boost::json;

class Locations : public ::testing::Test {
  protected:
    void SetUp() override { Fixture::setup_dev(c); }

    void expect_error(const Status& s, int status, const std::string& message) {
        ASSERT_FALSE(s.ok()) << "accepted; expected " << message;
        EXPECT_EQ(s.error().status, status);
        EXPECT_EQ(s.error().message, message);
    }
    template <class T>
    void expect_error(const Result<T>& r, int status, const std::string& message) {
        ASSERT_FALSE(r.ok()) << "accepted; expected " << message;
        EXPECT_EQ(r.error().status, status);
        EXPECT_EQ(r.error().message, message);
    }

    ServerProcess server;
    client::Client c = server.make_client();
    const std::string& owner = DevIdentity::colony_prvkey;
    const std::string& member = DevIdentity::executor_prvkey;
};

TEST_F(Locations, AddListGetRemove) {
    const std::string id(64, 'a');
    auto added =
        c.add_location(Location{id, "zurich", "dev", "by the lake", 8.5417, 47.3769}, owner);
    ASSERT_TRUE(added.ok()) << added.error().message;
    EXPECT_EQ(added->locationid, id);  // the client's id is kept
    // The reply's JSON, key by key (features.md 7.1).
    auto raw = c.call("getlocationmsg", {{"colonyname", "dev"}, {"name", "zurich"}}, member);
    ASSERT_TRUE(raw.ok()) << raw.error().message;
    const auto& o = raw->as_object();
    EXPECT_EQ(o.size(), 6u);
    EXPECT_EQ(o.at("locationid"), json::value(id));
    EXPECT_EQ(o.at("name"), "zurich");
    EXPECT_EQ(o.at("colonyname"), "dev");
    EXPECT_EQ(o.at("description"), "by the lake");
    EXPECT_DOUBLE_EQ(o.at("long").to_number<double>(), 8.5417);
    EXPECT_DOUBLE_EQ(o.at("lat").to_number<double>(), 47.3769);

    ASSERT_TRUE(c.add_location(Location{"", "a:b", "dev", "", -1.5, 0}, owner).ok());
    auto all = c.get_locations("dev", member);
    ASSERT_TRUE(all.ok()) << all.error().message;
    ASSERT_EQ(all->size(), 2u);
    EXPECT_EQ((*all)[0].name, "a:b");
    EXPECT_EQ((*all)[0].locationid.size(), 64u);  // an empty id gets a random one
    EXPECT_EQ((*all)[0].longitude, -1.5);

    ASSERT_TRUE(c.remove_location("dev", "zurich", owner).ok());
    expect_error(c.get_location("dev", "zurich", member), 404,
                 "Failed to get location, location is nil");
    expect_error(c.remove_location("dev", "zurich", owner), 400,
                 "Location with name zurich not found");
    EXPECT_EQ(c.get_locations("dev", member)->size(), 1u);
}

TEST_F(Locations, UpstreamErrorsAndWhoMayDoWhat) {
    ASSERT_TRUE(c.add_location(Location{"", "lab", "dev", "", 0, 0}, owner).ok());
    expect_error(c.add_location(Location{"", "lab", "dev", "again", 0, 0}, owner), 400,
                 "A location with name lab already exists in Colony with name dev");
    EXPECT_EQ(c.get_location("dev", "lab", member)->description, "");  // unchanged
    expect_error(c.add_location(Location{"", "x", "nope", "", 0, 0}, owner), 400,
                 "Colony with name nope does not exists");
    expect_error(c.add_location(Location{"", "x", "dev", "", 0, 0}, member), 403,
                 "Access denied, not colony owner");
    expect_error(c.call("addlocationmsg", {{"location", nullptr}}, owner), 400,
                 "Failed to add location, location is nil");
    expect_error(c.remove_location("dev", "lab", member), 403, "Access denied, not colony owner");
    expect_error(c.get_locations("nope", member), 400, "Colony with name nope does not exists");

    // Members in any state may read (approval not required); the owner alone may not.
    auto pending = Identity::fresh();
    Executor e;
    e.executorid = pending.id;
    e.executortype = "cli";
    e.executorname = "pending";
    e.colonyname = "dev";
    ASSERT_TRUE(c.add_executor(e, owner).ok());
    EXPECT_TRUE(c.get_locations("dev", pending.prvkey).ok());
    EXPECT_TRUE(c.get_location("dev", "lab", pending.prvkey).ok());
    expect_error(c.get_locations("dev", owner), 403,
                 "Access denied, not a member of Colony with name dev");
    expect_error(c.get_location("dev", "lab", Identity::fresh().prvkey), 403,
                 "Access denied, not a member of Colony with name dev");
    EXPECT_TRUE(c.get_location("dev", "lab", member).ok());
}

// An executor names its location (locationname); processes with conditions.locationname go only
// to executors there. Removing the colony removes its locations.
TEST_F(Locations, ExecutorsNameTheirLocationAndTheColonyTakesItsLocationsAlong) {
    ASSERT_TRUE(c.add_location(Location{"", "north", "dev", "", 0, 0}, owner).ok());
    auto k = Identity::fresh();
    Executor e;
    e.executorid = k.id;
    e.executortype = "edge";
    e.executorname = "edge1";
    e.colonyname = "dev";
    e.locationname = "north";
    ASSERT_TRUE(c.add_executor(e, owner).ok());
    ASSERT_TRUE(c.approve_executor("dev", "edge1", owner).ok());
    EXPECT_EQ(c.get_executor("dev", "edge1", member)->locationname, "north");
    auto spec = Fixture::simple_spec("dev", "edge", "f");
    spec.conditions.locationname = "south";
    ASSERT_TRUE(c.submit(spec, member).ok());
    EXPECT_FALSE(c.assign("dev", -1, k.prvkey).ok());  // not for this location
    spec.conditions.locationname = "north";
    auto p = c.submit(spec, member);
    ASSERT_TRUE(p.ok());
    auto got = c.assign("dev", 5, k.prvkey);
    ASSERT_TRUE(got.ok()) << got.error().message;
    EXPECT_EQ(got->processid, p->processid);

    ASSERT_TRUE(c.remove_colony("dev", DevIdentity::server_prvkey).ok());
    Fixture::setup_dev(c);
    auto after = c.get_locations("dev", member);
    ASSERT_TRUE(after.ok()) << after.error().message;
    EXPECT_TRUE(after->empty());
}

}  // namespace
}  // namespace colonies::it
