#include "server/cluster_link.hpp"

namespace colonies::server {

boost::json::object to_json(const ClusterNode& n) {
    return {{"name", n.name},         {"host", n.host},           {"port", n.port},
            {"peerport", n.peerport}, {"relayport", n.relayport}, {"apiport", n.apiport}};
}

boost::json::object to_json(const ClusterView& v) {
    boost::json::array nodes;
    for (const auto& n : v.nodes) nodes.push_back(to_json(n));
    return {{"nodes", std::move(nodes)}, {"leader", to_json(v.leader)}};
}

}  // namespace colonies::server
