// Channel entries (features.md 5.2) and the order of a channel's log (5.3 step 7). Pure: the
// store keeps the entries, services/channels_ops decides who may append and read.
//
// An entry's payload is kept as the base64 text it has on the wire (Go's []byte): the server
// never looks inside it, so it is converted once, when it arrives, and sent on as it is stored.
#pragma once
#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "core/time.hpp"

namespace colonies {

// Upstream's limits (features.md 12.4).
inline constexpr int64_t kChannelMaxPayloadBytes = 10LL * 1024 * 1024;
inline constexpr int64_t kChannelMaxEntries = 10000;
inline constexpr size_t kMaxChannelsPerProcess = 100;

struct ChannelEntry {
    int64_t sequence = 0;
    int64_t inreplyto = 0;  // omitted when 0
    Time timestamp;
    std::string senderid;
    std::optional<std::string> payload;  // base64 text; nullopt is JSON null (none sent)
    std::string type;                    // omitted when empty
    std::string error;                   // omitted when empty
};

boost::json::object to_json(const ChannelEntry& e);
Result<ChannelEntry> channel_entry_from_json(const boost::json::value& v);

// A request's `payload` as Go decodes a []byte: a base64 string (standard alphabet, padded) or
// an array of integers 0..255; null or missing is none. Gives the base64 text and the number of
// bytes it stands for; nullopt inside the Result for none, an error for anything else.
struct ChannelPayload {
    std::optional<std::string> base64;
    int64_t bytes = 0;
};
Result<ChannelPayload> channel_payload_from_json(const boost::json::value* v);

std::string base64_of_bytes(std::string_view bytes);
// Go's StdEncoding decode (CR and LF skipped); nullopt when the text is not base64.
std::optional<std::string> bytes_of_base64(std::string_view text);

// What the order of a log depends on, one per entry in append order.
struct ChannelKey {
    std::string senderid;
    int64_t sequence = 0;
};
// The log's order as append indexes: entries of one sender by `sequence` ascending, entries of
// different senders by append time. Each sender keeps the positions its entries were appended
// at and fills them in sequence order (equal sequences in append order), so a sender whose
// sequence numbers grow (the usual case) leaves the append order as it is.
std::vector<int64_t> channel_order(const std::vector<ChannelKey>& keys);

// The first `limit` entries of `order` from position `from` (limit <= 0: to the end; from < 0
// counts as 0; past the end: none), as features.md 5.3 `afterseq`/`limit` say.
std::vector<int64_t> channel_slice(const std::vector<int64_t>& order, int64_t from, int64_t limit);

}  // namespace colonies
