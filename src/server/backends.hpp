// The gRPC and CoAP backends (issue 20): more doors to the same pipeline as POST /api. Each
// takes the JSON envelope a POST /api body carries, hands it to Dispatcher::handle on a strand
// of the server's io_context, and sends back the reply envelope, errors included, exactly as
// HTTP would (only the framing differs; docs/compat.md "Backends"). Long polls park without a
// thread, as on HTTP. Subscriptions stay on the WebSocket /pubsub (as upstream).
//
// start_* bind their port and return a running backend, or throw std::runtime_error (port in
// use, bad certificate). stop() ends it; call it after the io_context has stopped and before
// the dispatcher goes: calls still in flight are answered "unavailable".
#pragma once
#include <boost/asio/io_context.hpp>
#include <memory>

#include "server/body_budget.hpp"
#include "server/dispatcher.hpp"
#include "server/server.hpp"

namespace colonies::server {

struct BackendHost {
    boost::asio::io_context& ioc;
    Dispatcher& dispatcher;
    const ServerOptions& opts;
    BodyBudget& body_budget;  // CoAP holds block-wise bodies against it, as HTTP does
};

class Backend {
  public:
    virtual ~Backend() = default;
    virtual void stop() = 0;
};

std::unique_ptr<Backend> start_grpc_backend(const BackendHost& host);
std::unique_ptr<Backend> start_coap_backend(const BackendHost& host);

// The replies to a body above opts.max_body_bytes (413) and to one that does not fit in the
// body budget (503), the same on every backend.
rpc::Reply body_too_large_reply(size_t max_body_bytes);
rpc::Reply body_budget_full_reply();

}  // namespace colonies::server
