#include "core/json.hpp"

#include <gtest/gtest.h>

#include <map>

#include "core/resources.hpp"

namespace colonies {
namespace {

namespace json = boost::json;

json::value parse(std::string_view text) {
    return json::parse(text);
}

std::vector<std::string> keys_of(const json::value& v) {
    std::vector<std::string> out;
    for (const auto& kv : v.as_object()) out.emplace_back(kv.key());
    return out;
}

// Encodes, decodes and encodes again; the two encodings must be identical (incl. key order).
template <class T, class F>
void expect_round_trip(const T& t, F from_json) {
    const json::value first = to_json(t);
    auto back = from_json(first);
    ASSERT_TRUE(back.ok()) << back.error().message << " in " << to_text(first);
    const json::value second = to_json(*back);
    EXPECT_EQ(to_text(second), to_text(first));
}

const char* kExampleProcess = R"({
 "processid":"4b90eb74000000000000000000000000000000000000000000000000000023f5",
 "initiatorid":"3fc05cf3000000000000000000000000000000000000000000000000000041ac",
 "initiatorname":"myuser",
 "assignedexecutorid":"","isassigned":false,"state":0,"prioritytime":1735787045123456789,
 "submissiontime":"2025-01-02T03:04:05.123456Z","starttime":"0001-01-01T00:00:00Z",
 "endtime":"0001-01-01T00:00:00Z","waitdeadline":"0001-01-01T00:00:00Z",
 "execdeadline":"0001-01-01T00:00:00Z","retries":0,"attributes":[],
 "spec":{"nodename":"hello","funcname":"echo","args":["hello",1],"kwargs":{},"priority":0,
  "maxwaittime":0,"maxexectime":-1,"maxretries":-1,
  "conditions":{"colonyname":"dev","executornames":null,"executortype":"cli","dependencies":[],
   "nodes":0,"cpu":"0m","processes":0,"processespernode":0,"mem":"0Mi","storage":"0Mi",
   "gpu":{"name":"","mem":"0Mi","count":0,"nodecount":0},"walltime":0},
  "label":"","fs":{"mount":"","snapshots":null,"dirs":null},"env":{}},
 "waitforparents":false,"parents":[],"children":[],"processgraphid":"","in":[],"out":[],"errors":[]})";

TEST(Json, ExampleProcessDecodesAndReencodesIdentically) {
    const json::value in = parse(kExampleProcess);
    auto p = process_from_json(in);
    ASSERT_TRUE(p.ok()) << p.error().message;
    EXPECT_EQ(p->initiatorname, "myuser");
    EXPECT_EQ(p->prioritytime, 1735787045123456789LL);  // > 2^53, exact
    EXPECT_EQ(format_rfc3339(p->submissiontime), "2025-01-02T03:04:05.123456Z");
    EXPECT_TRUE(p->starttime.is_zero());
    EXPECT_EQ(p->spec.maxexectime, -1);
    EXPECT_EQ(p->spec.conditions.executortype, "cli");
    EXPECT_TRUE(p->spec.conditions.executornames_null);
    ASSERT_EQ(p->spec.args.size(), 2u);

    const json::value out = to_json(*p);
    EXPECT_EQ(out, in);
    EXPECT_EQ(keys_of(out), keys_of(in));
    EXPECT_EQ(keys_of(out.at("spec")), keys_of(in.at("spec")));
    EXPECT_EQ(keys_of(out.at("spec").at("conditions")), keys_of(in.at("spec").at("conditions")));
}

TEST(Json, FreshProcessHasArraysNotNulls) {
    const json::value v = to_json(Process{});
    for (const char* k : {"attributes", "parents", "children", "errors", "in", "out"})
        EXPECT_TRUE(v.at(k).is_array()) << k;
    const auto& spec = v.at("spec");
    EXPECT_TRUE(spec.at("args").is_array());
    EXPECT_TRUE(spec.at("kwargs").is_object());
    EXPECT_TRUE(spec.at("env").is_object());
    EXPECT_FALSE(spec.as_object().contains("channels"));
    EXPECT_EQ(spec.at("fs"), parse(R"({"mount":"","snapshots":null,"dirs":null})"));
    const auto& cond = spec.at("conditions");
    EXPECT_TRUE(cond.at("executornames").is_null());
    EXPECT_TRUE(cond.at("dependencies").is_array());
    EXPECT_FALSE(cond.as_object().contains("locationname"));
    EXPECT_EQ(keys_of(cond.at("gpu")),
              (std::vector<std::string>{"name", "mem", "count", "nodecount"}));
    EXPECT_EQ(v.at("starttime"), "0001-01-01T00:00:00Z");
}

Attribute sample_attribute(AttributeType t) {
    return {"a1", "p1", "dev", "g1", ProcessState::Running, t, "k", "v"};
}

