// The SDK's location and key-rotation calls (features.md 7.1, protocol.md 5.15), kept apart from
// client.cpp, which holds the transport and the core messages.
#include "client/client.hpp"
#include "client/replies.hpp"
#include "core/json.hpp"

namespace colonies::client {
namespace json = boost::json;

using namespace replies;

Result<Location> Client::add_location(const Location& l, const std::string& prvkey) {
    auto r = call("addlocationmsg", {{"location", to_json(l)}}, prvkey);
    if (!r) return r.error();
    return location_from_json(r.value());
}

Result<std::vector<Location>> Client::get_locations(const std::string& colony,
                                                    const std::string& prvkey) {
    return decode_many(call("getlocationsmsg", {{"colonyname", colony}}, prvkey),
                       &location_from_json);
}

Result<Location> Client::get_location(const std::string& colony, const std::string& name,
                                      const std::string& prvkey) {
    auto r = call("getlocationmsg", {{"colonyname", colony}, {"name", name}}, prvkey);
    if (!r) return r.error();
    return location_from_json(r.value());
}

Status Client::remove_location(const std::string& colony, const std::string& name,
                               const std::string& prvkey) {
    return to_status(call("removelocationmsg", {{"colonyname", colony}, {"name", name}}, prvkey));
}

Status Client::change_user_id(const std::string& colony, const std::string& new_id,
                              const std::string& prvkey) {
    return to_status(call("changeuseridmsg", {{"colonyname", colony}, {"userid", new_id}}, prvkey));
}

Status Client::change_executor_id(const std::string& colony, const std::string& new_id,
                                  const std::string& prvkey) {
    return to_status(
        call("changeexecutoridmsg", {{"colonyname", colony}, {"executorid", new_id}}, prvkey));
}

Status Client::change_colony_id(const std::string& colony, const std::string& new_id,
                                const std::string& prvkey) {
    return to_status(
        call("changecolonyidmsg", {{"colonyname", colony}, {"colonyid", new_id}}, prvkey));
}

Status Client::change_server_id(const std::string& new_id, const std::string& prvkey) {
    return to_status(call("changeserveridmsg", {{"serverid", new_id}}, prvkey));
}

}  // namespace colonies::client
