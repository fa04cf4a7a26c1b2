// Crons without sockets (features.md 1): the due-time rule on its own, then the messages and the
// evaluation pass on a real SQLite store with the clock under the test's control.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "core/json.hpp"
#include "services/colonies_ops.hpp"
#include "services/crons.hpp"
#include "store/sqlite/sqlite_store.hpp"

using namespace colonies;
using namespace colonies::services;

namespace {

constexpr int64_t kS = 1000000000LL;
const int64_t kT0 = 1700000000LL * kS;  // a whole second
const std::string kColonyOwner = std::string(64, 'b');
const std::string kExecutor = std::string(64, 'c');
const std::string kStranger = std::string(64, 'd');

Cron interval_cron(int64_t interval, bool random = false) {
    Cron c;
    c.interval = interval;
    c.random = random;
    return c;
}

TEST(CronDueTimes, IntervalCronsKeepTheirPhaseWhateverThePassIsLate) {
    const Cron c = interval_cron(2);
    EXPECT_EQ(first_due(c, Time{kT0}, 0).value(), Time{kT0 + 2 * kS});
    // Started 0.7 s late for due D: the next is D + 2 s, not now + 2 s.
    EXPECT_EQ(next_due(c, Time{kT0}, Time{kT0 + 700000000}, 0).value(), Time{kT0 + 2 * kS});
    // Exactly on a later due time: that one counts as missed, the next is after now.
    EXPECT_EQ(next_due(c, Time{kT0}, Time{kT0 + 2 * kS}, 0).value(), Time{kT0 + 4 * kS});
    // Seven seconds without a leader: one late start, then the first due time after now.
    EXPECT_EQ(next_due(c, Time{kT0}, Time{kT0 + 7 * kS + 1}, 0).value(), Time{kT0 + 8 * kS});
}

TEST(CronDueTimes, RandomIntervalCronsStartOnceInEachWindow) {
    const Cron c = interval_cron(10, true);
    // Windows of 10 s of Unix time; kT0 is on a window boundary.
    EXPECT_EQ(first_due(c, Time{kT0 + 3 * kS}, 4).value(), Time{kT0 + 14 * kS});
    EXPECT_EQ(next_due(c, Time{kT0 + 14 * kS}, Time{kT0 + 14 * kS + 5}, 0).value(),
              Time{kT0 + 20 * kS});
    EXPECT_EQ(next_due(c, Time{kT0 + 14 * kS}, Time{kT0 + 15 * kS}, 9).value(),
              Time{kT0 + 29 * kS});
    // Late past the next window's draw: the window after now.
    EXPECT_EQ(next_due(c, Time{kT0 + 14 * kS}, Time{kT0 + 33 * kS}, 2).value(),
              Time{kT0 + 42 * kS});
    for (int i = 0; i < 200; ++i) {
        const int64_t d = random_draw(10);
        EXPECT_GE(d, 0);
        EXPECT_LT(d, 10);
    }
    EXPECT_EQ(random_draw(1), 0);
}

TEST(CronDueTimes, HugeIntervalsSaturateInsteadOfWrapping) {
    const Cron c = interval_cron(INT64_MAX / 2);
    EXPECT_EQ(first_due(c, Time{kT0}, 0).value(), kNever);
    EXPECT_EQ(next_due(c, Time{kT0}, Time{kT0 + 1}, 0).value(), kNever);
}

TEST(CronDueTimes, WaitingForThePreviousGraphEndsWithAnyFinalState) {
    Cron c = interval_cron(1);
    c.waitforprevprocessgraph = true;
    ProcessGraph g;
    for (auto s : {ProcessState::Waiting, ProcessState::Running}) {
        g.state = s;
        EXPECT_TRUE(waits_for_previous(c, g));
    }
    for (auto s : {ProcessState::Success, ProcessState::Failed, ProcessState::Cancelled}) {
        g.state = s;
        EXPECT_FALSE(waits_for_previous(c, g)) << static_cast<int>(s);
    }
    EXPECT_FALSE(waits_for_previous(c, std::nullopt));
    c.waitforprevprocessgraph = false;
    g.state = ProcessState::Running;
    EXPECT_FALSE(waits_for_previous(c, g));
}

std::string workflow_text(const std::string& colony = "dev") {
    boost::json::object spec{{"nodename", "a"},   {"funcname", "echo"},
                             {"maxwaittime", -1}, {"maxexectime", -1},
                             {"maxretries", -1},  {"conditions", {{"executortype", "cli"}}}};
    boost::json::object w{{"colonyname", colony},
                          {"functionspecs", boost::json::array{std::move(spec)}}};
    return to_text(w);
}

class CronOps : public ::testing::Test {
  protected:
    void SetUp() override {
        char tmpl[] = "/tmp/colonies-crons-XXXXXX";
        dir_ = mkdtemp(tmpl);
        store_ = store::open_sqlite_store({dir_ + "/crons.db"});
        store_->run_sync([](store::StoreTx& tx) {
            tx.add_colony(Colony{kColonyOwner, "dev"});
            tx.add_colony(Colony{std::string(64, 'e'), "other"});
            Executor e;
            e.executorid = kExecutor;
            e.executorname = "exec1";
            e.executortype = "cli";
            e.colonyname = "dev";
            e.state = ExecutorState::Approved;
            tx.save_executor(e);
            return true;
        });
    }
    void TearDown() override {
        store_.reset();
        std::filesystem::remove_all(dir_);
    }

