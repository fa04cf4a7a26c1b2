#include "core/blueprint.hpp"

#include <cmath>
#include <cstdio>

#include "core/json.hpp"

namespace colonies {

namespace json = boost::json;
using json::array;
using json::object;
using json::value;

namespace {

// ---------------------------------------------------------------------------------------------
// Encoding

object string_map(const std::map<std::string, std::string>& m) {
    object o;
    for (const auto& [k, v] : m) o[k] = v;
    return o;
}

value metadata_json(const BlueprintMetadata& m) {
    object o{{"name", m.name}, {"colonyname", m.colonyname}};
    if (!m.locationname.empty()) o["locationname"] = m.locationname;
    if (!m.labels.empty()) o["labels"] = string_map(m.labels);
    if (!m.annotations.empty()) o["annotations"] = string_map(m.annotations);
    if (m.generation != 0) o["generation"] = m.generation;
    // Go's omitempty never omits a struct, so the times are always there (zero or not).
    o["createdAt"] = format_rfc3339(m.createdAt);
    o["updatedAt"] = format_rfc3339(m.updatedAt);
    if (!m.lastReconciliationProcess.empty())
        o["lastReconciliationProcess"] = m.lastReconciliationProcess;
    o["lastReconciliationTime"] = format_rfc3339(m.lastReconciliationTime);
    return o;
}

// ---------------------------------------------------------------------------------------------
// Decoding

Status read_string_map(JsonFields& f, std::string_view key,
                       std::map<std::string, std::string>& out) {
    const object* o = f.object(key);
    if (!o) return ok_status();
    for (const auto& kv : *o) {
        if (kv.value().is_null()) {
            out[std::string(kv.key())] = "";
        } else if (kv.value().is_string()) {
            out[std::string(kv.key())] = std::string(kv.value().get_string());
        } else {
            return bad_request("field " + std::string(key) + ": expected string values");
        }
    }
    return ok_status();
}

Result<BlueprintMetadata> metadata_from(JsonFields& parent) {
    BlueprintMetadata m;
    const object* o = parent.object("metadata");
    if (!parent.ok()) return bad_request(parent.error());
    if (!o) return m;
    JsonFields f(*o);
    m.name = f.str("name");
    m.colonyname = f.str("colonyname");
    m.locationname = f.str("locationname");
    m.generation = f.integer("generation");
    m.createdAt = f.time("createdAt");
    m.updatedAt = f.time("updatedAt");
    m.lastReconciliationProcess = f.str("lastReconciliationProcess");
    m.lastReconciliationTime = f.time("lastReconciliationTime");
    if (auto s = read_string_map(f, "labels", m.labels); !s) return s.error();
    if (auto s = read_string_map(f, "annotations", m.annotations); !s) return s.error();
    if (!f.ok()) return bad_request(f.error());
    return m;
}

// A free-form map (spec, status): null/missing -> {}; anything but an object is a type error.
Result<object> free_map(JsonFields& f, std::string_view key) {
    const object* o = f.object(key);
    if (!f.ok()) return bad_request(f.error());
    return o ? *o : object{};
}

Result<object> schema_property(const value& v, int depth);

// {str: SchemaProperty}; null -> empty.
Result<object> property_map(const object* o, int depth) {
    object out;
    if (!o) return out;
    for (const auto& kv : *o) {
        auto p = schema_property(kv.value(), depth + 1);
        if (!p) return p.error();
        out[kv.key()] = std::move(*p);
    }
    return out;
}

// SchemaProperty {type, description, enum, default, properties, items}, each omitted when
// empty (Go's omitempty: a `default` of false or 0 stays, only null goes).
Result<object> schema_property(const value& v, int depth) {
    if (depth > 64) return bad_request("schema nested too deeply");
    object out;
    if (v.is_null()) return out;
    if (!v.is_object()) return bad_request("schema property: expected object");
    JsonFields f(v.get_object());
    auto type = f.str("type");
    auto description = f.str("description");
    const array* en = f.array("enum");
    const object* props = f.object("properties");
    const object* items = f.object("items");
    if (!f.ok()) return bad_request(f.error());
    if (!type.empty()) out["type"] = type;
    if (!description.empty()) out["description"] = description;
    if (en && !en->empty()) out["enum"] = *en;
    if (const value* d = v.get_object().if_contains("default"); d && !d->is_null())
        out["default"] = *d;
    auto nested = property_map(props, depth);
    if (!nested) return nested.error();
    if (!nested->empty()) out["properties"] = std::move(*nested);
    if (items) {
        auto item = schema_property(*items, depth + 1);
        if (!item) return item.error();
        out["items"] = std::move(*item);
    }
    return out;
}

Result<object> validation_schema(const object& o) {
    JsonFields f(o);
    auto type = f.str("type");
    const object* props = f.object("properties");
    auto required = f.strings("required");
    if (!f.ok()) return bad_request(f.error());
    object out;
    if (!type.empty()) out["type"] = type;
    auto p = property_map(props, 0);
    if (!p) return p.error();
    if (!p->empty()) out["properties"] = std::move(*p);
    if (!required.empty()) {
        array r;
        for (auto& s : required) r.emplace_back(s);
        out["required"] = std::move(r);
    }
    return out;
}

Status definition_spec(const object& spec, BlueprintDefinition& d) {
    JsonFields f(spec);
    d.group = f.str("group");
    d.version = f.str("version");
    d.scope = f.str("scope");
    const object* names = f.object("names");
    const object* schema = f.object("schema");
    const object* handler = f.object("handler");
    if (!f.ok()) return bad_request(f.error());
    if (names) {
        JsonFields n(*names);
        d.names_kind = n.str("kind");
        d.names_listKind = n.str("listKind");
        d.names_singular = n.str("singular");
        d.names_plural = n.str("plural");
        d.names_shortNames = n.strings("shortNames");
        if (!n.ok()) return bad_request(n.error());
    }
    if (handler) {
        JsonFields h(*handler);
        d.handler.executorType = h.str("executorType");
        d.handler.functionName = h.str("functionName");
        d.handler.reconcileInterval = h.integer("reconcileInterval");
        if (!h.ok()) return bad_request(h.error());
    }
    if (schema) {
        auto s = validation_schema(*schema);
        if (!s) return s.error();
        d.schema = std::move(*s);
    }
    return ok_status();
}

// ---------------------------------------------------------------------------------------------
// Diff

void diff_maps(const std::string& prefix, const object& before, const object& after,
               std::vector<FieldChange>& out) {
    for (const auto& kv : after) {
        const std::string path = prefix + "." + std::string(kv.key());
        const value* old = before.if_contains(kv.key());
        if (!old) {
            out.push_back({path, nullptr, kv.value(), "added"});
        } else if (json::serialize(*old) != json::serialize(kv.value())) {
            out.push_back({path, *old, kv.value(), "modified"});
        }
    }
    for (const auto& kv : before)
        if (!after.contains(kv.key()))
            out.push_back({prefix + "." + std::string(kv.key()), kv.value(), nullptr, "removed"});
}

value changes_json(const std::vector<FieldChange>& changes) {
    array a;
    for (const auto& c : changes) {
        object o{{"path", c.path}};
        if (!c.oldValue.is_null()) o["oldValue"] = c.oldValue;
        if (!c.newValue.is_null()) o["newValue"] = c.newValue;
        o["type"] = c.type;
        a.push_back(std::move(o));
    }
    return a;
}

}  // namespace

value to_json(const Blueprint& b) {
    object o{{"blueprintid", b.blueprintid},
             {"kind", b.kind},
             {"metadata", metadata_json(b.metadata)},
             {"spec", b.spec}};
    if (!b.status.empty()) o["status"] = b.status;
    return o;
}

value to_json(const BlueprintDefinition& d) {
    object names{{"kind", d.names_kind},
                 {"listKind", d.names_listKind},
                 {"singular", d.names_singular},
                 {"plural", d.names_plural}};
    if (!d.names_shortNames.empty()) {
        array a;
        for (const auto& s : d.names_shortNames) a.emplace_back(s);
        names["shortNames"] = std::move(a);
    }
    object handler{{"executorType", d.handler.executorType},
                   {"functionName", d.handler.functionName}};
    if (d.handler.reconcileInterval != 0)
        handler["reconcileInterval"] = d.handler.reconcileInterval;
    object spec{{"group", d.group},
                {"version", d.version},
                {"names", std::move(names)},
                {"scope", d.scope}};
    if (d.schema) spec["schema"] = *d.schema;
    spec["handler"] = std::move(handler);
    return object{{"blueprintdefinitionid", d.blueprintdefinitionid},
                  {"kind", d.kind},
                  {"metadata", metadata_json(d.metadata)},
                  {"spec", std::move(spec)}};
}

value to_json(const BlueprintHistory& h) {
    object o{{"historyid", h.historyid},
             {"blueprintid", h.blueprintid},
             {"kind", h.kind},
             {"namespace", h.namespace_},
             {"name", h.name},
             {"generation", h.generation},
             {"spec", h.spec}};
    if (!h.status.empty()) o["status"] = h.status;
    o["timestamp"] = format_rfc3339(h.timestamp);
    o["changedby"] = h.changedby;
    o["changetype"] = h.changetype;
    return o;
}

Result<Blueprint> blueprint_from_json(const value& v) {
    Blueprint b;
    if (v.is_null()) return b;
    if (!v.is_object()) return bad_request("expected object");
    JsonFields f(v.get_object());
    b.blueprintid = f.str("blueprintid");
    b.kind = f.str("kind");
    if (!f.ok()) return bad_request(f.error());
    auto m = metadata_from(f);
    if (!m) return m.error();
    b.metadata = std::move(*m);
    auto spec = free_map(f, "spec");
    if (!spec) return spec.error();
    b.spec = std::move(*spec);
    auto status = free_map(f, "status");
    if (!status) return status.error();
    b.status = std::move(*status);
    return b;
}

Result<BlueprintDefinition> blueprint_definition_from_json(const value& v) {
    BlueprintDefinition d;
    if (v.is_null()) return d;
    if (!v.is_object()) return bad_request("expected object");
    JsonFields f(v.get_object());
    d.blueprintdefinitionid = f.str("blueprintdefinitionid");
    d.kind = f.str("kind");
    const object* spec = f.object("spec");
    if (!f.ok()) return bad_request(f.error());
    auto m = metadata_from(f);
    if (!m) return m.error();
    d.metadata = std::move(*m);
    if (spec)
        if (auto s = definition_spec(*spec, d); !s) return s.error();
    return d;
}

Result<BlueprintHistory> blueprint_history_from_json(const value& v) {
    BlueprintHistory h;
    if (v.is_null()) return h;
    if (!v.is_object()) return bad_request("expected object");
    JsonFields f(v.get_object());
    h.historyid = f.str("historyid");
    h.blueprintid = f.str("blueprintid");
    h.kind = f.str("kind");
    h.namespace_ = f.str("namespace");
    h.name = f.str("name");
    h.generation = f.integer("generation");
    h.timestamp = f.time("timestamp");
    h.changedby = f.str("changedby");
    h.changetype = f.str("changetype");
    auto spec = free_map(f, "spec");
    if (!spec) return spec.error();
    h.spec = std::move(*spec);
    auto status = free_map(f, "status");
    if (!status) return status.error();
    h.status = std::move(*status);
    return h;
}

BlueprintDiff diff_blueprints(const Blueprint& before, const Blueprint& after) {
    BlueprintDiff d;
    diff_maps("spec", before.spec, after.spec, d.spec);
    diff_maps("status", before.status, after.status, d.status);
    diff_maps("metadata.labels", string_map(before.metadata.labels),
              string_map(after.metadata.labels), d.metadata);
    diff_maps("metadata.annotations", string_map(before.metadata.annotations),
              string_map(after.metadata.annotations), d.metadata);
    return d;
}

value to_json(const BlueprintDiff& d) {
    object o;
    if (!d.spec.empty()) o["specChanges"] = changes_json(d.spec);
    if (!d.status.empty()) o["statusChanges"] = changes_json(d.status);
    if (!d.metadata.empty()) o["metadataChanges"] = changes_json(d.metadata);
    o["hasChanges"] = d.has_changes();
    return o;
}

std::string reconcile_cron_name(const std::string& kind, const std::string& location) {
    return "reconcile-" + kind + (location.empty() ? "" : "-" + location);
}

}  // namespace colonies
