// `colonies executor ls|get|add|approve|reject|remove` (cli.md 3.8). Registration changes are
// signed with the colony owner key; reads with COLONIES_PRVKEY. `executor os start` lives in
// executor_os_command.cpp.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>

#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "cli/spec_file.hpp"
#include "core/json.hpp"
#include "crypto/crypto.hpp"

namespace colonies::cli {
namespace {

const char* state_text(ExecutorState s) {
    switch (s) {
        case ExecutorState::Pending:
            return "Pending";
        case ExecutorState::Approved:
            return "Approved";
        case ExecutorState::Rejected:
            return "Rejected";
        case ExecutorState::Unregistered:
            return "Unregistered";
    }
    return "Unknown";
}

Colour state_colour(ExecutorState s) {
    switch (s) {
        case ExecutorState::Approved:
            return Colour::Green;
        case ExecutorState::Pending:
            return Colour::Yellow;
        default:
            return Colour::Red;
    }
}

std::string seconds_text(double s) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.6f s", s);
    return buf;
}

bool icontains(const std::string& hay, const std::string& needle) {
    auto lower = [](std::string s) {
        std::transform(s.begin(), s.end(), s.begin(),
                       [](unsigned char c) { return std::tolower(c); });
        return s;
    };
    return lower(hay).find(lower(needle)) != std::string::npos;
}

// cli.md 3.8: a table per hardware and software entry of the capabilities (features.md 7.5).
void print_capabilities(const Executor& e) {
    auto entries = [&e](const char* key) {
        const auto* v = e.capabilities.if_contains(key);
        return v && v->is_array() ? v->get_array() : boost::json::array{};
    };
    auto field = [](const boost::json::value& o, const char* key) {
        const auto* v = o.is_object() ? o.get_object().if_contains(key) : nullptr;
        return v ? value_text(*v) : std::string();
    };
    const auto hardware = entries("hardware");
    for (size_t i = 0; i < hardware.size(); ++i) {
        const auto& h = hardware[i];
        KeyValueTable t(hardware.size() > 1 ? "Hardware [" + std::to_string(i) + "]" : "Hardware");
        static const boost::json::value kNoGpu = boost::json::object{};
        const auto* gpu = h.is_object() ? h.get_object().if_contains("gpu") : nullptr;
        const auto& g = gpu ? *gpu : kNoGpu;
        for (auto [label, key] : {std::pair{"Nodes", "nodes"},
                                  {"Model", "model"},
                                  {"CPU", "cpu"},
                                  {"Cores", "cores"},
                                  {"Memory", "mem"},
                                  {"Storage", "storage"}})
            t.add(label, field(h, key));
        t.add("GPU", field(g, "name"));
        t.add("GPUs", field(g, "count"));
        t.add("GPU/Node", field(g, "nodecount"));
        t.add("GPU Memory", field(g, "mem"));
        t.add("Platform", field(h, "platform"));
        t.add("Architecture", field(h, "architecture"));
        const auto* net = h.is_object() ? h.get_object().if_contains("network") : nullptr;
        if (net && net->is_array() && !net->get_array().empty()) {
            std::string list;
            for (const auto& n : net->get_array())
                list += (list.empty() ? "" : ", ") + value_text(n);
            t.add("Network", list);
        }
        t.print();
    }
    const auto software = entries("software");
    for (size_t i = 0; i < software.size(); ++i) {
        KeyValueTable t(software.size() > 1 ? "Software [" + std::to_string(i) + "]" : "Software");
        t.add("Name", field(software[i], "name"));
        t.add("Type", field(software[i], "type"));
        t.add("Version", field(software[i], "version"));
        t.print();
    }
}

void print_executor(const Executor& e, const std::vector<Function>& functions) {
    KeyValueTable t;
    t.add("Name", e.executorname);
    t.add("Id", e.executorid);
    t.add("Type", e.executortype);
    t.add("Colony", e.colonyname);
    t.add("State", state_text(e.state));
    t.add("RequireFuncRegistration", e.requirefuncreg ? "True" : "False");
    t.add("Commission Time", table_time(e.commissiontime));
    t.add("Last Heard From", table_time(e.lastheardfromtime));
    t.add("Location", e.locationname.empty() ? "n/a" : e.locationname);
    t.print();
    print_capabilities(e);
    for (const auto& f : functions) {
        KeyValueTable ft("Function: " + f.funcname);
        ft.add("FunctionName", f.funcname);
        ft.add("FunctionId", f.functionid);
        ft.add("Call counter", std::to_string(f.counter));
        ft.add("MinWaitTime", seconds_text(f.minwaittime));
        ft.add("MaxWaitTime", seconds_text(f.maxwaittime));
        ft.add("AvgWaitTime", seconds_text(f.avgwaittime));
        ft.add("MinExecTime", seconds_text(f.minexectime));
        ft.add("MaxExecTime", seconds_text(f.maxexectime));
        ft.add("AvgExecTime", seconds_text(f.avgexectime));
        ft.print();
    }
}

struct LsFlags {
    bool full = false, all = false;
    std::string type, location, filter;
};

void ls(const Context& ctx, const LsFlags& f) {
    auto c = ctx.client();
    const std::string colony = ctx.need_colony();
    const std::string key = ctx.need_prvkey();
    auto all = check(c.get_executors(colony, key));
    std::vector<Executor> shown;
    for (auto& e : all) {
        if (!f.all && e.state == ExecutorState::Unregistered) continue;
        if (!f.type.empty() && e.executortype != f.type) continue;
        if (!f.location.empty() && e.locationname != f.location) continue;
        if (!f.filter.empty() && !icontains(e.executorname, f.filter) &&
            !icontains(e.executortype, f.filter))
            continue;
        shown.push_back(std::move(e));
    }
    if (ctx.json) {
        print_json(to_json(shown), false);
        return;
    }
    if (shown.empty()) {
        log_info("No Executors found");
        return;
    }
    if (f.full) {
        for (size_t i = 0; i < shown.size(); ++i) {
            if (i > 0) std::cout << "\n" << std::string(94, '=') << "\n\n";
            print_executor(shown[i], check(c.get_functions(colony, shown[i].executorname, key)));
        }
        return;
    }
    // Sorted descending by type (cli.md 3.8), then by name for a stable view.
    std::stable_sort(shown.begin(), shown.end(), [](const Executor& a, const Executor& b) {
        return a.executortype != b.executortype ? a.executortype > b.executortype
                                                : a.executorname < b.executorname;
    });
    std::vector<std::string> headers{"Name", "Type"};
    if (f.all) headers.push_back("State");
    headers.insert(headers.end(), {"Location", "Last Heard From"});
    Table t(headers);
    for (const auto& e : shown) {
        std::vector<std::string> row{e.executorname, e.executortype};
        std::vector<Colour> colours{Colour::None, Colour::None};
        if (f.all) {
            row.push_back(state_text(e.state));
            colours.push_back(state_colour(e.state));
        }
        row.push_back(e.locationname.empty() ? "n/a" : e.locationname);
        row.push_back(table_time(e.lastheardfromtime));
        t.add_row(row, colours);
    }
    t.print();
}

struct AddFlags {
    std::string id, spec, name, type;
    bool approve = false;
    std::string keypath, idpath;  // executor create
};

void add(const Context& ctx, const AddFlags& f, const Fields& also = {}) {
    Executor e;
    if (!f.spec.empty()) e = check(executor_from_json(read_json_file(f.spec)));
    if (!f.name.empty()) e.executorname = f.name;
    if (!f.type.empty()) e.executortype = f.type;
    if (e.executorname.empty())
        throw CliError("ExecutorName must be specified if omitting spec file (--name)");
    if (e.executortype.empty())
        throw CliError("ExecutorType must be specified if omitting spec file (--type)");
    if (f.id.size() != 64) throw CliError("Invalid Executor Id length (--executorid: 64 hex)");
    e.executorid = f.id;
    e.colonyname = ctx.need_colony();
    const std::string colony_key = ctx.need_colony_prvkey();
    auto c = ctx.client();
    auto added = check(c.add_executor(e, colony_key));
    if (f.approve) {
        log_info("Approving Executor", {{"ExecutorName", added.executorname}});
        check(c.approve_executor(added.colonyname, added.executorname, colony_key));
    }
    Fields fields{{"ExecutorName", added.executorname},
                  {"ExecutorType", added.executortype},
                  {"ExecutorID", added.executorid},
                  {"ColonyName", added.colonyname}};
    fields.insert(fields.end(), also.begin(), also.end());
    log_info("Executor added", fields);
}

void write_private(const std::string& path, const std::string& text, mode_t mode) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0) throw CliError("cannot write " + path + ": " + std::strerror(errno));
    const std::string line = text + "\n";
    const bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
    ::fchmod(fd, mode);  // also when the file was there before
    ::close(fd);
    if (!ok) throw CliError("cannot write " + path + ": " + std::strerror(errno));
}

