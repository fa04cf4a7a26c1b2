// Operations without sockets: each runs on a real SQLite store inside a transaction, with the
// clock under the test's control (so deadline rules are checked without sleeping).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "core/json.hpp"
#include "crypto/crypto.hpp"
#include "services/colonies_ops.hpp"
#include "store/sqlite/sqlite_store.hpp"

using namespace colonies;
using namespace colonies::services;

namespace {

const std::string kServer = std::string(64, 'a');
const std::string kColonyOwner = std::string(64, 'b');
const std::string kExecutor = std::string(64, 'c');
const std::string kStranger = std::string(64, 'd');

class Operations : public ::testing::Test {
  protected:
    void SetUp() override {
        char tmpl[] = "/tmp/colonies-ops-XXXXXX";
        dir_ = mkdtemp(tmpl);
        store_ = store::open_sqlite_store({dir_ + "/ops.db"});
        store_->run_sync([](store::StoreTx& tx) {
            tx.set_server_id(kServer);
            tx.add_colony(Colony{kColonyOwner, "dev"});
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

    // Runs `fn` as `caller` at time `now` (ns); returns its result; rolls back on error.
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
    Process submit(boost::json::object spec, int64_t now_ns = kT0) {
        auto r = run(op_submit, kExecutor, {{"spec", std::move(spec)}}, now_ns);
        EXPECT_TRUE(r.ok()) << r.error().message;
        return r.ok() ? process_from_json(*r).value() : Process{};
    }
    Result<AssignAttempt> assign(int64_t now_ns) {
        std::optional<Result<AssignAttempt>> out;
        store_->run_sync([&](store::StoreTx& tx) {
            OpContext ctx{tx, kExecutor, Time::from_ns(now_ns), cfg_, "Failed", {}};
            out = try_assign(ctx, {{"colonyname", "dev"}, {"timeout", 1}});
            return out->ok();
        });
        return *out;
    }
    int sweep(int64_t now_ns) {
        int changed = 0;
        store_->run_sync([&](store::StoreTx& tx) {
            OpContext ctx{tx, "", Time::from_ns(now_ns), cfg_, "sweep", {}};
            changed = sweep_deadlines(ctx);
            return true;
        });
        return changed;
    }
    Process get(const std::string& id) {
        auto r = run(op_get_process, kExecutor, {{"processid", id}}, kT0);
        return process_from_json(*r).value();
    }

    static constexpr int64_t kT0 = 1'700'000'000'000'000'000LL;
    static constexpr int64_t kSecond = 1'000'000'000LL;
    static boost::json::object cli_spec() {
        return {{"funcname", "echo"},
                {"conditions", {{"colonyname", "dev"}, {"executortype", "cli"}}}};
    }
    std::string dir_;
    std::unique_ptr<store::Store> store_;
    Config cfg_;
};

TEST_F(Operations, AuthorisationChecksUseUpstreamMessages) {
    auto r = run(op_get_colonies, kColonyOwner, {}, kT0);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().status, 403);
    EXPECT_EQ(r.error().message, "Access denied, not server owner");

    r = run(op_submit, kColonyOwner, {{"spec", cli_spec()}}, kT0);
    EXPECT_EQ(r.error().message, "Access denied, not a member of Colony with name dev");

    r = run(op_get_colony, kExecutor, {{"colonyname", "nope"}}, kT0);
    EXPECT_EQ(r.error().message, "Colony with name nope does not exists");

    r = run(op_approve_executor, kExecutor, {{"colonyname", "dev"}, {"executorname", "exec1"}},
            kT0);
    EXPECT_EQ(r.error().message, "Access denied, not colony owner");
}

TEST_F(Operations, SubmitNormalisesAndRejectsBadSpecs) {
    auto spec = cli_spec();
    spec["priority"] = 2;
    spec["maxexectime"] = 0;
    spec["conditions"].as_object()["mem"] = "1Gi";
    spec["conditions"].as_object()["executornames"] = boost::json::array{"*"};
    auto p = submit(spec);
    EXPECT_EQ(p.spec.maxexectime, -1);
    EXPECT_EQ(p.spec.conditions.mem, "1024Mi");
    EXPECT_TRUE(p.spec.conditions.executornames.empty());
    EXPECT_EQ(p.prioritytime, kT0 - 2 * kPriorityUnitNs);

    auto bad = cli_spec();
    bad["priority"] = 50001;
    auto r = run(op_submit, kExecutor, {{"spec", bad}}, kT0);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().status, 400);

    bad = cli_spec();
    bad["conditions"].as_object()["mem"] = "12 parsecs";
    r = run(op_submit, kExecutor, {{"spec", bad}}, kT0);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().status, 400);

