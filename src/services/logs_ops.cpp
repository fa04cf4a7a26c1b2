// Log messages (protocol.md 5.9, features.md 3).
#include "services/auth.hpp"
#include "services/colonies_ops.hpp"
#include "services/op_util.hpp"

namespace colonies::services {
namespace {

constexpr int kMaxLogCount = 500;
constexpr int kMaxSearchCount = 100;
constexpr int kMaxSearchDays = 30;
constexpr int64_t kDayNs = 86400LL * 1000000000LL;

}  // namespace

OpResult op_add_log(OpContext& ctx, const boost::json::object& msg) {
    JsonFields f(msg);
    auto id = f.str("processid");
    auto message = f.str("message");
    if (!f.ok()) return invalid_json(ctx);
    auto p = ctx.tx.process(id);
    if (!p) return internal_error("Failed to add log, process is nil");
    const auto& colony = p->spec.conditions.colonyname;
    if (auto s = require_member(ctx.tx, colony, ctx.caller, true, ctx.now); !s) return s.error();
    auto e = ctx.tx.executor_by_id(ctx.caller);
    if (!e) return forbidden("Failed to add log, only executors may add logs");
    if (p->state != ProcessState::Running)
        return forbidden("Failed to set output, process is not running");
    if (p->assignedexecutorid != ctx.caller)
        return forbidden(
            "Failed to add log, not allowed to add log, only the assigned Executor may att logs");
    ctx.tx.add_log(Log{id, colony, e->executorname, std::move(message), ctx.now.ns});
    return empty_reply();
}

OpResult op_add_executor_log(OpContext& ctx, const boost::json::object& msg) {
    JsonFields f(msg);
    auto colony = f.str("colonyname");
    auto name = f.str("executorname");
    auto message = f.str("message");
    if (!f.ok()) return invalid_json(ctx);
    if (auto s = require_member(ctx.tx, colony, ctx.caller, true, ctx.now); !s) return s.error();
    auto e = ctx.tx.executor_by_id(ctx.caller);
    if (!e || e->colonyname != colony)
        return forbidden("Failed to add executor log, executor not found");
    if (e->executorname != name)
        return forbidden("Failed to add executor log, executor name mismatch");
    ctx.tx.add_log(Log{"", colony, name, std::move(message), ctx.now.ns});
    return empty_reply();
}

OpResult op_get_logs(OpContext& ctx, const boost::json::object& msg) {
    JsonFields f(msg);
    auto colony = f.str("colonyname");
    auto processid = f.str("processid");
    auto executorname = f.str("executorname");
    auto count = f.integer("count");
    auto since = f.integer("since");
    auto latest = f.boolean("latest");
    if (!f.ok()) return invalid_json(ctx);
    if (count > kMaxLogCount)
        return forbidden("Count exceeds max log count (" + std::to_string(kMaxLogCount) + ")");
    std::string scope_colony;
    if (!executorname.empty()) {
        auto e = ctx.tx.executor(colony, executorname);
        if (!e) return internal_error("Failed to get logs, executor does not exist");
        scope_colony = e->colonyname;
    } else {
        auto p = ctx.tx.process(processid);
        if (!p) return internal_error("Failed to get logs, process does not exist");
        scope_colony = p->spec.conditions.colonyname;
    }
    if (auto s = require_member(ctx.tx, scope_colony, ctx.caller, true, ctx.now); !s)
        return s.error();
    if (count <= 0) return boost::json::value(boost::json::array{});
    return to_json(
        ctx.tx.logs(scope_colony, processid, executorname, static_cast<int>(count), since, latest));
}

OpResult op_search_logs(OpContext& ctx, const boost::json::object& msg) {
    JsonFields f(msg);
    auto colony = f.str("colonyname");
    auto text = f.str("text");
    auto days = f.integer("days");
    auto count = f.integer("count");
    if (!f.ok()) return invalid_json(ctx);
    if (auto s = require_member(ctx.tx, colony, ctx.caller, true, ctx.now); !s) return s.error();
    if (count > kMaxSearchCount)
        return bad_request("Count exceeds max log count (" + std::to_string(kMaxSearchCount) + ")");
    if (days > kMaxSearchDays)
        return bad_request("Count exceeds max day count (" + std::to_string(kMaxSearchDays) + ")");
    if (count <= 0) return boost::json::value(boost::json::array{});
    return to_json(
        ctx.tx.search_logs(colony, text, ctx.now.ns - days * kDayNs, static_cast<int>(count)));
}

}  // namespace colonies::services
