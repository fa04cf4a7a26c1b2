// `colonies cluster info` (cli.md 3.6): the servers of the cluster and which one leads, from
// getclustermsg signed with the server owner key.
#include <algorithm>
#include <memory>

#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "core/json.hpp"

namespace colonies::cli {
namespace {

struct NodeRow {
    std::string name, host;
    int64_t apiport = 0, port = 0, peerport = 0, relayport = 0;
};

NodeRow node_row(const boost::json::value& v) {
    NodeRow n;
    if (!v.is_object()) return n;
    JsonFields f(v.as_object());
    n.name = f.str("name");
    n.host = f.str("host");
    n.apiport = f.integer("apiport");
    n.port = f.integer("port");
    n.peerport = f.integer("peerport");
    n.relayport = f.integer("relayport");
    return n;
}

void info(const Context& ctx) {
    auto c = ctx.client();
    auto view = check(c.get_cluster(ctx.need_server_prvkey()));
    if (ctx.json) {
        print_json(view);
        return;
    }
    std::vector<NodeRow> nodes;
    std::string leader;
    if (view.is_object()) {
        const auto& o = view.as_object();
        if (auto it = o.find("nodes"); it != o.end() && it->value().is_array())
            for (const auto& n : it->value().as_array()) nodes.push_back(node_row(n));
        if (auto it = o.find("leader"); it != o.end()) leader = node_row(it->value()).name;
    }
    std::sort(nodes.begin(), nodes.end(),
              [](const NodeRow& a, const NodeRow& b) { return a.name > b.name; });
    Table t({"Name", "Host", "APIPort", "EtcdClientPort", "EtcdPeerPort", "RelayPort", "Leader"});
    for (const auto& n : nodes) {
        const bool leads = !leader.empty() && n.name == leader;
        t.add_row(
            {n.name, n.host, std::to_string(n.apiport), std::to_string(n.port),
             std::to_string(n.peerport), std::to_string(n.relayport), leads ? "True" : "False"},
            {Colour::None, Colour::None, Colour::None, Colour::None, Colour::None, Colour::None,
             leads ? Colour::Green : Colour::None});
    }
    t.print();
    if (leader.empty()) log_info("No leader: the cluster has no etcd quorum");
}

}  // namespace

void add_cluster_commands(CLI::App& app, Ctx ctx) {
    auto* cluster = app.add_subcommand("cluster", "Inspect the servers of a cluster");
    cluster->require_subcommand(1);
    cluster->add_subcommand("info", "List the cluster's servers and its leader (server owner key)")
        ->callback([ctx] { info(*ctx); });
}

}  // namespace colonies::cli
