#include "idle_fleet.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "core/json.hpp"
#include "crypto/crypto.hpp"
#include "rpc/envelope.hpp"
#include "stats.hpp"

namespace colonies::bench {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;

std::string signed_body(const std::string& msgtype, json::object msg, const std::string& prvkey) {
    msg["msgtype"] = msgtype;
    const std::string payload = rpc::base64_encode(to_text(msg));
    auto sig = crypto::sign(payload, prvkey);
    if (!sig) throw std::runtime_error("sign: " + sig.error().message);
    return rpc::encode_request(msgtype, payload, sig.value());
}

http::request<http::string_body> post(const std::string& host, std::string body) {
    http::request<http::string_body> req{http::verb::post, "/api", 11};
    req.set(http::field::host, host);
    req.set(http::field::content_type, "application/json");
    req.keep_alive(true);
    req.body() = std::move(body);
    req.prepare_payload();
    return req;
}

IdleFleet::IdleFleet(const Options& o, const BenchColony& c, std::vector<Member> executors,
                     int threads, int poll_timeout_s)
    : opts_(o),
      colony_(c),
      executors_(std::move(executors)),
      threads_n_(std::max(1, threads)),
      poll_timeout_s_(poll_timeout_s) {
    assign_bodies_.reserve(executors_.size());
    for (const auto& e : executors_) {
        json::object msg{{"colonyname", c.name},
                         {"timeout", poll_timeout_s},
                         {"availablecpu", ""},
                         {"availablemem", ""}};
        assign_bodies_.push_back(signed_body("assignprocessmsg", std::move(msg), e.prvkey));
    }
}

IdleFleet::~IdleFleet() {
    stop();
}

void IdleFleet::start() {
    work_.emplace(ioc_.get_executor());
    for (size_t i = 0; i < executors_.size(); ++i)
        asio::co_spawn(asio::make_strand(ioc_), session(i), asio::detached);
    for (int t = 0; t < threads_n_; ++t) threads_.emplace_back([this] { ioc_.run(); });
}

void IdleFleet::stop() {
    if (threads_.empty()) return;
    stopping_ = true;
    work_.reset();
    ioc_.stop();  // abandons the parked polls; the server sees the connections close
    for (auto& t : threads_) t.join();
    threads_.clear();
}

void IdleFleet::report(Assigned a) {
    {
        std::lock_guard lock(mu_);
        assigned_.push_back(std::move(a));
    }
    cv_.notify_all();
}

std::optional<IdleFleet::Assigned> IdleFleet::next_assigned(std::chrono::milliseconds wait) {
    std::unique_lock lock(mu_);
    if (!cv_.wait_for(lock, wait, [&] { return !assigned_.empty(); })) return std::nullopt;
    Assigned a = std::move(assigned_.front());
    assigned_.pop_front();
    return a;
}

asio::awaitable<void> IdleFleet::session(size_t i) {
    const std::string host = opts_.host + ":" + std::to_string(opts_.port);
    const Member& me = executors_[i];
    beast::tcp_stream stream(co_await asio::this_coro::executor);
    beast::flat_buffer buffer;
    bool counted = false;
    auto assign_req = post(host, assign_bodies_[i]);
    while (!stopping_) {
        bool failed = false;  // co_await is not allowed inside a handler: back off below it
        try {
            if (!stream.socket().is_open()) {
                tcp::resolver resolver(co_await asio::this_coro::executor);
                auto eps = co_await resolver.async_resolve(opts_.host, std::to_string(opts_.port),
                                                           asio::use_awaitable);
                stream.expires_after(std::chrono::seconds(30));
                co_await stream.async_connect(eps, asio::use_awaitable);
                buffer.clear();
            }
            stream.expires_after(std::chrono::seconds(poll_timeout_s_ + 30));
            co_await http::async_write(stream, assign_req, asio::use_awaitable);
            if (!counted) {
                counted = true;
                parked_++;
            }
            http::response<http::string_body> res;
            co_await http::async_read(stream, buffer, res, asio::use_awaitable);
            const int64_t at = now_ns();
            auto reply = rpc::decode_reply(res.result_int(), res.body());
            if (!reply) {
                if (!reply.error().is(ErrorKind::NotFound)) {  // the poll timed out: poll again
                    if (errors_++ == 0) log("W4 assign: " + describe(reply.error()));
                    asio::steady_timer t(co_await asio::this_coro::executor,
                                         std::chrono::milliseconds(200));
                    co_await t.async_wait(asio::use_awaitable);
                }
                continue;
            }
            auto p = process_from_json(*reply);
            if (!p) continue;
            report({p->processid, at});
            auto close_req =
                post(host,
                     signed_body("closesuccessfulmsg",
                                 {{"processid", p->processid}, {"out", json::array{}}}, me.prvkey));
            co_await http::async_write(stream, close_req, asio::use_awaitable);
            http::response<http::string_body> closed;
            co_await http::async_read(stream, buffer, closed, asio::use_awaitable);
        } catch (const std::exception& e) {
            failed = true;
            if (!stopping_ && errors_++ == 0) log(std::string("W4 connection: ") + e.what());
            beast::error_code ec;
            stream.socket().close(ec);
        }
        if (failed && !stopping_) {
            asio::steady_timer t(co_await asio::this_coro::executor,
                                 std::chrono::milliseconds(500));
            co_await t.async_wait(asio::use_awaitable);
        }
    }
}

}  // namespace colonies::bench