// `executor create` (cli.md 3.8): a fresh key pair saved to --keypath/--idpath, then as `add`.
// The key file is readable by its owner only (upstream writes 0644).
void create(const Context& ctx, AddFlags f) {
    if (f.keypath.empty()) throw CliError("Private key path not specified (--keypath)", kExitUsage);
    if (f.idpath.empty()) throw CliError("ID path not specified (--idpath)", kExitUsage);
    ctx.need_colony_prvkey();  // before anything is written
    const std::string prvkey = crypto::generate_private_key();
    f.id = check(crypto::id_from_private_key(prvkey));
    write_private(f.keypath, prvkey, 0600);
    write_private(f.idpath, f.id, 0644);
    log_info("Generated Executor Id", {{"ExecutorID", f.id}});
    add(ctx, f, {{"PrvKeyPath", f.keypath}, {"IDPath", f.idpath}});
}

// approve / reject / remove: one colony-key call on an executor name.
CLI::App* add_state_command(CLI::App* executor, Ctx ctx, const char* name, const char* help,
                            Status (client::Client::*call)(const std::string&, const std::string&,
                                                           const std::string&),
                            const char* done) {
    auto* cmd = executor->add_subcommand(name, help);
    auto ename = std::make_shared<std::string>();
    cmd->add_option("--name", *ename, "executor name")->required();
    cmd->callback([ctx, ename, call, done] {
        auto c = ctx->client();
        check((c.*call)(ctx->need_colony(), *ename, ctx->need_colony_prvkey()));
        log_info(done, {{"ExecutorName", *ename}});
    });
    return cmd;
}

}  // namespace

