// The RPC envelope decoders (rpc/envelope.hpp): parse_request on the server's side of every
// request, decode_reply on the client's side of every reply, and the base64 they carry.
// Properties: a parsed request re-encodes and re-parses to the same fields; a decoded payload
// re-encodes (base64) and decodes to the same bytes; a decoded reply, success or error, re-built
// with success_reply / error_reply decodes to the same JSON or the same status and message.
#include <cstdint>

#include "check.hpp"
#include "rpc/envelope.hpp"

using namespace colonies;

namespace {

void check_request(std::string_view body) {
    auto r = rpc::parse_request(body);
    if (!r) {
        FUZZ_CHECK(r.error().status == 400);
        FUZZ_CHECK(!r.error().message.empty());
        return;
    }
    auto again = rpc::parse_request(rpc::encode_request(r->payloadtype, r->payload, r->signature));
    FUZZ_CHECK(again.ok());
    FUZZ_CHECK(again->payloadtype == r->payloadtype);
    FUZZ_CHECK(again->payload == r->payload);
    FUZZ_CHECK(again->signature == r->signature);
    auto bytes = rpc::base64_decode(r->payload);
    if (!bytes) {
        FUZZ_CHECK(bytes.error().status == 400);
        return;
    }
    auto round = rpc::base64_decode(rpc::base64_encode(*bytes));
    FUZZ_CHECK(round.ok() && *round == *bytes);
}

void check_reply(int http_status, std::string_view body) {
    auto v = rpc::decode_reply(http_status, body);
    if (v) {
        auto reply = rpc::success_reply("x", *v);
        FUZZ_CHECK(reply.http_status == 200);
        auto again = rpc::decode_reply(200, reply.body);
        FUZZ_CHECK(again.ok() && *again == *v);
        return;
    }
    const Error& e = v.error();
    // An error reply's status is what the server sent (1..999) or, for a reply that is not one,
    // the HTTP status when it is a failure, else 500.
    FUZZ_CHECK(e.status > 0 && e.status < 1000);
    auto reply = rpc::error_reply(e);
    FUZZ_CHECK(reply.http_status == e.status);
    auto again = rpc::decode_reply(e.status, reply.body);
    FUZZ_CHECK(!again.ok());
    FUZZ_CHECK(again.error().status == e.status);
    FUZZ_CHECK(again.error().message == e.message);
    FUZZ_CHECK(rpc::error_reply(again.error()).body == reply.body);
}

}  // namespace

// Byte 0 picks the decoder; for replies bytes 1-2 are the HTTP status the reply came with.
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    return fuzz::run([&] {
        if (size < 1) return;
        const auto text = fuzz::as_text(data + 1, size - 1);
        if (data[0] % 2 == 0) return check_request(text);
        if (size < 3) return;
        const int status = (data[1] << 8 | data[2]) % 1000;
        check_reply(status, text.substr(2));
    });
}
