// `colonies process ...` (cli.md 3.12): listings per state, one process in detail, removal,
// cancel, and assign/close/fail so a person can act as an executor by hand.
#include <algorithm>
#include <chrono>
#include <iostream>
#include <map>
#include <memory>

#include "cli/commands.hpp"
#include "cli/ids.hpp"
#include "cli/output.hpp"
#include "cli/table_fit.hpp"
#include "client/subscribe.hpp"
#include "core/json.hpp"

namespace colonies::cli {
namespace {

std::string join(const std::vector<std::string>& v, const char* sep = " ") {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : sep) + x;
    return s;
}

std::string join(const boost::json::array& a) {
    std::string s;
    for (const auto& v : a) s += (s.empty() ? "" : " ") + value_text(v);
    return s;
}

std::string kwargs_text(const boost::json::object& o) {
    std::string s;
    for (const auto& kv : o)
        s += (s.empty() ? "" : " ") + std::string(kv.key()) + ":" + value_text(kv.value());
    return s;
}

struct ListFlags {
    int count = 20;
    bool ids = false;
    std::string executortype, label, initiator;
};

// One listing command (psw, ps, pss, psf, psc).
void list(const Context& ctx, ProcessState state, const ListFlags& f) {
    int filters = !f.executortype.empty() + !f.label.empty() + !f.initiator.empty();
    if (filters > 1)
        throw CliError("Invalid filter arguments, select --executortype, --label or --initiator",
                       kExitUsage);
    auto c = ctx.client();
    const std::string colony = ctx.need_colony(), key = ctx.need_prvkey();
    auto ps =
        check(c.get_processes(colony, state, f.count, {f.executortype, f.label, f.initiator}, key));
    if (ctx.json) {
        print_json(to_json(ps));
        return;
    }
    if (ps.empty()) {
        std::string word = state_text(state);
        for (auto& ch : word) ch = static_cast<char>(std::tolower(ch));
        log_info("No " + word + " processes found", {{"ColonyName", colony}});
        return;
    }
    const char* time_title = state == ProcessState::Waiting   ? "Submission time"
                             : state == ProcessState::Running ? "Start time"
                                                              : "End time";
    // The ID column is always shown, its first 12 digits (all with -i): what `process get -p`
    // takes. A narrow terminal loses KwArgs, Label, Initiator, Executor type, Args first.
    Table t({"ID", "FuncName", "Args", "KwArgs", time_title, "Executor name", "Executor type",
             "Initiator", "Label"});
    fit_table(t, {{3, 8, 7, 6, 2}, {0, 4}});
    std::map<std::string, std::string> names;  // executor id -> name, looked up once
    for (const auto& p : ps) {
        Time when = state == ProcessState::Waiting   ? p.submissiontime
                    : state == ProcessState::Running ? p.starttime
                                                     : p.endtime;
        std::string executor = join(p.spec.conditions.executornames);
        if (state != ProcessState::Waiting && !p.assignedexecutorid.empty()) {
            auto it = names.find(p.assignedexecutorid);
            if (it == names.end()) {
                auto e = c.get_executor_by_id(colony, p.assignedexecutorid, key);
                it = names.emplace(p.assignedexecutorid, e ? e->executorname : executor).first;
            }
            executor = it->second;
        }
        t.add_row({short_id(p.processid, f.ids), p.spec.funcname, truncate(join(p.spec.args), 20),
                   truncate(kwargs_text(p.spec.kwargs), 20), table_time(when), executor,
                   p.spec.conditions.executortype, p.initiatorname, p.spec.label});
    }
    t.print();
}

int64_t span_ns(Time from, Time to) {
    if (from.is_zero() || to.is_zero() || to < from) return 0;
    return to.ns - from.ns;
}

void print_process(const Process& p) {
    const bool col = stdout_colour();
    KeyValueTable t("Process");
    t.add("Id", p.processid);
    t.add("IsAssigned", p.isassigned ? "True" : "False");
    t.add("InitiatorID", p.initiatorid);
    t.add("Initiator", p.initiatorname);
    t.add("AssignedExecutorID", p.assignedexecutorid.empty() ? "None" : p.assignedexecutorid);
    t.add("State", paint(state_text(p.state), state_colour(p.state), col));
    t.add("PriorityTime", std::to_string(p.prioritytime));
    t.add("SubmissionTime", table_time(p.submissiontime));
    t.add("StartTime", table_time(p.starttime));
    t.add("EndTime", table_time(p.endtime));
    t.add("WaitDeadline", table_time(p.waitdeadline));
    t.add("ExecDeadline", table_time(p.execdeadline));
    t.add("WaitingTime", duration_text(span_ns(p.submissiontime, p.starttime)));
    t.add("ProcessingTime", duration_text(span_ns(p.starttime, p.endtime)));
    t.add("Retries", std::to_string(p.retries));
    t.add("Input", truncate(join(p.in), 50));
    t.add("Output", truncate(join(p.out), 50));
    t.add("Errors", join(p.errors));
    t.print();

    const FunctionSpec& s = p.spec;
    KeyValueTable ft("Function Specification");
    ft.add("Func", s.funcname.empty() ? "None" : s.funcname);
    ft.add("Args", join(s.args));
    ft.add("KwArgs", s.kwargs.empty() ? "None" : truncate(kwargs_text(s.kwargs), 50));
    ft.add("MaxWaitTime", std::to_string(s.maxwaittime));
    ft.add("MaxExecTime", std::to_string(s.maxexectime));
    ft.add("MaxRetries", std::to_string(s.maxretries));
    ft.add("Priority", std::to_string(s.priority));
    ft.add("Label", s.label);
    ft.print();

    const Conditions& c = s.conditions;
    KeyValueTable ct("Conditions");
    ct.add("Colony", c.colonyname);
    ct.add("ExecutorNames", c.executornames.empty() ? "None" : join(c.executornames));
    ct.add("ExecutorType", c.executortype);
    ct.add("Location", c.locationname.empty() ? "None" : c.locationname);
    ct.add("Dependencies", join(c.dependencies));
    ct.add("Nodes", std::to_string(c.nodes));
    ct.add("CPU", c.cpu);
    ct.add("Memory", c.mem);
    ct.add("Processes", std::to_string(c.processes));
    ct.add("ProcessesPerNode", std::to_string(c.processespernode));
    ct.add("Storage", c.storage);
    ct.add("Walltime", std::to_string(c.walltime));
    ct.add("GPUName", c.gpu.name);
    ct.add("GPUs", std::to_string(c.gpu.count));
    ct.add("GPUPerNode", std::to_string(c.gpu.nodecount));
    ct.add("GPUMemory", c.gpu.mem);
    ct.print();

    if (p.attributes.empty()) {
        std::cout << "\nNo attributes found\n";
        return;
    }
    static const char* kTypes[] = {"In", "Out", "Err", "Env"};
    Table at({"AttributeId", "Key", "Value", "Type"}, "Attributes");
    for (const auto& a : p.attributes) {
        int ti = static_cast<int>(a.attributetype);
        at.add_row({a.attributeid, truncate(a.key, 30), truncate(a.value, 30),
                    ti >= 0 && ti < 4 ? kTypes[ti] : "Unknown"});
    }
    at.print();
}

void get(const Context& ctx, const std::string& id, bool out) {
    auto c = ctx.client();
    auto p = c.get_process(id, ctx.need_prvkey());
    if (!p) throw CliError("Process not found: " + id + ": " + p.error().message);
    if (ctx.json) {
        print_json(to_json(*p));
    } else if (out) {
        std::cout << join(p->out) << "\n";
    } else {
        print_process(*p);
    }
}

void assign(const Context& ctx, int timeout) {
    auto c = ctx.client();
    auto p = c.assign(ctx.need_colony(), timeout, ctx.need_prvkey());
    if (!p) {
        log_warn(p.error().message);  // nothing to do is not an error (cli.md 3.12)
        return;
    }
    if (ctx.json) {
        print_json(to_json(*p));
        return;
    }
    log_info("Assigned process to executor",
             {{"ProcessId", p->processid}, {"ExecutorId", p->assignedexecutorid}});
}

// `--state` of `process wait`: a state name (as listed by the ps commands) or its number.
ProcessState parse_state(const std::string& text) {
    std::string s = text;
    for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (s == "waiting" || s == "0") return ProcessState::Waiting;
    if (s == "running" || s == "1") return ProcessState::Running;
    if (s == "successful" || s == "success" || s == "2") return ProcessState::Success;
    if (s == "failed" || s == "3") return ProcessState::Failed;
    if (s == "cancelled" || s == "canceled" || s == "4") return ProcessState::Cancelled;
    throw CliError(
        "Invalid --state " + text + ", select waiting, running, successful, failed or cancelled",
        kExitUsage);
}

// Blocks (WebSocket subscription) until the process is in `state`; exit 0 then. A process that
// has already ended in another state, or the timeout, is an error (exit 255).
void wait_for(const Context& ctx, const std::string& id, const std::string& state_name,
              int timeout) {
    const ProcessState state = parse_state(state_name);
    if (timeout < 1) throw CliError("--timeout must be at least 1 second", kExitUsage);
    const std::string key = ctx.need_prvkey();
    auto c = ctx.client();
    auto p = c.get_process(id, key);
    if (!p) throw CliError("Process not found: " + id + ": " + p.error().message);
    auto ended_elsewhere = [&](const Process& q) {
        return q.state != state && is_final(q.state);  // ended states are final
    };
    if (ended_elsewhere(*p))
        throw CliError("Process " + id + " ended " + state_text(p->state) + ", it will never be " +
                       state_text(state));
    Process got = *p;
    if (p->state != state) {
        const std::string colony = !p->spec.conditions.colonyname.empty()
                                       ? p->spec.conditions.colonyname
                                       : ctx.need_colony();
        // Subscribe in slices of at most 5 s and look at the process between them: a process that
        // ended in another state (e.g. failed by a workflow cascade) never sends the awaited event.
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout);
        for (;;) {
            auto left = std::chrono::duration_cast<std::chrono::seconds>(
                            deadline - std::chrono::steady_clock::now())
                            .count();
            if (left < 1) left = 1;
            const int slice = static_cast<int>(std::min<int64_t>(left, 5));
            auto r = client::wait_for_process(ctx.client_options(), colony, id, state, slice, key);
            if (r) {
                got = *r;
                break;
            }
            if (!r.error().is(ErrorKind::Timeout)) fail(r.error());
            auto now = ctx.client().get_process(id, key);  // fresh: the old one sat idle
            if (now && now->state == state) {
                got = *now;
                break;
            }
            if (now && ended_elsewhere(*now))
                throw CliError("Process " + id + " ended " + state_text(now->state) +
                               ", it will never be " + state_text(state));
            if (std::chrono::steady_clock::now() >= deadline)
                throw CliError("Timeout: process " + id + " did not become " + state_text(state) +
                               " within " + std::to_string(timeout) + " s");
        }
    }
    if (ctx.json) {
        print_json(to_json(got));
        return;
    }
    log_info(std::string("Process is ") + state_text(state), {{"ProcessId", id}});
}

