// Generators (features.md 2) against a real server: workflows start by count and by timeout with
// the packed arguments as their roots' args in FIFO order, the messages' errors are upstream's,
// and a kill -9 right after packing neither loses nor doubles an argument.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <thread>

#include "core/json.hpp"
#include "harness.hpp"

namespace colonies::it {
namespace {

using Strings = std::vector<std::string>;
const std::string& kKey = DevIdentity::executor_prvkey;

bool eventually(const std::function<bool()>& cond,
                std::chrono::milliseconds limit = std::chrono::milliseconds(8000)) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
        if (cond()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return cond();
}

ServerConfig fast_generators() {
    ServerConfig cfg;
    cfg.extra_env = {{"COLONIES_GENERATOR_CHECKER_PERIOD", "100"}};
    return cfg;
}

class Generators : public ::testing::Test {
  protected:
    void SetUp() override {
        c_ = std::make_unique<client::Client>(server_.make_client());
        Fixture::setup_dev(*c_);
    }

    // Root "a" (with its own args and kwargs, which a generator replaces) and child "b".
    static std::string workflow_text() {
        auto a = Fixture::simple_spec("dev", "cli", "fn_a");
        a.nodename = "a";
        a.args = {"own"};
        a.kwargs = {{"k", "v"}};
        auto b = Fixture::simple_spec("dev", "cli", "fn_b");
        b.nodename = "b";
        b.args = {"child"};
        b.conditions.dependencies = {"a"};
        return to_text(to_json(WorkflowSpec{"dev", {a, b}}));
    }

    Result<Generator> add(const std::string& name, int64_t trigger, int64_t timeout = -1,
                          const std::string& key = kKey) {
        Generator g;
        g.colonyname = "dev";
        g.name = name;
        g.workflowspec = workflow_text();
        g.trigger = trigger;
        g.timeout = timeout;
        return c_->add_generator(g, key);
    }

    void pack(const std::string& id, const Strings& args) {
        for (const auto& a : args) ASSERT_TRUE(c_->pack_generator(id, a, kKey).ok()) << a;
    }

    // Every waiting graph of the colony as the args of its root, oldest submission first.
    std::vector<Strings> root_args_of_graphs() {
        auto r = c_->call("getprocessgraphsmsg",
                          {{"colonyname", "dev"}, {"count", 100}, {"state", 0}}, kKey);
        EXPECT_TRUE(r.ok()) << r.error().message;
        std::vector<std::pair<Time, Strings>> found;
        if (!r.ok() || !r->is_array()) return {};
        for (const auto& v : r->get_array()) {
            auto g = process_graph_from_json(v);
            EXPECT_TRUE(g.ok());
            if (!g.ok() || g->rootprocessids.size() != 1) continue;
            auto root = c_->get_process(g->rootprocessids[0], kKey);
            EXPECT_TRUE(root.ok());
            if (!root.ok()) continue;
            Strings args;
            for (const auto& a : root->spec.args) args.emplace_back(a.as_string());
            found.emplace_back(root->submissiontime, std::move(args));
        }
        std::sort(found.begin(), found.end());
        std::vector<Strings> out;
        for (auto& [_, args] : found) out.push_back(std::move(args));
        return out;
    }

    size_t graph_count() { return root_args_of_graphs().size(); }