FunctionSpec sample_spec() {
    FunctionSpec s;
    s.nodename = "n";
    s.funcname = "f";
    s.args = json::array{"x", 1, json::object{{"deep", json::array{true, nullptr}}}};
    s.kwargs = json::object{{"a", 1.5}, {"b", "c"}};
    s.priority = -7;
    s.maxwaittime = 10;
    s.maxexectime = -1;
    s.maxretries = 3;
    s.conditions.colonyname = "dev";
    s.conditions.executornames = {"e1", "e2"};
    s.conditions.executornames_null = false;
    s.conditions.executortype = "cli";
    s.conditions.locationname = "home";
    s.conditions.dependencies = {"a", "b"};
    s.conditions.nodes = 2;
    s.conditions.cpu = "500m";
    s.conditions.processes = 3;
    s.conditions.processespernode = 4;
    s.conditions.mem = "10Mi";
    s.conditions.storage = "20Mi";
    s.conditions.gpu = {"a100", "40960Mi", 2, 1};
    s.conditions.walltime = 60;
    s.label = "lbl";
    s.fs = parse(R"({"mount":"/m","snapshots":[{"snapshotid":"s","label":"l","dir":"d",
        "keepfiles":true,"keepsnapshot":false}],"dirs":null})");
    s.env = {{"A", "1"}, {"B", ""}};
    s.channels = {"ch1"};
    return s;
}

Process sample_process() {
    Process p;
    p.processid = "p1";
    p.initiatorid = "i1";
    p.initiatorname = "me";
    p.assignedexecutorid = "e1";
    p.isassigned = true;
    p.state = ProcessState::Failed;
    p.prioritytime = -1735787045123456789LL;
    p.submissiontime = *parse_rfc3339("2025-01-02T03:04:05.123456789Z");
    p.starttime = *parse_rfc3339("2025-01-02T03:04:06Z");
    p.endtime = *parse_rfc3339("2025-01-02T03:04:07.5Z");
    p.waitdeadline = *parse_rfc3339("2025-01-02T04:04:05Z");
    p.execdeadline = *parse_rfc3339("2025-01-02T05:04:05Z");
    p.retries = 2;
    p.attributes = {sample_attribute(AttributeType::Env), sample_attribute(AttributeType::Out)};
    p.spec = sample_spec();
    p.waitforparents = true;
    p.parents = {"pa"};
    p.children = {"c1", "c2"};
    p.processgraphid = "g1";
    p.in = json::array{1, "two"};
    p.out = json::array{json::object{{"r", 3}}};
    p.errors = {"boom"};
    return p;
}

TEST(Json, RoundTripsEveryType) {
    expect_round_trip(Colony{"id", "dev"}, colony_from_json);
    expect_round_trip(User{"dev", "uid", "alice", "a@b.c", "123"}, user_from_json);
    for (auto t : {AttributeType::In, AttributeType::Out, AttributeType::Err, AttributeType::Env})
        expect_round_trip(sample_attribute(t), attribute_from_json);
    expect_round_trip(sample_spec(), function_spec_from_json);
    expect_round_trip(FunctionSpec{}, function_spec_from_json);
    expect_round_trip(sample_process(), process_from_json);
    expect_round_trip(Process{}, process_from_json);

    WorkflowSpec w{"dev", {sample_spec(), FunctionSpec{}}};
    expect_round_trip(w, workflow_spec_from_json);
    expect_round_trip(WorkflowSpec{}, workflow_spec_from_json);

    ProcessGraph g;
    g.processgraphid = "g";
    g.initiatorid = "i";
    g.initiatorname = "n";
    g.colonyname = "dev";
    g.rootprocessids = {"r"};
    g.state = ProcessState::Cancelled;
    g.submissiontime = Time::from_ns(1);
    g.processids = {"r", "c"};
    g.nodes = json::array{json::object{{"id", "r"}}};
    g.edges = json::array{json::object{{"id", "r-c"}, {"animated", false}}};
    expect_round_trip(g, process_graph_from_json);
    expect_round_trip(ProcessGraph{}, process_graph_from_json);

    Function fn{"fid",
                "ex",
                "cli",
                "dev",
                "echo",
                "desc",
                json::array{json::object{{"name", "x"}, {"type", "int"}}},
                5,
                0.5,
                1.25,
                2,
                3,
                4,
                5.5,
                "home"};
    expect_round_trip(fn, function_from_json);
    expect_round_trip(Function{}, function_from_json);

    expect_round_trip(Log{"p", "dev", "ex", "hello\n", 1735787045123456789LL}, log_from_json);

    Statistics st;
    st.colonies = 1;
    st.cancelledworkflows = 14;
    st.runningprocesses = 6;
    expect_round_trip(st, statistics_from_json);

    Executor e;
    e.executorid = "eid";
    e.executortype = "cli";
    e.executorname = "ex";
    e.colonyname = "dev";
    e.state = ExecutorState::Approved;
    e.requirefuncreg = true;
    e.commissiontime = Time::from_ns(1735787045000000000LL);
    e.lastheardfromtime = Time::from_ns(1735787046000000000LL);
    e.locationname = "home";
    e.blueprintid = "bp";
    e.blueprintgen = 4;
    expect_round_trip(e, executor_from_json);
    expect_round_trip(Executor{}, executor_from_json);
}

