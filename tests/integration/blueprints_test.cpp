// Blueprints (features.md 6, protocol.md 5.14) through the SDK and raw messages: reply shapes,
// upstream's errors and texts, who may do what, the schema check, generations, history, the
// reconcile cron and the reconciliation and cleanup processes.
#include <gtest/gtest.h>

#include "client/blueprints.hpp"
#include "core/json.hpp"
#include "harness.hpp"

namespace colonies::it {
namespace {

namespace json = boost::json;

class Blueprints : public ::testing::Test {
  protected:
    void SetUp() override { Fixture::setup_dev(c); }

    template <class T>
    void expect_error(const Result<T>& r, int status, const std::string& message) {
        ASSERT_FALSE(r.ok()) << "accepted; expected " << message;
        EXPECT_EQ(r.error().status, status);
        EXPECT_EQ(r.error().message, message);
    }
    void expect_error(const Status& s, int status, const std::string& message) {
        ASSERT_FALSE(s.ok()) << "accepted; expected " << message;
        EXPECT_EQ(s.error().status, status);
        EXPECT_EQ(s.error().message, message);
    }

    static json::object definition_json(const std::string& name, const std::string& kind) {
        return json::parse(R"({"kind":"BlueprintDefinition","metadata":{"name":")" + name +
                           R"(","colonyname":"dev"},"spec":{"group":"compute.colonies.io",
            "version":"v1","names":{"kind":")" +
                           kind +
                           R"(","listKind":"x","singular":"y","plural":"z"},
            "scope":"Namespaced","schema":{"type":"object","properties":{
              "replicas":{"type":"number","description":"how many"},
              "size":{"type":"string","enum":["s","m"]},
              "ports":{"type":"array","items":{"type":"object","properties":{
                 "name":{"type":"string"}}}},
              "limits":{"type":"object","properties":{"cpu":{"type":"string"}}}},
              "required":["replicas"]},
            "handler":{"executorType":"reconciler","functionName":"reconcile"}}})")
            .as_object();
    }
    static json::object blueprint_json(const std::string& name, json::object spec,
                                       const std::string& location = "") {
        json::object meta{{"name", name}, {"colonyname", "dev"}};
        if (!location.empty()) meta["locationname"] = location;
        return json::object{{"kind", "Web"}, {"metadata", meta}, {"spec", std::move(spec)}};
    }
    Result<json::value> add(json::object bp, const std::string& key = "") {
        return c.call("addblueprintmsg", {{"blueprint", std::move(bp)}},
                      key.empty() ? member : key);
    }
    void add_definition() {
        auto d = c.call("addblueprintdefinitionmsg",
                        {{"blueprintdefinition", definition_json("webs", "Web")}}, owner);
        ASSERT_TRUE(d.ok()) << d.error().message;
    }
    std::vector<Process> waiting() {
        std::vector<Process> out;
        auto r = c.call("getprocessesmsg", {{"colonyname", "dev"}, {"count", 100}, {"state", 0}},
                        member);
        EXPECT_TRUE(r.ok()) << r.error().message;
        if (r.ok() && r->is_array())
            for (const auto& v : r->as_array()) out.push_back(*process_from_json(v));
        return out;
    }
    json::array crons() {
        auto r = c.call("getcronsmsg", {{"colonyname", "dev"}, {"count", 100}}, member);
        EXPECT_TRUE(r.ok()) << r.error().message;
        return r.ok() && r->is_array() ? r->as_array() : json::array{};
    }

    ServerProcess server;
    client::Client c = server.make_client();
    const std::string& owner = DevIdentity::colony_prvkey;
    const std::string& member = DevIdentity::executor_prvkey;
};

