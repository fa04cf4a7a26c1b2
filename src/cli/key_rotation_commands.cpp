// `colonies colony|executor|user|server chid` (cli.md 3.2, 3.7-3.9): move a record to the id of
// a new key (protocol.md 5.15). Registered on the groups the other files made, so each group's
// file stays as it is. The colony is changed with the colony owner key, the server with the
// server owner key, a user or an executor with its own key (COLONIES_PRVKEY).
#include <memory>

#include "cli/commands.hpp"
#include "cli/output.hpp"

namespace colonies::cli {
namespace {

enum class Target { Colony, Executor, User, Server };

struct Chid {
    const char* group;
    const char* flag;       // the new id's flag
    const char* label;      // "colony", ... as in upstream's messages
    const char* log_field;  // the new id's log field
    Target target;
};

constexpr Chid kChids[] = {
    {"colony", "--colonyid", "colony", "ColonyId", Target::Colony},
    {"executor", "--executorid", "executor", "ExecutorId", Target::Executor},
    {"user", "--userid", "user", "UserId", Target::User},
    {"server", "--serverid", "server", "ServerId", Target::Server},
};

void change(const Context& ctx, const Chid& c, const std::string& new_id) {
    if (new_id.size() != 64) throw CliError("Invalid " + std::string(c.label) + " Id length");
    auto client = ctx.client();
    std::string colony;
    switch (c.target) {
        case Target::Colony:
            colony = ctx.need_colony();
            check(client.change_colony_id(colony, new_id, ctx.need_colony_prvkey()));
            break;
        case Target::Executor:
            colony = ctx.need_colony();
            check(client.change_executor_id(colony, new_id, ctx.need_prvkey()));
            break;
        case Target::User:
            colony = ctx.need_colony();
            check(client.change_user_id(colony, new_id, ctx.need_prvkey()));
            break;
        case Target::Server:
            check(client.change_server_id(new_id, ctx.need_server_prvkey()));
            log_info("Changed server Id", {{c.log_field, new_id}});
            return;
    }
    log_info("Changed " + std::string(c.label) + " Id",
             {{"ColonyName", colony}, {c.log_field, new_id}});
}

}  // namespace

void add_key_rotation_commands(CLI::App& app, Ctx ctx) {
    for (const Chid& c : kChids) {
        CLI::App* group = app.get_subcommand(c.group);
        auto* cmd = group->add_subcommand(
            "chid", "Change the " + std::string(c.label) + " Id to that of a new key");
        auto id = std::make_shared<std::string>();
        cmd->add_option(c.flag, *id, "the new id (64 hex, `colonies security generate`)")
            ->required();
        cmd->callback([ctx, &c, id] { change(*ctx, c, *id); });
    }
}

}  // namespace colonies::cli
