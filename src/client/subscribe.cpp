#include "client/subscribe.hpp"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "client/transport_error.hpp"
#include "core/json.hpp"
#include "crypto/crypto.hpp"
#include "rpc/envelope.hpp"

namespace colonies::client {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

std::string subscribe_frame(const ProcessSubscription& sub, const std::string& prvkey,
                            Error* error) {
    const bool one = !sub.processid.empty();
    const std::string type = one ? "subscribeprocessmsg" : "subscribeprocessesmsg";
    boost::json::object msg{{"msgtype", type},
                            {"colonyname", sub.colonyname},
                            {"executortype", sub.executortype},
                            {"state", static_cast<int>(sub.state)},
                            {"timeout", sub.timeout_s}};
    if (one) msg["processid"] = sub.processid;
    auto payload = rpc::base64_encode(to_text(msg));
    auto sig = crypto::sign(payload, prvkey);
    if (!sig) {
        *error = sig.error();
        return {};
    }
    return rpc::encode_request(type, payload, *sig);
}

// Reads frames until on_event says stop or the socket closes.
template <class WsStream>
Result<int> read_events(WsStream& ws, const Options& opts,
                        const std::function<bool(const Process&)>& on_event) {
    int delivered = 0;
    for (;;) {
        beast::flat_buffer buf;
        beast::error_code ec;
        ws.read(buf, ec);
        if (ec == websocket::error::closed || ec == asio::error::eof) return delivered;
        if (ec) return transport::failed(opts, "subscription ended: " + ec.message());
        auto payload = rpc::decode_reply(200, beast::buffers_to_string(buf.data()));
        if (!payload) return payload.error();
        auto p = process_from_json(*payload);
        if (!p) return internal_error("invalid process in event frame: " + p.error().message);
        ++delivered;
        if (!on_event(*p)) {
            ws.close(websocket::close_code::normal, ec);
            return delivered;
        }
    }
}

template <class WsStream>
Result<int> run_subscription(WsStream& ws, const Options& opts, const std::string& frame,
                             const std::function<bool(const Process&)>& on_event) {
    beast::error_code ec;
    ws.handshake(opts.host + ":" + std::to_string(opts.port), "/pubsub", ec);
    if (ec) return transport::failed(opts, "websocket handshake failed: " + ec.message());
    ws.text(true);
    ws.write(asio::buffer(frame), ec);
    if (ec) return transport::send_failed(opts, ec);
    return read_events(ws, opts, on_event);
}

}  // namespace

Result<int> subscribe(const Options& opts, const ProcessSubscription& sub,
                      const std::string& prvkey,
                      const std::function<bool(const Process&)>& on_event) {
    Error sign_error;
    auto frame = subscribe_frame(sub, prvkey, &sign_error);
    if (frame.empty()) return sign_error;
    asio::io_context ioc;
    tcp::resolver resolver(ioc);
    beast::error_code ec;
    auto endpoints = resolver.resolve(opts.host, std::to_string(opts.port), ec);
    if (ec) return transport::resolve_failed(opts, ec);
    if (!opts.tls) {
        websocket::stream<tcp::socket> ws(ioc);
        asio::connect(ws.next_layer(), endpoints, ec);
        if (ec) return transport::connect_failed(opts, ec);
        return run_subscription(ws, opts, frame, on_event);
    }
    asio::ssl::context ctx(asio::ssl::context::tls_client);
    ctx.set_default_verify_paths();
    ctx.set_verify_mode(opts.skip_tls_verify ? asio::ssl::verify_none : asio::ssl::verify_peer);
    websocket::stream<asio::ssl::stream<tcp::socket>> ws(ioc, ctx);
    asio::connect(ws.next_layer().next_layer(), endpoints, ec);
    if (ec) return transport::connect_failed(opts, ec);
    SSL_set_tlsext_host_name(ws.next_layer().native_handle(), opts.host.c_str());
    ws.next_layer().handshake(asio::ssl::stream_base::client, ec);
    if (ec) return transport::tls_failed(opts, ec);
    return run_subscription(ws, opts, frame, on_event);
}

Result<Process> wait_for_process(const Options& opts, const std::string& colonyname,
                                 const std::string& processid, ProcessState state, int timeout_s,
                                 const std::string& prvkey) {
    std::optional<Process> got;
    ProcessSubscription sub{colonyname, processid, "", state, timeout_s};
    auto r = subscribe(opts, sub, prvkey, [&](const Process& p) {
        got = p;
        return false;
    });
    if (!r) return r.error();
    if (!got)
        return timed_out("process " + processid + " did not reach state " +
                         std::to_string(static_cast<int>(state)) + " within " +
                         std::to_string(timeout_s) + " s");
    return *got;
}

}  // namespace colonies::client
