// The process loop against a real server on SQLite: submit, long-poll assign, close, read back;
// races, deadlines and retries (protocol.md 6.1-6.6).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>

#include "harness.hpp"

namespace colonies::it {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// A server with colony `dev` (K2) and the approved executor K3 of type `cli`.
class Lifecycle : public ::testing::Test {
  protected:
    void SetUp() override {
        client_ = std::make_unique<client::Client>(server_.make_client());
        Fixture::setup_colony(*client_, "dev", DevIdentity::colony_prvkey,
                              DevIdentity::server_prvkey);
        Fixture::add_approved_executor(*client_, "dev", "exec1", "cli",
                                       DevIdentity::executor_prvkey, DevIdentity::colony_prvkey);
    }
    // Another approved executor with a fresh key.
    Identity add_executor(const std::string& name, const std::string& type = "cli") {
        auto id = Identity::fresh();
        Fixture::add_approved_executor(*client_, "dev", name, type, id.prvkey,
                                       DevIdentity::colony_prvkey);
        return id;
    }
    Process submit(FunctionSpec spec) {
        auto p = client_->submit(spec, DevIdentity::executor_prvkey);
        EXPECT_TRUE(p.ok()) << p.error().message;
        return p.ok() ? p.value() : Process{};
    }
    Process get(const std::string& id) {
        auto p = client_->get_process(id, DevIdentity::executor_prvkey);
        EXPECT_TRUE(p.ok()) << p.error().message;
        return p.ok() ? p.value() : Process{};
    }
    // Polls until the process reaches `state` (bounded by `limit`).
    bool wait_for_state(const std::string& id, ProcessState state, std::chrono::seconds limit) {
        auto end = Clock::now() + limit;
        while (Clock::now() < end) {
            if (get(id).state == state) return true;
            std::this_thread::sleep_for(100ms);
        }
        return false;
    }
    FunctionSpec spec(const std::string& fn = "echo") {
        return Fixture::simple_spec("dev", "cli", fn);
    }

    ServerProcess server_;
    std::unique_ptr<client::Client> client_;
};

TEST_F(Lifecycle, SubmitAssignCloseAndReadBack) {
    auto s = spec("echo");
    s.args = boost::json::array{"hi", 1};
    s.env = {{"GREETING", "hello"}};
    auto submitted = submit(s);
    EXPECT_EQ(submitted.state, ProcessState::Waiting);
    EXPECT_EQ(submitted.initiatorid, DevIdentity::executor_id);
    EXPECT_EQ(submitted.initiatorname, "exec1");
    EXPECT_EQ(submitted.processid.size(), 64u);
    ASSERT_EQ(submitted.attributes.size(), 1u);  // the ENV attribute
    EXPECT_EQ(submitted.attributes[0].key, "GREETING");

    auto assigned = client_->assign("dev", 5, DevIdentity::executor_prvkey);
    ASSERT_TRUE(assigned.ok()) << assigned.error().message;
    EXPECT_EQ(assigned->processid, submitted.processid);
    EXPECT_EQ(assigned->state, ProcessState::Running);
    EXPECT_TRUE(assigned->isassigned);
    EXPECT_EQ(assigned->assignedexecutorid, DevIdentity::executor_id);

    ASSERT_TRUE(client_->close_successful(submitted.processid, boost::json::array{"hi"},
                                          DevIdentity::executor_prvkey));
    auto done = get(submitted.processid);
    EXPECT_EQ(done.state, ProcessState::Success);
    EXPECT_EQ(done.out, (boost::json::array{"hi"}));
    EXPECT_EQ(done.spec.args, (boost::json::array{"hi", 1}));
    EXPECT_FALSE(done.endtime.is_zero());

    auto listed =
        client_->get_processes("dev", ProcessState::Success, 10, DevIdentity::executor_prvkey);
    ASSERT_TRUE(listed.ok());
    ASSERT_EQ(listed->size(), 1u);
    EXPECT_EQ((*listed)[0].processid, submitted.processid);

    // A second close of a successful process by another executor is refused.
    auto other = add_executor("exec2");
    auto again = client_->close_successful(submitted.processid, {}, other.prvkey);
    EXPECT_FALSE(again.ok());
    EXPECT_EQ(again.error().status, 403);
}

TEST_F(Lifecycle, ColonyOwnerIsNotAMember) {
    auto r = client_->submit(spec(), DevIdentity::colony_prvkey);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().status, 403);
    EXPECT_EQ(r.error().message, "Access denied, not a member of Colony with name dev");
}

