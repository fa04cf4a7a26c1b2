// Location messages (features.md 7.1, protocol.md 5.14). Upstream checks that the colony exists
// (400) before the authorisation check (403), so a client learns of a missing colony first.
#include "crypto/crypto.hpp"
#include "services/auth.hpp"
#include "services/colonies_ops.hpp"
#include "services/op_util.hpp"

namespace colonies::services {
namespace {

struct LocationRef {
    std::string colony, name;
};

Result<LocationRef> location_ref(const OpContext& ctx, const boost::json::object& msg) {
    JsonFields f(msg);
    LocationRef r{f.str("colonyname"), f.str("name")};
    if (!f.ok()) return invalid_json(ctx);
    return r;
}

Status require_colony(const OpContext& ctx, const std::string& colony) {
    if (!ctx.tx.colony(colony))
        return bad_request("Colony with name " + colony + " does not exists");
    return ok_status();
}

}  // namespace

OpResult op_add_location(OpContext& ctx, const boost::json::object& msg) {
    auto l = required_object<Location>(ctx, msg, "location", location_from_json,
                                       "Failed to add location, location is nil");
    if (!l) return l.error();
    if (auto s = require_colony(ctx, l->colonyname); !s) return s.error();
    if (auto s = require_colony_owner(ctx.tx, l->colonyname, ctx.caller); !s) return s.error();
    if (l->name.empty()) return bad_request("Failed to add location, location name is empty");
    // Upstream stores whatever id the client sent; an empty one gets a random id (features.md 0).
    if (l->locationid.empty()) l->locationid = crypto::sha3_256_hex(crypto::generate_private_key());
    if (!ctx.tx.add_location(*l))
        return bad_request("A location with name " + l->name +
                           " already exists in Colony with name " + l->colonyname);
    return to_json(*l);
}

OpResult op_get_locations(OpContext& ctx, const boost::json::object& msg) {
    JsonFields f(msg);
    auto colony = f.str("colonyname");
    if (!f.ok()) return invalid_json(ctx);
    if (auto s = require_colony(ctx, colony); !s) return s.error();
    if (auto s = require_member(ctx.tx, colony, ctx.caller, false, ctx.now); !s) return s.error();
    return to_json(ctx.tx.locations(colony));
}

OpResult op_get_location(OpContext& ctx, const boost::json::object& msg) {
    auto ref = location_ref(ctx, msg);
    if (!ref) return ref.error();
    if (auto s = require_colony(ctx, ref->colony); !s) return s.error();
    if (auto s = require_member(ctx.tx, ref->colony, ctx.caller, false, ctx.now); !s)
        return s.error();
    auto l = ctx.tx.location(ref->colony, ref->name);
    if (!l) return not_found("Failed to get location, location is nil");
    return to_json(*l);
}

OpResult op_remove_location(OpContext& ctx, const boost::json::object& msg) {
    auto ref = location_ref(ctx, msg);
    if (!ref) return ref.error();
    if (auto s = require_colony(ctx, ref->colony); !s) return s.error();
    if (auto s = require_colony_owner(ctx.tx, ref->colony, ctx.caller); !s) return s.error();
    if (!ctx.tx.location(ref->colony, ref->name))
        return bad_request("Location with name " + ref->name + " not found");
    ctx.tx.remove_location(ref->colony, ref->name);
    return empty_reply();
}

}  // namespace colonies::services
