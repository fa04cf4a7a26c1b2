// Generator messages (protocol.md 5.11, features.md 2.4) and the leader's generator pass (2.3).
//
// Packing and starting run inside the store transaction: a pack is durable before its reply, and
// a started workflow and the removal of the arguments it took commit together, so a crash can
// neither lose nor double an argument.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <climits>
#include <iostream>

#include "crypto/crypto.hpp"
#include "services/auth.hpp"
#include "services/colonies_ops.hpp"
#include "services/graphs.hpp"
#include "services/op_util.hpp"

namespace colonies::services {
namespace {

// Workflows one pass may start; the rest wait for the next pass (the pass holds the store).
constexpr int kWorkflowsPerPass = 100;

Result<Generator> visible_generator(OpContext& ctx, const std::string& id,
                                    const char* nil_message) {
    auto g = ctx.tx.generator(id);
    if (!g) return internal_error(nil_message);
    if (auto s = require_member(ctx.tx, g->colonyname, ctx.caller, true, ctx.now); !s)
        return s.error();
    return std::move(*g);
}

Result<std::string> generator_id(const OpContext& ctx, const boost::json::object& msg) {
    JsonFields f(msg);
    auto id = f.str("generatorid");
    if (!f.ok()) return invalid_json(ctx);
    return id;
}

// The generator's workflow, in the generator's colony (a workflow naming another colony is
// refused when the generator is added).
Result<WorkflowSpec> workflow_of(const Generator& g) {
    auto w =
        parse_stored_workflow(g.workflowspec, "Failed to add generator, invalid workflow spec");
    if (!w) return w.error();
    if (!w->colonyname.empty() && w->colonyname != g.colonyname)
        return bad_request("Failed to add generator, the workflow's colony <" + w->colonyname +
                           "> is not the generator's colony <" + g.colonyname + ">");
    w->colonyname = g.colonyname;
    return w;
}

// Upstream does not show these on lists and look-ups by name.
Generator without_counters(Generator g) {
    g.queuesize = 0;
    g.checkerperiod = 0;
    return g;
}

// A generator whose workflow cannot start is retried every pass: say so at most every 10 s.
void log_failed_start(const Generator& g, const std::string& why) {
    static std::atomic<int64_t> last_s{0};
    const int64_t now_s = std::chrono::duration_cast<std::chrono::seconds>(
                              std::chrono::steady_clock::now().time_since_epoch())
                              .count();
    int64_t last = last_s.load();
    if (now_s - last < 10 || !last_s.compare_exchange_strong(last, now_s)) return;
    std::cerr << format_rfc3339(Time::now()) << " generator " << g.generatorid
              << ": cannot start its workflow, arguments stay queued: " << why << std::endl;
}

// Starts up to `budget` workflows of a due generator (features.md 2.3): floor(queued / trigger)
// of `trigger` arguments each, or, timed out below the trigger, one with all of them. Returns
// how many started.
int run_generator(OpContext& ctx, const Generator& g, int budget) {
    const int64_t trigger = std::max<int64_t>(g.trigger, 1);
    const int64_t queued = g.queuesize;
    const bool by_count = queued >= trigger;
    const int64_t per_run = by_count ? trigger : queued;
    const int64_t runs = std::min<int64_t>(by_count ? queued / trigger : 1, budget);
    if (per_run < 1 || per_run > INT_MAX) return 0;
    auto w = workflow_of(g);
    if (!w) {
        log_failed_start(g, w.error().message);
        return 0;
    }
    int started = 0;
    for (int64_t i = 0; i < runs; ++i) {
        auto args = ctx.tx.generator_args(g.generatorid, static_cast<int>(per_run));
        if (static_cast<int64_t>(args.size()) < per_run) break;
        boost::json::array root_args;
        root_args.reserve(args.size());
        for (const auto& a : args) root_args.emplace_back(a.arg);
        GraphOrigin origin{g.initiatorid, g.initiatorname, std::nullopt, std::move(root_args)};
        auto graph = create_graph(ctx, *w, origin);
        if (!graph) {
            log_failed_start(g, graph.error().message);
            break;
        }
        ctx.tx.consume_generator_args(g.generatorid, static_cast<int>(per_run), ctx.now);
        ++started;
    }
    return started;
}

}  // namespace

OpResult op_add_generator(OpContext& ctx, const boost::json::object& msg) {
    auto g = required_object<Generator>(ctx, msg, "generator", generator_from_json,
                                        "Failed to add generator, msg.Generator is nil");
    if (!g) return g.error();
    if (auto s = require_member(ctx.tx, g->colonyname, ctx.caller, true, ctx.now); !s)
        return s.error();
    auto w = workflow_of(*g);
    if (!w) return w.error();
    if (auto s = check_workflow(*w); !s) return s.error();
    // Quirk (features.md 2.3): upstream accepts 0 and divides by it.
    if (g->trigger < 1) return bad_request("Failed to add generator, trigger must be at least 1");
    g->generatorid = crypto::generate_private_key();
    g->initiatorid = ctx.caller;
    g->initiatorname = initiator_name(ctx.tx, ctx.caller, g->colonyname);
    if (g->initiatorname.empty()) return internal_error("Failed to resolve initiator");
    if (ctx.tx.generator_by_name(g->colonyname, g->name))
        return bad_request("Generator with name <" + g->name + "> in Colony <" + g->colonyname +
                           "> already exists");
    g->firstpack = Time::zero();
    g->lastrun = Time::zero();
    *g = without_counters(std::move(*g));
    ctx.tx.add_generator(*g);
    return to_json(*g);
}

OpResult op_get_generator(OpContext& ctx, const boost::json::object& msg) {
    auto id = generator_id(ctx, msg);
    if (!id) return id.error();
    auto g = visible_generator(ctx, *id, "Failed to get generator, generator is nil");
    if (!g) return g.error();
    g->checkerperiod = ctx.cfg.generator_checker_period_ms;
    return to_json(*g);
}

OpResult op_get_generators(OpContext& ctx, const boost::json::object& msg) {
    JsonFields f(msg);
    auto colony = f.str("colonyname");
    auto count = f.integer("count");
    if (!f.ok()) return invalid_json(ctx);
    if (auto s = require_member(ctx.tx, colony, ctx.caller, true, ctx.now); !s) return s.error();
    boost::json::array out;
    if (count <= 0) return boost::json::value(std::move(out));
    for (auto& g : ctx.tx.generators(colony, static_cast<int>(std::min<int64_t>(count, INT_MAX))))
        out.push_back(to_json(without_counters(std::move(g))));
    return boost::json::value(std::move(out));
}

OpResult op_resolve_generator(OpContext& ctx, const boost::json::object& msg) {
    JsonFields f(msg);
    auto colony = f.str("colonyname");
    auto name = f.str("generatorname");
    if (!f.ok()) return invalid_json(ctx);
    auto g = ctx.tx.generator_by_name(colony, name);
    if (!g) return internal_error("Failed to resolve generator, generator is nil");
    if (auto s = require_member(ctx.tx, g->colonyname, ctx.caller, true, ctx.now); !s)
        return s.error();
    return to_json(without_counters(std::move(*g)));
}

OpResult op_pack_generator(OpContext& ctx, const boost::json::object& msg) {
    JsonFields f(msg);
    auto id = f.str("generatorid");
    auto arg = f.str("arg");
    if (!f.ok()) return invalid_json(ctx);
    auto g = visible_generator(ctx, id, "Failed to increment generator, generator is nil");
    if (!g) return g.error();
    ctx.tx.pack_generator(
        GeneratorArg{crypto::generate_private_key(), g->generatorid, g->colonyname, arg}, ctx.now);
    return empty_reply();
}

OpResult op_remove_generator(OpContext& ctx, const boost::json::object& msg) {
    auto id = generator_id(ctx, msg);
    if (!id) return id.error();
    auto g = visible_generator(ctx, *id, "Failed to remove generator, generator is nil");
    if (!g) return g.error();
    ctx.tx.remove_generator(g->generatorid);
    return empty_reply();
}

int run_generators(OpContext& ctx) {
    int budget = kWorkflowsPerPass;
    for (const auto& g : ctx.tx.due_generators(ctx.now, budget)) {
        if (budget <= 0) break;
        budget -= run_generator(ctx, g, budget);
    }
    return kWorkflowsPerPass - budget;
}

}  // namespace colonies::services