    r = run(op_submit, kExecutor, {}, kT0);
    EXPECT_EQ(r.error().message, "Failed to submit process spec, msg.FunctionSpec is nil");

    // Nothing of the refused submits was stored.
    auto list = run(op_get_processes, kExecutor,
                    {{"colonyname", "dev"}, {"count", 100}, {"state", 0}}, kT0);
    EXPECT_EQ(list->as_array().size(), 1u);
}

TEST_F(Operations, SubmitAnnouncesTheReadyProcess) {
    Effects fx;
    auto r = run(op_submit, kExecutor, {{"spec", cli_spec()}}, kT0, &fx);
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(fx.ready.size(), 1u);
    EXPECT_EQ(fx.ready[0].executortype, "cli");
    EXPECT_EQ(fx.ready[0].colonyname, "dev");
}

TEST_F(Operations, ExecDeadlineRequeuesUntilRetriesRunOut) {
    auto spec = cli_spec();
    spec["maxexectime"] = 10;
    spec["maxretries"] = 1;
    auto p = submit(spec);
    auto a = assign(kT0 + kSecond);
    ASSERT_TRUE(a.ok());
    ASSERT_TRUE(a->claimed);
    EXPECT_EQ(a->claimed->execdeadline.ns, kT0 + 11 * kSecond);

    EXPECT_EQ(sweep(kT0 + 10 * kSecond), 0);  // not yet
    EXPECT_EQ(sweep(kT0 + 12 * kSecond), 1);
    auto back = get(p.processid);
    EXPECT_EQ(back.state, ProcessState::Waiting);
    EXPECT_EQ(back.retries, 1);
    EXPECT_EQ(back.prioritytime, p.prioritytime);

    a = assign(kT0 + 13 * kSecond);
    ASSERT_TRUE(a.ok() && a->claimed);
    EXPECT_EQ(sweep(kT0 + 30 * kSecond), 1);
    auto failed = get(p.processid);
    EXPECT_EQ(failed.state, ProcessState::Failed);
    EXPECT_EQ(failed.errors, std::vector<std::string>{"Maximum execution time limit exceeded"});
}

TEST_F(Operations, UnlimitedRetriesKeepRequeueing) {
    auto spec = cli_spec();
    spec["maxexectime"] = 1;
    spec["maxretries"] = -1;
    auto p = submit(spec);
    for (int i = 1; i <= 3; ++i) {
        ASSERT_TRUE(assign(kT0 + i * 10 * kSecond)->claimed);
        EXPECT_EQ(sweep(kT0 + i * 10 * kSecond + 5 * kSecond), 1);
        EXPECT_EQ(get(p.processid).retries, i);
    }
    EXPECT_EQ(get(p.processid).state, ProcessState::Waiting);
}

TEST_F(Operations, WaitDeadlineFailsWaitingProcess) {
    auto spec = cli_spec();
    spec["maxwaittime"] = 5;
    auto p = submit(spec);
    EXPECT_EQ(sweep(kT0 + 4 * kSecond), 0);
    EXPECT_EQ(sweep(kT0 + 6 * kSecond), 1);
    auto failed = get(p.processid);
    EXPECT_EQ(failed.state, ProcessState::Failed);
    EXPECT_EQ(failed.errors, std::vector<std::string>{"Maximum waiting time limit exceeded"});
    EXPECT_FALSE(assign(kT0 + 7 * kSecond)->claimed);
}

TEST_F(Operations, CloseRulesFollowTheStateMachine) {
    auto p = submit(cli_spec());
    auto close = [&](const std::string& caller) {
        return run(op_close_successful, caller, {{"processid", p.processid}, {"out", {1}}}, kT0);
    };
    EXPECT_EQ(close(kExecutor).error().message,
              "Failed to close process as successful, process is not assigned");
    ASSERT_TRUE(assign(kT0)->claimed);
    auto cancel = run(op_cancel_process, kExecutor, {{"processid", p.processid}}, kT0);
    ASSERT_TRUE(cancel.ok());
    EXPECT_EQ(close(kExecutor).error().message, "Tried to set cancelled process as successful");
    // The refused close changed nothing, output included.
    auto after = get(p.processid);
    EXPECT_EQ(after.state, ProcessState::Cancelled);
    EXPECT_TRUE(after.out.empty());
}

}  // namespace

