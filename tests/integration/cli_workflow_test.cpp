// The diamond workflow of docs/workflows.md (a -> b, c -> d) through the real binary:
// `workflow submit`, `workflow psw/get/pss`, `process wait` (WebSocket subscription) and
// `executor os start` running the four echo commands; then cancel, remove and removeall.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "cli_support.hpp"

namespace colonies::it::cli {
namespace {

// The exact file of docs/workflows.md.
const char* kDiamond = R"([
  {
    "nodename": "a",
    "funcname": "echo",
    "args": ["a"],
    "conditions": {"executortype": "cli", "dependencies": []}
  },
  {
    "nodename": "b",
    "funcname": "echo",
    "args": ["b"],
    "conditions": {"executortype": "cli", "dependencies": ["a"]}
  },
  {
    "nodename": "c",
    "funcname": "echo",
    "args": ["c"],
    "conditions": {"executortype": "cli", "dependencies": ["a"]}
  },
  {
    "nodename": "d",
    "funcname": "echo",
    "args": ["d"],
    "conditions": {"executortype": "cli", "dependencies": ["b", "c"]}
  }
]
)";

boost::json::object graph_json(const DevServer& dev, const std::string& id) {
    auto r = dev.run({"workflow", "get", "--workflowid", id, "--json"});
    EXPECT_EQ(r.code, 0) << r.err;
    boost::system::error_code ec;
    auto v = boost::json::parse(r.out, ec);
    if (ec || !v.is_object()) {
        ADD_FAILURE() << "not a JSON object: " << r.out;
        return {};
    }
    return v.get_object();
}

TEST(CliWorkflow, DiamondRunsToSuccess) {
    DevServer dev;
    const std::string spec = dev.dir() + "/diamond.json";
    write_file(spec, kDiamond);

    auto submit = dev.run({"workflow", "submit", "--spec", spec});
    ASSERT_EQ(submit.code, 0) << submit.err;
    const std::string id = field(submit.err, "WorkflowID");
    ASSERT_EQ(id.size(), 64u) << submit.err;

    auto psw = dev.run({"workflow", "psw", "-i"});  // whole ids
    ASSERT_EQ(psw.code, 0) << psw.err;
    EXPECT_NE(psw.out.find(id), std::string::npos) << psw.out;

    auto get = dev.run({"workflow", "get", "--workflowid", id, "-i"});  // whole process ids
    ASSERT_EQ(get.code, 0) << get.err;
    EXPECT_NE(get.out.find("Processes:"), std::string::npos) << get.out;
    EXPECT_NE(get.out.find("Waiting"), std::string::npos) << get.out;

    auto g = graph_json(dev, id);
    ASSERT_TRUE(g.contains("processids"));
    const auto& pids = g.at("processids").as_array();
    ASSERT_EQ(pids.size(), 4u);
    // processids is not in spec order: find the nodes by their spec's nodename.
    std::map<std::string, std::string> node;  // nodename -> process id
    for (const auto& pid : pids) {
        const std::string id_s(pid.as_string());
        auto p = dev.run({"process", "get", "-p", id_s, "--json"});
        ASSERT_EQ(p.code, 0) << p.err;
        auto pv = boost::json::parse(p.out);
        node[std::string(pv.at("spec").at("nodename").as_string())] = id_s;
        EXPECT_EQ(get.out.find(id_s) != std::string::npos, true) << get.out;
    }
    ASSERT_EQ(node.size(), 4u);
    const std::string a = node["a"], d = node["d"];
    EXPECT_EQ(g.at("state").as_int64(), 0);

    // Nothing runs yet: a short wait times out with an error.
    auto early = dev.run({"process", "wait", "-p", d, "--timeout", "1"});
    EXPECT_EQ(early.code, 255) << early.err;
    EXPECT_NE(early.err.find("Error: "), std::string::npos) << early.err;

    // A waiter started before the executor sees d become successful.
    Child waiter({"process", "wait", "-p", d, "--timeout", "30"}, dev.env(), dev.dir(), "waiter");
    std::this_thread::sleep_for(300ms);
    Child executor({"executor", "os", "start", "--name", "wfexecutor", "--executortype", "cli"},
                   dev.env(), dev.dir(), "executor");
    EXPECT_EQ(waiter.wait(30s), 0) << waiter.err() << executor.err();

    // The graph is resolved in the same step as d's close.
    int64_t state = -1;
    for (int i = 0; i < 50 && state != 2; ++i) {
        state = graph_json(dev, id).at("state").as_int64();
        if (state != 2) std::this_thread::sleep_for(100ms);
    }
    EXPECT_EQ(state, 2);

    auto pss = dev.run({"workflow", "pss", "-i"});
    EXPECT_EQ(pss.code, 0) << pss.err;
    EXPECT_NE(pss.out.find(id), std::string::npos) << pss.out;
    auto pssj = dev.run({"workflow", "pss", "--json"});
    EXPECT_EQ(pssj.code, 0) << pssj.err;
    EXPECT_NE(pssj.out.find(id), std::string::npos) << pssj.out;

    auto done = dev.run({"workflow", "get", "--workflowid", id});
    EXPECT_EQ(done.code, 0) << done.err;
    EXPECT_NE(done.out.find("Successful"), std::string::npos) << done.out;
    EXPECT_EQ(done.out.find("Waiting"), std::string::npos) << done.out;

    auto out = dev.run({"process", "get", "-p", d, "--out"});
    EXPECT_EQ(out.out, "d\n") << out.err;

    // Already there: at once. Ended otherwise: an error at once, not a timeout.
    auto again = dev.run({"process", "wait", "-p", a});
    EXPECT_EQ(again.code, 0) << again.err;
    auto never = dev.run({"process", "wait", "-p", a, "--state", "failed", "--timeout", "30"});
    EXPECT_EQ(never.code, 255);
    EXPECT_NE(never.err.find("ended Successful"), std::string::npos) << never.err;
    auto bad = dev.run({"process", "wait", "-p", a, "--state", "done"});
    EXPECT_EQ(bad.code, 1) << bad.err;

    executor.signal(SIGTERM);
    EXPECT_EQ(executor.wait(10s), 0) << executor.err();

    // removeall --successful (colony owner key, confirmed with YES) empties the listing.
    auto ra = dev.run({"workflow", "removeall", "--successful"}, "YES\n");
    EXPECT_EQ(ra.code, 0) << ra.err;
    auto gone = dev.run({"workflow", "get", "--workflowid", id});
    EXPECT_EQ(gone.code, 255);
    EXPECT_NE(gone.err.find("Workflow not found"), std::string::npos) << gone.err;
}

