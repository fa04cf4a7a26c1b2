// `colonies location add|ls|get|remove` (cli.md 3.10). add/remove need the colony owner key,
// ls/get a member's key (COLONIES_PRVKEY).
#include <algorithm>
#include <charconv>
#include <cstdio>
#include <memory>

#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "core/json.hpp"
#include "crypto/crypto.hpp"

namespace colonies::cli {
namespace {

struct AddFlags {
    std::string name, desc;
    double longitude = 0, latitude = 0;
};

// As Go prints a float64 in a log field (%v): the shortest text that reads back the same.
std::string shortest(double v) {
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, r.ptr);
}

std::string fixed(double v, int decimals) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

void add(const Context& ctx, const AddFlags& f) {
    // Upstream's CLI makes a random id (features.md 0), as here.
    Location l{crypto::sha3_256_hex(crypto::generate_private_key()),
               f.name,
               ctx.need_colony(),
               f.desc,
               f.longitude,
               f.latitude};
    const std::string key = ctx.need_colony_prvkey();
    auto c = ctx.client();
    auto added = check(c.add_location(l, key));
    log_info("Location added", {{"ColonyName", added.colonyname},
                                {"Name", added.name},
                                {"LocationID", added.locationid},
                                {"Description", added.description},
                                {"Long", shortest(added.longitude)},
                                {"Lat", shortest(added.latitude)}});
}

void ls(const Context& ctx) {
    auto c = ctx.client();
    const std::string colony = ctx.need_colony();
    auto locations = check(c.get_locations(colony, ctx.need_prvkey()));
    if (ctx.json) {
        print_json(to_json(locations));
        return;
    }
    if (locations.empty()) {
        log_info("No locations found", {{"ColonyName", colony}});
        return;
    }
    std::sort(locations.begin(), locations.end(),
              [](const Location& a, const Location& b) { return a.name > b.name; });
    Table t({"Name", "Description", "Long", "Lat"});
    for (const auto& l : locations)
        t.add_row({l.name, l.description, fixed(l.longitude, 4), fixed(l.latitude, 4)});
    t.print();
}

void get(const Context& ctx, const std::string& name) {
    auto c = ctx.client();
    auto l = check(c.get_location(ctx.need_colony(), name, ctx.need_prvkey()));
    if (ctx.json) {
        print_json(to_json(l));
        return;
    }
    KeyValueTable t;
    t.add("Name", l.name);
    t.add("LocationID", l.locationid);
    t.add("Colony", l.colonyname);
    t.add("Description", l.description);
    t.add("Longitude", fixed(l.longitude, 6));
    t.add("Latitude", fixed(l.latitude, 6));
    t.print();
}

void remove(const Context& ctx, const std::string& name) {
    const std::string colony = ctx.need_colony();
    const std::string key = ctx.need_colony_prvkey();
    if (!confirm("WARNING!!! Are you sure you want to remove location " + name + " in colony " +
                 colony + "? (YES,no): "))
        return;
    auto c = ctx.client();
    check(c.remove_location(colony, name, key));
    log_info("Location removed", {{"ColonyName", colony}, {"LocationName", name}});
}

}  // namespace

void add_location_commands(CLI::App& app, Ctx ctx) {
    auto* location = app.add_subcommand("location", "Manage locations (where executors are)");
    location->require_subcommand(1);

    auto* add_cmd = location->add_subcommand("add", "Add a location (colony owner key)");
    auto af = std::make_shared<AddFlags>();
    add_cmd->add_option("--name", af->name, "location name")->required();
    add_cmd->add_option("--desc", af->desc, "description");
    add_cmd->add_option("--long", af->longitude, "longitude (default 0)");
    add_cmd->add_option("--lat", af->latitude, "latitude (default 0)");
    add_cmd->callback([ctx, af] { add(*ctx, *af); });

    location->add_subcommand("ls", "List the colony's locations")->callback([ctx] { ls(*ctx); });

    auto* get_cmd = location->add_subcommand("get", "Show one location");
    auto gname = std::make_shared<std::string>();
    get_cmd->add_option("--name", *gname, "location name")->required();
    get_cmd->callback([ctx, gname] { get(*ctx, *gname); });

    auto* remove_cmd = location->add_subcommand("remove", "Remove a location (colony owner key)");
    auto rname = std::make_shared<std::string>();
    remove_cmd->add_option("--name", *rname, "location name")->required();
    remove_cmd->callback([ctx, rname] { remove(*ctx, *rname); });
}

}  // namespace colonies::cli
