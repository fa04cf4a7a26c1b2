// protocol.md 1.2-1.4: envelopes, replies, errors and their base64.
#include "rpc/envelope.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace colonies::rpc {
namespace {
namespace json = boost::json;

json::value parse(std::string_view text) {
    return json::parse(text);
}

// The JSON inside a reply envelope's base64 payload.
json::value payload_of(const json::value& envelope) {
    auto decoded = base64_decode(envelope.at("payload").as_string());
    EXPECT_TRUE(decoded.ok());
    return decoded.ok() ? parse(*decoded) : json::value();
}

TEST(Base64, EncodesRfc4648Vectors) {
    EXPECT_EQ(base64_encode(""), "");
    EXPECT_EQ(base64_encode("f"), "Zg==");
    EXPECT_EQ(base64_encode("fo"), "Zm8=");
    EXPECT_EQ(base64_encode("foo"), "Zm9v");
    EXPECT_EQ(base64_encode("foob"), "Zm9vYg==");
    EXPECT_EQ(base64_encode("fooba"), "Zm9vYmE=");
    EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
    EXPECT_EQ(base64_encode("{}"), "e30=");
    EXPECT_EQ(base64_encode(R"({"msgtype":"getcoloniesmsg"})"),
              "eyJtc2d0eXBlIjoiZ2V0Y29sb25pZXNtc2cifQ==");
    // Both non-alphanumeric characters of the standard alphabet.
    EXPECT_EQ(base64_encode("\xfb\xff\xbf"), "+/+/");
}

TEST(Base64, RoundTripsEveryLengthAndByte) {
    std::string all;
    for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
    for (size_t len = 0; len <= all.size(); ++len) {
        std::string in = all.substr(all.size() - len);  // includes NUL and high bytes
        auto out = base64_decode(base64_encode(in));
        ASSERT_TRUE(out.ok()) << len << ": " << out.error().message;
        EXPECT_EQ(*out, in) << len;
    }
}

TEST(Base64, DecodesPaddingToTheRightLength) {
    auto expect_decodes = [](std::string_view text, std::string_view bytes) {
        auto out = base64_decode(text);
        ASSERT_TRUE(out.ok()) << text << ": " << out.error().message;
        EXPECT_EQ(*out, bytes) << text;
    };
    expect_decodes("", "");
    expect_decodes("AA==", std::string(1, '\0'));
    expect_decodes("AAA=", std::string(2, '\0'));
    expect_decodes("AAAA", std::string(3, '\0'));
    expect_decodes("Zg==", "f");
    expect_decodes("Zm8=", "fo");
    expect_decodes("Zm9v", "foo");
    expect_decodes("eyJtc2d0eXBlIjoiZ2V0Y29sb25pZXNtc2cifQ==", R"({"msgtype":"getcoloniesmsg"})");
    // Go's StdEncoding skips line breaks and does not insist on zero trailing bits.
    expect_decodes("Zm9v\r\nYmFy\n", "foobar");
    expect_decodes("Zh==", "f");
}

TEST(Base64, RejectsMalformedInput) {
    const char* bad[] = {
        "Zg",        // padding is required
        "Zg=",       // incomplete padding
        "Zm8",       // missing padding
        "Z",         // a lone character
        "Z===",      // too much padding
        "====",      // padding only
        "=Zg=",      // padding first
        "Zg==Zg==",  // data after padding
        "Zg==\nA",   // data after padding and a line break
        "Zm9v=",     // padding after a complete quantum
        "Zm9v!",     // character outside the alphabet
        "Zm 9v",     // spaces are not skipped
        "Zm9v-_",    // URL alphabet
        "Zg=a",      // data inside padding
    };
    for (const char* text : bad) {
        auto out = base64_decode(text);
        EXPECT_FALSE(out.ok()) << text;
        if (!out.ok()) {
            EXPECT_EQ(out.error().status, 400);
            EXPECT_NE(out.error().message.find("illegal base64 data at input byte"),
                      std::string::npos);
        }
    }
    EXPECT_EQ(base64_decode("Zm9v!").error().message, "illegal base64 data at input byte 4");
}

TEST(ParseRequest, ReadsTheThreeFields) {
    auto r = parse_request(
        R"({"payloadtype":"getcoloniesmsg","payload":"eyJtc2d0eXBlIjoiZ2V0Y29sb25pZXNtc2cifQ==",)"
        R"("signature":"3cf5"})");
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->payloadtype, "getcoloniesmsg");
    EXPECT_EQ(r->payload, "eyJtc2d0eXBlIjoiZ2V0Y29sb25pZXNtc2cifQ==");
    EXPECT_EQ(r->signature, "3cf5");
}

TEST(ParseRequest, MissingAndNullFieldsAreEmpty) {
    auto r = parse_request(R"({"payloadtype":"versionmsg","signature":null,"extra":[1,{"a":2}]})");
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->payloadtype, "versionmsg");
    EXPECT_EQ(r->payload, "");
    EXPECT_EQ(r->signature, "");
    auto empty = parse_request("{}");
    ASSERT_TRUE(empty.ok());
    EXPECT_EQ(empty->payloadtype, "");
}

