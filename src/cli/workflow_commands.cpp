// `colonies workflow ...` (cli.md 3.13): submit a workflow (a JSON array of function specs whose
// conditions.dependencies name other specs' nodename), list graphs per state, show one graph with
// its processes, cancel, remove and remove all. Graph messages without an SDK method
// (getprocessgraphsmsg, cancel/remove) go through Client::call.
#include <algorithm>
#include <iostream>
#include <memory>
#include <thread>

#include "cli/commands.hpp"
#include "cli/ids.hpp"
#include "cli/output.hpp"
#include "cli/spec_file.hpp"
#include "cli/table_fit.hpp"
#include "core/json.hpp"

namespace colonies::cli {
namespace {

std::string join(const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : " ") + x;
    return s;
}

std::string join(const boost::json::array& a) {
    std::string s;
    for (const auto& v : a) s += (s.empty() ? "" : " ") + value_text(v);
    return s;
}

void submit(const Context& ctx, const std::string& path, bool wait) {
    const std::string colony = ctx.need_colony();
    WorkflowSpec wf = read_workflow_spec(path, colony);
    const std::string key = ctx.need_prvkey();
    auto c = ctx.client();
    auto g = check(c.submit_workflow(wf, key));
    if (ctx.json && !wait) {
        print_json(to_json(g));
        return;
    }
    log_info("Workflow submitted", {{"ColonyName", colony}, {"WorkflowID", g.processgraphid}});
    if (!ctx.json) std::cout << g.processgraphid << "\n" << std::flush;  // for scripts
    if (!wait) return;
    while (!is_final(g.state)) {
        std::this_thread::sleep_for(std::chrono::milliseconds(250));
        g = check(c.get_process_graph(g.processgraphid, key));
    }
    if (ctx.json) print_json(to_json(g));
    if (g.state != ProcessState::Success)
        throw CliError(std::string("Workflow ") +
                       (g.state == ProcessState::Failed ? "failed" : "cancelled") + ": " +
                       g.processgraphid);
    log_info("Workflow finished successfully", {{"WorkflowID", g.processgraphid}});
}

void list(const Context& ctx, ProcessState state, int count, bool full_ids) {
    const std::string colony = ctx.need_colony(), key = ctx.need_prvkey();
    auto c = ctx.client();
    auto reply = check(c.call(
        "getprocessgraphsmsg",
        {{"colonyname", colony}, {"count", count}, {"state", static_cast<int>(state)}}, key));
    std::vector<ProcessGraph> graphs;
    if (reply.is_array()) {
        for (const auto& item : reply.get_array()) {
            auto g = process_graph_from_json(item);
            if (!g) throw CliError("invalid reply from server: " + g.error().message);
            graphs.push_back(std::move(g).value());
        }
    } else if (!reply.is_null()) {
        throw CliError("invalid reply from server: expected an array");
    }
    if (ctx.json) {
        print_json(to_json(graphs), false);
        return;
    }
    if (graphs.empty()) {
        std::string word = state_text(state);
        for (auto& ch : word) ch = static_cast<char>(std::tolower(ch));
        log_warn("No " + word + " workflows found", {{"ColonyName", colony}});
        return;
    }
    auto when = [state](const ProcessGraph& g) {
        return state == ProcessState::Waiting   ? g.submissiontime
               : state == ProcessState::Running ? g.starttime
                                                : g.endtime;
    };
    std::stable_sort(
        graphs.begin(), graphs.end(),
        [&](const ProcessGraph& a, const ProcessGraph& b) { return when(b) < when(a); });
    const char* time_title = state == ProcessState::Waiting   ? "SubmissionTime"
                             : state == ProcessState::Running ? "StartTime"
                                                              : "EndTime";
    Table t({"WorkflowId", time_title, "Initiator"});
    fit_table(t, {{}, {0, 1}});
    for (const auto& g : graphs)
        t.add_row({short_id(g.processgraphid, full_ids), table_time(when(g)), g.initiatorname});
    t.print();
}

void get(const Context& ctx, const std::string& id, bool full_ids) {
    const std::string key = ctx.need_prvkey();
    auto c = ctx.client();
    auto g = c.get_process_graph(id, key);
    if (!g) {
        if (client::is_connection_failure(g.error())) fail(g.error());
        throw CliError("Workflow not found: " + id + ": " + g.error().message);
    }
    if (ctx.json) {
        print_json(to_json(*g));
        return;
    }
    const bool col = stdout_colour();
    KeyValueTable t("Workflow");
    t.add("WorkflowId", g->processgraphid);
    t.add("InitiatorId", g->initiatorid);
    t.add("InitiatorName", g->initiatorname);
    t.add("State", paint(state_text(g->state), state_colour(g->state), col));
    t.add("SubmissionTime", table_time(g->submissiontime));
    t.add("StartTime", table_time(g->starttime));
    t.add("EndTime", table_time(g->endtime));
    t.print();

    std::cout << "\nProcesses:\n";
    Table pt({"NodeName", "ProcessId", "ExecutorType", "FuncName", "Args", "State",
              "WaitingForParents", "Dependencies"});
    fit_table(pt, {{6, 4, 2, 7}, {1}});
    for (const auto& pid : g->processids) {
        auto p = c.get_process(pid, key);
        if (!p) {
            pt.add_row({"?", pid, "", "", "", p.error().message, "", ""});
            continue;
        }
        const auto& deps = p->spec.conditions.dependencies;
        pt.add_row(
            {p->spec.nodename, short_id(p->processid, full_ids), p->spec.conditions.executortype,
             p->spec.funcname, truncate(join(p->spec.args), 20), state_text(p->state),
             p->waitforparents ? "true" : "false", deps.empty() ? "None" : join(deps)},
            {Colour::None, Colour::None, Colour::None, Colour::None, Colour::None,
             state_colour(p->state), Colour::None, Colour::None});
    }
    pt.print();
}

}  // namespace