TEST_F(Blueprints, DefinitionsAddGetListRemoveAndWhoMay) {
    auto d = c.call("addblueprintdefinitionmsg",
                    {{"blueprintdefinition", definition_json("webs", "Web")}}, owner);
    ASSERT_TRUE(d.ok()) << d.error().message;
    const auto& o = d->as_object();
    EXPECT_EQ(o.at("blueprintdefinitionid").as_string().size(), 64u);  // filled in
    EXPECT_EQ(o.at("kind"), "BlueprintDefinition");
    const auto& spec = o.at("spec").as_object();
    EXPECT_EQ(spec.at("handler"), json::parse(R"({"executorType":"reconciler",
        "functionName":"reconcile"})"));
    EXPECT_EQ(spec.at("names").as_object().size(), 4u);  // shortNames omitted when empty
    EXPECT_EQ(spec.at("schema").at("properties").at("replicas"),
              json::parse(R"({"type":"number","description":"how many"})"));
    const auto& meta = o.at("metadata").as_object();
    EXPECT_EQ(meta.at("createdAt"), "0001-01-01T00:00:00Z");  // always present
    EXPECT_FALSE(meta.contains("generation"));

    expect_error(c.call("addblueprintdefinitionmsg",
                        {{"blueprintdefinition", definition_json("x", "X")}}, member),
                 403, "Access denied, not colony owner");
    expect_error(c.call("addblueprintdefinitionmsg", {{"blueprintdefinition", nullptr}}, owner),
                 400, "Failed to add blueprint definition, blueprint definition is nil");
    auto dup = c.call("addblueprintdefinitionmsg",
                      {{"blueprintdefinition", definition_json("webs", "Other")}}, owner);
    ASSERT_FALSE(dup.ok());
    EXPECT_EQ(dup.error().status, 500);
    EXPECT_NE(dup.error().message.find("duplicate key"), std::string::npos);

    ASSERT_TRUE(c.call("addblueprintdefinitionmsg",
                       {{"blueprintdefinition", definition_json("apps", "App")}}, owner)
                    .ok());
    auto all = client::get_blueprint_definitions(c, "dev", member);
    ASSERT_TRUE(all.ok()) << all.error().message;
    ASSERT_EQ(all->size(), 2u);
    EXPECT_EQ((*all)[0].metadata.name, "apps");  // by name
    EXPECT_EQ(client::get_blueprint_definitions(c, "dev", owner)->size(),
              2u);  // the owner may read
    auto one = client::get_blueprint_definition(c, "dev", "webs", member);
    ASSERT_TRUE(one.ok());
    EXPECT_EQ(one->names_kind, "Web");
    expect_error(client::get_blueprint_definition(c, "dev", "nope", member), 404,
                 "Blueprint definition not found");
    auto stranger = Identity::fresh();
    expect_error(client::get_blueprint_definitions(c, "dev", stranger.prvkey), 403,
                 "Access denied, not colony owner");

    // In use: refused; member: refused; missing: 404.
    ASSERT_TRUE(add(blueprint_json("site", {{"replicas", 1}})).ok());
    expect_error(client::remove_blueprint_definition(c, "dev", "webs", owner), 409,
                 "cannot remove BlueprintDefinition 'webs': 1 blueprint(s) of kind 'Web' still "
                 "exist");
    expect_error(client::remove_blueprint_definition(c, "dev", "apps", member), 403,
                 "Access denied, not colony owner");
    expect_error(client::remove_blueprint_definition(c, "dev", "nope", owner), 404,
                 "BlueprintDefinition 'nope' not found in namespace 'dev'");
    ASSERT_TRUE(client::remove_blueprint_definition(c, "dev", "apps", owner).ok());
    EXPECT_EQ(client::get_blueprint_definitions(c, "dev", member)->size(), 1u);
}

