// The OS executor (`colonies executor os start`, cli.md 5.2) against a dev server: failures
// keep the exit status, maxexectime kills the command and the server retries it, SIGTERM fails
// the running process instead of leaving it RUNNING, the child sees its environment, and
// --parallel runs processes side by side.
#include <gtest/gtest.h>

#include "cli_support.hpp"

namespace colonies::it::cli {
namespace {

class CliExecutor : public ::testing::Test {
  protected:
    void SetUp() override { key_ = dev_.env().at("COLONIES_PRVKEY"); }

    std::unique_ptr<Child> start_executor(const std::string& name,
                                          std::vector<std::string> extra = {}) {
        std::vector<std::string> args{"executor",       "os",  "start",     "--name", name,
                                      "--executortype", "cli", "--timeout", "5"};
        args.insert(args.end(), extra.begin(), extra.end());
        auto c = std::make_unique<Child>(args, dev_.env(), dev_.dir(), name);
        EXPECT_TRUE(wait_err(*c, "OS executor started", 10s)) << c->err();
        return c;
    }

    static bool wait_err(Child& c, const std::string& text, std::chrono::milliseconds limit) {
        const auto deadline = std::chrono::steady_clock::now() + limit;
        while (std::chrono::steady_clock::now() < deadline) {
            if (c.err().find(text) != std::string::npos) return true;
            std::this_thread::sleep_for(50ms);
        }
        return false;
    }

    Process submit(const std::string& funcname, int64_t maxexectime = -1, int64_t maxretries = -1,
                   std::map<std::string, std::string> env = {}) {
        FunctionSpec s = Fixture::simple_spec("dev", "cli", funcname);
        s.maxexectime = maxexectime;
        s.maxretries = maxretries;
        s.env = std::move(env);
        auto p = client_.submit(s, key_);
        EXPECT_TRUE(p.ok()) << p.error().message;
        return p.value();
    }

    // Polls the process until `done` holds (or the limit passes) and returns its last view.
    template <class Pred>
    Process wait_process(const std::string& id, Pred done, std::chrono::milliseconds limit) {
        const auto deadline = std::chrono::steady_clock::now() + limit;
        Process p;
        while (std::chrono::steady_clock::now() < deadline) {
            auto r = client_.get_process(id, key_);
            if (r) {
                p = r.value();
                if (done(p)) return p;
            }
            std::this_thread::sleep_for(100ms);
        }
        ADD_FAILURE() << "process " << id << " still in state " << static_cast<int>(p.state);
        return p;
    }

    static bool ended(const Process& p) {
        return p.state == ProcessState::Success || p.state == ProcessState::Failed;
    }

    DevServer dev_;
    client::Client client_ = dev_.client();
    std::string key_;
};

TEST_F(CliExecutor, FailingCommandClosesFailedWithItsExitStatus) {
    auto ex = start_executor("failer");
    auto p = submit("echo about to fail; exit 3");
    auto done = wait_process(p.processid, ended, 10s);
    ASSERT_EQ(done.state, ProcessState::Failed);
    ASSERT_GE(done.errors.size(), 2u);
    EXPECT_EQ(done.errors[0], "exit status 3");
    EXPECT_EQ(done.errors[1], "about to fail");
}

TEST_F(CliExecutor, ChildGetsSpecEnvAndProcessIdButNoOwnerKeys) {
    auto ex = start_executor("envcheck");
    auto p = submit(
        R"(echo "$COLONIES_PROCESS_ID $GREETING k=$COLONIES_COLONY_PRVKEY$COLONIES_SERVER_PRVKEY")",
        -1, -1, {{"GREETING", "hi"}});
    auto done = wait_process(p.processid, ended, 10s);
    ASSERT_EQ(done.state, ProcessState::Success) << (done.errors.empty() ? "" : done.errors[0]);
    ASSERT_EQ(done.out.size(), 1u);
    EXPECT_EQ(done.out[0].as_string(), p.processid + " hi k=");
}

TEST_F(CliExecutor, CommandPastMaxExecTimeIsKilledAndRetried) {
    auto ex = start_executor("slowpoke");
    const auto start = std::chrono::steady_clock::now();
    auto p = submit("sleep 30", /*maxexectime=*/2, /*maxretries=*/1);
    // Killed at 2 s, requeued by the server's sweep, run again, killed again, then failed.
    auto done = wait_process(p.processid, ended, 20s);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 20s);
    ASSERT_EQ(done.state, ProcessState::Failed);
    EXPECT_EQ(done.retries, 1);
    ASSERT_FALSE(done.errors.empty());
    EXPECT_EQ(done.errors[0], "Maximum execution time limit exceeded");
    auto err = ex->err();
    size_t kills = 0;
    for (size_t pos = 0; (pos = err.find("exceeded its maxexectime", pos)) != std::string::npos;
         ++pos)
        ++kills;
    EXPECT_GE(kills, 1u) << err;
}

TEST_F(CliExecutor, SigtermFailsTheRunningProcessAndUnregisters) {
    auto ex = start_executor("quitter");
    auto p = submit("echo started; sleep 30");
    wait_process(
        p.processid, [](const Process& x) { return x.state == ProcessState::Running; }, 10s);
    ASSERT_TRUE(ex->wait_for_output("started", 5s));
    ex->signal(SIGTERM);
    EXPECT_EQ(ex->wait(10s), 0) << ex->err();
    auto done = client_.get_process(p.processid, key_);
    ASSERT_TRUE(done.ok());
    EXPECT_EQ(done->state, ProcessState::Failed);
    ASSERT_FALSE(done->errors.empty());
    EXPECT_EQ(done->errors[0], "SIGTERM");
    auto e = client_.get_executor("dev", "quitter", key_);
    ASSERT_TRUE(e.ok());
    EXPECT_EQ(e->state, ExecutorState::Unregistered);

    // Restarting under the same name works (the old registration is replaced).
    auto again = start_executor("quitter");
    auto q = submit("echo back");
    EXPECT_EQ(wait_process(q.processid, ended, 10s).state, ProcessState::Success);
}

TEST_F(CliExecutor, ParallelRunsProcessesSideBySide) {
    auto ex = start_executor("wide", {"--parallel", "2"});
    auto a = submit("sleep 3");
    auto b = submit("sleep 3");
    auto running = [](const Process& x) { return x.state != ProcessState::Waiting; };
    wait_process(a.processid, running, 5s);
    auto pb = wait_process(b.processid, running, 5s);
    auto pa = client_.get_process(a.processid, key_);
    ASSERT_TRUE(pa.ok());
    EXPECT_EQ(pa->state, ProcessState::Running);
    EXPECT_EQ(pb.state, ProcessState::Running);
    EXPECT_EQ(wait_process(a.processid, ended, 10s).state, ProcessState::Success);
    EXPECT_EQ(wait_process(b.processid, ended, 10s).state, ProcessState::Success);
}

}  // namespace
}  // namespace colonies::it::cli
