// Key rotation (protocol.md 5.15): a principal moves its record to a new id (the id of a new
// key). Authorisation is re-read from the store on every request, so the old key is refused from
// the commit on, on every server of a cluster. Upstream's order: an empty id is refused (400)
// before the authorisation check (403), the length after it. All four echo the request.
#include <limits>

#include "services/auth.hpp"
#include "services/colonies_ops.hpp"
#include "services/graphs.hpp"
#include "services/op_util.hpp"

namespace colonies::services {
namespace {

struct ChangeRequest {
    std::string colony, new_id;
};

Result<ChangeRequest> change_request(const OpContext& ctx, const boost::json::object& msg,
                                     const char* id_key) {
    JsonFields f(msg);
    ChangeRequest r{f.str("colonyname"), f.str(id_key)};
    if (!f.ok()) return invalid_json(ctx);
    return r;
}

bool lower_hex(const std::string& s) {
    for (char c : s)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}

// `what` is "user", "executor", "colony" or "server", as in upstream's messages. Only ids a
// key can have are accepted: any other would lock the record's owner out for good.
Status check_new_id(const std::string& prefix, const char* what, const std::string& id) {
    if (id.size() != 64) return bad_request(prefix + ", new " + what + " Id is not 64 characters");
    if (!lower_hex(id))
        return bad_request(prefix + ", new " + what + " Id is not lower-case hexadecimal");
    return ok_status();
}

// The executor's RUNNING processes follow it to the new id, so the new key can close them (and
// their function statistics reach the executor); the old key cannot.
void move_running_processes(OpContext& ctx, const std::string& old_id, const std::string& new_id) {
    for (const auto& id : ctx.tx.running_processes_of(old_id)) {
        auto p = ctx.tx.process(id);
        if (!p) continue;
        p->assignedexecutorid = new_id;
        ctx.tx.save_process(*p, requirements_of_spec(p->spec));
    }
}

// What the user started and is still alive follows it to the new id: its WAITING and RUNNING
// processes (so the new key may use their channels, which only the initiator and the assignee
// may), and its crons and generators (so the processes they start later carry the new id).
// Finished processes keep the id they were submitted under, as a record of who submitted them.
void move_initiated_work(OpContext& ctx, const std::string& colony, const std::string& name,
                         const std::string& old_id, const std::string& new_id) {
    for (const auto& id : ctx.tx.live_processes_of_initiator(colony, name)) {
        auto p = ctx.tx.process(id);
        if (!p || p->initiatorid != old_id) continue;
        p->initiatorid = new_id;
        ctx.tx.save_process(*p, requirements_of_spec(p->spec));
    }
    for (auto& c : ctx.tx.crons(colony, std::numeric_limits<int>::max())) {
        if (c.initiatorid != old_id) continue;
        c.initiatorid = new_id;
        ctx.tx.update_cron(c);
    }
    ctx.tx.change_generators_initiator(colony, old_id, new_id);
}

}  // namespace

OpResult op_change_user_id(OpContext& ctx, const boost::json::object& msg) {
    const std::string prefix = "Failed to change user Id";
    auto r = change_request(ctx, msg, "userid");
    if (!r) return r.error();
    if (r->new_id.empty()) return bad_request(prefix + ", user Id is empty");
    if (auto s = require_member(ctx.tx, r->colony, ctx.caller, false, ctx.now); !s)
        return s.error();
    auto u = ctx.tx.user_by_id(r->colony, ctx.caller);
    if (!u) return bad_request(prefix + ", user not found");
    if (auto s = check_new_id(prefix, "user", r->new_id); !s) return s.error();
    if (r->new_id != u->userid && ctx.tx.user_by_id(r->colony, r->new_id))
        return bad_request("A user with Id " + r->new_id + " already exists in Colony with name " +
                           r->colony);
    ctx.tx.change_user_id(r->colony, u->name, r->new_id);
    if (r->new_id != u->userid) move_initiated_work(ctx, r->colony, u->name, u->userid, r->new_id);
    return boost::json::value(msg);
}

OpResult op_change_executor_id(OpContext& ctx, const boost::json::object& msg) {
    const std::string prefix = "Failed to change executor Id";
    auto r = change_request(ctx, msg, "executorid");
    if (!r) return r.error();
    if (r->new_id.empty()) return bad_request(prefix + ", executor Id is empty");
    if (auto s = require_member(ctx.tx, r->colony, ctx.caller, false, ctx.now); !s)
        return s.error();
    auto e = ctx.tx.executor_by_id(ctx.caller);
    if (!e || e->colonyname != r->colony) return bad_request(prefix + ", executor not found");
    if (auto s = check_new_id(prefix, "executor", r->new_id); !s) return s.error();
    if (r->new_id == e->executorid) return boost::json::value(msg);
    // Ids identify callers: one live executor per id, server-wide (as addexecutormsg).
    if (auto other = ctx.tx.executor_by_id(r->new_id);
        other && other->state != ExecutorState::Unregistered)
        return bad_request(prefix + ", an executor with Id " + r->new_id + " already exists");
    const std::string old_id = e->executorid;
    e->executorid = r->new_id;
    ctx.tx.save_executor(*e);
    move_running_processes(ctx, old_id, r->new_id);
    // Long polls parked with the old key look again and fail now, instead of taking (and
    // wasting) the wake-up of a process meant for the executor's new key.
    ctx.fx.rekeyed_colonies.push_back(r->colony);
    return boost::json::value(msg);
}

OpResult op_change_colony_id(OpContext& ctx, const boost::json::object& msg) {
    const std::string prefix = "Failed to change colony Id";
    auto r = change_request(ctx, msg, "colonyid");
    if (!r) return r.error();
    if (r->new_id.empty()) return bad_request(prefix + ", colony Id is empty");
    if (auto s = require_colony_owner(ctx.tx, r->colony, ctx.caller); !s) return s.error();
    if (auto s = check_new_id(prefix, "colony", r->new_id); !s) return s.error();
    ctx.tx.change_colony_id(r->colony, r->new_id);
    return boost::json::value(msg);
}

OpResult op_change_server_id(OpContext& ctx, const boost::json::object& msg) {
    JsonFields f(msg);
    auto new_id = f.str("serverid");
    if (!f.ok()) return invalid_json(ctx);
    // (sic) upstream's text names the colony id.
    if (new_id.empty()) return bad_request("Failed to change colony Id, colony Id is empty");
    if (auto s = require_server_owner(ctx.tx, ctx.caller); !s) return s.error();
    if (auto s = check_new_id("Failed to change server Id", "server", new_id); !s) return s.error();
    ctx.tx.set_server_id(new_id);
    return boost::json::value(msg);
}

}  // namespace colonies::services