// psw, ps, pss, psf, psc: one listing per state.
void add_listing_commands(CLI::App* process, Ctx ctx) {
    struct Listing {
        const char* name;
        const char* help;
        ProcessState state;
    };
    for (const Listing& l : {Listing{"psw", "List waiting processes", ProcessState::Waiting},
                             Listing{"ps", "List running processes", ProcessState::Running},
                             Listing{"pss", "List successful processes", ProcessState::Success},
                             Listing{"psf", "List failed processes", ProcessState::Failed},
                             Listing{"psc", "List cancelled processes", ProcessState::Cancelled}}) {
        auto* cmd = process->add_subcommand(l.name, l.help);
        auto f = std::make_shared<ListFlags>();
        cmd->add_option("--count", f->count, "how many (max 100)")->capture_default_str();
        cmd->add_flag("-i,--ids", f->ids, "show whole process ids (else their first 12 digits)");
        cmd->add_option("--executortype", f->executortype, "only this executor type");
        cmd->add_option("--label", f->label, "only this label");
        cmd->add_option("--initiator", f->initiator, "only processes submitted by this user");
        ProcessState state = l.state;
        cmd->callback([ctx, state, f] { list(*ctx, state, *f); });
    }
}

// get, cancel, remove, removeall, wait: what a submitter does with a process.
void add_submitter_commands(CLI::App* process, Ctx ctx) {
    auto* get_cmd = process->add_subcommand("get", "Show one process");
    auto gid = std::make_shared<std::string>();
    auto gout = std::make_shared<bool>(false);
    get_cmd->add_option("-p,--processid", *gid, "process id")->required();
    get_cmd->add_flag("--out", *gout, "print only the output");
    get_cmd->callback([ctx, gid, gout] { get(*ctx, resolve_process_id(*ctx, *gid), *gout); });

    auto* cancel = process->add_subcommand("cancel", "Cancel a waiting or running process");
    auto cid = std::make_shared<std::string>();
    cancel->add_option("-p,--processid", *cid, "process id")->required();
    cancel->callback([ctx, cid] {
        const std::string id = resolve_process_id(*ctx, *cid);
        auto c = ctx->client();
        check(c.cancel_process(id, ctx->need_prvkey()));
        log_info("Process cancelled", {{"ProcessId", id}});
    });

    auto* remove = process->add_subcommand("remove", "Remove a process that is not running");
    auto rid = std::make_shared<std::string>();
    remove->add_option("-p,--processid", *rid, "process id")->required();
    remove->callback([ctx, rid] {
        const std::string id = resolve_process_id(*ctx, *rid);
        auto c = ctx->client();
        check(c.remove_process(id, ctx->need_prvkey()));
        log_info("Process removed", {{"ProcessId", id}});
    });

    add_removeall_command(
        *process, ctx, "processes",
        [](client::Client& c, const std::string& colony, int state, const std::string& key) {
            check(c.remove_all_processes(colony, state, key));
        });

    auto* wait_cmd = process->add_subcommand("wait", "Wait until a process reaches a state");
    auto wid = std::make_shared<std::string>();
    auto wstate = std::make_shared<std::string>("successful");
    auto wtimeout = std::make_shared<int>(60);
    wait_cmd->add_option("-p,--processid", *wid, "process id")->required();
    wait_cmd->add_option("--state", *wstate, "waiting, running, successful, failed or cancelled")
        ->capture_default_str();
    wait_cmd->add_option("--timeout", *wtimeout, "seconds to wait")->capture_default_str();
    wait_cmd->callback([ctx, wid, wstate, wtimeout] {
        wait_for(*ctx, resolve_process_id(*ctx, *wid), *wstate, *wtimeout);
    });
}