void add_executor_commands(CLI::App& app, Ctx ctx) {
    auto* executor = app.add_subcommand("executor", "Manage executors and run the OS executor");
    executor->require_subcommand(1);

    auto* ls_cmd = executor->add_subcommand("ls", "List the colony's executors");
    auto lf = std::make_shared<LsFlags>();
    ls_cmd->add_flag("--full", lf->full, "show every executor in detail");
    ls_cmd->add_flag("--all", lf->all, "include unregistered executors");
    ls_cmd->add_option("--type", lf->type, "only this executor type");
    ls_cmd->add_option("--location", lf->location, "only this location");
    ls_cmd->add_option("-f,--filter", lf->filter, "substring of name or type (any case)");
    ls_cmd->callback([ctx, lf] { ls(*ctx, *lf); });

    auto* get = executor->add_subcommand("get", "Show one executor");
    auto gname = std::make_shared<std::string>();
    get->add_option("--name", *gname, "executor name")->required();
    get->callback([ctx, gname] {
        auto c = ctx->client();
        const std::string colony = ctx->need_colony(), key = ctx->need_prvkey();
        auto e = check(c.get_executor(colony, *gname, key));
        if (ctx->json) {
            print_json(to_json(e));
            return;
        }
        print_executor(e, check(c.get_functions(colony, e.executorname, key)));
    });

    auto* add_cmd = executor->add_subcommand("add", "Register an executor (colony owner key)");
    auto af = std::make_shared<AddFlags>();
    add_cmd->add_option("--executorid", af->id, "the executor's id (64 hex)")->required();
    add_cmd->add_option("--spec", af->spec, "Executor JSON file");
    add_cmd->add_option("--name", af->name, "executor name (overrides the spec)");
    add_cmd->add_option("--type", af->type, "executor type (overrides the spec)");
    add_cmd->add_flag("--approve", af->approve, "approve it as well");
    add_cmd->callback([ctx, af] { add(*ctx, *af); });

    auto* create_cmd = executor->add_subcommand(
        "create", "Generate a key pair and register an executor with it (colony owner key)");
    auto cf = std::make_shared<AddFlags>();
    create_cmd->add_option("--spec", cf->spec, "Executor JSON file");
    create_cmd->add_option("--name", cf->name, "executor name (overrides the spec)");
    create_cmd->add_option("--type", cf->type, "executor type (overrides the spec)");
    create_cmd->add_flag("--approve", cf->approve, "approve it as well");
    create_cmd->add_option("--keypath", cf->keypath, "file to write the private key to");
    create_cmd->add_option("--idpath", cf->idpath, "file to write the executor id to");
    create_cmd->callback([ctx, cf] { create(*ctx, *cf); });

    add_state_command(executor, ctx, "approve", "Approve an executor (colony owner key)",
                      &client::Client::approve_executor, "Executor approved");
    add_state_command(executor, ctx, "reject", "Reject an executor (colony owner key)",
                      &client::Client::reject_executor, "Executor rejected");
    add_state_command(executor, ctx, "remove", "Unregister an executor (colony owner key)",
                      &client::Client::remove_executor, "Executor removed");

    add_executor_os_command(*executor, ctx);
}

}  // namespace colonies::cli
