// Crons against one real server (features.md 1): the schedule is kept without drift, a manual
// run starts exactly one workflow, a removed cron stops, waitforprevprocessgraph holds the next
// run back while the previous graph runs, and the leaves' outputs reach the next run's roots.
#include <gtest/gtest.h>

#include <thread>

#include "core/json.hpp"
#include "harness.hpp"

namespace colonies::it {
namespace {

using namespace std::chrono_literals;
constexpr int64_t kMs = 1000000;

class Crons : public ::testing::Test {
  protected:
    void SetUp() override {
        c_ = std::make_unique<client::Client>(server_.make_client());
        Fixture::setup_dev(*c_);
    }
    static std::string workflow() {
        auto a = Fixture::simple_spec("dev", "cli", "tick");
        a.nodename = "a";
        return to_text(to_json(WorkflowSpec{"dev", {a}}));
    }
    Cron add(const std::string& name, int64_t interval, const std::string& expr = "",
             bool wait = false) {
        Cron c;
        c.colonyname = "dev";
        c.name = name;
        c.interval = interval;
        c.cronexpression = expr;
        c.waitforprevprocessgraph = wait;
        c.workflowspec = workflow();
        auto r = c_->add_cron(c, DevIdentity::executor_prvkey);
        EXPECT_TRUE(r.ok()) << r.error().message;
        return r.ok() ? *r : Cron{};
    }
    // Every graph of the colony (any state), oldest first.
    std::vector<ProcessGraph> graphs() {
        std::vector<ProcessGraph> all;
        for (int state = 0; state <= 4; ++state) {
            auto r = c_->call("getprocessgraphsmsg",
                              {{"colonyname", "dev"}, {"count", 100}, {"state", state}},
                              DevIdentity::executor_prvkey);
            EXPECT_TRUE(r.ok()) << r.error().message;
            if (!r.ok() || !r->is_array()) continue;
            for (const auto& v : r->as_array()) all.push_back(process_graph_from_json(v).value());
        }
        std::sort(all.begin(), all.end(),
                  [](const auto& a, const auto& b) { return a.submissiontime < b.submissiontime; });
        return all;
    }

    ServerProcess server_;
    std::unique_ptr<client::Client> c_;
};

// "Every 2 s" starts on its due times, each late by at most one checker period (1000 ms by
// default), and the lateness does not add up.
TEST_F(Crons, EveryTwoSecondsStartsOnItsDueTimesWithoutDrift) {
    auto cron = add("every2", 2);
    const Time first_due = cron.nextrun;
    EXPECT_GT(first_due.ns, Time::now().ns);
    std::this_thread::sleep_for(9500ms);
    auto got = c_->get_cron(cron.cronid, DevIdentity::executor_prvkey);
    ASSERT_TRUE(got.ok());
    auto gs = graphs();
    ASSERT_GE(gs.size(), 4u);
    for (size_t k = 0; k < gs.size(); ++k) {
        const int64_t due = first_due.ns + static_cast<int64_t>(k) * 2000 * kMs;
        const int64_t late = gs[k].submissiontime.ns - due;
        EXPECT_GE(late, 0) << "graph " << k << " started before its due time";
        // One checker period, plus what a loaded test machine adds to a pass.
        EXPECT_LE(late, 1000 * kMs + 400 * kMs) << "graph " << k;
        EXPECT_EQ(gs[k].initiatorname, "exec1");
    }
    EXPECT_EQ(got->checkerperiod, 1000);
    // The cron as read before the graphs: its last graph is among them, and its next due time
    // is on the same grid.
    size_t last = gs.size();
    for (size_t k = 0; k < gs.size(); ++k)
        if (gs[k].processgraphid == got->prevprocessgraphid) last = k;
    ASSERT_LT(last, gs.size());
    EXPECT_EQ(got->nextrun.ns, first_due.ns + static_cast<int64_t>(last + 1) * 2000 * kMs);
}

TEST_F(Crons, RunningAYearlyCronStartsExactlyOneWorkflow) {
    auto cron = add("yearly", 365LL * 24 * 3600);
    auto before = c_->run_cron(cron.cronid, DevIdentity::executor_prvkey);
    ASSERT_TRUE(before.ok()) << before.error().message;
    EXPECT_TRUE(before->lastrun.is_zero());  // the cron as it was before the run
    std::this_thread::sleep_for(2500ms);
    auto gs = graphs();
    ASSERT_EQ(gs.size(), 1u);
    auto got = c_->get_cron(cron.cronid, DevIdentity::executor_prvkey);
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(got->prevprocessgraphid, gs[0].processgraphid);
    EXPECT_EQ(got->nextrun, cron.nextrun);  // a run by hand keeps the schedule
    // A stranger cannot run it (upstream runs it first and refuses afterwards).
    auto stranger = Identity::fresh();
    auto denied = c_->run_cron(cron.cronid, stranger.prvkey);
    ASSERT_FALSE(denied.ok());
    EXPECT_EQ(denied.error().status, 403);
    EXPECT_EQ(graphs().size(), 1u);
}

TEST_F(Crons, ARemovedCronStopsStarting) {
    auto cron = add("every1", 1);
    std::this_thread::sleep_for(2500ms);
    ASSERT_GE(graphs().size(), 1u);
    ASSERT_TRUE(c_->remove_cron(cron.cronid, DevIdentity::executor_prvkey).ok());
    const size_t n = graphs().size();
    std::this_thread::sleep_for(3s);
    EXPECT_EQ(graphs().size(), n);
    auto gone = c_->get_cron(cron.cronid, DevIdentity::executor_prvkey);
    ASSERT_FALSE(gone.ok());
    EXPECT_EQ(gone.error().message, "Failed to get cron, cron is nil");
    auto list = c_->get_crons("dev", 10, DevIdentity::executor_prvkey);
    ASSERT_TRUE(list.ok());
    EXPECT_TRUE(list->empty());
}

TEST_F(Crons, WaitingForThePreviousGraphAndLeafOutputsToTheNextRoots) {
    auto cron = add("chained", 1, "", /*wait=*/true);
    std::this_thread::sleep_for(3500ms);
    // The first graph waits for an executor: no second one starts meanwhile.
    auto gs = graphs();
    ASSERT_EQ(gs.size(), 1u);
    auto p = c_->assign("dev", 5, DevIdentity::executor_prvkey);
    ASSERT_TRUE(p.ok()) << p.error().message;
    EXPECT_TRUE(p->in.empty());
    ASSERT_TRUE(c_->close_successful(p->processid, {"leaf-out", 7}, DevIdentity::executor_prvkey));
    // Now the next run starts, with the first run's leaf output as its root's input.
    auto next = c_->assign("dev", 5, DevIdentity::executor_prvkey);
    ASSERT_TRUE(next.ok()) << next.error().message;
    EXPECT_NE(next->processgraphid, gs[0].processgraphid);
    EXPECT_EQ(next->in, (boost::json::array{"leaf-out", 7}));
    EXPECT_EQ(graphs().size(), 2u);
}

}  // namespace
}  // namespace colonies::it
