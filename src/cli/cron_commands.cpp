// `colonies cron add|ls|get|run|remove` (cli.md 3.16): workflows the server starts on a
// schedule (a 6-field cron expression with seconds, or an interval in seconds).
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
    std::string spec, name, expression;
    int64_t interval = -1;
    bool random = false, waitprevious = false;
};

void add(const Context& ctx, const AddFlags& f) {
    const std::string colony = ctx.need_colony();
    WorkflowSpec wf = read_workflow_spec(f.spec, colony);
    const std::string key = ctx.need_prvkey();
    Cron c;
    c.colonyname = colony;
    c.name = f.name;
    c.cronexpression = f.expression;
    c.interval = f.interval;
    c.random = f.random;
    c.waitforprevprocessgraph = f.waitprevious;
    c.workflowspec = to_text(to_json(wf));
    log_info(f.waitprevious ? "Waiting for previous processgraph to finish"
                            : "Will not wait for previous processgraph to finish");
    auto client = ctx.client();
    auto added = check(client.add_cron(c, key));
    if (ctx.json) {
        print_json(to_json(added));
        return;
    }
    log_info("Cron added", {{"CronID", added.cronid}});
}

std::string join(const boost::json::array& a) {
    std::string s;
    for (const auto& v : a) s += (s.empty() ? "" : " ") + value_text(v);
    return s;
}

std::string join(const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : " ") + x;
    return s;
}

void print_cron(const Cron& c) {
    KeyValueTable t("Cron");
    t.add("CronId", c.cronid);
    t.add("Name", c.name);
    t.add("Colony", c.colonyname);
    t.add("InitiatorID", c.initiatorid);
    t.add("Initiator", c.initiatorname);
    t.add("Cron Expression", c.cronexpression);
    t.add("Interval", std::to_string(c.interval));
    t.add("Random", c.random ? "true" : "false");
    t.add("NextRun", table_time(c.nextrun));
    // Upstream shows NextRun here (cli.md 3.16): the real last run is more use.
    t.add("LastRun", table_time(c.lastrun));
    t.add("PrevProcessGraphID", c.prevprocessgraphid);
    t.add("WaitForPrevProcessGraph", c.waitforprevprocessgraph ? "true" : "false");
    t.add("CheckerPeriod", std::to_string(c.checkerperiod));
    t.print();

    boost::system::error_code ec;
    auto v = read_json_text(c.workflowspec, ec);
    auto wf = ec ? Result<WorkflowSpec>(bad_request("")) : workflow_spec_from_json(v);
    if (!wf) {
        std::cout << "\nThe workflow spec of the cron does not parse\n";
        return;
    }
    for (const auto& s : wf->functionspecs) {
        KeyValueTable ft("Function Specification");
        ft.add("NodeName", s.nodename);
        ft.add("Func", s.funcname.empty() ? "None" : s.funcname);
        ft.add("Args", join(s.args));
        ft.add("KwArgs", s.kwargs.empty() ? "None" : truncate(to_text(s.kwargs), 50));
        ft.add("ExecutorType", s.conditions.executortype);
        ft.add("Dependencies", join(s.conditions.dependencies));
        ft.add("MaxWaitTime", std::to_string(s.maxwaittime));
        ft.add("MaxExecTime", std::to_string(s.maxexectime));
        ft.add("MaxRetries", std::to_string(s.maxretries));
        ft.add("Priority", std::to_string(s.priority));
        ft.print();
    }
}

void get(const Context& ctx, const std::string& id) {
    const std::string key = ctx.need_prvkey();
    auto client = ctx.client();
    auto c = check(client.get_cron(id, key));
    if (ctx.json) {
        print_json(to_json(c));
        return;
    }
    print_cron(c);
}

void list(const Context& ctx, int count) {
    const std::string colony = ctx.need_colony(), key = ctx.need_prvkey();
    auto client = ctx.client();
    auto crons = check(client.get_crons(colony, count, key));
    if (ctx.json) {
        print_json(to_json(crons));
        return;
    }
    if (crons.empty()) {
        log_info("No crons found", {{"ColonyName", colony}});
        return;
    }
    Table t({"CronId", "Name", "Initiator"});
    for (const auto& c : crons) t.add_row({c.cronid, c.name, c.initiatorname});
    t.print();
}

}  // namespace

void add_cron_commands(CLI::App& app, Ctx ctx) {
    auto* cron = app.add_subcommand("cron", "Run workflows on a schedule");
    cron->require_subcommand(1);

    auto* add_cmd = cron->add_subcommand("add", "Add a cron");
    auto f = std::make_shared<AddFlags>();
    add_cmd->add_option("--spec", f->spec, "workflow file: a JSON array of function specs")
        ->required();
    add_cmd->add_option("--name", f->name, "cron name (unique in the colony)")->required();
    add_cmd->add_option("--cron", f->expression,
                        "cron expression with seconds, e.g. \"0/5 * * * * *\"");
    add_cmd->add_option("--interval", f->interval, "seconds between runs (-1: use --cron)")
        ->capture_default_str();
    add_cmd->add_flag("--random", f->random, "run at a random time within each interval");
    add_cmd->add_flag("--waitprevious", f->waitprevious,
                      "do not start while the previous workflow is unfinished");
    add_cmd->callback([ctx, f] { add(*ctx, *f); });

    auto* rm = cron->add_subcommand("remove", "Remove a cron");
    auto rid = std::make_shared<std::string>();
    rm->add_option("--cronid", *rid, "cron id")->required();
    rm->callback([ctx, rid] {
        auto client = ctx->client();
        check(client.remove_cron(*rid, ctx->need_prvkey()));
        log_info("Removing cron", {{"CronId", *rid}});
    });

    auto* get_cmd = cron->add_subcommand("get", "Show a cron and its workflow");
    auto gid = std::make_shared<std::string>();
    get_cmd->add_option("--cronid", *gid, "cron id")->required();
    get_cmd->callback([ctx, gid] { get(*ctx, *gid); });

    auto* ls = cron->add_subcommand("ls", "List the colony's crons");
    auto count = std::make_shared<int>(20);
    ls->add_option("--count", *count, "how many")->capture_default_str();
    ls->callback([ctx, count] { list(*ctx, *count); });

    auto* run_cmd = cron->add_subcommand("run", "Start a cron's workflow now");
    auto xid = std::make_shared<std::string>();
    run_cmd->add_option("--cronid", *xid, "cron id")->required();
    run_cmd->callback([ctx, xid] {
        auto client = ctx->client();
        auto c = check(client.run_cron(*xid, ctx->need_prvkey()));
        if (ctx->json) {
            print_json(to_json(c));
            return;
        }
        log_info("Running cron", {{"CronID", *xid}});
    });
}

}  // namespace colonies::cli