namespace {

TEST_F(Operations, SilentExecutorsAreUnregisteredAndTheirWorkRequeued) {
    auto p = submit(cli_spec());
    auto a = assign(kT0);  // heard from at kT0
    ASSERT_TRUE(a.ok()) << a.error().message;
    ASSERT_TRUE(a->claimed);
    int removed = 0;
    auto cleanup = [&](int64_t now_ns) {
        store_->run_sync([&](store::StoreTx& tx) {
            OpContext ctx{tx, "", Time::from_ns(now_ns), cfg_, "sweep", {}};
            removed = cleanup_stale_executors(ctx);
            return true;
        });
        return removed;
    };
    EXPECT_EQ(cleanup(kT0 + 599 * kSecond), 0);
    EXPECT_EQ(cleanup(kT0 + 601 * kSecond), 1);
    // Read the store directly: the unregistered executor is no longer a member.
    std::optional<Executor> e;
    std::optional<Process> back;
    store_->run_sync([&](store::StoreTx& tx) {
        e = tx.executor("dev", "exec1");
        back = tx.process(p.processid);
        return true;
    });
    ASSERT_TRUE(back);
    EXPECT_EQ(back->state, ProcessState::Waiting);
    EXPECT_FALSE(back->isassigned);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->state, ExecutorState::Unregistered);
    EXPECT_EQ(cleanup(kT0 + 1200 * kSecond), 0);  // already gone
}

}  // namespace

namespace {

TEST_F(Operations, FunctionRegistryCountsRunsAndOnlyTheOwnerRemoves) {
    auto added = run(
        op_add_function, kExecutor,
        {{"fun", {{"executorname", "exec1"}, {"colonyname", "dev"}, {"funcname", "echo"}}}}, kT0);
    ASSERT_TRUE(added.ok()) << added.error().message;
    auto fn = function_from_json(*added).value();
    EXPECT_EQ(fn.executortype, "cli");

    auto p = submit(cli_spec(), kT0);
    ASSERT_TRUE(assign(kT0 + 2 * kSecond)->claimed);
    auto closed =
        run(op_close_successful, kExecutor, {{"processid", p.processid}}, kT0 + 5 * kSecond);
    ASSERT_TRUE(closed.ok()) << closed.error().message;
    auto list = run(op_get_functions, kExecutor, {{"colonyname", "dev"}}, kT0);
    ASSERT_TRUE(list.ok());
    auto stats = function_from_json(list->as_array().at(0)).value();
    EXPECT_EQ(stats.counter, 1);
    EXPECT_DOUBLE_EQ(stats.avgwaittime, 2.0);
    EXPECT_DOUBLE_EQ(stats.avgexectime, 3.0);

    auto denied = run(op_remove_function, kColonyOwner, {{"functionid", fn.functionid}}, kT0);
    ASSERT_FALSE(denied.ok());
    auto removed = run(op_remove_function, kExecutor, {{"functionid", fn.functionid}}, kT0);
    ASSERT_TRUE(removed.ok()) << removed.error().message;
    auto gone = run(op_remove_function, kExecutor, {{"functionid", fn.functionid}}, kT0);
    ASSERT_FALSE(gone.ok());
    EXPECT_EQ(gone.error().status, 404);
}

}  // namespace