TEST_F(Lifecycle, CloseFailedKeepsErrorsAndPriorityOrdersAssignment) {
    auto low = submit(spec("low"));
    auto s = spec("high");
    s.priority = 5;
    auto high = submit(s);
    EXPECT_LT(high.prioritytime, low.prioritytime);

    auto first = client_->assign("dev", 5, DevIdentity::executor_prvkey);
    ASSERT_TRUE(first.ok());
    EXPECT_EQ(first->processid, high.processid);
    ASSERT_TRUE(client_->close_failed(first->processid, {"boom"}, DevIdentity::executor_prvkey));
    auto failed = get(high.processid);
    EXPECT_EQ(failed.state, ProcessState::Failed);
    EXPECT_EQ(failed.errors, (std::vector<std::string>{"boom"}));

    auto second = client_->assign("dev", 5, DevIdentity::executor_prvkey);
    ASSERT_TRUE(second.ok());
    EXPECT_EQ(second->processid, low.processid);
}

TEST_F(Lifecycle, LongPollTimesOutWithNotFound) {
    auto start = Clock::now();
    auto r = client_->assign("dev", 1, DevIdentity::executor_prvkey);
    auto waited = Clock::now() - start;
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().status, 404);
    EXPECT_EQ(r.error().message, "No process available for assignment");
    EXPECT_GE(waited, 900ms);
    EXPECT_LT(waited, 10s);

    // A negative timeout does not wait at all.
    auto once = client_->assign("dev", -1, DevIdentity::executor_prvkey);
    ASSERT_FALSE(once.ok());
    EXPECT_EQ(once.error().status, 404);

    auto zero = client_->assign("dev", 0, DevIdentity::executor_prvkey);
    ASSERT_FALSE(zero.ok());
    EXPECT_EQ(zero.error().status, 400);
    EXPECT_EQ(zero.error().message, "Invalid timeout value, timeout cannot be zero");
}

TEST_F(Lifecycle, WaitingAssignWakesOnSubmit) {
    std::optional<Result<Process>> got;
    std::thread waiter([&] {
        auto c = server_.make_client();
        got = c.assign("dev", 20, DevIdentity::executor_prvkey);
    });
    std::this_thread::sleep_for(300ms);
    auto submitted = submit(spec());
    waiter.join();
    ASSERT_TRUE(got && got->ok()) << (got ? got->error().message : "no reply");
    EXPECT_EQ(got->value().processid, submitted.processid);
}

TEST_F(Lifecycle, OnlyMatchingExecutorTypesAndNamesAreAssigned) {
    auto gpu = add_executor("gpu1", "gpu");
    auto named = spec();
    named.conditions.executornames = {"exec2"};
    named.conditions.executornames_null = false;
    auto p = submit(named);
    // The gpu executor and exec1 (wrong name) get nothing.
    auto r1 = client_->assign("dev", -1, gpu.prvkey);
    EXPECT_FALSE(r1.ok());
    auto r2 = client_->assign("dev", -1, DevIdentity::executor_prvkey);
    EXPECT_FALSE(r2.ok());
    auto exec2 = add_executor("exec2");
    auto r3 = client_->assign("dev", 5, exec2.prvkey);
    ASSERT_TRUE(r3.ok()) << r3.error().message;
    EXPECT_EQ(r3->processid, p.processid);
}

TEST_F(Lifecycle, TwoExecutorsRaceForOneProcessExactlyOneWins) {
    auto other = add_executor("exec2");
    std::atomic<int> wins{0}, misses{0};
    std::vector<std::thread> ts;
    for (std::string key : {DevIdentity::executor_prvkey, other.prvkey}) {
        ts.emplace_back([&, key] {
            auto c = server_.make_client();
            auto r = c.assign("dev", 3, key);
            (r.ok() ? wins : misses)++;
            if (!r.ok()) {
                EXPECT_EQ(r.error().status, 404);
            }
        });
    }
    std::this_thread::sleep_for(300ms);
    submit(spec());
    for (auto& t : ts) t.join();
    EXPECT_EQ(wins.load(), 1);
    EXPECT_EQ(misses.load(), 1);
}

