// Workflows (protocol.md 6.9): validation, ordering by dependencies, data flow, failure cascade,
// cancel and dynamic children, against a real server.
#include <gtest/gtest.h>

#include <set>

#include "core/json.hpp"
#include "harness.hpp"

namespace colonies::it {
namespace {

class Workflows : public ::testing::Test {
  protected:
    void SetUp() override {
        c_ = std::make_unique<client::Client>(server_.make_client());
        Fixture::setup_dev(*c_);
    }
    static FunctionSpec node(const std::string& name, std::vector<std::string> deps = {}) {
        auto s = Fixture::simple_spec("", "cli", "fn_" + name);
        s.nodename = name;
        s.conditions.dependencies = std::move(deps);
        return s;
    }
    Result<ProcessGraph> submit(std::vector<FunctionSpec> specs) {
        return c_->submit_workflow(WorkflowSpec{"dev", std::move(specs)},
                                   DevIdentity::executor_prvkey);
    }
    // Assign one process (must exist now) and close it with `out`.
    Process run_one(boost::json::array out) {
        auto p = c_->assign("dev", 2, DevIdentity::executor_prvkey);
        EXPECT_TRUE(p.ok()) << p.error().message;
        if (!p.ok()) return {};
        EXPECT_TRUE(c_->close_successful(p->processid, out, DevIdentity::executor_prvkey).ok());
        return *p;
    }
    bool nothing_assignable() { return !c_->assign("dev", -1, DevIdentity::executor_prvkey).ok(); }
    ProcessGraph graph(const std::string& id) {
        auto g = c_->get_process_graph(id, DevIdentity::executor_prvkey);
        EXPECT_TRUE(g.ok()) << g.error().message;
        return g.ok() ? *g : ProcessGraph{};
    }

