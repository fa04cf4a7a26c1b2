// `colonies blueprint ...` (cli.md 3.19): definitions (colony owner key) and blueprints
// (COLONIES_PRVKEY), files in JSON or YAML; plus our `status` and `diff`.
#include <algorithm>
#include <iostream>
#include <memory>

#include "cli/blueprint_commands.hpp"
#include "cli/doc_file.hpp"
#include "cli/output.hpp"
#include "client/blueprints.hpp"
#include "core/json.hpp"
#include "core/json_text.hpp"

namespace colonies::cli {
namespace {

namespace json = boost::json;

BlueprintDefinition read_definition(const std::string& path, const std::string& colony) {
    auto d = blueprint_definition_from_json(read_document_file(path));
    if (!d) throw CliError("Failed to parse " + path + ": " + d.error().message);
    if (d->metadata.colonyname.empty()) d->metadata.colonyname = colony;
    return std::move(*d);
}

Blueprint read_blueprint(const std::string& path, const std::string& colony) {
    auto b = blueprint_from_json(read_document_file(path));
    if (!b) throw CliError("Failed to parse " + path + ": " + b.error().message);
    if (b->metadata.colonyname.empty()) b->metadata.colonyname = colony;
    return std::move(*b);
}

std::string text_of(const json::value& v) {
    if (v.is_string()) return std::string(v.get_string());
    std::string s = json::serialize(v);
    return s.size() > 60 ? s.substr(0, 57) + "..." : s;
}

void def_add(const Context& ctx, const std::string& spec) {
    const std::string colony = ctx.need_colony();
    auto d = read_definition(spec, colony);
    auto c = ctx.client();
    auto added = client::add_blueprint_definition(c, d, ctx.need_colony_prvkey());
    if (!added && added.error().message.find("duplicate key") != std::string::npos)
        throw CliError("BlueprintDefinition with name '" + d.metadata.name +
                       "' already exists in colony '" + d.metadata.colonyname + "'");
    auto a = check(std::move(added));
    log_info("BlueprintDefinition added", {{"BlueprintDefinitionID", a.blueprintdefinitionid},
                                           {"Name", a.metadata.name},
                                           {"Kind", a.names_kind},
                                           {"Group", a.group},
                                           {"Version", a.version},
                                           {"ColonyName", a.metadata.colonyname}});
}

void def_get(const Context& ctx, const std::string& name) {
    auto c = ctx.client();
    auto d = check(client::get_blueprint_definition(c, ctx.need_colony(), name, ctx.need_prvkey()));
    log_info("BlueprintDefinition retrieved");
    if (ctx.json) return print_json(to_json(d));
    KeyValueTable t("BlueprintDefinition");
    t.add("Name", d.metadata.name);
    t.add("ID", d.blueprintdefinitionid);
    t.add("Kind", d.names_kind);
    t.add("Plural", d.names_plural);
    t.add("Group", d.group);
    t.add("Version", d.version);
    t.add("Scope", d.scope);
    t.print();
    KeyValueTable h("Handler");
    h.add("Executor Type", d.handler.executorType);
    h.add("Function Name", d.handler.functionName);
    if (d.handler.reconcileInterval > 0)
        h.add("Reconcile Interval", std::to_string(d.handler.reconcileInterval) + " seconds");
    h.print();
    if (!d.schema) return;
    const auto* props = d.schema->if_contains("properties");
    Table p({"Field", "Type", "Description"}, "Schema Properties");
    if (props && props->is_object())
        for (const auto& kv : props->get_object()) {
            const auto& o = kv.value().as_object();
            auto field = [&](const char* k) {
                const auto* v = o.if_contains(k);
                return v ? text_of(*v) : std::string();
            };
            p.add_row({std::string(kv.key()), field("type"), field("description")});
        }
    if (!p.empty()) p.print();
}

void def_ls(const Context& ctx) {
    auto c = ctx.client();
    const std::string colony = ctx.need_colony();
    auto all = check(client::get_blueprint_definitions(c, colony, ctx.need_prvkey()));
    if (ctx.json) return print_json(to_json(all));
    if (all.empty()) return log_info("No blueprint definitions found");
    log_info("BlueprintDefinitions retrieved",
             {{"Count", std::to_string(all.size())}, {"ColonyName", colony}});
    std::sort(all.begin(), all.end(),
              [](const auto& a, const auto& b) { return a.metadata.name > b.metadata.name; });
    Table t({"Name", "Kind", "FunctionName"});
    for (const auto& d : all) t.add_row({d.metadata.name, d.names_kind, d.handler.functionName});
    t.print();
}

void def_remove(const Context& ctx, const std::string& name) {
    auto c = ctx.client();
    check(
        client::remove_blueprint_definition(c, ctx.need_colony(), name, ctx.need_colony_prvkey()));
    log_info("BlueprintDefinition removed", {{"Name", name}});
}

void bp_add(const Context& ctx, const std::string& spec) {
    auto b = read_blueprint(spec, ctx.need_colony());
    auto c = ctx.client();
    auto a = check(client::add_blueprint(c, b, ctx.need_prvkey()));
    if (ctx.json) return print_json(to_json(a));
    log_info("Blueprint added", {{"BlueprintID", a.blueprintid},
                                 {"Name", a.metadata.name},
                                 {"Kind", a.kind},
                                 {"Namespace", a.metadata.colonyname}});
}

void print_blueprint(const Blueprint& b) {
    KeyValueTable t("Blueprint");
    t.add("Name", b.metadata.name);
    t.add("ID", b.blueprintid);
    t.add("Kind", b.kind);
    t.add("Generation", std::to_string(b.metadata.generation));
    if (!b.metadata.locationname.empty()) t.add("Location", b.metadata.locationname);
    if (!b.metadata.createdAt.is_zero()) t.add("Created At", table_time(b.metadata.createdAt));
    if (!b.metadata.updatedAt.is_zero()) t.add("Updated At", table_time(b.metadata.updatedAt));
    t.print();
    if (!b.metadata.labels.empty()) {
        KeyValueTable l("Labels");
        for (const auto& [k, v] : b.metadata.labels) l.add(k, v);
        l.print();
    }
    KeyValueTable s("Spec");
    for (const auto& kv : b.spec) s.add(std::string(kv.key()), text_of(kv.value()));
    if (!s.empty()) s.print();
    KeyValueTable st("Status");
    for (const auto& kv : b.status)
        if (kv.key() != "instances") st.add(std::string(kv.key()), text_of(kv.value()));
    if (!st.empty()) st.print();
    const auto* inst = b.status.if_contains("instances");
    if (!inst || !inst->is_array() || inst->get_array().empty()) return;
    Table i({"Name", "ID", "Type", "State", "Image", "Last Check"}, "Instances");
    for (const auto& e : inst->get_array()) {
        if (!e.is_object()) continue;
        auto f = [&](const char* k) {
            const auto* v = e.get_object().if_contains(k);
            return v ? text_of(*v) : std::string();
        };
        i.add_row({f("name"), f("id"), f("type"), f("state"), f("image"), f("lastCheck")});
    }
    i.print();
}

void bp_get(const Context& ctx, const std::string& name) {
    auto c = ctx.client();
    auto b = check(client::get_blueprint(c, ctx.need_colony(), name, ctx.need_prvkey()));
    log_info("Blueprint retrieved");
    if (ctx.json) return print_json(to_json(b));
    print_blueprint(b);
}

void bp_status(const Context& ctx, const std::string& name) {
    auto c = ctx.client();
    auto b = check(client::get_blueprint(c, ctx.need_colony(), name, ctx.need_prvkey()));
    if (ctx.json) return print_json(json::value(b.status));
    if (b.status.empty()) return log_info("No status reported yet", {{"Name", name}});
    KeyValueTable st("Status");
    for (const auto& kv : b.status)
        if (kv.key() != "instances") st.add(std::string(kv.key()), text_of(kv.value()));
    st.print();
}

// Replicas of an ExecutorDeployment as `blueprint ls` counts them (cli.md 3.19).
void replica_cells(const Blueprint& b, const std::vector<Executor>& executors, std::string& reps,
                   std::string& old) {
    reps = "-";
    old = "-";
    if (b.kind != "ExecutorDeployment") return;
    const auto* r = b.spec.if_contains("replicas");
    if (!r || !r->is_number()) {
        reps = "n/a";
        return;
    }
    int running = 0, older = 0;
    for (const auto& e : executors) {
        if (e.blueprintid != b.blueprintid || e.state != ExecutorState::Approved) continue;
        if (e.blueprintgen == b.metadata.generation) ++running;
        if (e.blueprintgen < b.metadata.generation) ++older;
    }
    const double desired = r->to_number<double>();
    reps = std::to_string(running) + "/" +
           std::to_string(desired > 0 ? static_cast<int64_t>(desired) : int64_t{0});
    if (older > 0) old = std::to_string(older);
}

void bp_ls(const Context& ctx, const std::string& kind, const std::string& location) {
    auto c = ctx.client();
    const std::string colony = ctx.need_colony();
    const std::string key = ctx.need_prvkey();
    auto all = check(client::get_blueprints(c, colony, kind, location, key));
    if (ctx.json) return print_json(to_json(all));
    if (all.empty()) return log_info("No blueprints found");
    log_info("Blueprints retrieved");
    auto defs = client::get_blueprint_definitions(c, colony, key);
    auto executors = c.get_executors(colony, key);
    std::sort(all.begin(), all.end(),
              [](const auto& a, const auto& b) { return a.metadata.name > b.metadata.name; });
    Table t({"Name", "Kind", "Location", "Executor Type", "Replicas", "OldGen", "Gen"});
    for (const auto& b : all) {
        std::string type = "-";
        if (defs)
            for (const auto& d : *defs)
                if (d.names_kind == b.kind && !d.handler.executorType.empty())
                    type = d.handler.executorType;
        std::string reps, old;
        replica_cells(b, executors ? *executors : std::vector<Executor>{}, reps, old);
        t.add_row({b.metadata.name, b.kind,
                   b.metadata.locationname.empty() ? "-" : b.metadata.locationname, type, reps, old,
                   std::to_string(b.metadata.generation)});
    }
    t.print();
}

void bp_update(const Context& ctx, const std::string& spec, bool force) {
    auto b = read_blueprint(spec, ctx.need_colony());
    auto c = ctx.client();
    auto u = check(client::update_blueprint(c, b, force, ctx.need_prvkey()));
    if (ctx.json) return print_json(to_json(u));
    log_info("Blueprint updated", {{"BlueprintID", u.blueprintid},
                                   {"Name", u.metadata.name},
                                   {"Kind", u.kind},
                                   {"Generation", std::to_string(u.metadata.generation)}});
}

struct SetFlags {
    std::string name, key, value;
};

// cli.md 3.19 `blueprint set`: a dot path into spec whose every component exists.
void bp_set(const Context& ctx, const SetFlags& f) {
    auto c = ctx.client();
    const std::string colony = ctx.need_colony();
    const std::string key = ctx.need_prvkey();
    auto b = check(client::get_blueprint(c, colony, f.name, key));
    std::string path = f.key.rfind("spec.", 0) == 0 ? f.key.substr(5) : f.key;
    json::object* at = &b.spec;
    std::string rest = path;
    for (auto dot = rest.find('.'); dot != std::string::npos; dot = rest.find('.')) {
        const std::string part = rest.substr(0, dot);
        auto* next = at->if_contains(part);
        if (!next)
            throw CliError("Invalid key path: '" + f.key + "' (field '" + part +
                           "' does not exist in blueprint spec)");
        if (!next->is_object())
            throw CliError("Invalid key path: '" + f.key +
                           "' (cannot navigate through non-object at '" + part + "')");
        at = &next->as_object();
        rest = rest.substr(dot + 1);
    }
    if (!at->contains(rest))
        throw CliError("Invalid key: '" + f.key + "' (field '" + rest +
                       "' does not exist in blueprint spec)");
    boost::system::error_code ec;
    auto parsed = read_json_text(f.value, ec);
    (*at)[rest] = ec ? json::value(f.value) : parsed;
    check(client::update_blueprint(c, b, false, key));
    log_info("Blueprint field updated", {{"Name", f.name}, {"Key", f.key}, {"Value", f.value}});
    auto p = client::reconcile_blueprint(c, colony, f.name, false, key);
    if (p)
        log_info("Reconciliation triggered", {{"ProcessID", p->processid}});
    else
        log_warn("Failed to trigger reconciliation", {{"Error", p.error().message}});
}

void bp_remove(const Context& ctx, const std::string& name) {
    auto c = ctx.client();
    check(client::remove_blueprint(c, ctx.need_colony(), name, ctx.need_prvkey()));
    log_info("Blueprint removed", {{"Name", name}});
}

void bp_reconcile(const Context& ctx, const std::string& name, bool force) {
    auto c = ctx.client();
    auto p =
        check(client::reconcile_blueprint(c, ctx.need_colony(), name, force, ctx.need_prvkey()));
    log_info("Submitted reconciliation process", {{"ProcessID", p.processid}});
    std::cout << "Reconciliation process submitted: " << p.processid << "\n"
              << "Use 'colonies log get -p " << p.processid << "' to view progress\n";
}

void bp_history(const Context& ctx, const std::string& name, int limit, int64_t generation) {
    auto c = ctx.client();
    const std::string colony = ctx.need_colony();
    const std::string key = ctx.need_prvkey();
    auto b = check(client::get_blueprint(c, colony, name, key));
    auto h = check(client::get_blueprint_history(c, b.blueprintid, limit > 0 ? limit : 20, key));
    if (generation >= 0) {
        auto it = std::find_if(h.begin(), h.end(),
                               [&](const auto& e) { return e.generation == generation; });
        if (it == h.end())
            throw CliError("Generation " + std::to_string(generation) + " not found in history");
        if (ctx.json) return print_json(to_json(*it));
        KeyValueTable t("Blueprint History - Generation " + std::to_string(generation));
        t.add("Blueprint ID", it->blueprintid);
        t.add("Kind", it->kind);
        t.add("Name", it->name);
        t.add("Namespace", it->namespace_);
        t.add("Generation", std::to_string(it->generation));
        t.add("Timestamp", table_time(it->timestamp));
        t.add("Change Type", it->changetype);
        t.add("Changed By", it->changedby);
        t.print();
        KeyValueTable s("Spec");
        for (const auto& kv : it->spec) s.add(std::string(kv.key()), text_of(kv.value()));
        if (!s.empty()) s.print();
        return;
    }
    if (ctx.json) return print_json(to_json(h), false);
    if (h.empty()) return log_info("No history found for this blueprint");
    auto executors = c.get_executors(colony, key);
    Table t({"Generation", "Timestamp", "Change Type", "Changed By"});
    std::stable_sort(h.begin(), h.end(),
                     [](const auto& a, const auto& b) { return a.generation > b.generation; });
    for (const auto& e : h) {
        std::string by = e.changedby.substr(0, 12);
        if (executors)
            for (const auto& x : *executors)
                if (x.executorid == e.changedby) by = "executor: " + x.executorname;
        t.add_row({std::to_string(e.generation), table_time(e.timestamp), e.changetype, by});
    }
    t.print();
}

// Ours: what `blueprint update --spec <file>` would change (features.md 6.10).
void bp_diff(const Context& ctx, const std::string& name, const std::string& spec) {
    auto c = ctx.client();
    const std::string colony = ctx.need_colony();
    auto stored = check(client::get_blueprint(c, colony, name, ctx.need_prvkey()));
    auto wanted = read_blueprint(spec, colony);
    auto d = diff_blueprints(stored, wanted);
    if (ctx.json) return print_json(to_json(d));
    if (!d.has_changes()) return log_info("No changes", {{"Name", name}});
    Table t({"Path", "Change", "Old", "New"});
    for (const auto* list : {&d.spec, &d.status, &d.metadata})
        for (const auto& ch : *list)
            t.add_row({ch.path, ch.type, ch.oldValue.is_null() ? "" : text_of(ch.oldValue),
                       ch.newValue.is_null() ? "" : text_of(ch.newValue)});
    t.print();
    log_info(d.spec.empty() ? "The generation would stay" : "The generation would go up",
             {{"Generation", std::to_string(stored.metadata.generation)}});
}

std::shared_ptr<std::string> name_option(CLI::App* cmd) {
    auto name = std::make_shared<std::string>();
    cmd->add_option("--name", *name, "name")->required();
    return name;
}

std::shared_ptr<std::string> spec_option(CLI::App* cmd) {
    auto spec = std::make_shared<std::string>();
    cmd->add_option("--spec", *spec, "JSON or YAML file")->required();
    return spec;
}

void add_definition_commands(CLI::App* bp, Ctx ctx) {
    auto* def = bp->add_subcommand("definition", "Manage blueprint definitions (kinds)");
    def->require_subcommand(1);
    auto* add = def->add_subcommand("add", "Add a blueprint definition (colony owner key)");
    auto spec = spec_option(add);
    add->callback([ctx, spec] { def_add(*ctx, *spec); });
    auto* get = def->add_subcommand("get", "Show a blueprint definition");
    auto gname = name_option(get);
    get->callback([ctx, gname] { def_get(*ctx, *gname); });
    def->add_subcommand("ls", "List blueprint definitions")->callback([ctx] { def_ls(*ctx); });
    auto* rm = def->add_subcommand("remove", "Remove a blueprint definition (colony owner key)");
    auto rname = name_option(rm);
    rm->callback([ctx, rname] { def_remove(*ctx, *rname); });
}

}  // namespace

void add_blueprint_commands(CLI::App& app, Ctx ctx) {
    auto* bp = app.add_subcommand("blueprint", "Manage blueprints (declarative resources)");
    bp->require_subcommand(1);
    add_definition_commands(bp, ctx);

    auto* add = bp->add_subcommand("add", "Add a blueprint");
    auto aspec = spec_option(add);
    add->callback([ctx, aspec] { bp_add(*ctx, *aspec); });
    auto* get = bp->add_subcommand("get", "Show a blueprint");
    auto gname = name_option(get);
    get->callback([ctx, gname] { bp_get(*ctx, *gname); });
    auto* ls = bp->add_subcommand("ls", "List blueprints");
    auto kind = std::make_shared<std::string>();
    auto location = std::make_shared<std::string>();
    ls->add_option("--kind", *kind, "only this kind");
    ls->add_option("--location", *location, "only at this location (with --kind)");
    ls->callback([ctx, kind, location] { bp_ls(*ctx, *kind, *location); });
    auto* update = bp->add_subcommand("update", "Replace a blueprint with a file's");
    auto uspec = spec_option(update);
    auto uforce = std::make_shared<bool>(false);
    update->add_flag("--force", *uforce, "raise the generation even without a spec change");
    update->callback([ctx, uspec, uforce] { bp_update(*ctx, *uspec, *uforce); });
    auto* set = bp->add_subcommand("set", "Change one spec field and reconcile");
    auto sf = std::make_shared<SetFlags>();
    set->add_option("--name", sf->name, "blueprint name")->required();
    set->add_option("--key", sf->key, "dot path in spec, e.g. replicas")->required();
    set->add_option("--value", sf->value, "new value (JSON, else a string)")->required();
    set->callback([ctx, sf] { bp_set(*ctx, *sf); });
    auto* rm = bp->add_subcommand("remove", "Remove a blueprint");
    auto rname = name_option(rm);
    rm->callback([ctx, rname] { bp_remove(*ctx, *rname); });
    auto* st = bp->add_subcommand("status", "Show the status a reconciler reported");
    auto sname = name_option(st);
    st->callback([ctx, sname] { bp_status(*ctx, *sname); });
    auto* rec = bp->add_subcommand("reconcile", "Submit a reconciliation process");
    auto cname = name_option(rec);
    auto force = std::make_shared<bool>(false);
    rec->add_flag("-f,--force", *force, "recreate everything");
    rec->callback([ctx, cname, force] { bp_reconcile(*ctx, *cname, *force); });
    auto* hist = bp->add_subcommand("history", "Show a blueprint's changes");
    auto hname = name_option(hist);
    auto limit = std::make_shared<int>(0);
    auto gen = std::make_shared<int64_t>(-1);
    hist->add_option("-l,--limit", *limit, "entries (default 20)");
    hist->add_option("-g,--generation", *gen, "show one generation");
    hist->callback([ctx, hname, limit, gen] { bp_history(*ctx, *hname, *limit, *gen); });
    auto* diff = bp->add_subcommand("diff", "Compare a blueprint with a file");
    auto dname = name_option(diff);
    auto dspec = spec_option(diff);
    diff->callback([ctx, dname, dspec] { bp_diff(*ctx, *dname, *dspec); });
    // `executor reconciler start` joins the executor group (added before this group).
    add_executor_reconciler_command(*app.get_subcommand("executor"), ctx);
}

}  // namespace colonies::cli