TEST(Json, DecodedValuesMatch) {
    const Process p = sample_process();
    auto back = process_from_json(to_json(p));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(back->submissiontime, p.submissiontime);
    EXPECT_EQ(back->execdeadline, p.execdeadline);
    EXPECT_EQ(back->prioritytime, p.prioritytime);
    EXPECT_EQ(back->state, ProcessState::Failed);
    EXPECT_EQ(back->attributes.size(), 2u);
    EXPECT_EQ(back->attributes[0].attributetype, AttributeType::Env);
    EXPECT_EQ(back->spec.env, p.spec.env);
    EXPECT_EQ(back->spec.conditions.executornames, p.spec.conditions.executornames);
    EXPECT_EQ(back->spec.conditions.gpu.count, 2);
    EXPECT_EQ(back->spec.fs, p.spec.fs);
    EXPECT_EQ(back->spec.args, p.spec.args);
    EXPECT_EQ(back->spec.kwargs, p.spec.kwargs);
    EXPECT_EQ(back->in, p.in);
    EXPECT_EQ(back->out, p.out);
    EXPECT_EQ(back->errors, p.errors);
    EXPECT_EQ(back->spec.channels, p.spec.channels);
}

TEST(Json, TimesWithOffsetsAreAcceptedAndEmittedInUtc) {
    auto p = process_from_json(parse(R"({"submissiontime":"2025-01-02T05:04:05.5+02:00"})"));
    ASSERT_TRUE(p.ok());
    EXPECT_EQ(to_json(*p).at("submissiontime"), "2025-01-02T03:04:05.5Z");
}

// Every decoder must fail on each of these (key, bad JSON value) pairs.
struct BadField {
    const char* json;
    const char* error;
};

TEST(Json, WrongTypesAreErrors) {
    const BadField cases[] = {
        {R"({"retries":"1"})", "field retries: expected integer"},
        {R"({"retries":1.5})", "field retries: expected integer"},
        {R"({"retries":1.0})", "field retries: expected integer"},
        {R"({"retries":1e3})", "field retries: expected integer"},
        {R"({"retries":true})", "field retries: expected integer"},
        {R"({"prioritytime":9223372036854775808})", "field prioritytime: expected integer"},
        {R"({"processid":5})", "field processid: expected string"},
        {R"({"processid":["x"]})", "field processid: expected string"},
        {R"({"isassigned":1})", "field isassigned: expected bool"},
        {R"({"isassigned":"true"})", "field isassigned: expected bool"},
        {R"({"parents":{}})", "field parents: expected array"},
        {R"({"parents":"p"})", "field parents: expected array"},
        {R"({"parents":[1]})", "field parents: expected array of strings"},
        {R"({"in":{}})", "field in: expected array"},
        {R"({"spec":[]})", "field spec: expected object"},
        {R"({"spec":{"args":{}}})", "field spec.args: expected array"},
        {R"({"spec":{"kwargs":[]}})", "field spec.kwargs: expected object"},
        {R"({"spec":{"env":{"A":1}}})", "field spec.env.A: expected string"},
        {R"({"spec":{"fs":"x"}})", "field spec.fs: expected object"},
        {R"({"spec":{"conditions":{"cpu":5}}})", "field spec.conditions.cpu: expected string"},
        {R"({"spec":{"conditions":{"gpu":{"count":"1"}}}})",
         "field spec.conditions.gpu.count: expected integer"},
        {R"({"spec":{"conditions":{"executornames":"*"}}})",
         "field spec.conditions.executornames: expected array"},
        {R"({"attributes":[{"key":1}]})", "field attributes[0].key: expected string"},
        {R"({"attributes":[{},"x"]})", "field attributes[1]: expected object"},
        {R"({"submissiontime":"yesterday"})", "field submissiontime: expected RFC 3339 time"},
        {R"({"submissiontime":"2025-01-02T03:04:05"})",
         "field submissiontime: expected RFC 3339 time"},
        {R"({"submissiontime":12})", "field submissiontime: expected time string"},
    };
    for (const auto& c : cases) {
        auto r = process_from_json(parse(c.json));
        ASSERT_FALSE(r.ok()) << c.json;
        EXPECT_EQ(r.error().status, 400);
        EXPECT_EQ(r.error().message, c.error) << c.json;
    }
    // The first error wins.
    auto r = process_from_json(parse(R"({"processid":1,"retries":"x"})"));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message, "field processid: expected string");
}

TEST(Json, WrongTypesInOtherTypes) {
    EXPECT_FALSE(colony_from_json(parse(R"({"name":1})")).ok());
    EXPECT_FALSE(colony_from_json(parse(R"([])")).ok());
    EXPECT_FALSE(colony_from_json(parse(R"("dev")")).ok());
    EXPECT_FALSE(user_from_json(parse(R"({"email":false})")).ok());
    EXPECT_FALSE(executor_from_json(parse(R"({"state":"1"})")).ok());
    EXPECT_FALSE(executor_from_json(parse(R"({"commissiontime":"now"})")).ok());
    EXPECT_FALSE(executor_from_json(parse(R"({"capabilities":[]})")).ok());
    EXPECT_FALSE(executor_from_json(parse(R"({"capabilities":{"hardware":{}}})")).ok());
    EXPECT_FALSE(
        executor_from_json(parse(R"({"capabilities":{"hardware":[{"cores":"8"}]}})")).ok());
    EXPECT_FALSE(
        executor_from_json(parse(R"({"allocations":{"projects":{"p":{"usedcpu":1.5}}}})")).ok());
    EXPECT_FALSE(attribute_from_json(parse(R"({"attributetype":"1"})")).ok());
    EXPECT_FALSE(function_spec_from_json(parse(R"({"priority":0.5})")).ok());
    EXPECT_FALSE(workflow_spec_from_json(parse(R"({"functionspecs":{}})")).ok());
    EXPECT_FALSE(workflow_spec_from_json(parse(R"({"functionspecs":[{"priority":"1"}]})")).ok());
    EXPECT_FALSE(process_graph_from_json(parse(R"({"nodes":{}})")).ok());
    EXPECT_FALSE(process_graph_from_json(parse(R"({"rootprocessids":[{}]})")).ok());
    EXPECT_FALSE(function_from_json(parse(R"({"avgexectime":"1"})")).ok());
    EXPECT_FALSE(function_from_json(parse(R"({"counter":1.5})")).ok());
    EXPECT_FALSE(log_from_json(parse(R"({"timestamp":"1"})")).ok());
    EXPECT_FALSE(log_from_json(parse(R"({"message":{}})")).ok());
    EXPECT_FALSE(statistics_from_json(parse(R"({"colonies":1.5})")).ok());

    // number() accepts ints and floats for float fields.
    auto fn = function_from_json(parse(R"({"avgexectime":2,"minwaittime":0.25})"));
    ASSERT_TRUE(fn.ok());
    EXPECT_EQ(fn->avgexectime, 2.0);
    EXPECT_EQ(fn->minwaittime, 0.25);
}

