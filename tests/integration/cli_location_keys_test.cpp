// `colonies location add|ls|get|remove` and the `chid` commands (cli.md 3.2, 3.7-3.10) against
// a dev server: tables, --json, the confirmation prompt, and each key change taking effect (the
// old key refused by the next command, the new one accepted).
#include <gtest/gtest.h>

#include "cli_support.hpp"
#include "core/json.hpp"

namespace colonies::it::cli {
namespace {

RunResult run_with(const DevServer& dev, const std::string& var, const std::string& value,
                   const std::vector<std::string>& args, const std::string& stdin_text = "") {
    Env env = dev.env();
    env[var] = value;
    return cli::run(args, env, dev.dir(), stdin_text);
}

TEST(CliLocation, AddListGetRemove) {
    DevServer dev;
    auto none = dev.run({"location", "ls"});
    EXPECT_EQ(none.code, 0) << none.err;
    EXPECT_NE(none.err.find("No locations found"), std::string::npos);

    auto add = dev.run({"location", "add", "--name", "zurich", "--desc", "lake", "--long", "8.5417",
                        "--lat", "47.3769"});
    ASSERT_EQ(add.code, 0) << add.err;
    EXPECT_NE(add.err.find("Location added"), std::string::npos);
    EXPECT_EQ(field(add.err, " Name"), "zurich");  // not ColonyName=
    EXPECT_EQ(field(add.err, "Long"), "8.5417");
    EXPECT_EQ(field(add.err, "LocationID").size(), 64u);
    ASSERT_EQ(dev.run({"location", "add", "--name", "abisko", "--long", "-18.8"}).code, 0);

    auto dup = dev.run({"location", "add", "--name", "zurich"});
    EXPECT_EQ(dup.code, 255);
    EXPECT_NE(dup.err.find("A location with name zurich already exists in Colony with name dev"),
              std::string::npos)
        << dup.err;

    auto ls = dev.run({"location", "ls"});
    ASSERT_EQ(ls.code, 0) << ls.err;
    EXPECT_NE(ls.out.find("NAME"), std::string::npos);
    EXPECT_NE(ls.out.find("47.3769"), std::string::npos);  // 4 decimals
    EXPECT_NE(ls.out.find("-18.8000"), std::string::npos);
    EXPECT_LT(ls.out.find("zurich"), ls.out.find("abisko"));  // descending by name

    auto js = dev.run({"location", "ls", "--json"});
    ASSERT_EQ(js.code, 0) << js.err;
    auto arr = boost::json::parse(js.out).as_array();
    ASSERT_EQ(arr.size(), 2u);
    EXPECT_EQ(arr[0].as_object().at("colonyname"), "dev");

    auto get = dev.run({"location", "get", "--name", "zurich"});
    ASSERT_EQ(get.code, 0) << get.err;
    EXPECT_NE(get.out.find("47.376900"), std::string::npos);  // 6 decimals
    EXPECT_NE(get.out.find("Longitude"), std::string::npos);
    auto gjs = dev.run({"location", "get", "--name", "zurich", "--json"});
    ASSERT_EQ(gjs.code, 0) << gjs.err;
    EXPECT_EQ(boost::json::parse(gjs.out).as_object().at("description"), "lake");

    auto keep = dev.run({"location", "remove", "--name", "zurich"}, "no\n");
    EXPECT_EQ(keep.code, 0);
    EXPECT_NE(keep.out.find("Aborting ..."), std::string::npos);
    EXPECT_EQ(dev.run({"location", "get", "--name", "zurich"}).code, 0);
    auto rm = dev.run({"location", "remove", "--name", "zurich"}, "YES\n");
    ASSERT_EQ(rm.code, 0) << rm.err;
    EXPECT_NE(rm.out.find("remove location zurich in colony dev? (YES,no): "), std::string::npos);
    auto gone = dev.run({"location", "get", "--name", "zurich"});
    EXPECT_EQ(gone.code, 255);
    EXPECT_NE(gone.err.find("Failed to get location, location is nil"), std::string::npos);
}

// Each chid: bad length refused client-side; then the next command with the old key fails and
// with the new key works.
TEST(CliChid, EachKeyChangeTakesEffect) {
    DevServer dev;
    auto bad = dev.run({"executor", "chid", "--executorid", "abc"});
    EXPECT_EQ(bad.code, 255);
    EXPECT_NE(bad.err.find("Invalid executor Id length"), std::string::npos) << bad.err;

    auto gen = [&] {
        auto g = dev.run({"security", "generate"});
        EXPECT_EQ(g.code, 0);
        return std::make_pair(field(g.err, "Id"), field(g.err, "PrvKey"));
    };

    // Executor (COLONIES_PRVKEY).
    auto [eid, ekey] = gen();
    auto ch = dev.run({"executor", "chid", "--executorid", eid});
    ASSERT_EQ(ch.code, 0) << ch.err;
    EXPECT_NE(ch.err.find("Changed executor Id"), std::string::npos);
    EXPECT_EQ(field(ch.err, "ExecutorId"), eid);
    auto old_e = dev.run({"executor", "ls"});
    EXPECT_EQ(old_e.code, 255);
    EXPECT_NE(old_e.err.find("Access denied, not a member of Colony with name dev"),
              std::string::npos);
    EXPECT_EQ(run_with(dev, "COLONIES_PRVKEY", ekey, {"executor", "ls"}).code, 0);

    // Colony (COLONIES_COLONY_PRVKEY).
    auto [cid, ckey] = gen();
    ASSERT_EQ(dev.run({"colony", "chid", "--colonyid", cid}).code, 0);
    auto old_c = dev.run({"location", "add", "--name", "x"});
    EXPECT_EQ(old_c.code, 255);
    EXPECT_NE(old_c.err.find("Access denied, not colony owner"), std::string::npos);
    EXPECT_EQ(
        run_with(dev, "COLONIES_COLONY_PRVKEY", ckey, {"location", "add", "--name", "x"}).code, 0);

    // User (COLONIES_PRVKEY of a user).
    auto [uid, ukey] = gen();
    ASSERT_EQ(run_with(dev, "COLONIES_COLONY_PRVKEY", ckey,
                       {"user", "add", "--name", "alice", "--userid", uid})
                  .code,
              0);
    auto [uid2, ukey2] = gen();
    auto chu = run_with(dev, "COLONIES_PRVKEY", ukey, {"user", "chid", "--userid", uid2});
    ASSERT_EQ(chu.code, 0) << chu.err;
    EXPECT_NE(chu.err.find("Changed user Id"), std::string::npos);
    EXPECT_EQ(run_with(dev, "COLONIES_PRVKEY", ukey, {"user", "ls"}).code, 255);
    EXPECT_EQ(run_with(dev, "COLONIES_PRVKEY", ukey2, {"user", "ls"}).code, 0);

    // Server (COLONIES_SERVER_PRVKEY).
    auto [sid, skey] = gen();
    auto chs = dev.run({"server", "chid", "--serverid", sid});
    ASSERT_EQ(chs.code, 0) << chs.err;
    EXPECT_EQ(field(chs.err, "ServerId"), sid);
    auto old_s = dev.run({"colony", "ls"});
    EXPECT_EQ(old_s.code, 255);
    EXPECT_NE(old_s.err.find("Access denied, not server owner"), std::string::npos);
    EXPECT_EQ(run_with(dev, "COLONIES_SERVER_PRVKEY", skey, {"colony", "ls"}).code, 0);
}

}  // namespace
}  // namespace colonies::it::cli
