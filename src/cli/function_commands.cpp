// `colonies function submit|exec|ls` (cli.md 3.11). `--wait` polls the process until it ends
// (the WebSocket subscription upstream uses is not served yet); `--follow` prints its logs as
// they arrive (log_follow.hpp).
#include <iostream>
#include <map>
#include <memory>
#include <thread>

#include "cli/commands.hpp"
#include "cli/log_follow.hpp"
#include "cli/output.hpp"
#include "cli/spec_file.hpp"
#include "core/json.hpp"

namespace colonies::cli {
namespace {

struct WaitFlags {
    bool wait = false, out = false, follow = false;
    std::string label;
};

std::string joined(const boost::json::array& a) {
    std::string s;
    for (const auto& v : a) s += (s.empty() ? "" : " ") + value_text(v);
    return s;
}

std::string joined(const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : " ") + x;
    return s;
}

// Ends like upstream: exit 0 on success (printing the output with --out), 255 on failure.
void report_end(const Process& p, bool out) {
    if (p.state == ProcessState::Success) {
        log_info("Process finished successfully", {{"ProcessId", p.processid}});
        if (out) std::cout << joined(p.out) << "\n" << std::flush;
        return;
    }
    if (p.state == ProcessState::Cancelled) throw CliError("Process cancelled: " + p.processid);
    throw CliError("Process failed: " + p.processid +
                   (p.errors.empty() ? "" : ": " + joined(p.errors)));
}

void submit_and_watch(const Context& ctx, FunctionSpec spec, const WaitFlags& f) {
    if (!f.label.empty()) spec.label = f.label;
    if (spec.conditions.colonyname.empty()) spec.conditions.colonyname = ctx.need_colony();
    const std::string key = ctx.need_prvkey();
    auto c = ctx.client();
    auto p = check(c.submit(spec, key));
    if (ctx.json && !f.wait && !f.follow) {
        print_json(to_json(p));
        return;
    }
    log_info("Process submitted", {{"ProcessId", p.processid}});
    // The id on stdout for scripts (ID=$(colonies function submit ...)); with --out or
    // --follow, stdout is the process's output or logs alone, as upstream.
    if (!f.out && !f.follow) std::cout << p.processid << "\n" << std::flush;
    if (f.wait) {
        while (!is_final(p.state)) {
            std::this_thread::sleep_for(std::chrono::milliseconds(250));
            p = check(c.get_process(p.processid, key));
        }
        report_end(p, f.out);
    } else if (f.follow) {
        log_info("Printing logs from process", {{"ProcessId", p.processid}});
        follow_process(c, spec.conditions.colonyname, p.processid, key,
                       std::chrono::milliseconds(500));
        report_end(check(c.get_process(p.processid, key)), f.out);
    }
}

void add_wait_flags(CLI::App* cmd, WaitFlags& f) {
    cmd->add_flag("--wait", f.wait, "wait until the process has finished");
    cmd->add_flag("--out", f.out, "with --wait/--follow: print the process output");
    cmd->add_flag("--follow", f.follow, "print the process's logs until it finishes");
    cmd->add_option("--label", f.label, "label of the process");
}

struct ExecFlags {
    std::string func, targettype, targetname;
    std::vector<std::string> args, kwargs, env;
    int64_t maxwaittime = -1, maxexectime = -1, maxretries = -1;
    int64_t priority = 0;
};

FunctionSpec exec_spec(const ExecFlags& f) {
    if (f.targettype.empty() && f.targetname.empty())
        throw CliError(
            "Target Executor Type or Target Executor name must be specified "
            "(--targettype or --targetname)",
            kExitUsage);
    FunctionSpec s;
    s.funcname = f.func;
    for (const auto& a : f.args) s.args.emplace_back(a);
    for (const auto& kv : f.kwargs) {
        auto pos = kv.find(':');
        if (pos == std::string::npos)
            throw CliError("Invalid key-value pair, try e.g. --kwargs cmd:python3", kExitUsage);
        s.kwargs[kv.substr(0, pos)] = kv.substr(pos + 1);
    }
    for (const auto& kv : f.env) {
        auto pos = kv.find('=');
        if (pos == std::string::npos || kv.find('=', pos + 1) != std::string::npos)
            throw CliError("Invalid key-value pair, try e.g. --env key1=value1,key2=value2",
                           kExitUsage);
        s.env[kv.substr(0, pos)] = kv.substr(pos + 1);
    }
    s.maxwaittime = f.maxwaittime;
    s.maxexectime = f.maxexectime;
    s.maxretries = f.maxretries;
    s.priority = f.priority;
    s.conditions.executortype = f.targettype;
    if (!f.targetname.empty()) {
        s.conditions.executornames = {f.targetname};
        s.conditions.executornames_null = false;
    }
    return s;
}

// `function ls`: the registry summed per (executor type, function name) (cli.md 3.11).
void ls(const Context& ctx) {
    auto c = ctx.client();
    auto fns = check(c.get_functions(ctx.need_colony(), "", ctx.need_prvkey()));
    if (ctx.json) {
        print_json(to_json(fns));
        return;
    }
    if (fns.empty()) {
        log_info("No functions found");
        return;
    }
    std::map<std::pair<std::string, std::string>, std::pair<Function, int>> agg;
    for (const auto& f : fns) {
        auto [it, fresh] = agg.try_emplace({f.executortype, f.funcname}, f, 1);
        if (fresh) continue;
        Function& a = it->second.first;
        a.counter += f.counter;
        a.minwaittime = std::min(a.minwaittime, f.minwaittime);
        a.maxwaittime = std::max(a.maxwaittime, f.maxwaittime);
        a.minexectime = std::min(a.minexectime, f.minexectime);
        a.maxexectime = std::max(a.maxexectime, f.maxexectime);
        a.avgwaittime = (a.avgwaittime + f.avgwaittime) / 2;
        a.avgexectime = (a.avgexectime + f.avgexectime) / 2;
        ++it->second.second;
    }
    auto secs = [](double s) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%.6f s", s);
        return std::string(buf);
    };
    for (const auto& [k, v] : agg) {
        const Function& f = v.first;
        KeyValueTable t("Function: " + f.funcname);
        t.add("ExecutorType", f.executortype);
        t.add("FunctionName", f.funcname);
        if (!f.description.empty()) t.add("Description", f.description);
        t.add("Executors", std::to_string(v.second));
        t.add("Call counter", std::to_string(f.counter));
        t.add("MinWaitTime", secs(f.minwaittime));
        t.add("MaxWaitTime", secs(f.maxwaittime));
        t.add("AvgWaitTime", secs(f.avgwaittime));
        t.add("MinExecTime", secs(f.minexectime));
        t.add("MaxExecTime", secs(f.maxexectime));
        t.add("AvgExecTime", secs(f.avgexectime));
        t.print();
    }
}