TEST(Json, NullsAndMissingGiveZeroValues) {
    auto p = process_from_json(parse(R"({
        "processid":null,"isassigned":null,"state":null,"prioritytime":null,
        "submissiontime":null,"attributes":null,"parents":null,"children":null,"in":null,
        "out":null,"errors":null,"spec":{"args":null,"kwargs":null,"env":null,"fs":null,
        "channels":null,"conditions":{"executornames":null,"gpu":null,"dependencies":null,
        "locationname":null,"fileid":null}},"fileid":null})"));
    ASSERT_TRUE(p.ok()) << p.error().message;
    EXPECT_EQ(p->processid, "");
    EXPECT_FALSE(p->isassigned);
    EXPECT_EQ(p->prioritytime, 0);
    EXPECT_TRUE(p->submissiontime.is_zero());
    EXPECT_TRUE(p->parents.empty());
    EXPECT_TRUE(p->spec.args.empty());
    EXPECT_TRUE(p->spec.fs.is_null());
    EXPECT_TRUE(p->spec.conditions.executornames_null);
    EXPECT_EQ(to_json(*p), to_json(Process{}));

    // null decodes to a default object; {} the same.
    auto c = colony_from_json(nullptr);
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(c->name, "");
    auto e = executor_from_json(parse("{}"));
    ASSERT_TRUE(e.ok());
    EXPECT_EQ(e->state, ExecutorState::Pending);
    EXPECT_TRUE(e->commissiontime.is_zero());

    // Null elements inside string arrays and maps take the zero value, as in Go.
    auto s = function_spec_from_json(parse(R"({"env":{"A":null},"channels":[null,"c"]})"));
    ASSERT_TRUE(s.ok());
    EXPECT_EQ(s->env.at("A"), "");
    EXPECT_EQ(s->channels, (std::vector<std::string>{"", "c"}));
}

TEST(Json, PycoloniesSubmitSpecDecodes) {
    // What pycolonies' FuncSpec model serialises by default.
    auto s = function_spec_from_json(parse(R"({
        "nodename":"","funcname":"echo","args":["hi"],"kwargs":null,"priority":0,
        "maxwaittime":0,"maxexectime":0,"maxretries":0,
        "conditions":{"colonyname":"dev","executornames":null,"executortype":"cli",
          "dependencies":[],"nodes":0,"cpu":"","processes":0,"processespernode":0,"mem":"",
          "storage":"","gpu":{"name":"","mem":"","count":0,"nodecount":0},"walltime":0},
        "label":"","fs":{"mount":"","snapshots":null,"dirs":null},"env":{},"channels":[]})"));
    ASSERT_TRUE(s.ok()) << s.error().message;
    ASSERT_TRUE(normalize_function_spec(*s).ok());
    const json::value v = to_json(*s);
    EXPECT_EQ(v.at("maxexectime"), -1);
    EXPECT_TRUE(v.at("kwargs").is_object());
    EXPECT_FALSE(v.as_object().contains("channels"));
    const auto& c = v.at("conditions");
    EXPECT_TRUE(c.at("executornames").is_null());
    EXPECT_EQ(c.at("cpu"), "0m");
    EXPECT_EQ(c.at("mem"), "0Mi");
    EXPECT_EQ(c.at("storage"), "0Mi");
    EXPECT_EQ(c.at("gpu").at("mem"), "0Mi");
}

TEST(Json, ExecutorNamesNullVersusEmpty) {
    auto names_after = [](const char* names) {
        auto s = function_spec_from_json(
            parse(std::string(R"({"conditions":{"executornames":)") + names + "}}"));
        EXPECT_TRUE(s.ok());
        EXPECT_TRUE(normalize_function_spec(*s).ok());
        return to_text(to_json(*s).at("conditions").at("executornames"));
    };
    EXPECT_EQ(names_after("null"), "null");
    EXPECT_EQ(names_after("[]"), "[]");
    EXPECT_EQ(names_after(R"(["*"])"), "[]");
    EXPECT_EQ(names_after(R"(["a","b"])"), R"(["a","b"])");
}

