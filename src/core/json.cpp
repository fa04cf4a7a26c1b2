#include "core/json.hpp"

#include <limits>

namespace colonies {

namespace json = boost::json;
using json::array;
using json::object;
using json::value;

// ---------------------------------------------------------------------------------------------
// JsonFields

namespace {
bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
        auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
        if (lower(a[i]) != lower(b[i])) return false;
    }
    return true;
}
}  // namespace

// Exact key first, else a case-insensitive match (Go's decoder folds case). Null -> nullptr.
const value* JsonFields::find(std::string_view key) const {
    const value* v = obj_->if_contains(key);
    if (!v) {
        for (const auto& kv : *obj_) {
            if (iequals(kv.key(), key)) {
                v = &kv.value();
                break;
            }
        }
    }
    return v && !v->is_null() ? v : nullptr;
}

void JsonFields::fail(std::string_view key, const char* what) {
    set_error("field " + std::string(key) + ": expected " + what);
}

void JsonFields::set_error(std::string message) {
    if (error_.empty()) error_ = std::move(message);
}

bool JsonFields::is_null(std::string_view key) const {
    return find(key) == nullptr;
}

std::string JsonFields::str(std::string_view key) {
    const value* v = ok() ? find(key) : nullptr;
    if (!v) return {};
    if (!v->is_string()) return fail(key, "string"), std::string();
    return std::string(v->get_string());
}

int64_t JsonFields::integer(std::string_view key) {
    const value* v = ok() ? find(key) : nullptr;
    if (!v) return 0;
    if (v->is_int64()) return v->get_int64();
    if (v->is_uint64() && v->get_uint64() <= uint64_t(std::numeric_limits<int64_t>::max()))
        return static_cast<int64_t>(v->get_uint64());
    fail(key, "integer");
    return 0;
}

double JsonFields::number(std::string_view key) {
    const value* v = ok() ? find(key) : nullptr;
    if (!v) return 0;
    if (v->is_number()) return v->to_number<double>();
    fail(key, "number");
    return 0;
}

bool JsonFields::boolean(std::string_view key) {
    const value* v = ok() ? find(key) : nullptr;
    if (!v) return false;
    if (!v->is_bool()) return fail(key, "bool"), false;
    return v->get_bool();
}

Time JsonFields::time(std::string_view key) {
    const value* v = ok() ? find(key) : nullptr;
    if (!v) return Time::zero();
    if (v->is_string()) {
        if (auto t = parse_rfc3339(v->get_string())) return *t;
        fail(key, "RFC 3339 time");
    } else {
        fail(key, "time string");
    }
    return Time::zero();
}

std::vector<std::string> JsonFields::strings(std::string_view key) {
    std::vector<std::string> out;
    const json::array* a = array(key);
    if (!a) return out;
    out.reserve(a->size());
    for (const value& e : *a) {
        if (e.is_string()) {
            out.emplace_back(e.get_string());
        } else if (e.is_null()) {
            out.emplace_back();
        } else {
            fail(key, "array of strings");
            return {};
        }
    }
    return out;
}

const object* JsonFields::object(std::string_view key) {
    const value* v = ok() ? find(key) : nullptr;
    if (!v) return nullptr;
    if (!v->is_object()) return fail(key, "object"), nullptr;
    return &v->get_object();
}

const array* JsonFields::array(std::string_view key) {
    const value* v = ok() ? find(key) : nullptr;
    if (!v) return nullptr;
    if (!v->is_array()) return fail(key, "array"), nullptr;
    return &v->get_array();
}

// ---------------------------------------------------------------------------------------------
// Shared helpers

