// Cron due times and starts (crons.hpp).
#include "services/crons.hpp"

#include <algorithm>
#include <random>

#include "core/cron_schedule.hpp"
#include "core/json.hpp"
#include "services/graphs.hpp"

namespace colonies::services {
namespace {

constexpr int64_t kNsPerSecond = 1000000000LL;

// An instant `s` seconds (or `ns` nanoseconds) after the epoch, saturated to the representable
// range: interval arithmetic with a huge interval must not wrap into the past.
Time at_ns(__int128 ns) {
    if (ns >= INT64_MAX) return kNever;
    if (ns <= Time::kZero) return Time{Time::kZero + 1};
    return Time{static_cast<int64_t>(ns)};
}

__int128 floor_div(__int128 a, __int128 b) {
    __int128 q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

// The start of the interval-long window of Unix time after the one holding `t`.
__int128 next_window_ns(Time t, int64_t interval) {
    const __int128 len = static_cast<__int128>(interval) * kNsPerSecond;
    return (floor_div(t.ns, len) + 1) * len;
}

Result<Time> expression_after(const Cron& c, Time t) {
    auto schedule = CronSchedule::parse(c.cronexpression);
    if (!schedule) return schedule.error();
    return schedule->next_after(t);
}

std::string cron_line(const char* what, const Cron& c) {
    return std::string(what) + ": cronid=" + c.cronid + " name=" + c.name +
           " colonyname=" + c.colonyname;
}

// A cron that cannot start now is looked at again in a later pass, behind the crons that were
// due before now: a cron waiting for its previous graph never keeps others from their turn.
void look_again_later(OpContext& ctx, Cron& c) {
    c.checkat = ctx.now;
    ctx.tx.update_cron(c);
}

// One due cron of the pass; true when it started.
bool evaluate_cron(OpContext& ctx, Cron& c) {
    const int64_t draw = c.random ? random_draw(c.interval) : 0;
    if (c.nextrun.is_zero()) {
        // Not scheduled yet (upstream's first evaluation): schedule it, start it later.
        auto first = first_due(c, ctx.now, draw);
        set_next_run(c, first ? *first : Time::zero());
        if (!first)
            ctx.fx.log.push_back(cron_line("Cron cannot be scheduled", c) +
                                 " error=" + first.error().message);
        ctx.tx.update_cron(c);
        return false;
    }
    std::optional<ProcessGraph> prev;
    if (!c.prevprocessgraphid.empty()) prev = ctx.tx.graph(c.prevprocessgraphid);
    if (waits_for_previous(c, prev)) {
        look_again_later(ctx, c);
        return false;
    }
    const Time due = c.nextrun;
    auto g = start_cron(ctx, c, prev);
    if (!g) {
        ctx.fx.log.push_back(cron_line("Cron failed to start", c) + " error=" + g.error().message);
        look_again_later(ctx, c);
        return false;
    }
    auto next = next_due(c, due, ctx.now, draw);
    set_next_run(c, next ? *next : Time::zero());
    if (!next)
        ctx.fx.log.push_back(cron_line("Cron cannot be scheduled", c) +
                             " error=" + next.error().message);
    ctx.tx.update_cron(c);
    ctx.fx.log.push_back(cron_line("Cron started", c) + " due=" + format_rfc3339(due) +
                         " late_ms=" + std::to_string((ctx.now.ns - due.ns) / 1000000) +
                         " processgraphid=" + g->processgraphid +
                         " nextrun=" + format_rfc3339(c.nextrun));
    return true;
}

}  // namespace

int64_t random_draw(int64_t interval) {
    if (interval <= 1) return 0;
    thread_local std::mt19937_64 rng{std::random_device{}()};
    return std::uniform_int_distribution<int64_t>(0, interval - 1)(rng);
}

Result<Time> first_due(const Cron& c, Time now, int64_t draw) {
    if (c.interval > 0 && c.random)
        return at_ns(next_window_ns(now, c.interval) + static_cast<__int128>(draw) * kNsPerSecond);
    if (c.interval > 0)
        return at_ns(static_cast<__int128>(now.ns) +
                     static_cast<__int128>(c.interval) * kNsPerSecond);
    return expression_after(c, now);
}

Result<Time> next_due(const Cron& c, Time due, Time now, int64_t draw) {
    if (c.interval > 0 && c.random) {
        __int128 next =
            next_window_ns(due, c.interval) + static_cast<__int128>(draw) * kNsPerSecond;
        if (next <= now.ns)
            next = next_window_ns(now, c.interval) + static_cast<__int128>(draw) * kNsPerSecond;
        return at_ns(next);
    }
    if (c.interval > 0) {
        // The first of due + k * interval (k >= 1) after now: the phase of the schedule is kept.
        const __int128 len = static_cast<__int128>(c.interval) * kNsPerSecond;
        __int128 k = 1;
        if (now.ns >= due.ns) k = (static_cast<__int128>(now.ns) - due.ns) / len + 1;
        return at_ns(static_cast<__int128>(due.ns) + k * len);
    }
    auto next = expression_after(c, due);
    if (!next || next->is_zero() || *next > now) return next;
    return expression_after(c, now);
}

void set_next_run(Cron& c, Time next) {
    c.nextrun = next;
    c.checkat = next.is_zero() ? kNever : next;
}

bool waits_for_previous(const Cron& c, const std::optional<ProcessGraph>& prev) {
    // Quirk (features.md 1.4): upstream waits for ever on a CANCELLED previous graph.
    return c.waitforprevprocessgraph && prev && !is_final(prev->state);
}

Result<ProcessGraph> start_cron(OpContext& ctx, Cron& c, const std::optional<ProcessGraph>& prev) {
    auto w = parse_stored_workflow(c.workflowspec, kCronWorkflowError);
    if (!w) return w.error();
    // The cron's colony, whatever the stored text says (addcronmsg refuses another one).
    w->colonyname = c.colonyname;
    GraphOrigin origin{c.initiatorid, c.initiatorname, {}, {}};
    if (prev) origin.root_in = leaf_outputs(ctx, *prev);
    auto g = create_graph(ctx, std::move(*w), origin);
    if (!g) return g.error();
    c.lastrun = ctx.now;
    c.prevprocessgraphid = g->processgraphid;
    return g;
}

int evaluate_crons(OpContext& ctx) {
    const int limit = static_cast<int>(std::clamp<int64_t>(ctx.cfg.crons_per_pass, 1, 1 << 20));
    int started = 0;
    for (auto& c : ctx.tx.due_crons(ctx.now, limit)) started += evaluate_cron(ctx, c) ? 1 : 0;
    return started;
}

}  // namespace colonies::services
