// Process history (protocol.md 5.6 getprocesshistmsg) and our transitions ledger extension
// (getprocesstransitionsmsg, docs/compat.md).
#include "services/auth.hpp"
#include "services/colonies_ops.hpp"
#include "services/op_util.hpp"

namespace colonies::services {
namespace {

// Without the ledger (cfg.process_ledger off, or a process older than it): what the record
// itself tells, its last assignment and how it ended.
std::vector<ProcessTransition> from_record(const Process& p) {
    std::vector<ProcessTransition> out;
    if (!p.starttime.is_zero())
        out.push_back(
            {p.processid, ProcessState::Running, "assign", p.assignedexecutorid, p.starttime});
    const char* end = p.state == ProcessState::Success     ? "closesuccessful"
                      : p.state == ProcessState::Failed    ? "closefailed"
                      : p.state == ProcessState::Cancelled ? "cancel"
                                                           : nullptr;
    if (end && !p.endtime.is_zero())
        out.push_back({p.processid, p.state, end, p.assignedexecutorid, p.endtime});
    return out;
}

}  // namespace

OpResult op_get_process_history(OpContext& ctx, const boost::json::object& msg) {
    JsonFields f(msg);
    auto colony = f.str("colonyname");
    auto executorid = f.str("executorid");
    auto seconds = f.integer("seconds");
    auto state = f.integer("state");
    if (!f.ok()) return invalid_json(ctx);
    // Upstream sends no reply when the caller is not a member; we answer 403 (docs/compat.md).
    if (auto s = require_member(ctx.tx, colony, ctx.caller, true, ctx.now); !s) return s.error();
    auto wanted = parse_process_state(state);
    if (!wanted) return bad_request(std::string(ctx.error_prefix) + ", invalid msg.State");
    const Time since = ctx.now.plus_seconds(-seconds);
    return to_json(ctx.tx.process_history(colony, executorid, *wanted, since));
}

OpResult op_get_process_transitions(OpContext& ctx, const boost::json::object& msg) {
    JsonFields f(msg);
    auto id = f.str("processid");
    if (!f.ok()) return invalid_json(ctx);
    auto p = ctx.tx.process(id);
    if (!p) return not_found(std::string(ctx.error_prefix) + ", process not found");
    if (auto s = require_member(ctx.tx, p->spec.conditions.colonyname, ctx.caller, true, ctx.now);
        !s)
        return s.error();
    // The submission is the process's own record; the ledger holds every change after it.
    std::vector<ProcessTransition> out{
        {p->processid, ProcessState::Waiting, "submit", "", p->submissiontime}};
    auto ledger = ctx.tx.transitions(id);
    if (ledger.empty()) ledger = from_record(*p);
    for (auto& t : ledger) out.push_back(std::move(t));
    return to_json(out);
}

}  // namespace colonies::services
