// The getting-started walk (docs/getting-started.md) through the real binary: `colonies dev`,
// the printed exports, `function submit`, `executor os start`, `process pss/get`; plus data that
// survives a dev restart, and `function submit --follow`.
#include <gtest/gtest.h>

#include "cli_support.hpp"

namespace colonies::it::cli {
namespace {

TEST(CliWalk, SayHelloAsANewUserRunsIt) {
    DevServer dev;
    const Env& env = dev.env();
    ASSERT_EQ(env.at("COLONIES_COLONY_NAME"), "dev");
    ASSERT_EQ(env.at("COLONIES_TLS"), "false");
    ASSERT_EQ(env.at("COLONIES_SERVER_PORT"), std::to_string(dev.port()));

    write_file(dev.dir() + "/sayhello.json",
               R"({"conditions": {"executortype": "cli"}, "funcname": "echo sayhello"})");
    auto submit = dev.run({"function", "submit", "--spec", dev.dir() + "/sayhello.json"});
    ASSERT_EQ(submit.code, 0) << submit.err;
    const std::string id = field(submit.err, "ProcessId");
    ASSERT_EQ(id.size(), 64u) << submit.err;

    Child executor({"executor", "os", "start", "--name", "testexecutor", "--executortype", "cli"},
                   env, dev.dir(), "executor");
    ASSERT_TRUE(executor.wait_for_output("sayhello", 10s)) << executor.err();

    // Closed right after the output: poll until the listing shows it.
    RunResult pss;
    for (int i = 0; i < 50; ++i) {
        pss = dev.run({"process", "pss", "-i"});  // whole ids
        if (pss.out.find(id) != std::string::npos) break;
        std::this_thread::sleep_for(100ms);
    }
    ASSERT_EQ(pss.code, 0) << pss.err;
    EXPECT_NE(pss.out.find(id), std::string::npos) << pss.out;
    EXPECT_NE(pss.out.find("echo sayhello"), std::string::npos);
    EXPECT_NE(pss.out.find("testexecutor"), std::string::npos);

    auto get = dev.run({"process", "get", "-p", id});
    ASSERT_EQ(get.code, 0) << get.err;
    EXPECT_NE(get.out.find("Successful"), std::string::npos) << get.out;
    EXPECT_NE(get.out.find("sayhello"), std::string::npos);
    auto out = dev.run({"process", "get", "-p", id, "--out"});
    EXPECT_EQ(out.out, "sayhello\n");
    auto logs = dev.run({"log", "get", "-p", id});
    EXPECT_EQ(logs.out, "sayhello\n") << logs.err;

    // Ctrl-C/SIGTERM: the executor unregisters itself and exits cleanly.
    executor.signal(SIGTERM);
    EXPECT_EQ(executor.wait(10s), 0) << executor.err();
    auto ls = dev.run({"executor", "ls", "--all"});
    EXPECT_NE(ls.out.find("Unregistered"), std::string::npos) << ls.out;

    EXPECT_EQ(dev.stop(), 0);
}

TEST(CliWalk, DevDataSurvivesARestartUnlessFresh) {
    DevServer dev;
    write_file(dev.dir() + "/s.json",
               R"({"conditions": {"executortype": "cli"}, "funcname": "true"})");
    auto submit = dev.run({"function", "submit", "--spec", dev.dir() + "/s.json"});
    ASSERT_EQ(submit.code, 0) << submit.err;
    const std::string id = field(submit.err, "ProcessId");

    ASSERT_EQ(dev.stop(), 0);
    dev.start();
    auto psw = dev.run({"process", "psw", "-i"});
    EXPECT_NE(psw.out.find(id), std::string::npos) << psw.out << psw.err;

    ASSERT_EQ(dev.stop(), 0);
    dev.start({"--fresh"});
    psw = dev.run({"process", "psw", "-i"});
    EXPECT_EQ(psw.code, 0) << psw.err;
    EXPECT_EQ(psw.out.find(id), std::string::npos) << psw.out;
    EXPECT_NE(psw.err.find("No waiting processes found"), std::string::npos) << psw.err;
}

TEST(CliWalk, SubmitFollowStreamsLogsUntilTheEnd) {
    DevServer dev;
    Child executor({"executor", "os", "start", "--name", "follower", "--executortype", "cli"},
                   dev.env(), dev.dir(), "executor");
    write_file(
        dev.dir() + "/ok.json",
        R"({"conditions": {"executortype": "cli"}, "funcname": "echo first; sleep 1; echo second"})");
    auto ok = dev.run({"function", "submit", "--spec", dev.dir() + "/ok.json", "--follow"});
    EXPECT_EQ(ok.code, 0) << ok.err;
    EXPECT_EQ(ok.out, "first\nsecond\n");
    EXPECT_NE(ok.err.find("Process finished successfully"), std::string::npos);

    write_file(dev.dir() + "/bad.json",
               R"({"conditions": {"executortype": "cli"}, "funcname": "echo trying; exit 4"})");
    auto bad = dev.run({"function", "submit", "--spec", dev.dir() + "/bad.json", "--follow"});
    EXPECT_EQ(bad.code, 255);
    EXPECT_EQ(bad.out, "trying\n");
    EXPECT_NE(bad.err.find("Error: Process failed"), std::string::npos) << bad.err;
    EXPECT_NE(bad.err.find("exit status 4"), std::string::npos) << bad.err;

    auto waited = dev.run({"function", "exec", "--func", "echo", "--args", "a,b", "--targettype",
                           "cli", "--wait", "--out"});
    EXPECT_EQ(waited.code, 0) << waited.err;
    EXPECT_EQ(waited.out, "a b\n");
}

}  // namespace
}  // namespace colonies::it::cli
