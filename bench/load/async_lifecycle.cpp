// The asynchronous engine of W2 and W5 (--async): the same closed loop as lifecycle.cpp, but
// every submitter and executor is a coroutine on its own keep-alive connection, all driven by
// one thread. The blocking engine needs a thread per client, and on two cores those threads'
// wake-ups compete with the server they measure; this one costs one thread in all.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <deque>

#include "core/json.hpp"
#include "idle_fleet.hpp"
#include "lifecycle.hpp"
#include "rpc/envelope.hpp"

namespace colonies::bench {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;

namespace {

// One keep-alive connection and its request/reply round trip.
class Conn {
  public:
    Conn(asio::any_io_executor ex, client::Options to)
        : stream_(ex), to_(std::move(to)), host_(to_.host + ":" + std::to_string(to_.port)) {}
    asio::awaitable<void> connect() {
        tcp::resolver resolver(stream_.get_executor());
        auto eps = co_await resolver.async_resolve(to_.host, std::to_string(to_.port),
                                                   asio::use_awaitable);
        stream_.expires_after(std::chrono::seconds(30));
        co_await stream_.async_connect(eps, asio::use_awaitable);
        // As the SDK does: a request written in two segments would otherwise wait for the
        // server's delayed ACK.
        stream_.socket().set_option(tcp::no_delay(true));
    }
    // Sends `body`; the decoded reply (an error for a non-200 answer).
    asio::awaitable<Result<json::value>> call(std::string body) {
        auto req = post(host_, std::move(body));
        stream_.expires_after(std::chrono::seconds(60));
        co_await http::async_write(stream_, req, asio::use_awaitable);
        http::response<http::string_body> res;
        co_await http::async_read(stream_, buffer_, res, asio::use_awaitable);
        co_return rpc::decode_reply(res.result_int(), res.body());
    }

  private:
    beast::tcp_stream stream_;
    client::Options to_;
    std::string host_;
    beast::flat_buffer buffer_;
};

struct Loop {
    const Options& o;
    const BenchColony& c;
    const LifecycleConfig& cfg;
    int per_unit = 1;
    int inflight = 16;
    int64_t submit_end = 0;
    int outstanding = 0;
    bool stop_submitting = false;
    int submitters_left = 0;
    std::deque<asio::steady_timer*> waiting;  // submitters parked for a free slot
    LifecycleResult r;
    int64_t last_close_ns = 0;

    void error(const std::string& what) {
        if (r.errors++ == 0) r.first_error = what;
    }
    void wake(size_t n) {
        for (; n > 0 && !waiting.empty(); --n) {
            waiting.front()->cancel();
            waiting.pop_front();
        }
    }
    void release(int n) {
        outstanding -= n;
        wake(static_cast<size_t>(n));
    }
    bool drained() const {
        return (stop_submitting && outstanding <= 0) ||
               now_ns() > submit_end + static_cast<int64_t>(cfg.drain_s * 1e9);
    }

    std::string submit_body(const Member& m, int64_t t0) const {
        if (!cfg.workflow)
            return signed_body("submitfuncspecmsg", {{"spec", to_json(bench_spec(c, t0))}},
                               m.prvkey);
        WorkflowSpec w;
        w.colonyname = c.name;
        FunctionSpec a = bench_spec(c, t0, false);
        a.nodename = "a";
        FunctionSpec b = bench_spec(c, t0, true);
        b.nodename = "b";
        b.conditions.dependencies = {"a"};
        w.functionspecs = {a, b};
        return signed_body("submitworkflowspecmsg", {{"spec", to_json(w)}}, m.prvkey);
    }

