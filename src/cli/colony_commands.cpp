// `colonies colony add|remove|ls|get|stats|check` (cli.md 3.7). add/remove/ls are signed with
// the server owner key; get/stats/check with COLONIES_PRVKEY (a colony member).
#include <memory>

#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "core/json.hpp"

namespace colonies::cli {
namespace {

void print_stats(const std::string& colony, const Statistics& s) {
    KeyValueTable t;
    t.add("Colony", colony);
    t.add("Executors", std::to_string(s.executors));
    t.add("Active executors", std::to_string(s.activeexecutors));
    t.add("Unregistered executors", std::to_string(s.unregisteredexecutors));
    t.add("Waiting processes", std::to_string(s.waitingprocesses));
    t.add("Running processes", std::to_string(s.runningprocesses));
    t.add("Successful processes", std::to_string(s.successfulprocesses));
    t.add("Failed processes", std::to_string(s.failedprocesses));
    t.add("Cancelled processes", std::to_string(s.cancelledprocesses));
    t.add("Waiting workflows", std::to_string(s.waitingworkflows));
    t.add("Running workflows", std::to_string(s.runningworkflows));
    t.add("Successful workflows", std::to_string(s.successfulworkflows));
    t.add("Failed workflows", std::to_string(s.failedworkflows));
    t.print();
}

}  // namespace

void add_colony_commands(CLI::App& app, Ctx ctx) {
    auto* colony = app.add_subcommand("colony", "Manage colonies");
    colony->require_subcommand(1);

    auto* add = colony->add_subcommand("add", "Add a colony (server owner key)");
    auto name = std::make_shared<std::string>();
    auto id = std::make_shared<std::string>();
    add->add_option("--name", *name, "colony name")->required();
    add->add_option("--colonyid", *id, "the colony's id (id of its owner key)")->required();
    add->callback([ctx, name, id] {
        auto c = ctx->client();
        auto added = check(c.add_colony(Colony{*id, *name}, ctx->need_server_prvkey()));
        log_info("Colony added", {{"ColonyName", added.name}, {"ColonyID", added.colonyid}});
    });

    auto* remove = colony->add_subcommand("remove", "Remove a colony and everything in it");
    auto rname = std::make_shared<std::string>();
    remove->add_option("--name", *rname, "colony name")->required();
    remove->callback([ctx, rname] {
        auto c = ctx->client();
        check(c.remove_colony(*rname, ctx->need_server_prvkey()));
        log_info("Colony removed", {{"ColonyName", *rname}});
    });

    colony->add_subcommand("ls", "List colonies (server owner key)")->callback([ctx] {
        auto c = ctx->client();
        auto colonies = check(c.get_colonies(ctx->need_server_prvkey()));
        if (ctx->json) {
            print_json(to_json(colonies), false);
            return;
        }
        if (colonies.empty()) {
            log_info("No Colonies found");
            return;
        }
        Table t({"Name", "ColonyId"});
        for (const auto& col : colonies) t.add_row({col.name, col.colonyid});
        t.print();
    });

    auto* get = colony->add_subcommand("get", "Show one colony");
    auto gname = std::make_shared<std::string>();
    get->add_option("--name", *gname, "colony name (default: COLONIES_COLONY_NAME)");
    get->callback([ctx, gname] {
        auto c = ctx->client();
        const std::string name = gname->empty() ? ctx->need_colony() : *gname;
        auto col = check(c.get_colony(name, ctx->need_prvkey()));
        if (ctx->json) {
            print_json(to_json(col));
            return;
        }
        KeyValueTable t;
        t.add("Name", col.name);
        t.add("ColonyId", col.colonyid);
        t.print();
    });

    colony->add_subcommand("stats", "Show process and executor counts of the colony")
        ->callback([ctx] {
            auto c = ctx->client();
            const std::string name = ctx->need_colony();
            auto s = check(c.get_colony_statistics(name, ctx->need_prvkey()));
            if (ctx->json) {
                print_json(to_json(s));
                return;
            }
            print_stats(name, s);
        });

    auto* chk = colony->add_subcommand("check", "Exit 0 when the colony exists (readiness probe)");
    auto cname = std::make_shared<std::string>();
    chk->add_option("--name", *cname, "colony name (default: COLONIES_COLONY_NAME)");
    chk->callback([ctx, cname] {
        auto c = ctx->client();
        const std::string name = cname->empty() ? ctx->need_colony() : *cname;
        check(c.get_colony(name, ctx->need_prvkey()));
        log_info("Colony exists", {{"ColonyName", name}});
    });
}

}  // namespace colonies::cli