TEST(ParseRequest, KeysMatchCaseInsensitively) {
    auto r = parse_request(R"({"PayloadType":"a","PAYLOAD":"b","Signature":"c"})");
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->payloadtype, "a");
    EXPECT_EQ(r->payload, "b");
    EXPECT_EQ(r->signature, "c");
}

TEST(ParseRequest, WrongTypesNameTheField) {
    struct Case {
        const char* body;
        const char* field;
    };
    const Case cases[] = {
        {R"({"payloadtype":1})", "payloadtype"},
        {R"({"payload":{"a":1}})", "payload"},
        {R"({"signature":true})", "signature"},
        {R"({"payloadtype":"x","payload":["a"]})", "payload"},
    };
    for (const auto& c : cases) {
        auto r = parse_request(c.body);
        ASSERT_FALSE(r.ok()) << c.body;
        EXPECT_EQ(r.error().status, 400);
        EXPECT_NE(r.error().message.find(std::string("RPCMsg.") + c.field), std::string::npos)
            << r.error().message;
    }
    EXPECT_EQ(parse_request(R"({"payloadtype":1})").error().message,
              "json: cannot unmarshal number into Go struct field RPCMsg.payloadtype of type "
              "string");
}

TEST(ParseRequest, RejectsNonObjectsAndBadJson) {
    const char* bad[] = {"",
                         "not json",
                         "[]",
                         "\"text\"",
                         "null",
                         "42",
                         R"({"payload":"a")",
                         R"({"payload":"a"} trailing)"};
    for (const char* body : bad) {
        auto r = parse_request(body);
        ASSERT_FALSE(r.ok()) << body;
        EXPECT_EQ(r.error().status, 400);
        EXPECT_FALSE(r.error().message.empty());
    }
}

TEST(EncodeRequest, ProducesAParsableEnvelope) {
    std::string body = encode_request("getcoloniesmsg", "e30=", "abcd");
    json::value v = parse(body);
    EXPECT_EQ(v.at("payloadtype").as_string(), "getcoloniesmsg");
    EXPECT_EQ(v.at("payload").as_string(), "e30=");
    EXPECT_EQ(v.at("signature").as_string(), "abcd");
    auto r = parse_request(body);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->payload, "e30=");
}

TEST(Replies, SuccessEnvelope) {
    Reply reply = success_reply("getcoloniesmsg", parse(R"([{"name":"dev"}])"));
    EXPECT_EQ(reply.http_status, 200);
    json::value v = parse(reply.body);
    EXPECT_EQ(v.at("payloadtype").as_string(), "getcoloniesmsg");
    EXPECT_EQ(v.at("error").as_bool(), false);
    EXPECT_EQ(payload_of(v), parse(R"([{"name":"dev"}])"));
}

TEST(Replies, EmptyObjectIsE30) {
    Reply reply = success_reply("removecolonymsg", json::object());
    EXPECT_EQ(parse(reply.body).at("payload").as_string(), "e30=");
}

TEST(Replies, ErrorEnvelope) {
    Reply reply = error_reply(forbidden("Access denied, not server owner"));
    EXPECT_EQ(reply.http_status, 403);
    json::value v = parse(reply.body);
    EXPECT_EQ(v.at("payloadtype").as_string(), "error");
    EXPECT_EQ(v.at("error").as_bool(), true);
    json::value payload = payload_of(v);
    EXPECT_EQ(payload.at("status").as_int64(), 403);
    EXPECT_EQ(payload.at("message").as_string(), "Access denied, not server owner");
    // Same bytes as the example in protocol.md 1.4.
    EXPECT_EQ(v.at("payload").as_string(),
              "eyJzdGF0dXMiOjQwMywibWVzc2FnZSI6IkFjY2VzcyBkZW5pZWQsIG5vdCBzZXJ2ZXIgb3duZXIifQ==");
}

TEST(Replies, ErrorMessagesWithQuotesSurvive) {
    Reply reply = error_reply(bad_request("bad \"name\" <x> & \\ \n"));
    EXPECT_EQ(reply.http_status, 400);
    auto decoded = decode_reply(reply.http_status, reply.body);
    ASSERT_FALSE(decoded.ok());
    EXPECT_EQ(decoded.error().status, 400);
    EXPECT_EQ(decoded.error().message, "bad \"name\" <x> & \\ \n");
}

TEST(DecodeReply, SpecExampleErrorEnvelope) {
    auto r = decode_reply(
        403,
        R"({"payloadtype":"error","payload":"eyJzdGF0dXMiOjQwMywibWVzc2FnZSI6IkFjY2VzcyBkZW5pZWQsIG5vdCBzZXJ2ZXIgb3duZXIifQ==","error":true})");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().status, 403);
    EXPECT_EQ(r.error().message, "Access denied, not server owner");
}

