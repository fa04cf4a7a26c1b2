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

Result<std::string> signed_frame(const std::string& type, const boost::json::object& msg,
                                 const std::string& prvkey) {
    auto payload = rpc::base64_encode(to_text(msg));
    auto sig = crypto::sign(payload, prvkey);
    if (!sig) return sig.error();
    return rpc::encode_request(type, payload, *sig);
}

Result<std::string> subscribe_frame(const ProcessSubscription& sub, const std::string& prvkey) {
    const bool one = !sub.processid.empty();
    const std::string type = one ? "subscribeprocessmsg" : "subscribeprocessesmsg";
    boost::json::object msg{{"msgtype", type},
                            {"colonyname", sub.colonyname},
                            {"executortype", sub.executortype},
                            {"state", static_cast<int>(sub.state)},
                            {"timeout", sub.timeout_s}};
    if (one) msg["processid"] = sub.processid;
    return signed_frame(type, msg, prvkey);
}

// What a frame's payload means to the caller: go on reading, or stop (and close).
using OnPayload = std::function<Result<bool>(const boost::json::value&)>;

// Reads frames until on_payload says stop or the socket closes.
template <class WsStream>
Status read_frames(WsStream& ws, const Options& opts, const OnPayload& on_payload) {
    for (;;) {
        beast::flat_buffer buf;
        beast::error_code ec;
        ws.read(buf, ec);
        if (ec == websocket::error::closed || ec == asio::error::eof) return ok_status();
        if (ec) return transport::failed(opts, "subscription ended: " + ec.message());
        auto payload = rpc::decode_reply(200, beast::buffers_to_string(buf.data()));
        if (!payload) return payload.error();
        auto more = on_payload(*payload);
        if (!more) return more.error();
        if (!*more) {
            ws.close(websocket::close_code::normal, ec);
            return ok_status();
        }
    }
}

template <class WsStream>
Status run_subscription(WsStream& ws, const Options& opts, const std::string& frame,
                        const OnPayload& on_payload) {
    beast::error_code ec;
    ws.handshake(opts.host + ":" + std::to_string(opts.port), "/pubsub", ec);
    if (ec) return transport::failed(opts, "websocket handshake failed: " + ec.message());
    ws.text(true);
    ws.write(asio::buffer(frame), ec);
    if (ec) return transport::send_failed(opts, ec);
    return read_frames(ws, opts, on_payload);
}

// One WebSocket to /pubsub carrying `frame`; every reply frame's payload goes to on_payload.
Status pubsub(const Options& opts, const std::string& frame, const OnPayload& on_payload) {
    asio::io_context ioc;
    tcp::resolver resolver(ioc);
    beast::error_code ec;
    auto endpoints = resolver.resolve(opts.host, std::to_string(opts.port), ec);
    if (ec) return transport::resolve_failed(opts, ec);
    if (!opts.tls) {
        websocket::stream<tcp::socket> ws(ioc);
        asio::connect(ws.next_layer(), endpoints, ec);
        if (ec) return transport::connect_failed(opts, ec);
        return run_subscription(ws, opts, frame, on_payload);
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
    return run_subscription(ws, opts, frame, on_payload);
}

}  // namespace

Result<int> subscribe(const Options& opts, const ProcessSubscription& sub,
                      const std::string& prvkey,
                      const std::function<bool(const Process&)>& on_event) {
    auto frame = subscribe_frame(sub, prvkey);
    if (!frame) return frame.error();
    int delivered = 0;
    OnPayload on_payload = [&](const boost::json::value& payload) -> Result<bool> {
        auto p = process_from_json(payload);
        if (!p) return internal_error("invalid process in event frame: " + p.error().message);
        ++delivered;
        return on_event(*p);
    };
    if (auto st = pubsub(opts, *frame, on_payload); !st) return st.error();
    return delivered;
}

Result<int> subscribe_channel(
    const Options& opts, const ChannelSubscription& sub, const std::string& prvkey,
    const std::function<bool(const std::vector<ChannelEntry>&)>& on_entries) {
    const boost::json::object msg{{"msgtype", "subscribechannelmsg"},
                                  {"processid", sub.processid},
                                  {"name", sub.name},
                                  {"afterseq", sub.afterseq},
                                  {"timeout", sub.timeout_s}};
    auto frame = signed_frame("subscribechannelmsg", msg, prvkey);
    if (!frame) return frame.error();
    int delivered = 0;
    OnPayload on_payload = [&](const boost::json::value& payload) -> Result<bool> {
        if (!payload.is_array()) return internal_error("invalid channel frame: expected an array");
        if (payload.get_array().empty()) return false;  // the timeout or the channel's end
        std::vector<ChannelEntry> entries;
        bool cut_off = false;
        for (const auto& v : payload.get_array()) {
            auto e = channel_entry_from_json(v);
            if (!e) return internal_error("invalid channel entry: " + e.error().message);
            cut_off = cut_off || !e->error.empty();
            entries.push_back(std::move(*e));
        }
        delivered += static_cast<int>(entries.size());
        return on_entries(entries) && !cut_off;
    };
    if (auto st = pubsub(opts, *frame, on_payload); !st) return st.error();
    return delivered;
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