TEST(Json, OmitRules) {
    Executor e;
    json::value v = to_json(e);
    for (const char* k : {"locationname", "blueprintid", "blueprintgen"})
        EXPECT_FALSE(v.as_object().contains(k)) << k;
    EXPECT_EQ(v.at("capabilities"), parse(R"({"hardware":null,"software":null})"));
    EXPECT_EQ(v.at("allocations"), parse(R"({"projects":null})"));
    EXPECT_EQ(v.at("state"), 0);
    e.locationname = "l";
    e.blueprintid = "b";
    e.blueprintgen = 1;
    v = to_json(e);
    EXPECT_EQ(v.at("locationname"), "l");
    EXPECT_EQ(v.at("blueprintid"), "b");
    EXPECT_EQ(v.at("blueprintgen"), 1);

    Function f;
    v = to_json(f);
    for (const char* k : {"description", "args", "locationname"})
        EXPECT_FALSE(v.as_object().contains(k)) << k;
    EXPECT_EQ(keys_of(v), (std::vector<std::string>{"functionid", "executorname", "executortype",
                                                    "colonyname", "funcname", "counter",
                                                    "minwaittime", "maxwaittime", "minexectime",
                                                    "maxexectime", "avgwaittime", "avgexectime"}));

    Conditions c;
    EXPECT_FALSE(to_json(c).as_object().contains("locationname"));
    c.locationname = "x";
    EXPECT_EQ(to_json(c).at("locationname"), "x");

    FunctionSpec s;
    EXPECT_FALSE(to_json(s).as_object().contains("channels"));
    s.channels = {"c"};
    EXPECT_EQ(to_json(s).at("channels"), parse(R"(["c"])"));
}

TEST(Json, ExecutorCapabilitiesAreNormalised) {
    auto e = executor_from_json(parse(R"({"executorname":"ex",
        "capabilities":{"hardware":[{"model":"m","cores":8,"gpu":{"count":1}}],"software":null,
                        "extra":1},
        "allocations":{"projects":{"p1":{"usedcpu":5}}}})"));
    ASSERT_TRUE(e.ok()) << e.error().message;
    const json::value v = to_json(*e);
    EXPECT_EQ(v.at("capabilities"), parse(R"({"hardware":[{"model":"m","nodes":0,"cpu":"",
        "cores":8,"mem":"","storage":"","gpu":{"name":"","mem":"","count":1,"nodecount":0},
        "platform":"","architecture":"","network":[]}],"software":null})"));
    EXPECT_EQ(v.at("allocations"), parse(R"({"projects":{"p1":{"allocatedcpu":0,"usedcpu":5,
        "allocatedgpu":0,"usedgpu":0,"allocatedstorage":0,"usedstorage":0}}})"));
    expect_round_trip(*e, executor_from_json);

    auto sw = executor_from_json(
        parse(R"({"capabilities":{"software":[{"name":"py","type":"t","version":"3"}]}})"));
    ASSERT_TRUE(sw.ok());
    EXPECT_EQ(to_json(*sw).at("capabilities"),
              parse(R"({"hardware":null,"software":[{"name":"py","type":"t","version":"3"}]})"));
}

TEST(Json, FsIsEchoedUnchanged) {
    const char* fs = R"({"mount":"/cfs","snapshots":null,"dirs":[{"label":"l","dir":"/d",
        "keepfiles":false,"onconflicts":{"onstart":{"keeplocal":true},"onclose":{"keeplocal":false}}}]})";
    auto s = function_spec_from_json(parse(std::string(R"({"fs":)") + fs + "}"));
    ASSERT_TRUE(s.ok());
    EXPECT_EQ(to_json(*s).at("fs"), parse(fs));
}

TEST(Json, StatisticsAndServerInfo) {
    Statistics s;
    s.waitingprocesses = 3;
    const json::value v = to_json(s);
    EXPECT_EQ(v.as_object().size(), 14u);
    for (const auto& kv : v.as_object()) EXPECT_TRUE(kv.value().is_int64()) << kv.key();
    EXPECT_EQ(v.at("waitingprocesses"), 3);

    ServerInfo info{"1.9.12", "2026-02-12", "", 50080, false};
    EXPECT_EQ(to_json(info), parse(R"({"buildversion":"1.9.12","buildtime":"2026-02-12",
        "backends":[{"type":"http","port":50080}]})"));
    info.host = "localhost";
    info.tls = true;
    EXPECT_EQ(to_json(info).at("backends"),
              parse(R"([{"type":"http","port":50080,"host":"localhost","tls":true}])"));
}

TEST(Json, ProcessGraphAndWorkflowShapes) {
    const json::value g = to_json(ProcessGraph{});
    for (const char* k : {"rootprocessids", "processids", "nodes", "edges"})
        EXPECT_TRUE(g.at(k).is_array()) << k;
    EXPECT_EQ(g.at("endtime"), "0001-01-01T00:00:00Z");
    EXPECT_EQ(to_json(WorkflowSpec{}), parse(R"({"colonyname":"","functionspecs":[]})"));
    auto w = workflow_spec_from_json(parse(R"({"colonyname":"dev","functionspecs":[
        {"nodename":"a"},{"nodename":"b","conditions":{"dependencies":["a"]}}]})"));
    ASSERT_TRUE(w.ok());
    ASSERT_EQ(w->functionspecs.size(), 2u);
    EXPECT_EQ(w->functionspecs[1].conditions.dependencies, (std::vector<std::string>{"a"}));
}

