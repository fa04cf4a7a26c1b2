// The five-minute walk of docs/blueprints.md through the real binary, on loopback: `colonies
// dev`, a definition (YAML) and a blueprint of kind ExecutorDeployment, the reconciler
// (`executor reconciler start`): 3 replicas appear; one killed comes back within a reconcile
// period; scaled to 2, two remain; removed, all go. The files are the document's own.
#include <gtest/gtest.h>
#include <signal.h>

#include <boost/json.hpp>
#include <regex>
#include <set>

#include "cli_support.hpp"

namespace colonies::it::cli {
namespace {

namespace json = boost::json;

// A fenced block of docs/blueprints.md that follows the line naming `file`.
std::string doc_block(const std::string& file) {
    const std::string doc = read_file(std::string(COLONIES_SOURCE_DIR) + "/docs/blueprints.md");
    auto at = doc.find("`" + file + "`:");
    if (at == std::string::npos) throw std::runtime_error(file + " is not in docs/blueprints.md");
    auto open = doc.find("```", at);
    auto body = doc.find('\n', open) + 1;
    auto close = doc.find("```", body);
    return doc.substr(body, close - body);
}

// The replicas the reconciler reported (status.instances), by executor name -> pid.
std::map<std::string, int> reported(DevServer& dev) {
    std::map<std::string, int> out;
    auto st = dev.run({"blueprint", "status", "--name", "web", "--json"});
    if (st.code != 0) return out;
    boost::system::error_code ec;
    auto v = json::parse(st.out, ec);
    if (ec || !v.is_object() || !v.as_object().contains("instances")) return out;
    for (const auto& i : v.at("instances").as_array())
        out[std::string(i.at("name").as_string())] = std::stoi(std::string(i.at("id").as_string()));
    return out;
}

// Approved executors deployed by blueprint `id`.
int deployed(DevServer& dev, const std::string& id) {
    auto ls = dev.run({"executor", "ls", "--json"});
    boost::system::error_code ec;
    auto v = json::parse(ls.out, ec);
    if (ec || !v.is_array()) return -1;
    int n = 0;
    for (const auto& e : v.as_array()) {
        const auto* bp = e.as_object().if_contains("blueprintid");
        if (bp && *bp == json::value(id) && e.at("state") == 1) ++n;
    }
    return n;
}

template <class F>
bool eventually(F ok, std::chrono::seconds limit) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
        if (ok()) return true;
        std::this_thread::sleep_for(250ms);
    }
    return ok();
}

TEST(CliBlueprint, FiveMinuteWalk) {
    DevServer dev;
    const Env& env = dev.env();
    write_file(dev.dir() + "/executor-deployment.yaml", doc_block("executor-deployment.yaml"));
    write_file(dev.dir() + "/web.json", doc_block("web.json"));

    auto def = dev.run(
        {"blueprint", "definition", "add", "--spec", dev.dir() + "/executor-deployment.yaml"});
    ASSERT_EQ(def.code, 0) << def.err;
    EXPECT_EQ(field(def.err, "Kind"), "ExecutorDeployment") << def.err;
    Child reconciler({"executor", "reconciler", "start", "--logdir", dev.dir()}, env, dev.dir(),
                     "reconciler");
    // The reconciler logs to stderr.
    ASSERT_TRUE(eventually(
        [&] { return reconciler.err().find("Reconciler started") != std::string::npos; }, 15s))
        << reconciler.err();

    auto add = dev.run({"blueprint", "add", "--spec", dev.dir() + "/web.json"});
    ASSERT_EQ(add.code, 0) << add.err;
    const std::string id = field(add.err, "BlueprintID");
    ASSERT_EQ(id.size(), 64u) << add.err;

    // Three replicas appear, registered with the blueprint's id and generation.
    ASSERT_TRUE(eventually([&] { return deployed(dev, id) == 3; }, 60s))
        << reconciler.err() << dev.run({"executor", "ls"}).out;
    ASSERT_TRUE(eventually([&] { return reported(dev).size() == 3; }, 30s)) << reconciler.err();
    auto ls = dev.run({"blueprint", "ls"});
    EXPECT_NE(ls.out.find("3/3"), std::string::npos) << ls.out;

    // Kill one: the next reconcile (the cron every 5 s) replaces it.
    auto before = reported(dev);
    const auto victim = before.begin();
    ASSERT_EQ(::kill(victim->second, SIGKILL), 0);
    ASSERT_TRUE(eventually(
        [&] {
            auto now = reported(dev);
            return now.size() == 3 && !now.count(victim->first) && deployed(dev, id) == 3;
        },
        45s))
        << reconciler.err();

    // Scale to 2.
    auto set = dev.run({"blueprint", "set", "--name", "web", "--key", "replicas", "--value", "2"});
    ASSERT_EQ(set.code, 0) << set.err;
    ASSERT_TRUE(
        eventually([&] { return deployed(dev, id) == 2 && reported(dev).size() == 2; }, 60s))
        << reconciler.err();
    ls = dev.run({"blueprint", "ls"});
    EXPECT_NE(ls.out.find("2/2"), std::string::npos) << ls.out;
    auto hist = dev.run({"blueprint", "history", "--name", "web"});
    EXPECT_NE(hist.out.find("update"), std::string::npos) << hist.out;

    // Remove: every replica goes.
    auto last = reported(dev);
    auto rm = dev.run({"blueprint", "remove", "--name", "web"});
    ASSERT_EQ(rm.code, 0) << rm.err;
    ASSERT_TRUE(eventually([&] { return deployed(dev, id) == 0; }, 60s)) << reconciler.err();
    for (const auto& [name, pid] : last)
        EXPECT_TRUE(eventually([&] { return ::kill(pid, 0) != 0; }, 20s)) << name;

    reconciler.signal(SIGTERM);
    EXPECT_EQ(reconciler.wait(30s), 0) << reconciler.err();
    EXPECT_EQ(dev.stop(), 0);
}

}  // namespace
}  // namespace colonies::it::cli