TEST_F(Blueprints, AddValidatesAndStartsReconciliation) {
    add_definition();
    expect_error(add(json::object{{"metadata", {{"name", "a"}, {"colonyname", "dev"}}}}), 400,
                 "blueprint kind is required");
    auto other = blueprint_json("a", {{"replicas", 1}});
    other["kind"] = "Nothing";
    expect_error(add(other), 400,
                 "BlueprintDefinition for kind 'Nothing' not found in namespace 'dev'");
    const std::string v = "blueprint validation failed: ";
    expect_error(add(blueprint_json("a", {{"size", "s"}})), 400,
                 v + "required field 'replicas' is missing");
    expect_error(add(blueprint_json("a", {{"replicas", "3"}})), 400,
                 v + "field 'replicas' must be a number, got string");
    expect_error(add(blueprint_json("a", {{"replicas", 3}, {"size", "xl"}})), 400,
                 v + "field 'size' must be one of [s m], got xl");
    expect_error(add(blueprint_json("a", {{"replicas", 3},
                                          {"ports", json::array{json::object{{"name", "http"}},
                                                                json::object{{"name", 80}}}}})),
                 400, v + "field 'ports[1].name' must be a string, got float64");
    expect_error(add(blueprint_json("a", {{"replicas", 3}, {"limits", {{"cpu", true}}}})), 400,
                 v + "field 'limits.cpu' must be a string, got bool");
    expect_error(c.call("addblueprintmsg", {{"blueprint", nullptr}}, member), 400,
                 "Failed to add blueprint, blueprint is nil");
    EXPECT_TRUE(waiting().empty());  // nothing of the refused ones was kept
    EXPECT_TRUE(crons().empty());

    auto r = add(blueprint_json("site", {{"replicas", 3}, {"size", "m"}}, "Lab"));
    ASSERT_TRUE(r.ok()) << r.error().message;
    const auto& o = r->as_object();
    EXPECT_EQ(o.at("blueprintid").as_string().size(), 64u);
    EXPECT_FALSE(o.contains("status"));  // omitted when empty
    const auto& meta = o.at("metadata").as_object();
    EXPECT_FALSE(meta.contains("generation"));  // as sent: 0, omitted
    EXPECT_EQ(meta.at("locationname"), "Lab");
    EXPECT_EQ(meta.at("lastReconciliationTime"), "0001-01-01T00:00:00Z");
    expect_error(add(blueprint_json("site", {{"replicas", 1}})), 409,
                 "blueprint with name 'site' already exists in colony 'dev'");

    // The location came with it.
    auto l = c.get_location("dev", "Lab", member);
    ASSERT_TRUE(l.ok()) << l.error().message;
    EXPECT_EQ(l->description, "Auto-created from blueprint site");
    // The cron of the kind at that location, and one reconciliation process.
    auto cs = crons();
    ASSERT_EQ(cs.size(), 1u);
    const auto& cron = cs[0].as_object();
    EXPECT_EQ(cron.at("name"), "reconcile-Web-Lab");
    EXPECT_EQ(cron.at("interval"), 60);
    EXPECT_EQ(cron.at("waitforprevprocessgraph"), true);
    auto wf = json::parse(cron.at("workflowspec").as_string()).as_object();
    const auto& fs = wf.at("functionspecs").as_array().at(0).as_object();
    EXPECT_EQ(fs.at("nodename"), "reconciler-reconcile");
    EXPECT_EQ(fs.at("kwargs"), json::parse(R"({"kind":"Web"})"));
    EXPECT_EQ(fs.at("conditions").at("locationname"), "Lab");
    auto ps = waiting();
    ASSERT_EQ(ps.size(), 1u);
    const auto& p = ps[0];
    EXPECT_EQ(p.spec.funcname, "reconcile");
    EXPECT_EQ(p.spec.nodename, "reconciler-reconcile");
    EXPECT_EQ(p.spec.conditions.executortype, "reconciler");
    EXPECT_EQ(p.spec.conditions.locationname, "Lab");
    EXPECT_EQ(json::value(p.spec.kwargs), json::parse(R"({"kind":"Web","blueprintName":"site"})"));
    EXPECT_EQ(p.spec.maxexectime, -1);
    EXPECT_EQ(p.spec.maxretries, -1);
    EXPECT_EQ(p.initiatorname, "exec1");

    // A second blueprint at the same location shares the cron; the owner may add too.
    ASSERT_TRUE(add(blueprint_json("site2", {{"replicas", 1}}, "Lab"), owner).ok());
    ASSERT_TRUE(add(blueprint_json("site3", {{"replicas", 1}})).ok());
    cs = crons();
    ASSERT_EQ(cs.size(), 2u);
    EXPECT_EQ(cs[0].at("name"), "reconcile-Web");
    EXPECT_EQ(waiting().size(), 3u);
    auto stranger = Identity::fresh();
    expect_error(add(blueprint_json("x", {{"replicas", 1}}), stranger.prvkey), 403,
                 "Access denied, not colony owner");

    // Listing by kind and location (case-insensitive), ordered by name.
    auto at = client::get_blueprints(c, "dev", "Web", "lab", member);
    ASSERT_TRUE(at.ok());
    ASSERT_EQ(at->size(), 2u);
    EXPECT_EQ((*at)[0].metadata.name, "site");
    EXPECT_EQ(client::get_blueprints(c, "dev", "", "", member)->size(), 3u);
    EXPECT_EQ(client::get_blueprints(c, "dev", "Nothing", "", member)->size(), 0u);
    auto empty = c.call("getblueprintsmsg", {{"namespace", "dev"}, {"kind", "None"}}, member);
    EXPECT_EQ(*empty, json::array{});  // [] rather than null
    expect_error(client::get_blueprint(c, "dev", "nope", member), 404, "Blueprint not found");
}

