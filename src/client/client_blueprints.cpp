// The SDK's blueprint calls (client/blueprints.hpp).
#include "client/blueprints.hpp"
#include "client/replies.hpp"
#include "core/json.hpp"

namespace colonies::client {
namespace json = boost::json;

using namespace replies;

Result<BlueprintDefinition> add_blueprint_definition(Client& c, const BlueprintDefinition& d,
                                                     const std::string& prvkey) {
    auto r = c.call("addblueprintdefinitionmsg", {{"blueprintdefinition", to_json(d)}}, prvkey);
    if (!r) return r.error();
    return blueprint_definition_from_json(r.value());
}

Result<BlueprintDefinition> get_blueprint_definition(Client& c, const std::string& colony,
                                                     const std::string& name,
                                                     const std::string& prvkey) {
    auto r = c.call("getblueprintdefinitionmsg", {{"colonyname", colony}, {"name", name}}, prvkey);
    if (!r) return r.error();
    return blueprint_definition_from_json(r.value());
}

Result<std::vector<BlueprintDefinition>> get_blueprint_definitions(Client& c,
                                                                   const std::string& colony,
                                                                   const std::string& prvkey) {
    return decode_many<BlueprintDefinition>(
        c.call("getblueprintdefinitionsmsg", {{"colonyname", colony}}, prvkey),
        blueprint_definition_from_json);
}

Status remove_blueprint_definition(Client& c, const std::string& colony, const std::string& name,
                                   const std::string& prvkey) {
    return to_status(
        c.call("removeblueprintdefinitionmsg", {{"namespace", colony}, {"name", name}}, prvkey));
}

Result<Blueprint> add_blueprint(Client& c, const Blueprint& b, const std::string& prvkey) {
    auto r = c.call("addblueprintmsg", {{"blueprint", to_json(b)}}, prvkey);
    if (!r) return r.error();
    return blueprint_from_json(r.value());
}

Result<Blueprint> get_blueprint(Client& c, const std::string& colony, const std::string& name,
                                const std::string& prvkey) {
    auto r = c.call("getblueprintmsg", {{"namespace", colony}, {"name", name}}, prvkey);
    if (!r) return r.error();
    return blueprint_from_json(r.value());
}

Result<std::vector<Blueprint>> get_blueprints(Client& c, const std::string& colony,
                                              const std::string& kind, const std::string& location,
                                              const std::string& prvkey) {
    return decode_many<Blueprint>(
        c.call("getblueprintsmsg",
               {{"namespace", colony}, {"kind", kind}, {"locationname", location}}, prvkey),
        blueprint_from_json);
}

Result<Blueprint> update_blueprint(Client& c, const Blueprint& b, bool force_generation,
                                   const std::string& prvkey) {
    auto r = c.call("updateblueprintmsg",
                    {{"blueprint", to_json(b)}, {"forcegeneration", force_generation}}, prvkey);
    if (!r) return r.error();
    return blueprint_from_json(r.value());
}

Status remove_blueprint(Client& c, const std::string& colony, const std::string& name,
                        const std::string& prvkey) {
    return to_status(c.call("removeblueprintmsg", {{"namespace", colony}, {"name", name}}, prvkey));
}

Status update_blueprint_status(Client& c, const std::string& colony, const std::string& name,
                               const json::object& status, const std::string& prvkey) {
    return to_status(c.call("updateblueprintstatusmsg",
                            {{"colonyname", colony}, {"blueprintname", name}, {"status", status}},
                            prvkey));
}

Result<Process> reconcile_blueprint(Client& c, const std::string& colony, const std::string& name,
                                    bool force, const std::string& prvkey) {
    auto r = c.call("reconcileblueprintmsg",
                    {{"namespace", colony}, {"name", name}, {"force", force}}, prvkey);
    if (!r) return r.error();
    return process_from_json(r.value());
}

Result<std::vector<BlueprintHistory>> get_blueprint_history(Client& c,
                                                            const std::string& blueprintid,
                                                            int limit, const std::string& prvkey) {
    json::object msg{{"blueprintid", blueprintid}};
    if (limit > 0) msg["limit"] = limit;
    return decode_many<BlueprintHistory>(c.call("getblueprinthistorymsg", std::move(msg), prvkey),
                                         blueprint_history_from_json);
}

}  // namespace colonies::client
