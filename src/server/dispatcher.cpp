#include "server/dispatcher.hpp"

#include <algorithm>
#include <boost/asio.hpp>
#include <memory>

#include "core/json.hpp"
#include "crypto/crypto.hpp"
#include "services/auth.hpp"

namespace colonies::server {
namespace asio = boost::asio;

namespace {

const char* const kEmptyTypeMessage =
    "invalid rpcMsg.PayloadType: empty (this usually means the client is misconfigured - check "
    "that COLONIES_PRVKEY and other environment variables are set correctly)";

struct JobOut {
    std::optional<services::OpResult> reply;
    std::optional<services::AssignAttempt> attempt;
    std::optional<Process> process;
    services::Effects fx;
};

// Run `fn` on the store thread; resume on the caller's executor once the change is durable.
// The result stays on the heap: a coroutine frame holding a JobOut (processes and all) would
// carry it for as long as a long poll is parked.
template <class F>
asio::awaitable<std::shared_ptr<JobOut>> on_store(
    const std::shared_ptr<StoreCompletions>& completions, store::Store& store, F fn) {
    auto out = std::make_shared<JobOut>();
    auto initiate = [&completions, &store, &fn, out](auto handler) {
        auto h = std::make_shared<decltype(handler)>(std::move(handler));
        store.post([fn = std::move(fn), out](store::StoreTx& tx) { return fn(tx, *out); },
                   [h, completions](bool committed, const std::string& error) {
                       completions->push(asio::get_associated_executor(*h),
                                         [h, committed, error] { (*h)(committed, error); });
                   });
    };
    // Named initiation object: g++ 12 mishandles non-trivial temporaries inside co_await.
    auto [committed, error] =
        co_await asio::async_initiate<decltype(asio::use_awaitable), void(bool, std::string)>(
            std::move(initiate), asio::use_awaitable);
    if (!committed) {
        out->reply = internal_error("Storage failure: " + error);
        out->attempt.reset();
        out->fx = {};
    }
    co_return out;
}

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
    auto v = boost::json::parse(*text, ec);
    if (ec || !v.is_object()) return invalid;
    return std::move(v.as_object());
}

constexpr auto kClusterRecheck = std::chrono::seconds(5);

// Parks a long poll until woken or the deadline; all members touched on the strand only.
struct Parking {
    explicit Parking(asio::any_io_executor ex) : timer(ex) {}
    asio::steady_timer timer;
    bool woken = false;
};

// One long poll across its parkings: whether its client hung up, and the parking to cut short
// when it does. Touched on the strand only.
struct LongPoll {
    bool hung_up = false;
    std::shared_ptr<Parking> park;
};

}  // namespace

void Dispatcher::announce(const services::Effects& fx) {
    if (!cluster_) {
        for (const auto& r : fx.ready) waiters_.notify(r);
    } else {
        // Another server is asked to wake a waiter only when none here could take the process:
        // waking one on every server would send all but one of them to the database for
        // nothing.
        services::Effects remote;
        for (const auto& r : fx.ready)
            if (!waiters_.notify(r)) remote.ready.push_back(r);
        remote.events = fx.events;
        if (!remote.ready.empty() || !remote.events.empty()) cluster_->publish(remote);
    }
    if (!subscriptions_.empty())
        for (const auto& p : fx.events) subscriptions_.publish(p);
}

asio::awaitable<void> Dispatcher::apply_remote(RemoteChange change) {
    for (const auto& r : change.ready) waiters_.notify(r);
    if (subscriptions_.empty()) co_return;
    for (const auto& p : change.events) subscriptions_.publish(p);
    if (change.reload.empty()) co_return;
    const std::vector<std::string>& ids = change.reload;
    std::vector<Process> loaded;
    auto job = [&ids, &loaded](store::StoreTx& tx, JobOut&) {
        loaded.clear();
        for (const auto& id : ids)
            if (auto p = tx.process(id)) loaded.push_back(std::move(*p));
        return true;
    };
    co_await on_store(completions_, store_, std::move(job));
    for (const auto& p : loaded) subscriptions_.publish(p);
}

