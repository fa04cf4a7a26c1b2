#include "core/channel.hpp"

#include <algorithm>
#include <array>
#include <map>

#include "core/json.hpp"

namespace colonies {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<int8_t, 256> make_decode_table() {
    std::array<int8_t, 256> t{};
    for (auto& x : t) x = -1;
    for (int i = 0; i < 64; ++i)
        t[static_cast<unsigned char>(kAlphabet[i])] = static_cast<int8_t>(i);
    return t;
}
constexpr auto kDecode = make_decode_table();

// Go's StdEncoding: padded, standard alphabet; CR and LF are skipped.
std::optional<std::string> decode_base64(std::string_view text) {
    std::string clean;
    clean.reserve(text.size());
    for (char c : text)
        if (c != '\r' && c != '\n') clean.push_back(c);
    if (clean.size() % 4 != 0) return std::nullopt;
    std::string out;
    out.reserve(clean.size() / 4 * 3);
    for (size_t i = 0; i < clean.size(); i += 4) {
        const bool last = i + 4 == clean.size();
        int pad = 0;
        uint32_t n = 0;
        for (size_t j = 0; j < 4; ++j) {
            const char c = clean[i + j];
            if (c == '=' && last && j >= 2) {
                ++pad;
                n <<= 6;
                continue;
            }
            const int8_t d = kDecode[static_cast<unsigned char>(c)];
            if (d < 0 || pad > 0) return std::nullopt;  // '=' only at the very end
            n = (n << 6) | static_cast<uint32_t>(d);
        }
        out.push_back(static_cast<char>((n >> 16) & 0xff));
        if (pad < 2) out.push_back(static_cast<char>((n >> 8) & 0xff));
        if (pad < 1) out.push_back(static_cast<char>(n & 0xff));
    }
    return out;
}

}  // namespace

std::optional<std::string> bytes_of_base64(std::string_view text) {
    return decode_base64(text);
}

std::string base64_of_bytes(std::string_view bytes) {
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    size_t i = 0;
    for (; i + 3 <= bytes.size(); i += 3) {
        const uint32_t n = (static_cast<unsigned char>(bytes[i]) << 16) |
                           (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                           static_cast<unsigned char>(bytes[i + 2]);
        for (int s = 18; s >= 0; s -= 6) out.push_back(kAlphabet[(n >> s) & 63]);
    }
    const size_t rest = bytes.size() - i;
    if (rest > 0) {
        uint32_t n = static_cast<unsigned char>(bytes[i]) << 16;
        if (rest == 2) n |= static_cast<unsigned char>(bytes[i + 1]) << 8;
        out.push_back(kAlphabet[(n >> 18) & 63]);
        out.push_back(kAlphabet[(n >> 12) & 63]);
        out.push_back(rest == 2 ? kAlphabet[(n >> 6) & 63] : '=');
        out.push_back('=');
    }
    return out;
}

boost::json::object to_json(const ChannelEntry& e) {
    boost::json::object o;
    o.emplace("sequence", e.sequence);
    if (e.inreplyto != 0) o.emplace("inreplyto", e.inreplyto);
    o.emplace("timestamp", format_rfc3339(e.timestamp));
    o.emplace("senderid", e.senderid);
    if (e.payload)
        o.emplace("payload", *e.payload);
    else
        o.emplace("payload", nullptr);
    if (!e.type.empty()) o.emplace("type", e.type);
    if (!e.error.empty()) o.emplace("error", e.error);
    return o;
}

Result<ChannelEntry> channel_entry_from_json(const boost::json::value& v) {
    if (!v.is_object()) return bad_request("channel entry: expected object");
    const auto& o = v.as_object();
    JsonFields f(o);
    ChannelEntry e;
    e.sequence = f.integer("sequence");
    e.inreplyto = f.integer("inreplyto");
    e.timestamp = f.time("timestamp");
    e.senderid = f.str("senderid");
    e.type = f.str("type");
    e.error = f.str("error");
    if (!f.ok()) return bad_request("channel entry: " + f.error());
    auto it = o.find("payload");
    auto payload = channel_payload_from_json(it == o.end() ? nullptr : &it->value());
    if (!payload) return payload.error();
    e.payload = std::move(payload->base64);
    return e;
}

Result<ChannelPayload> channel_payload_from_json(const boost::json::value* v) {
    ChannelPayload out;
    if (!v || v->is_null()) return out;
    if (v->is_string()) {
        auto bytes = decode_base64(v->get_string());
        if (!bytes) return bad_request("payload: illegal base64 data");
        out.bytes = static_cast<int64_t>(bytes->size());
        out.base64 = base64_of_bytes(*bytes);
        return out;
    }
    if (!v->is_array()) return bad_request("payload: expected base64 string or array of bytes");
    std::string bytes;
    bytes.reserve(v->get_array().size());
    for (const auto& x : v->get_array()) {
        const auto n = x.if_int64();
        const auto u = x.if_uint64();
        const int64_t b = n ? *n : (u && *u <= 255 ? static_cast<int64_t>(*u) : -1);
        if (b < 0 || b > 255) return bad_request("payload: array element is not a byte");
        bytes.push_back(static_cast<char>(b));
    }
    out.bytes = static_cast<int64_t>(bytes.size());
    out.base64 = base64_of_bytes(bytes);
    return out;
}

std::vector<int64_t> channel_order(const std::vector<ChannelKey>& keys) {
    // Per sender: its positions (append order) and its entries by sequence.
    std::map<std::string_view, std::vector<int64_t>> by_sender;
    for (size_t i = 0; i < keys.size(); ++i)
        by_sender[keys[i].senderid].push_back(static_cast<int64_t>(i));
    std::vector<int64_t> order(keys.size());
    for (auto& [_, positions] : by_sender) {
        std::vector<int64_t> entries = positions;
        std::stable_sort(entries.begin(), entries.end(), [&keys](int64_t a, int64_t b) {
            return keys[static_cast<size_t>(a)].sequence < keys[static_cast<size_t>(b)].sequence;
        });
        for (size_t k = 0; k < positions.size(); ++k)
            order[static_cast<size_t>(positions[k])] = entries[k];
    }
    return order;
}

std::vector<int64_t> channel_slice(const std::vector<int64_t>& order, int64_t from, int64_t limit) {
    const int64_t n = static_cast<int64_t>(order.size());
    const int64_t start = std::max<int64_t>(from, 0);
    if (start >= n) return {};
    const int64_t end = limit > 0 && limit < n - start ? start + limit : n;
    return {order.begin() + start, order.begin() + end};
}

}  // namespace colonies
