// One WebSocket connection on GET /pubsub (protocol.md 1.6, 5.16, 6.11). Each text or binary
// frame from the client is a signed subscribe envelope; the server answers with event frames
// (reply envelopes with the Process) in the same frame type, error frames for bad requests, and
// closes the socket when a subscription's timeout passes. Everything runs on the connection's
// strand; publishers post frames to it. When the connection ends, its subscriptions go with it.
//
// A subscriber that reads slower than events come would make its outbox grow without end. Past
// PubSubLimits the session drops what is queued, removes its subscriptions, queues one error
// frame and closes; if the peer does not take even that within kSlowCloseGrace, the socket is
// closed under it.
#pragma once
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <chrono>
#include <cstddef>
#include <deque>
#include <memory>
#include <vector>

#include "core/json.hpp"
#include "server/dispatcher.hpp"

namespace colonies::server {

// What one subscriber's outbox may hold before the subscriber counts as too slow.
struct PubSubLimits {
    size_t max_frames = 1000;      // COLONIES_PUBSUB_MAX_QUEUED
    size_t max_bytes = 64u << 20;  // COLONIES_PUBSUB_MAX_QUEUED_BYTES
};

inline constexpr auto kSlowCloseGrace = std::chrono::seconds(5);

template <class Stream>
class PubSubSession : public std::enable_shared_from_this<PubSubSession<Stream>> {
  public:
    PubSubSession(Stream stream, Dispatcher& dispatcher, PubSubLimits limits = {})
        : ws_(std::move(stream)), dispatcher_(dispatcher), limits_(limits) {}

    template <class Request>
    boost::asio::awaitable<void> run(Request req) {
        namespace beast = boost::beast;
        namespace asio = boost::asio;
        ws_.set_option(beast::websocket::stream_base::timeout::suggested(beast::role_type::server));
        boost::system::error_code ec;
        co_await ws_.async_accept(req, asio::redirect_error(asio::use_awaitable, ec));
        if (ec) co_return;
        beast::flat_buffer buffer;
        while (!closing_) {
            buffer.clear();
            co_await ws_.async_read(buffer, asio::redirect_error(asio::use_awaitable, ec));
            if (ec) break;
            const bool text = ws_.got_text();
            co_await on_frame(beast::buffers_to_string(buffer.data()), text);
        }
        drop_subscriptions();
        closing_ = true;
    }

  private:
    boost::asio::awaitable<void> on_frame(std::string frame, bool text) {
        if (too_slow_) co_return;  // on its way out: no new subscriptions
        auto req = dispatcher_.parse_subscribe(frame);
        if (!req) {
            // Quirk (1.6): upstream drops the connection without a word; say what was wrong.
            send(rpc::error_reply(req.error()).body, text);
            close_after_flush_ = true;
            co_return;
        }
        // Register before looking at the current state, so no change slips between the two.
        Subscription sub = req->subscription;
        std::weak_ptr<PubSubSession> weak = this->shared_from_this();
        auto ex = ws_.get_executor();
        sub.deliver = [weak, ex, text](const Process& p) {
            auto frame = rpc::success_reply("subscribeprocessmsg", to_json(p)).body;
            boost::asio::post(ex, [weak, frame = std::move(frame), text] {
                if (auto self = weak.lock()) self->send(frame, text);
            });
        };
        const uint64_t id = dispatcher_.subscriptions().add(std::move(sub));
        subscriptions_.push_back(id);
        auto current = co_await dispatcher_.check_subscription(*req);
        if (!current) {
            dispatcher_.subscriptions().remove(id);
            send(rpc::error_reply(current.error()).body, text);
            co_return;
        }
        if (*current && matches(req->subscription, **current))
            send(rpc::success_reply("subscribeprocessmsg", to_json(**current)).body, text);
        boost::asio::co_spawn(ex, expire_after(req->timeout_s), boost::asio::detached);
    }