    ServerProcess server_{fast_generators()};
    std::unique_ptr<client::Client> c_;
};

TEST_F(Generators, TwoPacksWithTriggerTwoStartOneWorkflowWithThemAsRootArgs) {
    auto g = add("batch", 2);
    ASSERT_TRUE(g.ok()) << g.error().message;
    EXPECT_EQ(g->generatorid.size(), 64u);
    EXPECT_EQ(g->initiatorid, DevIdentity::executor_id);
    EXPECT_EQ(g->initiatorname, "exec1");
    EXPECT_TRUE(g->firstpack.is_zero());
    pack(g->generatorid, {"first"});
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
    EXPECT_EQ(graph_count(), 0u);  // below the trigger, no timeout
    auto before = c_->get_generator(g->generatorid, kKey);
    ASSERT_TRUE(before.ok());
    EXPECT_EQ(before->queuesize, 1);
    EXPECT_EQ(before->checkerperiod, 100);
    EXPECT_FALSE(before->firstpack.is_zero());

    pack(g->generatorid, {"second"});
    ASSERT_TRUE(eventually([&] { return graph_count() == 1; }));
    std::this_thread::sleep_for(std::chrono::milliseconds(400));  // and no second one
    auto graphs = root_args_of_graphs();
    ASSERT_EQ(graphs.size(), 1u);
    EXPECT_EQ(graphs[0], (Strings{"first", "second"}));

    // The root's kwargs are emptied (upstream), the child keeps its args, the initiator is the
    // generator's.
    auto r =
        c_->call("getprocessgraphsmsg", {{"colonyname", "dev"}, {"count", 10}, {"state", 0}}, kKey);
    ASSERT_TRUE(r.ok());
    auto graph = process_graph_from_json(r->as_array().at(0));
    ASSERT_TRUE(graph.ok());
    EXPECT_EQ(graph->initiatorname, "exec1");
    for (const auto& pid : graph->processids) {
        auto p = c_->get_process(pid, kKey);
        ASSERT_TRUE(p.ok());
        if (p->spec.nodename == "a") {
            EXPECT_TRUE(p->spec.kwargs.empty());
            EXPECT_TRUE(p->in.empty());
        } else {
            EXPECT_EQ(p->spec.args, (boost::json::array{"child"}));
        }
        EXPECT_EQ(p->initiatorid, DevIdentity::executor_id);
    }
    auto after = c_->get_generator(g->generatorid, kKey);
    ASSERT_TRUE(after.ok());
    EXPECT_EQ(after->queuesize, 0);
    EXPECT_FALSE(after->lastrun.is_zero());
    EXPECT_EQ(after->firstpack, before->firstpack);  // never reset
}

TEST_F(Generators, FivePacksWithTriggerTwoStartTwoWorkflowsAndLeaveOne) {
    auto g = add("pairs", 2);
    ASSERT_TRUE(g.ok()) << g.error().message;
    pack(g->generatorid, {"a0", "a1", "a2", "a3", "a4"});
    ASSERT_TRUE(eventually([&] { return graph_count() == 2; }));
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
    auto graphs = root_args_of_graphs();
    ASSERT_EQ(graphs.size(), 2u);
    std::set<Strings> got(graphs.begin(), graphs.end());
    EXPECT_EQ(got, (std::set<Strings>{{"a0", "a1"}, {"a2", "a3"}}));
    EXPECT_EQ(c_->get_generator(g->generatorid, kKey)->queuesize, 1);
}

TEST_F(Generators, TimeoutStartsOneWorkflowWithTheLeftovers) {
    auto g = add("slow", 10, 1);
    ASSERT_TRUE(g.ok()) << g.error().message;
    pack(g->generatorid, {"x", "y", "z"});
    EXPECT_EQ(graph_count(), 0u);
    ASSERT_TRUE(eventually([&] { return graph_count() == 1; }));
    EXPECT_EQ(root_args_of_graphs()[0], (Strings{"x", "y", "z"}));
    EXPECT_EQ(c_->get_generator(g->generatorid, kKey)->queuesize, 0);
    // After a run the timeout counts from lastrun: one late argument fires once more, alone.
    pack(g->generatorid, {"late"});
    ASSERT_TRUE(eventually([&] { return graph_count() == 2; }));
    EXPECT_EQ(root_args_of_graphs()[1], (Strings{"late"}));
}

TEST_F(Generators, GetListResolveAndRemove) {
    auto g1 = add("one", 5);
    auto g2 = add("two", 5);
    ASSERT_TRUE(g1.ok() && g2.ok());
    pack(g1->generatorid, {"p"});
    auto list = c_->get_generators("dev", 20, kKey);
    ASSERT_TRUE(list.ok());
    ASSERT_EQ(list->size(), 2u);
    EXPECT_EQ((*list)[0].name, "one");
    EXPECT_EQ((*list)[1].name, "two");
    EXPECT_EQ(c_->get_generators("dev", 1, kKey)->size(), 1u);
    auto byname = c_->resolve_generator("dev", "two", kKey);
    ASSERT_TRUE(byname.ok());
    EXPECT_EQ(byname->generatorid, g2->generatorid);
    auto missing = c_->resolve_generator("dev", "nope", kKey);
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error().status, 500);
    EXPECT_EQ(missing.error().message, "Failed to resolve generator, generator is nil");