TEST(CliWorkflow, CancelAndRemove) {
    DevServer dev;
    const std::string spec = dev.dir() + "/diamond.json";
    write_file(spec, kDiamond);  // no executor of type cli: stays waiting
    auto submit = dev.run({"workflow", "submit", "--spec", spec});
    ASSERT_EQ(submit.code, 0) << submit.err;
    const std::string id = field(submit.err, "WorkflowID");
    ASSERT_EQ(id.size(), 64u) << submit.err;

    auto cancel = dev.run({"workflow", "cancel", "--workflowid", id});
    EXPECT_EQ(cancel.code, 0) << cancel.err;
    EXPECT_NE(cancel.err.find("Workflow cancelled"), std::string::npos) << cancel.err;
    EXPECT_EQ(graph_json(dev, id).at("state").as_int64(), 4);
    auto psc = dev.run({"workflow", "psc", "-i"});
    EXPECT_NE(psc.out.find(id), std::string::npos) << psc.out << psc.err;
    auto psw = dev.run({"workflow", "psw"});
    EXPECT_EQ(psw.code, 0);
    EXPECT_NE(psw.err.find("No waiting workflows found"), std::string::npos) << psw.err;

    auto remove = dev.run({"workflow", "remove", "--workflowid", id});
    EXPECT_EQ(remove.code, 0) << remove.err;
    auto gone = dev.run({"workflow", "get", "--workflowid", id});
    EXPECT_EQ(gone.code, 255);

    // A single function spec is refused with a hint.
    write_file(dev.dir() + "/one.json",
               R"({"conditions": {"executortype": "cli"}, "funcname": "echo"})");
    auto one = dev.run({"workflow", "submit", "--spec", dev.dir() + "/one.json"});
    EXPECT_EQ(one.code, 255);
    EXPECT_NE(one.err.find("colonies function submit"), std::string::npos) << one.err;
}

}  // namespace
}  // namespace colonies::it::cli
