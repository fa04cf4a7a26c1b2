// The cluster link of features.md 9 for servers sharing one PostgreSQL database:
//  * leadership on etcd: every server holds a lease (TTL `lease_ttl_seconds`), keeps its member
//    record under <prefix>members/<name> alive with it, and tries to create <prefix>leader with
//    it. Whoever created the key leads until its lease ends: the key is checked every 250 ms, so
//    a dead leader is replaced within the TTL plus a tick; a server that stops cleanly revokes
//    its lease and is replaced at the next tick. A server that cannot reach etcd stops acting as
//    leader at once.
//  * cross-server wake-ups on PostgreSQL LISTEN/NOTIFY: each local change that made a process
//    assignable, changed its state, removed a colony or appended to or ended a process channel
//    is sent on one channel; the other servers wake their own long polls and subscribers from it.
// Without etcd endpoints the server always leads (several servers then all sweep, which the
// store's row locks make safe). Without PostgreSQL there is nothing to relay.
#pragma once
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/cluster_link.hpp"
#include "store/postgres/pg_store.hpp"

namespace colonies::cluster {

struct ClusterOptions {
    std::vector<std::string> etcd_endpoints;      // "host:port"; empty = always leader
    std::optional<store::PostgresOptions> relay;  // the shared database; nullopt = no relay
    server::ClusterNode self;
    int64_t lease_ttl_seconds = 5;
    std::string prefix = "/colonies/";
    std::function<void(const std::string&)> log;  // leadership changes, connection trouble
};

std::shared_ptr<server::ClusterLink> make_cluster_link(ClusterOptions opts);

// The NOTIFY payloads for `fx` (each under PostgreSQL's 8000-byte limit) and their decoding;
// `origin` tells a server its own messages apart. Exposed for tests.
std::vector<std::string> encode_change(const std::string& origin, const services::Effects& fx);
// True when `payload` was encoded by `origin`, told from its first bytes without parsing it:
// a server hears its own notifications too, and parsing them was work for nothing.
bool sent_by(const std::string& origin, std::string_view payload);
// nullopt for a message from `self` or one that does not parse.
std::optional<server::RemoteChange> decode_change(const std::string& self,
                                                  const std::string& payload);

}  // namespace colonies::cluster
