// What a server shares with the other servers of a cluster (features.md 9): who leads (only the
// leader runs the background sweeps), the membership view of getclustermsg, and the changes that
// must wake long polls and subscribers on the other servers. The server only sees this
// interface; src/cluster implements it on etcd and PostgreSQL LISTEN/NOTIFY. A server without a
// link is a cluster of one: always leader, nothing to relay. Fanout decides what of a committed
// change is heard here and what travels.
#pragma once
#include <boost/asio/awaitable.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/types.hpp"
#include "scheduler/waiters.hpp"
#include "server/store_call.hpp"
#include "server/subscriptions.hpp"
#include "services/operation.hpp"

namespace colonies::server {

// protocol.md 4 Cluster Node. `port` is the etcd client port, `apiport` the API port.
struct ClusterNode {
    std::string name;
    std::string host;
    int64_t port = 0;
    int64_t peerport = 0;
    int64_t relayport = 0;
    int64_t apiport = 0;
};

struct ClusterView {
    std::vector<ClusterNode> nodes;
    ClusterNode leader;  // empty name: no leader known (no quorum)
};

boost::json::object to_json(const ClusterNode& n);
boost::json::object to_json(const ClusterView& v);

// Changes another server committed. `reload` names processes whose event was too large to
// relay whole: the receiver reads them from the shared store.
struct RemoteChange {
    std::vector<scheduler::ReadyProcess> ready;
    std::vector<Process> events;
    std::vector<std::string> reload;
    std::vector<std::string> removed_colonies;
    std::vector<std::string> rekeyed_colonies;  // an executor's key changed (services::Effects)
    std::vector<std::string> resumed_colonies;
    // Channel news; an entry too large to relay is left out (its subscribers read it).
    std::vector<services::ChannelNews> channels;
};

class ClusterLink {
  public:
    virtual ~ClusterLink() = default;
    virtual bool is_leader() const = 0;
    virtual ClusterView view() const = 0;
    // After a local commit: tell the other servers (asynchronous, never blocks the caller).
    virtual void publish(const services::Effects& fx) = 0;
    // Deliver the other servers' changes to `sink`, from the link's own thread.
    virtual void start(std::function<void(RemoteChange)> sink) = 0;
    // Leave the cluster (give up leadership at once) and stop the link's threads.
    virtual void stop() = 0;
};

// Where a committed change is heard: this server's long polls and subscribers, and through the
// link (if any) the other servers'. Every state change, removed colony and channel news travels;
// a ready process travels only when no waiter here could take it (waking one on every server
// would send all but one of them to the database for nothing).
class Fanout {
  public:
    // `link` may be null (a single server). `log` writes the effects' log lines (may be null).
    Fanout(scheduler::Waiters& waiters, Subscriptions& subscriptions, StoreCall& store,
           ClusterLink* link, std::function<void(const std::string&)> log = {})
        : waiters_(waiters),
          subscriptions_(subscriptions),
          store_(store),
          link_(link),
          log_(std::move(log)) {}
    // After a local commit.
    void announce(const services::Effects& fx);
    // Another server's committed change: wake waiters and subscribers here as if local. Reads
    // the processes too large to relay from the shared store.
    boost::asio::awaitable<void> receive(RemoteChange change);
    // How long a parked long poll may go without looking again although nobody woke it: in a
    // cluster a wake-up from another server may be lost with its database connection.
    std::optional<std::chrono::steady_clock::duration> recheck() const;

  private:
    void release_colonies(const std::vector<std::string>& colonies);
    scheduler::Waiters& waiters_;
    Subscriptions& subscriptions_;
    StoreCall& store_;
    ClusterLink* link_;
    std::function<void(const std::string&)> log_;
};

}  // namespace colonies::server
