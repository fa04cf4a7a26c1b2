// Blueprint shapes, the schema subset (a table of specs against one schema, with upstream's
// texts) and the diff that decides a generation bump (features.md 6).
#include <gtest/gtest.h>

#include "core/blueprint.hpp"
#include "core/json_schema.hpp"

using namespace colonies;
namespace json = boost::json;

namespace {

const json::object kSchema = json::parse(R"({
  "type": "object",
  "required": ["image", "replicas"],
  "properties": {
    "image": {"type": "string"},
    "replicas": {"type": "number"},
    "debug": {"type": "boolean"},
    "count": {"type": "integer"},
    "size": {"type": "string", "enum": ["small", "large"]},
    "level": {"enum": [1, 2.5, "x"]},
    "ports": {"type": "array", "items": {"type": "object",
              "properties": {"port": {"type": "number"}, "name": {"type": "string"}}}},
    "tags": {"type": "array", "items": {"type": "string"}},
    "env": {"type": "object", "properties": {"mode": {"type": "string", "enum": ["a"]},
            "inner": {"type": "object", "properties": {"x": {"type": "boolean"}}}}}
  }})")
                                 .as_object();

struct Case {
    const char* spec;
    const char* violation;  // nullptr: fits
};

const Case kCases[] = {
    {R"({"image":"nginx","replicas":3})", nullptr},
    {R"({"image":"nginx","replicas":2.5,"extra":{"any":1}})", nullptr},
    {R"({"image":"nginx","replicas":3,"count":"not checked"})", nullptr},
    {R"({"replicas":3})", "required field 'image' is missing"},
    {R"({"image":"nginx"})", "required field 'replicas' is missing"},
    {R"({"image":1,"replicas":3})", "field 'image' must be a string, got float64"},
    {R"({"image":"n","replicas":"3"})", "field 'replicas' must be a number, got string"},
    {R"({"image":"n","replicas":null})", "field 'replicas' must be a number, got <nil>"},
    {R"({"image":"n","replicas":1,"debug":"yes"})", "field 'debug' must be a boolean, got string"},
    {R"({"image":"n","replicas":1,"size":"medium"})",
     "field 'size' must be one of [small large], got medium"},
    {R"({"image":"n","replicas":1,"size":"large"})", nullptr},
    {R"({"image":"n","replicas":1,"level":2.5})", nullptr},
    {R"({"image":"n","replicas":1,"level":1.0})", nullptr},  // numbers compare as numbers
    {R"({"image":"n","replicas":1,"level":3})", "field 'level' must be one of [1 2.5 x], got 3"},
    {R"({"image":"n","replicas":1,"ports":{}})",
     "field 'ports' must be an array, got map[string]interface {}"},
    {R"({"image":"n","replicas":1,"ports":[{"port":80},{"port":"81"}]})",
     "field 'ports[1].port' must be a number, got string"},
    {R"({"image":"n","replicas":1,"ports":[7]})",
     "field 'ports[0]' must be an object, got float64"},
    {R"({"image":"n","replicas":1,"tags":["a",true]})",
     "field 'tags[1]' must be a string, got bool"},
    {R"({"image":"n","replicas":1,"env":[]})", "field 'env' must be an object, got []interface {}"},
    {R"({"image":"n","replicas":1,"env":{"mode":"b"}})",
     "field 'env.mode' must be one of [a], got b"},
    {R"({"image":"n","replicas":1,"env":{"inner":{"x":1}}})",
     "field 'env.inner.x' must be a boolean, got float64"},
    {R"({"image":"n","replicas":1,"env":{"other":1}})", nullptr},
};

TEST(JsonSchema, TableOfSpecs) {
    for (const auto& c : kCases) {
        auto v = schema_violation(kSchema, json::parse(c.spec).as_object());
        if (c.violation) {
            ASSERT_TRUE(v) << c.spec;
            EXPECT_EQ(*v, c.violation) << c.spec;
        } else {
            EXPECT_FALSE(v) << c.spec << ": " << *v;
        }
    }
}

