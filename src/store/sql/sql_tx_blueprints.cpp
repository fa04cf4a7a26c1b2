// Blueprints (features.md 6): definitions, blueprints and their history, for both stores.
#include "core/json.hpp"
#include "store/record_codec.hpp"
#include "store/sql/sql_tx.hpp"

namespace colonies::store::sql {

bool SqlTx::add_blueprint_definition(const BlueprintDefinition& d) {
    return changes(Stmt::AddBlueprintDefinition,
                   {d.metadata.colonyname, d.metadata.name, d.blueprintdefinitionid, d.names_kind,
                    to_text(to_json(d))}) > 0;
}

std::optional<BlueprintDefinition> SqlTx::blueprint_definition(const std::string& colony,
                                                               const std::string& name) {
    return one(Stmt::BlueprintDefinition, {colony, name}, read_blueprint_definition);
}

std::vector<BlueprintDefinition> SqlTx::blueprint_definitions(const std::string& colony) {
    return all(Stmt::BlueprintDefinitions, {colony}, read_blueprint_definition);
}

std::optional<BlueprintDefinition> SqlTx::blueprint_definition_by_kind(const std::string& colony,
                                                                       const std::string& kind) {
    return one(Stmt::BlueprintDefinitionByKind, {colony, kind}, read_blueprint_definition);
}

void SqlTx::remove_blueprint_definition(const std::string& colony, const std::string& name) {
    exec(Stmt::RemoveBlueprintDefinition, {colony, name});
}

bool SqlTx::add_blueprint(const Blueprint& b) {
    // The name is unique through an index, not the key: look first, so that a taken name is a
    // refusal and not a failed statement.
    if (blueprint(b.metadata.colonyname, b.metadata.name, false)) return false;
    return changes(Stmt::AddBlueprint,
                   {b.blueprintid, b.metadata.colonyname, b.metadata.name, b.kind,
                    lower(b.metadata.locationname), to_text(to_json(b))}) > 0;
}

void SqlTx::save_blueprint(const Blueprint& b) {
    exec(Stmt::SaveBlueprint, {b.blueprintid, b.metadata.colonyname, b.metadata.name, b.kind,
                               lower(b.metadata.locationname), to_text(to_json(b))});
}

std::optional<Blueprint> SqlTx::blueprint(const std::string& colony, const std::string& name,
                                          bool lock) {
    return one(lock ? Stmt::LockBlueprint : Stmt::Blueprint, {colony, name}, read_blueprint);
}

std::optional<Blueprint> SqlTx::blueprint_by_id(const std::string& id) {
    return one(Stmt::BlueprintById, {id}, read_blueprint);
}

std::vector<Blueprint> SqlTx::blueprints(const std::string& colony, const std::string& kind,
                                         const std::optional<std::string>& location) {
    if (kind.empty()) return all(Stmt::Blueprints, {colony}, read_blueprint);
    if (!location) return all(Stmt::BlueprintsOfKind, {colony, kind}, read_blueprint);
    const std::string at = lower(*location);
    return all(Stmt::BlueprintsOfKindAt, {colony, kind, at}, read_blueprint);
}

int64_t SqlTx::count_blueprints(const std::string& colony, const std::string& kind) {
    auto n =
        one(Stmt::CountBlueprintsOfKind, {colony, kind}, [](const Row& r) { return r.integer(0); });
    return n.value_or(0);
}

void SqlTx::remove_blueprint(const std::string& id) {
    exec(Stmt::RemoveBlueprint, {id});
}

void SqlTx::add_blueprint_history(const BlueprintHistory& h, const std::string& colony) {
    exec(Stmt::AddBlueprintHistory,
         {h.historyid, h.blueprintid, colony, h.timestamp.ns, to_text(to_json(h))});
}

std::vector<BlueprintHistory> SqlTx::blueprint_history(const std::string& blueprintid, int limit) {
    const int64_t n = limit > 0 ? limit : INT64_MAX;
    return all(Stmt::BlueprintHistory, {blueprintid, n}, read_blueprint_history);
}

}  // namespace colonies::store::sql