TEST(Json, LogAndAttributeShapes) {
    EXPECT_EQ(keys_of(to_json(Log{})),
              (std::vector<std::string>{"processid", "colonyname", "executorname", "message",
                                        "timestamp"}));
    EXPECT_EQ(keys_of(to_json(Attribute{})),
              (std::vector<std::string>{"attributeid", "targetid", "targetcolonyname",
                                        "targetprocessgraphid", "state", "attributetype", "key",
                                        "value"}));
    EXPECT_EQ(to_json(sample_attribute(AttributeType::Err)).at("attributetype"), 2);
}

TEST(JsonFields, ReaderRules) {
    const json::value v = parse(R"({"s":"x","i":-3,"u":18446744073709551615,"big":9007199254740993,
        "d":2.5,"b":true,"n":null,"ColonyName":"dev","arr":[1],"obj":{}})");
    JsonFields f(v.as_object());
    EXPECT_EQ(f.str("s"), "x");
    EXPECT_EQ(f.str("missing"), "");
    EXPECT_EQ(f.str("n"), "");
    EXPECT_EQ(f.integer("i"), -3);
    EXPECT_EQ(f.integer("big"), 9007199254740993LL);
    EXPECT_EQ(f.number("i"), -3.0);
    EXPECT_EQ(f.number("d"), 2.5);
    EXPECT_TRUE(f.boolean("b"));
    EXPECT_TRUE(f.is_null("n"));
    EXPECT_TRUE(f.is_null("missing"));
    EXPECT_FALSE(f.is_null("s"));
    EXPECT_EQ(f.str("colonyname"), "dev");  // case-insensitive key match, like Go
    EXPECT_NE(f.array("arr"), nullptr);
    EXPECT_NE(f.object("obj"), nullptr);
    EXPECT_EQ(f.object("n"), nullptr);
    EXPECT_TRUE(f.time("n").is_zero());
    EXPECT_TRUE(f.ok());

    EXPECT_EQ(f.integer("u"), 0);  // beyond int64
    EXPECT_FALSE(f.ok());
    EXPECT_EQ(f.error(), "field u: expected integer");
    EXPECT_EQ(f.str("s"), "");  // after an error, reads give zero values
    EXPECT_EQ(f.error(), "field u: expected integer");

    JsonFields g(v.as_object());
    EXPECT_EQ(g.object("arr"), nullptr);
    EXPECT_EQ(g.error(), "field arr: expected object");
    JsonFields h(v.as_object());
    EXPECT_EQ(h.array("obj"), nullptr);
    EXPECT_EQ(h.error(), "field obj: expected array");
    JsonFields k(v.as_object());
    EXPECT_EQ(k.str("i"), "");
    EXPECT_EQ(k.error(), "field i: expected string");
    JsonFields m(v.as_object());
    m.number("s");
    EXPECT_EQ(m.error(), "field s: expected number");
    m.set_error("later");
    EXPECT_EQ(m.error(), "field s: expected number");
}

// The exact text of every type's encoding, key order included, from before the field lists
// were described once (Boost.Describe): the wire must not change by a byte.
Executor golden_executor() {
    auto e = executor_from_json(parse(R"({"executorid":"eid","executortype":"cli",
        "executorname":"ex","colonyname":"dev","state":1,"requirefuncreg":true,
        "commissiontime":"2025-01-02T03:04:05Z","lastheardfromtime":"2025-01-02T03:04:06.5Z",
        "locationname":"home","blueprintid":"bp","blueprintgen":4,
        "capabilities":{"software":[{"version":"3","name":"py","type":"t"}],"extra":1,
                        "hardware":[{"network":["n"],"model":"m","cores":8,"gpu":{"count":1}}]},
        "allocations":{"projects":{"p1":{"usedcpu":5},"p0":null}}})"));
    EXPECT_TRUE(e.ok()) << e.error().message;
    return e.ok() ? *e : Executor{};
}