// assign, close, fail: an executor's side of the process loop, by hand.
void add_executor_side_commands(CLI::App* process, Ctx ctx) {
    auto* assign_cmd = process->add_subcommand("assign", "Take one process as this executor");
    auto timeout = std::make_shared<int>(100);
    assign_cmd->add_option("--timeout", *timeout, "seconds to wait for one")->capture_default_str();
    assign_cmd->callback([ctx, timeout] { assign(*ctx, *timeout); });

    auto* close = process->add_subcommand("close", "Close an assigned process as successful");
    auto clid = std::make_shared<std::string>();
    auto outs = std::make_shared<std::vector<std::string>>();
    close->add_option("-p,--processid", *clid, "process id")->required();
    close->add_option("--out", *outs, "output values (a,b or repeated)")->delimiter(',');
    close->callback([ctx, clid, outs] {
        boost::json::array out;
        for (const auto& o : *outs) out.emplace_back(o);
        const std::string id = resolve_process_id(*ctx, *clid);
        auto c = ctx->client();
        check(c.close_successful(id, out, ctx->need_prvkey()));
        log_info("Process closed as successful", {{"ProcessId", id}});
    });

    auto* fail_cmd = process->add_subcommand("fail", "Close an assigned process as failed");
    auto fid = std::make_shared<std::string>();
    auto errs = std::make_shared<std::vector<std::string>>();
    fail_cmd->add_option("-p,--processid", *fid, "process id")->required();
    fail_cmd->add_option("--errors", *errs, "error texts (a,b or repeated)")->delimiter(',');
    fail_cmd->callback([ctx, fid, errs] {
        std::vector<std::string> e =
            errs->empty() ? std::vector<std::string>{"No errors specified"} : *errs;
        const std::string id = resolve_process_id(*ctx, *fid);
        auto c = ctx->client();
        check(c.close_failed(id, e, ctx->need_prvkey()));
        log_info("Process closed as failed", {{"ProcessId", id}});
    });
}

}  // namespace

void add_process_commands(CLI::App& app, Ctx ctx) {
    auto* process = app.add_subcommand("process", "List, inspect and manage processes");
    process->require_subcommand(1);
    add_listing_commands(process, ctx);
    add_submitter_commands(process, ctx);
    add_executor_side_commands(process, ctx);
    add_process_ledger_commands(process, ctx);
}

}  // namespace colonies::cli