TEST_F(Lifecycle, ConcurrentExecutorsNeverShareAProcess) {
    constexpr int kProcesses = 200;
    constexpr int kExecutors = 4;
    std::vector<Identity> execs;
    for (int i = 0; i < kExecutors; ++i) execs.push_back(add_executor("w" + std::to_string(i)));
    std::mutex mu;
    std::multiset<std::string> assigned;
    std::atomic<int> closed{0};
    std::vector<std::thread> workers;
    for (int i = 0; i < kExecutors; ++i) {
        workers.emplace_back([&, i] {
            auto c = server_.make_client();
            while (closed.load() < kProcesses) {
                auto r = c.assign("dev", 1, execs[i].prvkey);
                if (!r.ok()) continue;
                {
                    std::lock_guard lk(mu);
                    assigned.insert(r->processid);
                }
                if (c.close_successful(r->processid, {}, execs[i].prvkey)) closed++;
            }
        });
    }
    std::thread submitter([&] {
        auto c = server_.make_client();
        for (int i = 0; i < kProcesses; ++i)
            ASSERT_TRUE(c.submit(spec(), DevIdentity::executor_prvkey).ok());
    });
    submitter.join();
    for (auto& w : workers) w.join();
    EXPECT_EQ(assigned.size(), static_cast<size_t>(kProcesses));
    std::set<std::string> unique(assigned.begin(), assigned.end());
    EXPECT_EQ(unique.size(), assigned.size()) << "a process was assigned twice";
}

TEST_F(Lifecycle, ExecTimeoutRequeuesThenFailsAfterRetries) {
    auto s = spec();
    s.maxexectime = 1;
    s.maxretries = 1;
    auto p = submit(s);
    auto a1 = client_->assign("dev", 5, DevIdentity::executor_prvkey);
    ASSERT_TRUE(a1.ok());
    EXPECT_FALSE(a1->execdeadline.is_zero());
    // Not closed: the sweep puts it back to WAITING with one retry counted.
    ASSERT_TRUE(wait_for_state(p.processid, ProcessState::Waiting, 10s));
    auto requeued = get(p.processid);
    EXPECT_EQ(requeued.retries, 1);
    EXPECT_FALSE(requeued.isassigned);
    EXPECT_EQ(requeued.prioritytime, p.prioritytime);
    auto a2 = client_->assign("dev", 5, DevIdentity::executor_prvkey);
    ASSERT_TRUE(a2.ok());
    EXPECT_EQ(a2->processid, p.processid);
    ASSERT_TRUE(wait_for_state(p.processid, ProcessState::Failed, 10s));
    auto failed = get(p.processid);
    EXPECT_EQ(failed.errors, (std::vector<std::string>{"Maximum execution time limit exceeded"}));
    // The late close of the timed-out run is refused.
    auto late = client_->close_successful(p.processid, {}, DevIdentity::executor_prvkey);
    EXPECT_FALSE(late.ok());
}

TEST_F(Lifecycle, WaitTimeoutFailsAWaitingProcess) {
    auto s = spec();
    s.maxwaittime = 1;
    auto p = submit(s);
    EXPECT_FALSE(p.waitdeadline.is_zero());
    ASSERT_TRUE(wait_for_state(p.processid, ProcessState::Failed, 10s));
    EXPECT_EQ(get(p.processid).errors,
              (std::vector<std::string>{"Maximum waiting time limit exceeded"}));
    EXPECT_FALSE(client_->assign("dev", -1, DevIdentity::executor_prvkey).ok());
}

