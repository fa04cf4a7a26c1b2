// Subscriptions to process state changes (protocol.md 5.16, 6.11): what a subscribe message asks
// for and who may ask. The server registers and delivers them (server/subscriptions.hpp,
// server/pubsub.hpp); the rules are here.
#pragma once
#include <boost/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "core/types.hpp"
#include "services/operation.hpp"

namespace colonies::services {

struct SubscribeMessage {
    std::string_view payloadtype;
    std::string_view error_prefix;  // "<prefix>, invalid JSON"
    bool one_process;               // subscribeprocessmsg; else subscribeprocessesmsg
    bool channel = false;           // subscribechannelmsg (services/channels_ops.hpp)
};

// nullptr for payload types that are no subscription.
const SubscribeMessage* find_subscribe_message(std::string_view payloadtype);

struct SubscribeFields {
    std::string processid;  // one process (subscribeprocessmsg only)
    std::string colonyname;
    std::string executortype;  // "" = any
    ProcessState state = ProcessState::Waiting;
    int64_t timeout_s = 0;
};

// The decoded payload's fields, checked (state in range, timeout positive).
Result<SubscribeFields> parse_subscribe(const SubscribeMessage& m, const boost::json::object& msg);

// On the store thread: may ctx.caller subscribe to `processid` (a process subscription) or to
// the processes of `colonyname`? For a process subscription, also the process as it is now
// (sent at once when it is already in the requested state). Counts as the caller's heartbeat.
Result<std::optional<Process>> authorise_subscription(OpContext& ctx, const std::string& processid,
                                                      const std::string& colonyname);

}  // namespace colonies::services