namespace {

// Informational executor sub-objects, normalised through these shapes (protocol.md 4.5).
struct Project {
    int64_t allocatedcpu = 0, usedcpu = 0, allocatedgpu = 0, usedgpu = 0, allocatedstorage = 0,
            usedstorage = 0;
};
struct Capabilities {
    object o;
};
struct Allocations {
    object o;
};

value strs(const std::vector<std::string>& v) {
    return array(v.begin(), v.end());
}
value time_json(Time t) {
    return value(format_rfc3339(t));
}
void put_nonempty(object& o, std::string_view k, const std::string& s) {
    if (!s.empty()) o[k] = s;
}
template <class E>
int64_t num(E e) {
    return static_cast<int64_t>(e);
}

// Wraps an error of a nested reader ("field cpu: ...") with the outer key ("field
// conditions.cpu: ...").
std::string nested_error(std::string_view outer, const std::string& inner) {
    constexpr std::string_view kPrefix = "field ";
    std::string_view rest = inner;
    if (rest.substr(0, kPrefix.size()) == kPrefix) rest.remove_prefix(kPrefix.size());
    return "field " + std::string(outer) + "." + std::string(rest);
}

// Readers: one per type, filling t from f (errors stay in f).
void read(JsonFields& f, GPU& g);
void read(JsonFields& f, Hardware& h);
void read(JsonFields& f, Software& s);
void read(JsonFields& f, Project& p);
void read(JsonFields& f, Capabilities& c);
void read(JsonFields& f, Allocations& a);
void read(JsonFields& f, Conditions& c);
void read(JsonFields& f, FunctionSpec& s);
void read(JsonFields& f, Attribute& a);
void read(JsonFields& f, Colony& c);
void read(JsonFields& f, User& u);
void read(JsonFields& f, Executor& e);
void read(JsonFields& f, Process& p);
void read(JsonFields& f, WorkflowSpec& w);
void read(JsonFields& f, ProcessGraph& g);
void read(JsonFields& f, Function& fn);
void read(JsonFields& f, Log& l);
void read(JsonFields& f, Statistics& s);

// Nested object `key` read with read(JsonFields&, T&); missing/null -> T{}.
template <class T>
T sub(JsonFields& f, std::string_view key) {
    T t;
    if (const object* o = f.object(key)) {
        JsonFields g(*o);
        read(g, t);
        if (!g.ok()) f.set_error(nested_error(key, g.error()));
    }
    return t;
}

// Reads one element of a nested array or map (null -> T{}); false on error (recorded in f).
template <class T>
bool read_element(JsonFields& f, const std::string& where, const value& e, T& t) {
    if (e.is_null()) return true;
    if (!e.is_object()) return f.set_error("field " + where + ": expected object"), false;
    JsonFields g(e.get_object());
    read(g, t);
    if (!g.ok()) return f.set_error(nested_error(where, g.error())), false;
    return true;
}

// Nested array of objects `key`; missing/null -> {}.
template <class T>
std::vector<T> sub_list(JsonFields& f, std::string_view key) {
    std::vector<T> out;
    const array* a = f.array(key);
    if (!a) return out;
    out.resize(a->size());
    for (size_t i = 0; i < a->size(); ++i) {
        if (!read_element(f, std::string(key) + "[" + std::to_string(i) + "]", (*a)[i], out[i]))
            return {};
    }
    return out;
}

std::map<std::string, std::string> string_map(JsonFields& f, std::string_view key) {
    std::map<std::string, std::string> out;
    const object* o = f.object(key);
    if (!o) return out;
    for (const auto& kv : *o) {
        if (kv.value().is_string()) {
            out[std::string(kv.key())] = std::string(kv.value().get_string());
        } else if (kv.value().is_null()) {
            out[std::string(kv.key())];
        } else {
            f.set_error("field " + std::string(key) + "." + std::string(kv.key()) +
                        ": expected string");
            return {};
        }
    }
    return out;
}

template <class E>
E enum_of(JsonFields& f, std::string_view key) {
    return static_cast<E>(f.integer(key));
}

// Writers of the informational sub-objects.
value gpu_json(const GPU& g) {
    return object{{"name", g.name}, {"mem", g.mem}, {"count", g.count}, {"nodecount", g.nodecount}};
}
value to_json_info(const Hardware& h) {
    return object{
        {"model", h.model},          {"nodes", h.nodes},       {"cpu", h.cpu},
        {"cores", h.cores},          {"mem", h.mem},           {"storage", h.storage},
        {"gpu", gpu_json(h.gpu)},    {"platform", h.platform}, {"architecture", h.architecture},
        {"network", strs(h.network)}};
}
value to_json_info(const Software& s) {
    return object{{"name", s.name}, {"type", s.type}, {"version", s.version}};
}
value to_json_info(const Project& p) {
    return object{{"allocatedcpu", p.allocatedcpu},         {"usedcpu", p.usedcpu},
                  {"allocatedgpu", p.allocatedgpu},         {"usedgpu", p.usedgpu},
                  {"allocatedstorage", p.allocatedstorage}, {"usedstorage", p.usedstorage}};
}

// A [T] (null ok) sub-array, re-rendered through T's shape; null stays null.
template <class T>
value info_list(JsonFields& f, std::string_view key) {
    if (f.is_null(key)) return nullptr;
    array out;
    for (const T& t : sub_list<T>(f, key)) out.push_back(to_json_info(t));
    return out;
}

void read(JsonFields& f, GPU& g) {
    g.name = f.str("name");
    g.mem = f.str("mem");
    g.count = f.integer("count");
    g.nodecount = f.integer("nodecount");
}

void read(JsonFields& f, Hardware& h) {
    h.model = f.str("model");
    h.nodes = f.integer("nodes");
    h.cpu = f.str("cpu");
    h.cores = f.integer("cores");
    h.mem = f.str("mem");
    h.storage = f.str("storage");
    h.gpu = sub<GPU>(f, "gpu");
    h.platform = f.str("platform");
    h.architecture = f.str("architecture");
    h.network = f.strings("network");
}

void read(JsonFields& f, Software& s) {
    s.name = f.str("name");
    s.type = f.str("type");
    s.version = f.str("version");
}

void read(JsonFields& f, Project& p) {
    p.allocatedcpu = f.integer("allocatedcpu");
    p.usedcpu = f.integer("usedcpu");
    p.allocatedgpu = f.integer("allocatedgpu");
    p.usedgpu = f.integer("usedgpu");
    p.allocatedstorage = f.integer("allocatedstorage");
    p.usedstorage = f.integer("usedstorage");
}

void read(JsonFields& f, Capabilities& c) {
    c.o = object{{"hardware", info_list<Hardware>(f, "hardware")},
                 {"software", info_list<Software>(f, "software")}};
}

void read(JsonFields& f, Allocations& a) {
    value projects = nullptr;
    if (const object* o = f.object("projects")) {
        object out;
        for (const auto& kv : *o) {
            Project p;
            if (!read_element(f, "projects." + std::string(kv.key()), kv.value(), p)) break;
            out[kv.key()] = to_json_info(p);
        }
        projects = std::move(out);
    }
    a.o = object{{"projects", std::move(projects)}};
}

void read(JsonFields& f, Conditions& c) {
    c.colonyname = f.str("colonyname");
    c.executornames_null = f.is_null("executornames");
    c.executornames = f.strings("executornames");
    c.executortype = f.str("executortype");
    c.locationname = f.str("locationname");
    c.dependencies = f.strings("dependencies");
    c.nodes = f.integer("nodes");
    c.cpu = f.str("cpu");
    c.processes = f.integer("processes");
    c.processespernode = f.integer("processespernode");
    c.mem = f.str("mem");
    c.storage = f.str("storage");
    c.gpu = sub<GPU>(f, "gpu");
    c.walltime = f.integer("walltime");
}

void read(JsonFields& f, FunctionSpec& s) {
    s.nodename = f.str("nodename");
    s.funcname = f.str("funcname");
    if (const array* a = f.array("args")) s.args = *a;
    if (const object* o = f.object("kwargs")) s.kwargs = *o;
    s.priority = f.integer("priority");
    s.maxwaittime = f.integer("maxwaittime");
    s.maxexectime = f.integer("maxexectime");
    s.maxretries = f.integer("maxretries");
    s.conditions = sub<Conditions>(f, "conditions");
    s.label = f.str("label");
    if (const object* o = f.object("fs")) s.fs = *o;
    s.env = string_map(f, "env");
    s.channels = f.strings("channels");
}

void read(JsonFields& f, Attribute& a) {
    a.attributeid = f.str("attributeid");
    a.targetid = f.str("targetid");
    a.targetcolonyname = f.str("targetcolonyname");
    a.targetprocessgraphid = f.str("targetprocessgraphid");
    a.state = enum_of<ProcessState>(f, "state");
    a.attributetype = enum_of<AttributeType>(f, "attributetype");
    a.key = f.str("key");
    a.value = f.str("value");
}

void read(JsonFields& f, Colony& c) {
    c.colonyid = f.str("colonyid");
    c.name = f.str("name");
}

void read(JsonFields& f, User& u) {
    u.colonyname = f.str("colonyname");
    u.userid = f.str("userid");
    u.name = f.str("name");
    u.email = f.str("email");
    u.phone = f.str("phone");
}

void read(JsonFields& f, Executor& e) {
    e.executorid = f.str("executorid");
    e.executortype = f.str("executortype");
    e.executorname = f.str("executorname");
    e.colonyname = f.str("colonyname");
    e.state = enum_of<ExecutorState>(f, "state");
    e.requirefuncreg = f.boolean("requirefuncreg");
    e.commissiontime = f.time("commissiontime");
    e.lastheardfromtime = f.time("lastheardfromtime");
    e.locationname = f.str("locationname");
    e.capabilities = sub<Capabilities>(f, "capabilities").o;
    e.allocations = sub<Allocations>(f, "allocations").o;
    e.blueprintid = f.str("blueprintid");
    e.blueprintgen = f.integer("blueprintgen");
}

void read(JsonFields& f, Process& p) {
    p.processid = f.str("processid");
    p.initiatorid = f.str("initiatorid");
    p.initiatorname = f.str("initiatorname");
    p.assignedexecutorid = f.str("assignedexecutorid");
    p.isassigned = f.boolean("isassigned");
    p.state = enum_of<ProcessState>(f, "state");
    p.prioritytime = f.integer("prioritytime");
    p.submissiontime = f.time("submissiontime");
    p.starttime = f.time("starttime");
    p.endtime = f.time("endtime");
    p.waitdeadline = f.time("waitdeadline");
    p.execdeadline = f.time("execdeadline");
    p.retries = f.integer("retries");
    p.attributes = sub_list<Attribute>(f, "attributes");
    p.spec = sub<FunctionSpec>(f, "spec");
    p.waitforparents = f.boolean("waitforparents");
    p.parents = f.strings("parents");
    p.children = f.strings("children");
    p.processgraphid = f.str("processgraphid");
    if (const array* a = f.array("in")) p.in = *a;
    if (const array* a = f.array("out")) p.out = *a;
    p.errors = f.strings("errors");
}

void read(JsonFields& f, WorkflowSpec& w) {
    w.colonyname = f.str("colonyname");
    w.functionspecs = sub_list<FunctionSpec>(f, "functionspecs");
}

void read(JsonFields& f, ProcessGraph& g) {
    g.processgraphid = f.str("processgraphid");
    g.initiatorid = f.str("initiatorid");
    g.initiatorname = f.str("initiatorname");
    g.colonyname = f.str("colonyname");
    g.rootprocessids = f.strings("rootprocessids");
    g.state = enum_of<ProcessState>(f, "state");
    g.submissiontime = f.time("submissiontime");
    g.starttime = f.time("starttime");
    g.endtime = f.time("endtime");
    g.processids = f.strings("processids");
    if (const array* a = f.array("nodes")) g.nodes = *a;
    if (const array* a = f.array("edges")) g.edges = *a;
}

void read(JsonFields& f, Function& fn) {
    fn.functionid = f.str("functionid");
    fn.executorname = f.str("executorname");
    fn.executortype = f.str("executortype");
    fn.colonyname = f.str("colonyname");
    fn.funcname = f.str("funcname");
    fn.description = f.str("description");
    if (const array* a = f.array("args")) fn.args = *a;
    fn.counter = f.integer("counter");
    fn.minwaittime = f.number("minwaittime");
    fn.maxwaittime = f.number("maxwaittime");
    fn.minexectime = f.number("minexectime");
    fn.maxexectime = f.number("maxexectime");
    fn.avgwaittime = f.number("avgwaittime");
    fn.avgexectime = f.number("avgexectime");
    fn.locationname = f.str("locationname");
}

void read(JsonFields& f, Log& l) {
    l.processid = f.str("processid");
    l.colonyname = f.str("colonyname");
    l.executorname = f.str("executorname");
    l.message = f.str("message");
    l.timestamp = f.integer("timestamp");
}

constexpr std::pair<const char*, int64_t Statistics::*> kStatisticsFields[] = {
    {"colonies", &Statistics::colonies},
    {"executors", &Statistics::executors},
    {"activeexecutors", &Statistics::activeexecutors},
    {"unregisteredexecutors", &Statistics::unregisteredexecutors},
    {"waitingprocesses", &Statistics::waitingprocesses},
    {"runningprocesses", &Statistics::runningprocesses},
    {"successfulprocesses", &Statistics::successfulprocesses},
    {"failedprocesses", &Statistics::failedprocesses},
    {"cancelledprocesses", &Statistics::cancelledprocesses},
    {"waitingworkflows", &Statistics::waitingworkflows},
    {"runningworkflows", &Statistics::runningworkflows},
    {"successfulworkflows", &Statistics::successfulworkflows},
    {"failedworkflows", &Statistics::failedworkflows},
    {"cancelledworkflows", &Statistics::cancelledworkflows},
};

void read(JsonFields& f, Statistics& s) {
    for (const auto& [key, member] : kStatisticsFields) s.*member = f.integer(key);
}

// Top-level decode: null -> T{}; not an object -> error; else read field by field.
template <class T>
Result<T> decode(const value& v) {
    T t;
    if (v.is_null()) return t;
    if (!v.is_object()) return bad_request("expected object");
    JsonFields f(v.get_object());
    read(f, t);
    if (!f.ok()) return bad_request(f.error());
    return t;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Writers

value to_json(const Colony& c) {
    return object{{"colonyid", c.colonyid}, {"name", c.name}};
}

value to_json(const User& u) {
    return object{{"colonyname", u.colonyname},
                  {"userid", u.userid},
                  {"name", u.name},
                  {"email", u.email},
                  {"phone", u.phone}};
}

value to_json(const Executor& e) {
    object o{{"executorid", e.executorid},
             {"executortype", e.executortype},
             {"executorname", e.executorname},
             {"colonyname", e.colonyname},
             {"state", num(e.state)},
             {"requirefuncreg", e.requirefuncreg},
             {"commissiontime", time_json(e.commissiontime)},
             {"lastheardfromtime", time_json(e.lastheardfromtime)}};
    put_nonempty(o, "locationname", e.locationname);
    object caps = e.capabilities;
    caps.emplace("hardware", nullptr);  // no-op when present
    caps.emplace("software", nullptr);
    o["capabilities"] = std::move(caps);
    object allocs = e.allocations;
    allocs.emplace("projects", nullptr);
    o["allocations"] = std::move(allocs);
    put_nonempty(o, "blueprintid", e.blueprintid);
    if (e.blueprintgen != 0) o["blueprintgen"] = e.blueprintgen;
    return o;
}

value to_json(const Conditions& c) {
    object o{{"colonyname", c.colonyname},
             {"executornames",
              c.executornames.empty() && c.executornames_null ? value() : strs(c.executornames)},
             {"executortype", c.executortype}};
    put_nonempty(o, "locationname", c.locationname);
    o["dependencies"] = strs(c.dependencies);
    o["nodes"] = c.nodes;
    o["cpu"] = c.cpu;
    o["processes"] = c.processes;
    o["processespernode"] = c.processespernode;
    o["mem"] = c.mem;
    o["storage"] = c.storage;
    o["gpu"] = gpu_json(c.gpu);
    o["walltime"] = c.walltime;
    return o;
}

value to_json(const FunctionSpec& s) {
    object env;
    for (const auto& [k, v] : s.env) env[k] = v;
    object o{{"nodename", s.nodename},
             {"funcname", s.funcname},
             {"args", s.args},
             {"kwargs", s.kwargs},
             {"priority", s.priority},
             {"maxwaittime", s.maxwaittime},
             {"maxexectime", s.maxexectime},
             {"maxretries", s.maxretries},
             {"conditions", to_json(s.conditions)},
             {"label", s.label},
             {"fs", s.fs.is_null()
                        ? value(object{{"mount", ""}, {"snapshots", nullptr}, {"dirs", nullptr}})
                        : s.fs},
             {"env", std::move(env)}};
    if (!s.channels.empty()) o["channels"] = strs(s.channels);
    return o;
}

value to_json(const Attribute& a) {
    return object{{"attributeid", a.attributeid},
                  {"targetid", a.targetid},
                  {"targetcolonyname", a.targetcolonyname},
                  {"targetprocessgraphid", a.targetprocessgraphid},
                  {"state", num(a.state)},
                  {"attributetype", num(a.attributetype)},
                  {"key", a.key},
                  {"value", a.value}};
}

value to_json(const Process& p) {
    return object{{"processid", p.processid},
                  {"initiatorid", p.initiatorid},
                  {"initiatorname", p.initiatorname},
                  {"assignedexecutorid", p.assignedexecutorid},
                  {"isassigned", p.isassigned},
                  {"state", num(p.state)},
                  {"prioritytime", p.prioritytime},
                  {"submissiontime", time_json(p.submissiontime)},
                  {"starttime", time_json(p.starttime)},
                  {"endtime", time_json(p.endtime)},
                  {"waitdeadline", time_json(p.waitdeadline)},
                  {"execdeadline", time_json(p.execdeadline)},
                  {"retries", p.retries},
                  {"attributes", to_json(p.attributes)},
                  {"spec", to_json(p.spec)},
                  {"waitforparents", p.waitforparents},
                  {"parents", strs(p.parents)},
                  {"children", strs(p.children)},
                  {"processgraphid", p.processgraphid},
                  {"in", p.in},
                  {"out", p.out},
                  {"errors", strs(p.errors)}};
}

value to_json(const WorkflowSpec& w) {
    return object{{"colonyname", w.colonyname}, {"functionspecs", to_json(w.functionspecs)}};
}

value to_json(const ProcessGraph& g) {
    return object{{"processgraphid", g.processgraphid},
                  {"initiatorid", g.initiatorid},
                  {"initiatorname", g.initiatorname},
                  {"colonyname", g.colonyname},
                  {"rootprocessids", strs(g.rootprocessids)},
                  {"state", num(g.state)},
                  {"submissiontime", time_json(g.submissiontime)},
                  {"starttime", time_json(g.starttime)},
                  {"endtime", time_json(g.endtime)},
                  {"processids", strs(g.processids)},
                  {"nodes", g.nodes},
                  {"edges", g.edges}};
}

value to_json(const Function& f) {
    object o{{"functionid", f.functionid},
             {"executorname", f.executorname},
             {"executortype", f.executortype},
             {"colonyname", f.colonyname},
             {"funcname", f.funcname}};
    put_nonempty(o, "description", f.description);
    if (!f.args.empty()) o["args"] = f.args;
    o["counter"] = f.counter;
    o["minwaittime"] = f.minwaittime;
    o["maxwaittime"] = f.maxwaittime;
    o["minexectime"] = f.minexectime;
    o["maxexectime"] = f.maxexectime;
    o["avgwaittime"] = f.avgwaittime;
    o["avgexectime"] = f.avgexectime;
    put_nonempty(o, "locationname", f.locationname);
    return o;
}

value to_json(const Log& l) {
    return object{{"processid", l.processid},
                  {"colonyname", l.colonyname},
                  {"executorname", l.executorname},
                  {"message", l.message},
                  {"timestamp", l.timestamp}};
}

value to_json(const Statistics& s) {
    object o;
    for (const auto& [key, member] : kStatisticsFields) o[key] = s.*member;
    return o;
}

value to_json(const ServerInfo& i) {
    object backend{{"type", "http"}, {"port", i.port}};
    put_nonempty(backend, "host", i.host);
    if (i.tls) backend["tls"] = true;
    return object{{"buildversion", i.buildversion},
                  {"buildtime", i.buildtime},
                  {"backends", array{std::move(backend)}}};
}

// ---------------------------------------------------------------------------------------------
// Decoders

Result<Colony> colony_from_json(const value& v) {
    return decode<Colony>(v);
}
Result<User> user_from_json(const value& v) {
    return decode<User>(v);
}
Result<Executor> executor_from_json(const value& v) {
    return decode<Executor>(v);
}
Result<FunctionSpec> function_spec_from_json(const value& v) {
    return decode<FunctionSpec>(v);
}
Result<Attribute> attribute_from_json(const value& v) {
    return decode<Attribute>(v);
}
Result<Process> process_from_json(const value& v) {
    return decode<Process>(v);
}
Result<WorkflowSpec> workflow_spec_from_json(const value& v) {
    return decode<WorkflowSpec>(v);
}
Result<ProcessGraph> process_graph_from_json(const value& v) {
    return decode<ProcessGraph>(v);
}
Result<Function> function_from_json(const value& v) {
    return decode<Function>(v);
}
Result<Log> log_from_json(const value& v) {
    return decode<Log>(v);
}
Result<Statistics> statistics_from_json(const value& v) {
    return decode<Statistics>(v);
}

std::string to_text(const value& v) {
    return json::serialize(v);
}

}  // namespace colonies
