// The SDK's location and key-rotation calls (features.md 7.1, protocol.md 5.15), kept apart from
// client.cpp, which holds the transport and the core messages.
#include "client/client.hpp"
#include "core/json.hpp"

namespace colonies::client {
namespace json = boost::json;

namespace {

Status ok_or_error(const Result<json::value>& r) {
    if (!r) return r.error();
    return ok_status();
}

}  // namespace

Result<Location> Client::add_location(const Location& l, const std::string& prvkey) {
    auto r = call("addlocationmsg", {{"location", to_json(l)}}, prvkey);
    if (!r) return r.error();
    return location_from_json(r.value());
}

Result<std::vector<Location>> Client::get_locations(const std::string& colony,
                                                    const std::string& prvkey) {
    auto r = call("getlocationsmsg", {{"colonyname", colony}}, prvkey);
    if (!r) return r.error();
    std::vector<Location> out;
    if (r.value().is_null()) return out;  // an empty array may come as null (protocol.md 1.3)
    if (!r.value().is_array())
        return internal_error("invalid reply from server: expected an array");
    for (const auto& item : r.value().get_array()) {
        auto l = location_from_json(item);
        if (!l) return l.error();
        out.push_back(std::move(l).value());
    }
    return out;
}

Result<Location> Client::get_location(const std::string& colony, const std::string& name,
                                      const std::string& prvkey) {
    auto r = call("getlocationmsg", {{"colonyname", colony}, {"name", name}}, prvkey);
    if (!r) return r.error();
    return location_from_json(r.value());
}

Status Client::remove_location(const std::string& colony, const std::string& name,
                               const std::string& prvkey) {
    return ok_or_error(call("removelocationmsg", {{"colonyname", colony}, {"name", name}}, prvkey));
}

Status Client::change_user_id(const std::string& colony, const std::string& new_id,
                              const std::string& prvkey) {
    return ok_or_error(
        call("changeuseridmsg", {{"colonyname", colony}, {"userid", new_id}}, prvkey));
}

Status Client::change_executor_id(const std::string& colony, const std::string& new_id,
                                  const std::string& prvkey) {
    return ok_or_error(
        call("changeexecutoridmsg", {{"colonyname", colony}, {"executorid", new_id}}, prvkey));
}

Status Client::change_colony_id(const std::string& colony, const std::string& new_id,
                                const std::string& prvkey) {
    return ok_or_error(
        call("changecolonyidmsg", {{"colonyname", colony}, {"colonyid", new_id}}, prvkey));
}

Status Client::change_server_id(const std::string& new_id, const std::string& prvkey) {
    return ok_or_error(call("changeserveridmsg", {{"serverid", new_id}}, prvkey));
}

}  // namespace colonies::client