// Every transition goes through the state machine's table; these pin what the operations make
// of its answers: upstream's wording for refusals, and the effects of accepted transitions.
namespace {

TEST_F(Operations, RefusedClosesAndCancelsUseUpstreamWording) {
    auto claimed = [&] {
        auto p = submit(cli_spec());
        auto a = assign(kT0);
        EXPECT_TRUE(a.ok() && a->claimed && a->claimed->processid == p.processid);
        return p.processid;
    };
    auto call = [&](OpFn fn, const std::string& id) {
        return run(fn, kExecutor, {{"processid", id}, {"out", {1}}, {"errors", {"e"}}}, kT0);
    };
    auto refused = [&](OpFn fn, const std::string& id, const std::string& message) {
        auto r = call(fn, id);
        ASSERT_FALSE(r.ok()) << message;
        EXPECT_EQ(r.error().status, 400);
        EXPECT_EQ(r.error().message, message);
    };

    auto succeeded = claimed();
    ASSERT_TRUE(call(op_close_successful, succeeded).ok());
    ASSERT_TRUE(call(op_close_successful, succeeded).ok());  // a repeated close is accepted
    refused(op_close_failed, succeeded, "Tried to set successful process as failed");
    refused(op_cancel_process, succeeded, "Tried to cancel successful process");

    auto failed = claimed();
    ASSERT_TRUE(call(op_close_failed, failed).ok());
    refused(op_close_failed, failed, "Tried to set failed process as failed");
    refused(op_close_successful, failed, "Tried to set failed process as successful");
    refused(op_cancel_process, failed, "Tried to cancel failed process");
    EXPECT_EQ(get(failed).errors, std::vector<std::string>{"e"});

    auto cancelled = claimed();
    ASSERT_TRUE(call(op_cancel_process, cancelled).ok());
    refused(op_cancel_process, cancelled, "Tried to cancel already cancelled process");
    refused(op_close_failed, cancelled, "Tried to set cancelled process as failed");
    refused(op_close_successful, cancelled, "Tried to set cancelled process as successful");
    EXPECT_TRUE(get(cancelled).isassigned);  // cancel leaves the assignment (6.8)
}

TEST_F(Operations, StateNumbersOutsideTheRangeAreRefused) {
    auto list = [&](OpFn fn, int64_t state) {
        return run(fn, kExecutor, {{"colonyname", "dev"}, {"count", 10}, {"state", state}}, kT0);
    };
    auto remove_all = [&](OpFn fn, int64_t state) {
        return run(fn, kColonyOwner, {{"colonyname", "dev"}, {"state", state}}, kT0);
    };
    for (int64_t s : {-1, 5}) {
        EXPECT_EQ(list(op_get_processes, s).error().message,
                  "Failed to get processes, invalid msg.State");
        EXPECT_EQ(list(op_get_graphs, s).error().message, "invalid msg.State");
    }
    for (int64_t s : {0, 4}) {
        EXPECT_TRUE(list(op_get_processes, s).ok());
        EXPECT_TRUE(list(op_get_graphs, s).ok());
    }
    for (int64_t s : {-2, 5}) {
        EXPECT_EQ(remove_all(op_remove_all_processes, s).error().message,
                  "Invalid state when deleting all processes");
        EXPECT_EQ(remove_all(op_remove_all_graphs, s).error().message,
                  "invalid state when deleting all processgraphs");
    }
    EXPECT_EQ(remove_all(op_remove_all_processes, 1).error().message,
              "Not possible to remove running processes");
    EXPECT_EQ(remove_all(op_remove_all_graphs, 1).error().message,
              "not possible to remove running processgraphs");
    EXPECT_TRUE(remove_all(op_remove_all_processes, -1).ok());
    EXPECT_TRUE(remove_all(op_remove_all_graphs, 4).ok());
}

TEST_F(Operations, EnvAttributesCarryTheEnvTypeInTheirId) {
    auto spec = cli_spec();
    spec["env"] = {{"KEY", "value"}};
    auto p = submit(spec);
    ASSERT_EQ(p.attributes.size(), 1u);
    EXPECT_EQ(p.attributes[0].attributetype, AttributeType::Env);
    EXPECT_EQ(p.attributes[0].attributeid, crypto::sha3_256_hex(p.processid + "KEY" + "3"));
}

TEST_F(Operations, ExecutorRemovalRequeuesAndAnnouncesTheProcess) {
    auto p = submit(cli_spec());
    ASSERT_TRUE(assign(kT0)->claimed);
    Effects fx;
    auto r = run(op_remove_executor, kColonyOwner,
                 {{"colonyname", "dev"}, {"executorname", "exec1"}}, kT0 + kSecond, &fx);
    ASSERT_TRUE(r.ok()) << r.error().message;
    ASSERT_EQ(fx.events.size(), 1u);
    EXPECT_EQ(fx.events[0].processid, p.processid);
    EXPECT_EQ(fx.events[0].state, ProcessState::Waiting);
    EXPECT_TRUE(fx.events[0].starttime.is_zero());
    EXPECT_EQ(fx.events[0].retries, 0);
    EXPECT_EQ(fx.ready.size(), 1u);
}

class Workflows : public Operations {
  protected:
    // parent -> child, both for the test's executor; returns {parent id, child id}.
    std::pair<std::string, std::string> submit_pair() {
        auto node = [](const char* name, boost::json::array deps) {
            return boost::json::object{
                {"nodename", name},
                {"funcname", "echo"},
                {"conditions", {{"executortype", "cli"}, {"dependencies", std::move(deps)}}}};
        };
        boost::json::object spec{
            {"colonyname", "dev"},
            {"functionspecs", {node("parent", {}), node("child", {"parent"})}}};
        auto r = run(op_submit_workflow, kExecutor, {{"spec", spec}}, kT0);
        EXPECT_TRUE(r.ok()) << r.error().message;
        auto ids = r->as_object().at("processids").as_array();
        return {std::string(ids[0].as_string()), std::string(ids[1].as_string())};
    }
};

TEST_F(Workflows, SuccessReleasesTheChildAfterTheParentsEvent) {
    auto [parent, child] = submit_pair();
    ASSERT_EQ(assign(kT0)->claimed->processid, parent);
    Effects fx;
    ASSERT_TRUE(
        run(op_close_successful, kExecutor, {{"processid", parent}, {"out", {7}}}, kT0, &fx).ok());
    ASSERT_EQ(fx.events.size(), 2u);
    EXPECT_EQ(fx.events[0].processid, parent);
    EXPECT_EQ(fx.events[0].state, ProcessState::Success);
    EXPECT_EQ(fx.events[1].processid, child);
    EXPECT_EQ(fx.events[1].state, ProcessState::Waiting);
    EXPECT_FALSE(fx.events[1].waitforparents);
    ASSERT_EQ(fx.ready.size(), 1u);
    auto c = assign(kT0 + kSecond);
    ASSERT_TRUE(c->claimed);
    EXPECT_EQ(c->claimed->processid, child);
    EXPECT_EQ(c->claimed->in, (boost::json::array{7}));
}

TEST_F(Workflows, FailureCascadesToTheChildrenAfterTheParentsEvent) {
    auto [parent, child] = submit_pair();
    ASSERT_EQ(assign(kT0)->claimed->processid, parent);
    Effects fx;
    ASSERT_TRUE(run(op_close_failed, kExecutor, {{"processid", parent}, {"errors", {"x"}}},
                    kT0 + kSecond, &fx)
                    .ok());
    ASSERT_EQ(fx.events.size(), 2u);
    EXPECT_EQ(fx.events[0].processid, parent);
    EXPECT_EQ(fx.events[0].state, ProcessState::Failed);
    EXPECT_EQ(fx.events[1].processid, child);
    EXPECT_EQ(fx.events[1].state, ProcessState::Failed);
    EXPECT_TRUE(fx.events[1].errors.empty());  // state only (6.9.5)
    EXPECT_EQ(fx.events[1].endtime.ns, kT0 + kSecond);
    EXPECT_TRUE(fx.ready.empty());
    EXPECT_FALSE(assign(kT0 + 2 * kSecond)->claimed);
}

TEST_F(Workflows, CancelLeavesFinishedProcessesAlone) {
    auto [parent, child] = submit_pair();
    ASSERT_EQ(assign(kT0)->claimed->processid, parent);
    ASSERT_TRUE(run(op_close_successful, kExecutor, {{"processid", parent}}, kT0).ok());
    auto graph = get(parent).processgraphid;
    Effects fx;
    ASSERT_TRUE(
        run(op_cancel_graph, kExecutor, {{"processgraphid", graph}}, kT0 + kSecond, &fx).ok());
    ASSERT_EQ(fx.events.size(), 1u);
    EXPECT_EQ(fx.events[0].processid, child);
    EXPECT_EQ(fx.events[0].state, ProcessState::Cancelled);
    EXPECT_EQ(get(parent).state, ProcessState::Success);
    EXPECT_EQ(get(child).state, ProcessState::Cancelled);
}

}  // namespace
