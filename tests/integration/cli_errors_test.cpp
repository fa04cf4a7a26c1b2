// Bad use of the CLI ends with one "Error: ..." line on stderr and a non-zero exit status
// (cli.md 6.4): usage errors 1, handled errors 255.
#include <gtest/gtest.h>

#include "cli_support.hpp"

namespace colonies::it::cli {
namespace {

class CliErrors : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = make_temp_dir();
        // A port nobody listens on: "server down".
        env_ = {{"COLONIES_SERVER_HOST", "127.0.0.1"},
                {"COLONIES_SERVER_PORT", std::to_string(pick_free_port())},
                {"COLONIES_TLS", "false"},
                {"COLONIES_COLONY_NAME", "dev"},
                {"COLONIES_PRVKEY", DevIdentity::executor_prvkey}};
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    // Runs and checks the one-line error; returns stderr.
    std::string expect_error(const std::vector<std::string>& args, int code) {
        auto r = run(args, env_, dir_, "", 15s);
        EXPECT_EQ(r.code, code) << r.err;
        EXPECT_EQ(count_lines(r.err), 1) << r.err;
        EXPECT_EQ(r.err.rfind("Error: ", 0), 0u) << r.err;
        EXPECT_EQ(r.out, "");
        return r.err;
    }

    std::string dir_;
    Env env_;
};

TEST_F(CliErrors, UnknownCommand) {
    EXPECT_NE(expect_error({"frobnicate"}, 1).find("unknown command \"frobnicate\""),
              std::string::npos);
    EXPECT_NE(expect_error({"process", "frobnicate"}, 1).find("colonies process"),
              std::string::npos);
    EXPECT_NE(expect_error({"process", "ps", "--frobnicate"}, 1).find("--frobnicate"),
              std::string::npos);
}

TEST_F(CliErrors, MissingRequiredFlag) {
    EXPECT_NE(expect_error({"function", "submit"}, 1).find("--spec"), std::string::npos);
    EXPECT_NE(expect_error({"process", "get"}, 1).find("--processid"), std::string::npos);
}

TEST_F(CliErrors, UnreadableOrInvalidSpec) {
    EXPECT_NE(expect_error({"function", "submit", "--spec", dir_ + "/missing.json"}, 255)
                  .find("cannot read"),
              std::string::npos);
    write_file(dir_ + "/broken.json", "{\n  \"funcname\": \"x\",\n  \"args\": [1,,2]\n}\n");
    EXPECT_NE(expect_error({"function", "submit", "--spec", dir_ + "/broken.json"}, 255)
                  .find("broken.json:3:"),
              std::string::npos);
    write_file(dir_ + "/typed.json", R"({"funcname": 5})");
    EXPECT_NE(
        expect_error({"function", "submit", "--spec", dir_ + "/typed.json"}, 255).find("funcname"),
        std::string::npos);
    write_file(dir_ + "/workflow.json", R"([{"funcname": "a"}])");
    EXPECT_NE(expect_error({"function", "submit", "--spec", dir_ + "/workflow.json"}, 255)
                  .find("workflow"),
              std::string::npos);
}

TEST_F(CliErrors, ServerDown) {
    EXPECT_NE(expect_error({"process", "ps"}, 255).find("cannot reach server"), std::string::npos);
    write_file(dir_ + "/ok.json", R"({"conditions": {"executortype": "cli"}, "funcname": "x"})");
    expect_error({"function", "submit", "--spec", dir_ + "/ok.json"}, 255);
    expect_error({"server", "status"}, 255);
}

TEST_F(CliErrors, MissingSettings) {
    env_.erase("COLONIES_PRVKEY");
    EXPECT_NE(expect_error({"process", "ps"}, 1).find("COLONIES_PRVKEY"), std::string::npos);
    env_.erase("COLONIES_SERVER_PORT");
    EXPECT_NE(expect_error({"process", "ps"}, 1).find("COLONIES_SERVER_PORT"), std::string::npos);
    EXPECT_NE(expect_error({"executor", "os", "start", "--name", "x"}, 1).find("Executor type"),
              std::string::npos);
    // server start: TLS mode without certificate files (after its "TLS mode enabled" log line).
    env_["COLONIES_TLS"] = "true";
    auto tls = run({"server", "start", "--port", "1", "--tlscert", dir_ + "/no.crt", "--tlskey",
                    dir_ + "/no.key"},
                   env_, dir_);
    EXPECT_EQ(tls.code, 1);
    EXPECT_NE(tls.err.find("Error: Failed to load TLS Key: " + dir_ + "/no.key\n"),
              std::string::npos)
        << tls.err;
}

TEST_F(CliErrors, ServerErrorsKeepTheServerMessage) {
    DevServer dev;
    auto r = dev.run({"process", "get", "-p", std::string(64, 'a')});
    EXPECT_EQ(r.code, 255);
    EXPECT_EQ(count_lines(r.err), 1) << r.err;
    EXPECT_NE(r.err.find("process not found"), std::string::npos) << r.err;
    // The colony owner key is not a member: the server's access message comes through.
    Env env = dev.env();
    env["COLONIES_PRVKEY"] = env.at("COLONIES_COLONY_PRVKEY");
    auto denied = run({"process", "ps"}, env, dev.dir());
    EXPECT_EQ(denied.code, 255);
    EXPECT_NE(denied.err.find("Access denied"), std::string::npos) << denied.err;
}

}  // namespace
}  // namespace colonies::it::cli