TEST(DecodeReply, ErrorStatusComesFromThePayload) {
    // A forwarded reply (protocol.md 1.9) carries an error with HTTP 200.
    Reply reply = error_reply(not_found("No process available for assignment"));
    auto r = decode_reply(200, reply.body);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().status, 404);
    EXPECT_EQ(r.error().message, "No process available for assignment");
}

TEST(DecodeReply, ErrorStatusFallsBackToHttpStatus) {
    std::string body = R"({"payloadtype":"error","payload":")" +
                       base64_encode(R"({"message":"m"})") + R"(","error":true})";
    auto r = decode_reply(409, body);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().status, 409);
    EXPECT_EQ(r.error().message, "m");
    // Upstream's stale docs show the status as a string.
    body = R"({"payloadtype":"error","payload":")" +
           base64_encode(R"({"status":"408","message":"t"})") + R"(","error":true})";
    auto s = decode_reply(200, body);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().status, 408);
}

// Every kind a server answers with, and statuses outside the table, decode to the same kind,
// status and message, and re-encode to the same bytes.
TEST(DecodeReply, ErrorRepliesRoundTripExactly) {
    std::vector<Error> errors;
    for (const auto& info : kErrorKinds) {
        // Unreachable is the client's own (no reply came); on the wire it would read Transport.
        if (info.kind != ErrorKind::Unreachable)
            errors.emplace_back(info.kind, "m " + std::string(info.name));
    }
    errors.emplace_back(418, "teapot");
    errors.emplace_back(504, "gateway timeout");
    errors.emplace_back(413, "Request body exceeds the server limit of 10 bytes");
    for (const Error& e : errors) {
        const Reply reply = error_reply(e);
        EXPECT_EQ(reply.http_status, e.status);
        auto r = decode_reply(reply.http_status, reply.body);
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.error().kind, e.kind) << e.message;
        EXPECT_EQ(r.error().status, e.status) << e.message;
        EXPECT_EQ(r.error().message, e.message);
        EXPECT_EQ(error_reply(r.error()).body, reply.body);
    }
    EXPECT_EQ(Error(413, "x").kind, ErrorKind::TooLarge);
}

TEST(DecodeReply, InvalidReplyKindFollowsTheHttpStatus) {
    EXPECT_EQ(decode_reply(404, "404 page not found").error().kind, ErrorKind::NotFound);
    EXPECT_EQ(decode_reply(200, "").error().kind, ErrorKind::Internal);
    EXPECT_EQ(decode_reply(502, "<html>bad gateway</html>").error().kind, ErrorKind::Transport);
}

TEST(DecodeReply, SuccessReturnsThePayload) {
    Reply reply = success_reply("getcoloniesmsg", parse(R"({"a":[1,2,{"b":null}]})"));
    auto r = decode_reply(reply.http_status, reply.body);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(*r, parse(R"({"a":[1,2,{"b":null}]})"));

    auto null_payload =
        decode_reply(200, R"({"payloadtype":"x","payload":"bnVsbA==","error":false})");
    ASSERT_TRUE(null_payload.ok());
    EXPECT_TRUE(null_payload->is_null());
}

TEST(DecodeReply, EmptyPayloadIsNull) {
    auto r = decode_reply(200, R"({"payloadtype":"x","payload":"","error":false})");
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_TRUE(r->is_null());
    auto missing = decode_reply(200, R"({"payloadtype":"x"})");
    ASSERT_TRUE(missing.ok()) << missing.error().message;
    EXPECT_TRUE(missing->is_null());
}

// Deeper than Boost.JSON's default limit of 32; user data in replies may nest deeply.
TEST(DecodeReply, DeeplyNestedPayloadAccepted) {
    std::string deep(100, '[');
    deep += std::string(100, ']');
    std::string body =
        R"({"payloadtype":"x","payload":")" + base64_encode(deep) + R"(","error":false})";
    auto r = decode_reply(200, body);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_TRUE(r->is_array());
}

TEST(DecodeReply, InvalidEnvelopes) {
    struct Case {
        int http_status;
        const char* body;
        int expected_status;
    };
    const Case cases[] = {
        {200, "", 500},                                             // no reply at all
        {404, "404 page not found", 404},                           // plain-text error
        {200, "[]", 500},                                           // not an object
        {200, R"({"payload":1,"error":false})", 500},               // payload not a string
        {200, R"({"payload":"e30=","error":"no"})", 500},           // error not a bool
        {500, R"({"payload":"!!!!","error":false})", 500},          // payload not base64
        {200, R"({"payload":"bm90IGpzb24=","error":false})", 500},  // base64 of "not json"
        {403, R"({"payload":"","error":true})", 403},               // error without a payload
        {400, R"({"payload":"WzFd","error":true})", 400},           // error payload [1]
    };
    for (const auto& c : cases) {
        auto r = decode_reply(c.http_status, c.body);
        ASSERT_FALSE(r.ok()) << c.body;
        EXPECT_EQ(r.error().status, c.expected_status) << c.body;
        EXPECT_EQ(r.error().message.rfind("invalid reply from server: ", 0), 0u)
            << r.error().message;
    }
}

}  // namespace
}  // namespace colonies::rpc