TEST_F(Blueprints, UpdateBumpsGenerationOnlyOnSpecChangesAndRecordsHistory) {
    add_definition();
    auto added = client::add_blueprint(
        c, *blueprint_from_json(blueprint_json("site", {{"replicas", 3}})), member);
    ASSERT_TRUE(added.ok()) << added.error().message;
    const auto id = added->blueprintid;
    EXPECT_EQ(waiting().size(), 1u);

    // Labels only: no bump, no history, no process; the stored id is kept.
    auto b = *added;
    b.metadata.labels["team"] = "a";
    b.blueprintid = "ignored";
    b.metadata.generation = 7;  // the client's value is ignored
    auto u = client::update_blueprint(c, b, false, member);
    ASSERT_TRUE(u.ok()) << u.error().message;
    EXPECT_EQ(u->blueprintid, id);
    EXPECT_EQ(u->metadata.generation, 0);
    EXPECT_EQ(client::get_blueprint(c, "dev", "site", member)->metadata.labels.at("team"), "a");
    EXPECT_EQ(waiting().size(), 1u);

    b.spec["replicas"] = 2;
    u = client::update_blueprint(c, b, false, member);
    ASSERT_TRUE(u.ok());
    EXPECT_EQ(u->metadata.generation, 1);
    EXPECT_EQ(waiting().size(), 2u);
    u = client::update_blueprint(c, b, true, owner);  // forced
    EXPECT_EQ(u->metadata.generation, 2);

    b.spec["replicas"] = "two";
    expect_error(client::update_blueprint(c, b, false, member), 400,
                 "blueprint validation failed: field 'replicas' must be a number, got string");
    b.metadata.name = "nope";
    expect_error(client::update_blueprint(c, b, false, member), 404,
                 "blueprint 'nope' not found in namespace 'dev'");

    auto h = client::get_blueprint_history(c, id, 0, member);
    ASSERT_TRUE(h.ok()) << h.error().message;
    ASSERT_EQ(h->size(), 3u);
    EXPECT_EQ((*h)[0].generation, 2);  // newest first
    EXPECT_EQ((*h)[0].changetype, "update");
    EXPECT_EQ((*h)[2].changetype, "create");
    EXPECT_EQ((*h)[2].spec.at("replicas").as_int64(), 3);
    EXPECT_EQ((*h)[0].changedby, Identity::from_prvkey(owner).id);
    EXPECT_EQ((*h)[1].changedby, DevIdentity::executor_id);
    EXPECT_EQ((*h)[0].historyid.size(), 36u);  // a UUID
    EXPECT_EQ(client::get_blueprint_history(c, id, 1, member)->size(), 1u);
    auto raw = c.call("getblueprinthistorymsg", {{"blueprintid", id}, {"limit", 1}}, member);
    const auto& entry = raw->as_array().at(0).as_object();
    for (auto key : {"historyid", "blueprintid", "kind", "namespace", "name", "generation", "spec",
                     "timestamp", "changedby", "changetype"})
        EXPECT_TRUE(entry.contains(key)) << key;
    expect_error(client::get_blueprint_history(c, "nope", 0, member), 404, "Blueprint not found");
}

