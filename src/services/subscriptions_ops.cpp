#include "services/subscriptions_ops.hpp"

#include <array>

#include "core/json.hpp"
#include "services/auth.hpp"

namespace colonies::services {

namespace {

constexpr std::array kSubscribeMessages{
    SubscribeMessage{"subscribeprocessmsg", "Failed to subscribe to process", true},
    SubscribeMessage{"subscribeprocessesmsg", "Failed to subscribe to processes", false},
    SubscribeMessage{"subscribechannelmsg", "Failed to subscribe to channel", false, true},
};

}  // namespace

const SubscribeMessage* find_subscribe_message(std::string_view payloadtype) {
    for (const auto& m : kSubscribeMessages)
        if (m.payloadtype == payloadtype) return &m;
    return nullptr;
}

Result<SubscribeFields> parse_subscribe(const SubscribeMessage& m, const boost::json::object& msg) {
    const std::string prefix(m.error_prefix);
    JsonFields f(msg);
    SubscribeFields out;
    out.processid = m.one_process ? f.str("processid") : "";
    out.colonyname = f.str("colonyname");
    out.executortype = f.str("executortype");
    auto state = f.integer("state");
    out.timeout_s = f.integer("timeout");
    if (!f.ok()) return bad_request(prefix + ", invalid JSON");
    auto wanted = parse_process_state(state);
    if (!wanted) return bad_request(prefix + ", invalid state");
    out.state = *wanted;
    // Upstream ends a subscription with timeout <= 0 at once; say why instead (6.11).
    if (out.timeout_s <= 0)
        return bad_request(prefix + ", timeout must be a positive number of seconds");
    return out;
}

Result<std::optional<Process>> authorise_subscription(OpContext& ctx, const std::string& processid,
                                                      const std::string& colonyname) {
    if (!processid.empty()) {
        auto p = ctx.tx.process(processid);
        if (!p) return forbidden("Invalid process with Id " + processid);
        // Quirk (3.3): upstream checks no membership here.
        const auto& colony = p->spec.conditions.colonyname;
        if (auto st = require_member(ctx.tx, colony, ctx.caller, true, ctx.now); !st)
            return st.error();
        return std::optional<Process>(std::move(*p));
    }
    if (!ctx.tx.executor_by_id(ctx.caller)) return forbidden("executor not found");
    // Quirk (3.3): upstream does not scope this to a colony.
    if (auto st = require_member(ctx.tx, colonyname, ctx.caller, true, ctx.now); !st)
        return st.error();
    return std::optional<Process>();
}

}  // namespace colonies::services
