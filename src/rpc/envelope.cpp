// RPC request/reply envelopes (protocol.md 1.2-1.4) and the base64 they carry.
//
// The decoders follow Go's encoding/json and encoding/base64 (StdEncoding), which is what
// upstream and its SDKs use, so that the same inputs are accepted and rejected.
#include "rpc/envelope.hpp"

#include <array>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/json_text.hpp"

namespace colonies::rpc {
namespace json = boost::json;

namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// Alphabet index of each byte, -1 for bytes outside the alphabet.
constexpr std::array<int8_t, 256> make_decode_table() {
    std::array<int8_t, 256> t{};
    for (auto& v : t) v = -1;
    for (int i = 0; i < 64; ++i)
        t[static_cast<unsigned char>(kAlphabet[i])] = static_cast<int8_t>(i);
    return t;
}
constexpr auto kDecodeTable = make_decode_table();

Error base64_error(size_t offset) {
    return bad_request("illegal base64 data at input byte " + std::to_string(offset));
}

// Go's JSON type names, for decoder messages in Go's wording.
const char* go_json_kind(const json::value& v) {
    switch (v.kind()) {
        case json::kind::object:
            return "object";
        case json::kind::array:
            return "array";
        case json::kind::string:
            return "string";
        case json::kind::bool_:
            return "bool";
        case json::kind::null:
            return "null";
        default:
            return "number";
    }
}

// ASCII case-insensitive equality: Go's decoder matches keys that way (protocol.md 0).
bool equal_fold(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
        auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; };
        if (lower(a[i]) != lower(b[i])) return false;
    }
    return true;
}

// Assign a string field the Go way: null keeps the zero value, other kinds are an error.
Status read_string_field(const json::value& v, std::string_view field, std::string& out) {
    if (v.is_null()) return ok_status();
    if (!v.is_string()) {
        return bad_request(std::string("json: cannot unmarshal ") + go_json_kind(v) +
                           " into Go struct field RPCMsg." + std::string(field) +
                           " of type string");
    }
    out.assign(v.get_string().data(), v.get_string().size());
    return ok_status();
}

Result<json::value> parse_json(std::string_view text) {
    boost::system::error_code ec;
    json::value v = read_json_text(text, ec);
    if (ec) return bad_request(ec.message());
    return v;
}

// Assembled by hand in the key order an object would serialise in: the base64 payload, most of
// every reply, needs no JSON escaping, so an object would only copy and scan it twice more.
std::string envelope_text(std::string_view payloadtype, std::string_view payload_b64, bool error) {
    const std::string type = json::serialize(json::string_view(payloadtype));
    std::string out;
    out.reserve(type.size() + payload_b64.size() + 48);
    out += "{\"payloadtype\":";
    out += type;
    out += ",\"payload\":\"";
    out += payload_b64;
    out += error ? "\",\"error\":true}" : "\",\"error\":false}";
    return out;
}

// Status for a reply that is not an envelope: the HTTP status when it reports a failure.
int invalid_reply_status(int http_status) {
    return http_status >= 400 ? http_status : 500;
}

Error invalid_reply(int http_status, std::string_view why) {
    return Error(invalid_reply_status(http_status),
                 "invalid reply from server: " + std::string(why));
}

// The decoded error payload {"status": int, "message": string}. Tolerates the status as a
// string (upstream's stale docs show it so) and falls back to the HTTP status. The status is
// kept as sent (Error's int constructor), so that a reply re-encodes to the same bytes.
Error decode_error_payload(int http_status, const json::value& payload) {
    const json::object* o = payload.if_object();
    if (!o) return invalid_reply(http_status, "error payload is not an object");
    int status = invalid_reply_status(http_status);
    if (const json::value* s = o->if_contains("status")) {
        if (auto n = s->if_int64(); n && *n > 0 && *n < 1000) {
            status = static_cast<int>(*n);
        } else if (auto str = s->if_string()) {
            int parsed = std::atoi(str->c_str());
            if (parsed > 0 && parsed < 1000) status = parsed;
        }
    }
    std::string message;
    if (const json::value* m = o->if_contains("message"); m && m->is_string())
        message.assign(m->get_string().data(), m->get_string().size());
    return Error(status, std::move(message));
}

}  // namespace

std::string base64_encode(std::string_view bytes) {
    // Sized once and written through a pointer: every reply passes through here, and appending
    // one character at a time costs a capacity check per output byte.
    std::string out((bytes.size() + 2) / 3 * 4, '\0');
    char* o = out.data();
    const auto* in = reinterpret_cast<const unsigned char*>(bytes.data());
    size_t i = 0;
    for (; i + 3 <= bytes.size(); i += 3) {
        uint32_t v = (uint32_t{in[i]} << 16) | (uint32_t{in[i + 1]} << 8) | in[i + 2];
        *o++ = kAlphabet[v >> 18];
        *o++ = kAlphabet[(v >> 12) & 63];
        *o++ = kAlphabet[(v >> 6) & 63];
        *o++ = kAlphabet[v & 63];
    }
    if (size_t rest = bytes.size() - i; rest > 0) {
        uint32_t v = uint32_t{in[i]} << 16;
        if (rest == 2) v |= uint32_t{in[i + 1]} << 8;
        *o++ = kAlphabet[v >> 18];
        *o++ = kAlphabet[(v >> 12) & 63];
        *o++ = rest == 2 ? kAlphabet[(v >> 6) & 63] : '=';
        *o++ = '=';
    }
    return out;
}

