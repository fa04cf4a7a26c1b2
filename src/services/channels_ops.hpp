// Channels (features.md 5, protocol.md 5.13 and 5.16): per-process message logs between the
// submitter of a process and the executor assigned to it. The entries live in the store (so
// every server of a cluster sees them, and they survive a restart while the process runs);
// they are removed in the transaction that ends the process (services/transitions.cpp) or
// removes it. A channel exists while its process is WAITING or RUNNING and its name is among
// the first 100 names of the process's spec (`channels`).
#pragma once
#include <boost/json.hpp>
#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "services/operation.hpp"

namespace colonies::services {

OpResult op_channel_append(OpContext& ctx, const boost::json::object& msg);
OpResult op_channel_read(OpContext& ctx, const boost::json::object& msg);

// A token bucket per process (features.md 5.3 step 5): `burst` tokens, refilled at `per_second`,
// starting full. Thread-safe. A bucket that has refilled completely is the same as a new one, so
// such buckets are forgotten when the table grows: the table holds only busy processes.
class TokenBuckets {
  public:
    using Clock = std::chrono::steady_clock;
    TokenBuckets(double burst = 500, double per_second = 100)
        : burst_(burst), per_second_(per_second) {}
    bool take(const std::string& processid, Clock::time_point now = Clock::now());
    size_t size() const;

  private:
    struct Bucket {
        double tokens;
        Clock::time_point last;
    };
    double level(const Bucket& b, Clock::time_point now) const;
    const double burst_, per_second_;
    mutable std::mutex mu_;
    std::unordered_map<std::string, Bucket> buckets_;
    size_t prune_at_ = 1024;
};

// subscribechannelmsg {processid, name, afterseq, timeout}.
struct ChannelSubscribeFields {
    std::string processid;
    std::string name;
    int64_t afterseq = 0;
    int64_t timeout_s = 30;  // 0 -> 30
};
Result<ChannelSubscribeFields> parse_channel_subscribe(const boost::json::object& msg,
                                                       std::string_view prefix);

// The start of a subscription: the checks of channelreadmsg (with the subscribe texts), the
// entries from log position `afterseq` on, and the append index the next new entry will have.
struct ChannelBacklog {
    std::string colonyname;
    boost::json::array entries;
    int64_t next = 0;
};
Result<ChannelBacklog> open_channel_subscription(OpContext& ctx, const ChannelSubscribeFields& f);

// What a subscriber has not seen yet: entries from append index `from` on; `ended` when the
// process is gone or finished (its channels with it).
struct ChannelCatchUp {
    std::vector<store::IndexedChannelEntry> entries;
    bool ended = false;
};
ChannelCatchUp channel_catch_up(OpContext& ctx, const std::string& processid,
                                const std::string& name, int64_t from);

// The channels of `p` ended with it (it finished or is being removed): remove their entries and
// tell the subscribers. Nothing for a process without channels.
void end_channels(OpContext& ctx, const Process& p);

}  // namespace colonies::services
