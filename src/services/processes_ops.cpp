// Process messages, assignment and the deadline sweep (protocol.md 5.6, 5.8, 6.1-6.8).
#include "crypto/crypto.hpp"
#include "services/auth.hpp"
#include "services/channels_ops.hpp"
#include "services/colonies_ops.hpp"
#include "services/graphs.hpp"
#include "services/op_util.hpp"
#include "services/transitions.hpp"

namespace colonies::services {
namespace {

constexpr int kMaxListCount = 100;

void save(OpContext& ctx, const Process& p) {
    ctx.tx.save_process(p, requirements_of_spec(p.spec));
}

// Attribute ids (4.8): one attribute per (process, key, type).
std::string attribute_id(const std::string& targetid, const std::string& key, AttributeType t) {
    return crypto::sha3_256_hex(targetid + key + std::to_string(static_cast<int>(t)));
}

// Looks a process up and checks the caller is a member of its colony.
Result<Process> visible_process(OpContext& ctx, const std::string& id, Error not_found_error) {
    auto p = ctx.tx.process(id);
    if (!p) return not_found_error;
    if (auto s = require_member(ctx.tx, p->spec.conditions.colonyname, ctx.caller, true, ctx.now);
        !s)
        return s.error();
    return std::move(*p);
}

// The process must exist, be visible, and be assigned to the caller (AE).
Result<Process> assigned_process(OpContext& ctx, const std::string& id, const std::string& what) {
    auto p = visible_process(ctx, id, internal_error("Failed to " + what + ", process is nil"));
    if (!p) return p;
    if (!p->isassigned) return forbidden("Failed to " + what + ", process is not assigned");
    if (p->assignedexecutorid != ctx.caller)
        return forbidden("Failed to " + what + ", not allowed to " + what);
    return p;
}

Result<std::string> process_id(const OpContext& ctx, const boost::json::object& msg) {
    JsonFields f(msg);
    auto id = f.str("processid");
    if (!f.ok()) return invalid_json(ctx);
    return id;
}

// Upstream's wording of a refused close or cancel (protocol.md 5.6), by the state refusing it.
Error close_ok_refused(ProcessState from) {
    switch (from) {
        case ProcessState::Failed:
            return bad_request("Tried to set failed process as successful");
        case ProcessState::Cancelled:
            return bad_request("Tried to set cancelled process as successful");
        default:
            return bad_request("Tried to set waiting process as successful without being running");
    }
}

Error close_failed_refused(ProcessState from) {
    switch (from) {
        case ProcessState::Success:
            return bad_request("Tried to set successful process as failed");
        case ProcessState::Failed:
            return bad_request("Tried to set failed process as failed");
        case ProcessState::Cancelled:
            return bad_request("Tried to set cancelled process as failed");
        default:
            return bad_request("Tried to set waiting process as failed without being running");
    }
}

Error cancel_refused(ProcessState from) {
    switch (from) {
        case ProcessState::Success:
            return bad_request("Tried to cancel successful process");
        case ProcessState::Failed:
            return bad_request("Tried to cancel failed process");
        default:
            return bad_request("Tried to cancel already cancelled process");
    }
}

}  // namespace

scheduler::ReadyProcess ready_of(const Process& p, const SpecRequirements& req) {
    const auto& c = p.spec.conditions;
    return {c.colonyname,   c.executortype, c.executornames,
            c.locationname, req.cpu_millis, req.mem_bytes};
}

OpResult op_submit(OpContext& ctx, const boost::json::object& msg) {
    auto spec =
        required_object<FunctionSpec>(ctx, msg, "spec", function_spec_from_json,
                                      "Failed to submit process spec, msg.FunctionSpec is nil");
    if (!spec) return spec.error();
    const std::string colony = spec->conditions.colonyname;
    if (auto s = require_member(ctx.tx, colony, ctx.caller, true, ctx.now); !s) return s.error();
    auto p =
        submit_spec(ctx, std::move(*spec), ctx.caller, initiator_name(ctx.tx, ctx.caller, colony));
    if (!p) return p.error();
    return to_json(*p);
}

Result<Process> submit_spec(OpContext& ctx, FunctionSpec spec, const std::string& initiatorid,
                            const std::string& initiatorname) {
    const std::string colony = spec.conditions.colonyname;
    auto req = normalize_function_spec(spec);
    if (!req) return req.error();

    Process p;
    p.processid = crypto::generate_private_key();  // 64 unpredictable hex characters
    p.initiatorid = initiatorid;
    p.initiatorname = initiatorname;
    p.submissiontime = ctx.now;
    p.prioritytime = priority_time(ctx.now.ns, spec.priority);
    if (spec.maxwaittime > 0) p.waitdeadline = ctx.now.plus_seconds(spec.maxwaittime);
    p.spec = std::move(spec);
    for (const auto& [k, v] : p.spec.env) {
        Attribute a;
        a.targetid = p.processid;
        a.targetcolonyname = colony;
        a.attributetype = AttributeType::Env;
        a.key = k;
        a.value = v;
        a.attributeid = attribute_id(a.targetid, a.key, a.attributetype);
        ctx.tx.add_attribute(a);
        p.attributes.push_back(std::move(a));
    }
    ctx.tx.save_process(p, *req);
    ctx.fx.ready.push_back(ready_of(p, *req));
    ctx.fx.events.push_back(p);
    return p;
}

Result<AssignAttempt> try_assign(OpContext& ctx, const boost::json::object& msg) {
    JsonFields f(msg);
    auto colony = f.str("colonyname");
    auto timeout = f.integer("timeout");
    auto cpu_text = f.str("availablecpu");
    auto mem_text = f.str("availablemem");
    if (!f.ok()) return invalid_json(ctx);
    if (auto s = require_member(ctx.tx, colony, ctx.caller, true, ctx.now); !s) return s.error();
    if (timeout == 0) return bad_request("Invalid timeout value, timeout cannot be zero");
    auto e = ctx.tx.executor_by_id(ctx.caller);
    if (!e || e->colonyname != colony)
        return internal_error("Failed to assign process, executor not found");

    AssignAttempt a;
    a.timeout_s = timeout;
    a.waiter = {colony, e->executortype, e->executorname, e->locationname, INT64_MAX, INT64_MAX};
    if (!cpu_text.empty()) {
        auto c = parse_cpu_millis(cpu_text);
        if (!c) return c.error();
        a.waiter.max_cpu_millis = *c;
    }
    if (!mem_text.empty()) {
        auto m = parse_memory_bytes(mem_text);
        if (!m) return m.error();
        a.waiter.max_mem_bytes = *m;
    }
    // require_member has refreshed the executor's lastheardfromtime (at most every 5 s, as
    // for any request: docs/compat.md).
    store::AssignQuery q{colony,          e->executortype,         e->executorname,
                         e->locationname, a.waiter.max_cpu_millis, a.waiter.max_mem_bytes};
    auto claim = ctx.tx.claim_assignable(q);
    // features.md 7.6: while paused nothing is claimed; a poll without a timeout ends at once.
    if (claim.paused) {
        if (timeout < 0)
            return unavailable("No processes available: colony assignments are paused");
        a.paused = true;
        return a;
    }
    if (!claim.process) return a;
    // The store only offers assignable processes; a refusal means it broke that promise.
    if (!transition(ctx, *claim.process, ProcessEvent::Assign, {.executorid = ctx.caller})
             .accepted())
        return internal_error("Failed to assign process, process is not assignable");
    a.claimed = std::move(*claim.process);
    return a;
}

OpResult op_get_process(OpContext& ctx, const boost::json::object& msg) {
    auto id = process_id(ctx, msg);
    if (!id) return id.error();
    auto p = visible_process(ctx, *id, not_found("Failed to get process, process not found"));
    if (!p) return p.error();
    return to_json(*p);
}

OpResult op_get_processes(OpContext& ctx, const boost::json::object& msg) {
    JsonFields f(msg);
    auto colony = f.str("colonyname");
    auto count = f.integer("count");
    auto state = f.integer("state");
    auto executortype = f.str("executortype");
    auto initiator = f.str("initiator");
    auto label = f.str("label");
    if (!f.ok()) return invalid_json(ctx);
    if (auto s = require_member(ctx.tx, colony, ctx.caller, true, ctx.now); !s) return s.error();
    if (count > kMaxListCount)
        return bad_request("Count is larger than MaxCount limit <" + std::to_string(kMaxListCount) +
                           ">");
    auto wanted = parse_process_state(state);
    if (!wanted) return bad_request("Failed to get processes, invalid msg.State");
    // Only one filter applies, in upstream's precedence: executortype, initiator, label.
    store::ProcessFilter filter;
    if (!executortype.empty()) {
        filter.executortype = executortype;
    } else if (!initiator.empty()) {
        if (!ctx.tx.user(colony, initiator))
            return bad_request("User " + initiator + " does not exist");
        filter.initiatorname = initiator;
    } else {
        filter.label = label;
    }
    if (count <= 0) return boost::json::value(boost::json::array{});
    return to_json(ctx.tx.processes(colony, *wanted, static_cast<int>(count), filter));
}

OpResult op_remove_process(OpContext& ctx, const boost::json::object& msg) {
    auto id = process_id(ctx, msg);
    if (!id) return id.error();
    auto p = visible_process(ctx, *id, internal_error("Failed to remove process, process is nil"));
    if (!p) return p.error();
    if (!p->processgraphid.empty())
        return bad_request(
            "Failed to remove, cannot remove a process part of a workflow, delete the entire "
            "workflow instead");
    if (p->state == ProcessState::Running)
        return bad_request("Failed to remove process, cannot remove a running process");
    end_channels(ctx, *p);
    ctx.tx.remove_process(*id);
    return empty_reply();
}

OpResult op_remove_all_processes(OpContext& ctx, const boost::json::object& msg) {
    JsonFields f(msg);
    auto colony = f.str("colonyname");
    auto state = f.integer("state");
    if (!f.ok()) return invalid_json(ctx);
    if (auto s = require_colony_owner(ctx.tx, colony, ctx.caller); !s) return s.error();
    if (state == 1) return bad_request("Not possible to remove running processes");
    auto wanted = parse_process_state(state);  // -1: every state
    if (!wanted && state != -1) return bad_request("Invalid state when deleting all processes");
    ctx.tx.remove_processes(colony, wanted);
    return empty_reply();
}

OpResult op_close_successful(OpContext& ctx, const boost::json::object& msg) {
    JsonFields f(msg);
    auto id = f.str("processid");
    auto out = f.array("out");
    if (!f.ok()) return invalid_json(ctx);
    auto p = assigned_process(ctx, id, "close process as successful");
    if (!p) return p.error();
    TransitionInput in;
    if (out) in.out = *out;
    if (!transition(ctx, *p, ProcessEvent::CloseOk, std::move(in)).accepted())
        return close_ok_refused(p->state);
    return empty_reply();
}

OpResult op_close_failed(OpContext& ctx, const boost::json::object& msg) {
    JsonFields f(msg);
    auto id = f.str("processid");
    auto errors = f.strings("errors");
    if (!f.ok()) return invalid_json(ctx);
    auto p = assigned_process(ctx, id, "close process as failed");
    if (!p) return p.error();
    if (!transition(ctx, *p, ProcessEvent::CloseFailed, {.errors = std::move(errors)}).accepted())
        return close_failed_refused(p->state);
    return empty_reply();
}

OpResult op_set_output(OpContext& ctx, const boost::json::object& msg) {
    JsonFields f(msg);
    auto id = f.str("processid");
    auto out = f.array("out");
    if (!f.ok()) return invalid_json(ctx);
    auto p = visible_process(ctx, id, internal_error("Failed to set output, process is nil"));
    if (!p) return p.error();
    if (p->assignedexecutorid != ctx.caller)
        return forbidden(
            "Failed to close process as successful, not allowed to close process as successful");
    if (p->state != ProcessState::Running)
        return forbidden("Failed to set output, process is not running");
    if (out && !out->empty()) {
        p->out = *out;
        save(ctx, *p);
    }
    return empty_reply();
}

OpResult op_cancel_process(OpContext& ctx, const boost::json::object& msg) {
    auto id = process_id(ctx, msg);
    if (!id) return id.error();
    auto p = visible_process(ctx, *id, internal_error("Failed to cancel process, process is nil"));
    if (!p) return p.error();
    if (!p->processgraphid.empty())
        return bad_request(
            "Failed to cancel, cannot cancel a process part of a workflow, cancel the entire "
            "workflow instead");
    if (!transition(ctx, *p, ProcessEvent::Cancel).accepted()) return cancel_refused(p->state);
    return empty_reply();
}

OpResult op_add_attribute(OpContext& ctx, const boost::json::object& msg) {
    auto a = required_object<Attribute>(ctx, msg, "attribute", attribute_from_json,
                                        "Failed to add attribute, msg.Attribute is nil");
    if (!a) return a.error();
    auto p = ctx.tx.process(a->targetid);
    if (!p) return not_found("Failed to add attribute, process not found");
    if (auto s = require_member(ctx.tx, p->spec.conditions.colonyname, ctx.caller, true, ctx.now);
        !s)
        return s.error();
    if (p->state != ProcessState::Running)
        return forbidden("Failed to add attribute, process is not running");
    if (p->assignedexecutorid != ctx.caller)
        return forbidden("Failed to add attribute, only executor with id " + p->assignedexecutorid +
                         " is allowed to set attributes");
    a->targetprocessgraphid = p->processgraphid;
    a->attributeid = attribute_id(a->targetid, a->key, a->attributetype);
    if (!ctx.tx.add_attribute(*a))
        return bad_request("Failed to add attribute, an attribute with key " + a->key +
                           " and this type already exists on the process");
    return to_json(*a);
}

OpResult op_get_attribute(OpContext& ctx, const boost::json::object& msg) {
    JsonFields f(msg);
    auto id = f.str("attributeid");
    if (!f.ok()) return invalid_json(ctx);
    auto a = ctx.tx.attribute(id);
    if (!a) return not_found("Failed to get attribute, attribute not found");
    auto p =
        visible_process(ctx, a->targetid, not_found("Failed to get attribute, process not found"));
    if (!p) return p.error();
    return to_json(*a);
}

void requeue_processes_of(OpContext& ctx, const std::string& executorid) {
    for (const auto& id : ctx.tx.running_processes_of(executorid)) {
        auto p = ctx.tx.process(id);
        if (p) transition(ctx, *p, ProcessEvent::ExecutorGone);
    }
}

int sweep_deadlines(OpContext& ctx) {
    int changed = 0;
    for (const auto& id : ctx.tx.expired_running(ctx.now)) {
        // Read again under the store's lock: on a shared database another server may have
        // closed (or requeued) it since the candidates were listed.
        auto p = ctx.tx.process(id);
        if (!p || p->execdeadline.is_zero() || p->execdeadline >= ctx.now) continue;
        if (transition(ctx, *p, ProcessEvent::ExecDeadline).accepted()) ++changed;
    }
    for (const auto& id : ctx.tx.expired_waiting(ctx.now)) {
        auto p = ctx.tx.process(id);
        if (!p || p->waitdeadline.is_zero() || p->waitdeadline >= ctx.now) continue;
        if (transition(ctx, *p, ProcessEvent::WaitDeadline).accepted()) ++changed;
    }
    return changed;
}

}  // namespace colonies::services
