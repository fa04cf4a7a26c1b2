#include "core/json_schema.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <map>

namespace colonies {

namespace json = boost::json;
using json::array;
using json::object;
using json::value;

namespace {

// ---------------------------------------------------------------------------------------------
// Schema check (features.md 6.3), worded as upstream's

// Go's %T of a value decoded into interface{}.
const char* go_type(const value& v) {
    switch (v.kind()) {
        case json::kind::string:
            return "string";
        case json::kind::bool_:
            return "bool";
        case json::kind::object:
            return "map[string]interface {}";
        case json::kind::array:
            return "[]interface {}";
        case json::kind::null:
            return "<nil>";
        default:
            return "float64";
    }
}

// Go's %v of a float64: integral values without a fraction, others in their shortest form.
std::string go_number(double d) {
    char buf[64];
    if (std::isfinite(d) && std::fabs(d) < 1e21 && d == std::floor(d)) {
        std::snprintf(buf, sizeof buf, "%.0f", d);
        return buf;
    }
    auto r = std::to_chars(buf, buf + sizeof buf, d);
    return std::string(buf, r.ptr);
}

// Go's %v of a value decoded into interface{}.
std::string go_print(const value& v) {
    switch (v.kind()) {
        case json::kind::string:
            return std::string(v.get_string());
        case json::kind::bool_:
            return v.get_bool() ? "true" : "false";
        case json::kind::null:
            return "<nil>";
        case json::kind::array: {
            std::string s = "[";
            for (const auto& e : v.get_array()) s += (s.size() > 1 ? " " : "") + go_print(e);
            return s + "]";
        }
        case json::kind::object: {
            std::map<std::string, std::string> sorted;  // Go prints map keys sorted
            for (const auto& kv : v.get_object())
                sorted[std::string(kv.key())] = go_print(kv.value());
            std::string s = "map[";
            bool first = true;
            for (const auto& [k, e] : sorted) {
                s += (first ? "" : " ") + k + ":" + e;
                first = false;
            }
            return s + "]";
        }
        default:
            return go_number(v.to_number<double>());
    }
}

// Go compares decoded values with ==: every number is a float64.
bool go_equal(const value& a, const value& b) {
    if (a.is_number() && b.is_number()) return a.to_number<double>() == b.to_number<double>();
    return a == b;
}

std::optional<std::string> check_field(const std::string& path, const value& v, const object& prop);

std::optional<std::string> check_type(const std::string& path, const value& v, const object& prop) {
    const value* t = prop.if_contains("type");
    if (!t || !t->is_string()) return std::nullopt;
    const std::string_view type = t->get_string();
    bool fits = true;
    const char* article = "a";
    if (type == "string") {
        fits = v.is_string();
    } else if (type == "number") {
        fits = v.is_number();
    } else if (type == "boolean") {
        fits = v.is_bool();
    } else if (type == "object") {
        fits = v.is_object();
        article = "an";
    } else if (type == "array") {
        fits = v.is_array();
        article = "an";
    }
    if (!fits)
        return "field '" + path + "' must be " + article + " " + std::string(type) + ", got " +
               go_type(v);
    const value* items_v = prop.if_contains("items");
    if (type == "array" && items_v && items_v->is_object()) {
        const auto& items = items_v->get_object();
        const auto& a = v.get_array();
        for (size_t i = 0; i < a.size(); ++i)
            if (auto e = check_field(path + "[" + std::to_string(i) + "]", a[i], items)) return e;
    }
    return std::nullopt;
}

std::optional<std::string> check_field(const std::string& path, const value& v,
                                       const object& prop) {
    if (auto e = check_type(path, v, prop)) return e;
    if (const value* en = prop.if_contains("enum");
        en && en->is_array() && !en->get_array().empty()) {
        bool found = false;
        for (const auto& allowed : en->get_array()) found = found || go_equal(v, allowed);
        if (!found)
            return "field '" + path + "' must be one of " + go_print(*en) + ", got " + go_print(v);
    }
    const value* t = prop.if_contains("type");
    const value* props = prop.if_contains("properties");
    if (t && t->is_string() && t->get_string() == "object" && props && props->is_object()) {
        for (const auto& kv : v.get_object()) {
            const value* sub = props->get_object().if_contains(kv.key());
            if (!sub || !sub->is_object()) continue;
            if (auto e =
                    check_field(path + "." + std::string(kv.key()), kv.value(), sub->get_object()))
                return e;
        }
    }
    return std::nullopt;
}

}  // namespace

std::optional<std::string> schema_violation(const object& schema, const object& spec) {
    if (const value* req = schema.if_contains("required"); req && req->is_array())
        for (const auto& r : req->get_array())
            if (r.is_string() && !spec.contains(r.get_string()))
                return "required field '" + std::string(r.get_string()) + "' is missing";
    const value* props = schema.if_contains("properties");
    if (!props || !props->is_object()) return std::nullopt;
    for (const auto& kv : spec) {
        const value* prop = props->get_object().if_contains(kv.key());
        if (!prop || !prop->is_object()) continue;
        if (auto e = check_field(std::string(kv.key()), kv.value(), prop->get_object())) return e;
    }
    return std::nullopt;
}

}  // namespace colonies
