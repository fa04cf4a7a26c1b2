// `colonies version` and `colonies config` (cli.md 3.1).
#include "cli/commands.hpp"
#include "cli/output.hpp"

namespace colonies::cli {

void add_root_commands(CLI::App& app, Ctx ctx) {
    app.add_subcommand("version", "Show the CLI version")->callback([ctx] {
        if (ctx->json) {
            print_json(boost::json::object{{"version", COLONIES_VERSION}});
            return;
        }
        KeyValueTable t;
        t.add("CLI version", COLONIES_VERSION);
        t.add("CLI buildtime", "");
        t.print();
    });

    app.add_subcommand("config", "Show the configuration the CLI would use")->callback([ctx] {
        auto opts = ctx->client_options();
        std::string colony = ctx->colony.empty() ? env("COLONIES_COLONY_NAME") : ctx->colony;
        if (ctx->json) {
            print_json(boost::json::object{{"host", opts.host},
                                           {"port", opts.port},
                                           {"tls", opts.tls},
                                           {"colonyname", colony}});
            return;
        }
        KeyValueTable t("Current configuration");
        t.add("ColoniesServer", opts.host + ":" + std::to_string(opts.port));
        t.add("TLS", opts.tls ? "true" : "false");
        t.add("Colony", colony);
        t.print();
    });
}

}  // namespace colonies::cli
