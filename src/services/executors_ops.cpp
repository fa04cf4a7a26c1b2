// Executor and function-registry messages (protocol.md 5.4, 5.5, 6.10).
#include <algorithm>

#include "crypto/crypto.hpp"
#include "services/auth.hpp"
#include "services/colonies_ops.hpp"
#include "services/op_util.hpp"

namespace colonies::services {
namespace {

struct ExecutorRef {
    std::string colony, name;
};

Result<ExecutorRef> executor_ref(const OpContext& ctx, const boost::json::object& msg) {
    JsonFields f(msg);
    ExecutorRef r{f.str("colonyname"), f.str("executorname")};
    if (!f.ok()) return invalid_json(ctx);
    return r;
}

// Marks the executor UNREGISTERED, requeues its running work and drops its functions.
void unregister(OpContext& ctx, Executor& e) {
    requeue_processes_of(ctx, e.executorid);
    ctx.tx.remove_functions_of(e.colonyname, e.executorname);
    e.state = ExecutorState::Unregistered;
    ctx.tx.save_executor(e);
}

OpResult set_state(OpContext& ctx, const boost::json::object& msg, ExecutorState state,
                   const char* nil_message) {
    auto ref = executor_ref(ctx, msg);
    if (!ref) return ref.error();
    if (auto s = require_colony_owner(ctx.tx, ref->colony, ctx.caller); !s) return s.error();
    auto e = ctx.tx.executor(ref->colony, ref->name);
    if (!e) return internal_error(nil_message);
    if (state == ExecutorState::Unregistered) {
        unregister(ctx, *e);
    } else {
        e->state = state;
        ctx.tx.save_executor(*e);
    }
    return empty_reply();
}

}  // namespace

OpResult op_add_executor(OpContext& ctx, const boost::json::object& msg) {
    auto e = required_object<Executor>(ctx, msg, "executor", executor_from_json,
                                       "Failed to add executor, executor is nil");
    if (!e) return e.error();
    if (auto s = require_colony_owner(ctx.tx, e->colonyname, ctx.caller); !s) return s.error();
    if (e->executorname.empty())
        return bad_request("Failed to add executor, executor name is empty");
    if (e->executorid.size() != 64)
        return bad_request("Failed to add executor, invalid executor Id length");
    if (e->executortype.empty())
        return bad_request("Failed to add executor, executor type is empty");

    auto existing = ctx.tx.executor(e->colonyname, e->executorname);
    if (existing && existing->state != ExecutorState::Unregistered) {
        if (!ctx.cfg.allow_executor_reregister)
            return bad_request("Executor with name " + e->executorname + " in Colony " +
                               e->colonyname + " already exists");
        unregister(ctx, *existing);
    }
    // Ids identify callers (protocol.md 3): one live executor record per id, server-wide.
    if (auto same_id = ctx.tx.executor_by_id(e->executorid);
        same_id && same_id->state != ExecutorState::Unregistered &&
        !(same_id->colonyname == e->colonyname && same_id->executorname == e->executorname))
        return bad_request(
            "Executor not unique, both Name and ExecutorId must be unique within a Colony");
    if (existing) e->requirefuncreg = existing->requirefuncreg || e->requirefuncreg;
    e->state = ExecutorState::Pending;
    e->commissiontime = ctx.now;
    ctx.tx.save_executor(*e);
    return to_json(*e);
}

OpResult op_get_executors(OpContext& ctx, const boost::json::object& msg) {
    JsonFields f(msg);
    auto colony = f.str("colonyname");
    if (!f.ok()) return invalid_json(ctx);
    if (auto s = require_member(ctx.tx, colony, ctx.caller, false, ctx.now); !s) return s.error();
    return to_json(ctx.tx.executors(colony));
}

OpResult op_get_executor(OpContext& ctx, const boost::json::object& msg) {
    auto ref = executor_ref(ctx, msg);
    if (!ref) return ref.error();
    auto e = ctx.tx.executor(ref->colony, ref->name);
    if (!e) return internal_error("Failed to get executor, executor is nil");
    if (auto s = require_member(ctx.tx, e->colonyname, ctx.caller, true, ctx.now); !s)
        return s.error();
    return to_json(*e);
}

OpResult op_get_executor_by_id(OpContext& ctx, const boost::json::object& msg) {
    JsonFields f(msg);
    auto id = f.str("executorid");
    if (!f.ok()) return invalid_json(ctx);
    auto e = ctx.tx.executor_by_id(id);
    if (!e) return not_found("Failed to get executor by ID, executor is nil");
    if (auto s = require_member(ctx.tx, e->colonyname, ctx.caller, true, ctx.now); !s)
        return s.error();
    return to_json(*e);
}

OpResult op_approve_executor(OpContext& ctx, const boost::json::object& msg) {
    return set_state(ctx, msg, ExecutorState::Approved,
                     "Failed to approve executor, executor is nil");
}

OpResult op_reject_executor(OpContext& ctx, const boost::json::object& msg) {
    return set_state(ctx, msg, ExecutorState::Rejected,
                     "Failed to reject executor, executor is nil");
}

OpResult op_remove_executor(OpContext& ctx, const boost::json::object& msg) {
    return set_state(ctx, msg, ExecutorState::Unregistered,
                     "Failed to remove executor, executor is nil");
}

OpResult op_add_function(OpContext& ctx, const boost::json::object& msg) {
    auto fn = required_object<Function>(ctx, msg, "fun", function_from_json,
                                        "Failed to add function, msg.Function is nil");
    if (!fn) return fn.error();
    if (auto s = require_member(ctx.tx, fn->colonyname, ctx.caller, true, ctx.now); !s)
        return s.error();
    auto e = ctx.tx.executor(fn->colonyname, fn->executorname);
    if (!e)
        return bad_request("Failed to add function, Executor with name " + fn->executorname +
                           " does not exist");
    if (e->executorid != ctx.caller)
        return forbidden("Not allowed to add a function to another executor");
    if (fn->funcname.empty()) return bad_request("Failed to add function, funcname is empty");
    if (fn->functionid.empty())
        fn->functionid = crypto::sha3_256_hex(fn->colonyname + "/" + fn->executorname + "/" +
                                              fn->funcname + "/" + std::to_string(ctx.now.ns));
    fn->executortype = e->executortype;
    fn->locationname = e->locationname;
    ctx.tx.add_function(*fn);
    return to_json(*fn);
}

OpResult op_remove_function(OpContext& ctx, const boost::json::object& msg) {
    JsonFields f(msg);
    auto id = f.str("functionid");
    if (!f.ok()) return invalid_json(ctx);
    if (id.empty()) return bad_request("Failed to remove function, msg.FunctionID is empty");
    auto fn = ctx.tx.function(id);
    if (!fn) return not_found("Failed to remove function, function does not exist");
    if (auto s = require_member(ctx.tx, fn->colonyname, ctx.caller, true, ctx.now); !s)
        return s.error();
    auto owner = ctx.tx.executor(fn->colonyname, fn->executorname);
    if (!owner || owner->executorid != ctx.caller)
        return forbidden("Not allowed to remove a function from another executor");
    ctx.tx.remove_function(id);
    return empty_reply();
}

void record_function_run(OpContext& ctx, const Process& p) {
    auto e = ctx.tx.executor_by_id(p.assignedexecutorid);
    if (!e) return;
    const double wait_s = (p.starttime.ns - p.submissiontime.ns) / 1e9;
    const double exec_s = (p.endtime.ns - p.starttime.ns) / 1e9;
    ctx.tx.record_function_run(e->colonyname, e->executorname, p.spec.funcname, wait_s, exec_s);
}

int cleanup_stale_executors(OpContext& ctx) {
    auto silent = ctx.tx.silent_executors(ctx.now.plus_seconds(-ctx.cfg.stale_executor_seconds));
    for (auto& e : silent) unregister(ctx, e);
    return static_cast<int>(silent.size());
}

OpResult op_get_functions(OpContext& ctx, const boost::json::object& msg) {
    JsonFields f(msg);
    auto colony = f.str("colonyname");
    auto executor = f.str("executorname");
    if (!f.ok()) return invalid_json(ctx);
    if (auto s = require_member(ctx.tx, colony, ctx.caller, true, ctx.now); !s) return s.error();
    return to_json(ctx.tx.functions(colony, executor));
}

// features.md 7.5: an executor replaces its own capabilities or allocations. The wire shape is
// checked and normalised by the Executor decoder (core/json.cpp), so what is stored is what
// every executor reply shows.
namespace {

OpResult update_own_executor(OpContext& ctx, const boost::json::object& msg, const char* key,
                             const std::string& not_own_message) {
    auto ref = executor_ref(ctx, msg);
    if (!ref) return ref.error();
    boost::json::object only{{key, nullptr}};
    if (auto it = msg.find(key); it != msg.end()) only[key] = it->value();
    auto decoded = executor_from_json(only);
    if (!decoded) return invalid_json(ctx);
    if (auto s = require_member(ctx.tx, ref->colony, ctx.caller, false, ctx.now); !s)
        return s.error();
    auto e = ctx.tx.executor(ref->colony, ref->name);
    if (!e) return bad_request("Executor with name " + ref->name + " does not exist");
    if (e->executorid != ctx.caller) return bad_request(not_own_message);
    if (std::string_view(key) == "capabilities")
        e->capabilities = std::move(decoded->capabilities);
    else
        e->allocations = std::move(decoded->allocations);
    ctx.tx.save_executor(*e);
    return empty_reply();
}

}  // namespace

OpResult op_update_executor(OpContext& ctx, const boost::json::object& msg) {
    return update_own_executor(ctx, msg, "capabilities",
                               "Only an executor can update its own capabilities");
}

OpResult op_report_allocation(OpContext& ctx, const boost::json::object& msg) {
    return update_own_executor(ctx, msg, "allocations",
                               "Only an executor can report allocations to itself");
}

}  // namespace colonies::services