    OpResult run(OpFn fn, const std::string& caller, boost::json::object msg, int64_t now_ns,
                 Effects* fx = nullptr) {
        std::optional<OpResult> out;
        store_->run_sync([&](store::StoreTx& tx) {
            OpContext ctx{tx, caller, Time::from_ns(now_ns), cfg_, "Failed", {}};
            out = fn(ctx, msg);
            if (fx) *fx = ctx.fx;
            return out->ok();
        });
        return *out;
    }
    Cron add(boost::json::object cron, int64_t now_ns = kT0) {
        auto r = run(op_add_cron, kExecutor, {{"cron", std::move(cron)}}, now_ns);
        EXPECT_TRUE(r.ok()) << r.error().message;
        return r.ok() ? cron_from_json(*r).value() : Cron{};
    }
    int pass(int64_t now_ns, Effects* fx = nullptr) {
        int started = 0;
        store_->run_sync([&](store::StoreTx& tx) {
            OpContext ctx{tx, "", Time::from_ns(now_ns), cfg_, "crons", {}};
            started = evaluate_crons(ctx);
            if (fx) *fx = ctx.fx;
            return true;
        });
        return started;
    }
    Cron stored(const std::string& id) {
        std::optional<Cron> c;
        store_->run_sync([&](store::StoreTx& tx) {
            c = tx.cron(id);
            return true;
        });
        return c.value();
    }
    std::vector<ProcessGraph> graphs() {
        std::vector<ProcessGraph> out;
        store_->run_sync([&](store::StoreTx& tx) {
            out = tx.graphs("dev", ProcessState::Waiting, 100);
            return true;
        });
        return out;
    }