asio::awaitable<rpc::Reply> Dispatcher::handle(std::string_view body,
                                               const WatchHangup& watch_hangup) {
    auto req = rpc::parse_request(body);
    if (!req) co_return rpc::error_reply(req.error());
    if (req->payloadtype == "versionmsg") {
        auto msg = decode_payload(req->payload, "Failed to get version");
        if (!msg) co_return rpc::error_reply(msg.error());
        co_return version_reply(cfg_);
    }
    if (req->payloadtype == "getserverinfomsg") co_return server_info_reply(cfg_);

    auto caller = signers_.recover_id(req->payload, req->signature);
    if (!caller) co_return rpc::error_reply(caller.error());

    const auto* op = services::find_operation(req->payloadtype);
    if (!op) {
        co_return rpc::error_reply(forbidden(
            req->payloadtype.empty() ? std::string(kEmptyTypeMessage)
                                     : "invalid rpcMsg.PayloadType: " + req->payloadtype));
    }
    auto msg = decode_payload(req->payload, op->error_prefix);
    if (!msg) co_return rpc::error_reply(msg.error());
    auto mt = msg->find("msgtype");
    if (mt == msg->end() || !mt->value().is_string() ||
        mt->value().get_string() != req->payloadtype)
        co_return rpc::error_reply(bad_request(std::string(op->error_prefix) +
                                               ", msg.MsgType does not match payloadType"));

    if (!op->fn) co_return co_await assign(*caller, *msg, op->error_prefix, watch_hangup);

    // A named job, not a temporary inside co_await: g++ 12 destroys such temporaries twice.
    const std::string& who = *caller;
    const boost::json::object& fields = *msg;
    auto job = [this, op, &who, &fields](store::StoreTx& tx, JobOut& out) {
        services::OpContext ctx{tx, who, Time::now(), cfg_, op->error_prefix, {}};
        out.reply = op->fn(ctx, fields);
        out.fx = std::move(ctx.fx);
        return out.reply->ok();
    };
    auto out = co_await on_store(completions_, store_, std::move(job));
    announce(out->fx);
    if (!out->reply->ok()) co_return rpc::error_reply(out->reply->error());
    co_return rpc::success_reply(req->payloadtype, out->reply->value());
}

asio::awaitable<rpc::Reply> Dispatcher::assign(const std::string& caller,
                                               const boost::json::object& msg,
                                               std::string_view prefix,
                                               const WatchHangup& watch_hangup) {
    auto job = [this, &caller, &msg, prefix](store::StoreTx& tx, JobOut& out) {
        services::OpContext ctx{tx, caller, Time::now(), cfg_, prefix, {}};
        auto r = services::try_assign(ctx, msg);
        if (!r) {
            out.reply = r.error();
            return false;
        }
        out.attempt = std::move(r).value();
        out.fx = std::move(ctx.fx);  // the RUNNING event, graph changes
        return true;
    };

    uint64_t seen = waiters_.sequence();
    auto out = co_await on_store(completions_, store_, job);
    announce(out->fx);
    if (out->reply) co_return rpc::error_reply(out->reply->error());
    if (out->attempt->claimed)
        co_return rpc::success_reply("assignprocessmsg", to_json(*out->attempt->claimed));
    if (out->attempt->timeout_s < 0) co_return no_process_reply();

    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::seconds(out->attempt->timeout_s);
    const auto spec = std::make_shared<const scheduler::WaiterSpec>(out->attempt->waiter);
    out.reset();  // nothing of the attempt is kept while parked
    auto ex = co_await asio::this_coro::executor;
    auto poll = std::make_shared<LongPoll>();
    bool watching = false;
    for (;;) {
        auto park = std::make_shared<Parking>(ex);
        poll->park = park;
        if (watch_hangup && !watching) {
            watching = true;
            watch_hangup([poll, ex] {
                asio::post(ex, [poll] {
                    poll->hung_up = true;
                    poll->park->timer.cancel();
                });
            });
        }
        auto id = waiters_.add(
            *spec,
            [park, ex] {
                asio::post(ex, [park] {
                    park->woken = true;
                    park->timer.cancel();
                });
            },
            seen);
        if (id) {
            // In a cluster a wake-up from another server travels through the database's
            // notifications; should one be lost (the listening connection dropped), the waiter
            // still looks again every few seconds.
            auto until = deadline;
            if (cluster_)
                until = std::min(deadline, std::chrono::steady_clock::now() + kClusterRecheck);
            park->timer.expires_at(until);
            boost::system::error_code ec;
            if (!park->woken && !poll->hung_up)
                co_await park->timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
            waiters_.remove(*id);
        }
        // Nobody would read the reply: claiming a process now would strand it RUNNING until
        // its deadline.
        if (poll->hung_up) co_return no_process_reply();
        seen = waiters_.sequence();
        out = co_await on_store(completions_, store_, job);
        announce(out->fx);
        if (out->reply) co_return rpc::error_reply(out->reply->error());
        if (out->attempt->claimed)
            co_return rpc::success_reply("assignprocessmsg", to_json(*out->attempt->claimed));
        if (std::chrono::steady_clock::now() >= deadline) co_return no_process_reply();
        out.reset();
    }
}

