// `colonies generator add|ls|get|pack|remove` (cli.md 3.17, features.md 2): a generator queues
// packed arguments and starts its workflow with them when `--trigger` of them have arrived, or
// when the oldest has waited `--timeout` seconds.
#include <algorithm>
#include <iostream>
#include <memory>

#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "cli/spec_file.hpp"
#include "core/json.hpp"
#include "core/json_text.hpp"

namespace colonies::cli {
namespace {

struct AddFlags {
    std::string spec, name;
    int64_t trigger = -1;
    int64_t timeout = -1;
};

std::string joined(const boost::json::array& a) {
    std::string s;
    for (const auto& v : a) s += (s.empty() ? "" : " ") + value_text(v);
    return s;
}

void add(const Context& ctx, const AddFlags& f) {
    const std::string colony = ctx.need_colony();
    WorkflowSpec wf = read_workflow_spec(f.spec, colony);
    if (f.name.empty()) throw CliError("Generator name not specified");
    if (f.trigger == -1) throw CliError("Generator trigger not specified");
    Generator g;
    g.colonyname = colony;
    g.name = f.name;
    g.workflowspec = to_text(to_json(wf));
    g.trigger = f.trigger;
    g.timeout = f.timeout;
    const std::string key = ctx.need_prvkey();
    auto added = check(ctx.client().add_generator(g, key));
    if (ctx.json) {
        print_json(to_json(added));
        return;
    }
    log_info("Generator added", {{"GeneratorID", added.generatorid},
                                 {"GeneratorName", f.name},
                                 {"Timeout", std::to_string(f.timeout)},
                                 {"Trigger", std::to_string(f.trigger)}});
}

void print_function_specs(const std::string& workflow_text) {
    boost::system::error_code ec;
    auto v = read_json_text(workflow_text, ec);
    auto w = ec ? Result<WorkflowSpec>(bad_request(ec.message())) : workflow_spec_from_json(v);
    if (!w) throw CliError("invalid workflow of the generator: " + w.error().message);
    for (const auto& s : w->functionspecs) {
        std::cout << "\n";
        KeyValueTable t("Function Specification");
        t.add("NodeName", s.nodename);
        t.add("Func", s.funcname.empty() ? "None" : s.funcname);
        t.add("Args", s.args.empty() ? "None" : truncate(joined(s.args), 50));
        t.add("KwArgs", s.kwargs.empty() ? "None" : truncate(to_text(s.kwargs), 50));
        t.add("ExecutorType", s.conditions.executortype);
        std::string deps;
        for (const auto& d : s.conditions.dependencies) deps += (deps.empty() ? "" : " ") + d;
        t.add("Dependencies", deps.empty() ? "None" : deps);
        t.add("MaxWaitTime", std::to_string(s.maxwaittime));
        t.add("MaxExecTime", std::to_string(s.maxexectime));
        t.add("MaxRetries", std::to_string(s.maxretries));
        t.add("Priority", std::to_string(s.priority));
        t.print();
    }
}

void get(const Context& ctx, const std::string& id) {
    const std::string key = ctx.need_prvkey();
    auto g = ctx.client().get_generator(id, key);
    if (!g) {
        if (client::is_connection_failure(g.error())) fail(g.error());
        // cli.md 3.17: upstream logs and succeeds.
        log_error("Generator not found", {{"Error", g.error().message}, {"GeneratorId", id}});
        return;
    }
    if (ctx.json) {
        print_json(to_json(*g));
        return;
    }
    // cli.md 3.17: sorted descending by key.
    std::vector<std::pair<std::string, std::string>> rows = {
        {"GeneratorId", g->generatorid},
        {"Name", g->name},
        {"Colony", g->colonyname},
        {"Initiator", g->initiatorname},
        {"Trigger", std::to_string(g->trigger)},
        {"Timeout", std::to_string(g->timeout)},
        {"Lastrun", table_time(g->lastrun)},
        {"CheckerPeriod", std::to_string(g->checkerperiod)},
        {"QueueSize", std::to_string(g->queuesize)}};
    std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a > b; });
    KeyValueTable t;
    for (const auto& [k, v] : rows) t.add(k, v);
    t.print();
    print_function_specs(g->workflowspec);
}

void list(const Context& ctx, int count) {
    const std::string colony = ctx.need_colony(), key = ctx.need_prvkey();
    auto gs = check(ctx.client().get_generators(colony, count, key));
    if (ctx.json) {
        print_json(to_json(gs), false);
        return;
    }
    if (gs.empty()) {
        log_info("No generators found");
        return;
    }
    Table t({"GeneratorId", "Name", "Initiator"});
    for (const auto& g : gs) t.add_row({g.generatorid, g.name, g.initiatorname});
    t.print();
}

}  // namespace

void add_generator_commands(CLI::App& app, Ctx ctx) {
    auto* gen = app.add_subcommand("generator", "Manage generators (batches of packed arguments)");
    gen->require_subcommand(1);

    auto* add_cmd = gen->add_subcommand("add", "Add a generator");
    auto af = std::make_shared<AddFlags>();
    add_cmd->add_option("--spec", af->spec, "workflow file: a JSON array of function specs")
        ->required();
    add_cmd->add_option("--name", af->name, "generator name (unique in the colony)")->required();
    add_cmd->add_option("--trigger", af->trigger, "packed arguments that start one workflow")
        ->required();
    add_cmd
        ->add_option("--timeout", af->timeout,
                     "seconds after which fewer arguments start a workflow (-1: never)")
        ->capture_default_str();
    add_cmd->callback([ctx, af] { add(*ctx, *af); });

    auto* pack_cmd = gen->add_subcommand("pack", "Pack an argument to a generator");
    auto pid = std::make_shared<std::string>();
    auto arg = std::make_shared<std::string>();
    pack_cmd->add_option("--generatorid", *pid, "generator id")->required();
    pack_cmd->add_option("--arg", *arg, "argument to queue")->required();
    pack_cmd->callback([ctx, pid, arg] {
        check(ctx->client().pack_generator(*pid, *arg, ctx->need_prvkey()));
        log_info("Packing arg to generator", {{"Arg", *arg}, {"GeneratorID", *pid}});
    });

    auto* remove_cmd = gen->add_subcommand("remove", "Remove a generator and its queued arguments");
    auto rid = std::make_shared<std::string>();
    remove_cmd->add_option("--generatorid", *rid, "generator id")->required();
    remove_cmd->callback([ctx, rid] {
        check(ctx->client().remove_generator(*rid, ctx->need_prvkey()));
        log_info("Removing generator", {{"GeneratorID", *rid}});
    });

    auto* get_cmd = gen->add_subcommand("get", "Show a generator");
    auto gid = std::make_shared<std::string>();
    get_cmd->add_option("--generatorid", *gid, "generator id")->required();
    get_cmd->callback([ctx, gid] { get(*ctx, *gid); });

    auto* ls_cmd = gen->add_subcommand("ls", "List the colony's generators");
    auto count = std::make_shared<int>(20);
    ls_cmd->add_option("--count", *count, "how many")->capture_default_str();
    ls_cmd->callback([ctx, count] { list(*ctx, *count); });
}

}  // namespace colonies::cli
