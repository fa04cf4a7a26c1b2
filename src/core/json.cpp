#include "core/json.hpp"

#include <boost/describe/class.hpp>
#include <boost/describe/members.hpp>
#include <boost/mp11/algorithm.hpp>
#include <limits>
#include <map>
#include <type_traits>

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
// The codec: every described field (core/types.hpp) is encoded and decoded by its C++ type.
// What the wire does differently for one field is declared below as that field's rule.

namespace {

// Informational executor sub-objects, normalised through these shapes (protocol.md 4.5).
struct Project {
    int64_t allocatedcpu = 0, usedcpu = 0, allocatedgpu = 0, usedgpu = 0, allocatedstorage = 0,
            usedstorage = 0;
};
BOOST_DESCRIBE_STRUCT(Project, (),
                      (allocatedcpu, usedcpu, allocatedgpu, usedgpu, allocatedstorage, usedstorage))
struct Capabilities {
    object o;
};
struct Allocations {
    object o;
};

template <class T>
constexpr bool kDescribed = boost::describe::has_describe_members<T>::value;

// How a field travels. Plain: always, by its type. OmitEmpty: left out when empty (strings,
// lists) or zero (numbers). Custom: by the field's own Codec<Member> below.
enum class Wire { Plain, OmitEmpty, Custom };
template <auto Member>
inline constexpr Wire kWire = Wire::Plain;
template <>
inline constexpr Wire kWire<&Executor::locationname> = Wire::OmitEmpty;
template <>
inline constexpr Wire kWire<&Executor::blueprintid> = Wire::OmitEmpty;
template <>
inline constexpr Wire kWire<&Executor::blueprintgen> = Wire::OmitEmpty;
template <>
inline constexpr Wire kWire<&Conditions::locationname> = Wire::OmitEmpty;
template <>
inline constexpr Wire kWire<&FunctionSpec::channels> = Wire::OmitEmpty;
template <>
inline constexpr Wire kWire<&Function::description> = Wire::OmitEmpty;
template <>
inline constexpr Wire kWire<&Function::args> = Wire::OmitEmpty;
template <>
inline constexpr Wire kWire<&Function::locationname> = Wire::OmitEmpty;
template <>
inline constexpr Wire kWire<&Executor::capabilities> = Wire::Custom;
template <>
inline constexpr Wire kWire<&Executor::allocations> = Wire::Custom;
template <>
inline constexpr Wire kWire<&Conditions::executornames> = Wire::Custom;
template <>
inline constexpr Wire kWire<&FunctionSpec::fs> = Wire::Custom;

// Codec<Member>::write(owner) -> value and ::read(f, key, owner), for the Custom fields.
template <auto Member>
struct Codec;

// Wraps an error of a nested reader ("field cpu: ...") with the outer key ("field
// conditions.cpu: ...").
std::string nested_error(std::string_view outer, const std::string& inner) {
    constexpr std::string_view kPrefix = "field ";
    std::string_view rest = inner;
    if (rest.substr(0, kPrefix.size()) == kPrefix) rest.remove_prefix(kPrefix.size());
    return "field " + std::string(outer) + "." + std::string(rest);
}

// ---- encoding: put() writes a field by its type; encode() builds the composite values

template <class T>
value encode_object(const T& t);

value encode(const std::map<std::string, std::string>& m) {
    object o;
    for (const auto& [k, v] : m) o[k] = v;
    return o;
}
template <class T>
requires kDescribed<T> value encode(const T& t) {
    return encode_object(t);
}
// Lists are [] when empty, never null.
template <class T>
value encode(const std::vector<T>& v) {
    array a;
    a.reserve(v.size());
    for (const auto& x : v) {
        if constexpr (std::is_same_v<T, std::string>) {
            a.emplace_back(json::string_view(x));
        } else {
            a.push_back(encode(x));
        }
    }
    return a;
}

// One field into the object: scalars, strings and free-form JSON are built in place there
// rather than moved in (Process encoding is on every reply).
template <class M>
void put(object& o, std::string_view key, const M& m) {
    if constexpr (std::is_same_v<M, std::string>) {
        o.emplace(key, json::string_view(m));
    } else if constexpr (std::is_same_v<M, Time>) {
        o.emplace(key, json::string_view(format_rfc3339(m)));
    } else if constexpr (std::is_enum_v<M>) {
        o.emplace(key, static_cast<int64_t>(m));
    } else if constexpr (std::is_arithmetic_v<M> || std::is_same_v<M, array> ||
                         std::is_same_v<M, object>) {
        o.emplace(key, m);
    } else {
        o.emplace(key, encode(m));
    }
}

template <class M>
bool is_empty(const M& m) {
    if constexpr (std::is_arithmetic_v<M>) {
        return m == 0;
    } else {
        return m.empty();
    }
}

// The described fields of T in their order, each by its rule.
template <class T>
value encode_object(const T& t) {
    using Fields = boost::describe::describe_members<T, boost::describe::mod_public>;
    object o;
    o.reserve(boost::mp11::mp_size<Fields>::value);
    boost::mp11::mp_for_each<Fields>([&](auto field) {
        using F = decltype(field);
        constexpr Wire rule = kWire<F::pointer>;
        if constexpr (rule == Wire::Custom) {
            o.emplace(F::name, Codec<F::pointer>::write(t));
        } else {
            const auto& m = t.*F::pointer;
            if constexpr (rule == Wire::OmitEmpty) {
                if (is_empty(m)) return;
            }
            put(o, F::name, m);
        }
    });
    return o;
}

// ---- decoding, by type (errors stay in f, the first one wins)

template <class T>
requires kDescribed<T>
void read(JsonFields& f, T& t);
void read(JsonFields& f, Capabilities& c);
void read(JsonFields& f, Allocations& a);

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

void decode(JsonFields& f, std::string_view key, std::string& m) {
    m = f.str(key);
}
void decode(JsonFields& f, std::string_view key, int64_t& m) {
    m = f.integer(key);
}
void decode(JsonFields& f, std::string_view key, double& m) {
    m = f.number(key);
}
void decode(JsonFields& f, std::string_view key, bool& m) {
    m = f.boolean(key);
}
void decode(JsonFields& f, std::string_view key, Time& m) {
    m = f.time(key);
}
void decode(JsonFields& f, std::string_view key, array& m) {
    if (const array* a = f.array(key)) m = *a;
}
void decode(JsonFields& f, std::string_view key, object& m) {
    if (const object* o = f.object(key)) m = *o;
}
void decode(JsonFields& f, std::string_view key, std::vector<std::string>& m) {
    m = f.strings(key);
}
void decode(JsonFields& f, std::string_view key, std::map<std::string, std::string>& m) {
    const object* o = f.object(key);
    if (!o) return;
    for (const auto& kv : *o) {
        if (kv.value().is_string()) {
            m[std::string(kv.key())] = std::string(kv.value().get_string());
        } else if (kv.value().is_null()) {
            m[std::string(kv.key())];
        } else {
            f.set_error("field " + std::string(key) + "." + std::string(kv.key()) +
                        ": expected string");
            m.clear();
            return;
        }
    }
}
template <class E>
requires std::is_enum_v<E>
void decode(JsonFields& f, std::string_view key, E& m) {
    // Values the enum's type cannot hold are refused rather than cut to another value; values
    // that fit but name no state stay as sent (upstream's decoder takes any int).
    using U = std::underlying_type_t<E>;
    const int64_t v = f.integer(key);
    if (v < std::numeric_limits<U>::min() || v > std::numeric_limits<U>::max()) {
        f.set_error("field " + std::string(key) + ": " + std::to_string(v) + " is out of range");
        return;
    }
    m = static_cast<E>(v);
}
template <class T>
requires kDescribed<T>
void decode(JsonFields& f, std::string_view key, T& m) {
    m = sub<T>(f, key);
}
template <class T>
requires kDescribed<T>
void decode(JsonFields& f, std::string_view key, std::vector<T>& m) {
    m = sub_list<T>(f, key);
}

// The described fields of T in their order (which is also the order errors are found in).
template <class T>
requires kDescribed<T>
void read(JsonFields& f, T& t) {
    using Fields = boost::describe::describe_members<T, boost::describe::mod_public>;
    boost::mp11::mp_for_each<Fields>([&](auto field) {
        using F = decltype(field);
        if constexpr (kWire<F::pointer> == Wire::Custom) {
            Codec<F::pointer>::read(f, F::name, t);
        } else {
            decode(f, F::name, t.*F::pointer);
        }
    });
}

// ---- the protocol's quirks

// A [T] (null ok) sub-array, re-rendered through T's shape; null stays null.
template <class T>
value info_list(JsonFields& f, std::string_view key) {
    if (f.is_null(key)) return nullptr;
    array out;
    for (const T& t : sub_list<T>(f, key)) out.push_back(encode_object(t));
    return out;
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
            out[kv.key()] = encode_object(p);
        }
        projects = std::move(out);
    }
    a.o = object{{"projects", std::move(projects)}};
}

