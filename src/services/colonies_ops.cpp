// Server, colony and user messages (protocol.md 5.1-5.3).
#include "services/colonies_ops.hpp"

#include "services/auth.hpp"
#include "services/op_util.hpp"

namespace colonies::services {

namespace {

// Process and workflow counts per state of one colony ("" = every colony).
void add_state_counts(store::StoreTx& tx, const std::string& colony, Statistics& st) {
    auto c = tx.count_processes(colony);
    st.waitingprocesses = c.waiting;
    st.runningprocesses = c.running;
    st.successfulprocesses = c.success;
    st.failedprocesses = c.failed;
    st.cancelledprocesses = c.cancelled;
    auto g = tx.count_graphs(colony);
    st.waitingworkflows = g.waiting;
    st.runningworkflows = g.running;
    st.successfulworkflows = g.success;
    st.failedworkflows = g.failed;
    st.cancelledworkflows = g.cancelled;
}

}  // namespace

Statistics server_statistics(store::StoreTx& tx) {
    Statistics st;
    st.colonies = static_cast<int64_t>(tx.colonies().size());
    st.executors =
        tx.count_executors("", std::nullopt) - tx.count_executors("", ExecutorState::Unregistered);
    add_state_counts(tx, "", st);
    return st;
}

OpResult op_get_statistics(OpContext& ctx, const boost::json::object&) {
    if (auto s = require_server_owner(ctx.tx, ctx.caller); !s) return s.error();
    return to_json(server_statistics(ctx.tx));
}

OpResult op_get_cluster(OpContext& ctx, const boost::json::object&) {
    if (auto s = require_server_owner(ctx.tx, ctx.caller); !s) return s.error();
    if (!ctx.cfg.cluster_view) return internal_error("Failed to get cluster, no cluster view");
    return ctx.cfg.cluster_view();
}

OpResult op_add_colony(OpContext& ctx, const boost::json::object& msg) {
    if (auto s = require_server_owner(ctx.tx, ctx.caller); !s) return s.error();
    auto c = required_object<Colony>(ctx, msg, "colony", colony_from_json,
                                     "Failed to add colony, colony is <nil>");
    if (!c) return c.error();
    if (c->colonyid.size() != 64)
        return bad_request("Failed to add colony, invalid colony Id length");
    if (c->name.empty()) return bad_request("Failed to add colony, colony name is empty");
    if (ctx.tx.colony(c->name))
        return bad_request("A Colony with name " + c->name + " already exists");
    ctx.tx.add_colony(*c);
    return to_json(*c);
}

OpResult op_remove_colony(OpContext& ctx, const boost::json::object& msg) {
    JsonFields f(msg);
    auto name = f.str("colonyname");
    if (!f.ok()) return invalid_json(ctx);
    if (auto s = require_server_owner(ctx.tx, ctx.caller); !s) return s.error();
    if (!ctx.tx.colony(name)) return bad_request("Colony with name " + name + " not found");
    ctx.tx.remove_colony(name);
    ctx.fx.removed_colonies.push_back(name);
    return empty_reply();
}

OpResult op_get_colonies(OpContext& ctx, const boost::json::object&) {
    if (auto s = require_server_owner(ctx.tx, ctx.caller); !s) return s.error();
    return to_json(ctx.tx.colonies());
}

OpResult op_get_colony(OpContext& ctx, const boost::json::object& msg) {
    JsonFields f(msg);
    auto name = f.str("colonyname");
    if (!f.ok()) return invalid_json(ctx);
    if (auto s = require_member(ctx.tx, name, ctx.caller, true, ctx.now); !s) return s.error();
    auto c = ctx.tx.colony(name);
    if (!c) return internal_error("Failed to get colony, colony is nil");
    return to_json(*c);
}

OpResult op_get_colony_stats(OpContext& ctx, const boost::json::object& msg) {
    JsonFields f(msg);
    auto name = f.str("colonyname");
    if (!f.ok()) return invalid_json(ctx);
    if (!ctx.tx.colony(name)) return bad_request("Colony with name " + name + " not found");
    if (auto s = require_member(ctx.tx, name, ctx.caller, true, ctx.now); !s) return s.error();
    Statistics st;
    st.colonies = 1;
    st.executors = ctx.tx.count_executors(name, std::nullopt);
    st.activeexecutors = ctx.tx.count_executors(name, ExecutorState::Approved);
    st.unregisteredexecutors = ctx.tx.count_executors(name, ExecutorState::Unregistered);
    add_state_counts(ctx.tx, name, st);
    return to_json(st);
}

OpResult op_add_user(OpContext& ctx, const boost::json::object& msg) {
    auto u = required_object<User>(ctx, msg, "user", user_from_json,
                                   "Failed to add user, executor is nil");
    if (!u) return u.error();
    if (auto s = require_colony_owner(ctx.tx, u->colonyname, ctx.caller); !s) return s.error();
    if (u->name.empty()) return bad_request("Failed to add user, user name is empty");
    if (u->userid.size() != 64) return bad_request("Failed to add user, invalid user Id length");
    if (ctx.tx.user(u->colonyname, u->name))
        return bad_request("A user with name " + u->name + " already exists in Colony with name " +
                           u->colonyname);
    if (ctx.tx.user_by_id(u->colonyname, u->userid))
        return bad_request("A user with Id " + u->userid + " already exists in Colony with name " +
                           u->colonyname);
    ctx.tx.add_user(*u);
    return to_json(*u);
}

OpResult op_get_users(OpContext& ctx, const boost::json::object& msg) {
    JsonFields f(msg);
    auto colony = f.str("colonyname");
    if (!f.ok()) return invalid_json(ctx);
    if (auto s = require_member(ctx.tx, colony, ctx.caller, false, ctx.now); !s) return s.error();
    return to_json(ctx.tx.users(colony));
}

OpResult op_get_user(OpContext& ctx, const boost::json::object& msg) {
    JsonFields f(msg);
    auto colony = f.str("colonyname");
    auto name = f.str("name");
    if (!f.ok()) return invalid_json(ctx);
    if (auto s = require_member(ctx.tx, colony, ctx.caller, false, ctx.now); !s) return s.error();
    auto u = ctx.tx.user(colony, name);
    if (!u) return internal_error("Failed to get user, user is nil");
    return to_json(*u);
}

OpResult op_get_user_by_id(OpContext& ctx, const boost::json::object& msg) {
    JsonFields f(msg);
    auto colony = f.str("colonyname");
    auto id = f.str("userid");
    if (!f.ok()) return invalid_json(ctx);
    if (auto s = require_member(ctx.tx, colony, ctx.caller, false, ctx.now); !s) return s.error();
    auto u = ctx.tx.user_by_id(colony, id);
    if (!u) return not_found("Failed to get user by ID, user is nil");
    return to_json(*u);
}

OpResult op_remove_user(OpContext& ctx, const boost::json::object& msg) {
    JsonFields f(msg);
    auto colony = f.str("colonyname");
    auto name = f.str("name");
    if (!f.ok()) return invalid_json(ctx);
    if (auto s = require_colony_owner(ctx.tx, colony, ctx.caller); !s) return s.error();
    if (!ctx.tx.user(colony, name)) return bad_request("User with name " + name + " not found");
    ctx.tx.remove_user(colony, name);
    return empty_reply();
}

}  // namespace colonies::services
