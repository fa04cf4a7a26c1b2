// The RPC pipeline of protocol.md 1.4 for one request body: envelope, unsigned messages,
// signature -> caller id, handler look-up, payload decode, msgtype check, then the operation on
// the store thread; effects (ready processes) are announced after the commit.
#pragma once
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <string_view>

#include "crypto/recovery_cache.hpp"
#include "rpc/envelope.hpp"
#include "scheduler/waiters.hpp"
#include "server/cluster_link.hpp"
#include "server/store_completions.hpp"
#include "server/subscriptions.hpp"
#include "services/operation.hpp"
#include "store/store.hpp"

namespace colonies::server {

// How a long poll learns that its client hung up: the dispatcher calls it (at most once per
// request, when an assign first parks) with `on_hangup`, which the transport calls at most once if
// the peer closes the connection before the reply is written. Empty: the transport cannot tell.
using WatchHangup = std::function<void(std::function<void()> on_hangup)>;

class Dispatcher {
  public:
    // `cluster` may be null (a single server).
    Dispatcher(store::Store& store, scheduler::Waiters& waiters, Subscriptions& subscriptions,
               const services::Config& cfg, ClusterLink* cluster = nullptr)
        : store_(store),
          waiters_(waiters),
          subscriptions_(subscriptions),
          cfg_(cfg),
          cluster_(cluster) {}
    // Must be awaited on a strand (the connection's): long polls park on a strand-bound timer.
    // A long poll whose client hangs up (see WatchHangup) stops waiting and claims nothing.
    boost::asio::awaitable<rpc::Reply> handle(std::string_view body,
                                              const WatchHangup& watch_hangup = {});
    // One deadline sweep (called every second by the server).
    boost::asio::awaitable<void> sweep();

    // A /pubsub request frame, decoded and checked as protocol.md 1.6 and 5.16 say: the
    // subscription to register, or the error to send back in a frame.
    struct SubscribeRequest {
        std::string payloadtype;
        std::string caller;         // id recovered from the signature
        Subscription subscription;  // without `deliver`
        int64_t timeout_s = 0;
    };
    Result<SubscribeRequest> parse_subscribe(std::string_view frame);
    // Authorises a subscription (on the store thread) and returns the process's current state
    // for a process subscription (sent at once when it is already in the requested state).
    boost::asio::awaitable<Result<std::optional<Process>>> check_subscription(
        const SubscribeRequest& req);
    Subscriptions& subscriptions() { return subscriptions_; }
    size_t signature_cache_hits() const { return signers_.hits(); }
    // Another server's committed changes: wake local waiters and subscribers as if local.
    boost::asio::awaitable<void> apply_remote(RemoteChange change);

  private:
    boost::asio::awaitable<rpc::Reply> assign(const std::string& caller,
                                              const boost::json::object& msg,
                                              std::string_view prefix,
                                              const WatchHangup& watch_hangup);
    void announce(const services::Effects& fx);
    store::Store& store_;
    scheduler::Waiters& waiters_;
    Subscriptions& subscriptions_;
    const services::Config& cfg_;
    ClusterLink* cluster_;
    std::shared_ptr<StoreCompletions> completions_ = std::make_shared<StoreCompletions>();
    crypto::RecoveryCache signers_;  // repeated requests (long polls) skip the recovery
    std::chrono::steady_clock::time_point last_cleanup_ = std::chrono::steady_clock::now();
};

}  // namespace colonies::server
