// The SDK's other doors for POST /api (issue 20): gRPC and CoAP carry the same request envelope
// and bring back the same reply envelope as HTTP. Client uses one when Options::backend says so;
// WebSocket subscriptions and GET paths stay on HTTP. Not thread-safe (one per Client).
#pragma once
#include <chrono>
#include <memory>
#include <string>
#include <utility>

#include "client/client.hpp"

namespace colonies::client {

class RpcTransport {
  public:
    virtual ~RpcTransport() = default;
    // Sends one POST /api body and returns (status, reply body): 200 for a gRPC reply (the
    // envelope carries the error status), the CoAP response code as class*100+detail (205).
    // Failures to get a reply are Unreachable, Transport or Timeout errors.
    virtual Result<std::pair<int, std::string>> post(const std::string& body,
                                                     std::chrono::seconds timeout) = 0;
    virtual bool health() = 0;
    // post(), then the reply envelope decoded as Client::call does for HTTP.
    Result<boost::json::value> call(const std::string& body, std::chrono::seconds timeout);
};

// The transport Options::backend names; null for "http" (Client's own connection).
std::unique_ptr<RpcTransport> make_transport(const Options& o);
std::unique_ptr<RpcTransport> make_grpc_transport(const Options& o);
std::unique_ptr<RpcTransport> make_coap_transport(const Options& o);

}  // namespace colonies::client