TEST(Json, GoldenEncodings) {
    ServerInfo info{"1.2.3", "today", "host", 50080, true};
    Function fn{"fid", "ex", "cli", "dev", "echo", "desc", json::array{json::object{{"name", "x"}}},
                5,     0.5,  1.25,  2,     3,      4,      5.5,
                "home"};
    Statistics st;
    st.colonies = 1;
    st.cancelledworkflows = 14;
    ProcessGraph g;
    g.processgraphid = "g";
    g.rootprocessids = {"r"};
    g.state = ProcessState::Running;
    g.submissiontime = Time::from_ns(1);
    g.nodes = json::array{json::object{{"id", "r"}}};
    const std::pair<std::string, json::value> cases[] = {
        {"colony", to_json(Colony{"id", "dev"})},
        {"user", to_json(User{"dev", "uid", "alice", "a@b.c", "123"})},
        {"attribute", to_json(sample_attribute(AttributeType::Env))},
        {"process", to_json(sample_process())},
        {"process{}", to_json(Process{})},
        {"workflow", to_json(WorkflowSpec{"dev", {sample_spec()}})},
        {"graph", to_json(g)},
        {"graph{}", to_json(ProcessGraph{})},
        {"function", to_json(fn)},
        {"function{}", to_json(Function{})},
        {"log", to_json(Log{"p", "dev", "ex", "hi", 7})},
        {"statistics", to_json(st)},
        {"serverinfo", to_json(info)},
        {"serverinfo{}", to_json(ServerInfo{})},
        {"executor", to_json(golden_executor())},
        {"executor{}", to_json(Executor{})},
    };
    const std::map<std::string, std::string> expected =
        {
            {"colony", R"GOLD({"colonyid":"id","name":"dev"})GOLD"},
            {"user",
             R"GOLD({"colonyname":"dev","userid":"uid","name":"alice","email":"a@b.c","phone":"123"})GOLD"},
            {"attribute",
             R"GOLD({"attributeid":"a1","targetid":"p1","targetcolonyname":"dev","targetprocessgraphid":"g1","state":1,"attributetype":3,"key":"k","value":"v"})GOLD"},
            {"process", R"GOLD({"processid":"p1","initiatorid":"i1","initiatorname":"me","assignedexecutorid":"e1","isassigned":true,"state":3,"prioritytime":-1735787045123456789,"submissiontime":"2025-01-02T03:04:05.123456789Z","starttime":"2025-01-02T03:04:06Z","endtime":"2025-01-02T03:04:07.5Z","waitdeadline":"2025-01-02T04:04:05Z","execdeadline":"2025-01-02T05:04:05Z","retries":2,"attributes":[{"attributeid":"a1","targetid":"p1","targetcolonyname":"dev","targetprocessgraphid":"g1","state":1,"attributetype":3,"key":"k","value":"v"},{"attributeid":"a1","targetid":"p1","targetcolonyname":"dev","targetprocessgraphid":"g1","state":1,"attributetype":1,"key":"k","value":"v"}],"spec":{"nodename":"n","funcname":"f","args":["x",1,{"deep":[true,null]}],"kwargs":{"a":1.5E0,"b":"c"},"priority":-7,"maxwaittime":10,"maxexectime":-1,"maxretries":3,"conditions":{"colonyname":"dev","executornames":["e1","e2"],"executortype":"cli","locationname":"home","dependencies":["a","b"],"nodes":2,"cpu":"500m","processes":3,"processespernode":4,"mem":"10Mi","storage":"20Mi","gpu":{"name":"a100","mem":"40960Mi","count":2,"nodecount":1},"walltime":60},"label":"lbl","fs":{"mount":"/m","snapshots":[{"snapshotid":"s","label":"l","dir":"d","keepfiles":true,"keepsnapshot":false}],"dirs":null},"env":{"A":"1","B":""},"channels":["ch1"]},"waitforparents":true,"parents":["pa"],"children":["c1","c2"],"processgraphid":"g1","in":[1,"two"],"out":[{"r":3}],"errors":["boom"]})GOLD"},
            {"process{}",
             R"GOLD({"processid":"","initiatorid":"","initiatorname":"","assignedexecutorid":"","isassigned":false,"state":0,"prioritytime":0,"submissiontime":"0001-01-01T00:00:00Z","starttime":"0001-01-01T00:00:00Z","endtime":"0001-01-01T00:00:00Z","waitdeadline":"0001-01-01T00:00:00Z","execdeadline":"0001-01-01T00:00:00Z","retries":0,"attributes":[],"spec":{"nodename":"","funcname":"","args":[],"kwargs":{},"priority":0,"maxwaittime":0,"maxexectime":0,"maxretries":0,"conditions":{"colonyname":"","executornames":null,"executortype":"","dependencies":[],"nodes":0,"cpu":"","processes":0,"processespernode":0,"mem":"","storage":"","gpu":{"name":"","mem":"","count":0,"nodecount":0},"walltime":0},"label":"","fs":{"mount":"","snapshots":null,"dirs":null},"env":{}},"waitforparents":false,"parents":[],"children":[],"processgraphid":"","in":[],"out":[],"errors":[]})GOLD"},
            {"workflow",
             R"GOLD({"colonyname":"dev","functionspecs":[{"nodename":"n","funcname":"f","args":["x",1,{"deep":[true,null]}],"kwargs":{"a":1.5E0,"b":"c"},"priority":-7,"maxwaittime":10,"maxexectime":-1,"maxretries":3,"conditions":{"colonyname":"dev","executornames":["e1","e2"],"executortype":"cli","locationname":"home","dependencies":["a","b"],"nodes":2,"cpu":"500m","processes":3,"processespernode":4,"mem":"10Mi","storage":"20Mi","gpu":{"name":"a100","mem":"40960Mi","count":2,"nodecount":1},"walltime":60},"label":"lbl","fs":{"mount":"/m","snapshots":[{"snapshotid":"s","label":"l","dir":"d","keepfiles":true,"keepsnapshot":false}],"dirs":null},"env":{"A":"1","B":""},"channels":["ch1"]}]})GOLD"},
            {"graph",
             R"GOLD({"processgraphid":"g","initiatorid":"","initiatorname":"","colonyname":"","rootprocessids":["r"],"state":1,"submissiontime":"1970-01-01T00:00:00.000000001Z","starttime":"0001-01-01T00:00:00Z","endtime":"0001-01-01T00:00:00Z","processids":[],"nodes":[{"id":"r"}],"edges":[]})GOLD"},
            {"graph{}",
             R"GOLD({"processgraphid":"","initiatorid":"","initiatorname":"","colonyname":"","rootprocessids":[],"state":0,"submissiontime":"0001-01-01T00:00:00Z","starttime":"0001-01-01T00:00:00Z","endtime":"0001-01-01T00:00:00Z","processids":[],"nodes":[],"edges":[]})GOLD"},
            {"function",
             R"GOLD({"functionid":"fid","executorname":"ex","executortype":"cli","colonyname":"dev","funcname":"echo","description":"desc","args":[{"name":"x"}],"counter":5,"minwaittime":5E-1,"maxwaittime":1.25E0,"minexectime":2E0,"maxexectime":3E0,"avgwaittime":4E0,"avgexectime":5.5E0,"locationname":"home"})GOLD"},
            {"function{}",
             R"GOLD({"functionid":"","executorname":"","executortype":"","colonyname":"","funcname":"","counter":0,"minwaittime":0E0,"maxwaittime":0E0,"minexectime":0E0,"maxexectime":0E0,"avgwaittime":0E0,"avgexectime":0E0})GOLD"},
            {"log",
             R"GOLD({"processid":"p","colonyname":"dev","executorname":"ex","message":"hi","timestamp":7})GOLD"},
            {"statistics",
             R"GOLD({"colonies":1,"executors":0,"activeexecutors":0,"unregisteredexecutors":0,"waitingprocesses":0,"runningprocesses":0,"successfulprocesses":0,"failedprocesses":0,"cancelledprocesses":0,"waitingworkflows":0,"runningworkflows":0,"successfulworkflows":0,"failedworkflows":0,"cancelledworkflows":14})GOLD"},
            {"serverinfo",
             R"GOLD({"buildversion":"1.2.3","buildtime":"today","backends":[{"type":"http","port":50080,"host":"host","tls":true}]})GOLD"},
            {"serverinfo{}",
             R"GOLD({"buildversion":"","buildtime":"","backends":[{"type":"http","port":0}]})GOLD"},
            {"executor",
             R"GOLD({"executorid":"eid","executortype":"cli","executorname":"ex","colonyname":"dev","state":1,"requirefuncreg":true,"commissiontime":"2025-01-02T03:04:05Z","lastheardfromtime":"2025-01-02T03:04:06.5Z","locationname":"home","capabilities":{"hardware":[{"model":"m","nodes":0,"cpu":"","cores":8,"mem":"","storage":"","gpu":{"name":"","mem":"","count":1,"nodecount":0},"platform":"","architecture":"","network":["n"]}],"software":[{"name":"py","type":"t","version":"3"}]},"allocations":{"projects":{"p1":{"allocatedcpu":0,"usedcpu":5,"allocatedgpu":0,"usedgpu":0,"allocatedstorage":0,"usedstorage":0},"p0":{"allocatedcpu":0,"usedcpu":0,"allocatedgpu":0,"usedgpu":0,"allocatedstorage":0,"usedstorage":0}}},"blueprintid":"bp","blueprintgen":4})GOLD"},
            {"executor{}",
             R"GOLD({"executorid":"","executortype":"","executorname":"","colonyname":"","state":0,"requirefuncreg":false,"commissiontime":"0001-01-01T00:00:00Z","lastheardfromtime":"0001-01-01T00:00:00Z","capabilities":{"hardware":null,"software":null},"allocations":{"projects":null}})GOLD"},
        };
    for (const auto& [name, v] : cases) {
        auto it = expected.find(name);
        if (it == expected.end()) {
            ADD_FAILURE() << "GOLDEN " << name << " " << to_text(v);
            continue;
        }
        EXPECT_EQ(to_text(v), it->second) << name;
    }
}

