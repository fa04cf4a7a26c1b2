// `colonies process pause|resume|status` (cli.md 3.12) and `colonies process history` (ours:
// getprocesshistmsg, and with -p one process's transitions, docs/cli.md).
#include <algorithm>
#include <map>
#include <memory>
#include <optional>

#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "core/json.hpp"

namespace colonies::cli {
namespace {

std::optional<ProcessState> history_state(const std::string& text) {
    std::string s = text;
    for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (s.empty() || s == "all") return std::nullopt;
    if (s == "waiting" || s == "0") return ProcessState::Waiting;
    if (s == "running" || s == "1") return ProcessState::Running;
    if (s == "successful" || s == "success" || s == "2") return ProcessState::Success;
    if (s == "failed" || s == "3") return ProcessState::Failed;
    if (s == "cancelled" || s == "canceled" || s == "4") return ProcessState::Cancelled;
    throw CliError("Invalid --state " + text +
                       ", select all, waiting, running, successful, failed or cancelled",
                   kExitUsage);
}

struct HistoryFlags {
    std::string processid, state, executorid;
    int64_t seconds = 3600;
};

// One process's state changes, oldest first.
void transitions(const Context& ctx, const std::string& id) {
    auto c = ctx.client();
    const std::string key = ctx.need_prvkey();
    auto ts = check(c.get_process_transitions(id, key));
    if (ctx.json) {
        print_json(to_json(ts));
        return;
    }
    Table t({"Time", "State", "Event", "Executor"});
    std::map<std::string, std::string> names;
    for (const auto& tr : ts) {
        std::string executor = tr.executorid;
        if (!executor.empty()) {
            auto it = names.find(executor);
            if (it == names.end()) {
                // The colony is not needed to find an executor by id (protocol.md 5.4).
                auto e = c.get_executor_by_id("", executor, key);
                it = names.emplace(executor, e ? e->executorname : executor.substr(0, 12)).first;
            }
            executor = it->second;
        }
        t.add_row({table_time(tr.time), state_text(tr.state), tr.event, executor},
                  {Colour::None, state_colour(tr.state), Colour::None, Colour::None});
    }
    t.print();
}

// Processes submitted within the last `seconds` (every state unless --state), oldest first.
void history(const Context& ctx, const HistoryFlags& f) {
    if (!f.processid.empty()) return transitions(ctx, f.processid);
    const auto one = history_state(f.state);
    auto c = ctx.client();
    const std::string colony = ctx.need_colony(), key = ctx.need_prvkey();
    std::vector<Process> ps;
    for (int s = 0; s <= 4; ++s) {
        const auto state = static_cast<ProcessState>(s);
        if (one && *one != state) continue;
        auto got = check(c.get_process_history(colony, f.executorid, f.seconds, state, key));
        ps.insert(ps.end(), got.begin(), got.end());
    }
    std::stable_sort(ps.begin(), ps.end(), [](const Process& a, const Process& b) {
        return a.submissiontime.ns < b.submissiontime.ns;
    });
    if (ctx.json) {
        print_json(to_json(ps));
        return;
    }
    if (ps.empty()) {
        log_info("No processes found", {{"ColonyName", colony}});
        return;
    }
    Table t({"ID", "FuncName", "State", "Submission time", "Start time", "End time"});
    for (const auto& p : ps)
        t.add_row({p.processid, p.spec.funcname, state_text(p.state), table_time(p.submissiontime),
                   table_time(p.starttime), table_time(p.endtime)},
                  {Colour::None, Colour::None, state_colour(p.state), Colour::None, Colour::None,
                   Colour::None});
    t.print();
}

void pause_status(const Context& ctx) {
    auto c = ctx.client();
    const std::string colony = ctx.need_colony();
    const bool paused = check(c.get_pause_status(colony, ctx.need_prvkey()));
    if (ctx.json) {
        print_json(boost::json::object{{"colonyname", colony}, {"ispaused", paused}});
        return;
    }
    log_info(
        paused ? "Colony process assignments are PAUSED" : "Colony process assignments are ACTIVE",
        {{"Colony", colony}});
}

}  // namespace

void add_process_ledger_commands(CLI::App* process, Ctx ctx) {
    auto* pause = process->add_subcommand("pause", "Pause process assignments in the colony");
    pause->callback([ctx] {
        auto c = ctx->client();
        const std::string colony = ctx->need_colony();
        check(c.pause_assignments(colony, ctx->need_colony_prvkey()));
        log_info("Colony process assignments have been paused", {{"Colony", colony}});
    });
    auto* resume = process->add_subcommand("resume", "Resume process assignments in the colony");
    resume->callback([ctx] {
        auto c = ctx->client();
        const std::string colony = ctx->need_colony();
        check(c.resume_assignments(colony, ctx->need_colony_prvkey()));
        log_info("Colony process assignments have been resumed", {{"Colony", colony}});
    });
    auto* status = process->add_subcommand("status", "Show whether assignments are paused");
    status->callback([ctx] { pause_status(*ctx); });

    auto* hist = process->add_subcommand(
        "history", "Processes submitted lately, or one process's state changes (-p)");
    auto f = std::make_shared<HistoryFlags>();
    hist->add_option("-p,--processid", f->processid, "show this process's state changes");
    hist->add_option("--state", f->state, "all (default), waiting, running, successful, ...");
    hist->add_option("--seconds", f->seconds, "submitted within the last seconds")
        ->capture_default_str();
    hist->add_option("--executorid", f->executorid, "only processes assigned to this executor");
    hist->callback([ctx, f] { history(*ctx, *f); });
}

}  // namespace colonies::cli
