// Cron messages (protocol.md 5.10, features.md 1.5).
#include <algorithm>
#include <climits>

#include "core/cron_schedule.hpp"
#include "crypto/crypto.hpp"
#include "services/auth.hpp"
#include "services/colonies_ops.hpp"
#include "services/crons.hpp"
#include "services/graphs.hpp"
#include "services/op_util.hpp"

namespace colonies::services {
namespace {

Result<std::string> cron_id(const OpContext& ctx, const boost::json::object& msg) {
    JsonFields f(msg);
    auto id = f.str("cronid");
    if (!f.ok()) return invalid_json(ctx);
    return id;
}

// A cron as a reply: checkerperiod only where upstream fills it in (getcronmsg).
boost::json::value cron_reply(Cron c, int64_t checkerperiod = 0) {
    c.checkerperiod = checkerperiod;
    return to_json(c);
}

// addcronmsg's checks in upstream's order (features.md 1.5), plus what would make every start
// fail (a workflow create_graph refuses) and a workflow naming another colony.
Status validate_new_cron(const Cron& c) {
    auto w = parse_stored_workflow(c.workflowspec, kCronWorkflowError);
    if (!w) return w.error();
    if (!w->colonyname.empty() && w->colonyname != c.colonyname)
        return bad_request("Failed to add cron, the workflow's colonyname <" + w->colonyname +
                           "> is not the cron's colonyname <" + c.colonyname + ">");
    w->colonyname = c.colonyname;
    if (auto s = check_workflow(std::move(*w)); !s) return s;
    // Interval -1 means "use the expression"; 0 and below -1 mean nothing (the texts are
    // next_cron_run's, which also checks the expression and `random`).
    if (c.interval == 0 || c.interval < -1)
        return next_cron_run("", c.interval, false, 0, {}).error();
    if (c.interval == -1) {
        if (auto schedule = CronSchedule::parse(c.cronexpression); !schedule)
            return schedule.error();
        if (c.random) return bad_request("Random cron is only supported when specifying intervals");
    }
    return ok_status();
}

}  // namespace

OpResult op_add_cron(OpContext& ctx, const boost::json::object& msg) {
    auto c = required_object<Cron>(ctx, msg, "cron", cron_from_json,
                                   "Failed to add cron, msg.Cron is nil");
    if (!c) return c.error();
    if (auto s = require_member(ctx.tx, c->colonyname, ctx.caller, true, ctx.now); !s)
        return s.error();
    if (auto s = validate_new_cron(*c); !s) return s.error();
    c->initiatorid = ctx.caller;
    c->initiatorname = initiator_name(ctx.tx, ctx.caller, c->colonyname);
    if (c->initiatorname.empty()) return internal_error("Could not derive InitiatorName");
    if (ctx.tx.cron_by_name(c->colonyname, c->name))
        return bad_request("Cron with name <" + c->name + "> in Colony <" + c->colonyname +
                           "> already exists");
    c->cronid = crypto::generate_private_key();
    // The schedule is the server's: what a client sends for these is not kept.
    c->lastrun = Time::zero();
    c->prevprocessgraphid.clear();
    c->checkerperiod = 0;
    // The first due time is known now (upstream leaves it zero until the next evaluation pass;
    // docs/compat.md).
    auto first = first_due(*c, ctx.now, c->random ? random_draw(c->interval) : 0);
    if (!first) return first.error();
    set_next_run(*c, *first);
    ctx.tx.add_cron(*c);
    return cron_reply(std::move(*c));
}

OpResult op_get_cron(OpContext& ctx, const boost::json::object& msg) {
    auto id = cron_id(ctx, msg);
    if (!id) return id.error();
    auto c = ctx.tx.cron(*id);
    if (!c) return internal_error("Failed to get cron, cron is nil");
    if (auto s = require_member(ctx.tx, c->colonyname, ctx.caller, true, ctx.now); !s)
        return s.error();
    return cron_reply(std::move(*c), ctx.cfg.cron_checker_period_ms);
}

OpResult op_get_crons(OpContext& ctx, const boost::json::object& msg) {
    JsonFields f(msg);
    auto colony = f.str("colonyname");
    auto count = f.integer("count");
    if (!f.ok()) return invalid_json(ctx);
    if (auto s = require_member(ctx.tx, colony, ctx.caller, true, ctx.now); !s) return s.error();
    boost::json::array out;
    if (count <= 0) return boost::json::value(std::move(out));
    for (auto& c : ctx.tx.crons(colony, static_cast<int>(std::min<int64_t>(count, INT_MAX))))
        out.push_back(cron_reply(std::move(c)));
    return boost::json::value(std::move(out));
}

// Upstream starts the cron before it checks membership (features.md 1.5 quirk): here nothing
// happens for a caller who is not a member.
OpResult op_run_cron(OpContext& ctx, const boost::json::object& msg) {
    auto id = cron_id(ctx, msg);
    if (!id) return id.error();
    auto c = ctx.tx.cron(*id, /*lock=*/true);
    if (!c) return bad_request("cron not found");
    if (auto s = require_member(ctx.tx, c->colonyname, ctx.caller, true, ctx.now); !s)
        return s.error();
    // The reply is the cron as it was before the run, as upstream's.
    auto reply = cron_reply(*c);
    std::optional<ProcessGraph> prev;
    if (!c->prevprocessgraphid.empty()) prev = ctx.tx.graph(c->prevprocessgraphid);
    if (waits_for_previous(*c, prev)) return reply;
    // A run while the cron is due is that due time's start; otherwise it is an extra run and
    // the schedule stays as it is (docs/compat.md).
    const Time due = c->nextrun;
    const bool was_due = !due.is_zero() && due <= ctx.now;
    auto g = start_cron(ctx, *c, prev);
    if (!g) return g.error();
    if (was_due) {
        auto next = next_due(*c, due, ctx.now, c->random ? random_draw(c->interval) : 0);
        set_next_run(*c, next ? *next : Time::zero());
    }
    ctx.tx.update_cron(*c);
    ctx.fx.log.push_back("Cron run: cronid=" + c->cronid + " name=" + c->name +
                         " colonyname=" + c->colonyname + " processgraphid=" + g->processgraphid +
                         " by=" + ctx.caller);
    return reply;
}

OpResult op_remove_cron(OpContext& ctx, const boost::json::object& msg) {
    auto id = cron_id(ctx, msg);
    if (!id) return id.error();
    auto c = ctx.tx.cron(*id);
    if (!c) return internal_error("Failed to remove cron, cron is nil");
    if (auto s = require_member(ctx.tx, c->colonyname, ctx.caller, true, ctx.now); !s)
        return s.error();
    ctx.tx.remove_cron(*id);
    return empty_reply();
}

}  // namespace colonies::services
