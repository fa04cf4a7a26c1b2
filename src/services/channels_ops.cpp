#include "services/channels_ops.hpp"

#include <algorithm>
#include <set>
#include <unordered_map>

#include "core/json.hpp"
#include "services/auth.hpp"
#include "services/op_util.hpp"

namespace colonies::services {
namespace {

enum class Access { Write, Read, Subscribe };

std::string refusal(Access a) {
    switch (a) {
        case Access::Write:
            return "Not authorized to write to channel";
        case Access::Read:
            return "Not authorized to read from channel";
        case Access::Subscribe:
            return "Not authorized to subscribe to channel";
    }
    return {};
}

TokenBuckets& rate_of(const Config& cfg) {
    static TokenBuckets upstream_default;
    return cfg.channel_rate ? *cfg.channel_rate : upstream_default;
}

// The process and whether `name` is one of its live channels, in upstream's order: the process
// (404), membership of its colony (403), the channel (404 while it is not declared or the
// process has finished; upstream creates at most 100 channels per process and refuses the others
// when they are used).
Result<Process> channel_process(OpContext& ctx, const std::string& processid,
                                const std::string& name) {
    auto p = ctx.tx.process(processid);
    if (!p) return not_found("Process not found");
    const auto& colony = p->spec.conditions.colonyname;
    if (auto st = require_member(ctx.tx, colony, ctx.caller, true, ctx.now); !st) return st.error();
    if (is_final(p->state)) return not_found("Channel not found");
    std::set<std::string_view> distinct;
    for (const auto& declared : p->spec.channels) {
        const bool created = distinct.size() < kMaxChannelsPerProcess;
        if (created) distinct.insert(declared);
        if (declared != name) continue;
        if (distinct.count(name)) return std::move(*p);
        return internal_error("process has too many channels");
    }
    return not_found("Channel not found");
}

// Only the submitter and the assigned executor take part (features.md 5.3 step 3).
bool takes_part(const OpContext& ctx, const Process& p) {
    return ctx.caller == p.initiatorid || (p.isassigned && ctx.caller == p.assignedexecutorid);
}

// The entries at log positions [from, from + limit) (features.md 5.3 `afterseq`, `limit`).
boost::json::array read_log(OpContext& ctx, const std::string& processid, const std::string& name,
                            int64_t from, int64_t limit, int64_t* count) {
    const auto keys = ctx.tx.channel_keys(processid, name);
    if (count) *count = static_cast<int64_t>(keys.size());
    const auto wanted = channel_slice(channel_order(keys), from, limit);
    boost::json::array out;
    if (wanted.empty()) return out;
    const auto [lo, hi] = std::minmax_element(wanted.begin(), wanted.end());
    std::unordered_map<int64_t, const ChannelEntry*> by_index;
    const auto stored = ctx.tx.channel_entries(processid, name, *lo, *hi - *lo + 1);
    for (const auto& s : stored) by_index.emplace(s.index, &s.entry);
    out.reserve(wanted.size());
    for (int64_t i : wanted)
        if (auto it = by_index.find(i); it != by_index.end()) out.push_back(to_json(*it->second));
    return out;
}

}  // namespace

double TokenBuckets::level(const Bucket& b, Clock::time_point now) const {
    const double elapsed = std::chrono::duration<double>(now - b.last).count();
    return std::min(burst_, b.tokens + std::max(elapsed, 0.0) * per_second_);
}

bool TokenBuckets::take(const std::string& processid, Clock::time_point now) {
    std::lock_guard lk(mu_);
    auto it = buckets_.find(processid);
    if (it == buckets_.end()) {
        if (buckets_.size() >= prune_at_) {
            std::erase_if(buckets_,
                          [&](const auto& kv) { return level(kv.second, now) >= burst_; });
            prune_at_ = std::max<size_t>(1024, buckets_.size() * 2);
        }
        it = buckets_.emplace(processid, Bucket{burst_, now}).first;
    }
    Bucket& b = it->second;
    b.tokens = level(b, now);
    b.last = now;
    if (b.tokens < 1.0) return false;
    b.tokens -= 1.0;
    return true;
}

size_t TokenBuckets::size() const {
    std::lock_guard lk(mu_);
    return buckets_.size();
}

OpResult op_channel_append(OpContext& ctx, const boost::json::object& msg) {
    JsonFields f(msg);
    const auto processid = f.str("processid");
    const auto name = f.str("name");
    ChannelEntry e;
    e.sequence = f.integer("sequence");
    e.inreplyto = f.integer("inreplyto");
    e.type = f.str("payloadtype");
    if (!f.ok()) return invalid_json(ctx);
    auto it = msg.find("payload");
    auto payload = channel_payload_from_json(it == msg.end() ? nullptr : &it->value());
    if (!payload) return invalid_json(ctx);

    auto p = channel_process(ctx, processid, name);
    if (!p) return p.error();
    // Upstream weighs the payload before it looks at the sender.
    if (payload->bytes > kChannelMaxPayloadBytes)
        return internal_error("message payload exceeds maximum size");
    if (!takes_part(ctx, *p)) return forbidden(refusal(Access::Write));
    if (!rate_of(ctx.cfg).take(processid)) return internal_error("rate limit exceeded");
    const store::ChannelTail tail = ctx.tx.channel_tail(processid, name);
    if (tail.count >= kChannelMaxEntries) return internal_error("channel log is full");
    if (tail.bytes + payload->bytes > ctx.cfg.channel_max_bytes)
        return internal_error("channel log is full: its payloads would pass " +
                              std::to_string(ctx.cfg.channel_max_bytes) + " bytes");

    e.timestamp = ctx.now;
    e.senderid = ctx.caller;
    e.payload = std::move(payload->base64);
    if (e.type.empty()) e.type = "data";
    ctx.tx.append_channel_entry(processid, name, tail.count, tail.bytes + payload->bytes, e);
    ctx.fx.channels.push_back({processid, name, tail.count, std::move(e), false});
    return empty_reply();
}

OpResult op_channel_read(OpContext& ctx, const boost::json::object& msg) {
    JsonFields f(msg);
    const auto processid = f.str("processid");
    const auto name = f.str("name");
    const auto afterseq = f.integer("afterseq");
    const auto limit = f.integer("limit");
    if (!f.ok()) return invalid_json(ctx);
    auto p = channel_process(ctx, processid, name);
    if (!p) return p.error();
    if (!takes_part(ctx, *p)) return forbidden(refusal(Access::Read));
    return boost::json::value(read_log(ctx, processid, name, afterseq, limit, nullptr));
}

Result<ChannelSubscribeFields> parse_channel_subscribe(const boost::json::object& msg,
                                                       std::string_view prefix) {
    JsonFields f(msg);
    ChannelSubscribeFields out;
    out.processid = f.str("processid");
    out.name = f.str("name");
    out.afterseq = f.integer("afterseq");
    out.timeout_s = f.integer("timeout");
    if (!f.ok()) return bad_request(std::string(prefix) + ", invalid JSON");
    if (out.timeout_s <= 0) out.timeout_s = 30;
    return out;
}

Result<ChannelBacklog> open_channel_subscription(OpContext& ctx, const ChannelSubscribeFields& f) {
    auto p = channel_process(ctx, f.processid, f.name);
    if (!p) return p.error();
    if (!takes_part(ctx, *p)) return forbidden(refusal(Access::Subscribe));
    ChannelBacklog out;
    out.colonyname = p->spec.conditions.colonyname;
    out.entries = read_log(ctx, f.processid, f.name, f.afterseq, 0, &out.next);
    return out;
}

ChannelCatchUp channel_catch_up(OpContext& ctx, const std::string& processid,
                                const std::string& name, int64_t from) {
    ChannelCatchUp out;
    out.entries = ctx.tx.channel_entries(processid, name, from, 0);
    if (!out.entries.empty()) return out;
    auto p = ctx.tx.process(processid);
    out.ended = !p || is_final(p->state);
    return out;
}

void end_channels(OpContext& ctx, const Process& p) {
    if (p.spec.channels.empty()) return;
    ctx.tx.remove_channels(p.processid);
    ctx.fx.channels.push_back({p.processid, "", 0, std::nullopt, true});
}

}  // namespace colonies::services
