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

// A removed colony's parked executors look again at once; the look fails (the colony and its
// executors are gone), which ends their polls with that error.
void Fanout::release_colonies(const std::vector<std::string>& colonies) {
    for (const auto& c : colonies) {
        waiters_.notify_colony(c);
        subscriptions_.channels().end_colony(c);
    }
}

void Fanout::announce(const services::Effects& fx) {
    if (log_)
        for (const auto& line : fx.log) log_(line);
    release_colonies(fx.removed_colonies);
    release_colonies(fx.rekeyed_colonies);
    release_colonies(fx.resumed_colonies);  // their parked polls look again
    if (!link_) {
        for (const auto& r : fx.ready) waiters_.notify(r);
    } else {
        services::Effects remote;
        for (const auto& r : fx.ready)
            if (!waiters_.notify(r)) remote.ready.push_back(r);
        remote.events = fx.events;
        remote.removed_colonies = fx.removed_colonies;
        remote.rekeyed_colonies = fx.rekeyed_colonies;
        remote.resumed_colonies = fx.resumed_colonies;
        remote.channels = fx.channels;
        if (!remote.ready.empty() || !remote.events.empty() || !remote.removed_colonies.empty() ||
            !remote.rekeyed_colonies.empty() || !remote.resumed_colonies.empty() ||
            !remote.channels.empty())
            link_->publish(remote);
    }
    for (const auto& news : fx.channels) subscriptions_.channels().publish(news);
    if (!subscriptions_.empty())
        for (const auto& p : fx.events) subscriptions_.publish(p);
}

boost::asio::awaitable<void> Fanout::receive(RemoteChange change) {
    release_colonies(change.removed_colonies);
    release_colonies(change.rekeyed_colonies);
    release_colonies(change.resumed_colonies);
    for (const auto& r : change.ready) waiters_.notify(r);
    for (const auto& news : change.channels) subscriptions_.channels().publish(news);
    if (subscriptions_.empty()) co_return;
    for (const auto& p : change.events) subscriptions_.publish(p);
    if (change.reload.empty()) co_return;
    const std::vector<std::string>& ids = change.reload;
    std::vector<Process> loaded;
    auto job = [&ids, &loaded](store::StoreTx& tx) {
        loaded.clear();  // a job may run again (the PostgreSQL store reruns on conflicts)
        for (const auto& id : ids)
            if (auto p = tx.process(id)) loaded.push_back(std::move(*p));
        return true;
    };
    co_await store_.run(std::move(job));
    for (const auto& p : loaded) subscriptions_.publish(p);
}

std::optional<std::chrono::steady_clock::duration> Fanout::recheck() const {
    if (!link_) return std::nullopt;
    return std::chrono::seconds(5);
}

}  // namespace colonies::server
