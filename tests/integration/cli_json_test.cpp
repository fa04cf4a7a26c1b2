// `--json` output of the read commands parses and equals the SDK's view of the same objects;
// along the way a person acts as an executor by hand (process assign, attribute add, log add,
// process close) with the dev identity.
#include <gtest/gtest.h>

#include "cli_support.hpp"
#include "core/json.hpp"
#include "crypto/crypto.hpp"

namespace colonies::it::cli {
namespace {

boost::json::value parse(const RunResult& r) {
    EXPECT_EQ(r.code, 0) << r.err;
    boost::system::error_code ec;
    auto v = boost::json::parse(r.out, ec);
    EXPECT_FALSE(ec) << "not JSON: " << r.out;
    return v;
}

// lastheardfromtime moves with every call an executor makes, so it is not compared.
boost::json::value without_heartbeat(boost::json::value v) {
    if (v.is_array())
        for (auto& x : v.get_array()) x = without_heartbeat(x);
    if (v.is_object()) v.get_object().erase("lastheardfromtime");
    return v;
}

template <class T>
T ok(Result<T> r) {
    EXPECT_TRUE(r.ok()) << r.error().message;
    return std::move(r).value();
}

TEST(CliJson, ReadCommandsMatchTheSdk) {
    DevServer dev;
    auto c = dev.client();
    const std::string k1 = dev.env().at("COLONIES_SERVER_PRVKEY");
    const std::string k3 = dev.env().at("COLONIES_PRVKEY");

    EXPECT_EQ(parse(dev.run({"colony", "ls", "--json"})), to_json(ok(c.get_colonies(k1))));
    EXPECT_EQ(parse(dev.run({"colony", "get", "--json"})), to_json(ok(c.get_colony("dev", k3))));
    auto stats = parse(dev.run({"colony", "stats", "--json"}));
    EXPECT_EQ(stats.at("executors").as_int64(), 1);

    const Identity alice = Identity::fresh();
    auto added = dev.run(
        {"user", "add", "--name", "alice", "--userid", alice.id, "--email", "a@example.com"});
    ASSERT_EQ(added.code, 0) << added.err;
    EXPECT_EQ(parse(dev.run({"user", "ls", "--json"})), to_json(ok(c.get_users("dev", k3))));
    EXPECT_EQ(parse(dev.run({"user", "get", "--name", "alice", "--json"})),
              to_json(ok(c.get_user("dev", "alice", k3))));

    EXPECT_EQ(without_heartbeat(parse(dev.run({"executor", "ls", "--json"}))),
              without_heartbeat(to_json(ok(c.get_executors("dev", k3)))));
    EXPECT_EQ(
        without_heartbeat(parse(dev.run({"executor", "get", "--name", "myexecutor", "--json"}))),
        without_heartbeat(to_json(ok(c.get_executor("dev", "myexecutor", k3)))));

    write_file(dev.dir() + "/s.json",
               R"({"conditions": {"executortype": "cli"}, "funcname": "work", "args": ["x", 1],
                   "env": {"A": "b"}, "label": "json"})");
    auto submitted =
        parse(dev.run({"function", "submit", "--spec", dev.dir() + "/s.json", "--json"}));
    const std::string id(submitted.at("processid").as_string());
    EXPECT_EQ(parse(dev.run({"process", "get", "-p", id, "--json"})),
              to_json(ok(c.get_process(id, k3))));
    EXPECT_EQ(parse(dev.run({"process", "psw", "--json"})),
              to_json(ok(c.get_processes("dev", ProcessState::Waiting, 20, k3))));

    // By hand, as the approved dev executor.
    auto assigned = parse(dev.run({"process", "assign", "--timeout", "5", "--json"}));
    EXPECT_EQ(assigned.at("processid").as_string(), id);
    EXPECT_EQ(assigned.at("state").as_int64(), 1);
    EXPECT_EQ(parse(dev.run({"process", "ps", "--json"})),
              to_json(ok(c.get_processes("dev", ProcessState::Running, 20, k3))));
    auto attr =
        parse(dev.run({"attribute", "add", "--key", "k", "--value", "v", "-p", id, "--json"}));
    const std::string attr_id(attr.at("attributeid").as_string());
    EXPECT_EQ(parse(dev.run({"attribute", "get", "--attributeid", attr_id, "--json"})),
              to_json(ok(c.get_attribute(attr_id, k3))));
    ASSERT_EQ(dev.run({"log", "add", "-p", id, "-m", "hello log"}).code, 0);
    EXPECT_EQ(parse(dev.run({"log", "get", "-p", id, "--json"})),
              to_json(ok(c.get_logs("dev", id, 20, 0, k3))));
    auto closed = dev.run({"process", "close", "-p", id, "--out", "r1,r2"});
    ASSERT_EQ(closed.code, 0) << closed.err;
    auto done = parse(dev.run({"process", "get", "-p", id, "--json"}));
    EXPECT_EQ(done.at("state").as_int64(), 2);
    EXPECT_EQ(done.at("out"), (boost::json::array{"r1", "r2"}));
    EXPECT_EQ(parse(dev.run({"process", "pss", "--json"})),
              to_json(ok(c.get_processes("dev", ProcessState::Success, 20, k3))));

    auto status = parse(dev.run({"server", "status", "--json"}));
    EXPECT_FALSE(status.at("buildversion").as_string().empty());
    auto key = parse(dev.run({"security", "generate", "--json"}));
    EXPECT_EQ(ok(crypto::id_from_private_key(std::string(key.at("prvkey").as_string()))),
              key.at("id").as_string());
}

TEST(CliJson, SecurityCommandsPrintParsableTokens) {
    const std::string dir = make_temp_dir();
    auto gen = run({"security", "generate"}, {}, dir);
    ASSERT_EQ(gen.code, 0) << gen.err;
    const std::string prv = field(gen.err, "PrvKey"), id = field(gen.err, "Id");
    ASSERT_EQ(prv.size(), 64u) << gen.err;
    auto idr = run({"security", "id", "--prvkey", prv}, {}, dir);
    EXPECT_EQ(field(idr.err, "Id"), id) << idr.err;
    std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace colonies::it::cli
