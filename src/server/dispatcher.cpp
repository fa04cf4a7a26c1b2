#include "server/dispatcher.hpp"
#include "core/json_text.hpp"

#include <boost/asio.hpp>

#include "core/json.hpp"
#include "crypto/crypto.hpp"
#include "log/log.hpp"
#include "server/request_log.hpp"
#include "services/background.hpp"
#include "services/subscriptions_ops.hpp"

namespace colonies::server {
namespace asio = boost::asio;

namespace {

const char* const kEmptyTypeMessage =
    "invalid rpcMsg.PayloadType: empty (this usually means the client is misconfigured - check "
    "that COLONIES_PRVKEY and other environment variables are set correctly)";

rpc::Reply no_process_reply() {
    return rpc::error_reply(not_found("No process available for assignment"));
}

rpc::Reply version_reply(const services::Config& cfg) {
    boost::json::object v{{"buildversion", cfg.build_version},
                          {"buildtime", cfg.build_time},
                          {"msgtype", "versionmsg"}};
    return rpc::success_reply("versionmsg", v);
}

rpc::Reply server_info_reply(const services::Config& cfg) {
    ServerInfo info{cfg.build_version, cfg.build_time, cfg.http_host, cfg.http_port, cfg.tls};
    return rpc::success_reply("getserverinfomsg", to_json(info));
}

// Base64 + JSON decode of the payload; must be an object (a JSON null payload is invalid JSON
// here, where upstream crashes: protocol.md 1.4 quirk a).
Result<boost::json::object> decode_payload(const std::string& payload, std::string_view prefix) {
    auto invalid = bad_request(std::string(prefix) + ", invalid JSON");
    auto text = rpc::base64_decode(payload);
    if (!text) return invalid;
    boost::system::error_code ec;
    auto v = read_json_text(*text, ec);
    if (ec || !v.is_object()) return invalid;
    return std::move(v.as_object());
}

bool msgtype_matches(const boost::json::object& msg, std::string_view payloadtype) {
    auto mt = msg.find("msgtype");
    return mt != msg.end() && mt->value().is_string() && mt->value().get_string() == payloadtype;
}

// What an assign attempt found, for the LongPoll.
LongPoll::Found found_of(const Result<services::AssignAttempt>& r) {
    if (!r) return rpc::error_reply(r.error());
    if (r->claimed) return rpc::success_reply("assignprocessmsg", to_json(*r->claimed));
    LongPoll::Wait wait{r->waiter, bounded_wait(r->timeout_s)};
    // Still paused when the poll's time is up: features.md 7.6's timeout, not "no process".
    if (r->paused)
        wait.at_deadline =
            rpc::error_reply(timed_out("Assignment timeout: colony assignments are paused"));
    return wait;
}

}  // namespace

std::vector<std::string> request_slot_names() {
    std::vector<std::string> names;
    for (const auto& op : services::operations()) names.emplace_back(op.payloadtype);
    names.emplace_back("versionmsg");
    names.emplace_back("getserverinfomsg");
    return names;
}

asio::awaitable<rpc::Reply> Dispatcher::handle(std::string_view body,
                                               const WatchHangup& watch_hangup) {
    const auto start = std::chrono::steady_clock::now();
    RequestInfo info{requests_.invalid_slot(), {}};
    auto reply = co_await pipeline(body, watch_hangup, info);
    const auto took = std::chrono::steady_clock::now() - start;
    requests_.record(info.slot, reply.http_status, took);
    if (log::enabled(log::Level::Debug))
        log_request(requests_.name(info.slot), info.caller, reply.http_status, took);
    co_return reply;
}

asio::awaitable<rpc::Reply> Dispatcher::pipeline(std::string_view body,
                                                 const WatchHangup& watch_hangup,
                                                 RequestInfo& info) {
    const size_t catalogue_size = services::operations().size();
    auto req = rpc::parse_request(body);
    if (!req) co_return rpc::error_reply(req.error());
    if (req->payloadtype == "versionmsg") {
        info.slot = catalogue_size;
        auto msg = decode_payload(req->payload, "Failed to get version");
        if (!msg) co_return rpc::error_reply(msg.error());
        co_return version_reply(cfg_);
    }
    if (req->payloadtype == "getserverinfomsg") {
        info.slot = catalogue_size + 1;
        co_return server_info_reply(cfg_);
    }

    const auto* op = services::find_operation(req->payloadtype);
    if (op) info.slot = static_cast<size_t>(op - services::operations().data());
    auto caller = signers_.recover_id(req->payload, req->signature);
    if (!caller) co_return rpc::error_reply(caller.error());
    info.caller = caller->substr(0, kLoggedIdChars);

    if (!op) {
        co_return rpc::error_reply(forbidden(
            req->payloadtype.empty() ? std::string(kEmptyTypeMessage)
                                     : "invalid rpcMsg.PayloadType: " + req->payloadtype));
    }
    auto msg = decode_payload(req->payload, op->error_prefix);
    if (!msg) co_return rpc::error_reply(msg.error());
    if (!msgtype_matches(*msg, req->payloadtype))
        co_return rpc::error_reply(bad_request(std::string(op->error_prefix) +
                                               ", msg.MsgType does not match payloadType"));

    if (!op->fn) co_return co_await assign(*caller, *msg, op->error_prefix, watch_hangup);

    std::optional<services::OpResult> reply;
    services::Effects fx;
    // A named job, not a temporary inside co_await: g++ 12 destroys such temporaries twice.
    auto job = [&](store::StoreTx& tx) {
        services::OpContext ctx{tx, *caller, Time::now(), cfg_, op->error_prefix, {}};
        reply = op->fn(ctx, *msg);
        fx = std::move(ctx.fx);
        return reply->ok();
    };
    if (auto failed = co_await store_.run(std::move(job))) {
        reply = std::move(*failed);
        fx = {};
    }
    fanout_.announce(fx);
    if (!reply->ok()) co_return rpc::error_reply(reply->error());
    co_return rpc::success_reply(op->reply_type.empty() ? req->payloadtype : op->reply_type,
                                 reply->value());
}

asio::awaitable<rpc::Reply> Dispatcher::assign(const std::string& caller,
                                               const boost::json::object& msg,
                                               std::string_view prefix,
                                               const WatchHangup& watch_hangup) {
    LongPoll::Attempt attempt = [this, &caller, &msg, prefix] {
        return assign_attempt(caller, msg, prefix);
    };
    LongPoll poll(waiters_, fanout_.recheck());
    auto reply = co_await poll.run(attempt, watch_hangup);
    co_return reply ? std::move(*reply) : no_process_reply();
}

asio::awaitable<LongPoll::Found> Dispatcher::assign_attempt(const std::string& caller,
                                                            const boost::json::object& msg,
                                                            std::string_view prefix) {
    // On the heap: with a claimed Process in the coroutine frame g++ 12 warns, wrongly, that
    // the frame is released by a mismatched operator delete.
    struct Out {
        std::optional<Result<services::AssignAttempt>> found;
        services::Effects fx;
    };
    auto out = std::make_shared<Out>();
    auto job = [this, &caller, &msg, prefix, out](store::StoreTx& tx) {
        services::OpContext ctx{tx, caller, Time::now(), cfg_, prefix, {}};
        out->found = services::try_assign(ctx, msg);
        out->fx = out->found->ok() ? std::move(ctx.fx) : services::Effects{};  // RUNNING event
        return out->found->ok();
    };
    if (auto failed = co_await store_.run(std::move(job))) {
        out->found = std::move(*failed);
        out->fx = {};
    }
    fanout_.announce(out->fx);
    co_return found_of(*out->found);
}

asio::awaitable<void> Dispatcher::sweep() {
    static const std::string kServerCaller;
    // Stale executors are looked for every cleanup interval, not every sweep.
    const auto now = std::chrono::steady_clock::now();
    const bool cleanup_due =
        now - last_cleanup_ >= std::chrono::seconds(cfg_.cleanup_interval_seconds);
    if (cleanup_due) last_cleanup_ = now;
    services::Effects fx;
    auto job = [this, cleanup_due, &fx](store::StoreTx& tx) {
        services::OpContext ctx{tx, kServerCaller, Time::now(), cfg_, "sweep", {}};
        services::sweep_deadlines(ctx);
        if (cleanup_due) services::cleanup_stale_executors(ctx);
        fx = std::move(ctx.fx);
        return true;
    };
    if (co_await store_.run(std::move(job))) fx = {};
    fanout_.announce(fx);
    co_await run_background_tasks();
}

asio::awaitable<void> Dispatcher::run_background_tasks() {
    static const std::string kServerCaller;
    const auto tasks = services::background_tasks();
    if (last_task_runs_.size() != tasks.size())
        last_task_runs_.assign(tasks.size(), std::chrono::steady_clock::time_point{});
    for (size_t i = 0; i < tasks.size(); ++i) {
        const auto now = std::chrono::steady_clock::now();
        if (now - last_task_runs_[i] < std::chrono::milliseconds(tasks[i].period_ms(cfg_)))
            continue;
        last_task_runs_[i] = now;
        services::Effects fx;
        auto job = [this, &fx, task = tasks[i]](store::StoreTx& tx) {
            services::OpContext ctx{tx, kServerCaller, Time::now(), cfg_, task.name, {}};
            task.run(ctx);
            fx = std::move(ctx.fx);
            return true;
        };
        if (co_await store_.run(std::move(job))) fx = {};
        fanout_.announce(fx);
    }
}

Result<Dispatcher::SubscribeRequest> Dispatcher::parse_subscribe(std::string_view frame) {
    auto req = rpc::parse_request(frame);
    if (!req) return req.error();
    const auto* m = services::find_subscribe_message(req->payloadtype);
    if (!m) return forbidden("invalid rpcMsg.PayloadType: " + req->payloadtype);
    auto caller = signers_.recover_id(req->payload, req->signature);
    if (!caller) return caller.error();
    const std::string prefix(m->error_prefix);
    auto msg = decode_payload(req->payload, prefix);
    if (!msg) return msg.error();
    if (m->channel) {
        if (!msgtype_matches(*msg, req->payloadtype))
            return bad_request(prefix + ", msg.MsgType does not match rpcMsg.PayloadType");
        auto f = services::parse_channel_subscribe(*msg, prefix);
        if (!f) return f.error();
        const int64_t timeout = f->timeout_s;
        return SubscribeRequest{req->payloadtype, std::move(*caller), {}, timeout, std::move(*f)};
    }
    if (!msgtype_matches(*msg, req->payloadtype))
        return forbidden(prefix + ", msg.msgType does not match rpcMsg.PayloadType");
    auto f = services::parse_subscribe(*m, *msg);
    if (!f) return f.error();
    Subscription s{std::move(f->processid),
                   std::move(f->colonyname),
                   std::move(f->executortype),
                   f->state,
                   {}};
    return SubscribeRequest{req->payloadtype, std::move(*caller), std::move(s), f->timeout_s,
                            std::nullopt};
}

asio::awaitable<Result<std::optional<Process>>> Dispatcher::check_subscription(
    const SubscribeRequest& req) {
    std::optional<Result<std::optional<Process>>> found;
    auto job = [this, &req, &found](store::StoreTx& tx) {
        services::OpContext ctx{tx, req.caller, Time::now(), cfg_, "Failed to subscribe", {}};
        const auto& s = req.subscription;
        found = services::authorise_subscription(ctx, s.processid, s.colonyname);
        return found->ok();
    };
    if (auto failed = co_await store_.run(std::move(job))) co_return std::move(*failed);
    co_return std::move(*found);
}

asio::awaitable<Result<services::ChannelBacklog>> Dispatcher::open_channel(
    const SubscribeRequest& req) {
    std::optional<Result<services::ChannelBacklog>> opened;
    auto job = [this, &req, &opened](store::StoreTx& tx) {
        services::OpContext ctx{tx, req.caller, Time::now(), cfg_, "Failed to subscribe", {}};
        opened = services::open_channel_subscription(ctx, *req.channel);
        return opened->ok();
    };
    if (auto failed = co_await store_.run(std::move(job))) co_return std::move(*failed);
    co_return std::move(*opened);
}

asio::awaitable<std::optional<services::ChannelCatchUp>> Dispatcher::channel_catch_up(
    const std::string& processid, const std::string& name, int64_t from) {
    static const std::string kServerCaller;
    std::optional<services::ChannelCatchUp> caught;
    auto job = [this, &processid, &name, from, &caught](store::StoreTx& tx) {
        services::OpContext ctx{tx, kServerCaller, Time::now(), cfg_, "channel", {}};
        caught = services::channel_catch_up(ctx, processid, name, from);
        return true;
    };
    if (co_await store_.run(std::move(job))) co_return std::nullopt;
    co_return std::move(caught);
}

}  // namespace colonies::server
