// The RPC pipeline of protocol.md 1.4 for one request body: envelope, unsigned messages,
// signature -> caller id, handler look-up, payload decode, msgtype check, then the operation on
// the store thread; effects (ready processes) are announced after the commit.
#pragma once
#include <boost/asio/awaitable.hpp>
#include <string_view>

#include "rpc/envelope.hpp"
#include "scheduler/waiters.hpp"
#include "services/operation.hpp"
#include "store/store.hpp"

namespace colonies::server {

class Dispatcher {
  public:
    Dispatcher(store::Store& store, scheduler::Waiters& waiters, const services::Config& cfg)
        : store_(store), waiters_(waiters), cfg_(cfg) {}
    // Must be awaited on a strand (the connection's): long polls park on a strand-bound timer.
    boost::asio::awaitable<rpc::Reply> handle(std::string_view body);
    // One deadline sweep (called every second by the server).
    boost::asio::awaitable<void> sweep();

  private:
    boost::asio::awaitable<rpc::Reply> assign(const std::string& caller,
                                              const boost::json::object& msg,
                                              std::string_view prefix);
    void announce(const services::Effects& fx);
    store::Store& store_;
    scheduler::Waiters& waiters_;
    const services::Config& cfg_;
};

}  // namespace colonies::server
