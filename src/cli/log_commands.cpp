// `colonies log add|get|search` (cli.md 3.15) and the follow loop of log_follow.hpp.
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

struct SearchFlags {
    std::string text;
    int days = 1;
    int count = 20;  // cli.md 6.7: the effective default, whatever the help says
    bool print = false;
    int64_t seconds = 1;
};

// One hit as a key-value table; the text trimmed and wrapped at 64 characters (continuation
// lines have no key, since table cells are one line).
void print_hit(const Log& l) {
    KeyValueTable t;
    t.add("Timestamp", table_time(Time::from_ns(l.timestamp)));
    t.add("ExecutorName", l.executorname);
    t.add("ProcessID", l.processid);
    auto lines = wrap_words(l.message, 64);
    t.add("Text", lines.empty() ? "" : lines[0]);
    for (size_t i = 1; i < lines.size(); ++i) t.add("", lines[i]);
    t.print();
}

// --print: the hit's process logs, as upstream from the absolute time `seconds` x 10^9 ns
// (cli.md 7.11), which is in practice from the start.
void print_hit_with_logs(client::Client& c, const std::string& colony, const Log& l,
                         const SearchFlags& f, const std::string& key) {
    std::cout << "Timestamp: " << table_time(Time::from_ns(l.timestamp)) << "\n"
              << "ProcessID: " << l.processid << "\n"
              << "ExecutorName: " << l.executorname << "\n"
              << "=================== LOGS ====================\n";
    auto logs = check(c.get_logs(colony, l.processid, f.count, f.seconds * 1000000000LL, key));
    for (const auto& entry : logs) print_log_message(entry.message);
    std::cout << "================= END LOGS ==================\n\n" << std::flush;
}

void search(const Context& ctx, const SearchFlags& f) {
    auto c = ctx.client();
    const std::string colony = ctx.need_colony(), key = ctx.need_prvkey();
    log_info(
        "Searching for logs",
        {{"Text", f.text}, {"Days", std::to_string(f.days)}, {"Count", std::to_string(f.count)}});
    auto hits = check(c.search_logs(colony, f.text, f.days, f.count, key));
    if (ctx.json) {
        print_json(to_json(hits));
        return;
    }
    if (hits.empty()) {
        log_info("No logs found");
        return;
    }
    for (const auto& l : hits) {
        if (f.print)
            print_hit_with_logs(c, colony, l, f, key);
        else
            print_hit(l);
    }
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

    auto* search_cmd = log->add_subcommand("search", "Find log entries of the colony by text");
    auto sf = std::make_shared<SearchFlags>();
    search_cmd->add_option("-t,--text", sf->text, "text to look for (case-sensitive)")->required();
    search_cmd->add_option("-d,--days", sf->days, "how many days back (max 30)")
        ->capture_default_str();
    search_cmd->add_option("--count", sf->count, "entries to find (max 100)")
        ->capture_default_str();
    search_cmd->add_flag("--print", sf->print, "print each hit's process logs");
    search_cmd
        ->add_option("--seconds", sf->seconds,
                     "with --print: logs after this Unix time in seconds (as upstream)")
        ->capture_default_str();
    search_cmd->callback([ctx, sf] { search(*ctx, *sf); });
}

}  // namespace colonies::cli