    // At a subscription's timeout the server closes the socket without a final frame (1.6).
    boost::asio::awaitable<void> expire_after(int64_t seconds) {
        auto self = this->shared_from_this();
        boost::asio::steady_timer timer(ws_.get_executor());
        timer.expires_after(bounded_wait(seconds));
        boost::system::error_code ec;
        co_await timer.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
        close();
    }

    void drop_subscriptions() {
        for (auto id : subscriptions_) dispatcher_.subscriptions().remove(id);
        subscriptions_.clear();
    }

    void send(std::string frame, bool text) {
        if (closing_ || too_slow_) return;
        if (outbox_.size() >= limits_.max_frames ||
            outbox_bytes_ + frame.size() > limits_.max_bytes) {
            give_up_on_slow_subscriber(text);
            return;
        }
        outbox_bytes_ += frame.size();
        outbox_.push_back({std::move(frame), text});
        if (!writing_) {
            writing_ = true;
            boost::asio::co_spawn(ws_.get_executor(), flush(this->shared_from_this()),
                                  boost::asio::detached);
        }
    }

    static boost::asio::awaitable<void> flush(std::shared_ptr<PubSubSession> self) {
        boost::system::error_code ec;
        while (!self->outbox_.empty() && !ec) {
            auto [frame, text] = std::move(self->outbox_.front());
            self->outbox_.pop_front();
            self->outbox_bytes_ -= std::min(self->outbox_bytes_, frame.size());
            self->ws_.text(text);
            co_await self->ws_.async_write(
                boost::asio::buffer(frame),
                boost::asio::redirect_error(boost::asio::use_awaitable, ec));
        }
        self->writing_ = false;
        if (ec) {
            self->outbox_.clear();
            self->outbox_bytes_ = 0;
        }
        if (self->close_after_flush_) self->close();
    }

    // The outbox passed its bound: what is queued is dropped, the subscriptions end (no more
    // events are queued for a peer that does not read them) and the peer gets an error frame
    // after the frame being written, if it takes it in time.
    void give_up_on_slow_subscriber(bool text) {
        const size_t dropped = outbox_.size() + 1;
        too_slow_ = true;
        drop_subscriptions();
        outbox_.clear();
        outbox_bytes_ = 0;
        auto why = unavailable("subscriber too slow: " + std::to_string(dropped) +
                               " events not delivered");
        outbox_.push_back({rpc::error_reply(why).body, text});
        close_after_flush_ = true;
        if (!writing_) {
            writing_ = true;
            boost::asio::co_spawn(ws_.get_executor(), flush(this->shared_from_this()),
                                  boost::asio::detached);
        }
        boost::asio::co_spawn(ws_.get_executor(), close_hard_after(this->shared_from_this()),
                              boost::asio::detached);
    }

    static boost::asio::awaitable<void> close_hard_after(std::shared_ptr<PubSubSession> self) {
        boost::asio::steady_timer timer(self->ws_.get_executor());
        timer.expires_after(kSlowCloseGrace);
        boost::system::error_code ec;
        co_await timer.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
        boost::beast::get_lowest_layer(self->ws_).close();
    }

    // Beast allows one write-side operation at a time, and a close is one: wait for the
    // outbox to drain first.
    void close() {
        if (closing_) return;
        if (writing_) {
            close_after_flush_ = true;
            return;
        }
        closing_ = true;
        boost::asio::co_spawn(ws_.get_executor(), close_socket(this->shared_from_this()),
                              boost::asio::detached);
    }

    static boost::asio::awaitable<void> close_socket(std::shared_ptr<PubSubSession> self) {
        boost::system::error_code ec;
        co_await self->ws_.async_close(boost::beast::websocket::close_code::normal,
                                       boost::asio::redirect_error(boost::asio::use_awaitable, ec));
    }

    boost::beast::websocket::stream<Stream> ws_;
    Dispatcher& dispatcher_;
    const PubSubLimits limits_;
    std::deque<std::pair<std::string, bool>> outbox_;
    size_t outbox_bytes_ = 0;
    std::vector<uint64_t> subscriptions_;
    bool writing_ = false;
    bool closing_ = false;
    bool close_after_flush_ = false;
    bool too_slow_ = false;
};

}  // namespace colonies::server
