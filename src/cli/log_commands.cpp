// `colonies log add|get` (cli.md 3.15) and the follow loop of log_follow.hpp.
#include <iostream>
#include <memory>
#include <thread>

#include "cli/commands.hpp"
#include "cli/log_follow.hpp"
#include "cli/output.hpp"
#include "core/json.hpp"

namespace colonies::cli {
namespace {

// Fetches and prints everything newer than `since`; returns how many entries came.
size_t drain(client::Client& c, client::Client::LogQuery& q, const std::string& key) {
    size_t total = 0;
    for (;;) {
        auto logs = check(c.get_logs(q, key));
        for (const auto& l : logs) {
            print_log_message(l.message);
            q.since_ns = std::max(q.since_ns, l.timestamp);
        }
        total += logs.size();
        if (logs.size() < static_cast<size_t>(q.count)) return total;
    }
}

struct GetFlags {
    std::string processid, executorname;
    int64_t since = 0;
    int count = 20;
    bool follow = false, first = false, latest = true;
};

void get(const Context& ctx, const GetFlags& f) {
    if (f.processid.empty() && f.executorname.empty())
        throw CliError("give a process (-p/--processid) or an executor (-e/--executorname)",
                       kExitUsage);
    auto c = ctx.client();
    const std::string colony = ctx.need_colony(), key = ctx.need_prvkey();
    if (f.follow && !f.processid.empty()) {
        follow_process(c, colony, f.processid, key, std::chrono::seconds(1), f.count);
        return;
    }
    client::Client::LogQuery q{colony, f.processid, f.executorname, f.count, f.since, false};
    if (f.follow) {  // executor logs have no end: follow until interrupted
        for (;;) {
            if (drain(c, q, key) == 0) std::this_thread::sleep_for(std::chrono::seconds(1));
        }
    }
    q.latest = !f.first && f.since == 0;
    auto logs = check(c.get_logs(q, key));
    if (ctx.json) {
        print_json(to_json(logs));
        return;
    }
    if (logs.empty()) {
        log_info("No logs found");
        return;
    }
    for (const auto& l : logs) print_log_message(l.message);
}

}  // namespace

void print_log_message(const std::string& message) {
    std::cout << message;
    if (message.empty() || message.back() != '\n') std::cout << '\n';
    std::cout << std::flush;
}

ProcessState follow_process(client::Client& c, const std::string& colony,
                            const std::string& processid, const std::string& prvkey,
                            std::chrono::milliseconds idle, int batch) {
    client::Client::LogQuery q{colony, processid, "", batch, 0, false};
    for (;;) {
        if (drain(c, q, prvkey) > 0) continue;
        std::this_thread::sleep_for(idle);
        auto p = check(c.get_process(processid, prvkey));
        if (is_final(p.state)) {
            drain(c, q, prvkey);  // what was logged between the last poll and the end
            return p.state;
        }
    }
}

void add_log_commands(CLI::App& app, Ctx ctx) {
    auto* log = app.add_subcommand("log", "Add and read process logs");
    log->require_subcommand(1);

    auto* add = log->add_subcommand("add", "Add a log line to a running process (its executor)");
    auto pid = std::make_shared<std::string>();
    auto msg = std::make_shared<std::string>();
    add->add_option("-p,--processid", *pid, "process id")->required();
    add->add_option("-m,--msg", *msg, "log message")->required();
    add->callback([ctx, pid, msg] {
        auto c = ctx->client();
        // Messages are stored verbatim; executors end lines with a newline, so do the same.
        std::string text = *msg;
        if (text.empty() || text.back() != '\n') text += '\n';
        check(c.add_log(*pid, text, ctx->need_prvkey()));
        log_info("Adding log", {{"ProcessID", *pid}, {"LogMsg", *msg}});
    });

    auto* get_cmd = log->add_subcommand("get", "Print a process's (or an executor's) logs");
    auto f = std::make_shared<GetFlags>();
    get_cmd->add_option("-p,--processid", f->processid, "process id");
    get_cmd->add_option("-e,--executorname", f->executorname, "executor name (executor logs)");
    get_cmd->add_option("--since", f->since, "only entries after this Unix time in ns");
    get_cmd->add_option("--count", f->count, "entries to fetch (max 500)")->capture_default_str();
    get_cmd->add_flag("--follow", f->follow, "keep printing new entries until the process ends");
    get_cmd->add_flag("-f,--first", f->first, "the oldest entries instead of the newest");
    get_cmd->add_flag("-l,--latest", f->latest, "the newest entries (default)");
    get_cmd->callback([ctx, f] { get(*ctx, *f); });
}

}  // namespace colonies::cli