    ASSERT_TRUE(c_->remove_generator(g1->generatorid, kKey).ok());
    auto gone = c_->get_generator(g1->generatorid, kKey);
    ASSERT_FALSE(gone.ok());
    EXPECT_EQ(gone.error().message, "Failed to get generator, generator is nil");
    auto packed = c_->pack_generator(g1->generatorid, "q", kKey);
    ASSERT_FALSE(packed.ok());
    EXPECT_EQ(packed.error().message, "Failed to increment generator, generator is nil");
    auto removed = c_->remove_generator(g1->generatorid, kKey);
    ASSERT_FALSE(removed.ok());
    EXPECT_EQ(removed.error().message, "Failed to remove generator, generator is nil");
    // The name is free again and the new generator starts with an empty queue.
    auto again = add("one", 5);
    ASSERT_TRUE(again.ok()) << again.error().message;
    EXPECT_EQ(c_->get_generator(again->generatorid, kKey)->queuesize, 0);
    EXPECT_EQ(c_->get_generators("dev", 20, kKey)->size(), 2u);
}

TEST_F(Generators, BadGeneratorsAreRefusedAndNothingIsStored) {
    auto expect_400 = [&](Result<Generator> r, const std::string& text) {
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.error().status, 400);
        EXPECT_EQ(r.error().message, text);
    };
    expect_400(add("zero", 0), "Failed to add generator, trigger must be at least 1");
    ASSERT_TRUE(add("dup", 1).ok());
    expect_400(add("dup", 3), "Generator with name <dup> in Colony <dev> already exists");
    Generator bad;
    bad.colonyname = "dev";
    bad.name = "broken";
    bad.trigger = 1;
    bad.workflowspec = R"({"colonyname":"dev","functionspecs":[{"nodename":"a",
        "funcname":"f","conditions":{"executortype":"cli","dependencies":["nope"]}}]})";
    expect_400(c_->add_generator(bad, kKey),
               "Failed to submit workflow, invalid dependencies, are you depending on a "
               "nodename that does not exits?");
    bad.workflowspec = "not json";
    auto r = c_->add_generator(bad, kKey);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().status, 400);
    bad.workflowspec = R"({"colonyname":"other","functionspecs":[]})";
    r = c_->add_generator(bad, kKey);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().status, 400);
    auto nil = c_->call("addgeneratormsg", {}, kKey);
    ASSERT_FALSE(nil.ok());
    EXPECT_EQ(nil.error().message, "Failed to add generator, msg.Generator is nil");
    auto list = c_->get_generators("dev", 20, kKey);
    ASSERT_TRUE(list.ok());
    ASSERT_EQ(list->size(), 1u);
    EXPECT_EQ((*list)[0].name, "dup");
    EXPECT_TRUE(c_->get_generators("dev", 0, kKey)->empty());
}

TEST_F(Generators, NonMembersAreRefused) {
    auto g = add("mine", 5);
    ASSERT_TRUE(g.ok());
    const auto stranger = Identity::fresh();
    const std::string denied = "Access denied, not a member of Colony with name <dev>";
    auto expect_403 = [&](const Error& e) {
        EXPECT_EQ(e.status, 403);
        EXPECT_NE(e.message.find("Access denied"), std::string::npos) << e.message;
    };
    expect_403(add("theirs", 1, -1, stranger.prvkey).error());
    expect_403(c_->get_generator(g->generatorid, stranger.prvkey).error());
    expect_403(c_->get_generators("dev", 10, stranger.prvkey).error());
    expect_403(c_->resolve_generator("dev", "mine", stranger.prvkey).error());
    expect_403(c_->pack_generator(g->generatorid, "x", stranger.prvkey).error());
    expect_403(c_->remove_generator(g->generatorid, stranger.prvkey).error());
    auto still = c_->get_generator(g->generatorid, kKey);
    ASSERT_TRUE(still.ok());
    EXPECT_EQ(still->queuesize, 0);  // the refused pack queued nothing
    EXPECT_EQ(c_->get_generators("dev", 10, kKey)->size(), 1u);
}

// kill -9 right after the packs were acknowledged, while the leader's pass may be running: after
// the restart every packed argument is in exactly one workflow or still queued, in FIFO order.
TEST_F(Generators, KillNineAfterPacksNeitherLosesNorDoublesAnArgument) {
    auto g = add("crash", 3);
    ASSERT_TRUE(g.ok());
    Strings packed;
    for (int round = 0; round < 3; ++round) {
        for (int i = 0; i < 10; ++i) {
            packed.push_back("r" + std::to_string(round) + "-" + std::to_string(i));
            ASSERT_TRUE(c_->pack_generator(g->generatorid, packed.back(), kKey).ok());
        }
        server_.kill9();
        server_.restart();
        c_ = std::make_unique<client::Client>(server_.make_client());
    }
    // Settled: fewer than a trigger's worth left.
    ASSERT_TRUE(eventually([&] {
        auto now = c_->get_generator(g->generatorid, kKey);
        return now.ok() && now->queuesize < 3;
    }));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    Strings started;
    for (const auto& args : root_args_of_graphs()) {
        EXPECT_EQ(args.size(), 3u);
        started.insert(started.end(), args.begin(), args.end());
    }
    std::sort(started.begin(), started.end());
    EXPECT_TRUE(std::adjacent_find(started.begin(), started.end()) == started.end())
        << "an argument started twice";
    const auto queued = c_->get_generator(g->generatorid, kKey)->queuesize;
    EXPECT_EQ(static_cast<int64_t>(started.size()) + queued, 30);
    // FIFO: the started ones are the oldest packed.
    Strings oldest(packed.begin(), packed.begin() + static_cast<long>(started.size()));
    std::sort(oldest.begin(), oldest.end());
    EXPECT_EQ(started, oldest);
}

}  // namespace
}  // namespace colonies::it