    Config cfg_;
    std::string dir_;
    std::unique_ptr<store::Store> store_;
};

boost::json::object every(int64_t seconds, const std::string& name = "c1") {
    return {{"colonyname", "dev"},
            {"name", name},
            {"interval", seconds},
            {"workflowspec", workflow_text()}};
}

TEST_F(CronOps, AddValidatesWithUpstreamsTextsAndChangesNothingOnError) {
    auto err = [&](boost::json::object cron, const std::string& caller = kExecutor) {
        auto r = run(op_add_cron, caller, {{"cron", std::move(cron)}}, kT0);
        EXPECT_FALSE(r.ok());
        return r.ok() ? Error{} : r.error();
    };
    EXPECT_EQ(run(op_add_cron, kExecutor, {}, kT0).error().message,
              "Failed to add cron, msg.Cron is nil");
    auto c = every(0);
    EXPECT_EQ(err(c).message, "Cron interval must be -1 (disabled) or larger than 0");
    c["interval"] = -2;
    EXPECT_EQ(err(c).status, 400);
    c["interval"] = -1;
    c["cronexpression"] = "* * *";
    EXPECT_EQ(err(c).status, 400);
    c = every(5);
    c["workflowspec"] = "{not json";
    EXPECT_EQ(err(c).status, 400);
    c["workflowspec"] = workflow_text("other");
    EXPECT_EQ(err(c).status, 400);
    EXPECT_EQ(err(every(5), kStranger).status, 403);
    // A dependency on an unknown node.
    auto w = boost::json::parse(workflow_text()).as_object();
    w["functionspecs"].as_array()[0].as_object()["conditions"].as_object()["dependencies"] =
        boost::json::array{"nope"};
    c = every(5);
    c["workflowspec"] = to_text(w);
    EXPECT_EQ(err(c).message,
              "Failed to submit workflow, invalid dependencies, are you depending on a nodename "
              "that does not exits?");
    auto list = run(op_get_crons, kExecutor, {{"colonyname", "dev"}, {"count", 10}}, kT0);
    ASSERT_TRUE(list.ok());
    EXPECT_TRUE(list->as_array().empty());

    add(every(5));
    EXPECT_EQ(err(every(7)).message, "Cron with name <c1> in Colony <dev> already exists");
}

TEST_F(CronOps, AddGetListRemoveShapes) {
    auto c = add(every(5));
    EXPECT_EQ(c.cronid.size(), 64u);
    EXPECT_EQ(c.initiatorid, kExecutor);
    EXPECT_EQ(c.initiatorname, "exec1");
    EXPECT_EQ(c.nextrun, Time{kT0 + 5 * kS});  // known at add (docs/compat.md)
    EXPECT_TRUE(c.lastrun.is_zero());
    cfg_.cron_checker_period_ms = 250;
    auto got = run(op_get_cron, kExecutor, {{"cronid", c.cronid}}, kT0);
    ASSERT_TRUE(got.ok());
    const auto& o = got->as_object();
    std::vector<std::string> keys;
    for (const auto& kv : o) keys.emplace_back(kv.key());
    EXPECT_EQ(keys,
              (std::vector<std::string>{"cronid", "initiatorid", "initiatorname", "colonyname",
                                        "name", "cronexpression", "interval", "random", "nextrun",
                                        "lastrun", "workflowspec", "prevprocessgraphid",
                                        "waitforprevprocessgraph", "checkerperiod"}));
    EXPECT_EQ(o.at("checkerperiod").as_int64(), 250);
    EXPECT_EQ(o.at("lastrun").as_string(), "0001-01-01T00:00:00Z");
    EXPECT_EQ(run(op_get_cron, kStranger, {{"cronid", c.cronid}}, kT0).error().status, 403);
    EXPECT_EQ(run(op_get_cron, kExecutor, {{"cronid", "nope"}}, kT0).error().message,
              "Failed to get cron, cron is nil");
    auto list = run(op_get_crons, kExecutor, {{"colonyname", "dev"}, {"count", 10}}, kT0);
    ASSERT_TRUE(list.ok());
    ASSERT_EQ(list->as_array().size(), 1u);
    EXPECT_EQ(list->as_array()[0].as_object().at("checkerperiod").as_int64(), 0);
    EXPECT_EQ(run(op_remove_cron, kStranger, {{"cronid", c.cronid}}, kT0).error().status, 403);
    ASSERT_TRUE(run(op_remove_cron, kExecutor, {{"cronid", c.cronid}, {"all", false}}, kT0).ok());
    EXPECT_EQ(run(op_remove_cron, kExecutor, {{"cronid", c.cronid}}, kT0).error().message,
              "Failed to remove cron, cron is nil");
}

TEST_F(CronOps, APassStartsEachDueTimeOnceWithoutDrift) {
    auto c = add(every(2));
    EXPECT_EQ(pass(kT0 + kS), 0);  // not due yet
    Effects fx;
    EXPECT_EQ(pass(kT0 + 2 * kS + 900000000, &fx), 1);  // 0.9 s late
    ASSERT_EQ(fx.ready.size(), 1u);
    ASSERT_EQ(fx.log.size(), 1u);
    EXPECT_NE(fx.log[0].find("Cron started"), std::string::npos);
    auto s = stored(c.cronid);
    EXPECT_EQ(s.nextrun, Time{kT0 + 4 * kS});
    EXPECT_EQ(s.lastrun, Time{kT0 + 2 * kS + 900000000});
    EXPECT_FALSE(s.prevprocessgraphid.empty());
    EXPECT_EQ(pass(kT0 + 3 * kS), 0);  // the same due time never twice
    EXPECT_EQ(pass(kT0 + 4 * kS), 1);
    // Ten seconds without a pass: one late start, then the next due time after now.
    EXPECT_EQ(pass(kT0 + 14 * kS + 500000000), 1);
    EXPECT_EQ(stored(c.cronid).nextrun, Time{kT0 + 16 * kS});
    EXPECT_EQ(graphs().size(), 3u);
    EXPECT_EQ(graphs()[0].initiatorname, "exec1");
}

TEST_F(CronOps, RunNowMembershipFirstAndWaitForPrevious) {
    auto cron = every(3600);
    cron["waitforprevprocessgraph"] = true;
    auto c = add(cron);
    // A stranger starts nothing (upstream's quirk fixed).
    EXPECT_EQ(run(op_run_cron, kStranger, {{"cronid", c.cronid}}, kT0).error().status, 403);
    EXPECT_TRUE(graphs().empty());
    EXPECT_EQ(run(op_run_cron, kExecutor, {{"cronid", "nope"}}, kT0).error().message,
              "cron not found");
    auto r = run(op_run_cron, kExecutor, {{"cronid", c.cronid}}, kT0 + kS);
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(cron_from_json(*r)->lastrun.is_zero());  // as loaded before the run
    EXPECT_EQ(graphs().size(), 1u);
    // An extra run keeps the schedule.
    EXPECT_EQ(stored(c.cronid).nextrun, Time{kT0 + 3600 * kS});
    // The previous graph is still waiting: nothing more starts, by hand or by the pass.
    ASSERT_TRUE(run(op_run_cron, kExecutor, {{"cronid", c.cronid}}, kT0 + 2 * kS).ok());
    EXPECT_EQ(graphs().size(), 1u);
    EXPECT_EQ(pass(kT0 + 3601 * kS), 0);
    EXPECT_EQ(stored(c.cronid).nextrun, Time{kT0 + 3600 * kS});  // still due
    // Cancelled counts as finished.
    auto prev = stored(c.cronid).prevprocessgraphid;
    ASSERT_TRUE(run(op_cancel_graph, kExecutor, {{"processgraphid", prev}}, kT0 + 3602 * kS).ok());
    EXPECT_EQ(pass(kT0 + 3603 * kS), 1);
    EXPECT_EQ(stored(c.cronid).nextrun, Time{kT0 + 7200 * kS});
}

TEST_F(CronOps, LeafOutputsBecomeTheNextRunsRootInput) {
    auto c = add(every(1));
    ASSERT_EQ(pass(kT0 + kS), 1);
    auto prev = stored(c.cronid).prevprocessgraphid;
    // Close the one process with an output.
    std::string pid;
    store_->run_sync([&](store::StoreTx& tx) {
        auto ps = tx.processes_of_graph(prev);
        pid = ps.at(0).processid;
        auto p = ps.at(0);
        p.state = ProcessState::Success;
        p.out = boost::json::array{"x", 2};
        tx.save_process(p, {});
        return true;
    });
    ASSERT_EQ(pass(kT0 + 2 * kS), 1);
    auto next = stored(c.cronid).prevprocessgraphid;
    ASSERT_NE(next, prev);
    store_->run_sync([&](store::StoreTx& tx) {
        auto ps = tx.processes_of_graph(next);
        EXPECT_EQ(ps.at(0).in, (boost::json::array{"x", 2}));
        return true;
    });
}

TEST_F(CronOps, ABrokenWorkflowChangesNothingAndDoesNotBlockOthers) {
    cfg_.crons_per_pass = 1;
    auto bad = add(every(1, "bad"));
    auto good = add(every(1, "good"), kT0 + 500000000);
    // Break the first cron's workflow behind the server's back.
    store_->run_sync([&](store::StoreTx& tx) {
        auto c = tx.cron(bad.cronid).value();
        c.workflowspec = "{}";
        tx.update_cron(c);
        return true;
    });
    EXPECT_EQ(pass(kT0 + 2 * kS), 0);  // the bad one: nothing started, nothing changed
    EXPECT_EQ(stored(bad.cronid).nextrun, Time{kT0 + kS});
    EXPECT_TRUE(stored(bad.cronid).lastrun.is_zero());
    EXPECT_EQ(pass(kT0 + 2 * kS + 1), 1);  // the good one gets its turn
    EXPECT_FALSE(stored(good.cronid).lastrun.is_zero());
}

TEST_F(CronOps, RemovingTheColonyRemovesItsCrons) {
    auto c = add(every(1));
    store_->run_sync([](store::StoreTx& tx) {
        tx.remove_colony("dev");
        return true;
    });
    EXPECT_EQ(pass(kT0 + 5 * kS), 0);
    store_->run_sync([&](store::StoreTx& tx) {
        EXPECT_FALSE(tx.cron(c.cronid));
        return true;
    });
}

}  // namespace
