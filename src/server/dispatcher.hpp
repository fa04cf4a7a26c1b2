// The RPC pipeline of protocol.md 1.4 for one request body: envelope, unsigned messages,
// signature -> caller id, handler look-up, payload decode, msgtype check, then the operation on
// the store thread; effects are handed to the Fanout after the commit. The same steps decode a
// /pubsub subscribe frame (1.6).
#pragma once
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <optional>
#include <string_view>
#include <vector>

#include "crypto/recovery_cache.hpp"
#include "rpc/envelope.hpp"
#include "scheduler/waiters.hpp"
#include "server/cluster_link.hpp"
#include "server/long_poll.hpp"
#include "server/metrics.hpp"
#include "server/store_call.hpp"
#include "server/subscriptions.hpp"
#include "services/channels_ops.hpp"
#include "services/operation.hpp"

namespace colonies::server {

// The message types requests are counted by: the catalogue's, in its order, then versionmsg
// and getserverinfomsg (answered by the dispatcher itself).
std::vector<std::string> request_slot_names();

class Dispatcher {
  public:
    Dispatcher(StoreCall& store, scheduler::Waiters& waiters, Subscriptions& subscriptions,
               Fanout& fanout, const services::Config& cfg)
        : store_(store),
          waiters_(waiters),
          subscriptions_(subscriptions),
          fanout_(fanout),
          cfg_(cfg),
          requests_(request_slot_names()) {}
    // Must be awaited on a strand (the connection's): long polls park on a strand-bound timer.
    // A long poll whose client hangs up (see WatchHangup) stops waiting and claims nothing.
    // Every request is counted and timed in requests() and, at debug level, logged
    // (server/request_log.hpp).
    boost::asio::awaitable<rpc::Reply> handle(std::string_view body,
                                              const WatchHangup& watch_hangup = {});
    const RequestMetrics& requests() const { return requests_; }
    // One deadline sweep, then the leader's background tasks that are due (services/background):
    // called every sweep interval by the leader.
    boost::asio::awaitable<void> sweep();

    // A /pubsub request frame, decoded and checked as protocol.md 1.6 and 5.16 say: the
    // subscription to register, or the error to send back in a frame.
    struct SubscribeRequest {
        std::string payloadtype;
        std::string caller;         // id recovered from the signature
        Subscription subscription;  // without `deliver`
        int64_t timeout_s = 0;
        std::optional<services::ChannelSubscribeFields> channel;  // subscribechannelmsg
    };
    Result<SubscribeRequest> parse_subscribe(std::string_view frame);
    // Authorises a subscription (services::authorise_subscription) and returns the process's
    // current state for a process subscription.
    boost::asio::awaitable<Result<std::optional<Process>>> check_subscription(
        const SubscribeRequest& req);
    // A channel subscription's start (services::open_channel_subscription) and its later reads
    // (services::channel_catch_up; nullopt when the store failed).
    boost::asio::awaitable<Result<services::ChannelBacklog>> open_channel(
        const SubscribeRequest& req);
    boost::asio::awaitable<std::optional<services::ChannelCatchUp>> channel_catch_up(
        const std::string& processid, const std::string& name, int64_t from);
    Subscriptions& subscriptions() { return subscriptions_; }
    size_t signature_cache_hits() const { return signers_.hits(); }

  private:
    // What handle() learns of a request for its count and log line.
    struct RequestInfo {
        size_t slot;         // in requests_
        std::string caller;  // the first characters of the caller's id, once known
    };
    // The pipeline of protocol.md 1.4 itself.
    boost::asio::awaitable<rpc::Reply> pipeline(std::string_view body,
                                                const WatchHangup& watch_hangup, RequestInfo& info);
    boost::asio::awaitable<rpc::Reply> assign(const std::string& caller,
                                              const boost::json::object& msg,
                                              std::string_view prefix,
                                              const WatchHangup& watch_hangup);
    // One look: services::try_assign on the store, its effects announced.
    boost::asio::awaitable<LongPoll::Found> assign_attempt(const std::string& caller,
                                                           const boost::json::object& msg,
                                                           std::string_view prefix);
    StoreCall& store_;
    scheduler::Waiters& waiters_;
    Subscriptions& subscriptions_;
    Fanout& fanout_;
    const services::Config& cfg_;
    crypto::RecoveryCache signers_;  // repeated requests (long polls) skip the recovery
    RequestMetrics requests_;
    boost::asio::awaitable<void> run_background_tasks();
    std::chrono::steady_clock::time_point last_cleanup_ = std::chrono::steady_clock::now();
    std::vector<std::chrono::steady_clock::time_point> last_task_runs_;  // per background task
};

}  // namespace colonies::server
