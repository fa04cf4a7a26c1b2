// Pausing a colony's assignments (features.md 7.6). The flag lives in the store, so every server
// of a cluster sees it in the transaction that would claim a process (docs/compat.md: upstream
// keeps it in etcd).
#include "services/auth.hpp"
#include "services/colonies_ops.hpp"
#include "services/op_util.hpp"

namespace colonies::services {
namespace {

Result<std::string> colony_name(const OpContext& ctx, const boost::json::object& msg) {
    JsonFields f(msg);
    auto colony = f.str("colonyname");
    if (!f.ok()) return invalid_json(ctx);
    return colony;
}

OpResult set_paused(OpContext& ctx, const boost::json::object& msg, bool paused) {
    auto colony = colony_name(ctx, msg);
    if (!colony) return colony.error();
    if (auto s = require_colony_owner(ctx.tx, *colony, ctx.caller); !s) return s.error();
    ctx.tx.set_colony_paused(*colony, paused, ctx.now);
    if (!paused) ctx.fx.resumed_colonies.push_back(*colony);
    return empty_reply();
}

}  // namespace

OpResult op_pause_assignments(OpContext& ctx, const boost::json::object& msg) {
    return set_paused(ctx, msg, true);
}

OpResult op_resume_assignments(OpContext& ctx, const boost::json::object& msg) {
    return set_paused(ctx, msg, false);
}

OpResult op_get_pause_status(OpContext& ctx, const boost::json::object& msg) {
    auto colony = colony_name(ctx, msg);
    if (!colony) return colony.error();
    if (auto s = require_member(ctx.tx, *colony, ctx.caller, false, ctx.now); !s) return s.error();
    // protocol.md 4.10 PauseStatusReply, key order as upstream's.
    return boost::json::value{{"msgtype", "pausestatusreplymsg"},
                              {"colonyname", *colony},
                              {"ispaused", ctx.tx.colony_paused(*colony)}};
}

}  // namespace colonies::services