TEST(Json, ToTextIsCompact) {
    EXPECT_EQ(to_text(to_json(Colony{"id", "dev"})), R"({"colonyid":"id","name":"dev"})");
    EXPECT_EQ(to_text(to_json(Log{"", "c", "e", "m", 1735787045123456789LL})),
              R"({"processid":"","colonyname":"c","executorname":"e","message":"m",)"
              R"("timestamp":1735787045123456789})");
}

}  // namespace
}  // namespace colonies

namespace colonies {
namespace {

// An enum field whose value its type cannot hold is an error naming the field, not another
// state after a silent cut to 32 bits (issue 13: 2^32 + 2 would have read as SUCCESS).
TEST(Json, EnumValuesOutsideTheirTypeAreRefused) {
    auto p = boost::json::parse(R"({"processid":"p","state":4294967298})");
    auto decoded = process_from_json(p);
    ASSERT_FALSE(decoded.ok());
    EXPECT_NE(decoded.error().message.find("state"), std::string::npos) << decoded.error().message;
    auto a = boost::json::parse(R"({"attributeid":"a","attributetype":-9999999999})");
    EXPECT_FALSE(attribute_from_json(a).ok());
    // Values that fit are kept as sent, named or not (upstream's decoder takes any int).
    auto fits = process_from_json(boost::json::parse(R"({"processid":"p","state":2})"));
    ASSERT_TRUE(fits.ok());
    EXPECT_EQ(fits->state, ProcessState::Success);
}

}  // namespace
}  // namespace colonies
