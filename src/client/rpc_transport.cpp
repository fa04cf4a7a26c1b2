#include "client/rpc_transport.hpp"

#include "rpc/envelope.hpp"

namespace colonies::client {

Result<boost::json::value> RpcTransport::call(const std::string& body,
                                              std::chrono::seconds timeout) {
    auto r = post(body, timeout);
    if (!r) return r.error();
    // A CoAP 2.05 is HTTP's 200; other statuses come with an error envelope that carries its own.
    return rpc::decode_reply(r->first == 205 ? 200 : r->first, r->second);
}

std::unique_ptr<RpcTransport> make_transport(const Options& o) {
    if (o.backend == "grpc") return make_grpc_transport(o);
    if (o.backend == "coap") return make_coap_transport(o);
    return nullptr;
}

}  // namespace colonies::client
