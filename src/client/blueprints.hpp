// The SDK's blueprint calls (features.md 6, protocol.md 5.14) on a Client. Definitions are
// added and removed with the colony owner's key; `colony` is the messages' namespace.
#pragma once
#include <boost/json.hpp>
#include <string>
#include <vector>

#include "client/client.hpp"
#include "core/blueprint.hpp"

namespace colonies::client {

Result<BlueprintDefinition> add_blueprint_definition(Client& c, const BlueprintDefinition& d,
                                                     const std::string& prvkey);
Result<BlueprintDefinition> get_blueprint_definition(Client& c, const std::string& colony,
                                                     const std::string& name,
                                                     const std::string& prvkey);
Result<std::vector<BlueprintDefinition>> get_blueprint_definitions(Client& c,
                                                                   const std::string& colony,
                                                                   const std::string& prvkey);
Status remove_blueprint_definition(Client& c, const std::string& colony, const std::string& name,
                                   const std::string& prvkey);
Result<Blueprint> add_blueprint(Client& c, const Blueprint& b, const std::string& prvkey);
Result<Blueprint> get_blueprint(Client& c, const std::string& colony, const std::string& name,
                                const std::string& prvkey);
// kind "" = all; location only with a kind.
Result<std::vector<Blueprint>> get_blueprints(Client& c, const std::string& colony,
                                              const std::string& kind, const std::string& location,
                                              const std::string& prvkey);
Result<Blueprint> update_blueprint(Client& c, const Blueprint& b, bool force_generation,
                                   const std::string& prvkey);
Status remove_blueprint(Client& c, const std::string& colony, const std::string& name,
                        const std::string& prvkey);
Status update_blueprint_status(Client& c, const std::string& colony, const std::string& name,
                               const boost::json::object& status, const std::string& prvkey);
Result<Process> reconcile_blueprint(Client& c, const std::string& colony, const std::string& name,
                                    bool force, const std::string& prvkey);
// limit <= 0: every entry.
Result<std::vector<BlueprintHistory>> get_blueprint_history(Client& c,
                                                            const std::string& blueprintid,
                                                            int limit, const std::string& prvkey);

}  // namespace colonies::client