TEST_F(Lifecycle, MaxExecTimeZeroMeansUnlimited) {
    auto s = spec();
    s.maxexectime = 0;
    s.maxretries = 0;
    auto p = submit(s);
    EXPECT_EQ(p.spec.maxexectime, -1);
    ASSERT_TRUE(client_->assign("dev", 5, DevIdentity::executor_prvkey).ok());
    std::this_thread::sleep_for(2500ms);
    EXPECT_EQ(get(p.processid).state, ProcessState::Running);
}

TEST_F(Lifecycle, RemovingAnExecutorRequeuesItsProcess) {
    auto other = add_executor("exec2");
    auto p = submit(spec());
    ASSERT_TRUE(client_->assign("dev", 5, other.prvkey).ok());
    ASSERT_TRUE(client_->remove_executor("dev", "exec2", DevIdentity::colony_prvkey));
    auto back = get(p.processid);
    EXPECT_EQ(back.state, ProcessState::Waiting);
    EXPECT_FALSE(back.isassigned);
    auto e = client_->get_executor("dev", "exec2", DevIdentity::executor_prvkey);
    ASSERT_TRUE(e.ok());
    EXPECT_EQ(e->state, ExecutorState::Unregistered);
    auto again = client_->assign("dev", 5, DevIdentity::executor_prvkey);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->processid, p.processid);
}

TEST_F(Lifecycle, RemoveAndRemoveAll) {
    auto a = submit(spec());
    auto b = submit(spec());
    ASSERT_TRUE(client_->remove_process(a.processid, DevIdentity::executor_prvkey));
    auto gone = client_->get_process(a.processid, DevIdentity::executor_prvkey);
    ASSERT_FALSE(gone.ok());
    EXPECT_EQ(gone.error().status, 404);
    // Only the colony owner may remove all.
    EXPECT_FALSE(client_->remove_all_processes("dev", -1, DevIdentity::executor_prvkey).ok());
    ASSERT_TRUE(client_->remove_all_processes("dev", -1, DevIdentity::colony_prvkey));
    EXPECT_FALSE(client_->get_process(b.processid, DevIdentity::executor_prvkey).ok());
}

TEST_F(Lifecycle, ListFiltersByLabelAndExecutorType) {
    auto a = spec();
    a.label = "alpha";
    auto pa = submit(a);
    auto b = spec();
    b.label = "beta";
    submit(b);
    auto g = Fixture::simple_spec("dev", "gpu", "train");
    auto pg = submit(g);
    auto list = [&](boost::json::object filter) {
        filter["colonyname"] = "dev";
        filter["count"] = 10;
        filter["state"] = 0;
        auto r = client_->call("getprocessesmsg", filter, DevIdentity::executor_prvkey);
        EXPECT_TRUE(r.ok()) << r.error().message;
        std::vector<std::string> ids;
        if (r.ok() && r->is_array())
            for (const auto& v : r->as_array())
                ids.push_back(std::string(v.as_object().at("processid").as_string()));
        return ids;
    };
    EXPECT_EQ(list({{"label", "alpha"}}), std::vector<std::string>{pa.processid});
    EXPECT_EQ(list({{"executortype", "gpu"}}), std::vector<std::string>{pg.processid});
    EXPECT_EQ(list({}).size(), 3u);
    auto bad =
        client_->call("getprocessesmsg",
                      {{"colonyname", "dev"}, {"count", 10}, {"state", 0}, {"initiator", "nobody"}},
                      DevIdentity::executor_prvkey);
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().message, "User nobody does not exist");
}

TEST_F(Lifecycle, StatisticsCountStates) {
    submit(spec());
    submit(spec());
    auto r = client_->assign("dev", 5, DevIdentity::executor_prvkey);
    ASSERT_TRUE(r.ok());
    auto st = client_->get_colony_statistics("dev", DevIdentity::executor_prvkey);
    ASSERT_TRUE(st.ok()) << st.error().message;
    EXPECT_EQ(st->waitingprocesses, 1);
    EXPECT_EQ(st->runningprocesses, 1);
    EXPECT_EQ(st->activeexecutors, 1);
    auto all = client_->get_statistics(DevIdentity::server_prvkey);
    ASSERT_TRUE(all.ok());
    EXPECT_EQ(all->colonies, 1);
}

}  // namespace
}  // namespace colonies::it