// Kept as normalised on decode; the keys a decoded executor always has are there on encode too.
template <>
struct Codec<&Executor::capabilities> {
    static value write(const Executor& e) {
        object caps = e.capabilities;
        caps.emplace("hardware", nullptr);  // no-op when present
        caps.emplace("software", nullptr);
        return caps;
    }
    static void read(JsonFields& f, std::string_view key, Executor& e) {
        e.capabilities = sub<Capabilities>(f, key).o;
    }
};

template <>
struct Codec<&Executor::allocations> {
    static value write(const Executor& e) {
        object allocs = e.allocations;
        allocs.emplace("projects", nullptr);
        return allocs;
    }
    static void read(JsonFields& f, std::string_view key, Executor& e) {
        e.allocations = sub<Allocations>(f, key).o;
    }
};

// null and [] differ on the wire and are echoed as sent (protocol.md 4.6).
template <>
struct Codec<&Conditions::executornames> {
    static value write(const Conditions& c) {
        return c.executornames.empty() && c.executornames_null ? value() : encode(c.executornames);
    }
    static void read(JsonFields& f, std::string_view key, Conditions& c) {
        c.executornames_null = f.is_null(key);
        c.executornames = f.strings(key);
    }
};

// The filesystem blob is echoed unchanged; none at all goes out as the empty default shape.
template <>
struct Codec<&FunctionSpec::fs> {
    static value write(const FunctionSpec& s) {
        if (!s.fs.is_null()) return s.fs;
        return object{{"mount", ""}, {"snapshots", nullptr}, {"dirs", nullptr}};
    }
    static void read(JsonFields& f, std::string_view key, FunctionSpec& s) {
        if (const object* o = f.object(key)) s.fs = *o;
    }
};

