// Blueprint messages (protocol.md 5.14, features.md 6): definitions, blueprints, their history,
// status reports and reconciliation. Everything a message changes (the blueprint, its history,
// an auto-created location, the reconcile cron, the reconciliation process) commits together;
// upstream writes them one by one and undoes some by hand when a later step fails.
#include <cstdint>

#include "core/blueprint.hpp"
#include "core/json.hpp"
#include "core/json_schema.hpp"
#include "crypto/crypto.hpp"
#include "services/auth.hpp"
#include "services/colonies_ops.hpp"
#include "services/crons.hpp"
#include "services/op_util.hpp"

namespace colonies::services {
namespace {

// The cron's period when the definition names none (upstream's fixed value, features.md 6.5).
constexpr int64_t kDefaultReconcileSeconds = 60;

// Upstream lets a member or, failing that, the colony owner in; the refusal is the owner's.
Status member_or_owner(OpContext& ctx, const std::string& colony) {
    if (require_member(ctx.tx, colony, ctx.caller, true, ctx.now)) return ok_status();
    return require_colony_owner(ctx.tx, colony, ctx.caller);
}

struct Names {
    std::string colony;
    std::string name;
};
Result<Names> names_of(const OpContext& ctx, const boost::json::object& msg, const char* colony_key,
                       const char* name_key) {
    JsonFields f(msg);
    Names n{f.str(colony_key), f.str(name_key)};
    if (!f.ok()) return invalid_json(ctx);
    return n;
}

// A version 4 UUID, as upstream's history ids.
std::string uuid4() {
    std::string h = crypto::generate_private_key();
    h[12] = '4';
    h[16] = "89ab"[(h[16] - '0') & 3];
    return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
           "-" + h.substr(20, 12);
}

void add_history(OpContext& ctx, const Blueprint& b, const char* change) {
    BlueprintHistory h;
    h.historyid = uuid4();
    h.blueprintid = b.blueprintid;
    h.kind = b.kind;
    h.namespace_ = b.metadata.colonyname;
    h.name = b.metadata.name;
    h.generation = b.metadata.generation;
    h.spec = b.spec;
    h.status = b.status;
    h.timestamp = ctx.now;
    h.changedby = ctx.caller;
    h.changetype = change;
    ctx.tx.add_blueprint_history(h, b.metadata.colonyname);
}

// The function spec of every reconciliation process and of the cron's workflow (features.md
// 6.5 step 7): upstream's empty spec (no time limits, no retries) aimed at the handler's
// executors at the blueprint's location.
FunctionSpec handler_spec(const std::string& colony, const std::string& executortype,
                          const std::string& funcname, const std::string& nodename,
                          const std::string& location, boost::json::object kwargs) {
    FunctionSpec s;
    s.nodename = nodename;
    s.funcname = funcname;
    s.conditions.colonyname = colony;
    s.conditions.executortype = executortype;
    s.conditions.locationname = location;
    s.kwargs = std::move(kwargs);
    s.maxexectime = -1;
    s.maxretries = -1;
    return s;
}

FunctionSpec reconcile_spec(const Blueprint& b, const BlueprintDefinition& d,
                            boost::json::object kwargs) {
    const auto& h = d.handler;
    return handler_spec(b.metadata.colonyname, h.executorType, h.functionName,
                        h.executorType + "-" + h.functionName, b.metadata.locationname,
                        std::move(kwargs));
}

bool has_handler(const BlueprintDefinition& d) {
    return !d.handler.executorType.empty() && !d.handler.functionName.empty();
}

// The per-kind-and-location cron (features.md 1.6, 6.5), created when missing.
Status ensure_reconcile_cron(OpContext& ctx, const Blueprint& b, const BlueprintDefinition& d,
                             const std::string& initiatorname) {
    const auto& colony = b.metadata.colonyname;
    const auto name = reconcile_cron_name(b.kind, b.metadata.locationname);
    if (ctx.tx.cron_by_name(colony, name)) return ok_status();
    WorkflowSpec w;
    w.colonyname = colony;
    w.functionspecs.push_back(reconcile_spec(b, d, boost::json::object{{"kind", b.kind}}));
    Cron c;
    c.cronid = crypto::generate_private_key();
    c.colonyname = colony;
    c.name = name;
    // Ours: a definition's reconcileInterval sets the period (upstream ignores it).
    c.interval =
        d.handler.reconcileInterval > 0 ? d.handler.reconcileInterval : kDefaultReconcileSeconds;
    c.waitforprevprocessgraph = true;
    c.workflowspec = to_text(to_json(w));
    c.initiatorid = ctx.caller;
    c.initiatorname = initiatorname;
    auto first = first_due(c, ctx.now, 0);
    if (!first)
        return internal_error("failed to create reconciliation cron: " + first.error().message);
    set_next_run(c, *first);
    ctx.tx.add_cron(c);
    ctx.fx.log.push_back("Blueprint reconciliation cron created: name=" + name +
                         " colonyname=" + colony + " interval=" + std::to_string(c.interval));
    return ok_status();
}

// Definition of the blueprint's kind and the schema check (6.5 step 2, 6.6 step 1).
Result<BlueprintDefinition> checked_definition(OpContext& ctx, const Blueprint& b) {
    if (b.kind.empty()) return bad_request("blueprint kind is required");
    auto d = ctx.tx.blueprint_definition_by_kind(b.metadata.colonyname, b.kind);
    if (!d)
        return bad_request("BlueprintDefinition for kind '" + b.kind +
                           "' not found in namespace '" + b.metadata.colonyname + "'");
    if (d->schema)
        if (auto v = schema_violation(*d->schema, b.spec))
            return bad_request("blueprint validation failed: " + *v);
    return std::move(*d);
}

// 6.5 step 4: a location the blueprint names comes into being with it.
void ensure_location(OpContext& ctx, const Blueprint& b) {
    const auto& m = b.metadata;
    if (m.locationname.empty() || ctx.tx.location(m.colonyname, m.locationname)) return;
    Location l;
    l.locationid = crypto::generate_private_key();
    l.name = m.locationname;
    l.colonyname = m.colonyname;
    l.description = "Auto-created from blueprint " + m.name;
    ctx.tx.add_location(l);
}

Result<Blueprint> blueprint_in(const OpContext& ctx, const boost::json::object& msg,
                               const std::string& nil_message) {
    return required_object<Blueprint>(ctx, msg, "blueprint", blueprint_from_json, nil_message);
}

}  // namespace

OpResult op_add_blueprint_definition(OpContext& ctx, const boost::json::object& msg) {
    auto d = required_object<BlueprintDefinition>(
        ctx, msg, "blueprintdefinition", blueprint_definition_from_json,
        "Failed to add blueprint definition, blueprint definition is nil");
    if (!d) return d.error();
    const auto& colony = d->metadata.colonyname;
    if (auto s = require_colony_owner(ctx.tx, colony, ctx.caller); !s) return s.error();
    if (d->blueprintdefinitionid.empty()) d->blueprintdefinitionid = crypto::generate_private_key();
    // Upstream answers a taken name with its database's 500; the CLI looks for these words.
    if (!ctx.tx.add_blueprint_definition(*d))
        return internal_error(
            "duplicate key value violates unique constraint: BlueprintDefinition "
            "with name '" +
            d->metadata.name + "' already exists in colony '" + colony + "'");
    return to_json(*d);
}

OpResult op_get_blueprint_definition(OpContext& ctx, const boost::json::object& msg) {
    auto n = names_of(ctx, msg, "colonyname", "name");
    if (!n) return n.error();
    if (auto s = member_or_owner(ctx, n->colony); !s) return s.error();
    auto d = ctx.tx.blueprint_definition(n->colony, n->name);
    if (!d) return not_found("Blueprint definition not found");
    return to_json(*d);
}

OpResult op_get_blueprint_definitions(OpContext& ctx, const boost::json::object& msg) {
    JsonFields f(msg);
    auto colony = f.str("colonyname");
    if (!f.ok()) return invalid_json(ctx);
    if (auto s = member_or_owner(ctx, colony); !s) return s.error();
    return to_json(ctx.tx.blueprint_definitions(colony));
}

OpResult op_remove_blueprint_definition(OpContext& ctx, const boost::json::object& msg) {
    auto n = names_of(ctx, msg, "namespace", "name");
    if (!n) return n.error();
    if (auto s = require_colony_owner(ctx.tx, n->colony, ctx.caller); !s) return s.error();
    auto d = ctx.tx.blueprint_definition(n->colony, n->name);
    if (!d)
        return not_found("BlueprintDefinition '" + n->name + "' not found in namespace '" +
                         n->colony + "'");
    if (auto used = ctx.tx.count_blueprints(n->colony, d->names_kind); used > 0)
        return conflict("cannot remove BlueprintDefinition '" + n->name +
                        "': " + std::to_string(used) + " blueprint(s) of kind '" + d->names_kind +
                        "' still exist");
    ctx.tx.remove_blueprint_definition(n->colony, n->name);
    return empty_reply();
}

OpResult op_add_blueprint(OpContext& ctx, const boost::json::object& msg) {
    auto b = blueprint_in(ctx, msg, "Failed to add blueprint, blueprint is nil");
    if (!b) return b.error();
    const std::string colony = b->metadata.colonyname;
    if (auto s = member_or_owner(ctx, colony); !s) return s.error();
    if (b->blueprintid.empty()) b->blueprintid = crypto::generate_private_key();
    auto d = checked_definition(ctx, *b);
    if (!d) return d.error();
    if (ctx.tx.blueprint(colony, b->metadata.name))
        return conflict("blueprint with name '" + b->metadata.name +
                        "' already exists in colony '" + colony + "'");
    ensure_location(ctx, *b);
    if (!ctx.tx.add_blueprint(*b))
        return internal_error("duplicate key value violates unique constraint: blueprint id " +
                              b->blueprintid);
    add_history(ctx, *b, "create");
    if (has_handler(*d)) {
        // The colony owner has no name to start processes under; upstream goes on with "".
        const auto initiator = initiator_name(ctx.tx, ctx.caller, colony);
        if (auto s = ensure_reconcile_cron(ctx, *b, *d, initiator); !s) return s.error();
        auto kwargs = boost::json::object{{"kind", b->kind}, {"blueprintName", b->metadata.name}};
        auto p = submit_spec(ctx, reconcile_spec(*b, *d, std::move(kwargs)), ctx.caller, initiator);
        if (!p)
            return internal_error(
                "blueprint created but failed to submit reconciliation process: " +
                p.error().message);
    }
    return to_json(*b);
}

OpResult op_get_blueprint(OpContext& ctx, const boost::json::object& msg) {
    auto n = names_of(ctx, msg, "namespace", "name");
    if (!n) return n.error();
    if (auto s = member_or_owner(ctx, n->colony); !s) return s.error();
    auto b = ctx.tx.blueprint(n->colony, n->name);
    if (!b) return not_found("Blueprint not found");
    return to_json(*b);
}

OpResult op_get_blueprints(OpContext& ctx, const boost::json::object& msg) {
    JsonFields f(msg);
    auto colony = f.str("namespace");
    auto kind = f.str("kind");
    auto location = f.str("locationname");
    if (!f.ok()) return invalid_json(ctx);
    if (auto s = member_or_owner(ctx, colony); !s) return s.error();
    std::optional<std::string> at;
    if (!location.empty()) at = location;
    return to_json(ctx.tx.blueprints(colony, kind, at));
}

OpResult op_update_blueprint(OpContext& ctx, const boost::json::object& msg) {
    auto b = blueprint_in(ctx, msg, "Failed to update blueprint, blueprint is nil");
    if (!b) return b.error();
    JsonFields f(msg);
    const bool force = f.boolean("forcegeneration");
    if (!f.ok()) return invalid_json(ctx);
    const std::string colony = b->metadata.colonyname;
    if (auto s = member_or_owner(ctx, colony); !s) return s.error();
    auto old = ctx.tx.blueprint(colony, b->metadata.name, /*lock=*/true);
    if (!old)
        return not_found("blueprint '" + b->metadata.name + "' not found in namespace '" + colony +
                         "'");
    auto d = checked_definition(ctx, *b);
    if (!d) return d.error();
    b->blueprintid = old->blueprintid;
    const bool bump = force || !diff_blueprints(*old, *b).spec.empty();
    b->metadata.generation = old->metadata.generation + (bump ? 1 : 0);
    ctx.tx.save_blueprint(*b);
    if (bump) {
        add_history(ctx, *b, "update");
        // Upstream only logs a failure to start the reconciliation.
        if (has_handler(*d)) {
            auto kwargs =
                boost::json::object{{"kind", b->kind}, {"blueprintName", b->metadata.name}};
            auto p = submit_spec(ctx, reconcile_spec(*b, *d, std::move(kwargs)), ctx.caller,
                                 initiator_name(ctx.tx, ctx.caller, colony));
            if (!p)
                ctx.fx.log.push_back("Blueprint reconciliation not submitted: " +
                                     p.error().message);
        }
    }
    return to_json(*b);
}

OpResult op_remove_blueprint(OpContext& ctx, const boost::json::object& msg) {
    auto n = names_of(ctx, msg, "namespace", "name");
    if (!n) return n.error();
    if (auto s = member_or_owner(ctx, n->colony); !s) return s.error();
    auto b = ctx.tx.blueprint(n->colony, n->name, /*lock=*/true);
    if (!b) return not_found("Blueprint not found");
    ctx.tx.remove_blueprint(b->blueprintid);
    const auto& location = b->metadata.locationname;
    if (ctx.tx.blueprints(n->colony, b->kind, location).empty())
        if (auto c = ctx.tx.cron_by_name(n->colony, reconcile_cron_name(b->kind, location)))
            ctx.tx.remove_cron(c->cronid);
    // The reconcilers remove what they made for it; the blueprint is gone, so they find their
    // resources by its name.
    auto d = ctx.tx.blueprint_definition_by_kind(n->colony, b->kind);
    if (d && !d->handler.executorType.empty()) {
        const auto& type = d->handler.executorType;
        auto kwargs = boost::json::object{{"blueprintName", b->metadata.name}, {"kind", b->kind}};
        auto spec = handler_spec(n->colony, type, "cleanup", type + "-cleanup", location,
                                 std::move(kwargs));
        auto p = submit_spec(ctx, std::move(spec), ctx.caller,
                             initiator_name(ctx.tx, ctx.caller, n->colony));
        if (!p) ctx.fx.log.push_back("Blueprint cleanup not submitted: " + p.error().message);
    }
    return empty_reply();
}

OpResult op_get_blueprint_history(OpContext& ctx, const boost::json::object& msg) {
    JsonFields f(msg);
    auto id = f.str("blueprintid");
    auto limit = f.integer("limit");
    if (!f.ok()) return invalid_json(ctx);
    auto b = ctx.tx.blueprint_by_id(id);
    if (!b) return not_found("Blueprint not found");
    if (auto s = member_or_owner(ctx, b->metadata.colonyname); !s) return s.error();
    const int n = limit > 0 && limit < INT32_MAX ? static_cast<int>(limit) : 0;
    return to_json(ctx.tx.blueprint_history(id, n));
}

OpResult op_update_blueprint_status(OpContext& ctx, const boost::json::object& msg) {
    JsonFields f(msg);
    auto colony = f.str("colonyname");
    auto name = f.str("blueprintname");
    const boost::json::object* status = f.object("status");
    if (!f.ok()) return invalid_json(ctx);
    if (auto s = require_member(ctx.tx, colony, ctx.caller, true, ctx.now); !s) return s.error();
    auto b = ctx.tx.blueprint(colony, name, /*lock=*/true);
    if (!b) return not_found("Blueprint not found");
    b->status = status ? *status : boost::json::object{};
    ctx.tx.save_blueprint(*b);
    return empty_reply();
}

OpResult op_reconcile_blueprint(OpContext& ctx, const boost::json::object& msg) {
    auto n = names_of(ctx, msg, "namespace", "name");
    if (!n) return n.error();
    JsonFields f(msg);
    const bool force = f.boolean("force");
    if (!f.ok()) return invalid_json(ctx);
    if (auto s = require_member(ctx.tx, n->colony, ctx.caller, true, ctx.now); !s) return s.error();
    auto b = ctx.tx.blueprint(n->colony, n->name, /*lock=*/true);
    if (!b) return not_found("Blueprint not found");
    if (force) {
        ++b->metadata.generation;
        ctx.tx.save_blueprint(*b);
    }
    const auto initiator = initiator_name(ctx.tx, ctx.caller, n->colony);
    if (initiator.empty()) return internal_error("Could not derive InitiatorName");
    auto d = ctx.tx.blueprint_definition_by_kind(n->colony, b->kind);
    if (!d || d->handler.executorType.empty())
        return bad_request("Blueprint has no handler with executor type defined");
    if (d->handler.functionName.empty())
        return bad_request("Blueprint has no handler with function name defined");
    boost::json::object kwargs{{"kind", b->kind}, {"blueprintName", b->metadata.name}};
    if (force) kwargs["force"] = true;
    auto p = submit_spec(ctx, reconcile_spec(*b, *d, std::move(kwargs)), ctx.caller, initiator);
    if (!p) return p.error();
    return to_json(*p);
}

}  // namespace colonies::services