// A state machine over the input, so that padding is validated exactly: '=' may only complete
// the final quantum after at least two data characters, and nothing but line breaks may follow
// it. Like Go's decoder, '\r' and '\n' are skipped anywhere and unused trailing bits are not
// required to be zero.
Result<std::string> base64_decode(std::string_view text) {
    // Written through a pointer into a buffer sized for the worst case and trimmed at the end,
    // as in base64_encode: every request payload passes through here.
    std::string out(text.size() / 4 * 3 + 3, '\0');
    char* o = out.data();
    uint32_t acc = 0;  // data bits of the current quantum
    int chars = 0;     // data characters in the current quantum
    int pads = 0;      // '=' seen; non-zero only in the final quantum
    for (size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c == '\r' || c == '\n') continue;
        if (pads > 0) {
            if (c != '=' || chars + pads == 4) return base64_error(i);
            ++pads;
            continue;
        }
        if (c == '=') {
            if (chars < 2) return base64_error(i);
            pads = 1;
            continue;
        }
        const int8_t v = kDecodeTable[c];
        if (v < 0) return base64_error(i);
        acc = (acc << 6) | static_cast<uint32_t>(v);
        if (++chars == 4) {
            *o++ = static_cast<char>(acc >> 16);
            *o++ = static_cast<char>((acc >> 8) & 0xff);
            *o++ = static_cast<char>(acc & 0xff);
            acc = 0;
            chars = 0;
        }
    }
    if (pads == 0) {
        if (chars != 0) return base64_error(text.size());
        out.resize(static_cast<size_t>(o - out.data()));
        return out;
    }
    if (chars + pads != 4) return base64_error(text.size());
    // 2 data characters carry one byte, 3 carry two; left-align the bits as a full quantum.
    acc <<= 6 * pads;
    *o++ = static_cast<char>(acc >> 16);
    if (chars == 3) *o++ = static_cast<char>((acc >> 8) & 0xff);
    out.resize(static_cast<size_t>(o - out.data()));
    return out;
}

Result<Request> parse_request(std::string_view body) {
    auto parsed = parse_json(body);
    if (!parsed) return parsed.error();
    const json::object* o = parsed->if_object();
    if (!o) {
        return bad_request(std::string("json: cannot unmarshal ") + go_json_kind(*parsed) +
                           " into Go value of type rpc.RPCMsg");
    }
    Request r;
    // In key order, so that a later duplicate wins as in Go.
    for (const auto& [key, value] : *o) {
        Status st = ok_status();
        if (equal_fold(key, "payloadtype")) {
            st = read_string_field(value, "payloadtype", r.payloadtype);
        } else if (equal_fold(key, "payload")) {
            st = read_string_field(value, "payload", r.payload);
        } else if (equal_fold(key, "signature")) {
            st = read_string_field(value, "signature", r.signature);
        }
        if (!st) return st.error();
    }
    return r;
}

std::string encode_request(std::string_view payloadtype, std::string_view payload_b64,
                           std::string_view signature) {
    json::object o;
    o["payloadtype"] = payloadtype;
    o["payload"] = payload_b64;
    o["signature"] = signature;
    return json::serialize(o);
}

Reply success_reply(std::string_view payloadtype, const json::value& payload) {
    return Reply{200, envelope_text(payloadtype, base64_encode(json::serialize(payload)), false)};
}

Reply error_reply(const Error& e) {
    json::object payload;
    payload["status"] = e.status;
    payload["message"] = e.message;
    return Reply{e.status, envelope_text("error", base64_encode(json::serialize(payload)), true)};
}

Result<json::value> decode_reply(int http_status, std::string_view body) {
    auto parsed = parse_json(body);
    if (!parsed) return invalid_reply(http_status, parsed.error().message);
    const json::object* o = parsed->if_object();
    if (!o) return invalid_reply(http_status, "not a JSON object");

    std::string payload_b64;
    if (const json::value* p = o->if_contains("payload"); p && !p->is_null()) {
        if (!p->is_string()) return invalid_reply(http_status, "payload is not a string");
        payload_b64.assign(p->get_string().data(), p->get_string().size());
    }
    bool is_error = false;
    if (const json::value* e = o->if_contains("error"); e && !e->is_null()) {
        if (!e->is_bool()) return invalid_reply(http_status, "error is not a boolean");
        is_error = e->get_bool();
    }

    auto payload_text = base64_decode(payload_b64);
    if (!payload_text) return invalid_reply(http_status, payload_text.error().message);
    if (payload_text->empty()) {
        if (is_error) return invalid_reply(http_status, "empty error payload");
        return json::value(nullptr);
    }
    auto payload = parse_json(*payload_text);
    if (!payload) return invalid_reply(http_status, payload.error().message);
    if (is_error) return decode_error_payload(http_status, *payload);
    return std::move(*payload);
}

}  // namespace colonies::rpc
