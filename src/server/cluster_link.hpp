// What a server shares with the other servers of a cluster (features.md 9): who leads (only the
// leader runs the background sweeps), the membership view of getclustermsg, and the changes that
// must wake long polls and subscribers on the other servers. The server only sees this
// interface; src/cluster implements it on etcd and PostgreSQL LISTEN/NOTIFY. A server without a
// link is a cluster of one: always leader, nothing to relay.
#pragma once
#include <boost/json.hpp>
#include <functional>
#include <string>
#include <vector>

#include "core/types.hpp"
#include "scheduler/waiters.hpp"
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

}  // namespace colonies::server