TEST_F(Blueprints, StatusReconcileAndRemove) {
    add_definition();
    ASSERT_TRUE(add(blueprint_json("site", {{"replicas", 3}}, "lab")).ok());
    ASSERT_TRUE(add(blueprint_json("other", {{"replicas", 1}}, "lab")).ok());

    json::object status{{"runningInstances", 2}, {"instances", json::array{}}};
    ASSERT_TRUE(client::update_blueprint_status(c, "dev", "site", status, member).ok());
    auto b = client::get_blueprint(c, "dev", "site", member);
    EXPECT_EQ(json::value(b->status), json::value(status));
    EXPECT_EQ(b->metadata.generation, 0);  // a status report is no change of the spec
    expect_error(client::update_blueprint_status(c, "dev", "nope", status, member), 404,
                 "Blueprint not found");
    EXPECT_EQ(client::update_blueprint_status(c, "dev", "site", status, owner).error().status, 403);

    auto p = client::reconcile_blueprint(c, "dev", "site", true, member);
    ASSERT_TRUE(p.ok()) << p.error().message;
    EXPECT_EQ(json::value(p->spec.kwargs),
              json::parse(R"({"kind":"Web","blueprintName":"site","force":true})"));
    EXPECT_EQ(client::get_blueprint(c, "dev", "site", member)->metadata.generation, 1);
    auto plain = client::reconcile_blueprint(c, "dev", "site", false, member);
    EXPECT_FALSE(plain->spec.kwargs.contains("force"));
    EXPECT_EQ(client::get_blueprint(c, "dev", "site", member)->metadata.generation, 1);
    expect_error(client::reconcile_blueprint(c, "dev", "nope", false, member), 404,
                 "Blueprint not found");
    EXPECT_EQ(client::reconcile_blueprint(c, "dev", "site", false, owner).error().status, 403);

    // Removing one of two at the location keeps the cron; the last takes it along. Each removal
    // asks the reconcilers to clean up.
    const auto before = waiting().size();
    ASSERT_TRUE(client::remove_blueprint(c, "dev", "site", member).ok());
    EXPECT_EQ(crons().size(), 1u);
    ASSERT_TRUE(client::remove_blueprint(c, "dev", "other", owner).ok());
    EXPECT_TRUE(crons().empty());
    auto ps = waiting();
    ASSERT_EQ(ps.size(), before + 2);
    const auto& cleanup = ps.back();
    EXPECT_EQ(cleanup.spec.funcname, "cleanup");
    EXPECT_EQ(cleanup.spec.nodename, "reconciler-cleanup");
    EXPECT_EQ(cleanup.spec.conditions.locationname, "lab");
    EXPECT_EQ(json::value(cleanup.spec.kwargs),
              json::parse(R"({"blueprintName":"other","kind":"Web"})"));
    expect_error(client::remove_blueprint(c, "dev", "site", member), 404, "Blueprint not found");
    EXPECT_TRUE(client::get_blueprints(c, "dev", "", "", member)->empty());
    // The definition may go now.
    ASSERT_TRUE(client::remove_blueprint_definition(c, "dev", "webs", owner).ok());
}

TEST_F(Blueprints, ReconcileNeedsAHandler) {
    auto d = definition_json("webs", "Web");
    d["spec"].as_object()["handler"] = json::object{{"executorType", ""}, {"functionName", ""}};
    ASSERT_TRUE(c.call("addblueprintdefinitionmsg", {{"blueprintdefinition", d}}, owner).ok());
    ASSERT_TRUE(add(blueprint_json("site", {{"replicas", 3}})).ok());
    EXPECT_TRUE(crons().empty());  // no handler: nothing scheduled
    EXPECT_TRUE(waiting().empty());
    expect_error(client::reconcile_blueprint(c, "dev", "site", false, member), 400,
                 "Blueprint has no handler with executor type defined");
}

}  // namespace
}  // namespace colonies::it