asio::awaitable<void> Dispatcher::sweep() {
    static const std::string kServerCaller;
    // Stale executors are looked for every cleanup interval, not every sweep.
    const auto now = std::chrono::steady_clock::now();
    const bool cleanup_due =
        now - last_cleanup_ >= std::chrono::seconds(cfg_.cleanup_interval_seconds);
    if (cleanup_due) last_cleanup_ = now;
    auto job = [this, cleanup_due](store::StoreTx& tx, JobOut& out) {
        services::OpContext ctx{tx, kServerCaller, Time::now(), cfg_, "sweep", {}};
        services::sweep_deadlines(ctx);
        if (cleanup_due) services::cleanup_stale_executors(ctx);
        out.fx = std::move(ctx.fx);
        return true;
    };
    auto out = co_await on_store(completions_, store_, std::move(job));
    announce(out->fx);
}

Result<Dispatcher::SubscribeRequest> Dispatcher::parse_subscribe(std::string_view frame) {
    auto req = rpc::parse_request(frame);
    if (!req) return req.error();
    const bool one = req->payloadtype == "subscribeprocessmsg";
    if (!one && req->payloadtype != "subscribeprocessesmsg")
        return forbidden("invalid rpcMsg.PayloadType: " + req->payloadtype);
    auto caller = signers_.recover_id(req->payload, req->signature);
    if (!caller) return caller.error();
    const std::string prefix =
        one ? "Failed to subscribe to process" : "Failed to subscribe to processes";
    auto msg = decode_payload(req->payload, prefix);
    if (!msg) return msg.error();
    auto mt = msg->find("msgtype");
    if (mt == msg->end() || !mt->value().is_string() ||
        mt->value().get_string() != req->payloadtype)
        return forbidden(prefix + ", msg.msgType does not match rpcMsg.PayloadType");
    JsonFields f(*msg);
    SubscribeRequest out;
    out.payloadtype = req->payloadtype;
    out.subscription.processid = one ? f.str("processid") : "";
    out.subscription.colonyname = f.str("colonyname");
    out.subscription.executortype = f.str("executortype");
    auto state = f.integer("state");
    out.timeout_s = f.integer("timeout");
    if (!f.ok()) return bad_request(prefix + ", invalid JSON");
    auto wanted = parse_process_state(state);
    if (!wanted) return bad_request(prefix + ", invalid state");
    out.subscription.state = *wanted;
    // Upstream ends a subscription with timeout <= 0 at once; say why instead (6.11).
    if (out.timeout_s <= 0)
        return bad_request(prefix + ", timeout must be a positive number of seconds");
    out.caller = std::move(*caller);
    return out;
}

asio::awaitable<Result<std::optional<Process>>> Dispatcher::check_subscription(
    const SubscribeRequest& req) {
    auto job = [&req](store::StoreTx& tx, JobOut& out) {
        const std::string& caller = req.caller;
        const Time now = Time::now();
        const auto& s = req.subscription;
        if (!s.processid.empty()) {
            auto p = tx.process(s.processid);
            if (!p) {
                out.reply = forbidden("Invalid process with Id " + s.processid);
                return false;
            }
            // Quirk (3.3): upstream checks no membership here.
            if (auto st =
                    services::require_member(tx, p->spec.conditions.colonyname, caller, true, now);
                !st) {
                out.reply = st.error();
                return false;
            }
            out.process = std::move(*p);
        } else {
            if (!tx.executor_by_id(caller)) {
                out.reply = forbidden("executor not found");
                return false;
            }
            // Quirk (3.3): upstream does not scope this to a colony.
            if (auto st = services::require_member(tx, s.colonyname, caller, true, now); !st) {
                out.reply = st.error();
                return false;
            }
        }
        return true;
    };
    auto out = co_await on_store(completions_, store_, std::move(job));
    if (out->reply && !out->reply->ok()) co_return out->reply->error();
    co_return std::move(out->process);
}

}  // namespace colonies::server
