// One WebSocket connection on GET /pubsub (protocol.md 1.6, 5.16, 6.11). Each text or binary
// frame from the client is a signed subscribe envelope; the server answers with event frames
// (reply envelopes with the Process) in the same frame type, error frames for bad requests, and
// closes the socket when a subscription's timeout passes. Everything runs on the connection's
// strand; publishers post frames to it. When the connection ends, its subscriptions go with it.
//
// A subscriber that reads slower than events come would make its outbox grow without end. Past
// PubSubLimits the session drops what is queued, removes its subscriptions, queues one error
// frame (for a channel subscriber: upstream's error entry) and closes; if the peer does not take
// even that within kSlowCloseGrace, the socket is closed under it. A frame that comes to an empty
// outbox is always taken: a channel's backlog is one frame (features.md 5.4), and a frame alone
// does not make a subscriber slow.
//
// Channel subscriptions (subscribechannelmsg, features.md 5.4) follow the channel's news: each
// new entry is sent as its own frame in append order; an entry the news does not carry (too large
// to relay between servers) or one missed is read from the store. At the timeout, or when the
// channel ends with its process, a frame with `[]` ends the subscription; the socket stays open.
#pragma once
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <chrono>
#include <cstddef>
#include <deque>
#include <memory>
#include <vector>

