// The RPC envelope of protocol.md 1.2/1.3 and the reply/error encodings. Pure functions.
#pragma once
#include <boost/json.hpp>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace colonies::rpc {

std::string base64_encode(std::string_view bytes);
// Standard alphabet; padding required as Go's StdEncoding. nullopt-like error on bad input.
Result<std::string> base64_decode(std::string_view text);

struct Request {
    std::string payloadtype;
    std::string payload;  // base64 text exactly as sent (the signed string)
    std::string signature;
};

// Parse the outer envelope JSON. 400 with a decoder message on failure.
Result<Request> parse_request(std::string_view body);
// Build a request envelope body (client side): payload = base64(message JSON text).
std::string encode_request(std::string_view payloadtype, std::string_view payload_b64,
                           std::string_view signature);

struct Reply {
    int http_status = 200;
    std::string body;  // the reply envelope JSON text
};

// {"payloadtype": type, "payload": base64(json), "error": false}
Reply success_reply(std::string_view payloadtype, const boost::json::value& payload);
// {"payloadtype": "error", "payload": base64({"status":s,"message":m}), "error": true}, with
// HTTP status s = e.status.
Reply error_reply(const Error& e);

// Client side: decode a reply envelope into its payload JSON, or the server's Error: its kind
// follows from the status sent, which is kept as sent (so error_reply gives the same bytes back).
Result<boost::json::value> decode_reply(int http_status, std::string_view body);

}  // namespace colonies::rpc
