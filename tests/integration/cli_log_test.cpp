// `colonies log search` and `colonies log get --follow` through the real binary, with a person
// acting as the executor by hand (process assign, log add, process close) with the dev identity.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <set>
#include <string>

#include "cli_support.hpp"

namespace colonies::it::cli {
namespace {

const char* kSpec = R"({"conditions": {"executortype": "cli"}, "funcname": "work"})";

// Submits a process and returns its id.
std::string submit(const DevServer& dev) {
    write_file(dev.dir() + "/s.json", kSpec);
    auto r = dev.run({"function", "submit", "--spec", dev.dir() + "/s.json"});
    EXPECT_EQ(r.code, 0) << r.err;
    return field(r.err, "ProcessId");
}

// Submits a process and takes it as the dev executor: it is RUNNING and ours to log to.
std::string submit_and_assign(const DevServer& dev) {
    const std::string id = submit(dev);
    auto assigned = dev.run({"process", "assign", "--timeout", "5"});
    EXPECT_EQ(assigned.code, 0) << assigned.err;
    return id;
}

void add_log(const DevServer& dev, const std::string& id, const std::string& msg) {
    auto r = dev.run({"log", "add", "-p", id, "-m", msg});
    ASSERT_EQ(r.code, 0) << r.err;
}

TEST(CliLog, SearchFindsEntriesByText) {
    DevServer dev;
    const std::string a = submit_and_assign(dev);
    add_log(dev, a, "disk is full on node7");
    add_log(dev, a, "retrying");
    ASSERT_EQ(dev.run({"process", "close", "-p", a}).code, 0);
    const std::string b = submit_and_assign(dev);
    add_log(dev, b, "all good");

    auto hits = dev.run({"log", "search", "--text", "disk"});
    EXPECT_EQ(hits.code, 0) << hits.err;
    EXPECT_NE(hits.err.find("Searching for logs"), std::string::npos) << hits.err;
    EXPECT_NE(hits.out.find("disk is full on node7"), std::string::npos) << hits.out;
    EXPECT_NE(hits.out.find(a), std::string::npos) << hits.out;
    EXPECT_NE(hits.out.find("myexecutor"), std::string::npos) << hits.out;
    EXPECT_EQ(hits.out.find("retrying"), std::string::npos) << hits.out;
    EXPECT_EQ(hits.out.find(b), std::string::npos) << hits.out;

    // --json: the entries themselves.
    auto json = dev.run({"log", "search", "-t", "o", "-d", "2", "--count", "5", "--json"});
    ASSERT_EQ(json.code, 0) << json.err;
    auto v = boost::json::parse(json.out);
    ASSERT_TRUE(v.is_array()) << json.out;
    std::set<std::string> messages;
    for (const auto& e : v.get_array()) messages.insert(std::string(e.at("message").as_string()));
    EXPECT_EQ(messages, (std::set<std::string>{"disk is full on node7\n", "all good\n"}));

    // --print: each hit with its process's logs.
    auto printed = dev.run({"log", "search", "--text", "node7", "--print"});
    ASSERT_EQ(printed.code, 0) << printed.err;
    EXPECT_NE(printed.out.find("ProcessID: " + a +
                               "\nExecutorName: myexecutor\n"
                               "=================== LOGS ====================\n"
                               "disk is full on node7\nretrying\n"
                               "================= END LOGS ==================\n\n"),
              std::string::npos)
        << printed.out;

    // Case-sensitive; nothing found is no error.
    auto none = dev.run({"log", "search", "--text", "DISK"});
    EXPECT_EQ(none.code, 0) << none.err;
    EXPECT_EQ(none.out, "");
    EXPECT_NE(none.err.find("No logs found"), std::string::npos) << none.err;

    auto missing = dev.run({"log", "search"});
    EXPECT_EQ(missing.code, 1);
    EXPECT_NE(missing.err.find("--text"), std::string::npos) << missing.err;
    auto too_many = dev.run({"log", "search", "--text", "disk", "--count", "101"});
    EXPECT_EQ(too_many.code, 255);
    EXPECT_NE(too_many.err.find("Error: Count exceeds max log count (100)"), std::string::npos)
        << too_many.err;
}

TEST(CliLog, GetFollowEndsWhenTheProcessEnds) {
    DevServer dev;
    const std::string id = submit_and_assign(dev);
    add_log(dev, id, "first");
    Child follow({"log", "get", "-p", id, "--follow"}, dev.env(), dev.dir(), "follow");
    ASSERT_TRUE(follow.wait_for_output("first\n", 20s)) << follow.err();
    add_log(dev, id, "second");
    ASSERT_TRUE(follow.wait_for_output("second\n", 20s)) << follow.err();
    EXPECT_TRUE(follow.running());  // still following: the process runs
    add_log(dev, id, "last words");
    ASSERT_EQ(dev.run({"process", "close", "-p", id}).code, 0);
    EXPECT_EQ(follow.wait(20s), 0) << follow.err();
    EXPECT_EQ(follow.out(), "first\nsecond\nlast words\n");
}

TEST(CliLog, GetFollowEndsWhenTheProcessIsCancelled) {
    DevServer dev;
    const std::string id = submit(dev);  // never assigned: it has no logs
    Child follow({"log", "get", "-p", id, "--follow"}, dev.env(), dev.dir(), "follow");
    auto cancelled = dev.run({"process", "cancel", "-p", id});
    ASSERT_EQ(cancelled.code, 0) << cancelled.err;
    // Upstream follows a cancelled process forever (cli.md 7.13); we stop.
    EXPECT_EQ(follow.wait(20s), 0) << follow.err();
    EXPECT_EQ(follow.out(), "");
}

}  // namespace
}  // namespace colonies::it::cli