void add_workflow_commands(CLI::App& app, Ctx ctx) {
    auto* wf = app.add_subcommand("workflow", "Submit, list, inspect and manage workflows");
    wf->require_subcommand(1);

    auto* submit_cmd = wf->add_subcommand("submit", "Submit a workflow (JSON array of specs)");
    auto spec = std::make_shared<std::string>();
    auto wait = std::make_shared<bool>(false);
    submit_cmd->add_option("--spec", *spec, "workflow file: a JSON array of function specs")
        ->required();
    submit_cmd->add_flag("--wait", *wait, "wait until the workflow has finished");
    submit_cmd->callback([ctx, spec, wait] { submit(*ctx, *spec, *wait); });

    struct Listing {
        const char* name;
        const char* help;
        ProcessState state;
    };
    for (const Listing& l : {Listing{"psw", "List waiting workflows", ProcessState::Waiting},
                             Listing{"ps", "List running workflows", ProcessState::Running},
                             Listing{"pss", "List successful workflows", ProcessState::Success},
                             Listing{"psf", "List failed workflows", ProcessState::Failed},
                             Listing{"psc", "List cancelled workflows", ProcessState::Cancelled}}) {
        auto* cmd = wf->add_subcommand(l.name, l.help);
        auto count = std::make_shared<int>(20);
        auto ids = std::make_shared<bool>(false);
        cmd->add_option("--count", *count, "how many (max 100)")->capture_default_str();
        cmd->add_flag("-i,--ids", *ids, "show whole workflow ids (else their first 12 digits)");
        ProcessState state = l.state;
        cmd->callback([ctx, state, count, ids] { list(*ctx, state, *count, *ids); });
    }

    auto* get_cmd = wf->add_subcommand("get", "Show one workflow and its processes");
    auto gid = std::make_shared<std::string>();
    get_cmd->add_option("--workflowid", *gid, "workflow (process graph) id")->required();
    auto gfull = std::make_shared<bool>(false);
    get_cmd->add_flag("-i,--ids", *gfull, "show whole process ids");
    get_cmd->callback([ctx, gid, gfull] { get(*ctx, resolve_workflow_id(*ctx, *gid), *gfull); });

    auto* cancel = wf->add_subcommand("cancel", "Cancel a waiting or running workflow");
    auto cid = std::make_shared<std::string>();
    cancel->add_option("--workflowid", *cid, "workflow id")->required();
    cancel->callback([ctx, cid] {
        const std::string id = resolve_workflow_id(*ctx, *cid);
        auto c = ctx->client();
        check(c.call("cancelprocessgraphmsg", {{"processgraphid", id}}, ctx->need_prvkey()));
        log_info("Workflow cancelled", {{"WorkflowID", id}});
    });

    auto* remove = wf->add_subcommand("remove", "Remove a workflow and its processes");
    auto rid = std::make_shared<std::string>();
    remove->add_option("--workflowid", *rid, "workflow id")->required();
    remove->callback([ctx, rid] {
        const std::string id = resolve_workflow_id(*ctx, *rid);
        auto c = ctx->client();
        check(c.call("removeprocessgraphmsg", {{"processgraphid", id}, {"all", false}},
                     ctx->need_prvkey()));
        log_info("Workflow removed", {{"WorkflowID", id}});
    });

    add_removeall_command(
        *wf, ctx, "workflows",
        [](client::Client& c, const std::string& colony, int state, const std::string& key) {
            check(c.call("removeallprocessgraphsmsg", {{"colonyname", colony}, {"state", state}},
                         key));
        });
}

}  // namespace colonies::cli
