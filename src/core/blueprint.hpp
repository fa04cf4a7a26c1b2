// Blueprints (features.md 6): definitions (a kind, an optional schema, a handler), blueprints
// (desired `spec`, observed `status`) and their history, with upstream's JSON shapes, the schema
// check of add and update (6.3) and the diff that decides a generation bump (6.10). No I/O.
#pragma once
#include <boost/json.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "core/time.hpp"

namespace colonies {

// Shared by blueprints and definitions; camelCase keys on the wire (protocol.md 4).
struct BlueprintMetadata {
    std::string name;
    std::string colonyname;
    std::string locationname;                        // omit when empty
    std::map<std::string, std::string> labels;       // omit when empty
    std::map<std::string, std::string> annotations;  // omit when empty
    int64_t generation = 0;                          // omit when 0
    Time createdAt;
    Time updatedAt;
    std::string lastReconciliationProcess;  // omit when empty
    Time lastReconciliationTime;
};

struct Blueprint {
    std::string blueprintid;
    std::string kind;
    BlueprintMetadata metadata;
    boost::json::object spec;
    boost::json::object status;  // omit when empty
};

struct BlueprintHandler {
    std::string executorType;
    std::string functionName;
    int64_t reconcileInterval = 0;  // omit when 0; the server does not use it
};

struct BlueprintDefinition {
    std::string blueprintdefinitionid;
    std::string kind;  // "BlueprintDefinition"
    BlueprintMetadata metadata;
    std::string group;
    std::string version;
    // spec.names: kind, listKind, singular, plural, shortNames (omit when empty)
    std::string names_kind, names_listKind, names_singular, names_plural;
    std::vector<std::string> names_shortNames;
    std::string scope;
    // spec.schema, normalised to upstream's shape ({type, properties, required}, each omitted
    // when empty; properties are SchemaProperty objects). nullopt: no schema, nothing checked.
    std::optional<boost::json::object> schema;
    BlueprintHandler handler;
};

struct BlueprintHistory {
    std::string historyid;
    std::string blueprintid;
    std::string kind;
    std::string namespace_;  // "namespace": the colony
    std::string name;
    int64_t generation = 0;
    boost::json::object spec;
    boost::json::object status;  // omit when empty
    Time timestamp;
    std::string changedby;   // signer id
    std::string changetype;  // "create" | "update"
};

boost::json::value to_json(const Blueprint&);
boost::json::value to_json(const BlueprintDefinition&);
boost::json::value to_json(const BlueprintHistory&);
// Go decoding rules (core/json.hpp): a wrong type anywhere fails; unknown keys are dropped.
Result<Blueprint> blueprint_from_json(const boost::json::value&);
Result<BlueprintDefinition> blueprint_definition_from_json(const boost::json::value&);
Result<BlueprintHistory> blueprint_history_from_json(const boost::json::value&);

// One change between two blueprints (features.md 6.10): path "spec.replicas", type "added" |
// "modified" | "removed", the values (null when absent).
struct FieldChange {
    std::string path;
    boost::json::value oldValue;
    boost::json::value newValue;
    std::string type;
};
struct BlueprintDiff {
    std::vector<FieldChange> spec, status, metadata;  // metadata: labels then annotations
    bool has_changes() const { return !spec.empty() || !status.empty() || !metadata.empty(); }
};
// Top-level keys of spec, status, labels and annotations, values compared by their JSON text.
BlueprintDiff diff_blueprints(const Blueprint& before, const Blueprint& after);
// {"specChanges": [...], "statusChanges": [...], "metadataChanges": [...], "hasChanges"}.
boost::json::value to_json(const BlueprintDiff&);

// Name of the per-kind-and-location reconcile cron: reconcile-<Kind>[-<location>].
std::string reconcile_cron_name(const std::string& kind, const std::string& location);

}  // namespace colonies