#include "core/channel.hpp"
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
        if (req->channel) {
            co_await subscribe_channel(*req, text);  // `req` outlives the call
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

    // ---- channel subscriptions ----

    struct ChannelFeed {
        uint64_t id = 0;
        std::string processid, name;
        bool text = true;
        bool open = false;  // the backlog is out; news that came before it waits in `pending`
        bool draining = false;
        bool done = false;
        int64_t next = 0;  // append index of the next entry to send
        std::deque<services::ChannelNews> pending;
        std::unique_ptr<boost::asio::steady_timer> timer;
    };

    boost::asio::awaitable<void> subscribe_channel(const Dispatcher::SubscribeRequest& req,
                                                   bool text) {
        auto feed = std::make_shared<ChannelFeed>();
        feed->processid = req.channel->processid;
        feed->name = req.channel->name;
        feed->text = text;
        std::weak_ptr<PubSubSession> weak = this->shared_from_this();
        std::weak_ptr<ChannelFeed> weak_feed = feed;
        auto ex = ws_.get_executor();
        auto deliver = [weak, weak_feed, ex](const services::ChannelNews& news) {
            boost::asio::post(ex, [weak, weak_feed, news] {
                auto self = weak.lock();
                auto f = weak_feed.lock();
                if (self && f) self->on_channel_news(f, news);
            });
        };
        // Registered before the backlog is read, so no entry slips between the two.
        auto& registry = dispatcher_.subscriptions().channels();
        feed->id = registry.add(feed->processid, feed->name, "", std::move(deliver));
        feeds_.push_back(feed);
        auto opened = co_await dispatcher_.open_channel(req);
        if (!opened) {
            end_feed(*feed);
            send(rpc::error_reply(opened.error()).body, text);
            co_return;
        }
        if (feed->done) co_return;  // the session ended meanwhile
        registry.set_colony(feed->id, opened->colonyname);
        // Upstream sends the backlog only when there is one: `[]` means the end to clients.
        if (!opened->entries.empty())
            send(rpc::success_reply("subscribechannelmsg", opened->entries).body, text, true);
        feed->next = opened->next;
        feed->open = true;
        feed->timer = std::make_unique<boost::asio::steady_timer>(ex);
        feed->timer->expires_after(bounded_wait(req.timeout_s));
        feed->timer->async_wait([weak, weak_feed](boost::system::error_code ec) {
            auto self = weak.lock();
            auto f = weak_feed.lock();
            if (!ec && self && f) self->finish_feed(*f);
        });
        start_draining(feed);
    }

    void on_channel_news(const std::shared_ptr<ChannelFeed>& feed, services::ChannelNews news) {
        if (feed->done) return;
        feed->pending.push_back(std::move(news));
        start_draining(feed);
    }

    void start_draining(const std::shared_ptr<ChannelFeed>& feed) {
        if (!feed->open || feed->draining || feed->done || feed->pending.empty()) return;
        feed->draining = true;
        boost::asio::co_spawn(ws_.get_executor(), drain(this->shared_from_this(), feed),
                              boost::asio::detached);
    }

    // One news at a time, in order: what the news carries is sent as it is, anything else is
    // read from the store from the first index not sent yet.
    static boost::asio::awaitable<void> drain(std::shared_ptr<PubSubSession> self,
                                              std::shared_ptr<ChannelFeed> feed) {
        while (!feed->done && !feed->pending.empty()) {
            services::ChannelNews news = std::move(feed->pending.front());
            feed->pending.pop_front();
            if (news.ended) {
                self->finish_feed(*feed);
                break;
            }
            if (news.index < feed->next) continue;  // in the backlog, or read already
            if (news.index == feed->next && news.entry) {
                self->send_entry(*feed, *news.entry);
                feed->next++;
                continue;
            }
            auto caught = co_await self->dispatcher_.channel_catch_up(feed->processid, feed->name,
                                                                      feed->next);
            if (feed->done || !caught) continue;  // a failed read: the next news tries again
            for (const auto& e : caught->entries) {
                self->send_entry(*feed, e.entry);
                feed->next = e.index + 1;
            }
            if (caught->ended) self->finish_feed(*feed);
        }
        feed->draining = false;
    }

    void send_entry(const ChannelFeed& feed, const ChannelEntry& e) {
        boost::json::array one;
        one.push_back(to_json(e));
        send(rpc::success_reply("subscribechannelmsg", one).body, feed.text, true);
    }

    // The timeout passed or the channel ended: one frame with `[]` (features.md 5.4).
    void finish_feed(ChannelFeed& feed) {
        if (feed.done) return;
        const bool text = feed.text;  // end_feed may release the feed
        end_feed(feed);
        send(rpc::success_reply("subscribechannelmsg", boost::json::array{}).body, text, true);
    }

    void end_feed(ChannelFeed& feed) {
        if (feed.done) return;
        feed.done = true;
        feed.pending.clear();
        if (feed.timer) feed.timer->cancel();
        dispatcher_.subscriptions().channels().remove(feed.id);
        std::erase_if(feeds_, [&feed](const auto& f) { return f.get() == &feed; });
    }

    void drop_subscriptions() {
        for (auto id : subscriptions_) dispatcher_.subscriptions().remove(id);
        subscriptions_.clear();
        auto feeds = feeds_;  // end_feed changes feeds_
        for (auto& f : feeds) end_feed(*f);
    }

    void send(std::string frame, bool text, bool channel = false) {
        if (closing_ || too_slow_) return;
        if (outbox_.size() >= limits_.max_frames ||
            (!outbox_.empty() && outbox_bytes_ + frame.size() > limits_.max_bytes)) {
            give_up_on_slow_subscriber(text, channel);
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
    void give_up_on_slow_subscriber(bool text, bool channel) {
        const size_t dropped = outbox_.size() + 1;
        too_slow_ = true;
        drop_subscriptions();
        outbox_.clear();
        outbox_bytes_ = 0;
        outbox_.push_back({channel ? channel_overflow_frame() : slow_frame(dropped), text});
        close_after_flush_ = true;
        if (!writing_) {
            writing_ = true;
            boost::asio::co_spawn(ws_.get_executor(), flush(this->shared_from_this()),
                                  boost::asio::detached);
        }
        boost::asio::co_spawn(ws_.get_executor(), close_hard_after(this->shared_from_this()),
                              boost::asio::detached);
    }

    static std::string slow_frame(size_t dropped) {
        auto why = unavailable("subscriber too slow: " + std::to_string(dropped) +
                               " events not delivered");
        return rpc::error_reply(why).body;
    }

    // Upstream's word to a channel subscriber that fell behind: one entry with `error` set.
    static std::string channel_overflow_frame() {
        ChannelEntry e;
        e.error = "subscriber disconnected: buffer full";
        boost::json::array one;
        one.push_back(to_json(e));
        return rpc::success_reply("subscribechannelmsg", one).body;
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
    std::vector<std::shared_ptr<ChannelFeed>> feeds_;
    bool writing_ = false;
    bool closing_ = false;
    bool close_after_flush_ = false;
    bool too_slow_ = false;
};

}  // namespace colonies::server