    asio::awaitable<void> submitter(Member m, size_t index) {
        auto ex = co_await asio::this_coro::executor;
        try {
            Conn conn(ex, client_options(o, index));
            co_await conn.connect();
            for (;;) {
                while (!stop_submitting && outstanding + per_unit > inflight &&
                       now_ns() < submit_end) {
                    asio::steady_timer t(ex, std::chrono::nanoseconds(submit_end - now_ns()));
                    waiting.push_back(&t);
                    boost::system::error_code ec;
                    co_await t.async_wait(asio::redirect_error(asio::use_awaitable, ec));
                    std::erase(waiting, &t);
                }
                if (stop_submitting || now_ns() >= submit_end) break;
                if (cfg.max_units > 0 && r.submitted >= cfg.max_units) break;
                outstanding += per_unit;
                r.submitted++;
                const int64_t t0 = now_ns();
                std::string body = submit_body(m, t0);
                auto reply = co_await conn.call(std::move(body));
                if (!reply) {
                    error("submit: " + describe(reply.error()));
                    r.submitted--;
                    release(per_unit);
                    continue;
                }
                r.submit.add(now_ns() - t0);
            }
        } catch (const std::exception& e) {
            error(std::string("submitter connection: ") + e.what());
        }
        if (--submitters_left == 0) {
            stop_submitting = true;
            wake(waiting.size());
        }
    }

    asio::awaitable<void> executor(Member m, size_t index) {
        auto ex = co_await asio::this_coro::executor;
        try {
            Conn conn(ex, client_options(o, index));
            co_await conn.connect();
            const std::string assign = signed_body("assignprocessmsg",
                                                   {{"colonyname", c.name},
                                                    {"timeout", 1},
                                                    {"availablecpu", ""},
                                                    {"availablemem", ""}},
                                                   m.prvkey);
            while (!drained()) {
                auto reply = co_await conn.call(assign);
                if (!reply) {
                    if (!reply.error().is(ErrorKind::NotFound)) {
                        error("assign: " + describe(reply.error()));
                        asio::steady_timer t(ex, std::chrono::milliseconds(10));
                        co_await t.async_wait(asio::use_awaitable);
                    }
                    continue;
                }
                auto p = process_from_json(*reply);
                if (!p) {
                    error("assign: undecodable process");
                    continue;
                }
                std::string close =
                    signed_body("closesuccessfulmsg",
                                {{"processid", p->processid}, {"out", json::array{}}}, m.prvkey);
                auto closed = co_await conn.call(std::move(close));
                if (!closed) {
                    error("close: " + describe(closed.error()));
                    continue;  // stays outstanding: the drain deadline ends the run
                }
                const int64_t t1 = now_ns();
                r.closed++;
                last_close_ns = std::max(last_close_ns, t1);
                const auto& args = p->spec.args;
                if (args.size() >= 2 && args[1].is_bool() && args[1].get_bool()) {
                    r.completed++;
                    if (args[0].is_int64()) r.e2e.add(t1 - args[0].get_int64());
                }
                release(1);
            }
        } catch (const std::exception& e) {
            error(std::string("executor connection: ") + e.what());
        }
    }
};

}  // namespace

LifecycleResult run_lifecycle_async(const Options& o, const BenchColony& c,
                                    const std::vector<Member>& submitters,
                                    const std::vector<Member>& executors,
                                    const LifecycleConfig& cfg) {
    asio::io_context ioc(1);
    Loop loop{o, c, cfg};
    loop.per_unit = cfg.workflow ? 2 : 1;
    loop.inflight = std::max(cfg.inflight, loop.per_unit);
    loop.submitters_left = static_cast<int>(submitters.size());
    const int64_t start = now_ns();
    loop.submit_end = start + static_cast<int64_t>(cfg.duration_s * 1e9);
    for (size_t s = 0; s < submitters.size(); ++s)
        asio::co_spawn(ioc, loop.submitter(submitters[s], s), asio::detached);
    for (size_t e = 0; e < executors.size(); ++e)
        asio::co_spawn(ioc, loop.executor(executors[e], submitters.size() + e), asio::detached);
    ioc.run();
    LifecycleResult r = std::move(loop.r);
    const int64_t end = loop.last_close_ns > 0 ? loop.last_close_ns : now_ns();
    r.elapsed_s = static_cast<double>(end - start) / 1e9;
    return r;
}

}  // namespace colonies::bench