    ServerProcess server_;
    std::unique_ptr<client::Client> c_;
};

TEST_F(Workflows, DiamondRunsInDependencyOrderAndOutputsFlow) {
    auto g = submit({node("a"), node("b", {"a"}), node("c", {"a"}), node("d", {"b", "c"})});
    ASSERT_TRUE(g.ok()) << g.error().message;
    EXPECT_EQ(g->rootprocessids.size(), 1u);
    EXPECT_EQ(g->processids.size(), 4u);
    EXPECT_EQ(g->state, ProcessState::Waiting);

    auto a = run_one({"from-a"});
    EXPECT_EQ(a.spec.nodename, "a");
    EXPECT_EQ(graph(g->processgraphid).state, ProcessState::Running);
    auto first = run_one({"x"});
    auto second = run_one({"y"});
    std::set<std::string> middle{first.spec.nodename, second.spec.nodename};
    EXPECT_EQ(middle, (std::set<std::string>{"b", "c"}));
    EXPECT_EQ(first.in, (boost::json::array{"from-a"}));

    auto d = c_->assign("dev", 2, DevIdentity::executor_prvkey);
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(d->spec.nodename, "d");
    // in = parents' outputs in the order of `dependencies` (b, then c).
    auto expected =
        first.spec.nodename == "b" ? boost::json::array{"x", "y"} : boost::json::array{"y", "x"};
    EXPECT_EQ(d->in, expected);
    ASSERT_TRUE(c_->close_successful(d->processid, {}, DevIdentity::executor_prvkey));
    auto done = graph(g->processgraphid);
    EXPECT_EQ(done.state, ProcessState::Success);
    EXPECT_FALSE(done.endtime.is_zero());
    EXPECT_EQ(done.nodes.size(), 4u);
    EXPECT_EQ(done.edges.size(), 4u);
}

TEST_F(Workflows, ChildWaitsForAllParents) {
    auto g = submit({node("a"), node("b"), node("c", {"a", "b"})});
    ASSERT_TRUE(g.ok());
    run_one({});
    // b still WAITING: only b may be assigned, not c.
    auto next = run_one({});
    EXPECT_NE(next.spec.nodename, "c");
    auto c = c_->assign("dev", 2, DevIdentity::executor_prvkey);
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(c->spec.nodename, "c");
}

TEST_F(Workflows, FanOutAndFanIn) {
    std::vector<FunctionSpec> specs{node("root")};
    std::vector<std::string> leaves;
    for (int i = 0; i < 100; ++i) {
        specs.push_back(node("n" + std::to_string(i), {"root"}));
        leaves.push_back("n" + std::to_string(i));
    }
    specs.push_back(node("join", leaves));
    auto g = submit(specs);
    ASSERT_TRUE(g.ok()) << g.error().message;
    run_one({0});
    for (int i = 0; i < 100; ++i) {
        auto p = run_one({i});
        ASSERT_NE(p.spec.nodename, "join") << "join ran before all parents finished";
    }
    auto join = c_->assign("dev", 2, DevIdentity::executor_prvkey);
    ASSERT_TRUE(join.ok());
    EXPECT_EQ(join->spec.nodename, "join");
    EXPECT_EQ(join->in.size(), 100u);
}

TEST_F(Workflows, FailureInTheMiddleFailsTheRest) {
    auto g = submit({node("a"), node("b", {"a"}), node("c", {"b"})});
    ASSERT_TRUE(g.ok());
    run_one({});
    auto b = c_->assign("dev", 2, DevIdentity::executor_prvkey);
    ASSERT_TRUE(b.ok());
    ASSERT_TRUE(c_->close_failed(b->processid, {"broken"}, DevIdentity::executor_prvkey));
    EXPECT_TRUE(nothing_assignable());
    auto done = graph(g->processgraphid);
    EXPECT_EQ(done.state, ProcessState::Failed);
    auto c = c_->get_process(done.processids.back(), DevIdentity::executor_prvkey);
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(c->state, ProcessState::Failed);
}

TEST_F(Workflows, InvalidSpecsAreRejectedAndCreateNothing) {
    auto expect_400 = [&](std::vector<FunctionSpec> specs, const std::string& message_part) {
        auto g = submit(std::move(specs));
        ASSERT_FALSE(g.ok());
        EXPECT_EQ(g.error().status, 400);
        EXPECT_NE(g.error().message.find(message_part), std::string::npos) << g.error().message;
    };
    expect_400({node("a"), node("b", {"nope"})}, "invalid dependencies");
    expect_400({node("a", {"b"}), node("b", {"a"})}, "cycle");
    expect_400({node("a"), node("a")}, "Duplicate nodename: a");
    expect_400({node("")}, "Nodename is missing");
    expect_400({}, "no function specs");
    auto bad_priority = node("p");
    bad_priority.priority = 60000;
    expect_400({bad_priority}, "priority");
    EXPECT_TRUE(nothing_assignable());
    auto st = c_->get_colony_statistics("dev", DevIdentity::executor_prvkey);
    ASSERT_TRUE(st.ok());
    EXPECT_EQ(st->waitingworkflows, 0);
    EXPECT_EQ(st->waitingprocesses, 0);
}

TEST_F(Workflows, CancelStopsAGraphAndRemoveDeletesIt) {
    auto g = submit({node("a"), node("b", {"a"})});
    ASSERT_TRUE(g.ok());
    auto a = c_->assign("dev", 2, DevIdentity::executor_prvkey);
    ASSERT_TRUE(a.ok());
    auto cancel = c_->call("cancelprocessgraphmsg", {{"processgraphid", g->processgraphid}},
                           DevIdentity::executor_prvkey);
    ASSERT_TRUE(cancel.ok()) << cancel.error().message;
    EXPECT_EQ(graph(g->processgraphid).state, ProcessState::Cancelled);
    EXPECT_TRUE(nothing_assignable());
    auto late = c_->close_successful(a->processid, {}, DevIdentity::executor_prvkey);
    EXPECT_FALSE(late.ok());
    auto again = c_->call("cancelprocessgraphmsg", {{"processgraphid", g->processgraphid}},
                          DevIdentity::executor_prvkey);
    EXPECT_FALSE(again.ok());

    auto removed = c_->call("removeprocessgraphmsg", {{"processgraphid", g->processgraphid}},
                            DevIdentity::executor_prvkey);
    ASSERT_TRUE(removed.ok()) << removed.error().message;
    EXPECT_FALSE(c_->get_process(a->processid, DevIdentity::executor_prvkey).ok());
}

TEST_F(Workflows, RunningProcessAddsADynamicChild) {
    auto g = submit({node("a"), node("z", {"a"})});
    ASSERT_TRUE(g.ok());
    auto a = c_->assign("dev", 2, DevIdentity::executor_prvkey);
    ASSERT_TRUE(a.ok());
    auto spec = node("inserted");
    boost::json::object msg{{"processgraphid", g->processgraphid},
                            {"parentprocessid", a->processid},
                            {"childprocessid", ""},
                            {"insert", true},
                            {"spec", to_json(spec)}};
    auto child = c_->call("addchildmsg", msg, DevIdentity::executor_prvkey);
    ASSERT_TRUE(child.ok()) << child.error().message;
    ASSERT_TRUE(c_->close_successful(a->processid, {"a-out"}, DevIdentity::executor_prvkey));
    // The inserted child runs next, then z.
    auto next = run_one({"child-out"});
    EXPECT_EQ(next.spec.nodename, "inserted");
    EXPECT_EQ(next.in, (boost::json::array{"a-out"}));
    auto z = c_->assign("dev", 2, DevIdentity::executor_prvkey);
    ASSERT_TRUE(z.ok());
    EXPECT_EQ(z->spec.nodename, "z");
    EXPECT_EQ(z->in, (boost::json::array{"child-out"}));
}

}  // namespace
}  // namespace colonies::it
