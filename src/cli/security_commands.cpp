// `colonies security generate|id` (cli.md 3.5): keys without a server. Scripts parse the
// `Id=` and `PrvKey=` tokens of the log line, so its format is part of the interface.
#include <memory>

#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "crypto/crypto.hpp"

namespace colonies::cli {

void add_security_commands(CLI::App& app, Ctx ctx) {
    auto* security = app.add_subcommand("security", "Generate keys and derive ids");
    security->require_subcommand(1);

    security->add_subcommand("generate", "Generate a new secp256k1 key pair")->callback([ctx] {
        const std::string prv = crypto::generate_private_key();
        const std::string id = check(crypto::id_from_private_key(prv));
        if (ctx->json) {
            print_json(boost::json::object{{"id", id}, {"prvkey", prv}});
            return;
        }
        log_info("Generated new private key", {{"Id", id}, {"PrvKey", prv}});
    });

    auto* id_cmd = security->add_subcommand("id", "Print the id of a private key");
    auto key = std::make_shared<std::string>();
    // Only the flag is used (no environment fallback), as upstream; it shadows the global one.
    id_cmd->add_option("--prvkey", *key, "private key (64 hex)")->required();
    id_cmd->callback([ctx, key] {
        const std::string id = check(crypto::id_from_private_key(*key));
        if (ctx->json) {
            print_json(boost::json::object{{"id", id}});
            return;
        }
        log_info("Corresponding Id for the given private key", {{"Id", id}});
    });
}

}  // namespace colonies::cli