TEST(JsonSchema, EmptySchemaAcceptsEverything) {
    EXPECT_FALSE(schema_violation({}, json::parse(R"({"a":1})").as_object()));
}

TEST(Blueprint, ShapeOmitsEmptyFieldsAndKeepsTimes) {
    auto b = blueprint_from_json(json::parse(R"({"kind":"Web","metadata":{"name":"w",
        "colonyname":"dev","labels":{"a":"b"},"generation":2,"unknown":1},
        "spec":{"replicas":3},"extra":true})"));
    ASSERT_TRUE(b.ok()) << b.error().message;
    EXPECT_EQ(json::serialize(to_json(*b)),
              R"({"blueprintid":"","kind":"Web","metadata":{"name":"w","colonyname":"dev",)"
              R"("labels":{"a":"b"},"generation":2,"createdAt":"0001-01-01T00:00:00Z",)"
              R"("updatedAt":"0001-01-01T00:00:00Z","lastReconciliationTime":)"
              R"("0001-01-01T00:00:00Z"},"spec":{"replicas":3}})");
    EXPECT_FALSE(blueprint_from_json(json::parse(R"({"spec":[1]})")).ok());
    EXPECT_FALSE(blueprint_from_json(json::parse(R"({"metadata":{"labels":{"a":1}}})")).ok());
    EXPECT_FALSE(blueprint_from_json(json::parse(R"({"metadata":{"generation":"1"}})")).ok());
}

TEST(Blueprint, DefinitionSchemaIsNormalised) {
    auto d = blueprint_definition_from_json(json::parse(R"({"kind":"BlueprintDefinition",
        "metadata":{"name":"x"},"spec":{"names":{"kind":"K"},"schema":{"properties":{
        "a":{"type":"string","default":false,"junk":1,"items":null,"enum":[]}}},
        "handler":{"executorType":"t","functionName":"f","reconcileInterval":5}}})"));
    ASSERT_TRUE(d.ok()) << d.error().message;
    ASSERT_TRUE(d->schema);
    EXPECT_EQ(json::serialize(*d->schema),
              R"({"properties":{"a":{"type":"string","default":false}}})");
    EXPECT_EQ(d->handler.reconcileInterval, 5);
    const auto spec = to_json(*d).at("spec").as_object();
    EXPECT_FALSE(spec.at("names").as_object().contains("shortNames"));
    EXPECT_EQ(spec.at("handler").at("reconcileInterval"), 5);
    auto none = blueprint_definition_from_json(json::parse(R"({"spec":{}})"));
    EXPECT_FALSE(none->schema);
    EXPECT_FALSE(to_json(*none).at("spec").as_object().contains("schema"));
}

TEST(Blueprint, DiffSeparatesSpecStatusAndMetadata) {
    Blueprint a, b;
    a.spec = json::parse(R"({"replicas":3,"image":"x","gone":1})").as_object();
    b.spec = json::parse(R"({"replicas":2,"image":"x","new":[1]})").as_object();
    a.metadata.labels = {{"l", "1"}};
    b.status = json::parse(R"({"running":1})").as_object();
    auto d = diff_blueprints(a, b);
    ASSERT_EQ(d.spec.size(), 3u);
    EXPECT_EQ(d.spec[0].path, "spec.replicas");
    EXPECT_EQ(d.spec[0].type, "modified");
    EXPECT_EQ(d.spec[1].path, "spec.new");
    EXPECT_EQ(d.spec[1].type, "added");
    EXPECT_EQ(d.spec[2].type, "removed");
    ASSERT_EQ(d.status.size(), 1u);
    ASSERT_EQ(d.metadata.size(), 1u);
    EXPECT_EQ(d.metadata[0].path, "metadata.labels.l");
    EXPECT_TRUE(d.has_changes());
    b.spec = a.spec;
    b.status = a.status;
    b.metadata.labels = a.metadata.labels;
    EXPECT_FALSE(diff_blueprints(a, b).has_changes());
    EXPECT_EQ(reconcile_cron_name("Web", ""), "reconcile-Web");
    EXPECT_EQ(reconcile_cron_name("Web", "lab"), "reconcile-Web-lab");
}

}  // namespace