// `function register` / `remove` (cli.md 3.11): signed by the executor that offers the function.
void add_registry_commands(CLI::App* function, Ctx ctx) {
    auto* reg =
        function->add_subcommand("register", "Register a function of an executor (its key)");
    auto rname = std::make_shared<std::string>(), rfunc = std::make_shared<std::string>();
    auto rdesc = std::make_shared<std::string>();
    reg->add_option("--name", *rname, "name of the executor (signing with its key)")->required();
    reg->add_option("--func", *rfunc, "function name")->required();
    reg->add_option("--desc", *rdesc, "description");
    reg->callback([ctx, rname, rfunc, rdesc] {
        Function f;
        f.executorname = *rname;
        f.colonyname = ctx->need_colony();
        f.funcname = *rfunc;
        f.description = *rdesc;
        auto c = ctx->client();
        auto added = check(c.add_function(f, ctx->need_prvkey()));
        if (ctx->json) {
            print_json(to_json(added));
            return;
        }
        log_info("Function added", {{"FunctionID", added.functionid},
                                    {"ExecutorName", added.executorname},
                                    {"ColonyName", added.colonyname},
                                    {"FuncName", added.funcname}});
        std::cout << added.functionid << "\n" << std::flush;  // for scripts
    });

    auto* rm =
        function->add_subcommand("remove", "Remove a registered function (its executor's key)");
    auto fid = std::make_shared<std::string>();
    rm->add_option("--functionid", *fid, "function id (`executor get` shows it)")->required();
    rm->callback([ctx, fid] {
        auto c = ctx->client();
        check(c.call("removefunctionmsg", {{"functionid", *fid}}, ctx->need_prvkey()));
        log_info("Function removed", {{"FunctionID", *fid}});
    });
}

}  // namespace

void add_function_commands(CLI::App& app, Ctx ctx) {
    auto* function = app.add_subcommand("function", "Submit functions and list the registry");
    function->require_subcommand(1);

    auto* submit = function->add_subcommand("submit", "Submit a function spec (JSON file)");
    auto spec_path = std::make_shared<std::string>();
    auto sf = std::make_shared<WaitFlags>();
    submit->add_option("--spec", *spec_path, "FunctionSpec JSON file")->required();
    add_wait_flags(submit, *sf);
    submit->callback([ctx, spec_path, sf] {
        // The file's conditions.colonyname wins; else --colonyname / COLONIES_COLONY_NAME.
        std::string colony = ctx->colony.empty() ? env("COLONIES_COLONY_NAME") : ctx->colony;
        submit_and_watch(*ctx, read_function_spec(*spec_path, colony), *sf);
    });

    auto* exec = function->add_subcommand("exec", "Submit a function given by flags");
    auto ef = std::make_shared<ExecFlags>();
    auto xf = std::make_shared<WaitFlags>();
    exec->add_option("--func", ef->func, "function name (the command for the OS executor)")
        ->required();
    exec->add_option("--targettype", ef->targettype, "executor type that should run it");
    exec->add_option("--targetname,--targetid", ef->targetname, "executor name that should run it");
    exec->add_option("--args", ef->args, "positional arguments (a,b or repeated)")->delimiter(',');
    exec->add_option("--kwargs", ef->kwargs, "keyword arguments key:value")->delimiter(',');
    exec->add_option("--env", ef->env, "environment key=value")->delimiter(',');
    exec->add_option("--maxwaittime", ef->maxwaittime, "seconds it may wait (-1: forever)")
        ->capture_default_str();
    exec->add_option("--maxexectime", ef->maxexectime, "seconds it may run (-1: forever)")
        ->capture_default_str();
    exec->add_option("--maxretries", ef->maxretries, "re-runs after timeouts (-1: unlimited)")
        ->capture_default_str();
    exec->add_option("--priority", ef->priority, "priority (-50000..50000)");
    add_wait_flags(exec, *xf);
    exec->callback([ctx, ef, xf] { submit_and_watch(*ctx, exec_spec(*ef), *xf); });

    function->add_subcommand("ls", "List registered functions")->callback([ctx] { ls(*ctx); });
    add_registry_commands(function, ctx);
}

}  // namespace colonies::cli