// Top-level decode: null -> T{}; not an object -> error; else read field by field.
template <class T>
Result<T> decode_document(const value& v) {
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
    return encode_object(c);
}
value to_json(const User& u) {
    return encode_object(u);
}
value to_json(const Executor& e) {
    return encode_object(e);
}
value to_json(const Conditions& c) {
    return encode_object(c);
}
value to_json(const FunctionSpec& s) {
    return encode_object(s);
}
value to_json(const Attribute& a) {
    return encode_object(a);
}
value to_json(const Process& p) {
    return encode_object(p);
}
value to_json(const WorkflowSpec& w) {
    return encode_object(w);
}
value to_json(const ProcessGraph& g) {
    return encode_object(g);
}
value to_json(const Function& f) {
    return encode_object(f);
}
value to_json(const Log& l) {
    return encode_object(l);
}
value to_json(const Statistics& s) {
    return encode_object(s);
}
value to_json(const Generator& g) {
    return encode_object(g);
}

value to_json(const Cron& c) {
    return encode_object(c);
}

value to_json(const ProcessTransition& t) {
    return encode_object(t);
}

value to_json(const File& f) {
    return encode_object(f);
}
value to_json(const FileData& f) {
    return encode_object(f);
}
value to_json(const FileLabel& l) {
    return encode_object(l);
}
value to_json(const Snapshot& s) {
    return encode_object(s);
}

// Not a described type: the reply nests the address in a one-element "backends" list.
value to_json(const ServerInfo& i) {
    object backend{{"type", "http"}, {"port", i.port}};
    if (!i.host.empty()) backend["host"] = i.host;
    if (i.tls) backend["tls"] = true;
    return object{{"buildversion", i.buildversion},
                  {"buildtime", i.buildtime},
                  {"backends", array{std::move(backend)}}};
}

value to_json(const Location& l) {
    return object{{"locationid", l.locationid}, {"name", l.name},
                  {"colonyname", l.colonyname}, {"description", l.description},
                  {"long", l.longitude},        {"lat", l.latitude}};
}

// ---------------------------------------------------------------------------------------------
// Decoders

Result<Colony> colony_from_json(const value& v) {
    return decode_document<Colony>(v);
}
Result<User> user_from_json(const value& v) {
    return decode_document<User>(v);
}
Result<Executor> executor_from_json(const value& v) {
    return decode_document<Executor>(v);
}
Result<FunctionSpec> function_spec_from_json(const value& v) {
    return decode_document<FunctionSpec>(v);
}
Result<Attribute> attribute_from_json(const value& v) {
    return decode_document<Attribute>(v);
}
Result<Process> process_from_json(const value& v) {
    return decode_document<Process>(v);
}
Result<WorkflowSpec> workflow_spec_from_json(const value& v) {
    return decode_document<WorkflowSpec>(v);
}
Result<ProcessGraph> process_graph_from_json(const value& v) {
    return decode_document<ProcessGraph>(v);
}
Result<Function> function_from_json(const value& v) {
    return decode_document<Function>(v);
}
Result<Log> log_from_json(const value& v) {
    return decode_document<Log>(v);
}
Result<Statistics> statistics_from_json(const value& v) {
    return decode_document<Statistics>(v);
}
Result<Generator> generator_from_json(const value& v) {
    return decode_document<Generator>(v);
}

Result<Cron> cron_from_json(const value& v) {
    return decode_document<Cron>(v);
}

Result<Location> location_from_json(const value& v) {
    Location l;
    if (v.is_null()) return l;
    if (!v.is_object()) return bad_request("expected object");
    JsonFields f(v.get_object());
    l.locationid = f.str("locationid");
    l.name = f.str("name");
    l.colonyname = f.str("colonyname");
    l.description = f.str("description");
    l.longitude = f.number("long");
    l.latitude = f.number("lat");
    if (!f.ok()) return bad_request(f.error());
    return l;
}

Result<ProcessTransition> process_transition_from_json(const value& v) {
    return decode_document<ProcessTransition>(v);
}

Result<File> file_from_json(const value& v) {
    return decode_document<File>(v);
}
Result<FileData> file_data_from_json(const value& v) {
    return decode_document<FileData>(v);
}
Result<FileLabel> file_label_from_json(const value& v) {
    return decode_document<FileLabel>(v);
}
Result<Snapshot> snapshot_from_json(const value& v) {
    return decode_document<Snapshot>(v);
}

std::string to_text(const value& v) {
    return json::serialize(v);
}

}  // namespace colonies
