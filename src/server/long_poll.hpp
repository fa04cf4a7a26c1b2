// The long poll of assignprocessmsg (protocol.md 6.3): look, and while nothing is there, park
// (a record in scheduler::Waiters and a strand-bound timer, no thread) until something the
// caller can take may have appeared, then look again.
#pragma once
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <optional>
#include <variant>

#include "rpc/envelope.hpp"
#include "scheduler/waiters.hpp"

namespace colonies::server {

// How a long poll learns that its client hung up: the poll calls it (at most once, when it
// first parks) with `on_hangup`, which the transport calls at most once if the peer closes the
// connection before the reply is written. Empty: the transport cannot tell.
using WatchHangup = std::function<void(std::function<void()> on_hangup)>;

class LongPoll {
  public:
    using Clock = std::chrono::steady_clock;
    // Nothing to take yet: park as `spec` (what the caller can take) for up to `timeout` from
    // the first attempt's end (later attempts' timeouts are ignored). timeout <= 0: no parking.
    struct Wait {
        scheduler::WaiterSpec spec;
        std::chrono::seconds timeout{0};
        // The reply when the deadline passes after this look; none: the poll returns nullopt.
        std::optional<rpc::Reply> at_deadline{};
    };
    // One look on the store: the reply that ends the poll (a claim or an error), or a Wait.
    using Found = std::variant<rpc::Reply, Wait>;
    using Attempt = std::function<boost::asio::awaitable<Found>()>;

    // `recheck`: the longest parking between two looks even without a wake-up (in a cluster a
    // wake-up from another server may be lost with its database connection); nullopt: none.
    LongPoll(scheduler::Waiters& waiters, std::optional<Clock::duration> recheck)
        : waiters_(waiters), recheck_(recheck) {}

    // Runs `attempt` until one returns a reply, the deadline passes or the client hangs up,
    // parking between attempts; a wake-up from Waiters, the recheck interval or the deadline
    // ends a parking. No wake-up is lost: each attempt's sequence (Waiters::sequence, read
    // before it looks) must still hold when the poll parks, or it looks again at once. After a
    // hang-up no attempt runs (a claim then would strand the process RUNNING with nobody to
    // read it). Returns the reply, the last look's `at_deadline` when the deadline passed, or
    // nullopt (the deadline passed without one, or the client left).
    // Must be awaited on a strand (the connection's); `attempt` must outlive the call.
    boost::asio::awaitable<std::optional<rpc::Reply>> run(const Attempt& attempt,
                                                          const WatchHangup& watch_hangup);

  private:
    scheduler::Waiters& waiters_;
    std::optional<Clock::duration> recheck_;
};

}  // namespace colonies::server
