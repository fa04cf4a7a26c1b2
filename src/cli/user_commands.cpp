// `colonies user add|ls|get|remove` (cli.md 3.9). add/remove need the colony owner key.
#include <algorithm>
#include <memory>

#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "core/json.hpp"

namespace colonies::cli {
namespace {

struct AddFlags {
    std::string name, id, email, phone;
};

}  // namespace

void add_user_commands(CLI::App& app, Ctx ctx) {
    auto* user = app.add_subcommand("user", "Manage users");
    user->require_subcommand(1);

    auto* add = user->add_subcommand("add", "Add a user (colony owner key)");
    auto f = std::make_shared<AddFlags>();
    add->add_option("--name", f->name, "user name")->required();
    add->add_option("--userid", f->id, "the user's id (64 hex)")->required();
    add->add_option("--email", f->email, "email address");
    add->add_option("--phone", f->phone, "phone number");
    add->callback([ctx, f] {
        if (f->id.size() != 64) throw CliError("Invalid user Id length (--userid: 64 hex)");
        User u{ctx->need_colony(), f->id, f->name, f->email, f->phone};
        auto c = ctx->client();
        auto added = check(c.add_user(u, ctx->need_colony_prvkey()));
        log_info("User added", {{"ColonyName", added.colonyname},
                                {"UserId", added.userid},
                                {"Username", added.name},
                                {"Email", added.email},
                                {"Phone", added.phone}});
    });

    user->add_subcommand("ls", "List the colony's users")->callback([ctx] {
        auto c = ctx->client();
        auto users = check(c.get_users(ctx->need_colony(), ctx->need_prvkey()));
        if (ctx->json) {
            print_json(to_json(users));
            return;
        }
        if (users.empty()) {
            log_info("No users found");
            return;
        }
        std::sort(users.begin(), users.end(),
                  [](const User& a, const User& b) { return a.name > b.name; });
        Table t({"Username", "Email", "Phone"});
        for (const auto& u : users) t.add_row({u.name, u.email, u.phone});
        t.print();
    });

    auto* get = user->add_subcommand("get", "Show one user");
    auto gname = std::make_shared<std::string>();
    get->add_option("--name", *gname, "user name")->required();
    get->callback([ctx, gname] {
        auto c = ctx->client();
        auto u = check(c.get_user(ctx->need_colony(), *gname, ctx->need_prvkey()));
        if (ctx->json) {
            print_json(to_json(u));
            return;
        }
        KeyValueTable t;
        t.add("Username", u.name);
        t.add("UserId", u.userid);
        t.add("Colony", u.colonyname);
        t.add("Email", u.email);
        t.add("Phone", u.phone);
        t.print();
    });

    auto* remove = user->add_subcommand("remove", "Remove a user (colony owner key)");
    auto rname = std::make_shared<std::string>();
    remove->add_option("--name", *rname, "user name")->required();
    remove->callback([ctx, rname] {
        const std::string colony = ctx->need_colony();
        const std::string key = ctx->need_colony_prvkey();
        if (!confirm("WARNING!!! Are you sure you want to remove user " + *rname + " in colony " +
                     colony + " ! (YES,no): "))
            return;
        auto c = ctx->client();
        check(c.remove_user(colony, *rname, key));
        log_info("User removed", {{"Username", *rname}, {"ColonyName", colony}});
    });
}

}  // namespace colonies::cli
